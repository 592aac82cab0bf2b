"""Wall time of `searchclip search` cold and with the warm service, beside grep and ripgrep.

    python benchmarks/search_latency.py FOLDER... [--queries benchmarks/speed_queries.txt] [--output out.json]
        [--index EXISTING_INDEX] [--modes hybrid lexical]

Indexes (and embeds) the folders into a temporary index, or uses --index as it is, then times every
query (one per line of --queries, Korean, Japanese and English) as whole commands, once per search
mode (`hybrid`, the default when the index has vectors; `lexical`: `--lexical`; `semantic`):
without the service (`--no-service`), with `searchclip serve` running, and `grep -r -F` / `rg -F`
for the same words over the same folders. Inside the service, the time of each search (analysis,
query vector, search and highlighting) is read from the JSON API's `took_ms`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from searchclip.analyzers import detect_language
from searchclip.app.client import request
from searchclip.app.config import service_socket

HERE = Path(__file__).parent
MODES = {"hybrid": [], "lexical": ["--lexical"], "semantic": ["--semantic"]}
ENV = {**os.environ, "NO_COLOR": "1"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", type=Path, nargs="+")
    parser.add_argument("--queries", type=Path, default=HERE / "speed_queries.txt")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--index", type=Path, help="an index of the folders, already built (and embedded)")
    parser.add_argument("--modes", nargs="+", default=["hybrid", "lexical"], choices=sorted(MODES))
    args = parser.parse_args()
    queries = [q.strip() for q in args.queries.read_text(encoding="utf-8").splitlines() if q.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        root = args.index or Path(tmp) / "index"
        if args.index is None:
            command = [*searchclip(), "index", *map(str, args.folders), "--index", str(root), "-q"]
            subprocess.run(command, check=True)
        rows: dict[str, list[tuple[str, float]]] = {}
        for mode in args.modes:
            rows[f"cold {mode}"] = [
                (q, timed([*searchclip(), "search", q, *MODES[mode], "--index", str(root), "--no-service"]))
                for q in queries
            ]
        service = start_service(root)
        try:
            for mode in args.modes:
                rows[f"warm {mode}"] = [
                    (q, timed([*searchclip(), "search", q, *MODES[mode], "--index", str(root)])) for q in queries
                ]
                rows[f"in-service {mode}"] = [(q, in_service(root, q, mode)) for q in queries]
        finally:
            service.send_signal(signal.SIGTERM)
            service.wait()
        rows["grep -r -F"] = []
        if shutil.which("rg"):
            rows["rg -F"] = []
        for query in queries:
            patterns = [arg for word in query.split() for arg in ("-e", word)]
            rows["grep -r -F"].append(
                (query, timed(["grep", "-r", "-F", "-i", "-l", *patterns, *map(str, args.folders)]))
            )
            if "rg -F" in rows:
                rows["rg -F"].append((query, timed(["rg", "-F", "-i", "-l", *patterns, *map(str, args.folders)])))
    summary = summarize(rows)
    show(summary, len(queries))
    if args.output:
        args.output.write_text(json.dumps({"summary": summary, "runs": rows}, ensure_ascii=False, indent=2))


def in_service(root: Path, query: str, mode: str) -> float:
    api_mode = "auto" if mode == "hybrid" else mode
    answer = request(service_socket(root), "GET", f"/v1/search?q={urllib.parse.quote(query)}&mode={api_mode}")
    return answer["took_ms"] / 1000  # type: ignore[index,no-any-return]


def searchclip() -> list[str]:
    return [sys.executable, "-m", "searchclip"]


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, check=False)
    return time.perf_counter() - started


def start_service(root: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([*searchclip(), "serve", "--index", str(root)], env=ENV, stderr=subprocess.DEVNULL)
    while not service_socket(root).exists():
        if proc.poll() is not None:
            raise SystemExit("searchclip serve did not start")
        time.sleep(0.1)
    return proc


def summarize(rows: dict[str, list[tuple[str, float]]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for mode, runs in rows.items():
        for lang in ("all", "ko", "ja", "en"):
            times = [t for q, t in runs if lang == "all" or detect_language(q) == lang]
            if times:
                out[f"{mode} {lang}"] = {"p50_ms": percentile(times, 50) * 1000, "p99_ms": percentile(times, 99) * 1000}
    return out


def percentile(values: list[float], p: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def show(summary: dict[str, dict[str, float]], count: int) -> None:
    table = Table("mode", "p50 ms", "p99 ms", title=f"searchclip search latency, {count} queries, whole commands")
    for name, values in summary.items():
        table.add_row(name, f"{values['p50_ms']:.1f}", f"{values['p99_ms']:.1f}")
    Console().print(table)


if __name__ == "__main__":
    main()
