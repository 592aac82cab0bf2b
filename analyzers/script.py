"""Split text into runs of one script: Hangul, Japanese (kana and kanji), other letters and digits.

Everything between runs (spaces, punctuation, symbols, emoji) belongs to no run and is never
indexed. Each run goes to the analyzer of its script, so a Korean post with English terms and a
Japanese ad is analyzed piece by piece, each piece by its own analyzer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

HANGUL = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\ud7b0-\ud7ff"
# Kana, the prolonged sound mark, iteration marks and CJK ideographs (kanji, also in Korean text).
_JAPANESE = "\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3005-\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"(?P<ko>[{HANGUL}]+)|(?P<ja>[{_JAPANESE}]+)|(?P<word>[^\W_{HANGUL}{_JAPANESE}]+)")
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff]")


class Script(Enum):
    HANGUL = "ko"
    JAPANESE = "ja"
    WORD = "word"  # Latin and other alphabets, digits


_GROUP_SCRIPT = {"ko": Script.HANGUL, "ja": Script.JAPANESE, "word": Script.WORD}


@dataclass(frozen=True, slots=True)
class Run:
    script: Script
    start: int
    end: int


def runs(text: str) -> list[Run]:
    """The script runs of a text, in order."""
    return [Run(_GROUP_SCRIPT[m.lastgroup or "word"], m.start(), m.end()) for m in _RUNS.finditer(text)]


_HANGUL_CHAR = re.compile(f"[{HANGUL}]")


def is_hangul(ch: str) -> bool:
    return _HANGUL_CHAR.match(ch) is not None


def has_kana(text: str) -> bool:
    return _KANA.search(text) is not None
