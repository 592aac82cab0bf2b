"""Folders of clippings → the index: find what changed, analyze only that, commit once.

Incremental by default: a file whose size and mtime match the manifest is skipped without being
read; one whose bytes hash the same is only re-stamped. A failed file is reported and its
previously indexed posts are kept, as are the posts of a folder that cannot be read. An index that
is damaged, or that another version wrote, is rebuilt in full into a new generation; the old one
stays until the new one replaces it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from searchclip.analyzers import Analyzer
from searchclip.errors import DocumentError, FolderError, IndexWriteError
from searchclip.index.fields import index_version
from searchclip.index.reader import generation_damage
from searchclip.index.store import (
    FileState,
    Manifest,
    claim_root,
    current_generation,
    discard_unpublished,
    generations,
    known_folders,
    new_generation,
    publish,
    read_manifest,
    rebuild_lock,
    record_folders,
    write_manifest,
)
from searchclip.index.writer import IndexWriter
from searchclip.ingest.scan import Scan, SourceFile, scan
from searchclip.ingest.workers import FileResult, analyze_files

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
    claim_root(root)
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
    gen = current_generation(root)
    old = read_manifest(gen) if gen else None
    damage = _damage(root, gen, old)
    if damage is None:
        discard_unpublished(root)
    folder_names = _folder_names(folders, old.folders if old else known_folders(root))
    version = index_version(analyzer.version)
    report.full, report.reason = _needs_full(full, gen, old, version, damage)
    target = new_generation(root) if report.full else gen
    assert target is not None
    base = old if not report.full and old is not None else Manifest(version, folder_names)
    new = _apply(target, base, version, folder_names, report, progress, max_file_bytes, analyzer)
    write_manifest(target, new)
    if target != gen:
        publish(root, target)
    record_folders(root, folder_names)


def _damage(root: Path, gen: Path | None, old: Manifest | None) -> str | None:
    """Why the index cannot be updated in place, if it is damaged."""
    if gen is None:
        return "its current generation is missing" if generations(root) else None
    if old is None:
        return "its manifest is missing or unreadable"
    return generation_damage(gen)


def _folder_names(folders: list[Path] | None, known: list[str]) -> list[str]:
    if folders:
        missing = [str(f) for f in folders if not f.is_dir()]
        if missing:
            raise FolderError(f"not a folder: {', '.join(missing)}")
        return [str(f.resolve()) for f in folders]
    if not known:
        raise FolderError("no folder to index: name one, as in: searchclip index ~/Clippings")
    return known


def _needs_full(
    full: bool, gen: Path | None, old: Manifest | None, version: str, damage: str | None
) -> tuple[bool, str]:
    if full:
        return True, "--full"
    if damage is not None:
        return True, f"the index was damaged ({damage}): rebuilt from the clippings"
    if gen is None:
        return True, "new index"
    if old is not None and old.version != version:
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
    found = scan([Path(f) for f in folders])
    report.failed += found.failed
    report.warnings += found.skipped
    new = Manifest(version, folders, {})
    writer = IndexWriter(target)
    _remove_gone(writer, base, found, new, report)
    todo = _changed(found.sources, base, new, report)
    done = len(found.sources) - len(todo)
    for result in analyze_files(todo, base, max_file_bytes, analyzer):
        _record(writer, result, base.files.get(result.key), new, report)
        done += 1
        if progress:
            progress(done, len(found.sources), result.key)
    writer.commit()
    return new


def _remove_gone(writer: IndexWriter, base: Manifest, found: Scan, new: Manifest, report: IndexReport) -> None:
    """Delete the posts of files that are gone, but keep those of folders that could not be read."""
    present = {s.key for s in found.sources}
    for key in base.files.keys() - present:
        if any(key.startswith(folder.rstrip("/") + "/") for folder in found.unreadable):
            new.files[key] = base.files[key]  # nothing is lost: the folder may come back
            continue
        writer.delete_file(key)
        report.removed += 1


def _changed(sources: list[SourceFile], base: Manifest, new: Manifest, report: IndexReport) -> list[SourceFile]:
    """The files whose size, mtime or id differ from the manifest; the others are carried over unread."""
    todo = []
    for source in sources:
        old = base.files.get(source.key)
        try:
            stat = source.path.stat()
        except OSError:
            todo.append(source)  # analyze_file reports the error
            continue
        if old and (old.size, old.mtime_ns, old.path) == (stat.st_size, stat.st_mtime_ns, source.rel):
            new.files[source.key] = old
            report.unchanged += 1
        else:
            todo.append(source)
    return todo


def _record(writer: IndexWriter, result: FileResult, old: FileState | None, new: Manifest, report: IndexReport) -> None:
    if result.error:
        _keep(result.key, result.error, old, new, report)
        return
    assert result.state is not None
    if not result.analyzed:
        new.files[result.key] = result.state
        report.unchanged += 1
        return
    try:
        report.posts += writer.replace_file(result.key, result.docs)
    except DocumentError as exc:
        _keep(result.key, str(exc), old, new, report)
        return
    new.files[result.key] = result.state
    report.warnings.extend((result.key, w) for w in result.warnings)
    if old is None:
        report.added += 1
    else:
        report.updated += 1


def _keep(key: str, reason: str, old: FileState | None, new: Manifest, report: IndexReport) -> None:
    """A file that could not be indexed: reported, and its posts from before stay (nothing is lost)."""
    report.failed.append((key, reason))
    if old is not None:
        new.files[key] = old
