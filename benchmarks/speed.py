"""Speed of searchclip on real clippings: indexing throughput, index size, no-op re-run, search latency.

    python benchmarks/speed.py DATA_DIR... [--queries FILE] [--output JSON]

Everything runs against a temporary index built with the real pipeline (`update_index`); every
number printed is a time.perf_counter measurement or a count, nothing is extrapolated.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from searchclip.analyzers import Analyzer, detect_language
from searchclip.index.store import current_generation
from searchclip.ingest.scan import scan
from searchclip.ingest.textfile import decode_text, read_bytes
from searchclip.ingest.update import update_index
from searchclip.search.searcher import Searcher, SearchRequest

ANALYZER = Analyzer()

DEFAULT_QUERIES = Path(__file__).with_name("speed_queries.txt")
LANGS = ("ko", "ja", "en")
WARM_UP_TEXT = "클로드 코드를 사용했다. プロンプトを書いた。Prompts were written."


@dataclass(slots=True)
class Corpus:
    files: int = 0
    chars: int = 0
    raw_bytes: int = 0


@dataclass(slots=True)
class IndexTimes:
    analyzer_load_s: float
    full_build_s: float
    noop_rerun_s: float
    posts: int
    failed: int
    noop_unchanged: int
    index_bytes: int


@dataclass(slots=True)
class QuerySample:
    query: str
    lang: str
    seconds: list[float]
    total: int


@dataclass(slots=True)
class ColdRun:
    query: str
    lang: str
    seconds: float
    exit_code: int
    error: str = ""


@dataclass(slots=True)
class Result:
    folders: list[str]
    commit: str
    load_before: float
    corpus: Corpus
    index: IndexTimes
    queries: list[QuerySample] = field(default_factory=list)
    cold: list[ColdRun] = field(default_factory=list)
    load_after: float = 0.0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    folders = [Path(f) for f in args.folders]
    queries = load_queries(args.queries)
    with tempfile.TemporaryDirectory(prefix="searchclip-speed-") as tmp:
        root = Path(tmp) / "index"
        corpus = measure_corpus(folders)
        load = os.getloadavg()[0]  # other work on the machine skews every timing: report it
        result = Result([str(f) for f in folders], _git_commit(), load, corpus, measure_indexing(root, folders))
        result.queries = measure_search(root, queries, args.rounds, args.limit)
        result.cold = measure_cold(root, queries, args.cold_per_lang, args.limit)
        result.load_after = os.getloadavg()[0]
    summary = summarize(result)
    print_summary(Console(), summary)
    if args.output:
        data = {"summary": summary, "raw": asdict(result)}
        Path(args.output).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", help="Folders of clippings to index.")
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES, help="Queries, one per line.")
    parser.add_argument("--output", type=Path, help="Write the results as JSON here.")
    parser.add_argument("--rounds", type=int, default=3, help="Timed in-process runs per query.")
    parser.add_argument("--cold-per-lang", type=int, default=4, help="Cold `searchclip search` runs per language.")
    parser.add_argument("--limit", type=int, default=10, help="Hits per search, as `searchclip search -n`.")
    return parser.parse_args(argv)


def _git_commit() -> str:
    """The commit of the code measured (read-only `git rev-parse`), or "" outside a checkout."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=Path(__file__).parent
        )
    except OSError:
        return ""
    return done.stdout.strip()


def load_queries(path: Path) -> list[str]:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def measure_corpus(folders: list[Path]) -> Corpus:
    """Files, characters and bytes of the Markdown files the indexer will read."""
    corpus = Corpus()
    for source in scan(folders).sources:
        data = read_bytes(source.path)
        corpus.files += 1
        corpus.raw_bytes += len(data)
        corpus.chars += len(decode_text(data, source.key)[0])
    return corpus


def measure_indexing(root: Path, folders: list[Path]) -> IndexTimes:
    """Analyzer load in this process, a full build (wall clock, worker start-up included), a no-op re-run."""
    started = time.perf_counter()
    ANALYZER.analyze(WARM_UP_TEXT)
    load = time.perf_counter() - started
    started = time.perf_counter()
    report = update_index(root, folders, full=True, analyzer=ANALYZER)
    build = time.perf_counter() - started
    started = time.perf_counter()
    noop = update_index(root, folders, analyzer=ANALYZER)
    rerun = time.perf_counter() - started
    return IndexTimes(load, build, rerun, report.posts, len(report.failed), noop.unchanged, _index_bytes(root))


def _index_bytes(root: Path) -> int:
    gen = current_generation(root)
    if gen is None:
        return 0
    return sum(p.stat().st_size for p in gen.rglob("*") if p.is_file())


def measure_search(root: Path, queries: list[str], rounds: int, limit: int) -> list[QuerySample]:
    """The whole search (plan, open the index, search, highlight) per query, `rounds` times."""
    searcher = Searcher(root, ANALYZER)
    for text in queries[:3]:
        searcher.search(SearchRequest(text, limit=limit))  # warm-up: analyzers and the OS file cache
    samples = [QuerySample(q, detect_language(q), [], 0) for q in queries]
    for _ in range(rounds):
        for sample in samples:
            started = time.perf_counter()
            found = searcher.search(SearchRequest(sample.query, limit=limit))
            sample.seconds.append(time.perf_counter() - started)
            sample.total = found.results.total
    return samples


def measure_cold(root: Path, queries: list[str], per_lang: int, limit: int) -> list[ColdRun]:
    """Whole-command runs of `searchclip search` in a fresh process, the first queries of each language."""
    runs: list[ColdRun] = []
    for lang in LANGS:
        for text in [q for q in queries if detect_language(q) == lang][:per_lang]:
            runs.append(_cold_run(root, text, lang, limit))
    return runs


def _cold_run(root: Path, text: str, lang: str, limit: int) -> ColdRun:
    command = [*_searchclip_command(), "search", "--index", str(root), "-n", str(limit), "--", text]
    env = {**os.environ, "COLUMNS": "120"}
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
    seconds = time.perf_counter() - started
    error = done.stderr.decode("utf-8", "replace").strip() if done.returncode > 1 else ""
    return ColdRun(text, lang, seconds, done.returncode, error)


def _searchclip_command() -> list[str]:
    script = Path(sys.executable).parent / "searchclip"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "searchclip"]


def summarize(result: Result) -> dict[str, object]:
    idx, corpus = result.index, result.corpus
    all_seconds = [s for q in result.queries for s in q.seconds]
    zero = [q.query for q in result.queries if q.total == 0]
    return {
        "folders": result.folders,
        "commit": result.commit,
        "cpus": os.cpu_count(),
        "load_avg_1min": [result.load_before, result.load_after],
        "files": corpus.files,
        "posts": idx.posts,
        "failed_files": idx.failed,
        "chars": corpus.chars,
        "raw_bytes": corpus.raw_bytes,
        "analyzer_load_s": idx.analyzer_load_s,
        "full_build_s": idx.full_build_s,
        "files_per_s": corpus.files / idx.full_build_s,
        "chars_per_s": corpus.chars / idx.full_build_s,
        "index_bytes": idx.index_bytes,
        "index_to_raw": idx.index_bytes / corpus.raw_bytes if corpus.raw_bytes else 0.0,
        "noop_rerun_s": idx.noop_rerun_s,
        "noop_unchanged": idx.noop_unchanged,
        "queries": len(result.queries),
        "samples": len(all_seconds),
        "search_ms": _percentiles(all_seconds),
        "search_ms_by_lang": {lang: _lang_percentiles(result.queries, lang) for lang in LANGS},
        "zero_hit_share": len(zero) / len(result.queries) if result.queries else 0.0,
        "zero_hit_queries": zero,
        "cold_p50_ms_by_lang": {lang: _cold_p50(result.cold, lang) for lang in LANGS},
        "cold_runs": len(result.cold),
        "cold_failed": [f"{c.query}: exit {c.exit_code}: {c.error}" for c in result.cold if c.exit_code > 1],
    }


def _percentiles(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {}
    ms = sorted(s * 1000 for s in seconds)
    if len(ms) == 1:
        return {"p50": ms[0], "p95": ms[0], "p99": ms[0], "max": ms[0], "n": 1}
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": ms[-1], "n": len(ms)}


def _lang_percentiles(samples: list[QuerySample], lang: str) -> dict[str, float]:
    return _percentiles([s for q in samples if q.lang == lang for s in q.seconds])


def _cold_p50(cold: list[ColdRun], lang: str) -> dict[str, float]:
    seconds = [c.seconds * 1000 for c in cold if c.lang == lang]
    return {"p50": statistics.median(seconds), "n": len(seconds)} if seconds else {}


def print_summary(console: Console, s: dict[str, object]) -> None:
    table = Table("measure", "value", title="searchclip speed", title_justify="left")
    for name, value in _rows(s):
        table.add_row(name, value)
    console.print(table)
    if s["zero_hit_queries"]:
        console.print(f"zero-hit queries: {', '.join(s['zero_hit_queries'])}", markup=False)  # type: ignore[arg-type]
    if s["cold_failed"]:
        console.print(f"cold runs that failed (exit 2): {s['cold_failed']}", markup=False)


def _rows(s: dict[str, object]) -> list[tuple[str, str]]:
    rows = [
        ("folders", "\n".join(s["folders"])),  # type: ignore[arg-type]
        ("commit", str(s["commit"])),
        ("machine", f"{s['cpus']} CPUs, 1-min load {s['load_avg_1min'][0]:.1f} → {s['load_avg_1min'][1]:.1f}"),
        ("files / posts / failed", f"{s['files']:,} / {s['posts']:,} / {s['failed_files']}"),
        ("raw text", f"{s['raw_bytes']:,} bytes, {s['chars']:,} characters"),
        ("analyzer load (this process)", f"{s['analyzer_load_s']:.2f} s"),
        ("full build (wall)", f"{s['full_build_s']:.2f} s"),
        ("throughput", f"{s['files_per_s']:.1f} files/s, {s['chars_per_s']:,.0f} chars/s"),
        ("index size", f"{s['index_bytes']:,} bytes = {s['index_to_raw']:.2f}x raw"),
        ("no-op re-run", f"{s['noop_rerun_s'] * 1000:.1f} ms ({s['noop_unchanged']} files unchanged)"),
        ("in-process search, all", _ms(s["search_ms"])),  # type: ignore[arg-type]
    ]
    by_lang: dict[str, dict[str, float]] = s["search_ms_by_lang"]  # type: ignore[assignment]
    rows += [(f"in-process search, {lang}", _ms(by_lang[lang])) for lang in LANGS]
    rows.append(("zero-hit queries", f"{s['zero_hit_share']:.0%} of {s['queries']}"))
    cold: dict[str, dict[str, float]] = s["cold_p50_ms_by_lang"]  # type: ignore[assignment]
    for lang in LANGS:
        value = f"p50 {cold[lang]['p50']:.0f} ms (n={cold[lang]['n']:.0f})" if cold[lang] else "-"
        rows.append((f"cold `searchclip search`, {lang}", value))
    return rows


def _ms(p: dict[str, float]) -> str:
    if not p:
        return "-"
    head = f"p50 {p['p50']:.1f} ms, p95 {p['p95']:.1f} ms, p99 {p['p99']:.1f} ms"
    return f"{head}, max {p['max']:.1f} ms (n={p['n']:.0f})"


if __name__ == "__main__":
    sys.exit(main())
