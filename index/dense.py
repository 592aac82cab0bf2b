"""Passage vectors → the posts nearest a query vector, by exact dot products.

Exact search is a matrix–vector product over every passage: measured here (2 cores, float32 in
memory, 384 dimensions) about 6 ms at 10^5 passages and 64 ms at 10^6, so no approximate index
(and none of its recall loss or build time) is needed at the sizes of a personal archive. Vectors
are stored as float16 and computed as float32 (converted once, when the store is loaded). A post's
score is that of its best passage.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from searchclip.index.vectors import StoredPassage, VectorRows


@dataclass(frozen=True, slots=True)
class Nearest:
    """A post near the query: its id, clipping path, cosine, and the passage that matched best."""

    post: str
    path: str
    similarity: float
    start: int
    end: int


class DenseIndex:
    """The vectors of the posts the lexical index holds as embedded, ready for queries."""

    def __init__(self, rows: VectorRows, current: Mapping[str, str] | None = None) -> None:
        """`current`: file → the digest the lexical index has; passages of other digests (a file
        edited since it was embedded) are left out: those posts are found lexically until re-embedded."""
        keep = [
            i
            for i, (file, digest) in enumerate(zip(rows.files, rows.digests, strict=True))
            if current is None or current.get(file) == digest
        ]
        posts: dict[str, int] = {}
        row_post = np.fromiter((posts.setdefault(rows.passages[i].post, len(posts)) for i in keep), np.int64, len(keep))
        order = np.argsort(row_post, kind="stable")  # each post's passages side by side
        kept = [keep[i] for i in order]
        self.passages: tuple[StoredPassage, ...] = tuple(rows.passages[i] for i in kept)
        self.matrix = np.ascontiguousarray(rows.vectors[kept], np.float32) if kept else np.zeros((0, 1), np.float32)
        self.posts = tuple(posts)
        self._post_index = posts
        row_post = row_post[order]
        self._starts = np.flatnonzero(np.r_[True, row_post[1:] != row_post[:-1]]) if kept else np.zeros(0, np.int64)
        self._ends = np.r_[self._starts[1:], len(kept)].astype(np.int64) if kept else np.zeros(0, np.int64)

    def __len__(self) -> int:
        return len(self.passages)

    def score(self, query: np.ndarray) -> QueryScores:
        """Every passage's and every post's (its best passage's) cosine with `query`."""
        if not len(self):
            return QueryScores(self, np.zeros(0, np.float32), np.zeros(0, np.float32))
        passages = self.matrix @ np.asarray(query, np.float32)
        posts = np.maximum.reduceat(passages, self._starts) if len(self) else np.zeros(0, np.float32)
        return QueryScores(self, passages, posts)

    def nearest(self, query: np.ndarray, k: int, among: Collection[str] | None = None) -> list[Nearest]:
        return self.score(query).nearest(k, among)

    def row_range(self, post: int) -> tuple[int, int]:
        return int(self._starts[post]), int(self._ends[post])

    def index_of(self, post: str) -> int | None:
        return self._post_index.get(post)


class QueryScores:
    """One query's cosines with every passage and post of a `DenseIndex`."""

    def __init__(self, dense: DenseIndex, passages: np.ndarray, posts: np.ndarray) -> None:
        self.dense = dense
        self.passages = passages
        self.posts = posts

    def median(self) -> float:
        """The cosine of the archive's typical post: what a post unrelated to the query scores."""
        return float(np.median(self.posts)) if len(self.posts) else 0.0

    def nearest(self, k: int, among: Collection[str] | None = None) -> list[Nearest]:
        """The `k` posts nearest the query, best first (only posts in `among`, when given)."""
        best = self.posts
        if among is not None:
            wanted = [i for p in among if (i := self.dense.index_of(p)) is not None]
            best = np.full(len(best), -np.inf, np.float32)
            best[wanted] = self.posts[wanted]
        k = min(k, int(np.isfinite(best).sum()))
        if k <= 0:
            return []
        top = np.argpartition(-best, k - 1)[:k]
        top = top[np.argsort(-best[top], kind="stable")]
        return [self._nearest(int(i)) for i in top]

    def of(self, posts: Collection[str]) -> dict[str, Nearest]:
        """The cosine and best passage of each of `posts` that has vectors."""
        return {p: self._nearest(i) for p in posts if (i := self.dense.index_of(p)) is not None}

    def _nearest(self, post: int) -> Nearest:
        start, end = self.dense.row_range(post)
        row = start + int(np.argmax(self.passages[start:end]))
        passage = self.dense.passages[row]
        return Nearest(self.dense.posts[post], passage.path, float(self.passages[row]), passage.start, passage.end)
