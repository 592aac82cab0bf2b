"""Index documents → Tantivy: add, delete and commit. Only this package imports tantivy."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import starmap
from pathlib import Path

import tantivy

from searchclip.documents import AnalyzedText, PostDocument
from searchclip.index.schema import as_datetime, build_schema

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

    def delete_file(self, file: str) -> None:
        self._writer.delete_documents_by_term("file", file)

    def commit(self) -> None:
        self._writer.commit()
        self._writer.wait_merging_threads()


def to_tantivy(doc: PostDocument) -> tantivy.Document:
    out = tantivy.Document()
    for name in ("id", "path", "file", "handle", "url", "source", "lang"):
        value = getattr(doc, name)
        if value:
            out.add_text(name, value)
    for tag in doc.tags:
        out.add_text("tags", tag)
    out.add_integer("post", doc.post)
    out.add_integer("line", doc.line)
    out.add_pre_tokenized_text("title", _pre_tokenized(doc.title))
    out.add_pre_tokenized_text("body", _pre_tokenized(doc.body))
    if doc.author.text:
        out.add_pre_tokenized_text("author", _pre_tokenized(doc.author))
    for name, texts in (("bigrams", doc.bigrams), ("initials", doc.initials), ("readings", doc.readings)):
        for analyzed in texts:
            if analyzed.terms:
                out.add_pre_tokenized_text(name, _pre_tokenized(analyzed))
    if doc.date is not None:
        out.add_date("date", as_datetime(doc.date))
    out.add_bytes("highlights", doc.highlights)
    return out


def _pre_tokenized(analyzed: AnalyzedText) -> tantivy.PreTokenizedString:
    # An IndexTerm is (term, position, start, end), Token's own argument order: starmap builds the
    # tokens without a Python-level loop, a sizeable part of the main process's work in a rebuild.
    return tantivy.PreTokenizedString(analyzed.text, list(starmap(tantivy.Token, analyzed.terms)))
