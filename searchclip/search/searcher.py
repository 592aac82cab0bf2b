"""The search use case: query text → plan → index query → hits → snippets.

A `Searcher` serves one index with one analysis. Its reader is reopened only when a rebuild
changed the index, so a long-running process (the search service) answers from a warm reader and
never from a stale one. By default each clipping shows once, as its best post, with the ids of its
other matching posts: a thread of twenty posts must not fill the first page.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from searchclip.analyzers import Analyzer
from searchclip.index.fields import index_version
from searchclip.index.highlights import READING_KEY
from searchclip.index.hits import Hit, Results
from searchclip.index.plan import Query
from searchclip.index.reader import IndexReader
from searchclip.index.store import state_key
from searchclip.search.expansion import expanded_query
from searchclip.search.query import Filters, QueryParser, QueryPlan, prepare
from searchclip.search.ranking import DEFAULT_WEIGHTS, Weights, all_of, filters, ranking
from searchclip.search.snippets import Snippet, make_snippet, match_spans, weighted_spans

# How deep a search with one result per clipping looks for `limit` clippings, at the most.
MAX_COLLAPSE_DEPTH = 2_000


@dataclass(frozen=True, slots=True)
class SearchRequest:
    text: str
    match_all: bool = True
    filters: Filters = field(default_factory=Filters)
    limit: int = 10
    fuzzy: bool = False
    expand: bool = False
    per_clipping: bool = True  # one result per clipping (its best post); False: every post


@dataclass(frozen=True, slots=True)
class SearchResult:
    plan: QueryPlan
    results: Results
    snippets: list[Snippet]
    # For each hit, the other matching posts of its clipping (ids, best first) when collapsed.
    more: list[tuple[str, ...]] = field(default_factory=list)


def index_query(plan: QueryPlan, weights: Weights, reader: IndexReader) -> Query:
    """The finished query of a plan: the ranking within the filters, expanded if the plan asks."""
    rank, narrow = ranking(plan, weights), filters(plan)
    return expanded_query(plan, weights, rank, narrow, reader) if plan.expand else all_of(rank, narrow)


def prepared(plan: QueryPlan, reader: IndexReader) -> QueryPlan:
    """The plan as this index runs it (kana words as readings where posts have them; a pasted
    paragraph reduced to its rarest words): see query.prepare."""
    return prepare(plan, reader.doc_freq, reader.num_posts)


def find(reader: IndexReader, plan: QueryPlan, weights: Weights, limit: int, offset: int = 0) -> Results:
    """The ranked hits of a prepared plan, with the stored offsets its highlights need."""
    if not plan.clauses:
        return Results((), 0)
    return reader.search(index_query(plan, weights, reader), limit, offset, plan.highlight_keys)


def find_per_clipping(
    reader: IndexReader, plan: QueryPlan, weights: Weights, limit: int
) -> tuple[Results, list[tuple[str, ...]]]:
    """The best post of each of the `limit` best clippings, and each one's other matching posts."""
    if not plan.clauses:
        return Results((), 0), []
    query = index_query(plan, weights, reader)
    best: dict[str, Hit] = {}
    others: dict[str, list[str]] = {}
    page, offset, total = limit * 4 + 16, 0, 0
    while offset < MAX_COLLAPSE_DEPTH:
        found = reader.search(query, page, offset, plan.highlight_keys)
        total = found.total
        for hit in found.hits:
            if hit.path in best:
                others[hit.path].append(hit.id)
            else:
                best[hit.path], others[hit.path] = hit, []
        offset += page
        if len(best) >= limit or offset >= total:
            break
    chosen = list(best)[:limit]
    return Results(tuple(best[p] for p in chosen), total), [tuple(others[p]) for p in chosen]


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
        plan = prepared(plan, reader)
        if request.per_clipping:
            results, more = find_per_clipping(reader, plan, self.weights, request.limit)
        else:
            results, more = find(reader, plan, self.weights, request.limit), []
        clock.lap("search")
        rarity = Rarity(reader)
        snippets = [snippet(hit, plan, rarity) for hit in results.hits]
        clock.lap("highlight")
        return SearchResult(plan, results, snippets, more)

    def get(self, post_id: str) -> Hit | None:
        return self.reader().get(post_id)


def snippet(hit: Hit, plan: QueryPlan, rarity: Callable[[str], float] | None = None) -> Snippet:
    if rarity is None:
        return make_snippet(hit.text, match_spans(hit.text, plan, hit.offsets, hit.markup), hit.markup)
    spans = weighted_spans(hit.text, plan, hit.offsets, hit.markup, rarity)
    return make_snippet(hit.text, sorted(spans), hit.markup, weights=spans)


class Rarity:
    """How rare a stored key is in the index (its inverse document frequency), for snippets: a
    window with the query's rare words beats one full of its common ones. Keys other than terms and
    readings (initials, typos, CJK words found as typed) weigh as a word of middling rarity."""

    def __init__(self, reader: IndexReader) -> None:
        self._reader = reader
        self._known: dict[str, float] = {}
        self._posts = max(1, reader.num_posts)

    def __call__(self, key: str) -> float:
        if key not in self._known:
            self._known[key] = self._weigh(key)
        return self._known[key]

    def _weigh(self, key: str) -> float:
        if key.startswith(READING_KEY):
            field, term = "readings", key[len(READING_KEY) :]
        elif ":" in key or key.startswith("~"):
            return math.log(1 + self._posts / 100)
        else:
            field, term = "body", key
        return math.log(1 + self._posts / (1 + self._reader.doc_freq(field, term)))


class _Clock:
    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        if self.timings is not None:
            now = time.perf_counter()
            self.timings[name] = now - self.last
            self.last = now
