"""The live index: how soon a saved clipping is found while `searchclip serve` runs.

    python benchmarks/live.py FOLDER... [--saves 50] [--burst 500] [--reconcile-seconds 10] [--output out.json]

The folders are copied into a temporary archive, indexed (words only: what is measured is the
watcher, not the model) and served. Then, each measured from the moment a file is written until a
search through the service finds it (polled every 10 ms):

- save → findable: `--saves` single saves, one after another;
- a burst: `--burst` files written at once (a sync tool), each file's latency, and the whole burst's;
- reconcile only: the service with events off (`[serve] events = false`), found by the periodic
  pass alone, which runs every `--reconcile-seconds`;
- one changed file through `searchclip index` with the service running (handed to it) and without;
- the first search with autostart on (no service yet: answered in-process, starts one), then the second.
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

from searchclip.app.client import NoAnswer, request
from searchclip.app.config import service_socket

POLL = 0.01


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", type=Path, nargs="+")
    parser.add_argument("--saves", type=int, default=50)
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--reconcile-seconds", type=float, default=10.0)
    parser.add_argument("--reconcile-saves", type=int, default=10)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="live-") as tmp:
        base = Path(tmp)
        archive = base / "archive"
        for n, folder in enumerate(args.folders):
            shutil.copytree(folder, archive / f"{n}-{folder.name}")
        files = sum(1 for _ in archive.rglob("*.md"))
        print(f"archive: {files:,} clippings from {len(args.folders)} folders", file=sys.stderr)
        env = environment(base, "embed = false\n")
        root = base / "index"
        run(["index", str(archive), "--index", str(root), "--quiet"], env)
        with service(root, env):
            results["saves"] = summary([save_latency(root, archive, f"save{n}") for n in range(args.saves)])
            results["burst"] = burst(root, archive, args.burst)
            results["index_one_file_service"] = index_one_file(root, archive, env, repeats=10)
        results["index_one_file_in_process"] = index_one_file(root, archive, env, repeats=10)
        passes_only = f"embed = false\n[serve]\nevents = false\nreconcile_seconds = {args.reconcile_seconds}\n"
        slow = environment(base, passes_only)
        with service(root, slow):
            reconcile = [save_latency(root, archive, f"pass{n}", deadline=4 * args.reconcile_seconds + 30)
                         for n in range(args.reconcile_saves)]  # fmt: skip
            results["reconcile_only"] = {**summary(reconcile), "reconcile_seconds": args.reconcile_seconds}
        results["autostart"] = autostart(root, base)
    results["clippings"] = files
    print_table(results)
    if args.output:
        args.output.write_text(json.dumps(results, indent=2), encoding="utf-8")


def environment(base: Path, config: str) -> dict[str, str]:
    file = base / f"config-{abs(hash(config))}.toml"
    file.write_text(config, encoding="utf-8")
    env = {**os.environ, "SEARCHCLIP_CONFIG": str(file), "NO_COLOR": "1"}
    env.pop("SEARCHCLIP_AUTOSTART", None)
    return env


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["searchclip", *argv], capture_output=True, text=True, env=env)
    if done.returncode not in (0, 1):
        raise SystemExit(f"searchclip {' '.join(argv)}: {done.stderr.strip()}")
    return done


class service:
    """`searchclip serve` for the benchmark's index, stopped afterwards."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root, self.env = root, env

    def __enter__(self) -> service:
        os.environ["SEARCHCLIP_CONFIG"] = self.env["SEARCHCLIP_CONFIG"]  # service_socket() depends on it
        self.proc = subprocess.Popen(["searchclip", "serve", "--index", str(self.root)], env=self.env)
        deadline = time.monotonic() + 120
        while not service_socket(self.root).exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the service did not start")
            time.sleep(0.05)
        while not status(self.root).get("watching", {}).get("passes"):
            time.sleep(0.05)  # the first reconcile pass, at start, is done
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)


def status(root: Path) -> dict:  # type: ignore[type-arg]
    answer = request(service_socket(root), "GET", "/v1/status")
    return answer if isinstance(answer, dict) else {}


def findable(root: Path, word: str) -> int:
    query = urllib.parse.urlencode({"q": word, "mode": "lexical", "limit": 1000, "posts": "true"})
    try:
        answer = request(service_socket(root), "GET", f"/v1/search?{query}")
    except (OSError, NoAnswer):
        return 0
    return int(answer["total"]) if isinstance(answer, dict) else 0


def clipping(word: str) -> str:
    header = "**새 글** @bench [2026-12-01](https://x.com/bench/status/1)"
    return f"---\ntitle: {word}\n---\n{header}\n\n방금 저장한 {word} 메모\n"


def save_latency(root: Path, archive: Path, word: str, deadline: float = 60.0) -> float:
    path = archive / "saved" / f"{word}.md"
    path.parent.mkdir(exist_ok=True)
    started = time.perf_counter()
    path.write_text(clipping(word), encoding="utf-8")
    while not findable(root, word):
        if time.perf_counter() - started > deadline:
            raise SystemExit(f"{word} was not found within {deadline} s")
        time.sleep(POLL)
    return time.perf_counter() - started


def burst(root: Path, archive: Path, count: int) -> dict[str, object]:
    folder = archive / "burst"
    folder.mkdir()
    written: dict[int, float] = {}
    started = time.perf_counter()
    for n in range(count):
        (folder / f"b{n}.md").write_text(clipping(f"burstword b{n}zz"), encoding="utf-8")
        written[n] = time.perf_counter()
    write_seconds = time.perf_counter() - started
    while findable(root, "burstword") < count:
        if time.perf_counter() - started > 600:
            raise SystemExit("the burst was not found within 600 s")
        time.sleep(POLL)
    done = time.perf_counter()
    # Every file became findable at the latest at `done`; its latency from its own write.
    return {"files": count, "write_seconds": round(write_seconds, 3), "all_found_seconds": round(done - started, 3),
            **summary([done - t for t in written.values()])}  # fmt: skip


def index_one_file(root: Path, archive: Path, env: dict[str, str], repeats: int) -> dict[str, object]:
    target = next(archive.rglob("*.md"))
    times = []
    for n in range(repeats):
        target.write_text(target.read_text(encoding="utf-8") + f"\n추가 {n}\n", encoding="utf-8")
        started = time.perf_counter()
        run(["index", "--index", str(root), "--quiet"], env)
        times.append(time.perf_counter() - started)
    return summary(times)


def autostart(root: Path, base: Path) -> dict[str, object]:
    env = environment(base, "embed = false\n")  # autostart is the default
    os.environ["SEARCHCLIP_CONFIG"] = env["SEARCHCLIP_CONFIG"]
    service_socket(root).unlink(missing_ok=True)
    times = []
    for n in range(3):
        started = time.perf_counter()
        run(["search", "코딩", "--index", str(root)], env)
        times.append(time.perf_counter() - started)
        if n == 0:
            deadline = time.monotonic() + 120
            while not service_socket(root).exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.5)
    pid = status(root) and request(service_socket(root), "GET", "/v1/health")
    if isinstance(pid, dict):
        os.kill(int(pid["pid"]), signal.SIGTERM)
    return {"first_s": round(times[0], 3), "second_s": round(times[1], 3), "third_s": round(times[2], 3)}


def summary(values: list[float]) -> dict[str, object]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"n": len(values), "p50_s": round(statistics.median(ordered), 3), "p99_s": round(p99, 3),
            "max_s": round(ordered[-1], 3)}  # fmt: skip


def print_table(results: dict[str, object]) -> None:
    print(f"live index on {results['clippings']:,} clippings")
    for name in ("saves", "burst", "reconcile_only", "index_one_file_service", "index_one_file_in_process"):
        row = results[name]
        assert isinstance(row, dict)
        extra = {k: v for k, v in row.items() if k not in ("n", "p50_s", "p99_s", "max_s")}
        print(f"  {name:27} n={row['n']:<4} p50 {row['p50_s']:7.3f} s  p99 {row['p99_s']:7.3f} s  {extra or ''}")
    auto = results["autostart"]
    assert isinstance(auto, dict)
    print(f"  autostart: first search {auto['first_s']} s, second {auto['second_s']} s, third {auto['third_s']} s")


if __name__ == "__main__":
    main()
