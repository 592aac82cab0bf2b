"""The scale curve: rebuild, size and search as a synthetic archive grows.

    python benchmarks/scale.py --data ../shared/data --posts 10000 100000 1000000 [--work DIR]
        [--output scale.json] [--plot scale.png]

For each size, a synthetic archive in the Web Clipper format (benchmarks/synth_archive.py: about
5.4 posts per clipping) is written to a temporary folder (or --work), indexed by words by the real
`searchclip index`, and measured: full rebuild time and its peak memory (the process tree), index
size against the Markdown, a no-op rebuild and one with one changed file, and warm searches in one
process: 60 queries (benchmarks/speed_queries.txt: 20 Korean, 20 Japanese, 20 English) each as all
words, any word, a phrase, and all words with filters (a language and a date), p50 and p99. The
vector side (exact search and store size at 1.5 passages per post) is measured with synthetic
vectors, as benchmarks/vectors.py does. Each archive is deleted after its size is measured.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).parent
PAGE = os.sysconf("SC_PAGE_SIZE")
POSTS_PER_FILE = 5.4  # what synth_archive.py writes on average
PASSAGES_PER_POST = 1.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder (for synth_archive.py)")
    parser.add_argument("--posts", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--work", type=Path, help="where archives and indexes are written (default: a temp folder)")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--plot", type=Path)
    args = parser.parse_args()
    rows = []
    for posts in args.posts:
        with tempfile.TemporaryDirectory(prefix="scale-", dir=args.work) as tmp:
            rows.append(measure(posts, Path(tmp), args.data))
        print_row(rows[-1])
        if args.output:  # after every size: a long run keeps what it measured
            args.output.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    if args.plot:
        plot(rows, args.plot)


def measure(posts: int, tmp: Path, data: Path) -> dict[str, object]:
    archive, root = tmp / "archive", tmp / "index"
    files = max(1, round(posts / POSTS_PER_FILE))
    subprocess.run(
        [sys.executable, str(HERE / "synth_archive.py"), str(archive), "--data", str(data), "--files", str(files)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    text = sum(p.stat().st_size for p in archive.rglob("*.md"))
    env = {**os.environ, "SEARCHCLIP_AUTOSTART": "0"}
    command = [sys.executable, "-m", "searchclip", "index", str(archive), "--index", str(root), "-q", "--no-embed"]
    full, peak = timed(command, env, watch_memory=True)
    noop, _ = timed(command, env)
    changed = next(archive.rglob("*.md"))
    changed.write_text(changed.read_text(encoding="utf-8") + "\n추가한 문장 하나.\n", encoding="utf-8")
    one, _ = timed(command, env)
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    searches = warm_searches(root)
    vectors = vector_search(round(posts * PASSAGES_PER_POST))
    return {
        "posts_asked": posts, "posts": searches.pop("posts"), "files": files, "markdown_bytes": text,
        "full_rebuild_s": round(full, 1), "peak_rss_mb": round(peak / 2**20), "noop_rebuild_s": round(noop, 2),
        "one_file_rebuild_s": round(one, 2), "index_bytes": size, "index_ratio": round(size / text, 3),
        **searches, **vectors,
    }  # fmt: skip


def timed(command: list[str], env: dict[str, str], watch_memory: bool = False) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env)
    peak = [0]
    if watch_memory:
        threading.Thread(target=_sample_tree, args=(proc, peak), daemon=True).start()
    if proc.wait() != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return time.perf_counter() - started, peak[0]


def _sample_tree(proc: subprocess.Popen[bytes], peak: list[int]) -> None:
    """The process tree's resident memory, sampled from /proc every 0.2 s."""
    while proc.poll() is None:
        total = 0
        for pid in [proc.pid, *_children(proc.pid)]:
            with contextlib.suppress(OSError, IndexError, ValueError):
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        peak[0] = max(peak[0], total)
        time.sleep(0.2)


def _children(pid: int) -> list[int]:
    try:
        found = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return found + [g for c in found for g in _children(c)]


def warm_searches(root: Path) -> dict[str, object]:
    """p50/p99 ms of the 60 queries in four forms, in one warm process (the service's case)."""
    import datetime as dt

    from searchclip.analyzers import Analyzer, detect_language
    from searchclip.search.query import Filters
    from searchclip.search.searcher import Searcher, SearchRequest

    searcher = Searcher(root, Analyzer(), ())
    queries = [q for q in (HERE / "speed_queries.txt").read_text(encoding="utf-8").splitlines() if q.strip()]
    forms = {
        "all": lambda q: SearchRequest(q, mode="lexical"),
        "any": lambda q: SearchRequest(q, match_all=False, mode="lexical"),
        "phrase": lambda q: SearchRequest(f'"{q}"', mode="lexical"),
        "filtered": lambda q: SearchRequest(
            q, filters=Filters(langs=(detect_language(q),), since=dt.date(2020, 1, 1)), mode="lexical"
        ),
    }
    for q in queries[:5]:
        searcher.search(forms["all"](q))  # warm: the reader, Kiwi and Sudachi
    out: dict[str, object] = {"posts": searcher.reader().num_posts}
    for name, make in forms.items():
        times = []
        for q in queries:
            started = time.perf_counter()
            searcher.search(make(q))
            times.append((time.perf_counter() - started) * 1000)
        out[f"search_{name}_p50_ms"] = round(statistics.median(times), 2)
        out[f"search_{name}_p99_ms"] = round(sorted(times)[min(len(times) - 1, round(0.99 * (len(times) - 1)))], 2)
    return out


def vector_search(passages: int) -> dict[str, object]:
    """Exact search over `passages` random unit vectors of the model's size, as index/dense.py runs
    it: stored as float16, held and multiplied as float32, the best 100 picked."""
    import numpy as np

    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((passages, 384), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = matrix.astype(np.float16).astype(np.float32)  # what a load from the store gives
    times = []
    for _ in range(30):
        query = rng.standard_normal(384).astype(np.float32)
        started = time.perf_counter()
        scores = matrix @ query
        np.argpartition(scores, -100)[-100:]
        times.append((time.perf_counter() - started) * 1000)
    return {
        "passages": passages,
        "vector_search_p50_ms": round(statistics.median(times), 1),
        "vector_store_mb": round(passages * (384 * 2 + 100) / 1e6),  # a float16 row and its passage record
    }


def print_row(row: dict[str, object]) -> None:
    print(
        f"{row['posts']:>9,} posts  rebuild {row['full_rebuild_s']:>7} s  peak {row['peak_rss_mb']:>5} MB  "
        f"index {row['index_bytes'] / 1e6:8.1f} MB ({row['index_ratio']}×)  no-op {row['noop_rebuild_s']} s  "
        f"1 file {row['one_file_rebuild_s']} s  search all p50/p99 {row['search_all_p50_ms']}/"
        f"{row['search_all_p99_ms']} ms  any {row['search_any_p50_ms']}/{row['search_any_p99_ms']}  "
        f"phrase {row['search_phrase_p50_ms']}/{row['search_phrase_p99_ms']}  "
        f"filtered {row['search_filtered_p50_ms']}/{row['search_filtered_p99_ms']}  "
        f"vectors {row['passages']:,}: {row['vector_search_p50_ms']} ms, ~{row['vector_store_mb']} MB",
        flush=True,
    )


def plot(rows: list[dict[str, object]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    posts = [r["posts"] for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    axes[0].plot(posts, [r["full_rebuild_s"] for r in rows], "o-", label="full rebuild")
    axes[0].plot(posts, [r["noop_rebuild_s"] for r in rows], "o-", label="no-op")
    axes[0].plot(posts, [r["one_file_rebuild_s"] for r in rows], "o-", label="one file changed")
    axes[0].set(title="rebuild (s)")
    axes[1].plot(posts, [r["index_bytes"] / 1e6 for r in rows], "o-", label="index")
    axes[1].plot(posts, [r["markdown_bytes"] / 1e6 for r in rows], "o-", label="Markdown")
    axes[1].plot(posts, [r["peak_rss_mb"] for r in rows], "o-", label="peak RSS of a full rebuild")
    axes[1].set(title="size (MB)")
    for form in ("all", "any", "phrase", "filtered"):
        axes[2].plot(posts, [r[f"search_{form}_p99_ms"] for r in rows], "o-", label=f"{form} p99")
    axes[2].plot(posts, [r["vector_search_p50_ms"] for r in rows], "o--", label="vectors p50")
    axes[2].set(title="warm search (ms)")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("posts")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
