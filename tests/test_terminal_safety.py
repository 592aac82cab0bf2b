"""What a clipped web page can make the terminal do (nothing), what `open` hands on, and errors
that are always one line with grep's exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import cli, update_index

# An OSC 52 clipboard write, a screen clear, an OSC 8 link, a C1 CSI and a right-to-left override.
ESCAPES = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\\x9b31m\u202e"
OUR_CODES = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;id=\d+;file://[^\x1b]*\x1b\\|\x1b\]8;;\x1b\\")


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("escapes")
    folder = base / "clippings"
    folder.mkdir()
    # JSON strings are YAML too, and YAML wants control characters escaped in quoted values.
    front = {"title": f"title {ESCAPES}", "author": f"who {ESCAPES}", "source": f"https://example.com/{ESCAPES}"}
    front_matter = "".join(f"{key}: {json.dumps(value)}\n" for key, value in front.items())
    body = f"앞부분 {ESCAPES} 탈출문자 들어있는 글과 코딩\n"
    tags = json.dumps("tag" + ESCAPES)
    (folder / f"name{ESCAPES[:9]}.md").write_text(f"---\n{front_matter}tags: [{tags}]\n---\n{body}", encoding="utf-8")
    (folder / "-dash.md").write_text("대시로시작하는파일\n", encoding="utf-8")
    (folder / "links.md").write_text(
        "---\nsource: 'javascript:alert(1)'\n---\n위험한링크\n\n---\n\n**A** @a [x](--help)\n\n옵션같은링크\n",
        encoding="utf-8",
    )
    (folder / "web.md").write_text("---\nsource: https://example.com/page\n---\n안전한링크\n", encoding="utf-8")
    root = base / "index"
    update_index(root, [folder])
    return root


def stray(output: str) -> list[str]:
    """Control characters in the output that are not our own colour codes and file links."""
    return re.findall(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", OUR_CODES.sub("", output))


@pytest.mark.parametrize("color", ["never", "always"])
def test_search_output_shows_clipped_escapes_as_symbols(hostile_index: Path, color: str) -> None:
    result = cli("search", "탈출문자", "--color", color, "--index", str(hostile_index), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert stray(result.stdout) == []
    assert "title ␛]52;c;ZXZpbA==␇␛[2J" in OUR_CODES.sub("", result.stdout)
    assert "\ufffd31m\ufffd" in result.stdout  # C1 CSI and the override, each one symbol


def test_highlights_stay_on_the_matched_characters(hostile_index: Path) -> None:
    result = cli("search", "코딩", "--color", "always", "--index", str(hostile_index), env={"COLUMNS": "300"})
    assert "\x1b[1;30;43m코딩\x1b[0m" in result.stdout
    plain = cli("search", "탈출문자", "--json", "--index", str(hostile_index))
    record = json.loads(plain.stdout)
    assert [record["snippet"][s:e] for s, e in record["highlights"]] == ["탈출문자"]


def test_json_is_exact_and_safe_on_a_terminal(hostile_index: Path) -> None:
    result = cli("search", "탈출문자", "--json", "--index", str(hostile_index))
    assert "\x1b" not in result.stdout and "\x9b" not in result.stdout and "\u202e" not in result.stdout
    record = json.loads(result.stdout)
    assert record["title"] == f"title {ESCAPES}"  # the same characters, written as \u escapes
    assert record["author"] == f"who {ESCAPES}"
    assert record["tags"] == [f"tag{ESCAPES}".lower()]
    assert "\x1b]52;c;ZXZpbA==\x07\x1b[2J" in record["snippet"]  # as saved (the URL in it is markup: not shown)


def test_show_analyze_and_index_messages_are_neutralised(hostile_index: Path, tmp_path: Path) -> None:
    found = json.loads(cli("search", "탈출문자", "--json", "--index", str(hostile_index)).stdout)
    shown = cli("show", found["id"], "--index", str(hostile_index))
    assert shown.exit_code == 0 and stray(shown.stdout) == []
    analyzed = cli("analyze", f"글 {ESCAPES}", env={"COLUMNS": "300"})
    assert analyzed.exit_code == 0 and stray(analyzed.stdout) == []
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / f"bad{ESCAPES[:9]}.md").write_bytes(b"\x00binary")
    indexed = cli("index", str(folder), "--index", str(tmp_path / "i"))
    assert indexed.exit_code == 2 and "binary file, not text" in indexed.stderr
    assert stray(indexed.stderr) == [] and stray(indexed.stdout) == []


def test_an_error_naming_clipped_text_is_neutralised(hostile_index: Path) -> None:
    result = cli("show", f"no{ESCAPES}", "--index", str(hostile_index))
    assert result.exit_code == 1 and stray(result.stderr) == []


# ---- opening things --------------------------------------------------------------------------


def browser(tmp_path: Path) -> tuple[dict[str, str], Path]:
    log = tmp_path / "browser.log"
    script = tmp_path / "browser.sh"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> {log}\n', encoding="utf-8")
    script.chmod(0o755)
    return {**os.environ, "BROWSER": str(script), "NO_COLOR": "1", "DISPLAY": ""}, log


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "searchclip", *args], capture_output=True, text=True, env=env)


@pytest.mark.slow
def test_open_web_opens_only_http_urls(hostile_index: Path, tmp_path: Path) -> None:
    env, log = browser(tmp_path)
    opened = run("open", "--web", "web.md#1", "--index", str(hostile_index), env=env)
    assert opened.returncode == 0, opened.stderr
    assert log.read_text(encoding="utf-8").splitlines() == ["https://example.com/page"]
    for post in ("links.md#0", "links.md#1"):  # javascript:, and a "URL" that reads as an option
        refused = run("open", "--web", post, "--index", str(hostile_index), env=env)
        assert refused.returncode == 2
        assert "is not an http or https URL, so it is not opened" in refused.stderr
        assert refused.stderr.count("\n") == 1
    assert log.read_text(encoding="utf-8").splitlines() == ["https://example.com/page"]


@pytest.mark.slow
def test_an_editor_that_cannot_be_parsed_is_one_line(hostile_index: Path) -> None:
    env = {**os.environ, "EDITOR": 'vim "unclosed', "VISUAL": ""}
    done = run("open", "web.md#1", "--index", str(hostile_index), env=env)
    assert done.returncode == 2
    assert done.stderr.startswith("searchclip: error: cannot read the editor command 'vim \"unclosed'")
    assert done.stderr.count("\n") == 1


def test_ids_that_start_with_a_dash_work(hostile_index: Path) -> None:
    shown = cli("show", "-dash.md#1", "--index", str(hostile_index))
    assert shown.exit_code == 0, shown.stderr
    assert "대시로시작하는파일" in shown.stdout


# ---- every error is one line -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["search", "x", "--since", "0001-01-01"], 1, "no post matches"),  # out of range: no bound
        (["search", "x", "--until", "99999-01-01"], 2, "--until '99999-01-01' is not a date"),
        (["index", "--max-file-size", "nan"], 2, "nan is not a number of MB"),
        (["index", "--max-file-size", "-1"], 2, "is not in the range"),
        (["search", "--limit", "0", "x"], 2, "is not in the range"),
        (["serve", "--port", "70000"], 2, "is not in the range 1<=x<=65535"),
        (["search", "--sort", "newest"], 2, "Invalid value for '--sort'"),
        (["serach", "x"], 2, "No such command"),
        (["search", "--bogus", "x"], 2, "No such option: --bogus"),
        (["search", "x\udcff"], 2, "argument 2 is not valid UTF-8"),
    ],
)
def test_errors_are_one_line_with_greps_codes(hostile_index: Path, args: list[str], code: int, message: str) -> None:
    result = cli(*args, "--index", str(hostile_index))
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("searchclip: ")
    assert "Traceback" not in result.stderr


def test_columns_zero_still_prints_the_results(hostile_index: Path) -> None:
    for columns in ("0", "-3", "abc"):
        result = cli("search", "안전한링크", "--index", str(hostile_index), env={"COLUMNS": columns, "NO_COLOR": "1"})
        assert result.exit_code == 0 and "web.md#1" in result.stdout


@pytest.mark.slow
def test_a_closed_pipe_is_not_nothing_found(hostile_index: Path) -> None:
    for extra in ([], ["--json"]):
        search = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "searchclip",
                "search",
                "--any",
                "글",
                "링크",
                "-n",
                "50",
                *extra,
                "--no-service",
                "--index",
                str(hostile_index),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert search.stdout is not None
        search.stdout.read(5)
        search.stdout.close()  # as `| head -c 5` does
        assert search.wait(timeout=60) == 0
        assert b"Traceback" not in search.stderr.read()  # type: ignore[union-attr]


def test_an_unexpected_exception_is_one_internal_error_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from searchclip.app import commands

    def broken(*args: object, **kwargs: object) -> int:
        raise KeyError("surprise")

    monkeypatch.setattr(commands, "search_command", broken)
    import searchclip.app.cli as cli_module

    monkeypatch.setattr(cli_module, "search_command", broken)
    result = cli("search", "x", "--index", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == "searchclip: internal error: KeyError: 'surprise'\n"
