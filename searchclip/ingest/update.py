"""Folders of clippings → the index: find what changed, analyze only that, commit once.

Incremental by default: a file whose size and mtime match the manifest is skipped without being
read; one whose bytes hash the same is only re-stamped. A failed file is reported and its
previously indexed posts are kept.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from searchclip.analyzers import Analyzer
from searchclip.errors import FolderError, IndexWriteError
from searchclip.index.fields import index_version
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
from searchclip.ingest.workers import FileResult, SourceFile, analyze_files

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


def update_index(
    root: Path,
    folders: list[Path] | None = None,
    full: bool = False,
    wait: bool = False,
    progress: Progress | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    analyzer: Analyzer | None = None,
) -> IndexReport:
    """Bring the index at `root` up to date with `folders` (default: the folders indexed last time),
    analyzing with `analyzer` (default: the default analysis settings)."""
    started = time.perf_counter()
    report = IndexReport()
    analyzer = analyzer or Analyzer()
    root = root.expanduser().resolve()  # a relative or symlinked path must name the same generations
    try:
        with rebuild_lock(root, wait=wait):
            _rebuild(root, folders, full, progress, max_file_bytes, report, analyzer)
    except (OSError, ValueError, BrokenProcessPool) as exc:  # tantivy reports I/O failures as ValueError
        raise IndexWriteError(f"could not write the index at {root} ({exc}); the previous index is unchanged") from exc
    report.seconds = time.perf_counter() - started
    return report


def _rebuild(
    root: Path,
    folders: list[Path] | None,
    full: bool,
    progress: Progress | None,
    max_file_bytes: int,
    report: IndexReport,
    analyzer: Analyzer,
) -> None:
    discard_unpublished(root)
    gen = current_generation(root)
    old = read_manifest(gen) if gen else None
    folder_names = _folder_names(folders, old)
    version = index_version(analyzer.version)
    report.full, report.reason = _needs_full(full, gen, old, version)
    target = new_generation(root) if report.full or gen is None else gen
    base = Manifest(version, folder_names) if report.full or old is None else old
    new = _apply(target, base, version, folder_names, report, progress, max_file_bytes, analyzer)
    write_manifest(target, new)
    if target != gen:
        publish(root, target)


def _folder_names(folders: list[Path] | None, old: Manifest | None) -> list[str]:
    if folders:
        missing = [str(f) for f in folders if not f.is_dir()]
        if missing:
            raise FolderError(f"not a folder: {', '.join(missing)}")
        return [str(f.resolve()) for f in folders]
    if old is None or not old.folders:
        raise FolderError("no folder to index: name one, as in: searchclip index ~/Clippings")
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
    analyzer: Analyzer,
) -> Manifest:
    sources = list(scan([Path(f) for f in folders], report))
    new = Manifest(version, folders, {})
    writer = IndexWriter(target)
    for key in base.files.keys() - {s.key for s in sources}:
        writer.delete_file(key)
        report.removed += 1
    todo = _changed(sources, base, new, report)
    done = len(sources) - len(todo)
    for result in analyze_files(todo, base, max_file_bytes, analyzer):
        _record(writer, result, base.files.get(result.key), new, report)
        done += 1
        if progress:
            progress(done, len(sources), result.key)
    writer.commit()
    return new


def _changed(sources: list[SourceFile], base: Manifest, new: Manifest, report: IndexReport) -> list[SourceFile]:
    """The files whose size or mtime differ from the manifest; the others are carried over unread."""
    todo = []
    for source in sources:
        old = base.files.get(source.key)
        try:
            stat = source.path.stat()
        except OSError:
            todo.append(source)  # analyze_file reports the error
            continue
        if old and old.size == stat.st_size and old.mtime_ns == stat.st_mtime_ns:
            new.files[source.key] = old
            report.unchanged += 1
        else:
            todo.append(source)
    return todo


def _record(writer: IndexWriter, result: FileResult, old: FileState | None, new: Manifest, report: IndexReport) -> None:
    if result.error:
        report.failed.append((result.key, result.error))
        if old is not None:
            new.files[result.key] = old  # its posts stay in the index: nothing is lost
        return
    assert result.state is not None
    new.files[result.key] = result.state
    if not result.analyzed:
        report.unchanged += 1
        return
    report.warnings.extend((result.key, w) for w in result.warnings)
    writer.delete_file(result.key)
    report.posts += writer.add(result.docs)
    if old is None:
        report.added += 1
    else:
        report.updated += 1


def scan(folders: list[Path], report: IndexReport) -> Iterator[SourceFile]:
    """Every Markdown file under the folders, hidden folders skipped, symlinked folders not followed."""
    for folder in folders:
        root = folder.resolve()
        prefix = f"{root.name}/" if len(folders) > 1 else ""

        def on_error(exc: OSError) -> None:
            report.failed.append((str(exc.filename), exc.strerror or str(exc)))

        for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.lower().endswith(".md") and not name.startswith("."):
                    path = Path(dirpath) / name
                    yield SourceFile(str(path), root, path, prefix)
