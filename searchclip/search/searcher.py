"""The search use case: query text → plan → index query → hits → snippets.

A `Searcher` serves one index with one analysis. Its reader is reopened only when a rebuild
changed the index, so a long-running process (the search service) answers from a warm reader and
never from a stale one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from searchclip.analyzers import Analyzer
from searchclip.index.fields import index_version
from searchclip.index.hits import Hit, Results
from searchclip.index.plan import Query
from searchclip.index.reader import IndexReader
from searchclip.index.store import state_key
from searchclip.search.expansion import expanded_query
from searchclip.search.query import Filters, QueryParser, QueryPlan
from searchclip.search.ranking import DEFAULT_WEIGHTS, Weights, all_of, filters, ranking
from searchclip.search.snippets import Snippet, make_snippet, match_spans


@dataclass(frozen=True, slots=True)
class SearchRequest:
    text: str
    match_all: bool = True
    filters: Filters = field(default_factory=Filters)
    limit: int = 10
    fuzzy: bool = False
    expand: bool = False


@dataclass(frozen=True, slots=True)
class SearchResult:
    plan: QueryPlan
    results: Results
    snippets: list[Snippet]


def index_query(plan: QueryPlan, weights: Weights, reader: IndexReader) -> Query:
    """The finished query of a plan: the ranking within the filters, expanded if the plan asks."""
    rank, narrow = ranking(plan, weights), filters(plan)
    return expanded_query(plan, weights, rank, narrow, reader) if plan.expand else all_of(rank, narrow)


def find(reader: IndexReader, plan: QueryPlan, weights: Weights, limit: int, offset: int = 0) -> Results:
    """The ranked hits of a plan, with the stored offsets its highlights need."""
    if not plan.clauses:
        return Results((), 0)
    return reader.search(index_query(plan, weights, reader), limit, offset, plan.highlight_keys)


class Searcher:
    def __init__(
        self,
        root: Path,
        analyzer: Analyzer,
        synonyms: Sequence[Sequence[str]] = (),
        weights: Weights = DEFAULT_WEIGHTS,
    ) -> None:
        self.root = root
        self.parser = QueryParser(analyzer, synonyms)
        self.weights = weights
        self._version = index_version(analyzer.version)
        self._reader: tuple[object, IndexReader] | None = None

    def reader(self) -> IndexReader:
        key = state_key(self.root)
        if self._reader is not None and key is not None and self._reader[0] == key:
            return self._reader[1]
        reader = IndexReader(self.root, self._version)
        self._reader = (key, reader)
        return reader

    def search(self, request: SearchRequest, timings: dict[str, float] | None = None) -> SearchResult:
        clock = _Clock(timings)
        plan = self.parser.parse(request.text, request.match_all, request.filters, request.fuzzy, request.expand)
        clock.lap("analyze query")
        reader = self.reader()  # opened even for an empty plan: a missing index is still an error
        clock.lap("open index")
        if not plan.clauses:
            return SearchResult(plan, Results((), 0), [])
        results = find(reader, plan, self.weights, request.limit)
        clock.lap("search")
        snippets = [
            make_snippet(h.text, match_spans(h.text, plan, h.offsets, h.markup), h.markup) for h in results.hits
        ]
        clock.lap("highlight")
        return SearchResult(plan, results, snippets)

    def get(self, post_id: str) -> Hit | None:
        return self.reader().get(post_id)


def snippet(hit: Hit, plan: QueryPlan) -> Snippet:
    return make_snippet(hit.text, match_spans(hit.text, plan, hit.offsets, hit.markup), hit.markup)


class _Clock:
    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        if self.timings is not None:
            now = time.perf_counter()
            self.timings[name] = now - self.last
            self.last = now
