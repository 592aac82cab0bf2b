"""Latin and other alphabetic words: lowercased, English words Snowball-stemmed (PyStemmer)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import Stemmer

from searchclip.analyzers.token import Piece, Token


@cache
def _stemmer() -> Stemmer.Stemmer:
    # The stemmer has no settings and no state between words: one per process is enough.
    return Stemmer.Stemmer("english")


def analyze_word(word: str, offset: int) -> Token:
    """One word run (letters and digits only) as a token."""
    lower = word.lower()
    # Only ASCII words are English; stemming "café" or Cyrillic with English rules would mangle them.
    term = _stemmer().stemWord(lower) if lower.isascii() and not lower.isdigit() else lower
    return Token(term, offset, offset + len(word), tag="en", analyzer="en")


class WordAnalyzer:
    """Letter and digit runs: each run is one word."""

    name = "en"

    def analyze(self, pieces: Sequence[Piece]) -> list[list[Token]]:
        return [[analyze_word(text, offset)] for text, offset in pieces]
