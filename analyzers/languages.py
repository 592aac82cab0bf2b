"""Which language a text is in, from its scripts and, for Latin text, its commonest words.

`ko`, `ja` and `en` as before; `zh` for ideographs without any kana (Japanese prose always has
kana, Chinese never does); for Latin text that is not English, the language whose commonest words
it uses (`de`, `fr`, `es`, `it`, `pt`, `nl`, `sv`), where that is clear; `other` for other
alphabets (Cyrillic, Greek, Arabic, Thai…). Cheap: one pass over the script runs.
"""

from __future__ import annotations

import re

from searchclip.analyzers.script import Run, Script

# Ideographs in a text without kana and Hangul before it is Chinese: a Japanese title may be a few
# kanji alone (`東京大学入試`), a Chinese post has many.
ZH_MIN_IDEOGRAPHS = 10
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# A handful of each language's commonest words; a text uses them far more than any other's.
STOP_WORDS = {
    "en": "the and of to is in that it for with as on are this be was you not by have",
    "de": "der die das und ist nicht ein eine ich zu mit den von auf sich auch dem",
    "fr": "le la les et est des une un du que pas pour dans qui sur avec je au",
    "es": "el la los las y que es un una por con para del se no lo como",
    "it": "il la che di è un una per non del con sono gli le della",
    "pt": "o os as que é um uma para não com do da em dos das",
    "nl": "de het een en is van dat niet op te zijn voor met ik",
    "sv": "och att det som är en ett på för med inte av jag till har",
}
_STOP = {lang: frozenset(words.split()) for lang, words in STOP_WORDS.items()}
MIN_STOP_WORDS = 3  # fewer than this: too little text to tell, and English it stays


def language(text: str, text_runs: list[Run]) -> str:
    counts = {"ko": 0, "ja": 0, "en": 0, "other": 0}
    kana = ideographs = 0
    latin: list[str] = []
    for run in text_runs:
        length = run.end - run.start
        piece = text[run.start : run.end]
        if run.script is Script.HANGUL:
            counts["ko"] += length
        elif run.script is Script.JAPANESE:
            counts["ja"] += length
            in_kana = len(_KANA.findall(piece))
            kana += in_kana
            ideographs += length - in_kana
        elif _LATIN.match(piece) or piece.isdigit():
            # A Latin word carries about as much as two or three CJK characters.
            counts["en"] += max(1, length // 3)
            latin.append(piece.lower())
        else:
            counts["other"] += max(1, length // 3)
    if counts["ja"] and not counts["ko"] and not kana and counts["ja"] < counts["en"]:
        counts["ja"] = 0  # a few kanji in English text do not make it Japanese
    lang = max(counts, key=lambda k: counts[k])
    if not counts[lang]:
        return ""
    if lang == "ja" and not kana and not counts["ko"] and ideographs >= ZH_MIN_IDEOGRAPHS:
        return "zh"
    if lang == "en":
        return _latin_language(latin)
    return lang


def _latin_language(words: list[str]) -> str:
    hits = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOP.items()}
    best = max(hits, key=lambda k: hits[k])
    if best != "en" and hits[best] >= MIN_STOP_WORDS and hits[best] > 2 * hits["en"]:
        return best
    return "en"
