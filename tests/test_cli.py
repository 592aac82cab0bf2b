"""The command line, end to end on the fixture folder: output, exit codes, messages."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from helpers import CliResult, cli
from typer.main import get_command

from searchclip.app.cli import app

GOLDEN = Path(__file__).parent / "golden"


def run(*args: str, env: dict[str, str | None] | None = None) -> CliResult:
    return cli(*args, env=env)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    base = tmp_path_factory.mktemp("cli")
    folder = base / "clippings"
    shutil.copytree(Path(__file__).parent / "fixtures" / "clippings", folder)
    result = run("index", str(folder), "--index", str(base / "index"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("4 added, 0 updated, 0 removed, 0 unchanged, 0 failed; 8 posts indexed in")
    return base / "index"


def test_search_output_matches_golden(index_dir: Path) -> None:
    result = run("search", "코딩", "--index", str(index_dir))
    assert result.exit_code == 0
    golden = GOLDEN / "search_coding.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")
    assert "\x1b[" not in result.stdout  # no colour codes off a terminal


def test_highlights_in_colour_mark_exactly_the_matched_characters(index_dir: Path) -> None:
    env = {"COLUMNS": "100", "NO_COLOR": None, "TERM": "xterm"}
    result = run("search", "코딩", "--color", "always", "--limit", "1", "--index", str(index_dir), env=env)
    assert result.exit_code == 0
    # The path is an OSC-8 link to the file (its id is random, so it is compared apart).
    link = re.search(r"\x1b\]8;id=\d+;(file://[^\x1b]+)\x1b\\(.*?)\x1b\]8;;\x1b\\", result.stdout)
    assert (
        link
        and link.group(1).endswith(".md")
        and re.sub(r"\x1b\[[0-9;]*m", "", link.group(2)) == "articles/바이브 코딩 정리.md#1"
    )
    output = result.stdout.replace(link.group(0), link.group(2))
    golden = GOLDEN / "search_coding_color.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")
    assert "\x1b[1;30;43m코딩\x1b[0m은" in output  # the stem, not its particle


def test_json_lines_offsets_point_at_the_matches(index_dir: Path) -> None:
    result = run("search", "裏切る", "--any", "--json", "--index", str(index_dir))
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["id"] for r in records} == {
        "threads/Thread by @hana_dev.md#3",
        "threads/Thread by @kenji_writes.md#2",
    }
    for record in records:
        assert [record["snippet"][s:e] for s, e in record["highlights"]] in (["裏切ら"], ["裏切る"])
        assert record["lang"] == "ja"


def test_nothing_found_exits_1(index_dir: Path) -> None:
    result = run("search", "존재하지않는낱말", "--index", str(index_dir))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no post matches" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", '"unclosed'], 'unbalanced quote: the " at character 1 is never closed'),
        (["search", "x", "--since", "yesterday"], "--since 'yesterday' is not a date; use YYYY-MM-DD"),
        (
            ["search", "x", "--lang", "xx"],
            "unknown language 'xx'; use one of: ko, ja, zh, en, de, fr, es, it, pt, nl, sv, other",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(index_dir: Path, args: list[str], message: str) -> None:
    result = run(*args, "--index", str(index_dir))
    assert result.exit_code == 2
    assert result.stderr == f"searchclip: error: {message}\n"


def test_missing_index_names_the_command_that_builds_it(tmp_path: Path) -> None:
    result = run("search", "코딩", "--index", str(tmp_path / "none"))
    assert result.exit_code == 2
    assert "build it with: searchclip index FOLDER" in result.stderr


def test_index_lists_failed_files_and_exits_2(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "good.md").write_text("좋은 글입니다\n", encoding="utf-8")
    (folder / "bad.md").write_bytes(b"\x00" * 64)
    result = run("index", str(folder), "--index", str(tmp_path / "i"))
    assert result.exit_code == 2
    assert f"searchclip: skipped {folder / 'bad.md'}: binary file, not text" in result.stderr
    assert run("search", "좋은", "--index", str(tmp_path / "i")).exit_code == 0


def test_show_prints_the_whole_post(index_dir: Path) -> None:
    result = run("show", "threads/Thread by @hana_dev.md#2", "--index", str(index_dir))
    assert result.exit_code == 0
    assert "Min Seo @minseo_k · 2025-02-26" in result.stdout
    assert "저는 코딩 어시스턴트로 테스트를 먼저 만들어요." in result.stdout


def test_analyze_shows_terms_and_offsets() -> None:
    result = run("analyze", "코딩을 배웠다")
    assert result.exit_code == 0
    assert "코딩" in result.stdout and "배우다" in result.stdout


def test_every_command_has_help() -> None:
    group = get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    assert set(commands) >= {"index", "search", "show", "analyze"}
    for name, command in commands.items():
        assert command.help, f"{name} has no help text"
        assert run(name, "--help").exit_code == 0
