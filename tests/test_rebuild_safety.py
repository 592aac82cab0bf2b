"""A rebuild never shows a half index: searches during rebuilds, a second rebuild, SIGKILL mid-way."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import reader, run_search, update_index

from searchclip.search.query import Filters

pytestmark = pytest.mark.slow  # processes, services and timeouts

FIXTURES = Path(__file__).parent / "fixtures" / "clippings"
HANA = "threads/Thread by @hana_dev.md#1"


def make_archive(folder: Path, copies: int) -> None:
    """The fixture clippings, `copies` times over, so that a rebuild takes a while."""
    for i in range(copies):
        shutil.copytree(FIXTURES, folder / f"batch{i:03d}")


def ids(root: Path, query: str) -> list[str]:
    return [h.id for h in run_search(root, query, True, Filters(), 500)[1].hits]


def test_searches_during_full_rebuilds_see_old_or_new_never_half(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    make_archive(folder, 5)
    root = tmp_path / "index"
    update_index(root, [folder])
    assert len(ids(root, "공짜")) == 5
    seen: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def search_forever() -> None:
        while not stop.is_set():
            try:
                seen.append(len(ids(root, "공짜")))
            except BaseException as exc:
                errors.append(exc)

    searcher = threading.Thread(target=search_forever)
    searcher.start()
    try:
        for _ in range(2):
            update_index(root, full=True)
    finally:
        stop.set()
        searcher.join()
    assert errors == []
    assert len(seen) > 10
    assert set(seen) == {5}


def test_rebuild_killed_at_any_point_leaves_a_working_index(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    make_archive(folder, 8)
    root = tmp_path / "index"
    update_index(root, [folder])
    env = {**os.environ, "SEARCHCLIP_WORKERS": "1"}
    command = [sys.executable, "-m", "searchclip", "index", "--full", "--quiet", "--index", str(root)]
    for delay in (0.3, 1.0, 2.0, 3.5):
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert len(ids(root, "공짜")) == 8, f"index broken after a kill at {delay} s"
    report = update_index(root)
    assert not report.failed
    assert len(ids(root, "공짜")) == 8
    assert len(list(root.glob("gen-*"))) == 1  # what the killed runs left behind is gone


def test_killed_first_build_is_finished_by_the_next_run(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    make_archive(folder, 8)
    root = tmp_path / "index"
    env = {**os.environ, "SEARCHCLIP_WORKERS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "searchclip", "index", str(folder), "--index", str(root)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Killed once it has begun writing its generation, whatever the machine's speed: analysis, which
    # loads Kiwi first, is still ahead of it then.
    deadline = time.monotonic() + 30
    while not list(root.glob("gen-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with pytest.raises(Exception, match="searchclip index"):
        reader(root)
    update_index(root, [folder])
    assert len(ids(root, "공짜")) == 8


def _pool_processes() -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and b"multiprocessing.forkserver" in (entry / "cmdline").read_bytes():
                found.add(int(entry.name))
        except OSError:
            continue
    return found


def test_killed_rebuild_leaves_no_worker_behind(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    make_archive(folder, 10)  # 40 files: enough for the process pool
    before = _pool_processes()
    env = {**os.environ, "SEARCHCLIP_WORKERS": "2"}
    command = [sys.executable, "-m", "searchclip", "index", str(folder), "--index", str(tmp_path / "i"), "-q"]
    proc = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while len(_pool_processes() - before) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(_pool_processes() - before) >= 2, "the rebuild never started its workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 15
    while _pool_processes() - before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _pool_processes() - before == set()
