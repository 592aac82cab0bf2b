"""Read, parse and analyze changed clippings, on every core for large jobs.

Each worker process builds its own `Analyzer` from the parent's settings once, in its initializer,
and keeps it (Kiwi and Sudachi load on first use). Results come back in
order with a bounded number of files in flight, so memory stays flat however large the archive.
Small jobs run in-process: starting workers and loading Kiwi in each costs seconds.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from searchclip.analyzers import AnalysisSettings, Analyzer
from searchclip.errors import ClippingError
from searchclip.index.documents import PostDocument
from searchclip.index.store import FileState, Manifest
from searchclip.ingest.clippings import Clipping, clipping_path, parse_clipping
from searchclip.ingest.documents import make_documents, searchable_chars
from searchclip.ingest.scan import SourceFile
from searchclip.ingest.textfile import decode_text, read_bytes

# Below this many files to analyze, worker start-up (≈2 s each with Kiwi) costs more than it saves.
PARALLEL_MIN_FILES = 24
# Files go to the workers a few at a time: each task costs the main process a pickled call, a future
# and wake-ups of its threads, CPU that the workers' analysis would otherwise have.
FILES_PER_TASK = 4
IN_FLIGHT_PER_WORKER = 2  # tasks queued per worker, so that none waits for the main process


@dataclass(frozen=True, slots=True)
class FileResult:
    key: str
    state: FileState | None = None
    docs: tuple[PostDocument, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str = ""
    analyzed: bool = False  # False: the bytes were unchanged, only the stat was updated


def analyze_file(source: SourceFile, old_digest: str | None, max_file_bytes: int, analyzer: Analyzer) -> FileResult:
    """One file → its documents, or the one-line reason it cannot be indexed. Never raises."""
    try:
        stat = source.path.stat()
        data = read_bytes(source.path, max_file_bytes)
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        if digest == old_digest:
            return FileResult(source.key, FileState(stat.st_size, stat.st_mtime_ns, digest, -1, source.rel))
        rel = source.rel or clipping_path(source.path, source.root, source.prefix)
        text, encoding = decode_text(data, source.key)
        clipping = parse_clipping(text, rel)
        docs = tuple(make_documents(clipping, source.key, analyzer))
    except ClippingError as exc:
        return FileResult(source.key, error=exc.reason)
    except OSError as exc:
        return FileResult(source.key, error=exc.strerror or str(exc))
    except RecursionError:
        return FileResult(source.key, error="nested too deeply to parse")
    except Exception as exc:
        return FileResult(source.key, error=f"internal error while analyzing it ({type(exc).__name__}: {exc})")
    state = FileState(stat.st_size, stat.st_mtime_ns, digest, len(docs), rel)
    return FileResult(source.key, state, docs, _warnings(clipping, encoding, data, docs), analyzed=True)


def _warnings(clipping: Clipping, encoding: str, data: bytes, docs: tuple[PostDocument, ...]) -> tuple[str, ...]:
    notes = list(clipping.warnings)
    searchable, total = searchable_chars(clipping)
    if searchable < total:
        notes.append(f"only the first {searchable:,} of its {total:,} characters are searchable")
    if encoding not in ("utf_8", "utf_16", "utf_32"):
        notes.append(f"not UTF-8: read as {encoding}")
    if not docs:
        notes.append("empty file: nothing to index" if not data.strip() else "no text to index")
    return tuple(notes)


def analyze_files(
    todo: Sequence[SourceFile], base: Manifest, max_file_bytes: int, analyzer: Analyzer
) -> Iterator[FileResult]:
    """Results for every file of `todo`, in order; the workers analyze with `analyzer`'s settings."""
    workers = worker_count()
    if workers < 2 or len(todo) < PARALLEL_MIN_FILES:
        for source in todo:
            yield _carry_posts(analyze_file(source, _digest(base, source), max_file_bytes, analyzer), base)
        return
    # forkserver: never fork a process that already runs Tantivy's writer threads.
    context = multiprocessing.get_context("forkserver")
    initargs = (analyzer.settings, os.getpid())
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=initargs) as pool:
        pending: deque[Future[list[FileResult]]] = deque()
        for start in range(0, len(todo), FILES_PER_TASK):
            task = [(source, _digest(base, source)) for source in todo[start : start + FILES_PER_TASK]]
            pending.append(pool.submit(_analyze_task, task, max_file_bytes))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                yield from (_carry_posts(result, base) for result in pending.popleft().result())
        while pending:
            yield from (_carry_posts(result, base) for result in pending.popleft().result())


# The worker process's analyzer, built once by `_start_worker`: tasks cannot carry it (Kiwi does not pickle).
_worker_analyzer: Analyzer | None = None


def _analyze_task(task: list[tuple[SourceFile, str | None]], max_file_bytes: int) -> list[FileResult]:
    assert _worker_analyzer is not None, "the worker's initializer did not run"
    return [analyze_file(source, digest, max_file_bytes, _worker_analyzer) for source, digest in task]


def _start_worker(settings: AnalysisSettings, parent: int) -> None:
    global _worker_analyzer
    _worker_analyzer = Analyzer(settings)
    # A rebuild killed with SIGKILL cannot stop its workers, and forkserver workers are not its
    # children: each watches the rebuild and leaves when it is gone, instead of idling forever.
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    while True:
        time.sleep(1.0)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            pass  # alive, only not ours to signal


def worker_count() -> int:
    configured = os.environ.get("SEARCHCLIP_WORKERS")
    if configured and configured.isdigit():
        return max(1, int(configured))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _digest(base: Manifest, source: SourceFile) -> str | None:
    """The digest the file had, when its posts are indexed under the id it has now (else analyze it)."""
    old = base.files.get(source.key)
    return old.digest if old and old.path == source.rel else None


def _carry_posts(result: FileResult, base: Manifest) -> FileResult:
    """An unchanged file keeps the post count the manifest had for it."""
    if result.state is not None and result.state.posts == -1:
        old = base.files[result.key]
        state = FileState(result.state.size, result.state.mtime_ns, result.state.digest, old.posts, old.path)
        return FileResult(result.key, state)
    return result
