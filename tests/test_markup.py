"""Markdown syntax, images and URLs are blanked for analysis, keeping every offset."""

from __future__ import annotations

from searchclip.ingest.markup import prose_mask


def test_mask_keeps_prose_and_link_text_only() -> None:
    text = "See **this** [post](https://a.example/x) ![Image](https://img.example/i.png) now"
    mask = prose_mask(text)
    assert len(mask) == len(text)
    assert mask.split() == ["See", "this", "post", "now"]


def test_bare_urls_and_html_are_blanked() -> None:
    text = "더 보기 https://beltoon.example/viewer?id=1 <b>bold</b>"
    assert prose_mask(text).split() == ["더", "보기", "bold"]


def test_code_is_kept_as_words() -> None:
    text = "Run `make test`\n\n```\nsearch_index()\n```"
    assert prose_mask(text).split() == ["Run", "make", "test", "search_index()"]


def test_escaped_characters_align_with_the_source() -> None:
    text = r"handle @chester\_roh here"
    mask = prose_mask(text)
    assert mask[: text.index("\\")] == "handle @chester"
    assert mask.endswith("_roh here")
