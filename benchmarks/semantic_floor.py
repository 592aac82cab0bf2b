"""Can a cosine tell "found by meaning" from "nearest by chance"? Why searches by meaning have no
fixed threshold.

For a test set with queries in another language than its documents (--queries/--qrels), it embeds
the collection with the bundled model (as `searchclip bench relevance` does, reusing
--vector-cache) and measures, per query, how far the relevant post's cosine lies above the
archive's median post for that query (the floor hybrid.py measures from); then the same for the
nearest post of queries about nothing in the archive (--unrelated: another data set's questions).
If the two overlap, no threshold keeps the right answers and drops the chance ones.

    .venv/bin/python benchmarks/semantic_floor.py ../shared/data/clippings_ja_open_clippings \\
        --queries benchmarks/queries/clippings_ja_open_clippings_xl/queries.jsonl \\
        --qrels benchmarks/queries/clippings_ja_open_clippings_xl/qrels.tsv \\
        --unrelated ../shared/data/cranfield/beir --vector-cache /tmp/vectors
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

import numpy as np

from searchclip.analyzers import Analyzer
from searchclip.bench import relevance as bm


def above_median(vectors: bm.Vectors, text: str, relevant: set[str] | None) -> tuple[float, float]:
    """(best relevant post − median, nearest post − median) for one query, in cosine."""
    scores = vectors.dense.score(vectors.query(text))
    median = scores.median()
    nearest = float(scores.posts.max()) - median
    if relevant is None:
        return nearest, nearest
    docs = [vectors.dense.passages[vectors.dense.row_range(i)[0]].path for i in range(len(vectors.dense.posts))]
    best = max((float(s) for s, d in zip(scores.posts, docs, strict=True) if d in relevant), default=float("nan"))
    return best - median, nearest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path)
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--qrels", type=Path, required=True)
    parser.add_argument(
        "--unrelated", type=Path, required=True, help="a data set whose questions are the unrelated ones"
    )
    parser.add_argument("--count", type=int, default=100, help="unrelated questions sampled")
    parser.add_argument("--vector-cache", type=Path)
    args = parser.parse_args()
    coll = bm.load_collection(args.path, args.queries, args.qrels)
    other = bm.load_collection(args.unrelated)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "index"
        bm._build_searchclip(coll, root, Analyzer(), None)
        vectors = bm._embed(coll, root, args.vector_cache, None)
        relevant = np.array([above_median(vectors, t, set(coll.qrels[q]))[0] for q, t in coll.queries.items()])
        sample = random.Random(0).sample(sorted(other.queries), min(args.count, len(other.queries)))
        unrelated = np.array([above_median(vectors, other.queries[q], None)[1] for q in sample])
        vectors.save_queries()
    print(f"{coll.name}: {len(vectors.dense.posts)} posts; cosine above the median post for the query")
    print(f"{'':44} {'n':>4} {'p10':>6} {'p50':>6} {'p90':>6}")
    for name, values in (
        ("the relevant post, query in another language", relevant),
        ("the nearest post, unrelated query", unrelated),
    ):
        p10, p50, p90 = np.nanpercentile(values, [10, 50, 90])
        print(f"{name:44} {len(values):4} {p10:6.3f} {p50:6.3f} {p90:6.3f}")
    share = float(np.mean(relevant[~np.isnan(relevant)] > np.percentile(unrelated, 90)))
    print(f"relevant posts above the 90th percentile of the unrelated queries' nearest: {share:.0%}")


if __name__ == "__main__":
    main()
