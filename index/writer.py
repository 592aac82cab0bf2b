"""Index documents → Tantivy: add, delete and commit. Only this package imports tantivy."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import tantivy

from searchclip.documents import AnalyzedText, PostDocument
from searchclip.index.schema import as_datetime, build_schema

WRITER_HEAP_BYTES = 256_000_000


class IndexWriter:
    """A Tantivy writer over the index at `path`; nothing is visible to searches before `commit`."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._index = tantivy.Index(build_schema(), path=str(path), reuse=True)
        self._writer = self._index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=0)  # 0: Tantivy picks

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
    tokens = [tantivy.Token(term, position, start, end) for term, position, start, end in analyzed.terms]
    return tantivy.PreTokenizedString(analyzed.text, tokens)
