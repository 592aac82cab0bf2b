"""A finished query, as plain data: what to match and how to weigh it, ready for Tantivy.

The search layer turns the user's text into this tree (through the same analysis as indexing);
the reader translates it one node to one Tantivy query and runs it, deciding nothing itself,
as Tantivy's own query parser goes from text to a logical AST before it builds queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum


class Occur(Enum):
    MUST = "must"
    SHOULD = "should"


@dataclass(frozen=True, slots=True)
class Term:
    field: str
    text: str


@dataclass(frozen=True, slots=True)
class Phrase:
    field: str
    terms: tuple[str, ...]
    slop: int = 0


@dataclass(frozen=True, slots=True)
class Prefix:
    """Terms of the field that start with `prefix`."""

    field: str
    prefix: str


@dataclass(frozen=True, slots=True)
class Fuzzy:
    """Terms of the field within `distance` edits of `text` (Levenshtein, transpositions count two)."""

    field: str
    text: str
    distance: int


@dataclass(frozen=True, slots=True)
class TermSet:
    """Any of the terms, unscored: a filter."""

    field: str
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DateRange:
    """Dates from `since` to `until`, both included; None leaves that end open."""

    field: str
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Everything:
    """Every post (what a listing by date narrows with its filters)."""


@dataclass(frozen=True, slots=True)
class Boost:
    query: Query
    weight: float


@dataclass(frozen=True, slots=True)
class DisMax:
    """The best of the queries' scores plus `tie` times the others'."""

    queries: tuple[Query, ...]
    tie: float


@dataclass(frozen=True, slots=True)
class Bool:
    """Clauses that must match or may match; with no MUST clause, at least one SHOULD must."""

    clauses: tuple[tuple[Occur, Query], ...]


Query = Term | Phrase | Prefix | Fuzzy | TermSet | DateRange | Everything | Boost | DisMax | Bool


def must(*queries: Query) -> Bool:
    return Bool(tuple((Occur.MUST, q) for q in queries))


def should(*queries: Query) -> Bool:
    return Bool(tuple((Occur.SHOULD, q) for q in queries))
