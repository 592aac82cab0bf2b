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
from functools import lru_cache
from typing import Any

from searchclip.analyzers.script import is_hangul
from searchclip.analyzers.settings import KoreanWord
from searchclip.analyzers.token import Piece, Token

MODEL_TYPE = "cong"
# By default nouns, numerals, roots and hashtags are kept, and verbs and adjectives become
# "stem + 다" lemmas; particles (J*), endings (E*), affixes, adverbs, determiners and pronouns are
# dropped. The kept tags are a setting (see settings.py).
LEMMA_TAGS = frozenset({"VV", "VA"})
# Nouns of at least this many syllables are tried for a split into nouns (`인천국제공항`).
COMPOUND_MIN_CHARS = 4
NOUN_TAGS = frozenset({"NNG", "NNP", "NR"})
DECOMPOSE_CACHE = 200_000


class KoreanAnalyzer:
    """Kiwi, loaded on first use (an English search never pays for it), with the given tags and words."""

    name = "ko"

    def __init__(self, tags: Sequence[str], words: Sequence[KoreanWord] = ()) -> None:
        self._keep = frozenset(tags)
        self._words = tuple(words)
        self._kiwi: Any = None
        # Per analyzer, so that other settings (a user word) never see another analyzer's splits.
        self._decompose = lru_cache(maxsize=DECOMPOSE_CACHE)(self._decompose_uncached)

    @property
    def kiwi(self) -> Any:
        if self._kiwi is None:
            self._kiwi = _load_kiwi(self._words)
        return self._kiwi

    def analyze(self, pieces: Sequence[Piece]) -> list[list[Token]]:
        """Tokens of each piece, at offsets of the text the piece was cut from."""
        if not pieces:
            return []
        # One call per piece: Kiwi's batch call needs its own threads, which a process per core
        # does not want, and per-call overhead is small next to the analysis itself.
        kiwi = self.kiwi
        return [self._tokens(text, offset, kiwi.tokenize(text)) for text, offset in pieces]

    def _tokens(self, segment: str, offset: int, morphs: Sequence[Any]) -> list[Token]:
        keep = self._keep
        tokens: list[Token] = []
        for m in morphs:
            tag = m.tag.split("-")[0]  # irregular conjugations are tagged "VV-I", "VA-R", ...
            start, end = m.start, m.start + m.len
            if not (0 <= start < end <= len(segment)) or tag not in keep:
                continue
            if tag == "W_HASHTAG" and segment[start] == "#":
                start += 1  # `#코딩` is indexed as `코딩`
            surface = segment[start:end]
            # Only Hangul is Korean's to index: Latin and digits go to the word analyzer.
            if not surface or not (is_hangul(surface[0]) and is_hangul(surface[-1])):
                continue
            form = m.form.lstrip("#")
            if tag in LEMMA_TAGS:
                tokens.append(Token(form + "다", offset + start, offset + end, tag=tag, analyzer="ko"))
            elif " " in surface:
                tokens.extend(_split_spaced(surface, offset + start, tag))
            else:
                tokens.append(Token(form, offset + start, offset + end, tag=tag, analyzer="ko"))
        return tokens

    def compound_parts(self, tokens: list[Token]) -> list[Token]:
        """The nouns each compound noun is made of, at offsets inside it (nori's "mixed" mode)."""
        return [
            Token(form, tok.start + start, tok.start + end, tag=tok.tag, analyzer="ko", part=True)
            for tok in tokens
            if tok.tag in NOUN_TAGS and len(tok.term) >= COMPOUND_MIN_CHARS and tok.end - tok.start == len(tok.term)
            for form, start, end in self.decompose(tok.term)
        ]

    def decompose(self, noun: str) -> tuple[tuple[str, int, int], ...]:
        return self._decompose(noun)

    def _decompose_uncached(self, noun: str) -> tuple[tuple[str, int, int], ...]:
        """Split a compound noun by asking Kiwi to read it without the whole word.

        A split is kept only if every part is a noun of two or more syllables: `어시스턴트` must not
        become `어시스턴` + `트`. Parts of four or more syllables are split again (`국제공항`).
        """
        from kiwipiepy import MorphemeSet

        kiwi = self.kiwi
        split = whole = kiwi.tokenize(noun)
        if len(whole) == 1:  # read as one word: read it again without that word
            blocked = MorphemeSet(kiwi, [f"{whole[0].form}/{whole[0].tag.split('-')[0]}"])
            split = kiwi.tokenize(noun, blocklist=blocked)
        if len(split) < 2 or any(m.tag not in NOUN_TAGS or m.len < 2 for m in split):
            return ()
        parts: list[tuple[str, int, int]] = []
        for m in split:
            parts.append((m.form, m.start, m.start + m.len))
            if m.len >= COMPOUND_MIN_CHARS:
                parts.extend((f, m.start + s, m.start + e) for f, s, e in self.decompose(m.form))
        return tuple(parts)


# Loaded models, keyed by everything that makes them: analyzers built with the same words share one
# (a process that builds a second analyzer, as tests and the service may, does not load Kiwi again).
@lru_cache(maxsize=4)
def _load_kiwi(words: tuple[KoreanWord, ...]) -> Any:
    from kiwipiepy import Kiwi

    # No worker threads: indexing runs one process per core, and a query is one short text.
    with warnings.catch_warnings():
        # kiwipiepy warns that num_workers=0 meant "all cores" before v0.21; it means one thread now.
        warnings.simplefilter("ignore", DeprecationWarning)
        kiwi = Kiwi(model_type=MODEL_TYPE, num_workers=0, load_typo_dict=False, load_multi_dict=False)
    for entry in words:
        kiwi.add_user_word(entry.word, entry.tag, 0.0)
    return kiwi


def _split_spaced(surface: str, start: int, tag: str) -> list[Token]:
    """Kiwi joins some names across spaces (`깃허브 코파일럿`); users search each word."""
    tokens = []
    offset = start
    for word in surface.split(" "):
        if word:
            tokens.append(Token(word, offset, offset + len(word), tag=tag, analyzer="ko"))
        offset += len(word) + 1
    return tokens


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
