"""The search use case: plan the query, search the index, highlight the hits.

Readers are kept per index and reopened only when a rebuild changed the index, so a long-running
process (the search service) answers from a warm reader and never from a stale one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from searchclip.highlight import Snippet, make_snippet, match_spans
from searchclip.hits import Results
from searchclip.query import Filters, QueryPlan, plan_query

if TYPE_CHECKING:
    from searchclip.index.reader import IndexReader

_readers: dict[Path, tuple[object, IndexReader]] = {}


def open_reader(root: Path) -> IndexReader:
    from searchclip.index.reader import IndexReader
    from searchclip.index.store import state_key

    key = state_key(root)
    cached = _readers.get(root)
    if cached is not None and key is not None and cached[0] == key:
        return cached[1]
    reader = IndexReader(root)
    _readers[root] = (key, reader)
    return reader


def run_search(
    root: Path,
    text: str,
    match_all: bool,
    filters: Filters,
    limit: int,
    timings: dict[str, float] | None = None,
    *,
    synonyms: Sequence[Sequence[str]] = (),
    fuzzy: bool = False,
    expand: bool = False,
) -> tuple[QueryPlan, Results, list[Snippet]]:
    clock = _Clock(timings)
    plan = plan_query(text, match_all, filters, synonyms, fuzzy, expand)
    clock.lap("analyze query")
    reader = open_reader(root)  # opened even for an empty plan: a missing index is still an error
    clock.lap("open index")
    if not plan.clauses:
        return plan, Results((), 0), []
    results = reader.search(plan, limit=limit)
    clock.lap("search")
    snippets = [make_snippet(h.text, match_spans(h.text, plan, h.offsets, h.markup), h.markup) for h in results.hits]
    clock.lap("highlight")
    return plan, results, snippets


class _Clock:
    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        if self.timings is not None:
            now = time.perf_counter()
            self.timings[name] = now - self.last
            self.last = now
