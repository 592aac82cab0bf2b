"""The real clipping beside the repo (../shared), when it is there: parse, index, find, highlight."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import analyze, plan_query, run_search, update_index

from searchclip.index.highlights import term_offsets
from searchclip.ingest.clippings import read_clipping
from searchclip.search.query import Filters
from searchclip.search.snippets import match_spans

REAL = Path(__file__).resolve().parents[2] / "shared" / "examples" / "clippings" / "Thread by @chester_roh.md"
pytestmark = pytest.mark.skipif(not REAL.is_file(), reason="../shared/examples is not beside the repo")
ID = "Thread by @chester_roh.md"


def test_real_thread_parses_into_its_posts() -> None:
    clip = read_clipping(REAL, REAL.parent)
    assert [(p.number, p.handle) for p in clip.posts] == [
        (1, "chester_roh"),
        (2, "hong_yoon9"),
        (3, "NamkeeOh"),
        (4, "beltoon_pr"),
        (5, "fobikr"),
    ]
    assert clip.posts[0].author == "Chester Jungseok Roh"


def test_real_thread_is_found_and_highlighted(tmp_path: Path) -> None:
    folder = tmp_path / "clippings"
    folder.mkdir()
    shutil.copy(REAL, folder)
    update_index(tmp_path / "index", [folder])

    def ids(query: str) -> list[str]:
        return [h.id for h in run_search(tmp_path / "index", query, True, Filters(), 10)[1].hits]  # every post

    assert set(ids("공짜")) == {f"{ID}#1", f"{ID}#2"}
    assert ids("裏切る") == [f"{ID}#4"]  # the Japanese ad inside the Korean thread
    assert ids("Claude 코딩")[0] == f"{ID}#1"
    post = read_clipping(REAL, REAL.parent).posts[3]
    spans = match_spans(post.text, plan_query("裏切る"), term_offsets(analyze(post.prose)))
    assert [post.text[s:e] for s, e in spans] == ["裏切ら"]
