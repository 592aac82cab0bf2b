"""The Tantivy schema: one document per post, with its clipping's metadata.

Analyzed fields are filled with pre-tokenized text (analysis happens in Python); they name
Tantivy's built-in `whitespace` tokenizer only because Tantivy insists that every text field has
one, so nothing needs registering when the index is opened.
"""

from __future__ import annotations

import datetime as dt

import tantivy

# Bump when fields or analysis change: an index with another version is rebuilt, never misread.
SCHEMA_VERSION = 3

PRE_TOKENIZED = "whitespace"


def as_datetime(date: dt.date) -> dt.datetime:
    """Tantivy's date fields take datetimes; a post's date is midnight UTC."""
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    for name in ("id", "path", "file", "handle", "url", "source", "lang", "tags"):
        sb.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("post", stored=True, indexed=True, fast=True)
    sb.add_integer_field("line", stored=True)
    sb.add_text_field("title", stored=True, tokenizer_name=PRE_TOKENIZED)
    sb.add_text_field("body", stored=True, tokenizer_name=PRE_TOKENIZED)
    sb.add_text_field("author", stored=True, tokenizer_name=PRE_TOKENIZED)
    sb.add_text_field("bigrams", stored=False, tokenizer_name=PRE_TOKENIZED)
    sb.add_text_field("initials", stored=False, tokenizer_name=PRE_TOKENIZED)  # Korean 초성 of nouns
    sb.add_text_field("readings", stored=False, tokenizer_name=PRE_TOKENIZED)  # Japanese readings
    sb.add_date_field("date", stored=True, indexed=True, fast=True)
    # Term offsets and markup ranges of the body, so that highlighting needs no analysis.
    sb.add_bytes_field("highlights", stored=True, indexed=False)
    return sb.build()
