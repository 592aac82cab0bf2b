"""Text analysis: script runs → per-language morphology → tokens with offsets in the original text.

One module per concept: `normalize` (NFKC with an offset map), `script` (runs of Hangul, Japanese,
alphanumeric text), `korean` (Kiwi), `japanese` (Sudachi), `english` (Snowball), `bigrams`
(CJK character bigrams) and `registry`, which composes them.
"""

from searchclip.analyzers.registry import analyze, analyze_batch, bigrams, detect_language
from searchclip.analyzers.token import Token

__all__ = ["Token", "analyze", "analyze_batch", "bigrams", "detect_language"]
