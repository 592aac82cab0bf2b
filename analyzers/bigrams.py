"""Overlapping character bigrams of Hangul and Japanese runs: recall for words no dictionary knows."""

from __future__ import annotations

from searchclip.analyzers.script import Run, Script
from searchclip.analyzers.token import Token


def run_bigrams(text: str, run: Run) -> list[Token]:
    """Bigrams of one run; a one-character run is its own unigram so that it stays findable."""
    if run.script is Script.WORD:
        return []
    chars = text[run.start : run.end]
    if len(chars) == 1:
        return [Token(chars, run.start, run.end, tag="bigram", analyzer="bigram")]
    return [
        Token(chars[i : i + 2], run.start + i, run.start + i + 2, tag="bigram", analyzer="bigram")
        for i in range(len(chars) - 1)
    ]
