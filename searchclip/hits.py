"""What a search returns: plain data, free of Tantivy, for highlighting and rendering."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Hit:
    """One matching post, with the clipping's metadata and the post's original text."""

    id: str
    path: str
    file: str
    post: int
    line: int
    score: float
    title: str
    text: str
    author: str = ""
    handle: str = ""
    date: dt.date | None = None
    url: str = ""
    source: str = ""
    lang: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Results:
    """The hits of one search page and how many posts matched in all."""

    hits: tuple[Hit, ...]
    total: int
