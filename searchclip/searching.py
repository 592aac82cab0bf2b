"""The search use case: plan the query, search the index, highlight the hits."""

from __future__ import annotations

from pathlib import Path

from searchclip.highlight import Snippet, make_snippet, match_spans
from searchclip.hits import Results
from searchclip.query import Filters, QueryPlan, plan_query


def run_search(
    root: Path, text: str, match_all: bool, filters: Filters, limit: int
) -> tuple[QueryPlan, Results, list[Snippet]]:
    from searchclip.index.reader import IndexReader

    plan = plan_query(text, match_all, filters)
    reader = IndexReader(root)  # opened even for an empty plan: a missing index is still an error
    if not plan.clauses:
        return plan, Results((), 0), []
    results = reader.search(plan, limit=limit)
    snippets = [make_snippet(h.text, match_spans(h.text, plan, h.offsets, h.markup), h.markup) for h in results.hits]
    return plan, results, snippets
