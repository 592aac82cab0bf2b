"""Analysis settings a user may change: kept parts of speech and a user dictionary.

Plain data, set once per process with `configure` (the CLI does it from the config file, the
analysis workers from what the parent sends them). Their fingerprint is part of the index version,
so changing them rebuilds the index instead of mixing two analyses.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

KOREAN_TAGS = ("NNG", "NNP", "NR", "XR", "W_HASHTAG", "VV", "VA")
JAPANESE_POS = ("名詞", "動詞", "形容詞", "形状詞", "副詞")


@dataclass(frozen=True, slots=True)
class KoreanWord:
    word: str
    tag: str = "NNP"


@dataclass(frozen=True, slots=True)
class JapaneseWord:
    word: str
    reading: str = ""  # katakana; defaults to the word itself
    pos: str = "固有名詞"  # 固有名詞 or 普通名詞


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    korean_tags: tuple[str, ...] = KOREAN_TAGS  # VV and VA become lemmas (`써보니` → `쓰다`)
    japanese_pos: tuple[str, ...] = JAPANESE_POS
    korean_words: tuple[KoreanWord, ...] = ()
    japanese_words: tuple[JapaneseWord, ...] = ()
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def fingerprint(self) -> str:
        if self == DEFAULT:
            return "default"
        data = {k: v for k, v in asdict(self).items() if k != "extra"}
        return hashlib.sha1(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:12]


DEFAULT = AnalysisSettings()
_current = DEFAULT


def current() -> AnalysisSettings:
    return _current


def configure(settings: AnalysisSettings) -> None:
    """Use these settings from now on in this process (the analyzers reload as needed)."""
    global _current
    if settings == _current:
        return
    _current = settings
    from searchclip.analyzers import japanese, korean

    korean.kiwi.cache_clear()
    korean.decompose.cache_clear()
    japanese.tokenizer.cache_clear()
