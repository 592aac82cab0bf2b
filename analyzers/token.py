"""The token: what analysis produces and the index stores."""

from __future__ import annotations

from dataclasses import dataclass


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
