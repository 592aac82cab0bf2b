"""Ranked hits → links that open them elsewhere: the `obsidian://` link of a clipping in a vault.

A folder is an Obsidian vault when it holds a `.obsidian/` folder (Obsidian's own settings); the
vault's name is the folder's name, and the link names the file by its path inside the vault, as
Obsidian's own "Copy Obsidian URL" does.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

# A vault lies above its notes, but not without end: a clipping in /home/me/Notes/a/b/c.md is
# looked up in a handful of folders, never in / (whose `.obsidian` would make everything a vault).
MAX_DEPTH = 32


def obsidian_link(file: str) -> str | None:
    """`obsidian://open?vault=NAME&file=PATH` for a clipping inside a vault, else None."""
    path = Path(file)
    if not path.is_absolute():
        return None
    vault = vault_of(path.parent)
    if vault is None:
        return None
    inside = path.relative_to(vault).as_posix()
    if inside.lower().endswith(".md"):
        inside = inside[:-3]  # as Obsidian writes it: notes are named without their extension
    return f"obsidian://open?vault={quote(vault.name, safe='')}&file={quote(inside, safe='')}"


def vault_of(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` that holds `.obsidian/` (not the file system's root).
    Not cached: a few stats per result, and a long-running service sees a vault made or moved."""
    for depth, candidate in enumerate((folder, *folder.parents)):
        if depth >= MAX_DEPTH or candidate.parent == candidate:
            return None
        try:
            if (candidate / ".obsidian").is_dir():
                return candidate
        except OSError:
            return None
    return None
