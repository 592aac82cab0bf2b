"""Korean with Kiwi (kiwipiepy): content morphemes only, verbs and adjectives as lemmas.

Model: Kiwi's `cong` model, the default of kiwipiepy 0.24. It keeps everyday tech vocabulary
whole (`코딩`, `어시스턴트`, `디버깅`), which tests pin, and loads faster than `cong-global`.
Kiwi's typo and multi-word dictionaries are not loaded: measured on 200 KorQuAD paragraphs they
changed only multi-word proper nouns (`푸시캣 돌스`), which are split into words here anyway;
without them the first result comes after 1.1 s instead of 3.1 s, and analysis runs a third faster.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import cache, lru_cache

from searchclip.analyzers import settings
from searchclip.analyzers.token import Token

MODEL_TYPE = "cong"
# By default nouns, numerals, roots and hashtags are kept, and verbs and adjectives become
# "stem + 다" lemmas; particles (J*), endings (E*), affixes, adverbs, determiners and pronouns are
# dropped. The kept tags are a setting (see settings.py).
LEMMA_TAGS = frozenset({"VV", "VA"})


@cache
def kiwi():
    from kiwipiepy import Kiwi

    # No worker threads: indexing runs one process per core, and a query is one short text.
    with warnings.catch_warnings():
        # kiwipiepy warns that num_workers=0 meant "all cores" before v0.21; it means one thread now.
        warnings.simplefilter("ignore", DeprecationWarning)
        analyzer = Kiwi(model_type=MODEL_TYPE, num_workers=0, load_typo_dict=False, load_multi_dict=False)
    for entry in settings.current().korean_words:
        analyzer.add_user_word(entry.word, entry.tag, 0.0)
    return analyzer


def analyze_segments(segments: Sequence[str], parts: bool = False) -> list[list[Token]]:
    """Tokens of each segment, with offsets relative to the segment; `parts`: compound parts too."""
    if not segments:
        return []
    # One call per segment: Kiwi's batch call needs its own threads, which a process per core
    # does not want, and per-call overhead is small next to the analysis itself.
    analyzer = kiwi()
    found = [_tokens(segment, analyzer.tokenize(segment)) for segment in segments]
    return [_with_parts(tokens) for tokens in found] if parts else found


def _tokens(segment: str, morphs: Sequence) -> list[Token]:  # type: ignore[type-arg]
    from searchclip.analyzers.script import is_hangul

    keep = frozenset(settings.current().korean_tags)
    tokens: list[Token] = []
    for m in morphs:
        tag = m.tag.split("-")[0]  # irregular conjugations are tagged "VV-I", "VA-R", ...
        start, end = m.start, m.start + m.len
        if not (0 <= start < end <= len(segment)):
            continue
        if tag not in keep:
            continue
        if tag == "W_HASHTAG" and segment[start] == "#":
            start += 1  # `#코딩` is indexed as `코딩`
        surface = segment[start:end]
        if not surface:
            continue
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


# Nouns of at least this many syllables are tried for a split into nouns (`인천국제공항`).
COMPOUND_MIN_CHARS = 4
NOUN_TAGS = frozenset({"NNG", "NNP", "NR"})


def _with_parts(tokens: list[Token]) -> list[Token]:
    """Each compound noun followed by its parts, at offsets inside it (nori's "mixed" mode)."""
    out: list[Token] = []
    for tok in tokens:
        out.append(tok)
        if tok.tag in NOUN_TAGS and len(tok.term) >= COMPOUND_MIN_CHARS and tok.end - tok.start == len(tok.term):
            for form, start, end in decompose(tok.term):
                out.append(Token(form, tok.start + start, tok.start + end, tag=tok.tag, analyzer="ko", part=True))
    return out


@lru_cache(maxsize=200_000)
def decompose(noun: str) -> tuple[tuple[str, int, int], ...]:
    """The nouns a compound noun is made of, found by asking Kiwi to read it without the whole word.

    A split is kept only if every part is a noun of two or more syllables: `어시스턴트` must not
    become `어시스턴` + `트`. Parts of four or more syllables are split again (`국제공항`).
    """
    from kiwipiepy import MorphemeSet

    analyzer = kiwi()
    split = whole = analyzer.tokenize(noun)
    if len(whole) == 1:  # read as one word: read it again without that word
        blocked = MorphemeSet(analyzer, [f"{whole[0].form}/{whole[0].tag.split('-')[0]}"])
        split = analyzer.tokenize(noun, blocklist=blocked)
    if len(split) < 2 or any(m.tag not in NOUN_TAGS or m.len < 2 for m in split):
        return ()
    parts: list[tuple[str, int, int]] = []
    for m in split:
        parts.append((m.form, m.start, m.start + m.len))
        if m.len >= COMPOUND_MIN_CHARS:
            parts.extend((f, m.start + s, m.start + e) for f, s, e in decompose(m.form))
    return tuple(parts)


CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
INITIALS_TAGS = frozenset({"NNG", "NNP", "NR", "XR"})


def initials(word: str) -> str:
    """The initial consonants (초성) of a Hangul word, `코딩` → `ㅋㄷ`; "" if not all syllables."""
    out = []
    for ch in word:
        code = ord(ch) - 0xAC00
        if not 0 <= code < 11172:
            return ""
        out.append(CHOSEONG[code // 588])
    return "".join(out)


def is_initials(text: str) -> bool:
    """Whether a typed word is initial consonants only (`ㅋㄷ`), as Korean users search by them."""
    return len(text) >= 2 and all(ch in CHOSEONG for ch in text)
