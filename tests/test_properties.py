"""Property-based tests: no exception on any text, offsets inside the text and ordered, highlights
always on the original characters."""

from __future__ import annotations

import unicodedata

from helpers import analyze, plan_query
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchclip.analyzers import bigrams
from searchclip.analyzers.normalize import normalize
from searchclip.analyzers.script import runs
from searchclip.index.highlights import term_offsets
from searchclip.ingest.clippings import parse_clipping
from searchclip.ingest.markup import markup_ranges, prose_mask
from searchclip.search.snippets import make_snippet, match_spans

# Text that looks like clippings: Hangul, kana, kanji, Latin, digits, Markdown and odd Unicode.
# Jamo, combining marks, ZWJ, emoji, full-width, compatibility characters, and `İ` (two lowercase chars).
ODD = [
    "\u1100",
    "\u1161",
    "\u11a8",
    "\u0301",
    "\u3099",
    "\u200d",
    "👩",
    "\ufe0f",
    "Ａ",
    "１",
    "…",
    "㈜",
    "\r",
    "\x00",
    "İ",
]
ALPHABET = st.sampled_from([*"코딩을 배웠다공짜가裏切られ東京プロンプトabcXYZ019 \n\t-*#[]()!`>_\\|:@.,。、「」", *ODD])
TEXT = st.text(ALPHABET, max_size=200)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(TEXT)
def test_runs_are_ordered_and_inside(text: str) -> None:
    last = 0
    for run in runs(text):
        assert last <= run.start < run.end <= len(text)
        last = run.end


@SETTINGS
@given(TEXT)
def test_normalize_maps_every_span_into_the_original(text: str) -> None:
    norm = normalize(text)
    # Cluster by cluster NFKC equals NFKC of the whole text wherever text starts with a base character.
    if not text or not unicodedata.combining(text[0]):
        assert norm.text == unicodedata.normalize("NFKC", text)
    for i in range(len(norm.text)):
        start, end = norm.to_original(i, i + 1)
        assert 0 <= start < end <= len(text)
    for i in range(len(norm.text) + 1):  # empty spans map to one point inside the text
        start, end = norm.to_original(i, i)
        assert 0 <= start == end <= len(text)


@SETTINGS
@given(TEXT)
def test_tokens_have_ordered_offsets_inside_the_text(text: str) -> None:
    for tokens in (analyze(text), bigrams(text)):
        assert [t.position for t in tokens] == list(range(len(tokens)))
        for tok in tokens:
            assert 0 <= tok.start < tok.end <= len(text)
            assert tok.term
        assert [t.start for t in tokens] == sorted(t.start for t in tokens)


@SETTINGS
@given(TEXT)
def test_prose_mask_keeps_length_and_lines(text: str) -> None:
    mask = prose_mask(text)
    assert len(mask) == len(text)
    assert all(m == c or m == " " for m, c in zip(mask, text, strict=True))


@SETTINGS
@given(st.text(ALPHABET, max_size=400))
def test_parser_never_raises_and_keeps_post_text(body: str) -> None:
    clip = parse_clipping(body, "x.md")
    for number, post in enumerate(clip.posts, 1):
        assert post.number == number and post.id == f"x.md#{number}"


@SETTINGS
@given(TEXT, st.sampled_from(["코딩", "裏切る", "model", "東京", "공짜 abc", '"코딩 배우다"']))
def test_highlights_land_on_characters_that_analyze_to_query_terms(text: str, query: str) -> None:
    plan = plan_query(query)
    mask = prose_mask(text)
    tokens = analyze(mask)
    markup = markup_ranges(text, mask)
    spans = match_spans(text, plan, term_offsets(tokens), markup)
    token_spans = {(t.start, t.end) for t in tokens if t.term in plan.terms}
    for start, end in spans:
        assert 0 <= start < end <= len(text)
        # Each highlight is a token that produced a query term, or a typed CJK word as written.
        typed = "".join(normalize(text[start:end]).text.lower().split())
        assert (start, end) in token_spans or any(typed == "".join(c.text.lower().split()) for c in plan.clauses)
    assert all(0 <= markup[i] < markup[i + 1] <= len(text) for i in range(0, len(markup), 2))
    snippet = make_snippet(text, spans, markup, width=80)
    for start, end in snippet.spans:
        assert 0 <= start < end <= len(snippet.text)
        assert snippet.text[start:end].strip()
