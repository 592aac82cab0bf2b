"""Vector search at scale: exact search time, store load time and store size for synthetic vectors.

Writes N random unit vectors (384 dimensions, as the bundled model's) into a real vector store in a
temporary folder, two passages per post, then measures what a search pays: loading the store into
memory (`DenseIndex`, once per process or per change) and one query's exact search (a matrix product,
the best passage per post, the top 100). Synthetic vectors cost the same as real ones.

    .venv/bin/python benchmarks/vectors.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from searchclip.index.dense import DenseIndex
from searchclip.index.vectors import StoredPassage, VectorStore

DIMENSION = 384
MODEL = "synthetic"


def fill(root: Path, count: int, rng: np.random.Generator) -> None:
    store = VectorStore(root, writable=True)
    for first in range(0, count, 20_000):
        n = min(20_000, count - first)
        vectors = rng.standard_normal((n, DIMENSION)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        keys = [hashlib.blake2b(str(first + i).encode(), digest_size=16).digest() for i in range(n)]
        store.add_vectors(keys, vectors)
        files = []
        for i in range(0, n, 20):  # a file of ten posts, two passages each
            file = f"f{first + i}.md"
            passages = [
                StoredPassage(f"{file}#{j // 2}", file, 100 * (j % 2), 100 * (j % 2) + 100, keys[i + j])
                for j in range(min(20, n - i))
            ]
            files.append((file, "digest", MODEL, passages))
        store.set_files(files)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'passages':>10} {'store MB':>9} {'load s':>7} {'RAM MB':>7} {'search p50 ms':>14} {'p99 ms':>7}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            fill(root, size, rng)
            on_disk = sum(p.stat().st_size for p in root.iterdir()) / 1e6
            started = time.perf_counter()
            store = VectorStore(root)
            dense = DenseIndex(store.rows(MODEL, DIMENSION))
            store.close()
            load = time.perf_counter() - started
            times = []
            for _ in range(args.queries):
                query = rng.standard_normal(DIMENSION).astype(np.float32)
                query /= np.linalg.norm(query)
                started = time.perf_counter()
                scores = dense.score(query)
                scores.nearest(100)
                scores.median()
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            ram = dense.matrix.nbytes / 1e6
            print(f"{size:10,} {on_disk:9.0f} {load:7.2f} {ram:7.0f} {statistics.median(times):14.1f} {p99:7.1f}")


if __name__ == "__main__":
    main()
