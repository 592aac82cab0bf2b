"""A post → the passages its vectors are made of: paragraphs packed under the model's token limit,
a paragraph longer than that cut into overlapping windows, each embedded after its clipping's title.

A passage keeps where it stands in the post (character offsets), so that a post found by meaning
alone can show the passage that matched. Its key is a hash of exactly the text embedded (title and
passage, and the model): a passage unchanged is never embedded twice.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# Bump when the rules below change: every passage is then a new one.
PASSAGE_VERSION = 1
# The longest passage, in the model's tokens, title and prefix included: half e5's limit. Its
# retrieval training used passages mostly shorter than this, a passage this long already holds a
# few paragraphs, and embedding costs more per token as passages grow (attention): measured here
# 1,161 tokens/s at 64 tokens, 893 at 256, 706 at 500.
PASSAGE_TOKENS = 256
# Room for e5's prefix and the title inside the limit.
RESERVED_TOKENS = 8
# A title longer than this (characters) is cut: it is context for every passage, not content.
TITLE_CHARS = 160
OVERLAP = 0.15  # of a window, repeated at the start of the next one
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# Where a window may end at the furthest, in characters per token allowed: no token of the model
# spans more, so the search for a window's end never reads a whole huge paragraph.
_CHARS_PER_TOKEN = 16
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Passage:
    start: int  # offsets into the post's text
    end: int
    text: str  # what is embedded: the title, then the passage's prose, white space folded
    key: bytes  # the hash of `text` and the model


def passages(title: str, prose: str, model: str, max_tokens: int, count_tokens: Callable[[str], int]) -> list[Passage]:
    """`prose` is the post's text with its Markdown blanked (offsets are the text's own)."""
    title = _fold(title)[:TITLE_CHARS]
    limit = max(32, max_tokens - RESERVED_TOKENS - count_tokens(title))
    spans: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for start, end in _paragraphs(prose):
        if count_tokens(_fold(prose[start:end])) > limit:
            if pending:
                spans.append(pending)
                pending = None
            spans.extend(_windows(prose, start, end, limit, count_tokens))
        elif pending and count_tokens(_fold(prose[pending[0] : end])) <= limit:
            pending = (pending[0], end)  # the next paragraph fits in the same passage
        else:
            if pending:
                spans.append(pending)
            pending = (start, end)
    if pending:
        spans.append(pending)
    head = _fold(title)
    return [_passage(head, prose, start, end, model) for start, end in spans if prose[start:end].strip()]


def _paragraphs(prose: str) -> Iterator[tuple[int, int]]:
    """The paragraphs (text between blank lines), trimmed, as spans. No backtracking regex: the
    prose of a post has long runs of spaces where its markup was."""
    start = 0
    for blank in _BLANK_LINE.finditer(prose):
        if span := _trimmed(prose, start, blank.start()):
            yield span
        start = blank.end()
    if span := _trimmed(prose, start, len(prose)):
        yield span


def _trimmed(prose: str, start: int, end: int) -> tuple[int, int] | None:
    piece = prose[start:end]
    stripped = piece.strip()
    if not stripped:
        return None
    first = start + len(piece) - len(piece.lstrip())
    return first, first + len(stripped)


def _windows(prose: str, start: int, end: int, limit: int, count_tokens: Callable[[str], int]) -> list[tuple[int, int]]:
    """A long paragraph in windows under the limit, each overlapping the one before it."""
    windows = []
    cursor = start
    while cursor < end:
        stop = _longest_under(prose, cursor, end, limit, count_tokens)
        windows.append((cursor, stop))
        if stop >= end:
            break
        cursor = max(cursor + 1, stop - int((stop - cursor) * OVERLAP))
        space = prose.find(" ", cursor, stop)
        cursor = space + 1 if space != -1 else cursor
    return windows


def _longest_under(prose: str, start: int, end: int, limit: int, count_tokens: Callable[[str], int]) -> int:
    """The furthest cut (at a space where there is one) after which prose[start:cut] is under the limit."""
    low, high = start + 1, min(end, start + limit * _CHARS_PER_TOKEN)
    if count_tokens(_fold(prose[start:high])) <= limit:
        return high
    while low < high:  # binary search on the characters: tokens grow with them
        middle = (low + high + 1) // 2
        if count_tokens(_fold(prose[start:middle])) <= limit:
            low = middle
        else:
            high = middle - 1
    if low < end:
        space = prose.rfind(" ", start + (low - start) // 2, low)
        if space > start:
            return space
    return low


def _fold(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _passage(head: str, prose: str, start: int, end: int, model: str) -> Passage:
    text = f"{head}\n{_fold(prose[start:end])}" if head else _fold(prose[start:end])
    key = hashlib.blake2b(f"{model}\0{PASSAGE_VERSION}\0{text}".encode(), digest_size=16).digest()
    return Passage(start, end, text, key)
