"""The token: what analysis produces and the index stores."""

from __future__ import annotations

from dataclasses import dataclass, field

# A piece of a normalized text handed to a script analyzer, and where it starts in that text.
Piece = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Token:
    """An indexed term and where it stands in the original text (character offsets, end exclusive)."""

    term: str
    start: int
    end: int
    position: int = 0
    tag: str = ""  # part of speech from the analyzer that made it ("NNG", "名詞", "en", "bigram")
    analyzer: str = ""  # "ko", "ja", "en" or "bigram"
    part: bool = False  # a part of the compound before it, at the compound's position
    reading: str = ""  # Japanese: the reading in katakana, for searches typed in kana


@dataclass(frozen=True, slots=True)
class Morpheme(Token):
    """A token with the analyzer's own record of the word (Sudachi's morpheme), for a filter that
    needs more than the term, as the compound-parts filter does; the Positions stage makes it a
    plain Token. Its own class, so that every other token stays one field smaller: a frozen
    dataclass pays for each field on every one of the million tokens of a rebuild."""

    source: object = field(default=None, compare=False, repr=False)
