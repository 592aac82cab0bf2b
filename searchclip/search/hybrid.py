"""BM25 and vector similarity → one ranking: a convex fusion whose lexical share follows how much
of the query the archive's vocabulary knows.

Both sides are put on [0, 1] against their floor, not the worst result they happened to return
(which makes a weak list look as strong as a good one): BM25 divided by the best BM25 (its floor
is 0), cosine measured from the archive's median post for this query (what a post unrelated to it
scores: most posts are unrelated to any one query, and short queries sit closer to everything than
long ones) up to the best cosine. Then

    score = λ · lexical + (1 − λ) · semantic,      λ = alpha · coverage

where coverage is the share of the query's IDF mass whose terms occur in the index. A query in
another language than the archive has coverage near 0: its BM25 list is noise (a stray shared
word), and plain reciprocal-rank fusion would let that noise in at full weight; here it fades out
and the vectors rank. A query in the archive's own words has coverage near 1 and both sides weigh
as `alpha` says. A post only the vectors found must be closer than the median post. No fixed
cosine can tell "found by meaning" from "nearest by chance": with this model a query about nothing
in the archive has a nearest post as far above the median as a query's right post in another
language (benchmarks/semantic_floor.py), so a search by meaning always has nearest posts, marked
as found by meaning; `--lexical` keeps grep's found / not found.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from searchclip.index.dense import Nearest
from searchclip.search.query import Clause, QueryPlan

DocFreq = Callable[[str, str], int]


@dataclass(frozen=True, slots=True)
class Fusion:
    alpha: float = 0.5  # the lexical share when the whole query is in the index's vocabulary
    depth: int = 100  # posts taken from each side before fusing


DEFAULT_FUSION = Fusion()


@dataclass(frozen=True, slots=True)
class Fused:
    """A post's place in the fused ranking and what each side said of it."""

    post: str
    path: str
    score: float
    lexical: float | None  # its BM25 score, None if its words did not match
    semantic: float | None  # its best passage's cosine, None if it has no vectors
    passage: tuple[int, int] | None  # where that passage is in the post's text
    near: bool = False  # closer to the query than unrelated text: the vectors found it too

    @property
    def matched(self) -> str:
        """Which side found it: "words", "meaning" or "both"."""
        if self.lexical is None:
            return "meaning"
        return "both" if self.near else "words"


def coverage(plan: QueryPlan, doc_freq: DocFreq, num_posts: int) -> float:
    """The share of the query's IDF mass that the index's vocabulary holds (1: every word occurs)."""
    if not plan.clauses:
        return 0.0
    absent = math.log(1 + num_posts)  # the weight of a word no post has: the rarest there can be
    total = held = 0.0
    for clause in plan.clauses:
        df = clause_frequency(clause, doc_freq)
        weight = math.log(1 + num_posts / df) if df else absent
        total += weight
        held += weight if df else 0.0
    return held / total if total else 0.0


def clause_frequency(clause: Clause, doc_freq: DocFreq) -> int:
    """In how many posts a clause's words occur, about: its rarest term (in body or title), or its
    rarest CJK bigram when the terms are not there (a word the dictionary split otherwise)."""
    terms = [max(doc_freq("body", t), doc_freq("title", t)) for t in clause.terms]
    found = min(terms, default=0)
    if not found and clause.bigrams:
        found = min(doc_freq("bigrams", b) for b in clause.bigrams)
    return found


def fuse(
    lexical: Sequence[tuple[str, str, float]],
    semantic: Mapping[str, Nearest],
    lexical_share: float,
    floor: float,
    ceiling: float | None = None,
) -> list[Fused]:
    """Fuse the BM25 list (post, path, score), best first, with the similarities of the posts either
    side found; best first. Posts found by meaning alone must be closer than `floor`."""
    best_lexical = max((s for _, _, s in lexical), default=0.0)
    best_semantic = max((n.similarity for n in semantic.values()), default=floor)
    span = (best_semantic if ceiling is None else ceiling) - floor
    matched = {post: (path, score) for post, path, score in lexical}

    def closeness(similarity: float) -> float:
        return max(0.0, (similarity - floor) / span) if span > 0 else 0.0

    out: list[Fused] = []
    for post in dict.fromkeys([*matched, *semantic]):
        near = semantic.get(post)
        words = matched.get(post)
        if words is None and (near is None or near.similarity <= floor):
            continue
        lex = words[1] / best_lexical if words and best_lexical > 0 else 0.0
        sem = closeness(near.similarity) if near else 0.0
        # A post without vectors (not embedded yet, or no prose) is judged by its words alone.
        score = lex if near is None else lexical_share * lex + (1 - lexical_share) * sem
        out.append(
            Fused(
                post,
                words[0] if words else near.path,  # type: ignore[union-attr]
                score,
                words[1] if words else None,
                near.similarity if near else None,
                (near.start, near.end) if near else None,
                sem > 0,
            )
        )
    out.sort(key=lambda f: (-f.score, f.lexical is None, f.post))  # on a tie, the words win
    return out


def per_clipping(fused: Iterable[Fused], limit: int) -> tuple[list[Fused], list[tuple[str, ...]]]:
    """The best post of each of the `limit` best clippings, and each one's other posts in the list."""
    best: dict[str, Fused] = {}
    others: dict[str, list[str]] = {}
    for f in fused:
        if f.path in best:
            others[f.path].append(f.post)
        elif len(best) < limit:
            best[f.path], others[f.path] = f, []
    return list(best.values()), [tuple(others[p]) for p in best]
