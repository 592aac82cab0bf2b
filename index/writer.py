"""Index documents → Tantivy: add, delete and commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from itertools import starmap
from pathlib import Path
from typing import Any

import tantivy

from searchclip.errors import DocumentError
from searchclip.index.documents import AnalyzedText, PostDocument
from searchclip.index.fields import (
    FIELDS,
    FIRST_DATE,
    LAST_DATE,
    Field,
    Kind,
    as_datetime,
    build_schema,
    pack_text,
    storable,
    stored_text,
)

WRITER_HEAP_BYTES = 256_000_000
# One indexing thread keeps up with the analysis workers; a second one cost about a tenth more of
# Tantivy's CPU in a rebuild (more, smaller segments to merge), CPU that the workers need.
WRITER_THREADS = 1


class IndexWriter:
    """A Tantivy writer over the index at `path`; nothing is visible to searches before `commit`."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._index = tantivy.Index(build_schema(), path=str(path), reuse=True)
        self._writer = self._index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=WRITER_THREADS)

    def add(self, docs: Iterable[PostDocument]) -> int:
        count = 0
        for doc in docs:
            self._writer.add_document(to_tantivy(doc))
            count += 1
        return count

    def replace_file(self, file: str, docs: Sequence[PostDocument]) -> int:
        """Replace a file's posts with `docs`, or change nothing if the index would refuse one of them.

        The values Tantivy refuses (a date it cannot store, text that is not UTF-8) are looked for
        first, and each document is then converted as it is added: a file of 100,000 posts is not
        held twice over.
        """
        for doc in docs:
            if problem := refused_value(doc):
                raise DocumentError(f"the index refuses a value of it ({problem})")
        self.delete_file(file)
        for doc in docs:
            self._writer.add_document(to_tantivy(doc))
        return len(docs)

    def delete_file(self, file: str) -> None:
        self._writer.delete_documents_by_term("file", file)

    def commit(self) -> None:
        self._writer.commit()
        self._writer.wait_merging_threads()


def refused_value(doc: PostDocument) -> str:
    """What of the document Tantivy would refuse, or ""."""
    if doc.date is not None and not storable(doc.date):
        return f"the date {doc.date} is outside {FIRST_DATE}–{LAST_DATE}"
    for name in ("id", "path", "file", "handle", "handle_key", "url", "source", "lang"):
        value = getattr(doc, name)
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return f"its {name} is not valid UTF-8"
    return ""


def to_tantivy(doc: PostDocument) -> tantivy.Document:
    """The document of `fields.FIELDS`; empty values are left out (nothing to find or show)."""
    out = tantivy.Document()
    for name, multi, add in _ADDERS:
        value = getattr(doc, name)
        if multi:
            for item in value:
                add(out, name, item)
        else:
            add(out, name, value)
    return out


def _stored_text(out: tantivy.Document, name: str, value: AnalyzedText) -> None:
    if value.terms:
        out.add_pre_tokenized_text(name, _pre_tokenized(value))
    if value.text:  # kept whenever there is text to show, even text without terms
        out.add_bytes(stored_text(name), pack_text(value.text))


def _search_text(out: tantivy.Document, name: str, value: AnalyzedText) -> None:
    if value.terms:
        out.add_pre_tokenized_text(name, _pre_tokenized(value))


def _keyword(out: tantivy.Document, name: str, value: str) -> None:
    if value:
        out.add_text(name, value)


def _date(out: tantivy.Document, name: str, value: dt.date | None) -> None:
    if value is not None:
        out.add_date(name, as_datetime(value))


def _adder(f: Field) -> Callable[[tantivy.Document, str, Any], None]:
    if f.kind is Kind.ANALYZED:
        return _stored_text if f.stored else _search_text
    return {
        Kind.KEYWORD: _keyword,
        Kind.INTEGER: tantivy.Document.add_integer,
        Kind.DATE: _date,
        Kind.BYTES: tantivy.Document.add_bytes,
    }[f.kind]


# Chosen once per field, not per document: the main process adds every document of a rebuild.
_ADDERS = tuple((f.name, f.multi, _adder(f)) for f in FIELDS)


def _pre_tokenized(analyzed: AnalyzedText) -> tantivy.PreTokenizedString:
    # An IndexTerm is (term, position, start, end), Token's own argument order: starmap builds the
    # tokens without a Python-level loop, a sizeable part of the main process's work in a rebuild.
    return tantivy.PreTokenizedString(analyzed.text, list(starmap(tantivy.Token, analyzed.terms)))
