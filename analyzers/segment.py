"""Script segmentation: which pieces of a normalized text go to which script analyzer.

Korean text goes to Kiwi in pieces that span a line's Hangul runs together with the Latin words
and punctuation between them (Kiwi reads better in context: `Code를` reads as a particle after a
word only when Kiwi sees the word); only Hangul morphemes are taken from it. Japanese runs go to
Sudachi and other letter and digit runs to the word analyzer. No piece crosses a line break, so
analyzing one line alone gives the same tokens as analyzing it in its text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from searchclip.analyzers.script import HANGUL, Run, Script
from searchclip.analyzers.token import Piece

# Kiwi reads long lines in pieces cut at a space, so memory and latency stay bounded.
KOREAN_PIECE_CHARS = 8_000
_HANGUL_SEARCH = re.compile(f"[{HANGUL}]")
_LINE_BREAK = re.compile("\n")


@dataclass(frozen=True, slots=True)
class Segments:
    """The pieces of one text for each script analyzer, by the analyzer's name."""

    korean: list[Piece]
    japanese: list[Piece]
    words: list[Piece]


def segment(text: str, text_runs: list[Run], japanese: bool = True) -> Segments:
    """`japanese`: whether Japanese runs go to the Japanese analyzer (not for a Chinese text)."""
    pieces = [(text[r.start : r.end], r.start) for r in text_runs if r.script is Script.JAPANESE] if japanese else []
    words = [(text[r.start : r.end], r.start) for r in text_runs if r.script is Script.WORD]
    korean = [(text[start:end], start) for start, end in korean_pieces(text, text_runs)]
    return Segments(korean, pieces, words)


def korean_pieces(text: str, text_runs: list[Run]) -> list[tuple[int, int]]:
    """Stretches of a line between Japanese runs that hold Hangul, cut to Kiwi-sized pieces."""
    pieces: list[tuple[int, int]] = []
    stretch_start = 0
    has_hangul = False
    # The line breaks, found once: looking back from every run on a long line was quadratic.
    breaks = [m.start() for m in _LINE_BREAK.finditer(text)]
    for run in text_runs:
        at = bisect.bisect_left(breaks, run.start) - 1
        line_break = breaks[at] if at >= 0 and breaks[at] >= stretch_start else -1
        if line_break != -1:
            _close(text, stretch_start, line_break, has_hangul, pieces)
            stretch_start, has_hangul = line_break + 1, False
        if run.script is Script.JAPANESE:
            _close(text, stretch_start, run.start, has_hangul, pieces)
            stretch_start, has_hangul = run.end, False
        elif run.script is Script.HANGUL:
            has_hangul = True
    end = text.find("\n", stretch_start)
    _close(text, stretch_start, len(text) if end == -1 else end, has_hangul, pieces)
    return pieces


def _close(text: str, start: int, end: int, has_hangul: bool, pieces: list[tuple[int, int]]) -> None:
    """Add text[start:end] as pieces, cut at spaces into pieces Kiwi reads quickly."""
    while has_hangul and start < end:
        cut = end
        if end - start > KOREAN_PIECE_CHARS:
            space = text.rfind(" ", start, start + KOREAN_PIECE_CHARS)
            cut = space + 1 if space > start else start + KOREAN_PIECE_CHARS
        if _HANGUL_SEARCH.search(text, start, cut):  # a piece of only Latin words needs no Kiwi
            pieces.append((start, cut))
        start = cut
