"""Rebuilding the index: incremental changes, failures that keep old data, version changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import reader, run_search, update_index

from searchclip.errors import IndexBusyError, IndexVersionError
from searchclip.index.reader import IndexReader
from searchclip.index.store import current_generation, read_manifest, rebuild_lock, write_manifest
from searchclip.search.query import Filters

HANA = "threads/Thread by @hana_dev.md"


def found(root: Path, query: str) -> list[str]:
    return [h.id for h in run_search(root, query, True, Filters(), 20)[1].hits]


def test_incremental_add_edit_rename_delete(clippings: Path, tmp_path: Path) -> None:
    root = tmp_path / "index"
    first = update_index(root, [clippings])
    assert (first.added, first.full, first.failed) == (4, True, [])

    again = update_index(root)  # no folders: the ones indexed last time
    assert (again.added, again.updated, again.removed, again.unchanged, again.full) == (0, 0, 0, 4, False)

    new = clippings / "new.md"
    new.write_text("---\ntitle: New\n---\n새로 저장한 글에는 양자컴퓨터 이야기가 있다.\n", encoding="utf-8")
    report = update_index(root)
    assert (report.added, report.unchanged) == (1, 4)
    assert found(root, "양자컴퓨터") == ["new.md#1"]

    new.write_text("---\ntitle: New\n---\n이제는 블록체인 이야기다.\n", encoding="utf-8")
    report = update_index(root)
    assert report.updated == 1
    assert found(root, "양자컴퓨터") == []
    assert found(root, "블록체인") == ["new.md#1"]

    new.rename(clippings / "renamed.md")
    report = update_index(root)
    assert (report.added, report.removed) == (1, 1)
    assert found(root, "블록체인") == ["renamed.md#1"]

    (clippings / "renamed.md").unlink()
    assert update_index(root).removed == 1
    assert found(root, "블록체인") == []
    assert found(root, "공짜") == [f"{HANA}#1"]


def test_touch_without_change_is_not_reanalyzed(clippings: Path, tmp_path: Path) -> None:
    root = tmp_path / "index"
    update_index(root, [clippings])
    file = clippings / "articles" / "Offline search notes.md"
    os.utime(file, ns=(1, 1))
    report = update_index(root)
    assert (report.updated, report.unchanged) == (0, 4)
    assert read_manifest(current_generation(root)).files[str(file)].mtime_ns == 1


def test_broken_file_is_reported_and_its_old_posts_kept(clippings: Path, tmp_path: Path) -> None:
    root = tmp_path / "index"
    update_index(root, [clippings])
    target = clippings / "threads" / "Thread by @hana_dev.md"
    target.write_bytes(b"\x00\x01binary now" * 100)
    report = update_index(root)
    assert report.failed == [(str(target), "binary file, not text")]
    assert found(root, "공짜") == [f"{HANA}#1"]  # nothing lost


def test_bad_files_do_not_stop_good_ones(clippings: Path, tmp_path: Path) -> None:
    (clippings / "binary.md").write_bytes(bytes(range(256)) * 10)
    (clippings / "latin1.md").write_bytes("caf\xe9 cr\xe8me br\xfbl\xe9e ".encode("latin-1") * 3)
    (clippings / "empty.md").write_bytes(b"")
    (clippings / "bad yaml #1.md").write_text("---\ntitle: [x\n---\n깨진 머리말 아래 본문\n", encoding="utf-8")
    (clippings / "loop").symlink_to(clippings, target_is_directory=True)
    report = update_index(tmp_path / "index", [clippings])
    reasons = dict(report.failed)
    assert reasons[str(clippings / "binary.md")] == "binary file, not text"
    assert reasons[str(clippings / "latin1.md")].startswith("not UTF-8 and not a recognised Korean or Japanese")
    assert len(report.failed) == 2
    assert next(w for f, w in report.warnings if f.endswith("bad yaml #1.md")).startswith("front matter is not valid")
    assert found(tmp_path / "index", "머리말") == ["bad yaml #1.md#1"]
    assert found(tmp_path / "index", "공짜") == [f"{HANA}#1"]


def test_changed_analysis_version_forces_full_rebuild(clippings: Path, tmp_path: Path) -> None:
    root = tmp_path / "index"
    update_index(root, [clippings])
    gen = current_generation(root)
    manifest = read_manifest(gen)
    manifest.version = "schema0;older"
    write_manifest(gen, manifest)
    with pytest.raises(IndexVersionError, match="searchclip index --full"):
        reader(root)
    report = update_index(root)
    assert report.full and "changed" in report.reason
    assert found(root, "공짜") == [f"{HANA}#1"]
    assert not gen.exists()  # the old generation is cleaned up after the switch


def test_second_rebuild_is_refused_while_one_runs(clippings: Path, tmp_path: Path) -> None:
    root = tmp_path / "index"
    with rebuild_lock(root), pytest.raises(IndexBusyError, match="--wait"):
        update_index(root, [clippings])


def test_full_rebuild_of_a_moved_folder(clippings: Path, tmp_path: Path) -> None:
    root = tmp_path / "index"
    update_index(root, [clippings])
    moved = tmp_path / "moved"
    shutil.move(clippings, moved)
    report = update_index(root, [moved], full=True)
    assert report.full and report.added == 4
    assert IndexReader(root).get(f"{HANA}#1").file.startswith(str(moved))


def test_relative_and_symlinked_index_paths_keep_the_index(clippings: Path, tmp_path: Path, monkeypatch) -> None:
    real = tmp_path / "real-index"
    update_index(real, [clippings])
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    for root in (Path("link"), Path("real-index"), Path("./link/../real-index")):
        report = update_index(root)
        assert (report.full, report.added, report.unchanged) == (False, 0, 4)
        assert found(real, "공짜") == [f"{HANA}#1"]
    assert len(list(real.glob("gen-*"))) == 1


def test_two_folders_give_unique_ids(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "same.md").write_text(f"---\ntitle: {name}\n---\n같은 이름의 파일\n", encoding="utf-8")
    root = tmp_path / "index"
    update_index(root, [tmp_path / "a", tmp_path / "b"])
    assert sorted(found(root, "파일")) == ["a/same.md#1", "b/same.md#1"]
