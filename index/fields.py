"""The post's fields, in one table: the Tantivy schema, the writer and the reader are made from it.

One document per post, with its clipping's metadata. Analyzed fields are filled with
pre-tokenized text (analysis happens in Python); they name Tantivy's built-in `whitespace`
tokenizer only because Tantivy insists that every text field has one, so nothing needs
registering when the index is opened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

import tantivy

# Bump when fields or analysis change: an index with another version is rebuilt, never misread.
SCHEMA_VERSION = 4

PRE_TOKENIZED = "whitespace"


class Kind(Enum):
    KEYWORD = "keyword"  # stored as is, matched whole (ids, handles, tags)
    ANALYZED = "analyzed"  # our own terms with positions and offsets (pre-tokenized)
    INTEGER = "integer"
    DATE = "date"
    BYTES = "bytes"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: Kind
    stored: bool = True
    indexed: bool = True
    fast: bool = False
    multi: bool = False  # several values per post (tags; bigrams of the title and of the body)
    hit: str = ""  # the `Hit` attribute it fills, when not its own name


FIELDS: tuple[Field, ...] = (
    Field("id", Kind.KEYWORD),
    Field("path", Kind.KEYWORD),
    Field("file", Kind.KEYWORD),
    Field("handle", Kind.KEYWORD, indexed=False),  # as written, for display (`0xSero`)
    Field("handle_key", Kind.KEYWORD, stored=False),  # lowercased, for matching
    Field("url", Kind.KEYWORD),
    Field("source", Kind.KEYWORD),
    Field("lang", Kind.KEYWORD),
    Field("tags", Kind.KEYWORD, multi=True),
    Field("post", Kind.INTEGER, fast=True),
    Field("line", Kind.INTEGER, indexed=False),
    Field("title", Kind.ANALYZED),
    Field("body", Kind.ANALYZED, hit="text"),
    Field("author", Kind.ANALYZED),
    Field("bigrams", Kind.ANALYZED, stored=False, multi=True),  # CJK character bigrams
    Field("initials", Kind.ANALYZED, stored=False, multi=True),  # Korean 초성 of nouns
    Field("readings", Kind.ANALYZED, stored=False, multi=True),  # Japanese readings
    Field("date", Kind.DATE, fast=True),
    Field("date_text", Kind.KEYWORD, indexed=False),  # as precisely as given: "2025-02-25", "2024-09"
    Field("date_kind", Kind.KEYWORD, indexed=False),  # "posted", "published" or "saved"
    # Term offsets and markup ranges of the body, so that highlighting needs no analysis.
    Field("highlights", Kind.BYTES, indexed=False),
)
STORED = tuple(f for f in FIELDS if f.stored)


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    for f in FIELDS:
        if f.kind is Kind.KEYWORD:
            # A stored-only keyword still needs a tokenizer; "raw" with no positions costs nothing.
            sb.add_text_field(f.name, stored=f.stored, tokenizer_name="raw", index_option="basic")
        elif f.kind is Kind.ANALYZED:
            sb.add_text_field(f.name, stored=f.stored, tokenizer_name=PRE_TOKENIZED)
        elif f.kind is Kind.INTEGER:
            sb.add_integer_field(f.name, stored=f.stored, indexed=f.indexed, fast=f.fast)
        elif f.kind is Kind.DATE:
            sb.add_date_field(f.name, stored=f.stored, indexed=f.indexed, fast=f.fast)
        else:
            sb.add_bytes_field(f.name, stored=f.stored, indexed=f.indexed)
    return sb.build()


def index_version(analysis_version: str) -> str:
    """The version an index is written with: this schema and the analysis that made its terms."""
    return f"schema{SCHEMA_VERSION};{analysis_version}"


# The dates Tantivy can store (nanoseconds from 1970 in 64 bits), a day inside each end.
FIRST_DATE = dt.date(1677, 9, 22)
LAST_DATE = dt.date(2262, 4, 10)


def storable(date: dt.date) -> bool:
    return FIRST_DATE <= date <= LAST_DATE


def as_datetime(date: dt.date) -> dt.datetime:
    """Tantivy's date fields take datetimes; a post's date is midnight UTC."""
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)
