"""Where the index lives on disk: generations behind a `current` link, the manifest and the lock.

    <root>/searchclip-index          says the folder is searchclip's (nothing else is ever deleted),
                                     and which folders it indexes (to repair a lost manifest)
    <root>/current -> gen-000002     the generation searches open
    <root>/gen-000002/               a Tantivy index plus manifest.json
    <root>/lock                      held by the one rebuild allowed at a time
    <root>/vectors.sqlite            passage vectors, kept across generations (vectors.py)
    <root>/embed.lock                held by the one embedding allowed at a time

A full rebuild writes a new generation and swaps the link atomically, so searches see the old
index or the new one, never a half; incremental rebuilds commit into the current generation,
which Tantivy makes atomic too. Only folders named `gen-NNNNNN` in a folder marked as an index are
ever removed, and none while no working generation replaces them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from searchclip.errors import IndexBusyError, IndexRootError

MANIFEST = "manifest.json"
MARKER = "searchclip-index"
_GENERATION = re.compile(r"gen-\d{6}")
VECTOR_STORE = "vectors.sqlite"  # beside the generations (index/vectors.py)
EMBED_LOCK = "embed.lock"
VECTOR_FILES = (VECTOR_STORE, VECTOR_STORE + "-wal", VECTOR_STORE + "-shm", VECTOR_STORE + "-journal")
_OURS = frozenset({MARKER, MARKER + ".tmp", "current", "current.tmp", "lock", EMBED_LOCK, *VECTOR_FILES})


@dataclass(slots=True)
class FileState:
    size: int
    mtime_ns: int
    digest: str
    posts: int
    path: str = ""  # the id its posts were indexed under: another one (a re-rooted folder) re-indexes it


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


def claim_root(root: Path) -> None:
    """Make `root` an index folder, or refuse one that holds anything else (it is not ours to write)."""
    if (root / MARKER).is_file():
        return
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        raise IndexRootError(f"{root} is not a folder; name a new or empty folder for the index with --index")
    if root.is_dir():
        foreign = [e.name for e in root.iterdir() if not _ours(e)]
        if foreign:
            raise IndexRootError(
                f"{root} is not a searchclip index and holds other files ({foreign[0]!r}…); "
                "name a new or empty folder for the index with --index"
            )
    root.mkdir(parents=True, exist_ok=True)
    record_folders(root, [])


def record_folders(root: Path, folders: list[str]) -> None:
    """Write the marker, with the folders indexed: a copy of what the manifest says, outside it."""
    data = {"searchclip": "This folder is a searchclip index: searchclip may delete what is in it.", "folders": folders}
    _write_atomically(root / MARKER, json.dumps(data, ensure_ascii=False, indent=1))


def known_folders(root: Path) -> list[str]:
    """The folders the index at `root` holds, from its newest manifest or, without one, its marker."""
    if (manifest := latest_manifest(root)) is not None and manifest.folders:
        return manifest.folders
    try:
        folders = json.loads((root / MARKER).read_text(encoding="utf-8")).get("folders", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [f for f in folders if isinstance(f, str)] if isinstance(folders, list) else []


def _ours(entry: Path) -> bool:
    """What a searchclip index holds (indexes made before the marker existed have all but it)."""
    if entry.name in _OURS:
        return True
    return bool(_GENERATION.fullmatch(entry.name)) and entry.is_dir() and not entry.is_symlink()


def generations(root: Path) -> list[Path]:
    """The generation folders of an index, oldest first (only `gen-NNNNNN`, never a link)."""
    found = [p for p in root.glob("gen-*") if _GENERATION.fullmatch(p.name) and p.is_dir() and not p.is_symlink()]
    return sorted(found, key=lambda p: p.name)


def latest_manifest(root: Path) -> Manifest | None:
    """The newest readable manifest of any generation: what an index whose link was lost held."""
    for gen in reversed(generations(root)):
        if (manifest := read_manifest(gen)) is not None:
            return manifest
    return None


def new_generation(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name[4:]) for p in generations(root)]
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
    for old in generations(root):
        if old.resolve() != gen.resolve():
            # Searches that opened the old generation keep their open files on POSIX systems.
            shutil.rmtree(old, ignore_errors=True)


def discard_unpublished(root: Path) -> None:
    """Remove generations a killed rebuild left behind, never the current one, and none at all
    while there is no current one: they may hold the only copy until a new generation replaces them."""
    current = current_generation(root)
    if current is None:
        return
    for gen in generations(root):
        # Compare resolved paths: `root` may be relative or pass through a symlink.
        if gen.resolve() != current:
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
        if not isinstance(raw["version"], str) or not isinstance(raw.get("folders", []), list):
            return None
        return Manifest(raw["version"], list(raw.get("folders", [])), files)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_manifest(gen: Path, manifest: Manifest) -> None:
    """Write atomically: a crash leaves the old manifest or the new one."""
    files = {k: asdict(v) for k, v in manifest.files.items()}
    data = {"version": manifest.version, "folders": manifest.folders, "files": files}
    _write_atomically(gen / MANIFEST, json.dumps(data, ensure_ascii=False))


def _write_atomically(file: Path, text: str) -> None:
    tmp = file.with_name(file.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, file)


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
