"""Shared fixtures: the team-written clippings in tests/fixtures and a real index built from them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "clippings"


@pytest.fixture()
def clippings(tmp_path: Path) -> Path:
    """A private copy of the fixture folder that a test may change."""
    folder = tmp_path / "clippings"
    shutil.copytree(FIXTURES, folder)
    return folder


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Tantivy index of the fixture folder, built once per test session (read-only use)."""
    from searchclip.indexing import update_index

    base = tmp_path_factory.mktemp("built")
    folder = base / "clippings"
    shutil.copytree(FIXTURES, folder)
    root = base / "index"
    report = update_index(root, [folder])
    assert not report.failed
    return root
