"""Where the index lives on disk: generations behind a `current` link, the manifest and the lock.

    <root>/current -> gen-000002     the generation searches open
    <root>/gen-000002/               a Tantivy index plus manifest.json
    <root>/lock                      held by the one rebuild allowed at a time

A full rebuild writes a new generation and swaps the link atomically, so searches see the old
index or the new one, never a half; incremental rebuilds commit into the current generation,
which Tantivy makes atomic too.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from searchclip.errors import IndexBusyError

MANIFEST = "manifest.json"


@dataclass(slots=True)
class FileState:
    size: int
    mtime_ns: int
    digest: str
    posts: int


@dataclass(slots=True)
class Manifest:
    """What the current generation holds: its format version and every indexed file's state."""

    version: str
    folders: list[str] = field(default_factory=list)
    files: dict[str, FileState] = field(default_factory=dict)


def current_generation(root: Path) -> Path | None:
    link = root / "current"
    if not link.is_symlink() and not link.is_dir():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def state_key(root: Path) -> tuple[str, int, int] | None:
    """Changes whenever a rebuild publishes a generation or commits into the current one."""
    gen = current_generation(root)
    if gen is None:
        return None
    try:
        stat = (gen / MANIFEST).stat()  # each write replaces the file: a new inode every time
        return str(gen), stat.st_ino, stat.st_mtime_ns
    except OSError:
        return str(gen), 0, 0


def new_generation(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name[4:]) for p in root.glob("gen-*") if p.name[4:].isdigit()]
    gen = root / f"gen-{max(numbers, default=0) + 1:06d}"
    gen.mkdir()
    return gen


def publish(root: Path, gen: Path) -> None:
    """Point `current` at `gen` in one atomic rename, then remove the generations before it."""
    tmp = root / "current.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(gen.name)
    os.replace(tmp, root / "current")
    _fsync_folder(root)  # the switch is on disk before the old generation goes
    for old in root.glob("gen-*"):
        if old.resolve() != gen.resolve() and old.is_dir():
            # Searches that opened the old generation keep their open files on POSIX systems.
            shutil.rmtree(old, ignore_errors=True)


def discard_unpublished(root: Path) -> None:
    """Remove generations a killed rebuild left behind (never the current one)."""
    current = current_generation(root)
    for gen in root.glob("gen-*"):
        # Compare resolved paths: `root` may be relative or pass through a symlink.
        if gen.resolve() != current and gen.is_dir():
            shutil.rmtree(gen, ignore_errors=True)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_manifest(gen: Path) -> Manifest | None:
    try:
        raw = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
        files = {k: FileState(**v) for k, v in raw["files"].items()}
        return Manifest(raw["version"], list(raw.get("folders", [])), files)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_manifest(gen: Path, manifest: Manifest) -> None:
    """Write atomically: a crash leaves the old manifest or the new one."""
    tmp = gen / (MANIFEST + ".tmp")
    files = {k: asdict(v) for k, v in manifest.files.items()}
    data = {"version": manifest.version, "folders": manifest.folders, "files": files}
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, gen / MANIFEST)


@contextlib.contextmanager
def rebuild_lock(root: Path, wait: bool = False) -> Iterator[None]:
    """Hold the rebuild lock; IndexBusyError if another rebuild has it and `wait` is false."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / "lock").open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexBusyError(
                f"another 'searchclip index' is rebuilding {root}; try again later or pass --wait"
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
