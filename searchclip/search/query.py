"""User query text → a query plan, through the same analysis as the indexed text.

Words separated by spaces each become a clause that must match (or any one with `--any`);
"quoted phrases" must match as a phrase. Every clause may match the analyzed body or title, or
the CJK character bigrams of what was typed, which finds words the dictionaries split otherwise.
How clauses are weighed is ranking.py's business.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from searchclip.analyzers import Analyzer, bigrams, detect_language
from searchclip.analyzers.japanese import fold_kana
from searchclip.analyzers.korean import is_initials
from searchclip.analyzers.normalize import normalize
from searchclip.errors import QuerySyntaxError
from searchclip.index.highlights import INITIALS_KEY, READING_KEY

# A pasted paragraph is a query too; one that long is reduced to its most informative words (`prepare`).
MAX_QUERY_CHARS = 50_000
MAX_CLAUSES = 32
_KANA_ONLY = re.compile(r"[\u3041-\u309f\u30a0-\u30ff]+")
_IDEOGRAPHS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
_QUOTES = {'"': '"', "“": "”", "「": "」"}


@dataclass(frozen=True, slots=True)
class Clause:
    """Terms that must stand together (one term, or a phrase) and their bigram alternative."""

    terms: tuple[str, ...]
    bigrams: tuple[str, ...]
    text: str
    initials: str = ""  # typed as Korean initial consonants (`ㅋㄷ`): matches nouns starting so
    reading: str = ""  # typed in kana: also matches words read so (`とうきょう` → `東京`)
    alternatives: tuple[tuple[str, ...], ...] = ()  # synonyms, analyzed: each a term or a phrase
    fuzzy: bool = False  # also match terms a typo away (one character, two in long Latin words)
    # A word typed in kana only is first a reading (`とうけい` is 統計, not と + うけい): these are its
    # words as analyzed, searched instead when no post has the reading (see `prepare`).
    fallback: tuple[Clause, ...] = ()


@dataclass(frozen=True, slots=True)
class Filters:
    authors: tuple[str, ...] = ()  # display names or @handles; any may match
    tags: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Author:
    """An --author filter, analyzed: the handle it may be and, for a name, the name's terms."""

    handle: str
    terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QueryPlan:
    clauses: tuple[Clause, ...]
    match_all: bool = True
    filters: Filters = field(default_factory=Filters)
    expand: bool = False  # add words from the best first results (see expansion.py)
    authors: tuple[Author, ...] = ()

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(t for c in self.clauses for t in (*c.terms, *(a for alt in c.alternatives for a in alt)))

    @property
    def highlight_keys(self) -> frozenset[str]:
        """What to look up in a post's stored offsets (see index/highlights.py); `*` marks a prefix."""
        keys = set(self.terms)
        keys.update(READING_KEY + c.reading for c in self.clauses if c.reading)
        keys.update(INITIALS_KEY + c.initials + "*" for c in self.clauses if c.initials)
        keys.update(f"~{fuzzy_distance(c.terms[0])}:{c.terms[0]}" for c in self.clauses if c.fuzzy)
        return frozenset(keys)


def split_query(text: str) -> list[tuple[str, bool]]:
    """The query's words and quoted phrases, as (text, is_phrase); raises on an unclosed quote."""
    pieces: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in _QUOTES:
            close = text.find(_QUOTES[ch], i + 1)
            if close == -1:
                raise QuerySyntaxError(f"unbalanced quote: the {ch} at character {i + 1} is never closed")
            if text[i + 1 : close].strip():
                pieces.append((text[i + 1 : close], True))
            i = close + 1
        elif ch.isspace():
            i += 1
        else:
            end = i
            while end < len(text) and not text[end].isspace() and text[end] not in _QUOTES:
                end += 1
            pieces.append((text[i:end], False))
            i = end
    return pieces


class QueryParser:
    """Query text → `QueryPlan`, with one analyzer and one set of synonym groups.

    Synonym members are analyzed once, on first use, by this parser's own analyzer: a parser built
    for other settings analyzes them again.
    """

    def __init__(self, analyzer: Analyzer, synonyms: Sequence[Sequence[str]] = ()) -> None:
        self.analyzer = analyzer
        self._synonyms = tuple(tuple(group) for group in synonyms)
        self._groups: list[list[tuple[str, ...]]] | None = None

    def parse(
        self,
        text: str,
        match_all: bool = True,
        filters: Filters | None = None,
        fuzzy: bool = False,
        expand: bool = False,
    ) -> QueryPlan:
        if len(text) > MAX_QUERY_CHARS:
            raise QuerySyntaxError(f"the query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
        clauses: list[Clause] = []
        for piece, is_phrase in split_query(text):
            clauses.extend(self._clauses(piece, is_phrase, fuzzy))
        if self._synonyms:
            clauses = _with_synonyms(clauses, self._synonym_groups())
        if not match_all:
            clauses = _without_stop_words(clauses)
        unique = tuple(dict.fromkeys(clauses, None))
        filters = filters or Filters()
        return QueryPlan(unique, match_all, filters, expand, tuple(self._author(a) for a in filters.authors))

    def _clauses(self, piece: str, is_phrase: bool, fuzzy: bool) -> list[Clause]:
        if not is_phrase and is_initials(piece):
            return [Clause((), (), piece, initials=piece)]
        folded = fold_kana(normalize(piece).text)
        if not is_phrase and len(folded) >= 2 and _KANA_ONLY.fullmatch(folded):
            return [Clause((), (), piece, reading=folded, fallback=tuple(self._word_clauses(piece, fuzzy)))]
        return self._word_clauses(piece, fuzzy, is_phrase)

    def _word_clauses(self, piece: str, fuzzy: bool, is_phrase: bool = False) -> list[Clause]:
        tokens = self.analyzer.analyze(piece)
        if not tokens and detect_language(piece) == "zh":  # no dictionary reads Chinese: its bigrams
            grams = tuple(b.term for b in bigrams(piece))
            return [Clause((), grams, piece)] if grams else []
        if is_phrase or (_IDEOGRAPHS.fullmatch(piece) and any(t.end - t.start == 1 for t in tokens)):
            # A phrase; or ideographs the dictionary cut into single characters (Chinese, mostly):
            # one clause, its bigram chain as the index holds Chinese, not a clause per character.
            terms = tuple(t.term for t in tokens)
            return [Clause(terms, tuple(b.term for b in bigrams(piece)), piece)]
        clauses = []
        for tok in tokens:
            surface = piece[tok.start : tok.end]
            # A noun typed in kana (`とうきょう`) also matches words read so (`東京`); verbs typed in kana
            # are already normalized by Sudachi, and their readings would match unrelated words.
            reading = tok.reading if tok.tag == "名詞" and _KANA_ONLY.fullmatch(surface) else ""
            bigram_terms = tuple(b.term for b in bigrams(surface))
            clauses.append(
                Clause((tok.term,), bigram_terms, surface, reading=reading, fuzzy=fuzzy and len(tok.term) > 1)
            )
        return clauses

    def _author(self, author: str) -> Author:
        """A name or @handle: an @handle matches handles only, a name also the author's words."""
        name = author.removeprefix("@")
        terms = () if author.startswith("@") else tuple(t.term for t in self.analyzer.analyze(name))
        return Author(name.lower(), terms)

    def _synonym_groups(self) -> list[list[tuple[str, ...]]]:
        if self._groups is None:
            analyze = self.analyzer.analyze
            self._groups = [
                [t for m in group if (t := tuple(tok.term for tok in analyze(m)))] for group in self._synonyms
            ]
        return self._groups


# English stop words: NLTK's English list without its contractions, and without "don", "won" and "ma",
# which are also names and a currency (150 words). Lucene's 33 leave question words such as "what",
# "which", "how" and "when" in natural-language queries.
_NLTK_ENGLISH = """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her
    hers herself it its itself they them their theirs themselves what which who whom this that these those am is are
    was were be been being have has had having do does did doing a an the and but if or because as until while
    of at by for with about against between into through during before after above below to from up down in out
    on off over under again further then once here there when where why how all any both each few more most
    other some such no nor not only own same so than too very s t can will just should now d ll m o re ve y
    ain aren couldn didn doesn hadn hasn haven isn mightn mustn needn shan shouldn wasn weren wouldn"""
ENGLISH_STOP_WORDS = frozenset(_NLTK_ENGLISH.split())


def _without_stop_words(clauses: list[Clause]) -> list[Clause]:
    """With --any, English stop words add only noise (to scores and to word-pair proximity); they
    stay in phrases, and a query made only of them keeps them."""
    kept = [c for c in clauses if not (len(c.terms) == 1 and c.text.lower() in ENGLISH_STOP_WORDS)]
    return kept or clauses


def prepare(plan: QueryPlan, doc_freq: Callable[[str, str], int], num_posts: int) -> QueryPlan:
    """The plan as the index will run it: each kana word as its reading if any post has it, else
    as its words; and a query of more than MAX_CLAUSES words (a pasted paragraph) reduced to its
    MAX_CLAUSES rarest, any of which may match."""
    clauses: list[Clause] = []
    for clause in plan.clauses:
        if clause.fallback and not doc_freq("readings", clause.reading):
            clauses.extend(clause.fallback)
        else:
            clauses.append(replace(clause, fallback=()))
    if len(clauses) <= MAX_CLAUSES:
        return replace(plan, clauses=tuple(dict.fromkeys(clauses)))
    rarity = {c: _rarity(c, doc_freq, num_posts) for c in dict.fromkeys(clauses)}
    kept = set(sorted(rarity, key=lambda c: -rarity[c])[:MAX_CLAUSES])
    return replace(plan, clauses=tuple(c for c in rarity if c in kept), match_all=False)


def _rarity(clause: Clause, doc_freq: Callable[[str, str], int], num_posts: int) -> float:
    """How much a clause says: the inverse document frequency of its rarest term."""
    frequencies = [doc_freq("body", t) for t in clause.terms] or [doc_freq("bigrams", g) for g in clause.bigrams[:1]]
    return math.log(1 + num_posts / (1 + min(frequencies, default=num_posts)))


def fuzzy_distance(term: str) -> int:
    """How many edits a typo may be: one, or two for Latin words of six letters or more."""
    return 2 if term.isascii() and len(term) >= 6 else 1


def _with_synonyms(clauses: list[Clause], groups: list[list[tuple[str, ...]]]) -> list[Clause]:
    """Clauses whose terms spell a synonym group member (as a word or a phrase) match the others too.

    Members go through the same analysis as the query, so a member that the analyzer splits
    (`대규모 언어 모델`, a compound) is matched and searched as a phrase of its parts.
    """
    out: list[Clause] = []
    i = 0
    while i < len(clauses):
        found = _longest_member(clauses, i, groups)
        if found is None:
            out.append(clauses[i])
            i += 1
            continue
        member, group, span = found
        others = tuple(m for m in group if m != member)
        first = clauses[i]
        text = " ".join(c.text for c in clauses[i : i + span])
        merged = Clause(member, first.bigrams if span == 1 else (), text, alternatives=others)
        out.append(merged)
        i += span
    return out


def _longest_member(
    clauses: list[Clause], i: int, groups: list[list[tuple[str, ...]]]
) -> tuple[tuple[str, ...], list[tuple[str, ...]], int] | None:
    best = None
    for group in groups:
        for member in group:
            if clauses[i].terms == member:
                span = 1
            elif (
                all(len(c.terms) == 1 for c in clauses[i : i + len(member)])
                and tuple(c.terms[0] for c in clauses[i : i + len(member)]) == member
            ):
                span = len(member)
            else:
                continue
            if best is None or len(member) > len(best[0]):
                best = (member, group, span)
    return best
