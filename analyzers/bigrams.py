"""Overlapping character bigrams of Hangul and Japanese runs: recall for words no dictionary knows.

Korean spacing is loose (`바이브코딩` and `바이브 코딩` are the same word to a reader), so Hangul
runs separated only by spaces on one line form one chain and bigrams bridge the space.
"""

from __future__ import annotations

import itertools

from searchclip.analyzers.script import Run, Script
from searchclip.analyzers.token import Token


def text_bigrams(text: str, text_runs: list[Run]) -> list[Token]:
    """Bigrams of every CJK chain of a text; a one-character chain is its own unigram."""
    tokens: list[Token] = []
    for chain in _chains(text, text_runs):
        if len(chain) == 1:
            tokens.append(_token(text, chain[0], chain[0]))
        tokens.extend(_token(text, a, b) for a, b in itertools.pairwise(chain))
    return tokens


def _chains(text: str, text_runs: list[Run]) -> list[list[int]]:
    """Offsets of the characters of each chain: a Japanese run, or Hangul runs joined across spaces."""
    chains: list[list[int]] = []
    previous: Run | None = None
    for run in text_runs:
        if run.script is Script.WORD:
            previous = None
            continue
        offsets = list(range(run.start, run.end))
        if previous is not None and _bridges(text, previous, run):
            chains[-1].extend(offsets)
        else:
            chains.append(offsets)
        previous = run
    return chains


def _bridges(text: str, left: Run, right: Run) -> bool:
    gap = text[left.end : right.start]
    return left.script is right.script is Script.HANGUL and gap != "" and gap.strip(" ") == ""


def _token(text: str, first: int, last: int) -> Token:
    term = text[first] if first == last else text[first] + text[last]
    return Token(term, first, last + 1, tag="bigram", analyzer="bigram")
