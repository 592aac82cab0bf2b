"""Newest first, listings without words, and the obsidian:// links of clippings inside a vault."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import cli, run_search, update_index

from searchclip.search.links import obsidian_link

FIXTURES = Path(__file__).parent / "fixtures" / "clippings"


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixtures, plus a clipping without any date; the index folder."""
    base = tmp_path_factory.mktemp("dated")
    shutil.copytree(FIXTURES, base / "clips")
    (base / "clips" / "undated.md").write_text("---\ntitle: Undated\n---\n코딩 메모, 날짜 없음.\n", encoding="utf-8")
    update_index(base / "index", [base / "clips"])
    return base / "index"


def test_sort_by_date_gives_the_matching_posts_newest_first_undated_last(dated: Path) -> None:
    _, results, _ = run_search(dated, "코딩", sort="date", mode="lexical", limit=20)
    dates = [h.date for h in results.hits]
    assert dates[-1] is None and None not in dates[:-1]
    assert dates[:-1] == sorted(dates[:-1], reverse=True)
    _, by_relevance, _ = run_search(dated, "코딩", mode="lexical", limit=20)
    assert {h.id for h in results.hits} == {h.id for h in by_relevance.hits}  # the same posts, in another order


def test_an_empty_query_lists_the_newest_clipping_first_within_the_filters(dated: Path) -> None:
    result = cli("search", "--index", str(dated), "--json", "-n", "2")
    assert result.exit_code == 0
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert (first["path"], first["date"]) == ("threads/Thread by @kenji_writes.md", "2025-06-01")
    assert second["date"] == "2025-05-18" and second["path"] != first["path"]  # one per clipping
    since = cli("search", "--index", str(dated), "--json", "--since", "2025-05-01", "--lang", "ko")
    assert [json.loads(line)["path"] for line in since.stdout.splitlines()] == ["articles/바이브 코딩 정리.md"]
    none = cli("search", "--index", str(dated), "--since", "2030-01-01")
    assert (none.exit_code, none.stderr) == (1, "searchclip: no post\n")


def test_a_query_of_particles_only_is_still_nothing_to_search_for(dated: Path) -> None:
    result = cli("search", "--index", str(dated), "?!")
    assert result.exit_code == 1 and "nothing to search for" in result.stderr


def test_a_bad_sort_order_is_a_usage_error(dated: Path) -> None:
    result = cli("search", "--index", str(dated), "코딩", "--sort", "size")
    assert result.exit_code == 2 and "size" in result.stderr


def test_a_clipping_inside_a_vault_links_to_obsidian_by_its_path_in_the_vault(tmp_path: Path) -> None:
    vault = tmp_path / "내 볼트 メモ"
    (vault / ".obsidian").mkdir(parents=True)
    note = vault / "Clippings" / "X threads" / "Thread by @a & b.md"
    note.parent.mkdir(parents=True)
    note.write_text("x", encoding="utf-8")
    link = obsidian_link(str(note))
    assert link is not None and link.startswith("obsidian://open?")
    query = parse_qs(urlsplit(link).query)
    assert query == {"vault": ["내 볼트 メモ"], "file": ["Clippings/X threads/Thread by @a & b"]}
    assert obsidian_link(str(tmp_path / "elsewhere.md")) is None
    assert obsidian_link("relative/path.md") is None


def test_search_json_carries_the_obsidian_link_and_open_refuses_outside_a_vault(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    shutil.copytree(FIXTURES, vault / "Clippings")
    outside = tmp_path / "outside"
    shutil.copytree(FIXTURES, outside)
    for folder, root in ((vault / "Clippings", tmp_path / "i1"), (outside, tmp_path / "i2")):
        update_index(root, [folder])
    inside = json.loads(cli("search", "바이브", "--json", "--index", str(tmp_path / "i1")).stdout.splitlines()[0])
    assert (
        inside["obsidian"]
        == "obsidian://open?vault=vault&file=Clippings%2Farticles%2F%EB%B0%94%EC%9D%B4%EB%B8%8C%20%EC%BD%94%EB%94%A9%20%EC%A0%95%EB%A6%AC"
    )
    plain = json.loads(cli("search", "바이브", "--json", "--index", str(tmp_path / "i2")).stdout.splitlines()[0])
    assert plain["obsidian"] is None
    refused = cli("open", "--obsidian", plain["id"], "--index", str(tmp_path / "i2"))
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"searchclip: error: {plain['id']} is not in an Obsidian vault")
    both = cli("open", "--obsidian", "--web", inside["id"], "--index", str(tmp_path / "i1"))
    assert both.exit_code == 2 and "exclude each other" in both.stderr


def test_shell_completion_offers_post_ids_and_tags_of_the_index(dated: Path) -> None:
    import os
    import subprocess
    import sys

    def complete(words: str) -> list[str]:
        env = {**os.environ, "_SEARCHCLIP_COMPLETE": "complete_bash", "COMP_WORDS": words}
        env["COMP_CWORD"] = str(len(words.split()) - 1)
        done = subprocess.run([sys.executable, "-m", "searchclip"], capture_output=True, text=True, env=env)
        return done.stdout.split()

    index = str(dated)
    assert complete(f"searchclip search --index {index} --tag 코") == ["코딩"]
    ids = subprocess.run(  # ids hold spaces: one per line
        [sys.executable, "-m", "searchclip"], capture_output=True, text=True,
        env={**os.environ, "_SEARCHCLIP_COMPLETE": "complete_bash",
             "COMP_WORDS": f"searchclip show --index {index} articles/", "COMP_CWORD": "4"},
    ).stdout.splitlines()  # fmt: skip
    assert ids == ["articles/Offline search notes.md#1", "articles/바이브 코딩 정리.md#1"]
    assert complete(f"searchclip show --index {index}-missing art") == []  # no index: nothing, no error


def test_a_date_order_or_a_listing_by_meaning_is_refused_in_one_line(dated: Path) -> None:
    for args in (["코딩", "--semantic", "--sort", "date"], ["--semantic"]):
        result = cli("search", "--index", str(dated), *args)
        assert result.exit_code == 2, args
        assert result.stderr.strip().splitlines() == [
            "searchclip: error: --semantic ranks by meaning: it does not go with --sort date or an empty query"
        ]
