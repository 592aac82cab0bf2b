"""User text → query plan, through the same analysis as the index."""

from __future__ import annotations

import pytest
from helpers import plan_query

from searchclip.errors import QuerySyntaxError
from searchclip.search.query import Clause, split_query


def test_split_words_and_phrases() -> None:
    assert split_query('코딩 "coding assistant" 裏切る') == [
        ("코딩", False),
        ("coding assistant", True),
        ("裏切る", False),
    ]


def test_unbalanced_quote_says_where() -> None:
    with pytest.raises(QuerySyntaxError, match=r"the \" at character 4 is never closed"):
        split_query('코딩 "abc')


def test_words_become_analyzed_clauses_with_bigram_alternatives() -> None:
    plan = plan_query("코딩을 models")
    assert plan.clauses == (Clause(("코딩",), ("코딩",), "코딩"), Clause(("model",), (), "models"))


def test_phrase_is_one_clause() -> None:
    plan = plan_query('"language models"')
    assert plan.clauses == (Clause(("languag", "model"), (), "language models"),)


def test_particles_only_give_no_clause() -> None:
    assert plan_query("이가").clauses == ()
    assert plan_query("の").clauses == ()


def test_tantivy_syntax_is_just_text() -> None:
    plan = plan_query("title:foo AND (bar OR -baz)^2")
    assert [c.terms for c in plan.clauses] == [("titl",), ("foo",), ("and",), ("bar",), ("or",), ("baz",), ("2",)]


def test_overlong_query_is_refused() -> None:
    with pytest.raises(QuerySyntaxError, match="limit is 50,000"):
        plan_query("코딩 " * 20_000)


def test_any_mode_drops_english_stop_words_but_not_phrases_or_stop_word_only_queries() -> None:
    # NLTK's list: question words such as "what" and "how" go too (Lucene's 33 kept them).
    assert [c.terms for c in plan_query("what is the boundary layer", match_all=False).clauses] == [
        ("boundari",),
        ("layer",),
    ]
    assert [c.terms for c in plan_query("how does heat transfer work", match_all=False).clauses] == [
        ("heat",),
        ("transfer",),
        ("work",),
    ]
    assert [c.terms for c in plan_query('"the layer" of', match_all=False).clauses] == [("the", "layer")]
    assert [c.terms for c in plan_query("the of", match_all=False).clauses] == [("the",), ("of",)]
    assert len(plan_query("what is the boundary layer").clauses) == 5  # all words must match: kept
