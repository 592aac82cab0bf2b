"""Kill `searchclip index` with SIGKILL at random points, search all the while, and check the index.

    python benchmarks/crash_trials.py ARCHIVE [--trials 24] [--seed 1]

Half the trials kill a full rebuild, half an incremental one (after editing files). After each kill
the index must open and answer, hold every post exactly once (no loss, no duplicate), and the next
run must finish the job. A thread searches the index without pause the whole time; any error or
wrong count there is a failure too.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from searchclip.analyzers import Analyzer
from searchclip.index.reader import IndexReader
from searchclip.ingest.update import update_index
from searchclip.search.searcher import Searcher, SearchRequest

ANALYZER = Analyzer()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--trials", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "archive"
        shutil.copytree(args.archive, folder)
        root = Path(tmp) / "index"
        full_seconds = timed_rebuild(root, ["--full"], [str(folder)])
        posts = IndexReader(root).num_posts
        files = sorted(folder.rglob("*.md"))
        edit(files, rng, "timing")
        incremental_seconds = timed_rebuild(root, [], [])
        failures: list[str] = []
        searches = Searches(root, posts, failures)
        searches.start()
        for trial in range(args.trials):
            full = trial % 2 == 0
            if not full:
                edit(files, rng, f"marker{trial}")
            # Kill somewhere inside the run: its measured length, start-up included.
            delay = rng.uniform(0.2, 0.95 * (full_seconds if full else incremental_seconds))
            killed = kill_rebuild(root, full, delay)
            check(root, posts, failures, f"trial {trial} ({'full' if full else 'incremental'}, {delay:.1f} s)")
            print(
                f"trial {trial:2d}: {'full' if full else 'incr'} killed at {delay:5.1f} s"
                f"{'' if killed else ' (had finished)'}; index ok"
            )
        report = update_index(root, analyzer=ANALYZER)
        check(root, posts, failures, "final rebuild")
        searches.stop()
    print(
        f"\n{args.trials} kill trials, {searches.count} searches during rebuilds, "
        f"final rebuild {report.added} added / {report.updated} updated / {len(report.failed)} failed; "
        f"failures: {len(failures)}"
    )
    for failure in failures:
        print("  FAILURE:", failure)
    sys.exit(1 if failures else 0)


def edit(files: list[Path], rng: random.Random, marker: str) -> None:
    for file in rng.sample(files, 20):
        with file.open("a", encoding="utf-8") as fh:
            fh.write(f"\n추가된 문장 {marker}\n")


def timed_rebuild(root: Path, options: list[str], folders: list[str]) -> float:
    """Wall time of a whole `searchclip index` run, as the trials will start it."""
    command = [sys.executable, "-m", "searchclip", "index", *folders, *options, "--quiet", "--no-embed"]
    command += ["--index", str(root)]
    started = time.perf_counter()
    subprocess.run(command, env={**os.environ, "SEARCHCLIP_WORKERS": "2"}, check=True)
    return time.perf_counter() - started


def kill_rebuild(root: Path, full: bool, delay: float) -> bool:
    command = [sys.executable, "-m", "searchclip", "index", "--quiet", "--no-embed", "--index", str(root)]
    proc = subprocess.Popen([*command, *(["--full"] if full else [])], env={**os.environ, "SEARCHCLIP_WORKERS": "2"})
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def check(root: Path, posts: int, failures: list[str], when: str) -> None:
    try:
        reader = IndexReader(root)
        if reader.num_posts != posts:
            failures.append(f"{when}: {reader.num_posts} posts in the index, expected {posts}")
        Searcher(root, ANALYZER).search(SearchRequest("코딩", limit=5))
    except Exception as exc:
        failures.append(f"{when}: {type(exc).__name__}: {exc}")


class Searches(threading.Thread):
    """Searches without pause; each must open the index and see every post exactly once."""

    def __init__(self, root: Path, posts: int, failures: list[str]) -> None:
        super().__init__(daemon=True)
        self.root, self.posts, self.failures = root, posts, failures
        self.count = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            check(self.root, self.posts, self.failures, f"search {self.count}")
            self.count += 1
            time.sleep(0.05)

    def stop(self) -> None:
        self._halt.set()
        self.join()


if __name__ == "__main__":
    main()
