"""A query plan → the finished index query (index/plan.py): what must match and how it weighs.

BM25 per field: each clause scores the best of its body, title and author matches (dis_max, tie 0.3;
an @handle typed or not matches the post's handle),
plus its CJK bigrams, readings, initials, synonyms and typo neighbours at lower weights; pairs of
neighbouring words near each other earn a bonus (the sequential dependence model's idea);
filters only narrow what matches.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from searchclip.index.plan import Bool as BoolQuery
from searchclip.index.plan import (
    Boost,
    DateRange,
    DisMax,
    Fuzzy,
    Occur,
    Phrase,
    Prefix,
    Query,
    Term,
    TermSet,
    must,
    should,
)
from searchclip.search.query import Clause, QueryPlan, fuzzy_distance

DISMAX_TIE = 0.3
PROXIMITY_SLOP = 3


@dataclass(frozen=True, slots=True)
class Weights:
    """Field boosts of the ranking (BM25 per field)."""

    body: float = 1.0
    title: float = 2.0
    bigrams: float = 0.3
    initials: float = 1.0
    readings: float = 0.8
    synonyms: float = 0.8
    fuzzy: float = 0.5
    proximity: float = 0.5  # per pair of neighbouring query words near each other: a bonus, never required
    author: float = 1.0  # the post's author's name, and its handle (`Catherine Boeckmann`, `0xSero`)


DEFAULT_WEIGHTS = Weights()


def ranking(plan: QueryPlan, weights: Weights) -> Query:
    """What must match and how it ranks, filters aside: every clause, or at least one with --any."""
    occur = Occur.MUST if plan.match_all else Occur.SHOULD
    parts: list[tuple[Occur, Query]] = [(occur, clause_query(c, weights)) for c in plan.clauses]
    single_terms = [c.terms[0] for c in plan.clauses if len(c.terms) == 1]
    if weights.proximity:
        # One bonus per pair of neighbouring query words (as in the sequential dependence
        # model): in a longer query all words are almost never within a few positions of each
        # other, but neighbours often are. Two-word queries get the same bonus as before.
        for pair in itertools.pairwise(single_terms):
            near = Phrase("body", pair, slop=PROXIMITY_SLOP)
            parts.append((Occur.SHOULD, Boost(near, weights.proximity)))
    return BoolQuery(tuple(parts))


def clause_query(clause: Clause, weights: Weights) -> Query:
    options: list[Query] = []
    if clause.terms:
        body = Boost(words("body", clause.terms), weights.body)
        title = Boost(words("title", clause.terms), weights.title)
        fields: list[Query] = [body, title]
        if weights.author:
            fields.append(Boost(words("author", clause.terms), weights.author))
            if len(clause.terms) == 1:
                fields.append(Boost(Term("handle_key", clause.text.lower().lstrip("@")), weights.author))
        # The best of title, body and author, plus a little of the others: a title that the body
        # repeats (an article's `# Title`, Cranfield's first line) is not counted twice.
        options.append(DisMax(tuple(fields), DISMAX_TIE))
    for alternative in clause.alternatives:
        options.append(Boost(words("body", alternative), weights.synonyms))
        options.append(Boost(words("title", alternative), weights.synonyms * weights.title))
    if clause.fuzzy:
        term = clause.terms[0]
        options.append(Boost(Fuzzy("body", term, fuzzy_distance(term)), weights.fuzzy))
    if clause.bigrams and weights.bigrams:
        options.append(Boost(words("bigrams", clause.bigrams), weights.bigrams))
    if clause.reading and weights.readings:
        options.append(Boost(Term("readings", clause.reading), weights.readings))
    if clause.initials:
        # Typed initials may stop early (`ㅇㅅㅅㅌ` for `어시스턴트`): a prefix of the nouns' initials.
        options.append(Boost(Prefix("initials", clause.initials), weights.initials))
    return should(*options)


def words(field: str, terms: tuple[str, ...]) -> Query:
    return Term(field, terms[0]) if len(terms) == 1 else Phrase(field, terms)


def filters(plan: QueryPlan) -> list[Query]:
    found: list[Query] = []
    if plan.authors:
        options: list[Query] = []
        for author in plan.authors:
            options.append(Term("handle_key", author.handle))
            if author.terms:
                options.append(words("author", author.terms))
        found.append(should(*options))
    for name, values in (("tags", plan.filters.tags), ("lang", plan.filters.langs)):
        if values:
            found.append(TermSet(name, tuple(v.lower().lstrip("#") for v in values)))
    if plan.filters.since or plan.filters.until:
        found.append(DateRange("date", plan.filters.since, plan.filters.until))
    return found


def all_of(query: Query, filters: list[Query]) -> Query:
    """The query, limited to the posts every filter passes.

    The query stays whole, a required clause: its optional clauses (`--any`) beside required filters
    would otherwise stop being required at all, and match every post the filters pass.
    """
    return must(query, *filters)
