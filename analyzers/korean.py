"""Korean with Kiwi (kiwipiepy): content morphemes only, verbs and adjectives as lemmas.

Model: Kiwi's `cong` model, the default of kiwipiepy 0.24. It keeps everyday tech vocabulary
whole (`코딩`, `어시스턴트`, `디버깅`), which tests pin, and loads faster than `cong-global`.
Kiwi's typo and multi-word dictionaries are not loaded: measured on 200 KorQuAD paragraphs they
changed only multi-word proper nouns (`푸시캣 돌스`), which are split into words here anyway, while
they tripled the start-up (3.1 s → 1.1 s to the first result) and slowed analysis by half.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import cache

from searchclip.analyzers.token import Token

MODEL_TYPE = "cong"
# Nouns, numerals, roots and hashtags are kept; verbs and adjectives become "stem + 다" lemmas.
# Particles (J*), endings (E*), affixes (X[SP]*), adverbs, determiners and pronouns are dropped.
KEEP_TAGS = frozenset({"NNG", "NNP", "NR", "XR", "W_HASHTAG"})
LEMMA_TAGS = frozenset({"VV", "VA"})


@cache
def kiwi():
    from kiwipiepy import Kiwi

    # No worker threads: indexing runs one process per core, and a query is one short text.
    with warnings.catch_warnings():
        # kiwipiepy warns that num_workers=0 meant "all cores" before v0.21; it means one thread now.
        warnings.simplefilter("ignore", DeprecationWarning)
        return Kiwi(model_type=MODEL_TYPE, num_workers=0, load_typo_dict=False, load_multi_dict=False)


def analyze_segments(segments: Sequence[str]) -> list[list[Token]]:
    """Tokens of each segment, with offsets relative to the segment."""
    if not segments:
        return []
    # One call per segment: Kiwi's batch call needs its own threads, which a process per core
    # does not want, and per-call overhead is small next to the analysis itself.
    analyzer = kiwi()
    return [_tokens(segment, analyzer.tokenize(segment)) for segment in segments]


def _tokens(segment: str, morphs: Sequence) -> list[Token]:  # type: ignore[type-arg]
    from searchclip.analyzers.script import is_hangul

    tokens: list[Token] = []
    for m in morphs:
        tag = m.tag.split("-")[0]  # irregular conjugations are tagged "VV-I", "VA-R", ...
        start, end = m.start, m.start + m.len
        if not (0 <= start < end <= len(segment)):
            continue
        if tag not in KEEP_TAGS and tag not in LEMMA_TAGS:
            continue
        surface = segment[start:end]
        # Only Hangul is Korean's to index: Latin and digits go to the word analyzer.
        if not (is_hangul(surface[0]) and is_hangul(surface[-1])):
            continue
        form = m.form.lstrip("#")
        if tag in LEMMA_TAGS:
            tokens.append(Token(form + "다", start, end, tag=tag, analyzer="ko"))
        elif " " in surface:
            tokens.extend(_split_spaced(surface, start, tag))
        else:
            tokens.append(Token(form, start, end, tag=tag, analyzer="ko"))
    return tokens


def _split_spaced(surface: str, start: int, tag: str) -> list[Token]:
    """Kiwi joins some names across spaces (`깃허브 코파일럿`); users search each word."""
    tokens = []
    offset = start
    for word in surface.split(" "):
        if word:
            tokens.append(Token(word, offset, offset + len(word), tag=tag, analyzer="ko"))
        offset += len(word) + 1
    return tokens
