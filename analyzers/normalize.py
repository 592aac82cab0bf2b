"""NFKC normalization that remembers where each normalized character came from.

Decomposed Hangul (as macOS writes it), full-width Latin and compatibility characters must match
their ordinary forms, yet highlights must land on the characters the user saved. `normalize`
returns the NFKC text and a piecewise map back to the original offsets.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

# Characters that NFKC never changes and that never combine with what follows them. Anything
# else is normalized cluster by cluster, with the character before it (it may compose with it).
_UNSTABLE = re.compile(r".?[^\x00-\x7f\uac00-\ud7a3\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff]+", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Normalized:
    """NFKC text plus the map to the original: pieces are copied runs or replaced clusters."""

    text: str
    norm_starts: tuple[int, ...] = ()
    orig_starts: tuple[int, ...] = ()
    orig_ends: tuple[int, ...] = ()
    copied: tuple[bool, ...] = ()

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalized span [start, end)."""
        if not self.norm_starts:
            return start, end
        if end <= start:
            point = self._map(start, is_end=False) if start < len(self.text) else self._map(start - 1, is_end=True)
            return point, point
        return self._map(start, is_end=False), self._map(end - 1, is_end=True)

    def _map(self, pos: int, is_end: bool) -> int:
        piece = bisect_right(self.norm_starts, pos) - 1
        if self.copied[piece]:
            return self.orig_starts[piece] + pos - self.norm_starts[piece] + (1 if is_end else 0)
        return self.orig_ends[piece] if is_end else self.orig_starts[piece]


def normalize(text: str) -> Normalized:
    if unicodedata.is_normalized("NFKC", text):
        return Normalized(text)
    out: list[str] = []
    norm_starts: list[int] = []
    orig_starts: list[int] = []
    orig_ends: list[int] = []
    copied: list[bool] = []
    norm_len = 0

    def piece(orig_start: int, orig_end: int, new: str, is_copy: bool) -> None:
        nonlocal norm_len
        if not new:
            return
        norm_starts.append(norm_len)
        orig_starts.append(orig_start)
        orig_ends.append(orig_end)
        copied.append(is_copy)
        out.append(new)
        norm_len += len(new)

    cursor = 0
    for match in _UNSTABLE.finditer(text):
        piece(cursor, match.start(), text[cursor : match.start()], True)
        for start, end in _clusters(text, match.start(), match.end()):
            cluster = text[start:end]
            new = unicodedata.normalize("NFKC", cluster)
            piece(start, end, new, new == cluster)
        cursor = match.end()
    piece(cursor, len(text), text[cursor:], True)
    return Normalized("".join(out), tuple(norm_starts), tuple(orig_starts), tuple(orig_ends), tuple(copied))


def _clusters(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split text[start:end] into a base character and the marks or jamo that attach to it."""
    bounds: list[tuple[int, int]] = []
    i = start
    while i < end:
        j = i + 1
        while j < end and _attaches(text[j]):
            j += 1
        bounds.append((i, j))
        i = j
    return bounds


def _attaches(ch: str) -> bool:
    code = ord(ch)
    # Hangul medial vowels and final consonants compose with the leading consonant before them.
    return (
        unicodedata.combining(ch) != 0
        or 0x1160 <= code <= 0x11FF
        or 0xD7B0 <= code <= 0xD7FF
        or 0xFE00 <= code <= 0xFE0F
    )
