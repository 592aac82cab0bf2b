"""Text → tokens with offsets in the original text. Knows nothing of files, indexes or queries.

Data flows through the modules in this order: `normalize` (NFKC with an offset map) → `script`
(runs of Hangul, Japanese, other letters) → `segment` (pieces per script analyzer) → `korean`
(Kiwi), `japanese` (Sudachi), `english` (Snowball) → `filters` (compound parts, positions,
initials, readings, bigrams) → `pipeline`, which composes them from `settings`.
"""

from searchclip.analyzers.pipeline import Analysis, Analyzer, bigrams, detect_language
from searchclip.analyzers.settings import AnalysisSettings, JapaneseWord, KoreanWord
from searchclip.analyzers.token import Token

__all__ = [
    "Analysis",
    "AnalysisSettings",
    "Analyzer",
    "JapaneseWord",
    "KoreanWord",
    "Token",
    "bigrams",
    "detect_language",
]
