"""The search use case: query text → plan → index query (and query vector) → hits → snippets.

A `Searcher` serves one index with one analysis. Its reader and its vectors are reloaded only
when a rebuild or an embedding changed them, so a long-running process (the search service)
answers warm and never stale. Searches are hybrid when the index has vectors (hybrid.py fuses
both sides), lexical otherwise or when asked. By default each clipping shows once, as its best
post, with the ids of its other matching posts: a thread of twenty posts must not fill the first page.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from searchclip.analyzers import Analyzer
from searchclip.embed.model import Embedder, default_embedder, model_id
from searchclip.errors import EmbedderError, FilterError, VectorsMissingError, VectorStoreError
from searchclip.index.fields import index_version
from searchclip.index.highlights import READING_KEY
from searchclip.index.hits import Hit, Results
from searchclip.index.plan import Everything, Query
from searchclip.index.reader import IndexReader
from searchclip.index.store import VECTOR_STORE, current_generation, read_manifest, state_key
from searchclip.search.expansion import expanded_query
from searchclip.search.hybrid import DEFAULT_FUSION, Fused, Fusion, coverage, fuse, per_clipping
from searchclip.search.query import Filters, QueryParser, QueryPlan, prepare
from searchclip.search.ranking import DEFAULT_WEIGHTS, Weights, all_of, filters, ranking
from searchclip.search.snippets import Snippet, make_snippet, match_spans, weighted_spans

if TYPE_CHECKING:  # numpy and the vectors are loaded only when a search uses them
    import numpy as np

    from searchclip.index.dense import DenseIndex, Nearest, QueryScores
    from searchclip.index.vectors import VectorStore

MODES = ("auto", "lexical", "semantic", "hybrid")
SORTS = ("relevance", "date")

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
    # "auto": hybrid when the index has vectors, else lexical; "lexical" or "semantic": one side only.
    mode: str = "auto"
    # "relevance", or "date": the posts that match the words, newest first. Without words, a
    # listing of the newest posts that the filters pass.
    sort: str = "relevance"


@dataclass(frozen=True, slots=True)
class SearchResult:
    plan: QueryPlan
    results: Results
    snippets: list[Snippet]
    # For each hit, the other matching posts of its clipping (ids, best first) when collapsed.
    more: list[tuple[str, ...]] = field(default_factory=list)
    # For each hit of a hybrid or semantic search, what each side said of it.
    fused: list[Fused] = field(default_factory=list)
    mode: str = "lexical"  # how it was searched


def index_query(plan: QueryPlan, weights: Weights, reader: IndexReader) -> Query:
    """The finished query of a plan: the ranking within the filters, expanded if the plan asks;
    with no words, every post the filters pass (a listing by date)."""
    if not plan.clauses:
        return all_of(Everything(), filters(plan))
    rank, narrow = ranking(plan, weights), filters(plan)
    return expanded_query(plan, weights, rank, narrow, reader) if plan.expand else all_of(rank, narrow)


def prepared(plan: QueryPlan, reader: IndexReader) -> QueryPlan:
    """The plan as this index runs it (kana words as readings where posts have them; a pasted
    paragraph reduced to its rarest words): see query.prepare."""
    return prepare(plan, reader.doc_freq, reader.num_posts)


def find(
    reader: IndexReader, plan: QueryPlan, weights: Weights, limit: int, offset: int = 0, newest_first: bool = False
) -> Results:
    """The ranked hits of a prepared plan (or its newest first), with the stored offsets its
    highlights need. A plan without words finds nothing, unless it lists by date."""
    if not plan.clauses and not newest_first:
        return Results((), 0)
    query = index_query(plan, weights, reader)
    return reader.search(query, limit, offset, plan.highlight_keys, newest_first=newest_first)


def find_per_clipping(
    reader: IndexReader, plan: QueryPlan, weights: Weights, limit: int, newest_first: bool = False
) -> tuple[Results, list[tuple[str, ...]]]:
    """The best (or newest) post of each of the `limit` best (or newest) clippings, and each one's
    other matching posts."""
    if not plan.clauses and not newest_first:
        return Results((), 0), []
    query = index_query(plan, weights, reader)
    best: dict[str, Hit] = {}
    others: dict[str, list[str]] = {}
    page, offset, total = limit * 4 + 16, 0, 0
    while offset < MAX_COLLAPSE_DEPTH:
        found = reader.search(query, page, offset, plan.highlight_keys, newest_first=newest_first)
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


def find_hybrid(
    reader: IndexReader,
    dense: DenseIndex,
    plan: QueryPlan,
    query: np.ndarray,
    weights: Weights,
    limit: int,
    *,
    collapse: bool = True,
    fusion: Fusion = DEFAULT_FUSION,
    semantic_only: bool = False,
) -> tuple[Results, list[tuple[str, ...]], list[Fused]]:
    """The fused ranking of a prepared plan and its query vector (see hybrid.py): hits (their score
    the fused one), each one's other posts when collapsed per clipping, and both sides' scores."""
    depth = max(fusion.depth, limit * 4 + 16 if collapse else limit)
    found = Results((), 0)
    if plan.clauses and not semantic_only:
        found = reader.search(index_query(plan, weights, reader), depth, 0, plan.highlight_keys)
    scores = dense.score(query)
    near = {n.post: n for n in nearest_passing(reader, scores, plan, depth)}
    near.update(scores.of([h.id for h in found.hits if h.id not in near]))
    share = 0.0 if semantic_only else fusion.alpha * coverage(plan, reader.doc_freq, reader.num_posts)
    fused = fuse([(h.id, h.path, h.score) for h in found.hits], near, share, scores.median())
    if collapse:
        chosen, more = per_clipping(fused, limit)
    else:
        chosen, more = fused[:limit], []
    by_id = {h.id: h for h in found.hits}
    hits = []
    for f in chosen:
        hit = by_id.get(f.post) or reader.get(f.post, plan.highlight_keys)
        if hit is not None:
            hits.append(replace(hit, score=f.score))
    total = found.total  # the posts that match the words: those found by meaning have no count
    kept = {h.id for h in hits}
    pairs = [(f, m) for f, m in zip(chosen, more or [()] * len(chosen), strict=True) if f.post in kept]
    return Results(tuple(hits), total), [m for _, m in pairs] if collapse else [], [f for f, _ in pairs]


def nearest_passing(reader: IndexReader, scores: QueryScores, plan: QueryPlan, k: int) -> list[Nearest]:
    """The `k` posts nearest the query vector among those the plan's filters let through."""
    narrow = filters(plan)
    if not narrow:
        return scores.nearest(k)
    tried = k * 4
    while True:  # look further until k pass, or every post was looked at
        candidates = scores.nearest(tried)
        passing = reader.with_filters(all_of(narrow[0], narrow[1:]), [c.post for c in candidates])
        kept = [c for c in candidates if c.post in passing]
        if len(kept) >= k or len(candidates) < tried:
            return kept[:k]
        tried *= 8


class Searcher:
    def __init__(
        self,
        root: Path,
        analyzer: Analyzer,
        synonyms: Sequence[Sequence[str]] = (),
        weights: Weights = DEFAULT_WEIGHTS,
        embedder: Embedder | None = None,
        fusion: Fusion = DEFAULT_FUSION,
    ) -> None:
        self.root = root
        self.parser = QueryParser(analyzer, synonyms)
        self.weights = weights
        self.embedder = embedder or default_embedder()  # loads its model on the first query vector
        self.fusion = fusion
        self._version = index_version(analyzer.version)
        self._reader: tuple[object, IndexReader] | None = None
        self._store: VectorStore | None = None
        self._dense: tuple[object, DenseIndex] | None = None

    def reader(self) -> IndexReader:
        key = state_key(self.root)
        if self._reader is not None and key is not None and self._reader[0] == key:
            return self._reader[1]
        reader = IndexReader(self.root, self._version)
        self._reader = (key, reader)
        return reader

    def dense(self) -> DenseIndex | None:
        """The vectors of the current index's posts (those embedded for the text it holds), or None
        when it has none."""
        if not (self.root / VECTOR_STORE).exists():
            return None
        from searchclip.index.dense import DenseIndex
        from searchclip.index.vectors import VectorStore

        if self._store is None or self._store.version()[1] == -1:
            if self._store is not None:
                self._store.close()
            self._store = VectorStore(self.root)
        key = (state_key(self.root), self._store.version())
        if self._dense is not None and self._dense[0] == key:
            return self._dense[1]
        gen = current_generation(self.root)
        manifest = read_manifest(gen) if gen else None
        current = {f: s.digest for f, s in manifest.files.items()} if manifest else {}
        dense = DenseIndex(self._store.rows(model_id(self.embedder), self.embedder.dimension), current)
        self._dense = (key, dense)
        return dense

    def search(self, request: SearchRequest, timings: dict[str, float] | None = None) -> SearchResult:
        clock = _Clock(timings)
        plan = self.parser.parse(request.text, request.match_all, request.filters, request.fuzzy, request.expand)
        clock.lap("analyze query")
        reader = self.reader()  # opened even for an empty plan: a missing index is still an error
        clock.lap("open index")
        if request.sort not in SORTS:
            raise ValueError(f"unknown sort order {request.sort!r}")
        if not request.text.strip() or (plan.clauses and request.sort == "date"):
            if request.mode == "semantic":  # a date order or a listing is by words: never silently
                raise FilterError("--semantic ranks by meaning: it does not go with --sort date or an empty query")
            return self._by_date(reader, plan if not plan.clauses else prepared(plan, reader), request, clock)
        if not plan.clauses:
            return SearchResult(plan, Results((), 0), [])
        plan = prepared(plan, reader)
        mode, dense = self._mode(request.mode)
        clock.lap("load vectors")
        vector = None if mode == "lexical" else self._query_vector(request.text, mode)
        if vector is None:
            mode = "lexical"  # by words only, or the model cannot run here: the words find what they can
        else:
            clock.lap("embed query")
        if mode == "lexical":
            fused: list[Fused] = []
            if request.per_clipping:
                results, more = find_per_clipping(reader, plan, self.weights, request.limit)
            else:
                results, more = find(reader, plan, self.weights, request.limit), []
            clock.lap("search")
        else:
            assert dense is not None and vector is not None
            results, more, fused = find_hybrid(
                reader, dense, plan, vector, self.weights, request.limit, collapse=request.per_clipping,
                fusion=self.fusion, semantic_only=mode == "semantic",
            )  # fmt: skip
            clock.lap("search")
        rarity = Rarity(reader)
        passages = [f.passage if f.lexical is None else None for f in fused] or [None] * len(results.hits)
        snippets = [snippet(hit, plan, rarity, at) for hit, at in zip(results.hits, passages, strict=True)]
        clock.lap("highlight")
        return SearchResult(plan, results, snippets, more, fused, mode)

    def _by_date(self, reader: IndexReader, plan: QueryPlan, request: SearchRequest, clock: _Clock) -> SearchResult:
        """The posts that match the words (all of them without words), newest first: by words only,
        since every post is near a query in meaning and a date order would show them all."""
        if request.per_clipping:
            results, more = find_per_clipping(reader, plan, self.weights, request.limit, newest_first=True)
        else:
            results, more = find(reader, plan, self.weights, request.limit, newest_first=True), []
        clock.lap("search")
        rarity = Rarity(reader)
        snippets = [snippet(hit, plan, rarity, None) for hit in results.hits]
        clock.lap("highlight")
        return SearchResult(plan, results, snippets, more, [], "lexical")

    def _query_vector(self, text: str, mode: str) -> np.ndarray | None:
        """The query's vector; None, in a hybrid search, if the model cannot be loaded (a search
        by meaning alone reports it)."""
        try:
            return self.embedder.embed_query(text.strip())
        except EmbedderError:
            if mode == "semantic":
                raise
            return None

    def _mode(self, asked: str) -> tuple[str, DenseIndex | None]:
        if asked not in MODES:
            raise ValueError(f"unknown search mode {asked!r}")
        if asked == "lexical":
            return "lexical", None
        try:
            dense = self.dense()
        except VectorStoreError:
            if asked == "semantic":
                raise
            return "lexical", None  # the words still find everything; `searchclip embed` repairs it
        if dense is not None and len(dense):
            return ("semantic" if asked == "semantic" else "hybrid"), dense
        if asked == "auto":
            return "lexical", None
        raise VectorsMissingError(
            f"the posts of the index at {self.root} have no vectors yet; make them with: searchclip embed"
        )

    def get(self, post_id: str) -> Hit | None:
        return self.reader().get(post_id)


def snippet(
    hit: Hit,
    plan: QueryPlan,
    rarity: Callable[[str], float] | None = None,
    passage: tuple[int, int] | None = None,
) -> Snippet:
    """The snippet of a hit: where its words matched best, or the passage it was found by (meaning)."""
    if rarity is None:
        return make_snippet(hit.text, match_spans(hit.text, plan, hit.offsets, hit.markup), hit.markup)
    spans = weighted_spans(hit.text, plan, hit.offsets, hit.markup, rarity)
    focus = passage[0] if passage else None
    return make_snippet(hit.text, sorted(spans), hit.markup, weights=spans, focus=focus)


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
