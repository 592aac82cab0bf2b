"""The analysis pipeline: normalize → segment by script → one analyzer per script → filter stages.

    text ──normalize──▶ NFKC text + offset map ──runs/segment──▶ pieces per script
         ──KoreanAnalyzer (Kiwi, batched over all texts) / JapaneseAnalyzer (Sudachi) / WordAnalyzer──▶ terms
         ──stages (filters.py)──▶ named streams: terms, initials, readings, bigrams

`Analyzer` is built once from explicit settings and passed to whoever analyzes: indexing uses its
`index` pipeline (compound parts and every stream), queries its `query` pipeline (whole words).
Both share the script analyzers, so Kiwi and Sudachi load once, on first use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from searchclip.analyzers.bigrams import text_bigrams
from searchclip.analyzers.english import WordAnalyzer
from searchclip.analyzers.filters import (
    BIGRAMS,
    INITIALS,
    READINGS,
    TERMS,
    Bigrams,
    CompoundParts,
    Initials,
    Positions,
    Readings,
    Stage,
    TextState,
    finish,
)
from searchclip.analyzers.japanese import JapaneseAnalyzer
from searchclip.analyzers.korean import KoreanAnalyzer
from searchclip.analyzers.languages import language
from searchclip.analyzers.normalize import normalize
from searchclip.analyzers.script import Script, runs
from searchclip.analyzers.segment import Segments, segment
from searchclip.analyzers.settings import DEFAULT, AnalysisSettings
from searchclip.analyzers.token import Piece, Token
from searchclip.analyzers.version import analysis_version


class ScriptAnalyzer(Protocol):
    """One script's analyzer: pieces of text in, tokens out, at the pieces' offsets in their text.

    Those that split compounds also offer `compound_parts` (filters.Decompounder)."""

    name: str

    def analyze(self, pieces: Sequence[Piece]) -> list[list[Token]]: ...


@dataclass(frozen=True, slots=True)
class Analysis:
    """A text's named token streams (see filters.py) and its language."""

    streams: Mapping[str, list[Token]]
    language: str

    @property
    def tokens(self) -> list[Token]:
        return self.streams[TERMS]

    @property
    def bigrams(self) -> list[Token]:
        return self.streams.get(BIGRAMS, [])

    @property
    def initials(self) -> list[Token]:
        return self.streams.get(INITIALS, [])

    @property
    def readings(self) -> list[Token]:
        return self.streams.get(READINGS, [])


class Pipeline:
    """Segmentation, the script analyzers and an ordered list of stages."""

    def __init__(self, analyzers: Mapping[Script, ScriptAnalyzer], stages: Sequence[Stage]) -> None:
        self._korean = analyzers[Script.HANGUL]
        self._japanese = analyzers[Script.JAPANESE]
        self._words = analyzers[Script.WORD]
        self.stages = tuple(stages)

    def run(self, texts: Sequence[str]) -> list[Analysis]:
        norms = [normalize(t) for t in texts]
        all_runs = [runs(n.text) for n in norms]
        languages = [language(n.text, r) for n, r in zip(norms, all_runs, strict=True)]
        # Chinese is not Japanese: its ideographs go to no dictionary (the bigrams find them).
        segments = [
            segment(n.text, r, japanese=lang != "zh") for n, r, lang in zip(norms, all_runs, languages, strict=True)
        ]
        terms: list[list[Token]] = [[] for _ in texts]
        # Each analyzer gets the pieces of every text in one call: Kiwi reads them as one batch.
        for analyzer, pieces_of in (
            (self._japanese, _japanese),
            (self._words, _words),
            (self._korean, _korean),
        ):
            _analyze_all(analyzer, [pieces_of(s) for s in segments], terms)
        results = []
        for norm, text_runs, tokens, lang in zip(norms, all_runs, terms, languages, strict=True):
            state = TextState(norm, text_runs, {TERMS: tokens})
            for stage in self.stages:
                stage(state)
            results.append(Analysis(state.streams, lang))
        return results


def _japanese(s: Segments) -> list[Piece]:
    return s.japanese


def _words(s: Segments) -> list[Piece]:
    return s.words


def _korean(s: Segments) -> list[Piece]:
    return s.korean


def _analyze_all(analyzer: ScriptAnalyzer, pieces: list[list[Piece]], terms: list[list[Token]]) -> None:
    """Analyze every text's pieces in one call and add the tokens to each text's terms."""
    flat = [piece for text_pieces in pieces for piece in text_pieces]
    if not flat:
        return
    found = iter(analyzer.analyze(flat))
    for text_terms, text_pieces in zip(terms, pieces, strict=True):
        for _ in text_pieces:
            text_terms.extend(next(found))


class Analyzer:
    """All of searchclip's analysis for one set of settings: build once, pass it in."""

    def __init__(self, settings: AnalysisSettings = DEFAULT) -> None:
        self.settings = settings
        self.korean = KoreanAnalyzer(settings.korean_tags, settings.korean_words)
        self.japanese = JapaneseAnalyzer(settings.japanese_pos, settings.japanese_words)
        self.words = WordAnalyzer()
        scripts: dict[Script, ScriptAnalyzer] = {
            Script.HANGUL: self.korean,
            Script.JAPANESE: self.japanese,
            Script.WORD: self.words,
        }
        # What the index holds of a text: compounds with their parts, and every derived stream.
        parts = CompoundParts([self.korean, self.japanese])
        self.index = Pipeline(scripts, [parts, Positions(), Initials(), Readings(), Bigrams()])
        # What a query is made of: whole words (a compound typed is searched whole).
        self.query = Pipeline(scripts, [Positions()])

    @property
    def version(self) -> str:
        """Changes whenever the same text could be analyzed differently."""
        return analysis_version(self.settings)

    def analyze(self, text: str) -> list[Token]:
        """A text's terms as a query is analyzed: whole words, no derived streams."""
        return self.query.run([text])[0].tokens

    def analyze_for_index(self, texts: Sequence[str]) -> list[Analysis]:
        return self.index.run(texts)


def bigrams(text: str) -> list[Token]:
    """CJK character bigrams of a text, with positions and offsets into `text` (no analyzer needed)."""
    norm = normalize(text)
    return finish(text_bigrams(norm.text, runs(norm.text)), norm)


def detect_language(text: str) -> str:
    """ "ko", "ja", "zh", "en", another Latin language, "other" or "" for a text (languages.py)."""
    norm = normalize(text)
    return language(norm.text, runs(norm.text))
