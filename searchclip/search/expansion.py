"""Query expansion from the best first results (pseudo-relevance feedback, RM3).

`searchclip search --expand` runs the query once, takes the words that stand out in its best
posts, and runs it again with those words added: it finds posts on the same topic that use other
words. This is RM3 (Lavrenko and Croft's relevance model, interpolated with the query) with the
defaults of Anserini's reference implementation: 10 feedback posts, 10 expansion words, words in
more than a tenth of all posts left out, and the typed words and the added words weighing half each.

It helps topical searches ("everything about X", many relevant posts) and costs known-item
searches (one right post) a little, which is why it is a choice and not the default: measured
by `searchclip bench relevance`, see the README.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Protocol

from searchclip.analyzers import english
from searchclip.index.plan import Bool as BoolQuery
from searchclip.index.plan import Boost, Occur, Query, Term, should
from searchclip.search.query import ENGLISH_STOP_WORDS, QueryPlan
from searchclip.search.ranking import Weights, all_of

FEEDBACK_POSTS = 10
EXPANSION_TERMS = 10
ORIGINAL_WEIGHT = 0.5
MAX_POST_SHARE = 0.1  # a word in more posts than this says little about a topic (為る, 있다, https)


class Feedback(Protocol):
    """What expansion asks of the index: the best posts' term counts, and how common a term is."""

    @property
    def num_posts(self) -> int: ...

    def term_counts(self, query: Query, limit: int) -> list[tuple[float, dict[str, int]]]: ...

    def doc_freq(self, field: str, term: str) -> int: ...


def expanded_query(plan: QueryPlan, weights: Weights, ranking: Query, filters: list[Query], index: Feedback) -> Query:
    """The ranking with the words that stand out in the first pass's best posts, within the filters."""
    feedback = index.term_counts(all_of(ranking, filters), FEEDBACK_POSTS)
    most = MAX_POST_SHARE * index.num_posts
    added = expansion_terms(feedback, too_common=lambda term: index.doc_freq("body", term) > most)
    if not added:
        return all_of(ranking, filters)
    original = Boost(ranking, ORIGINAL_WEIGHT)
    # As in Anserini, the added words together weigh as much as the typed words: each typed word
    # counts 1 in the original query, so the added ones share (1 - ORIGINAL_WEIGHT) × their number.
    mass = (1 - ORIGINAL_WEIGHT) * len(plan.clauses) * weights.body
    words = [Boost(Term("body", term), mass * share) for term, share in added]
    # With all words required the added words only rank; with any word they may also find posts.
    if plan.match_all:
        expanded: Query = BoolQuery(((Occur.MUST, original), *((Occur.SHOULD, w) for w in words)))
    else:
        expanded = should(original, *words)
    return all_of(expanded, filters)


def expansion_terms(
    feedback: Sequence[tuple[float, Mapping[str, int]]],
    exclude: frozenset[str] | None = None,
    count: int = EXPANSION_TERMS,
    too_common: Callable[[str], bool] = lambda _: False,
) -> list[tuple[str, float]]:
    """The `count` most likely words of the relevance model, each with its weight (they sum to 1).

    `feedback` holds each feedback post's score and its term counts. A post weighs exp(score), so
    the best post usually carries most of the model: it decides the topic, the others add to it
    (Anserini weighs posts by their raw score, which cost the known-item sets more). Within a post,
    a word weighs its share of the post's words, so long posts do not dominate. Stop words
    (`stop_terms`, unless `exclude` names others) are never added; `too_common` is asked only about
    the likeliest words, in order, until `count` are kept.
    """
    if not feedback:
        return []
    exclude = stop_terms() if exclude is None else exclude
    best = max(score for score, _ in feedback)
    shares = [math.exp(score - best) for score, _ in feedback]
    total_share = sum(shares)
    model: Counter[str] = Counter()
    for share, (_, counts) in zip(shares, feedback, strict=True):
        kept = {t: n for t, n in counts.items() if _expandable(t, exclude)}
        length = sum(kept.values())
        for term, n in kept.items():
            model[term] += (share / total_share) * n / length
    top = []
    for term, weight in model.most_common():
        if len(top) == count:
            break
        if not too_common(term):
            top.append((term, weight))
    mass = sum(weight for _, weight in top)
    return [(term, weight / mass) for term, weight in top] if mass else []


@cache
def stop_terms() -> frozenset[str]:
    """English stop words as typed and as the index holds them, stemmed ("because" is `becaus`)."""
    return ENGLISH_STOP_WORDS | {english.analyze_word(word, 0).term for word in ENGLISH_STOP_WORDS}


def _expandable(term: str, exclude: frozenset[str]) -> bool:
    """Words only: no stop word, number, single character, or initials/readings key (`초성:…`)."""
    return len(term) > 1 and not term.isdigit() and ":" not in term and term not in exclude
