"""Shared fixtures: the team-written clippings in tests/fixtures and a real index built from them."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "clippings"
_CONFIG_FOLDER = pytest.StashKey[tuple[Path, str | None]]()


def pytest_configure(config: pytest.Config) -> None:
    """Every test runs with a config of its own, never the user's: one that indexes words only, as
    most tests check the lexical side exactly; the tests of vectors name a config that embeds.

    Set before test modules are imported, so that the environments they copy at import time for
    their subprocesses (`{**os.environ, ...}`) carry it too: a service started with another config
    listens on another socket."""
    folder = Path(tempfile.mkdtemp(prefix="searchclip-tests-"))
    (folder / "words-only-config.toml").write_text("embed = false\n", encoding="utf-8")
    config.stash[_CONFIG_FOLDER] = (folder, os.environ.get("SEARCHCLIP_CONFIG"))
    os.environ["SEARCHCLIP_CONFIG"] = str(folder / "words-only-config.toml")
    os.environ["SEARCHCLIP_AUTOSTART"] = "0"  # no test leaves a service behind unless it starts one


def pytest_unconfigure(config: pytest.Config) -> None:
    folder, previous = config.stash[_CONFIG_FOLDER]
    shutil.rmtree(folder, ignore_errors=True)
    if previous is None:
        os.environ.pop("SEARCHCLIP_CONFIG", None)
    else:
        os.environ["SEARCHCLIP_CONFIG"] = previous


@pytest.fixture()
def clippings(tmp_path: Path) -> Path:
    """A private copy of the fixture folder that a test may change."""
    folder = tmp_path / "clippings"
    shutil.copytree(FIXTURES, folder)
    return folder


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Tantivy index of the fixture folder, built once per test session (read-only use)."""
    from helpers import update_index

    base = tmp_path_factory.mktemp("built")
    folder = base / "clippings"
    shutil.copytree(FIXTURES, folder)
    root = base / "index"
    report = update_index(root, [folder])
    assert not report.failed
    return root


TOPIC_CLIPPINGS = {
    "borrow.md": "---\ntitle: Borrow checker notes\ntags: [rust]\n---\n"
    "The borrow checker enforces ownership. Ownership and lifetimes decide when a value is dropped; "
    "lifetimes annotate how long references live.\n",
    "lifetimes.md": "---\ntitle: Lifetimes explained\n---\n"
    "Lifetimes and ownership: a reference must never outlive the value it points to, and ownership "
    "moves when a value is assigned.\n",
    "bread.md": "---\ntitle: Sourdough\n---\nSourdough bread needs a starter, flour, water and a long, cold proof.\n",
    "garden.md": "---\ntitle: Tomatoes\n---\nTomatoes need sun, water and a stake; prune the side shoots.\n",
}
FILLER = ["kayaks", "violins", "granite", "saffron", "comets", "lanterns", "walruses", "origami", "bamboo", "tundra"]
FILLER += ["sonnets", "glaciers", "pottery", "falcons", "mosaics", "cedars", "quartz", "ferries", "tapestry", "lichens"]


@pytest.fixture()
def topic_archive(tmp_path: Path) -> Path:
    """English clippings where two share a topic in different words, among twenty unrelated notes.

    Query expansion never adds a word found in more than a tenth of the posts, so it needs an
    archive of some size to show anything.
    """
    folder = tmp_path / "topics"
    folder.mkdir()
    for name, text in TOPIC_CLIPPINGS.items():
        (folder / name).write_text(text, encoding="utf-8")
    for number, word in enumerate(FILLER):
        (folder / f"note{number}.md").write_text(
            f"---\ntitle: Note {number}\n---\nA note on {word}.\n", encoding="utf-8"
        )
    return folder
