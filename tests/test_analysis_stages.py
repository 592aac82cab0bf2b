"""The analysis chain stage by stage, as exact tables: (term, start, end[, position]) per stage and for
the whole chain, in the manner of nori's and charabia's tests."""

from __future__ import annotations

import unicodedata

import pytest
from helpers import ANALYZER

from searchclip.analyzers.filters import (
    BIGRAMS,
    INITIALS,
    READINGS,
    TERMS,
    Bigrams,
    CompoundParts,
    Initials,
    Positions,
    Readings,
    TextState,
)
from searchclip.analyzers.normalize import normalize
from searchclip.analyzers.script import runs
from searchclip.analyzers.segment import segment
from searchclip.analyzers.token import Token

MIXED = "Claude Code를 써보니 인천국제공항 東京駅で"
# Its terms as indexed: (term, start, end, position); compound parts at their compound's position.
MIXED_TERMS = [
    ("claud", 0, 6, 0),
    ("code", 7, 11, 1),
    ("쓰다", 13, 14, 2),
    ("인천", 17, 19, 3),
    ("국제공항", 19, 23, 4),
    ("국제", 19, 21, 4),
    ("공항", 21, 23, 4),
    ("東京駅", 24, 27, 5),
    ("東京", 24, 26, 5),
    ("駅", 26, 27, 5),
]


def rows(tokens: list[Token], position: bool = False) -> list[tuple[object, ...]]:
    return [(t.term, t.start, t.end, t.position) if position else (t.term, t.start, t.end) for t in tokens]


def state(text: str) -> TextState:
    """A text as the script analyzers leave it, before any stage."""
    norm = normalize(text)
    text_runs = runs(norm.text)
    pieces = segment(norm.text, text_runs)
    terms = [
        *(t for found in ANALYZER.japanese.analyze(pieces.japanese) for t in found),
        *(t for found in ANALYZER.words.analyze(pieces.words) for t in found),
        *(t for found in ANALYZER.korean.analyze(pieces.korean) for t in found),
    ]
    return TextState(norm, text_runs, {TERMS: terms})


# ---- segmentation ----------------------------------------------------------------------------


def test_script_runs() -> None:
    assert [(r.script.value, r.start, r.end) for r in runs(MIXED)] == [
        ("word", 0, 6),
        ("word", 7, 11),
        ("ko", 11, 12),
        ("ko", 13, 16),
        ("ko", 17, 23),
        ("ja", 24, 28),
    ]


def test_segments_give_kiwi_the_line_with_its_latin_words() -> None:
    pieces = segment(MIXED, runs(MIXED))
    assert pieces.korean == [("Claude Code를 써보니 인천국제공항 ", 0)]
    assert pieces.japanese == [("東京駅で", 24)]
    assert pieces.words == [("Claude", 0), ("Code", 7)]


def test_segments_never_cross_a_line_break() -> None:
    text = "첫 줄\n둘째 줄"
    assert segment(text, runs(text)).korean == [("첫 줄", 0), ("둘째 줄", 4)]


# ---- script analyzers ------------------------------------------------------------------------


def test_korean_analyzer_keeps_hangul_content_morphemes_at_text_offsets() -> None:
    (tokens,) = ANALYZER.korean.analyze([("Claude Code를 써보니 인천국제공항 ", 0)])
    assert [(t.term, t.start, t.end, t.tag) for t in tokens] == [
        ("쓰다", 13, 14, "VV"),  # a verb as its lemma, on the stem as written
        ("인천", 17, 19, "NNP"),
        ("국제공항", 19, 23, "NNG"),
    ]


def test_japanese_analyzer_gives_normalized_forms_and_readings() -> None:
    (tokens,) = ANALYZER.japanese.analyze([("東京駅で裏切られた", 10)])
    assert [(t.term, t.start, t.end, t.tag, t.reading) for t in tokens] == [
        ("東京駅", 10, 13, "名詞", "トウキョウエキ"),
        ("裏切る", 14, 17, "動詞", "ウラギラ"),
    ]


def test_word_analyzer_lowercases_and_stems_ascii_only() -> None:
    found = ANALYZER.words.analyze([("Models", 0), ("Café", 7), ("2025", 12)])
    assert [rows(tokens) for tokens in found] == [[("model", 0, 6)], [("café", 7, 11)], [("2025", 12, 16)]]


# ---- filters, in order -----------------------------------------------------------------------


def test_compound_parts_are_added_by_each_analyzer_that_splits_compounds() -> None:
    text = state(MIXED)
    CompoundParts([ANALYZER.korean, ANALYZER.japanese])(text)
    assert [(t.term, t.start, t.end, t.part) for t in text.streams[TERMS]] == [
        ("東京駅", 24, 27, False),
        ("claud", 0, 6, False),
        ("code", 7, 11, False),
        ("쓰다", 13, 14, False),
        ("인천", 17, 19, False),
        ("국제공항", 19, 23, False),
        ("국제", 19, 21, True),
        ("공항", 21, 23, True),
        ("東京", 24, 26, True),
        ("駅", 26, 27, True),
    ]


def test_positions_order_and_number_terms_parts_at_their_compounds() -> None:
    text = state(MIXED)
    CompoundParts([ANALYZER.korean, ANALYZER.japanese])(text)
    Positions()(text)
    assert rows(text.streams[TERMS], position=True) == MIXED_TERMS


def test_positions_map_offsets_back_to_the_original_characters() -> None:
    original = unicodedata.normalize("NFD", "코딩을") + " ＡＩ"  # 8 jamo, a space, 2 full-width letters
    text = state(original)
    Positions()(text)
    assert rows(text.streams[TERMS], position=True) == [("코딩", 0, 5, 0), ("ai", 9, 11, 1)]


def test_initials_of_nouns_and_of_hangul_words_as_written() -> None:
    text = state(MIXED)
    Positions()(text)
    Initials()(text)
    assert rows(text.streams[INITIALS], position=True) == [
        ("ㅇㅊ", 17, 19, 3),
        ("ㄱㅈㄱㅎ", 19, 23, 4),
        ("ㅆㅂㄴ", 13, 16, 2),  # 써보니 as written
        ("ㅇㅊㄱㅈㄱㅎ", 17, 23, 3),  # 인천국제공항 as written, though Kiwi read two nouns
    ]


def test_readings_of_japanese_words_at_their_positions() -> None:
    text = state("東京と大阪")
    Positions()(text)
    Readings()(text)
    assert rows(text.streams[READINGS], position=True) == [("トウキョウ", 0, 2, 0), ("オオサカ", 3, 5, 1)]


def test_bigrams_bridge_one_space_between_hangul_runs_only() -> None:
    text = state("바이브 코딩 ok 裏切る")
    Bigrams()(text)
    assert rows(text.streams[BIGRAMS], position=True) == [
        ("바이", 0, 2, 0),
        ("이브", 1, 3, 1),
        ("브코", 2, 5, 2),
        ("코딩", 4, 6, 3),
        ("裏切", 10, 12, 4),
        ("切る", 11, 13, 5),
    ]


# ---- the whole chain -------------------------------------------------------------------------


def test_index_pipeline_streams() -> None:
    analysis = ANALYZER.analyze_for_index([MIXED])[0]
    assert analysis.language == "ko"
    assert rows(analysis.tokens, position=True) == MIXED_TERMS
    # The compound's reading, and its parts' (`とうきょう` finds `東京駅`).
    assert rows(analysis.readings, position=True) == [
        ("トウキョウエキ", 24, 27, 5),
        ("トウキョウ", 24, 26, 5),
        ("エキ", 26, 27, 5),
    ]
    assert rows(analysis.bigrams)[:3] == [("를써", 11, 14), ("써보", 13, 15), ("보니", 14, 16)]
    assert rows(analysis.bigrams)[-3:] == [("東京", 24, 26), ("京駅", 25, 27), ("駅で", 26, 28)]


def test_query_pipeline_keeps_compounds_whole_and_makes_no_derived_streams() -> None:
    analysis = ANALYZER.query.run([MIXED])[0]
    assert rows(analysis.tokens, position=True) == [
        ("claud", 0, 6, 0),
        ("code", 7, 11, 1),
        ("쓰다", 13, 14, 2),
        ("인천", 17, 19, 3),
        ("국제공항", 19, 23, 4),
        ("東京駅", 24, 27, 5),
    ]
    assert (analysis.initials, analysis.readings, analysis.bigrams) == ([], [], [])


@pytest.mark.parametrize(
    "texts", [["코딩을 배웠다", "裏切られた", ""], ["", "Claude Code를"], ["東京", "서울", "Paris"]]
)
def test_a_batch_analyzes_each_text_as_if_alone(texts: list[str]) -> None:
    alone = [ANALYZER.analyze_for_index([t])[0] for t in texts]
    together = ANALYZER.analyze_for_index(texts)
    assert [dict(a.streams) for a in together] == [dict(a.streams) for a in alone]
