"""End to end on a real Tantivy index of the fixture clippings: what a user types finds the post."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import plan_query, run_search

from searchclip.errors import IndexMissingError
from searchclip.index.reader import IndexReader
from searchclip.search.query import Filters


def ids(root: Path, query: str, match_all: bool = True, filters: Filters | None = None) -> list[str]:
    _, results, _ = run_search(root, query, match_all, filters or Filters(), limit=10)
    return [h.id for h in results.hits]


HANA = "threads/Thread by @hana_dev.md"
KENJI = "threads/Thread by @kenji_writes.md"


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("공짜", f"{HANA}#1"),  # the post says 공짜가
        ("models", f"{HANA}#4"),  # stemming: model / models
        ("Claude 코딩", f"{HANA}#1"),  # "Claude Code를 써보니 코딩이"
        ("코딩 어시스턴트", f"{HANA}#2"),
        ("関西国際空港", f"{KENJI}#1"),
        ("바이브코딩", "articles/바이브 코딩 정리.md#1"),  # Korean spacing differs: bigrams bridge it
        ("ＣＬＡＵＤＥ", f"{HANA}#1"),  # full-width Latin
    ],
)
def test_user_queries_find_the_post(built_index: Path, query: str, expected_first: str) -> None:
    assert ids(built_index, query)[0] == expected_first


def test_japanese_query_finds_post_inside_korean_thread_only(built_index: Path) -> None:
    # 裏切る stands in the ad of a Korean thread and in a Japanese reply: both, and nothing else.
    assert sorted(ids(built_index, "裏切る")) == [f"{HANA}#3", f"{KENJI}#2"]


def test_all_words_must_match_unless_any(built_index: Path) -> None:
    assert ids(built_index, "공짜 東京") == []
    assert set(ids(built_index, "공짜 東京", match_all=False)) == {f"{HANA}#1", f"{KENJI}#1"}


def test_phrase_requires_adjacent_words(built_index: Path) -> None:
    assert ids(built_index, '"language models"') == [f"{HANA}#4"]
    assert ids(built_index, '"models language"') == []


def test_words_in_urls_and_image_markup_are_not_indexed(built_index: Path) -> None:
    assert ids(built_index, "pbs twimg") == []
    assert ids(built_index, "utm_source") == []


def test_filters(built_index: Path) -> None:
    assert ids(built_index, "코딩", filters=Filters(authors=("@minseo_k",))) == [f"{HANA}#2"]
    assert ids(built_index, "코딩", filters=Filters(authors=("Min Seo",))) == [f"{HANA}#2"]
    # 공짜 is in a Korean post, 東京 in a Japanese one: --lang keeps each to its own language.
    assert set(ids(built_index, "공짜 東京", match_all=False)) == {f"{HANA}#1", f"{KENJI}#1"}
    assert ids(built_index, "공짜 東京", match_all=False, filters=Filters(langs=("ja",))) == [f"{KENJI}#1"]
    assert ids(built_index, "공짜 東京", match_all=False, filters=Filters(langs=("ko",))) == [f"{HANA}#1"]
    assert ids(built_index, "공짜 東京", match_all=False, filters=Filters(langs=("en",))) == []
    assert ids(built_index, "코딩", filters=Filters(tags=("코딩",))) == ["articles/바이브 코딩 정리.md#1"]
    since = Filters(since=dt.date(2025, 2, 26), until=dt.date(2025, 2, 26))
    assert ids(built_index, "코딩", filters=since) == [f"{HANA}#2"]


def test_any_word_with_a_filter_still_needs_a_word(built_index: Path) -> None:
    # Optional words beside a required filter must not become optional altogether.
    korean = Filters(langs=("ko",))
    assert ids(built_index, "zzzq qqqz", match_all=False, filters=korean) == []
    assert ids(built_index, "zzzq 공짜", match_all=False, filters=korean) == [f"{HANA}#1"]


def test_hit_carries_metadata(built_index: Path) -> None:
    hit = IndexReader(built_index).get(f"{HANA}#1")
    assert hit is not None
    assert (hit.title, hit.author, hit.handle, hit.date, hit.lang) == (
        "Thread by @hana_dev",
        "한아 Hana",
        "hana_dev",
        dt.date(2025, 2, 25),
        "ko",
    )
    assert hit.tags == ("clippings", "ai")
    assert hit.file.endswith("threads/Thread by @hana_dev.md")
    assert hit.text.startswith("Claude Code를 써보니 코딩이 달라졌다.")


def test_missing_index_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="searchclip index"):
        IndexReader(tmp_path / "nowhere")


def test_plan_without_clauses_returns_nothing(built_index: Path) -> None:
    plan, results, snippets = run_search(built_index, "の", True, Filters(), 10)
    assert plan.clauses == () and results.hits == () and snippets == []
    assert plan_query("の").clauses == ()
