"""The package installs under one top-level name: analyzers/ and index/ ship inside searchclip."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_imports_resolve_under_searchclip() -> None:
    import searchclip.analyzers
    import searchclip.index.reader

    assert Path(searchclip.analyzers.__file__).parent == REPO / "analyzers"
    assert Path(searchclip.index.reader.__file__).parent == REPO / "index"


def test_wheel_has_no_generic_top_level_packages(tmp_path: Path) -> None:
    pytest.importorskip("setuptools")
    # Built from a clean copy: setuptools reuses a checkout's build/ folder, which can hold modules
    # that were deleted since (a wheel built there ships them).
    source = tmp_path / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info"))
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(source),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(tmp_path.glob("searchclip-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"searchclip", wheel.name.split("-py3")[0] + ".dist-info"}
    shipped = {n for n in names if n.endswith(".py")}
    expected = {
        f"searchclip/{f.relative_to(REPO / 'searchclip').as_posix()}" for f in (REPO / "searchclip").rglob("*.py")
    }
    expected |= {
        f"searchclip/{folder}/{f.name}" for folder in ("analyzers", "index") for f in (REPO / folder).glob("*.py")
    }
    assert shipped == expected
    for module in ("analyzers/korean.py", "index/reader.py", "app/cli.py"):
        assert f"searchclip/{module}" in names
