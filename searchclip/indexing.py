"""Folders of clippings → the index: find what changed, analyze only that, commit once.

Incremental by default: a file whose size and mtime match the manifest is skipped without being
read; one whose bytes hash the same is only re-stamped. A failed file is reported and its
previously indexed posts are kept.
"""

from __future__ import annotations

import hashlib
import os
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from searchclip.clippings import parse_clipping
from searchclip.documents import make_documents
from searchclip.errors import ClippingError, SearchclipError
from searchclip.index.reader import index_version
from searchclip.index.store import (
    FileState,
    Manifest,
    current_generation,
    discard_unpublished,
    new_generation,
    publish,
    read_manifest,
    rebuild_lock,
    write_manifest,
)
from searchclip.index.writer import IndexWriter
from searchclip.textfile import decode_text, read_bytes

MAX_FILE_BYTES = 20_000_000
Progress = Callable[[int, int, str], None]


@dataclass(slots=True)
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    posts: int = 0
    seconds: float = 0.0
    full: bool = False
    reason: str = ""  # why a full rebuild happened
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SourceFile:
    key: str  # absolute path: the manifest key and the index's `file` field
    root: Path
    path: Path


def update_index(
    root: Path,
    folders: list[Path] | None = None,
    full: bool = False,
    wait: bool = False,
    progress: Progress | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> IndexReport:
    """Bring the index at `root` up to date with `folders` (default: the folders indexed last time)."""
    started = time.perf_counter()
    report = IndexReport()
    with rebuild_lock(root, wait=wait):
        discard_unpublished(root)
        gen = current_generation(root)
        old = read_manifest(gen) if gen else None
        folder_names = _folder_names(folders, old)
        version = index_version()
        report.full, report.reason = _needs_full(full, gen, old, version)
        target = new_generation(root) if report.full or gen is None else gen
        base = Manifest(version, folder_names) if report.full or old is None else old
        new = _apply(target, base, version, folder_names, report, progress, max_file_bytes)
        write_manifest(target, new)
        if target != gen:
            publish(root, target)
    report.seconds = time.perf_counter() - started
    return report


def _folder_names(folders: list[Path] | None, old: Manifest | None) -> list[str]:
    if folders:
        missing = [str(f) for f in folders if not f.is_dir()]
        if missing:
            raise SearchclipError(f"not a folder: {', '.join(missing)}")
        return [str(f.resolve()) for f in folders]
    if old is None or not old.folders:
        raise SearchclipError("no folder to index: name one, as in: searchclip index ~/Clippings")
    return old.folders


def _needs_full(full: bool, gen: Path | None, old: Manifest | None, version: str) -> tuple[bool, str]:
    if full:
        return True, "--full"
    if gen is None:
        return True, "new index"
    if old is None:
        return True, "the index has no manifest (an interrupted first build)"
    if old.version != version:
        return True, "searchclip's analysis or index format changed since the last build"
    return False, ""


def _apply(
    target: Path,
    base: Manifest,
    version: str,
    folders: list[str],
    report: IndexReport,
    progress: Progress | None,
    max_file_bytes: int,
) -> Manifest:
    sources = {s.key: s for s in scan([Path(f) for f in folders], report)}
    new = Manifest(version, folders, {})
    writer = IndexWriter(target)
    for key in base.files.keys() - sources.keys():
        writer.delete_file(key)
        report.removed += 1
    for done, source in enumerate(sources.values(), 1):
        state = _index_file(writer, source, base.files.get(source.key), report, max_file_bytes)
        if state is not None:
            new.files[source.key] = state
        if progress:
            progress(done, len(sources), source.key)
    writer.commit()
    return new


def _index_file(
    writer: IndexWriter, source: SourceFile, old: FileState | None, report: IndexReport, max_file_bytes: int
) -> FileState | None:
    try:
        stat = source.path.stat()
        if old and old.size == stat.st_size and old.mtime_ns == stat.st_mtime_ns:
            report.unchanged += 1
            return old
        data = read_bytes(source.path, max_file_bytes)
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        if old and old.digest == digest:
            report.unchanged += 1
            return FileState(stat.st_size, stat.st_mtime_ns, digest, old.posts)
        rel = unicodedata.normalize("NFC", source.path.relative_to(source.root).as_posix())
        clipping = parse_clipping(decode_text(data, source.key), rel)
        docs = make_documents(clipping, source.key)
    except ClippingError as exc:
        report.failed.append((source.key, exc.reason))
        return old
    except OSError as exc:
        report.failed.append((source.key, exc.strerror or str(exc)))
        return old
    report.warnings.extend((source.key, w) for w in clipping.warnings)
    writer.delete_file(source.key)
    report.posts += writer.add(docs)
    if old is None:
        report.added += 1
    else:
        report.updated += 1
    return FileState(stat.st_size, stat.st_mtime_ns, digest, len(docs))


def scan(folders: list[Path], report: IndexReport) -> Iterator[SourceFile]:
    """Every Markdown file under the folders, hidden folders skipped, symlinked folders not followed."""
    for folder in folders:
        root = folder.resolve()

        def on_error(exc: OSError) -> None:
            report.failed.append((str(exc.filename), exc.strerror or str(exc)))

        for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.lower().endswith(".md") and not name.startswith("."):
                    path = Path(dirpath) / name
                    yield SourceFile(str(path), root, path)
