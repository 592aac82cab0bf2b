"""User query text → a query plan, through the same analysis as the indexed text. Pure.

Words separated by spaces each become a clause that must match (or any one with `--any`);
"quoted phrases" must match as a phrase. Every clause may match the analyzed body or title, or
the CJK character bigrams of what was typed, which finds words the dictionaries split otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from searchclip.analyzers import analyze, bigrams
from searchclip.errors import QuerySyntaxError

MAX_QUERY_CHARS = 1_000
_QUOTES = {'"': '"', "“": "”", "「": "」"}


@dataclass(frozen=True, slots=True)
class Clause:
    """Terms that must stand together (one term, or a phrase) and their bigram alternative."""

    terms: tuple[str, ...]
    bigrams: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Filters:
    authors: tuple[str, ...] = ()  # display names or @handles; any may match
    tags: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class QueryPlan:
    clauses: tuple[Clause, ...]
    match_all: bool = True
    filters: Filters = field(default_factory=Filters)

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(t for c in self.clauses for t in c.terms)


def split_query(text: str) -> list[tuple[str, bool]]:
    """The query's words and quoted phrases, as (text, is_phrase); raises on an unclosed quote."""
    pieces: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in _QUOTES:
            close = text.find(_QUOTES[ch], i + 1)
            if close == -1:
                raise QuerySyntaxError(f"unbalanced quote: the {ch} at character {i + 1} is never closed")
            if text[i + 1 : close].strip():
                pieces.append((text[i + 1 : close], True))
            i = close + 1
        elif ch.isspace():
            i += 1
        else:
            end = i
            while end < len(text) and not text[end].isspace() and text[end] not in _QUOTES:
                end += 1
            pieces.append((text[i:end], False))
            i = end
    return pieces


def plan_query(text: str, match_all: bool = True, filters: Filters | None = None) -> QueryPlan:
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"the query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    clauses: list[Clause] = []
    for piece, is_phrase in split_query(text):
        tokens = analyze(piece)
        if is_phrase and tokens:
            terms = tuple(t.term for t in tokens)
            clauses.append(Clause(terms, tuple(b.term for b in bigrams(piece)), piece))
            continue
        for tok in tokens:
            surface = piece[tok.start : tok.end]
            clauses.append(Clause((tok.term,), tuple(b.term for b in bigrams(surface)), surface))
    unique = tuple(dict.fromkeys(clauses, None))
    return QueryPlan(unique, match_all, filters or Filters())
