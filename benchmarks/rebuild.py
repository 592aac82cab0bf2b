"""Measure the nightly rebuild on a clipping archive (make one with benchmarks/synth_archive.py).

The limit is the analyzers' own throughput: the same analysis that indexing runs (compound parts,
bigrams, initials, readings) on the same texts (each clipping's title, its posts' prose and authors,
already parsed), in as many processes.

    python benchmarks/rebuild.py ARCHIVE [--sample 20] [--output rebuild.json]

In one run on this machine: the analyzers' own throughput on a sample of the archive's text (the
limit: same analysis, same number of processes, nothing else; measured before and after the
rebuilds, their mean used), a full rebuild through the real
`searchclip index`, a no-op rebuild, rebuilds after changing 1 and 100 files, peak memory
(largest process, and the whole process tree sampled from /proc) and the index size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rich.console import Console
from rich.table import Table

from searchclip.analyzers import Analyzer
from searchclip.ingest.clippings import parse_clipping
from searchclip.ingest.documents import analysis_inputs
from searchclip.ingest.workers import worker_count

PAGE = os.sysconf("SC_PAGE_SIZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--sample", type=int, default=20, help="analyze every Nth file for the limit")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    files = sorted(args.archive.rglob("*.md"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    results: dict[str, float | int | str] = {
        "files": len(files),
        "chars": sum(map(len, texts)),
        "bytes": sum(f.stat().st_size for f in files),
        "workers": worker_count(),
    }
    # The limit is measured before and after the full rebuild, and their mean used: a burst of load
    # during a single few-second measurement would otherwise move the ratio a lot. Both are reported.
    sample = limit_inputs(texts[:: args.sample], files[:: args.sample], args.archive)
    before = analysis_limit(sample, sum(map(len, texts[:: args.sample])))
    with tempfile.TemporaryDirectory() as tmp:
        results.update(rebuilds(args.archive, files, Path(tmp) / "index", results))
    after = analysis_limit(sample, sum(map(len, texts[:: args.sample])))
    results.update(
        limit_sample_chars=sum(map(len, texts[:: args.sample])),
        limit_before_chars_per_s=before,
        limit_after_chars_per_s=after,
        limit_chars_per_s=(before + after) / 2,
    )
    results["ratio_to_limit"] = results["full_chars_per_s"] / results["limit_chars_per_s"]
    report(results)
    if args.output:
        args.output.write_text(json.dumps(results, indent=2), encoding="utf-8")


def limit_inputs(texts: list[str], files: list[Path], root: Path) -> list[list[str]]:
    """Exactly the batch indexing analyzes for each clipping: its title, its posts' prose as the
    clipping's parse blanked it, and its posts' authors."""
    return [
        analysis_inputs(parse_clipping(text, file.relative_to(root).as_posix()))
        for text, file in zip(texts, files, strict=True)
    ]


def analysis_limit(inputs: list[list[str]], chars: int) -> float:
    """Characters per second of the analyzers alone, over the sample, on every core."""
    with ProcessPoolExecutor(worker_count(), initializer=_warm_up) as pool:
        list(pool.map(_noop, range(worker_count() * 2)))  # every worker started and warm
        started = time.perf_counter()
        list(pool.map(_analyze, inputs, chunksize=8))
        seconds = time.perf_counter() - started
    return chars / seconds


_ANALYZER: Analyzer | None = None  # each worker's, built by _warm_up


def _warm_up() -> None:
    global _ANALYZER
    _ANALYZER = Analyzer()
    _ANALYZER.analyze("코딩을 배웠다 裏切られた models")


def _noop(_: int) -> None:
    time.sleep(0.2)


def _analyze(texts: list[str]) -> int:
    """Exactly the analysis indexing runs on a clipping: compound parts, bigrams, initials, readings."""
    assert _ANALYZER is not None
    results = _ANALYZER.analyze_for_index(texts)
    return sum(len(r.tokens) + len(r.bigrams) + len(r.initials) + len(r.readings) for r in results)


def rebuilds(archive: Path, files: list[Path], index: Path, facts: dict) -> dict[str, float | int]:  # type: ignore[type-arg]
    out: dict[str, float | int] = {}
    out["full_seconds"], out["full_tree_peak_rss_mb"] = run_index([str(archive), "--full"], index)
    out["full_largest_process_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out["full_chars_per_s"] = facts["chars"] / out["full_seconds"]
    out["noop_seconds"], _ = run_index([], index)
    for count in (1, 100):
        for file in files[:: max(1, len(files) // count)][:count]:
            with file.open("a", encoding="utf-8") as fh:
                fh.write(f"\nedited {time.time()}\n")
        out[f"changed_{count}_seconds"], _ = run_index([], index)
    gen = (index / "current").resolve()
    out["index_bytes"] = sum(p.stat().st_size for p in gen.rglob("*") if p.is_file())
    out["index_to_raw"] = out["index_bytes"] / facts["bytes"]
    shutil.rmtree(index, ignore_errors=True)
    return out


def run_index(args: list[str], index: Path) -> tuple[float, float]:
    """Wall time of one `searchclip index` and the peak RSS (MB) of its whole process tree."""
    command = [sys.executable, "-m", "searchclip", "index", *args, "--quiet", "--no-embed", "--index", str(index)]
    started = time.perf_counter()
    proc = subprocess.Popen(command)
    peak = [0]
    sampler = threading.Thread(target=_sample_tree, args=(proc, peak), daemon=True)
    sampler.start()
    code = proc.wait()
    seconds = time.perf_counter() - started
    sampler.join()
    if code not in (0, 2):
        raise SystemExit(f"searchclip index {' '.join(args)} failed with exit code {code}")
    return seconds, peak[0] * PAGE / 1e6


def _sample_tree(proc: subprocess.Popen, peak: list[int]) -> None:  # type: ignore[type-arg]
    while proc.poll() is None:
        peak[0] = max(peak[0], _tree_pages(proc.pid))
        time.sleep(0.2)


def _tree_pages(root: int) -> int:
    parents: dict[int, int] = {}
    pages: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(stat[1])
                pages[int(entry.name)] = int((entry / "statm").read_text().split()[1])
            except (OSError, IndexError, ValueError):
                continue
    total = 0
    for pid in pages:
        node = pid
        while node in parents and node != root and node > 1:
            node = parents[node]
        if node == root:
            total += pages[pid]
    return total


def report(results: dict) -> None:  # type: ignore[type-arg]
    table = Table("measure", "value", title="searchclip nightly rebuild")
    rows = [
        ("clippings / characters / bytes", f"{results['files']:,} / {results['chars']:,} / {results['bytes']:,}"),
        ("worker processes", f"{results['workers']}"),
        (
            "analyzers alone (limit), chars/s: before / after / mean",
            f"{results['limit_before_chars_per_s']:,.0f} / {results['limit_after_chars_per_s']:,.0f}"
            f" / {results['limit_chars_per_s']:,.0f}",
        ),
        ("full rebuild, s", f"{results['full_seconds']:.1f}"),
        ("full rebuild, chars/s", f"{results['full_chars_per_s']:,.0f}"),
        ("full rebuild / limit", f"{results['ratio_to_limit']:.2f}"),
        ("no-op rebuild, s", f"{results['noop_seconds']:.2f}"),
        ("1 changed file, s", f"{results['changed_1_seconds']:.2f}"),
        ("100 changed files, s", f"{results['changed_100_seconds']:.2f}"),
        ("peak RSS, process tree, MB", f"{results['full_tree_peak_rss_mb']:,.0f}"),
        ("peak RSS, largest process, MB", f"{results['full_largest_process_rss_mb']:,.0f}"),
        ("index size / raw text", f"{results['index_bytes']:,} B / {results['index_to_raw']:.2f}"),
    ]
    for row in rows:
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    main()
