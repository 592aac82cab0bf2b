"""Token filters: the ordered stages after the script analyzers, each writing one named stream.

A text's `TextState` starts with one stream, `terms`: the script analyzers' tokens, at offsets of
the normalized text. Then, in order (as in nori's and charabia's chains):

    CompoundParts   terms    + each compound's parts (indexing only)
    Positions       terms    ordered (a compound's parts right after it), numbered, offsets mapped back
    Initials        initials 초성 of Korean nouns and of Hangul words as written
    Readings        readings katakana readings of Japanese words
    Bigrams         bigrams  CJK character bigrams

Compound parts share their compound's position, so that phrases over the whole words keep
working; the derived streams take the positions of the words they come from.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from searchclip.analyzers import korean
from searchclip.analyzers.bigrams import text_bigrams
from searchclip.analyzers.normalize import Normalized
from searchclip.analyzers.script import Run, Script
from searchclip.analyzers.token import Token

TERMS, INITIALS, READINGS, BIGRAMS = "terms", "initials", "readings", "bigrams"


@dataclass(slots=True)
class TextState:
    """One text going through the stages: its normalized form, its script runs, its streams."""

    norm: Normalized
    runs: list[Run]
    streams: dict[str, list[Token]]


class Stage(Protocol):
    stream: str  # the stream it writes

    def __call__(self, text: TextState) -> None: ...


class Decompounder(Protocol):
    name: str

    def compound_parts(self, tokens: list[Token]) -> list[Token]:
        """The parts of those of its own tokens that are compounds, at offsets inside them."""
        ...


class CompoundParts:
    """Compounds indexed whole and as their parts (nori's `mixed` mode, kuromoji's search mode).

    Each analyzer that splits compounds gets its own tokens in one call; `Positions` then puts each
    compound's parts right after it, at its position.
    """

    stream = TERMS

    def __init__(self, analyzers: Sequence[Decompounder]) -> None:
        self._analyzers = tuple(analyzers)

    def __call__(self, text: TextState) -> None:
        tokens = text.streams[TERMS]
        for analyzer in self._analyzers:
            name = analyzer.name
            own = [t for t in tokens if t.analyzer == name]
            if own:
                tokens.extend(analyzer.compound_parts(own))


class Positions:
    """Terms in text order, numbered, with offsets into the original text."""

    stream = TERMS

    def __call__(self, text: TextState) -> None:
        text.streams[TERMS] = finish(text.streams[TERMS], text.norm)


class Initials:
    """초성 of every Korean noun and of every Hangul word as written (`인공지능` even when Kiwi reads
    `인공` + `지능`): users type the initials of what they see."""

    stream = INITIALS

    def __call__(self, text: TextState) -> None:
        tokens = text.streams[TERMS]
        found = []
        for tok in tokens:
            if tok.analyzer == "ko" and tok.tag in korean.INITIALS_TAGS and (consonants := korean.initials(tok.term)):
                found.append(derived(tok, consonants, "initials"))
        starts = [t.start for t in tokens]
        norm = text.norm
        for run in text.runs:
            consonants = korean.initials(norm.text[run.start : run.end]) if run.script is Script.HANGUL else ""
            if len(consonants) >= 2:
                start, end = norm.to_original(run.start, run.end) if norm.norm_starts else (run.start, run.end)
                position = tokens[max(0, bisect_right(starts, start) - 1)].position if tokens else 0
                found.append(Token(consonants, start, end, position, "initials", "ko"))
        text.streams[INITIALS] = found


class Readings:
    """The katakana reading of every Japanese word, for searches typed in kana."""

    stream = READINGS

    def __call__(self, text: TextState) -> None:
        text.streams[READINGS] = [derived(t, t.reading, "reading") for t in text.streams[TERMS] if t.reading]


class Bigrams:
    """Overlapping CJK character bigrams: recall for words no dictionary knows (see bigrams.py)."""

    stream = BIGRAMS

    def __call__(self, text: TextState) -> None:
        text.streams[BIGRAMS] = finish(text_bigrams(text.norm.text, text.runs), text.norm)


def derived(tok: Token, term: str, tag: str) -> Token:
    return Token(term, tok.start, tok.end, tok.position, tag, tok.analyzer, tok.part)


def finish(tokens: list[Token], norm: Normalized) -> list[Token]:
    """Order tokens by where they stand, number their positions, map offsets to the original.

    A compound's parts come right after it and share its position.
    """
    tokens.sort(key=lambda t: (t.start, -t.end, t.part))
    finished = []
    position = -1
    mapped = bool(norm.norm_starts)
    for tok in tokens:
        if not tok.part:
            position += 1
        start, end = norm.to_original(tok.start, tok.end) if mapped else (tok.start, tok.end)
        finished.append(Token(tok.term, start, end, max(position, 0), tok.tag, tok.analyzer, tok.part, tok.reading))
    return finished
