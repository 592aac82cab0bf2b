"""The service's live index: a watcher that updates the index when clippings change, an embedder
that makes the new posts' vectors, and `searchclip index` commands handed over by the CLI.

Everything that writes goes through `LiveIndex.update`, one at a time in this process, and through
the index's own lock between processes (a `searchclip index` run elsewhere is never a second
writer: the watcher waits for it and looks again). Writing uses analyzers and a model of its own,
so searches never wait for an update's analysis (Sudachi's tokenizer is not shared across
threads) and an update never waits for a search.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from searchclip.app.commands import Session
from searchclip.errors import EmbedBusyError, IndexBusyError, SearchclipError
from searchclip.index.store import known_folders, state_key
from searchclip.ingest.watch import RECONCILE_SECONDS, Watcher

if TYPE_CHECKING:
    from searchclip.analyzers import Analyzer
    from searchclip.embed.model import Embedder
    from searchclip.ingest.update import IndexReport


class LiveIndex:
    """Updates and embeds the index of `current()`'s session in the background while a service runs."""

    def __init__(
        self,
        current: Callable[[], Session],
        *,
        watch: bool = True,
        polling: bool = False,
        events: bool = True,
        reconcile_seconds: float = RECONCILE_SECONDS,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.current = current
        self.root = current().root
        self._lock = threading.Lock()
        self._analyzer: tuple[object, Analyzer] | None = None
        self._embedder: Embedder | None = None
        self._embed_wanted = threading.Event()
        self._stopping = threading.Event()
        self._log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.watcher: Watcher | None = None
        if watch:
            self.watcher = Watcher(
                self.folders, self.refresh, ignored=[self.root], reconcile_seconds=reconcile_seconds,
                polling=polling, events=events,
            )  # fmt: skip
        self._threads: list[threading.Thread] = []
        self._folders: tuple[object, list[Path]] | None = None

    def start(self) -> None:
        if self.watcher is not None:
            self._threads.append(threading.Thread(target=self.watcher.run, name="searchclip-watch", daemon=True))
        self._threads.append(threading.Thread(target=self._embed_loop, name="searchclip-embed", daemon=True))
        for thread in self._threads:
            thread.start()
        if self.watcher is None:
            self._embed_wanted.set()  # posts left without vectors by an earlier run

    def stop(self) -> None:
        self._stopping.set()
        self._embed_wanted.set()
        if self.watcher is not None:
            self.watcher.stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def folders(self) -> list[Path]:
        """The folders the index holds now (those `searchclip index` was last given), read again
        only when the index changed: the watcher asks every second, and a manifest lists every file."""
        key = state_key(self.root)
        if self._folders is None or self._folders[0] != key:
            self._folders = (key, [Path(f) for f in known_folders(self.root)])
        return self._folders[1]

    def update(
        self,
        folders: list[Path] | None = None,
        *,
        full: bool = False,
        wait: bool = False,
        max_file_bytes: int = 0,
        embed: bool = True,
    ) -> IndexReport:
        """One incremental update, as `searchclip index` runs it, with this service's warm analyzers;
        the new posts' vectors follow in the background."""
        from searchclip.ingest.update import MAX_FILE_BYTES, update_index

        with self._lock:
            report = update_index(
                self.root, folders, full=full, wait=wait, max_file_bytes=max_file_bytes or MAX_FILE_BYTES,
                analyzer=self.analyzer(),
            )  # fmt: skip
        if embed and self.current().config.embed:
            self._embed_wanted.set()
        return report

    def refresh(self) -> bool:
        """The watcher's pass: False when another process holds the index's lock (tried again soon)."""
        from searchclip.app.render import printable

        try:
            report = self.update()
        except IndexBusyError:
            return False
        except SearchclipError as exc:
            self._log(printable(f"searchclip: watching: {' '.join(str(exc).split())}"))
            return True
        for file, reason in report.failed:
            self._log(printable(f"searchclip: skipped {file}: {reason}"))
        return True

    def analyzer(self) -> Analyzer:
        """The writer's analyzer, rebuilt when the config's analysis settings change."""
        from searchclip.analyzers import Analyzer

        settings = self.current().analyzer.settings
        if self._analyzer is None or self._analyzer[0] != settings:
            self._analyzer = (settings, Analyzer(settings))
        return self._analyzer[1]

    def _embed_loop(self) -> None:
        from searchclip.embed.model import default_embedder
        from searchclip.ingest.embedding import embed_index

        while True:
            self._embed_wanted.wait()
            if self._stopping.is_set():
                return
            self._embed_wanted.clear()
            if not self.current().config.embed:
                continue
            try:
                self._embedder = self._embedder or default_embedder()
                embed_index(self.root, self._embedder)
            except EmbedBusyError:
                pass  # another process embeds: it takes these posts along
            except Exception as exc:  # the model or the store failed: said, and tried after the next update
                self._log(f"searchclip: embedding: {' '.join(str(exc).split()) or type(exc).__name__}")
