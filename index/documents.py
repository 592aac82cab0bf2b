"""What the index writer takes: one `PostDocument` per post, analyzed, as plain data.

Tuples rather than `Token`s: documents cross from the analysis workers to the index writer, and
tuples pickle several times faster and smaller than dataclass instances.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# (term, position, start, end): tantivy.Token's own argument order.
IndexTerm = tuple[str, int, int, int]


@dataclass(frozen=True, slots=True)
class AnalyzedText:
    """A stored original text and the terms indexed for it."""

    text: str
    terms: tuple[IndexTerm, ...]


@dataclass(frozen=True, slots=True)
class PostDocument:
    """A post's fields as `fields.FIELDS` names them."""

    id: str
    path: str
    file: str
    post: int
    line: int
    title: AnalyzedText
    body: AnalyzedText
    author: AnalyzedText
    bigrams: tuple[AnalyzedText, ...]
    initials: tuple[AnalyzedText, ...]
    readings: tuple[AnalyzedText, ...]
    handle: str
    handle_key: str
    url: str
    source: str
    lang: str
    tags: tuple[str, ...]
    date: dt.date | None
    date_text: str = ""
    date_kind: str = ""
    highlights: bytes = b""  # where each body term stands and what is markup: see highlights.py
