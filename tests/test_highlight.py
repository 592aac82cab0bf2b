"""Highlights land on the original characters that produced a matching term."""

from __future__ import annotations

import unicodedata

from helpers import ANALYZER, plan_query

from searchclip.index.highlights import term_offsets
from searchclip.ingest.markup import markup_ranges, prose_mask
from searchclip.search.snippets import make_snippet, match_spans


def spans_of(text: str, query: str) -> list[tuple[int, int]]:
    """Highlights as search finds them, from what indexing stored for the text."""
    mask = prose_mask(text)
    analysis = ANALYZER.analyze_for_index([mask])[0]  # what indexing stores, compound parts included
    offsets = term_offsets(analysis.tokens, analysis.initials, analysis.readings)
    return match_spans(text, plan_query(query), offsets, markup_ranges(text, mask))


def marked(text: str, query: str) -> str:
    """The text with every highlight wrapped in [brackets]."""
    spans = spans_of(text, query)
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], "[", text[start:end], "]"]
        last = end
    return "".join([*out, text[last:]])


def test_korean_stem_inside_inflected_word() -> None:
    assert marked("코딩을 좋아하고 코딩이 즐겁다", "코딩") == "[코딩]을 좋아하고 [코딩]이 즐겁다"


def test_japanese_conjugated_verb() -> None:
    assert marked("友人に裏切られた少年", "裏切る") == "友人に[裏切ら]れた少年"


def test_english_stem() -> None:
    assert marked("Small language models help.", "model") == "Small language [models] help."


def test_urls_and_image_markup_are_not_highlighted() -> None:
    text = "model ![model](https://x.example/model.png) https://x.example/model"
    assert marked(text, "model") == "[model] ![model](https://x.example/model.png) https://x.example/model"


def test_decomposed_hangul_is_highlighted_whole() -> None:
    text = unicodedata.normalize("NFD", "공짜가 되면")
    spans = spans_of(text, "공짜")
    assert len(spans) == 1
    assert unicodedata.normalize("NFC", text[spans[0][0] : spans[0][1]]) == "공짜"


def test_unspaced_korean_query_highlights_spaced_text() -> None:
    assert marked("바이브 코딩 입문", "바이브코딩") == "[바이브 코딩] 입문"


def test_snippet_centres_on_matches_and_shifts_spans() -> None:
    text = "서론 " * 100 + "여기서 코딩을 배운다. " + "결론 " * 100
    snippet = make_snippet(text, spans_of(text, "코딩"), width=60)
    assert snippet.text.startswith("…") and snippet.text.endswith("…")
    assert [snippet.text[s:e] for s, e in snippet.spans] == ["코딩"]
    assert "\n" not in snippet.text


def test_short_text_snippet_is_whole_text() -> None:
    snippet = make_snippet("코딩\n좋다", [(0, 2)])
    assert snippet.text == "코딩 좋다"
    assert snippet.spans == ((0, 2),)


def test_snippet_drops_markup_and_keeps_offsets() -> None:
    text = "See ![Image](https://x.example/a.png) the [models](https://x.example) here"
    mask = prose_mask(text)
    spans = spans_of(text, "model")
    snippet = make_snippet(text, spans, markup_ranges(text, mask))
    assert snippet.text == "See the models here"
    assert [snippet.text[s:e] for s, e in snippet.spans] == ["models"]


def test_markup_ranges_cover_only_blanked_characters() -> None:
    text = "**bold** [link](https://a.example/x)을 https://b.example"
    flat = markup_ranges(text, prose_mask(text))
    blanked = [text[flat[i] : flat[i + 1]] for i in range(0, len(flat), 2)]
    assert blanked == ["**", "**", "[", "](https://a.example/x)", "https://b.example"]


def test_compound_part_and_initials_are_highlighted() -> None:
    assert marked("인천국제공항에서", "공항") == "인천국제[공항]에서"
    assert marked("코딩 어시스턴트", "ㅇㅅㅅㅌ") == "코딩 [어시스턴트]"


def test_lowercase_that_changes_length_does_not_shift_highlights() -> None:
    assert marked("İİ 바이브 코딩", "바이브코딩") == "İİ [바이브 코딩]"


def test_stored_offsets_decode_terms_named_like_the_layout_keys() -> None:
    from searchclip.index.highlights import decode_highlights, encode_highlights

    data = encode_highlights({"t": [0, 1], "m": [2, 3], "코딩": [4, 6]}, [7, 9])
    assert decode_highlights(data, ["t", "m", "코딩", "없음"]) == ({"t": (0, 1), "m": (2, 3), "코딩": (4, 6)}, (7, 9))
    assert decode_highlights(data, ["코*"]) == ({"코딩": (4, 6)}, (7, 9))
    assert decode_highlights(encode_highlights({}, []), ["t"]) == ({}, ())
