"""The post's fields, in one table: the Tantivy schema, the writer and the reader are made from it.

One document per post, with its clipping's metadata. Analyzed fields are filled with
pre-tokenized text (analysis happens in Python); they name Tantivy's built-in `whitespace`
tokenizer only because Tantivy insists that every text field has one, so nothing needs
registering when the index is opened.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from enum import Enum

import tantivy

# Bump when fields or analysis change: an index with another version is rebuilt, never misread.
SCHEMA_VERSION = 5  # 5: analyzed fields keep their text in a stored twin, not their tokens

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
    positions: bool = True  # analyzed: term positions, for phrases (a field never in a phrase needs none)
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
    # Matched by terms and prefixes only, never in phrases: no positions (a third of the positions file).
    Field("initials", Kind.ANALYZED, stored=False, multi=True, positions=False),  # Korean 초성 of nouns
    Field("readings", Kind.ANALYZED, stored=False, multi=True, positions=False),  # Japanese readings
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
        if f.kind is Kind.ANALYZED and f.stored:
            # Tantivy would store a pre-tokenized field's every token with its text (three times the
            # size of the text): the terms are indexed only, and the text is kept in a twin.
            sb.add_text_field(f.name, stored=False, tokenizer_name=PRE_TOKENIZED)
            sb.add_bytes_field(stored_text(f.name), stored=True, indexed=False)
        elif f.kind is Kind.KEYWORD:
            # A stored-only keyword still needs a tokenizer; "raw" with no positions costs nothing.
            sb.add_text_field(f.name, stored=f.stored, tokenizer_name="raw", index_option="basic")
        elif f.kind is Kind.ANALYZED:
            record = "position" if f.positions else "freq"
            sb.add_text_field(f.name, stored=False, tokenizer_name=PRE_TOKENIZED, index_option=record)
        elif f.kind is Kind.INTEGER:
            sb.add_integer_field(f.name, stored=f.stored, indexed=f.indexed, fast=f.fast)
        elif f.kind is Kind.DATE:
            sb.add_date_field(f.name, stored=f.stored, indexed=f.indexed, fast=f.fast)
        else:
            sb.add_bytes_field(f.name, stored=f.stored, indexed=f.indexed)
    return sb.build()


def stored_text(name: str) -> str:
    """The stored twin of an analyzed field: its original text (see `pack_text`)."""
    return f"{name}_text"


DEFLATED_TEXT = b"\xff"  # no UTF-8 text begins with this byte
MIN_DEFLATED = 256  # shorter texts are kept as they are: deflate would gain nothing


def pack_text(text: str) -> bytes:
    """A text as stored: UTF-8, deflated when it is long (zlib takes CJK text to under half; the doc
    store's lz4 takes it to about two thirds)."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) < MIN_DEFLATED:
        return data
    deflated = zlib.compress(data, 6)
    return DEFLATED_TEXT + deflated if len(deflated) + 1 < len(data) else data


def unpack_text(data: bytes) -> str:
    if data.startswith(DEFLATED_TEXT):
        data = zlib.decompress(data[1:])
    return data.decode("utf-8", "surrogatepass")


def schema_matches(version: str) -> bool:
    """Whether an index of this `index_version` stores its fields as this schema reads them
    (whatever analysis made its terms)."""
    return version.startswith(f"schema{SCHEMA_VERSION};")


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
