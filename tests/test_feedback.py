"""Query expansion (`--expand`): the relevance model's arithmetic, and what it finds in a real index."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_search, update_index
from hypothesis import given
from hypothesis import strategies as st

from searchclip.index.highlights import encode_highlights, stored_term_counts
from searchclip.search.expansion import expansion_terms
from searchclip.search.query import Filters


def test_relevance_model_weights_posts_by_score_and_words_by_share() -> None:
    # Scores 0 and ln 3: the second post counts three times as much as the first.
    feedback = [(0.0, {"rust": 1, "toast": 1}), (1.0986122886681098, {"rust": 2, "borrow": 2})]
    terms = dict(expansion_terms(feedback))
    # rust: 1/4 * 1/2 + 3/4 * 1/2 = 0.5; toast: 1/4 * 1/2 = 0.125; borrow: 3/4 * 1/2 = 0.375
    assert terms == pytest.approx({"rust": 0.5, "borrow": 0.375, "toast": 0.125})


def test_stop_words_numbers_keys_and_single_characters_are_never_added() -> None:
    feedback = [(1.0, {"the": 5, "2024": 3, "초성:ㅋㄷ": 2, "x": 4, "ownership": 1})]
    assert expansion_terms(feedback, exclude=frozenset({"the"})) == [("ownership", 1.0)]


def test_only_the_most_likely_words_are_kept_and_renormalized() -> None:
    feedback = [(0.0, {"a1": 4, "b2": 3, "c3": 2, "d4": 1})]
    assert expansion_terms(feedback, count=2) == [("a1", pytest.approx(4 / 7)), ("b2", pytest.approx(3 / 7))]
    assert expansion_terms([]) == []


def test_too_common_words_are_skipped_and_the_next_ones_kept() -> None:
    feedback = [(0.0, {"topic": 3, "common": 4, "rare": 1})]
    kept = expansion_terms(feedback, count=2, too_common=lambda term: term == "common")
    assert kept == [("topic", pytest.approx(0.75)), ("rare", pytest.approx(0.25))]


@given(
    st.dictionaries(
        # Any term the analyzers can make: none holds a NUL or begins with the stored key marks.
        st.text(min_size=1, max_size=6).filter(lambda t: "\0" not in t and t[0] not in "\x01\x02"),
        st.lists(st.integers(0, 10**6), min_size=1, max_size=6).map(lambda xs: [x for x in xs for _ in (0, 1)]),
        max_size=8,
    ),
    st.lists(st.integers(0, 10**6), max_size=6),
)
def test_term_counts_read_from_the_stored_table_as_a_full_decode_would(
    offsets: dict[str, list[int]], markup: list[int]
) -> None:
    # Terms with quotes, backslashes, separators or the key prefixes' look-alikes must not confuse it.
    assert stored_term_counts(encode_highlights(offsets, markup)) == {t: len(v) // 2 for t, v in offsets.items()}


@pytest.fixture()
def topic_index(topic_archive: Path, tmp_path: Path) -> Path:
    root = tmp_path / "index"
    assert not update_index(root, [topic_archive]).failed
    return root


def paths(root: Path, query: str, match_all: bool, expand: bool, filters: Filters | None = None) -> list[str]:
    _, results, _ = run_search(root, query, match_all, filters or Filters(), 10, expand=expand)
    return [h.path for h in results.hits]


def test_expand_finds_a_post_on_the_same_topic_without_the_word(topic_index: Path) -> None:
    assert paths(topic_index, "borrow", match_all=False, expand=False) == ["borrow.md"]
    # The best post's words (ownership, lifetimes) find the post that never says "borrow", next;
    # a post that shares only a common word of it ("long") may follow, below.
    assert paths(topic_index, "borrow", match_all=False, expand=True)[:2] == ["borrow.md", "lifetimes.md"]


def test_expand_with_all_words_required_only_reranks(topic_index: Path) -> None:
    assert paths(topic_index, "borrow checker", match_all=True, expand=True) == ["borrow.md"]


def test_expand_keeps_filters(topic_index: Path) -> None:
    # Only borrow.md is tagged: the post its words would find (lifetimes.md) stays out.
    tagged = Filters(tags=("rust",))
    assert paths(topic_index, "borrow", match_all=False, expand=True, filters=tagged) == ["borrow.md"]
    assert paths(topic_index, "ownership", match_all=False, expand=True, filters=tagged) == ["borrow.md"]
