"""Folders → the clipping files to index, and what was passed over and why.

Every `*.md` file under the folders, except: hidden files and folders (`.obsidian`, `.trash`),
anything that is not a regular file (a FIFO, a socket or a device named `x.md` would block or never
end), links to files outside the indexed folders (an archive of web pages must not pull in
`~/.ssh` through a link), and names that are not valid UTF-8 (they cannot be stored or shown).
Linked folders are not followed. A folder that cannot be read is reported, and the posts already
indexed from it are kept.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from searchclip.ingest.clippings import clipping_path

_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device"}


@dataclass(frozen=True, slots=True)
class SourceFile:
    key: str  # absolute path: the manifest key and the index's `file` field
    root: Path
    path: Path
    prefix: str = ""  # with several folders, ids start with the folder's name: they stay unique
    rel: str = ""  # the id its posts get: the prefix and the path relative to the folder


@dataclass(slots=True)
class Scan:
    sources: list[SourceFile] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # folders whose indexed posts are kept
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why): passed over on purpose
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file or folder, why): could not be read


def scan(folders: Sequence[Path]) -> Scan:
    found = Scan()
    roots = [f.resolve() for f in folders]
    seen: set[str] = set()  # a folder inside another one is read once
    for root, prefix in folder_prefixes(roots).items():

        def on_error(exc: OSError) -> None:
            found.failed.append((str(exc.filename), f"cannot read the folder ({exc.strerror}); its posts are kept"))
            found.unreadable.append(str(exc.filename))

        for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                path = Path(dirpath) / name
                if name.lower().endswith(".md") and not name.startswith(".") and str(path) not in seen:
                    seen.add(str(path))
                    _consider(path, root, prefix, roots, found)
    return found


def _consider(path: Path, root: Path, prefix: str, roots: list[Path], found: Scan) -> None:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")
        found.failed.append((shown, "the file name is not valid UTF-8; rename it to index it"))
        return
    try:
        if path.is_symlink():
            target = Path(os.path.realpath(path))
            if not any(target == r or target.is_relative_to(r) for r in roots):
                found.skipped.append((str(path), f"a link to {target}, outside the indexed folders: not followed"))
                return
        kind = stat.S_IFMT(path.stat().st_mode)
    except FileNotFoundError:
        kind = stat.S_IFREG  # a dangling link or a file that just vanished: reading it says so
    except OSError as exc:
        found.failed.append((str(path), exc.strerror or str(exc)))
        return
    if kind != stat.S_IFREG:
        found.skipped.append((str(path), f"not a regular file ({_KINDS.get(kind, 'a special file')}): skipped"))
        return
    found.sources.append(SourceFile(str(path), root, path, prefix, clipping_path(path, root, prefix)))


def folder_prefixes(roots: Sequence[Path]) -> dict[Path, str]:
    """The id prefix of each folder: none for one folder; with several, the shortest tail of each
    folder's path that no other folder shares (`Clippings/`, or `work/Clippings/` beside `home/Clippings/`)."""
    unique = list(dict.fromkeys(roots))
    if len(unique) == 1:
        return {unique[0]: ""}
    depth = {root: 1 for root in unique}
    while True:
        tails = {root: "/".join(root.parts[-depth[root] :]).lstrip("/") for root in unique}
        clashes = {t for t in tails.values() if list(tails.values()).count(t) > 1}
        grown = [r for r in unique if tails[r] in clashes and depth[r] < len(r.parts)]
        if not clashes or not grown:
            return {root: tails[root] + "/" for root in unique}
        for root in grown:
            depth[root] += 1
