"""A plain Tantivy index for benchmark baselines: what Tantivy gives without searchclip's analysis.

Not used by `searchclip index` or `searchclip search`. `title` and `body` are raw text cut by
Tantivy's own `default` tokenizer (split at non-alphanumerics, lowercase, long tokens dropped);
`title_grams` and `body_grams` hold terms tokenized in Python (character bigrams and plain words). Lives here because
only this package imports tantivy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import tantivy

from searchclip.analyzers import Token
from searchclip.index.writer import WRITER_HEAP_BYTES


@dataclass(frozen=True, slots=True)
class PlainDocument:
    id: str
    title: str
    body: str
    title_grams: tuple[Token, ...]
    body_grams: tuple[Token, ...]


def build_plain_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("title", stored=False, tokenizer_name="default")
    sb.add_text_field("body", stored=False, tokenizer_name="default")
    sb.add_text_field("title_grams", stored=False, tokenizer_name="whitespace")
    sb.add_text_field("body_grams", stored=False, tokenizer_name="whitespace")
    return sb.build()


def write_plain_index(path: Path, docs: Iterable[PlainDocument]) -> int:
    """Create the index at `path` (a new, empty folder) from `docs`; return how many were added."""
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(build_plain_schema(), path=str(path), reuse=False)
    # One indexing thread: documents keep their order, so tied scores come back in the same order
    # in every run (several threads interleave them differently each time).
    writer = index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
    count = 0
    for doc in docs:
        out = tantivy.Document()
        out.add_text("id", doc.id)
        out.add_text("title", doc.title)
        out.add_text("body", doc.body)
        out.add_pre_tokenized_text("title_grams", _pre_tokenized(doc.title, doc.title_grams))
        out.add_pre_tokenized_text("body_grams", _pre_tokenized(doc.body, doc.body_grams))
        writer.add_document(out)
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    return count


class PlainReader:
    """Ranked document ids from a plain index, by BM25 (Tantivy's fixed k1=1.2, b=0.75)."""

    def __init__(self, path: Path) -> None:
        self._index = tantivy.Index.open(str(path))
        self._schema = self._index.schema
        self._searcher = self._index.searcher()

    def parsed(self, text: str, title_boost: float, body_boost: float, limit: int) -> list[str]:
        """Tantivy's query parser over title and body, as a Tantivy user would call it (terms ORed).

        The lenient parser is used because questions hold parser syntax (`?`, `:`, quotes) that
        the strict one rejects.
        """
        query, _errors = self._index.parse_query_lenient(
            text, ["title", "body"], field_boosts={"title": title_boost, "body": body_boost}
        )
        return self._ids(query, limit)

    def grams(self, terms: Sequence[str], title_boost: float, body_boost: float, limit: int) -> list[str]:
        """Documents with any of `terms` in their title or body grams, by BM25 summed over terms and fields."""
        options = []
        for term in dict.fromkeys(terms):
            for field, boost in (("title_grams", title_boost), ("body_grams", body_boost)):
                query = tantivy.Query.term_query(self._schema, field, term)
                options.append((tantivy.Occur.Should, tantivy.Query.boost_query(query, boost)))
        return self._ids(tantivy.Query.boolean_query(options), limit) if options else []

    def _ids(self, query: tantivy.Query, limit: int) -> list[str]:
        result = self._searcher.search(query, limit=limit)
        return [str(self._searcher.doc(addr).to_dict()["id"][0]) for _score, addr in result.hits]


def _pre_tokenized(text: str, terms: Sequence[Token]) -> tantivy.PreTokenizedString:
    tokens = [tantivy.Token(t.term, i, t.start, t.end) for i, t in enumerate(terms)]
    return tantivy.PreTokenizedString(text, tokens)
