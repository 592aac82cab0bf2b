"""Query plan → Tantivy query → ranked `Hit`s. Only this package imports tantivy."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from dataclasses import dataclass
from pathlib import Path

import tantivy

from searchclip.errors import IndexMissingError, IndexVersionError
from searchclip.feedback import FEEDBACK_POSTS, MAX_POST_SHARE, ORIGINAL_WEIGHT, expansion_terms
from searchclip.highlight import decode_highlights, stored_term_counts
from searchclip.hits import Hit, Results
from searchclip.index.schema import SCHEMA_VERSION, as_datetime, build_schema
from searchclip.index.store import current_generation, read_manifest
from searchclip.query import Clause, Filters, QueryPlan, fuzzy_distance

OPEN_ATTEMPTS = 5
DISMAX_TIE = 0.3


@dataclass(frozen=True, slots=True)
class Weights:
    """Field boosts of the ranking (BM25 per field, summed)."""

    body: float = 1.0
    title: float = 2.0
    bigrams: float = 0.3
    initials: float = 1.0
    readings: float = 0.8
    synonyms: float = 0.8
    fuzzy: float = 0.5
    proximity: float = 0.5  # per pair of neighbouring query words near each other (slop 3): a bonus, never required


def _check_version(root: Path, gen: Path) -> None:
    manifest = read_manifest(gen)
    if manifest is None and not gen.exists():
        raise FileNotFoundError(gen)  # switched away and removed meanwhile: the caller retries
    if manifest is None or manifest.version != index_version():
        raise IndexVersionError(
            f"the index at {root} was built by another version of searchclip or its "
            "dictionaries; rebuild it with: searchclip index --full"
        )


def index_version() -> str:
    from searchclip.analyzers.registry import analysis_version

    return f"schema{SCHEMA_VERSION};{analysis_version()}"


class IndexReader:
    def __init__(self, root: Path, check_version: bool = True) -> None:
        self._schema = build_schema()
        # A full rebuild may switch generations (and delete the old one) while we open it: retry.
        for attempt in range(OPEN_ATTEMPTS):
            gen = current_generation(root)
            if gen is None:
                raise IndexMissingError(f"no index at {root} yet; build it with: searchclip index FOLDER")
            try:
                if check_version:
                    _check_version(root, gen)
                self._index = tantivy.Index.open(str(gen))
                self._searcher = self._index.searcher()
                return
            except (OSError, ValueError):
                if attempt == OPEN_ATTEMPTS - 1 or current_generation(root) == gen:
                    raise
                time.sleep(0.05)

    @property
    def num_posts(self) -> int:
        return self._searcher.num_docs

    def search(self, plan: QueryPlan, limit: int = 10, offset: int = 0, weights: Weights = Weights()) -> Results:
        query = self.build_query(plan, weights)
        if query is None:
            return Results((), 0)
        result = self._searcher.search(query, limit=limit, offset=offset, count=True)
        hits = tuple(_hit(self._searcher.doc(addr), score, plan.highlight_keys) for score, addr in result.hits)
        return Results(hits, result.count if result.count is not None else len(hits))

    def get(self, post_id: str) -> Hit | None:
        result = self._searcher.search(tantivy.Query.term_query(self._schema, "id", post_id), limit=1)
        return _hit(self._searcher.doc(result.hits[0][1]), 0.0, frozenset()) if result.hits else None

    def build_query(self, plan: QueryPlan, weights: Weights = Weights()) -> tantivy.Query | None:
        if not plan.clauses:
            return None
        filters = self._filters(plan.filters)
        ranking = self._ranking(plan, weights)
        query = _all_of(ranking, filters)
        if plan.expand:
            query = _all_of(self._expanded(plan, weights, ranking, query), filters)
        return query

    def _expanded(
        self, plan: QueryPlan, weights: Weights, ranking: tantivy.Query, first_pass: tantivy.Query
    ) -> tantivy.Query:
        """The ranking with the words that stand out in the first pass's best posts (RM3, see feedback.py)."""
        first = self._searcher.search(first_pass, limit=FEEDBACK_POSTS).hits
        feedback = [
            (score, stored_term_counts(self._searcher.doc(addr).get_first("highlights") or b""))
            for score, addr in first
        ]
        most = MAX_POST_SHARE * self._searcher.num_docs
        added = expansion_terms(feedback, too_common=lambda term: self._searcher.doc_freq("body", term) > most)
        if not added:
            return ranking
        original = tantivy.Query.boost_query(ranking, ORIGINAL_WEIGHT)
        # As in Anserini, the added words together weigh as much as the typed words: each typed word
        # counts 1 in the original query, so the added ones share (1 - ORIGINAL_WEIGHT) × their number.
        mass = (1 - ORIGINAL_WEIGHT) * len(plan.clauses) * weights.body
        words = [
            tantivy.Query.boost_query(tantivy.Query.term_query(self._schema, "body", term), mass * share)
            for term, share in added
        ]
        # With all words required the added words only rank; with any word they may also find posts.
        if plan.match_all:
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, original), *((tantivy.Occur.Should, w) for w in words)]
            )
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in (original, *words)])

    def _ranking(self, plan: QueryPlan, weights: Weights) -> tantivy.Query:
        """What must match and how it ranks, filters aside: every clause, or at least one with --any."""
        occur = tantivy.Occur.Must if plan.match_all else tantivy.Occur.Should
        parts = [(occur, self._clause(c, weights)) for c in plan.clauses]
        single_terms = [c.terms[0] for c in plan.clauses if len(c.terms) == 1]
        if weights.proximity:
            # One bonus per pair of neighbouring query words (as in the sequential dependence
            # model): in a longer query all words are almost never within a few positions of each
            # other, but neighbours often are. Two-word queries get the same bonus as before.
            for pair in itertools.pairwise(single_terms):
                near = tantivy.Query.phrase_query(self._schema, "body", list(pair), slop=3)
                parts.append((tantivy.Occur.Should, tantivy.Query.boost_query(near, weights.proximity)))
        return tantivy.Query.boolean_query(parts)

    def _clause(self, clause: Clause, weights: Weights) -> tantivy.Query:
        options = []
        if clause.terms:
            body = tantivy.Query.boost_query(self._words("body", clause.terms), weights.body)
            title = tantivy.Query.boost_query(self._words("title", clause.terms), weights.title)
            # The better of title and body, plus a little of the other: a title that the body repeats
            # (an article's `# Title`, Cranfield's first line) is not counted twice.
            options.append(tantivy.Query.disjunction_max_query([body, title], tie_breaker=DISMAX_TIE))
        for alternative in clause.alternatives:
            options.append(tantivy.Query.boost_query(self._words("body", alternative), weights.synonyms))
            options.append(
                tantivy.Query.boost_query(self._words("title", alternative), weights.synonyms * weights.title)
            )
        if clause.fuzzy:
            near = tantivy.Query.fuzzy_term_query(
                self._schema, "body", clause.terms[0], fuzzy_distance(clause.terms[0])
            )
            options.append(tantivy.Query.boost_query(near, weights.fuzzy))
        if clause.bigrams and weights.bigrams:
            options.append(tantivy.Query.boost_query(self._words("bigrams", clause.bigrams), weights.bigrams))
        if clause.reading and weights.readings:
            reading = tantivy.Query.term_query(self._schema, "readings", clause.reading)
            options.append(tantivy.Query.boost_query(reading, weights.readings))
        if clause.initials:
            # Typed initials may stop early (`ㅇㅅㅅㅌ` for `어시스턴트`): a prefix of the nouns' initials.
            prefix = tantivy.Query.regex_query(self._schema, "initials", re.escape(clause.initials) + ".*")
            options.append(tantivy.Query.boost_query(prefix, weights.initials))
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in options])

    def _words(self, field: str, terms: tuple[str, ...]) -> tantivy.Query:
        if len(terms) == 1:
            return tantivy.Query.term_query(self._schema, field, terms[0])
        return tantivy.Query.phrase_query(self._schema, field, list(terms))

    def _filters(self, filters: Filters) -> list[tantivy.Query]:
        from searchclip.analyzers import analyze

        found: list[tantivy.Query] = []
        if filters.authors:
            options = []
            for author in filters.authors:
                handle = author.removeprefix("@").lower()
                options.append(tantivy.Query.term_query(self._schema, "handle", handle))
                terms = tuple(t.term for t in analyze(author.removeprefix("@")))
                if terms and not author.startswith("@"):
                    options.append(self._words("author", terms))
            found.append(tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in options]))
        for name, values in (("tags", filters.tags), ("lang", filters.langs)):
            if values:
                terms = [v.lower().lstrip("#") for v in values]
                found.append(tantivy.Query.term_set_query(self._schema, name, terms))
        if filters.since or filters.until:
            found.append(_date_range(self._schema, filters.since, filters.until))
        return found


def _all_of(query: tantivy.Query, filters: list[tantivy.Query]) -> tantivy.Query:
    """The query, limited to the posts every filter passes.

    The query stays whole, a required clause: its optional clauses (`--any`) beside required filters
    would otherwise stop being required at all, and match every post the filters pass.
    """
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in (query, *filters)])


def _date_range(schema: tantivy.Schema, since: dt.date | None, until: dt.date | None) -> tantivy.Query:
    return tantivy.Query.range_query(
        schema,
        "date",
        tantivy.FieldType.Date,
        as_datetime(since) if since else tantivy.MIN_DATETIME,
        as_datetime(until) if until else tantivy.MAX_DATETIME,
    )


def _hit(doc: tantivy.Document, score: float, terms: frozenset[str]) -> Hit:
    d = doc.to_dict()
    offsets, markup = decode_highlights(bytes(d.get("highlights", [b""])[0]), terms)

    def first(name: str, default: object = "") -> object:
        values = d.get(name)
        return values[0] if values else default

    date = first("date", None)
    return Hit(
        id=str(first("id")),
        path=str(first("path")),
        file=str(first("file")),
        post=int(first("post", 0)),  # type: ignore[call-overload]
        line=int(first("line", 1)),  # type: ignore[call-overload]
        score=float(score),
        title=str(first("title")),
        text=str(first("body")),
        author=str(first("author")),
        handle=str(first("handle")),
        date=date.date() if isinstance(date, dt.datetime) else None,
        url=str(first("url")),
        source=str(first("source")),
        lang=str(first("lang")),
        tags=tuple(str(t) for t in d.get("tags", [])),
        offsets=offsets,
        markup=markup,
    )
