"""Analysis settings a user may change: kept parts of speech and a user dictionary.

Plain data: the app reads them from the config file and builds the analysis pipeline from them
(`pipeline.ScriptAnalyzers`); the analysis workers get a copy and build their own. Their
fingerprint is part of the index version, so changing them rebuilds the index instead of mixing
two analyses.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

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

    def fingerprint(self) -> str:
        if self == DEFAULT:
            return "default"
        data = asdict(self)
        return hashlib.sha1(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:12]


DEFAULT = AnalysisSettings()
