"""Rich progress bars for indexing and embedding, shown only on a terminal."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from searchclip.ingest.embedding import Progress as EmbedCallback
from searchclip.ingest.update import Progress as ProgressCallback


@contextlib.contextmanager
def index_progress(console: Console, enabled: bool) -> Iterator[ProgressCallback | None]:
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} files/s"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("index", total=None, rate="-")

        def update(done: int, total: int, _path: str) -> None:
            elapsed = bar.tasks[0].elapsed or 0.0
            rate = f"{done / elapsed:.0f}" if elapsed > 0 else "-"
            bar.update(task, completed=done, total=total, rate=rate)

        yield update


@contextlib.contextmanager
def embed_progress(console: Console, enabled: bool) -> Iterator[EmbedCallback | None]:
    """Posts done of those to embed, the model's speed in passages a second, and the time left."""
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("embedding"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("posts · {task.fields[rate]} passages/s"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("embed", total=None, rate="-")

        def update(done: int, total: int, passages: int) -> None:
            elapsed = bar.tasks[0].elapsed or 0.0
            rate = f"{passages / elapsed:.1f}" if elapsed > 0 else "-"
            bar.update(task, completed=done, total=total, rate=rate)

        yield update
