"""Text analysis: script runs → per-language morphology → tokens with offsets in the original text.

One module per concept: `normalize` (NFKC with an offset map), `script` (runs of Hangul, Japanese,
alphanumeric text), `korean` (Kiwi), `japanese` (Sudachi), `english` (Snowball), `bigrams`
(CJK character bigrams) and `registry`, which composes them.
"""

from searchclip.analyzers.registry import TextAnalysis, analyze, analyze_batch, analyze_texts, bigrams, detect_language
from searchclip.analyzers.token import Token

__all__ = ["TextAnalysis", "Token", "analyze", "analyze_batch", "analyze_texts", "bigrams", "detect_language"]
