"""Compose the analyzers: normalize, split into script runs, send each run to its language.

Korean text goes to Kiwi in segments that span a line's Hangul runs together with the Latin
words and punctuation between them (Kiwi reads better in context), batched across texts.
Japanese runs go to Sudachi, other letter and digit runs to the word analyzer. No segment crosses
a line break, so analyzing one line alone gives the same tokens as analyzing it in its text.
"""

from __future__ import annotations

import os
import re
import sys
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from searchclip.analyzers import english, japanese, korean
from searchclip.analyzers.bigrams import text_bigrams
from searchclip.analyzers.normalize import Normalized, normalize
from searchclip.analyzers.script import HANGUL, Run, Script, has_kana, runs
from searchclip.analyzers.token import Token

# Kiwi reads long lines in pieces cut at a space, so memory and latency stay bounded.
KOREAN_SEGMENT_CHARS = 8_000
_HANGUL_SEARCH = re.compile(f"[{HANGUL}]")


@dataclass(frozen=True, slots=True)
class TextAnalysis:
    """Everything the index needs of one text, from one normalization and one script split."""

    tokens: list[Token]
    bigrams: list[Token]
    language: str
    initials: list[Token]  # 초성 of Korean nouns (`ㅋㄷ` for `코딩`), at the nouns' positions
    readings: list[Token]  # katakana readings of Japanese words, at the words' positions


def analyze(text: str) -> list[Token]:
    """Index terms of a text with positions and offsets into `text`."""
    return analyze_batch([text])[0]


def analyze_batch(texts: Sequence[str], parts: bool = False) -> list[list[Token]]:
    """`analyze` for many texts at once; `parts`: compound parts too, as indexing wants them."""
    return [a.tokens for a in analyze_texts(texts, with_bigrams=False, parts=parts)]


def analyze_texts(texts: Sequence[str], with_bigrams: bool = True, parts: bool = False) -> list[TextAnalysis]:
    """Tokens, bigrams, language, initials and readings of each text (compound parts with `parts`)."""
    norms = [normalize(t) for t in texts]
    all_runs = [runs(n.text) for n in norms]
    found: list[list[Token]] = [[] for _ in texts]
    ko_segments: list[str] = []
    ko_where: list[tuple[int, int]] = []
    for i, (norm, text_runs) in enumerate(zip(norms, all_runs, strict=True)):
        for start, end in _korean_segments(norm.text, text_runs):
            ko_segments.append(norm.text[start:end])
            ko_where.append((i, start))
        for run in text_runs:
            piece = norm.text[run.start : run.end]
            if run.script is Script.JAPANESE:
                found[i].extend(_shift(japanese.analyze_run(piece, parts), run.start))
            elif run.script is Script.WORD:
                found[i].append(english.analyze_word(piece, run.start))
    for (i, offset), tokens in zip(ko_where, korean.analyze_segments(ko_segments, parts), strict=True):
        found[i].extend(_shift(tokens, offset))
    results = []
    for tokens, norm, text_runs in zip(found, norms, all_runs, strict=True):
        finished = _finish(tokens, norm)
        results.append(
            TextAnalysis(
                finished,
                _finish(text_bigrams(norm.text, text_runs), norm) if with_bigrams else [],
                _language(norm.text, text_runs),
                _initials(finished, norm, text_runs),
                [_derived(t, t.reading, "reading") for t in finished if t.reading],
            )
        )
    return results


def _initials(tokens: list[Token], norm: Normalized, text_runs: list[Run]) -> list[Token]:
    """초성 of every Korean noun and of every Hangul word as written (`인공지능` even when Kiwi reads
    `인공` + `지능`): users type the initials of what they see."""
    found = []
    for tok in tokens:
        if tok.analyzer == "ko" and tok.tag in korean.INITIALS_TAGS and (consonants := korean.initials(tok.term)):
            found.append(_derived(tok, consonants, "initials"))
    starts = [t.start for t in tokens]
    for run in text_runs:
        consonants = korean.initials(norm.text[run.start : run.end]) if run.script is Script.HANGUL else ""
        if len(consonants) >= 2:
            start, end = norm.to_original(run.start, run.end) if norm.norm_starts else (run.start, run.end)
            position = tokens[max(0, bisect_right(starts, start) - 1)].position if tokens else 0
            found.append(Token(consonants, start, end, position, "initials", "ko"))
    return found


def _derived(tok: Token, term: str, tag: str) -> Token:
    return Token(term, tok.start, tok.end, tok.position, tag, tok.analyzer, tok.part)


def bigrams(text: str) -> list[Token]:
    """CJK character bigrams of a text, with positions and offsets into `text`."""
    norm = normalize(text)
    return _finish(text_bigrams(norm.text, runs(norm.text)), norm)


def detect_language(text: str) -> str:
    """ "ko", "ja", "en" or "" for a text, by which script carries most of it."""
    norm = normalize(text)
    return _language(norm.text, runs(norm.text))


def _language(text: str, text_runs: list[Run]) -> str:
    counts = {"ko": 0, "ja": 0, "en": 0}
    for run in text_runs:
        length = run.end - run.start
        if run.script is Script.HANGUL:
            counts["ko"] += length
        elif run.script is Script.JAPANESE:
            counts["ja"] += length
        else:
            # A Latin word carries about as much as two or three CJK characters.
            counts["en"] += max(1, length // 3)
    if counts["ja"] and not counts["ko"] and not has_kana(text) and counts["ja"] < counts["en"]:
        counts["ja"] = 0
    lang = max(counts, key=lambda k: counts[k])
    return lang if counts[lang] else ""


def _korean_segments(text: str, text_runs: list[Run]) -> list[tuple[int, int]]:
    """Stretches of a line between Japanese runs that hold Hangul, cut to Kiwi-sized pieces.

    The Latin words around Hangul stay in the segment: `Code를` reads as a particle after a
    word only when Kiwi sees the word.
    """
    segments: list[tuple[int, int]] = []
    stretch_start = 0
    has_hangul = False
    for run in text_runs:
        line_break = text.rfind("\n", stretch_start, run.start)
        if line_break != -1:
            _close(text, stretch_start, line_break, has_hangul, segments)
            stretch_start, has_hangul = line_break + 1, False
        if run.script is Script.JAPANESE:
            _close(text, stretch_start, run.start, has_hangul, segments)
            stretch_start, has_hangul = run.end, False
        elif run.script is Script.HANGUL:
            has_hangul = True
    end = text.find("\n", stretch_start)
    _close(text, stretch_start, len(text) if end == -1 else end, has_hangul, segments)
    return segments


def _close(text: str, start: int, end: int, has_hangul: bool, segments: list[tuple[int, int]]) -> None:
    """Add text[start:end] as segments, cut at spaces into pieces Kiwi reads quickly."""
    while has_hangul and start < end:
        cut = end
        if end - start > KOREAN_SEGMENT_CHARS:
            space = text.rfind(" ", start, start + KOREAN_SEGMENT_CHARS)
            cut = space + 1 if space > start else start + KOREAN_SEGMENT_CHARS
        if _HANGUL_SEARCH.search(text, start, cut):  # a piece of only Latin words needs no Kiwi
            segments.append((start, cut))
        start = cut


def _shift(tokens: list[Token], offset: int) -> list[Token]:
    if not offset:
        return tokens
    return [
        Token(t.term, t.start + offset, t.end + offset, t.position, t.tag, t.analyzer, t.part, t.reading)
        for t in tokens
    ]


def _finish(tokens: list[Token], norm: Normalized) -> list[Token]:
    """Order tokens by where they stand, number their positions, map offsets to the original.

    A compound's parts come right after it and share its position, so that phrases over the
    whole words keep working.
    """
    tokens.sort(key=lambda t: (t.start, -t.end, t.part))
    finished = []
    position = -1
    for tok in tokens:
        if not tok.part:
            position += 1
        start, end = norm.to_original(tok.start, tok.end) if norm.norm_starts else (tok.start, tok.end)
        finished.append(Token(tok.term, start, end, max(position, 0), tok.tag, tok.analyzer, tok.part, tok.reading))
    return finished


# Bump when this package's own rules change (tags kept, normalization, segmentation).
ANALYSIS_VERSION = 5
_ANALYZER_PACKAGES = ("kiwipiepy", "kiwipiepy-model", "sudachipy", "sudachidict-core", "PyStemmer")


def analysis_version() -> str:
    """This analysis and the versions of the dictionaries and models behind it."""
    from searchclip.analyzers.settings import current

    return ",".join([f"analysis{ANALYSIS_VERSION}", f"settings={current().fingerprint()}", *_package_versions()])


@cache
def _package_versions() -> tuple[str, ...]:
    """Read once per process: package metadata costs milliseconds on every search otherwise."""
    return tuple(f"{package}={installed_version(package) or '?'}" for package in _ANALYZER_PACKAGES)


def installed_version(package: str) -> str | None:
    """The installed version of `package`, from its `NAME-VERSION.dist-info` folder name.

    A cold search pays for every import: importlib.metadata costs about 25 ms to import, a listing
    of site-packages well under 1 ms. Packages without a dist-info folder (eggs, zip imports) are
    looked up with importlib.metadata.
    """
    found = _dist_info_versions().get(_normalized(package))
    if found is not None:
        return found
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as metadata_version

    try:
        return metadata_version(package)
    except PackageNotFoundError:
        return None


@cache
def _dist_info_versions() -> dict[str, str]:
    """Normalized distribution name → version, the first found in sys.path order, as imports do.

    The working folder (`''` under `python -m`) is skipped: it can hold thousands of clippings
    and no installed package.
    """
    found: dict[str, str] = {}
    for entry in sys.path:
        if not entry or not os.path.isdir(entry):
            continue
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        for name in names:
            stem, dash, version = name.removesuffix(".dist-info").rpartition("-")
            if name.endswith(".dist-info") and dash:
                found.setdefault(_normalized(stem), version)
    return found


def _normalized(name: str) -> str:
    """A distribution name as wheels spell it in file names (PEP 503 and 427): `kiwipiepy_model`."""
    return re.sub(r"[-_.]+", "_", name).lower()
