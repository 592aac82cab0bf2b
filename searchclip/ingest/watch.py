"""Folder events → incremental updates: what keeps a running service's index as fresh as the files.

The events only say *when* to look; what changed is decided as `searchclip index` decides it (size,
modification time, then content hash), so a lost, duplicated or reordered event costs nothing but
a look. Bursts (a sync tool writing 500 files) are gathered until the folders are quiet for
QUIET_MS. A pass also runs every `reconcile_seconds` without any event: inotify queues overflow,
laptops sleep, and network folders send no events at all (`polling` watches those by polling).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

QUIET_MS = 300  # a burst is over when nothing changed for this long
MAX_GATHER_MS = 2_000  # ... or when it has lasted this long (a file written without end)
TICK_MS = 1_000  # how often the loop wakes without events, to reconcile or retry
RECONCILE_SECONDS = 300.0
RETRY_SECONDS = 2.0  # after a pass that could not run (another rebuild held the lock)
# Sync tools' and editors' temporary files: never clippings, often thousands per sync.
TEMPORARY_SUFFIXES = (".tmp", ".temp", ".part", ".crdownload", ".download", ".swp", ".swx", "~", ".icloud")
TEMPORARY_PREFIXES = (".", "~$", ".#", ".~lock.")


@dataclass
class WatchStats:
    """What the watcher did, for the service's status."""

    passes: int = 0
    events: int = 0
    last_pass: float | None = None  # time.time() of the last finished pass
    last_error: str = ""
    busy_skips: int = 0
    folders: list[str] = field(default_factory=list)


def relevant(path: str, deleted: bool, folders: Sequence[Path], ignored: Iterable[Path] = ()) -> bool:
    """Whether a change at `path` can change the index of `folders`: a Markdown file, or (when
    deleted) what may have been a folder of them; never inside hidden folders below a watched one
    (`.obsidian`, `.trash`, `.git`, as indexing skips them), a sync tool's temporary file, or the
    index itself."""
    p = Path(path)
    inside = next((p.relative_to(f) for f in folders if p == f or f in p.parents), None)
    if inside is None or any(part.startswith(".") for part in inside.parts):
        return False
    name = p.name
    if name.startswith(TEMPORARY_PREFIXES) or name.lower().endswith(TEMPORARY_SUFFIXES):
        return False
    if any(p == root or root in p.parents for root in ignored):
        return False
    if name.lower().endswith(".md"):
        return True
    # A folder removed or moved away takes its clippings along; its path has no suffix left to
    # tell, so any deleted path without one counts (a file of the index has a suffix).
    return (deleted and not p.suffix) or p.is_dir()


class Watcher:
    """Runs `update` after changes under `folders` (and every `reconcile_seconds`) until stopped.

    `update` returns False when it could not run (another process held the index's lock); it is
    then retried soon. `folders_now` is asked after each pass: when the indexed folders change
    (`searchclip index OTHER`), the watch moves to them.
    """

    def __init__(
        self,
        folders_now: Callable[[], list[Path]],
        update: Callable[[], bool],
        *,
        ignored: Iterable[Path] = (),
        reconcile_seconds: float = RECONCILE_SECONDS,
        polling: bool = False,
        events: bool = True,
    ) -> None:
        self.folders_now = folders_now
        self.update = update
        self.ignored = tuple(ignored)
        self.reconcile_seconds = reconcile_seconds
        self.polling = polling
        self.events = events  # False: reconcile passes only (where no event can be trusted)
        self.stats = WatchStats()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self._run_once()
            except Exception as exc:  # a folder gone mid-watch, a notify error: said, then watched again
                self.stats.last_error = " ".join(str(exc).split()) or type(exc).__name__
                self.stop.wait(TICK_MS / 1000)

    def _run_once(self) -> None:
        folders = [f for f in self.folders_now() if f.is_dir()]
        self.stats.folders = [str(f) for f in folders]
        if not folders or not self.events:
            self.stop.wait(TICK_MS / 1000)  # nothing indexed yet, or no events: look again later
            if folders:
                self._pass_if_due(pending=False)
            return
        self._watch(folders)

    def _watch(self, folders: list[Path]) -> None:
        from watchfiles import Change, watch

        pending = False
        for changes in watch(
            *folders,
            watch_filter=lambda change, path: relevant(path, change == Change.deleted, folders, self.ignored),
            step=QUIET_MS,
            debounce=MAX_GATHER_MS,
            rust_timeout=TICK_MS,
            yield_on_timeout=True,
            stop_event=self.stop,
            force_polling=self.polling or None,
            raise_interrupt=False,
            ignore_permission_denied=True,
        ):
            self.stats.events += len(changes)
            pending = self._pass_if_due(pending or bool(changes))
            if [str(f) for f in self.folders_now() if f.is_dir()] != self.stats.folders:
                return  # other folders are indexed now: watch those

    def _pass_if_due(self, pending: bool) -> bool:
        """Run a pass if changes wait or a reconcile is due (the first one at start: what changed
        while no service ran); whether changes still wait after it."""
        now, last = time.time(), self.stats.last_pass
        reconcile = last is None or now - last >= self.reconcile_seconds
        if self.stop.is_set() or not (pending or reconcile):
            return pending
        if self.stats.busy_skips and last is not None and now - last < RETRY_SECONDS:
            return True  # the index was busy a moment ago: wait a little before asking again
        try:
            done = self.update()
        except Exception as exc:  # one bad pass must not end the watch: said, and tried again later
            self.stats.last_error = " ".join(str(exc).split()) or type(exc).__name__
            done = True
        self.stats.last_pass = time.time()
        if not done:
            self.stats.busy_skips += 1
            return True
        self.stats.passes += 1
        self.stats.busy_skips = 0
        return False
