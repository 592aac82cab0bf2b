"""What a search returns: plain data, free of Tantivy, for highlighting and rendering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field


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
    date_text: str = ""  # the date as precisely as it was given ("2024-09"), or ""
    date_kind: str = ""  # "posted", "published" or "saved": which date `date` is
    url: str = ""
    source: str = ""
    lang: str = ""
    tags: tuple[str, ...] = ()
    # The query terms' offsets in `text` (flat start, end pairs) and the markup ranges of `text`.
    offsets: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    markup: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Results:
    """The hits of one search page and how many posts matched in all."""

    hits: tuple[Hit, ...]
    total: int
