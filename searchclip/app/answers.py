"""Searches, posts and index status as plain JSON data: what the HTTP service and the MCP server
answer, computed the same way for both (and, through `hit_record`, the same records as --json)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from searchclip.app.commands import Session, make_filters
from searchclip.app.render import hit_record, post_record
from searchclip.index.store import MANIFEST, current_generation, read_manifest
from searchclip.search.searcher import SearchRequest

MAX_THREAD_POSTS = 500  # a `show` of a thread of 10,000 replies answers with its first 500


@dataclass(frozen=True, slots=True)
class SearchParams:
    """A search as the service's API and the MCP tool take it."""

    q: str = ""
    any_word: bool = False
    author: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    lang: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    limit: int = 10
    fuzzy: bool = False
    expand: bool = False
    posts: bool = False
    mode: str = "auto"
    sort: str = "relevance"


def search_answer(session: Session, params: SearchParams) -> dict[str, Any]:
    """`{"total", "mode", "hits": [records], "took_ms"}`: the records of `searchclip search --json`."""
    timings: dict[str, float] = {}
    filters = make_filters(params.author, params.tag, params.lang, params.since, params.until)
    request = SearchRequest(
        params.q, not params.any_word, filters, params.limit, params.fuzzy, params.expand,
        per_clipping=not params.posts, mode=params.mode, sort=params.sort,
    )  # fmt: skip
    found = session.searcher.search(request, timings)
    count = len(found.results.hits)
    more, fused = found.more or [()] * count, found.fused or [None] * count
    rows = zip(found.results.hits, found.snippets, more, fused, strict=True)
    hits = [hit_record(h, s, m, f) for h, s, m, f in rows]
    took = round(sum(timings.values()) * 1000, 3)
    return {"total": found.results.total, "mode": found.mode, "hits": hits, "took_ms": took}


def post_answer(session: Session, post_id: str, thread: bool = False) -> dict[str, Any] | None:
    """One whole post with its clipping's metadata, or (`thread`) every post of its clipping in
    order; None if there is no such post."""
    hit = session.searcher.get(post_id)
    if hit is None:
        return None
    if not thread:
        return {**post_record(hit), "text": hit.text}
    posts = session.searcher.reader().posts_of(hit.file, limit=MAX_THREAD_POSTS + 1)
    return {
        "id": hit.id,
        "path": hit.path,
        "title": hit.title,
        "obsidian": post_record(hit)["obsidian"],
        "posts": [{**post_record(p), "text": p.text} for p in posts[:MAX_THREAD_POSTS]],
        "truncated": len(posts) > MAX_THREAD_POSTS,
    }


def status_answer(session: Session) -> dict[str, Any]:
    """Where the index is, what it holds, when it last changed, and how much of it has vectors."""
    from searchclip.ingest.embedding import missing_posts

    gen = current_generation(session.root)
    manifest = read_manifest(gen) if gen else None
    if gen is None or manifest is None:
        return {"index": str(session.root), "exists": False}
    reader = session.searcher.reader()
    updated = (gen / MANIFEST).stat().st_mtime
    posts = reader.num_posts
    without = missing_posts(session.root, session.searcher.embedder)  # a damaged store: all missing
    return {
        "index": str(session.root),
        "exists": True,
        "folders": manifest.folders,
        "clippings": len(manifest.files),
        "posts": posts,
        "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(updated)),
        "seconds_since_update": round(time.time() - updated, 1),
        "posts_with_vectors": posts - without,
        "semantic_coverage": round((posts - without) / posts, 4) if posts else 0.0,
    }
