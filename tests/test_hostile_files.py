"""Hostile and odd files, and a damaged index: one file never stops the rest, nothing hangs, and
nothing is lost. Real files in temporary folders, a real index, real Kiwi and Sudachi."""

from __future__ import annotations

import gc
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import cli, ids, update_index

from searchclip.errors import IndexCorruptError, IndexRootError
from searchclip.index.store import MARKER, current_generation

GOOD = {"good one.md": "가나다라마바", "good two.md": "zyxwvutsr", "good three.md": "きくけこさしすせ"}


def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "clippings"
    folder.mkdir()
    for name, word in GOOD.items():
        (folder / name).write_text(f"---\ntitle: {name}\n---\n이 글에는 {word} 낱말이 있다.\n", encoding="utf-8")
    return folder


def all_good_found(root: Path) -> bool:
    return all(ids(root, word) == [f"{name}#1"] for name, word in GOOD.items())


def index_in_subprocess(folder: Path, root: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`searchclip index` in its own process, so that a hang is a failed test and not a stuck run."""
    env = {**os.environ, "SEARCHCLIP_WORKERS": "1", "NO_COLOR": "1"}
    command = [sys.executable, "-m", "searchclip", "index", str(folder), "--index", str(root)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)


# ---- odd files are skipped without blocking ---------------------------------------------------


@pytest.mark.slow
def test_fifo_socket_and_device_are_skipped_without_blocking(tmp_path: Path) -> None:
    folder = archive(tmp_path)
    os.mkfifo(folder / "pipe.md")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(folder / "socket.md"))
    (folder / "zero.md").symlink_to("/dev/zero")
    started = time.monotonic()
    done = index_in_subprocess(folder, tmp_path / "index")
    sock.close()
    assert time.monotonic() - started < 30
    assert done.returncode == 0, done.stderr
    for name, kind in (("pipe.md", "a FIFO"), ("socket.md", "a socket")):
        assert f"warning: {folder / name}: not a regular file ({kind}): skipped" in done.stderr
    assert (
        f"warning: {folder / 'zero.md'}: a link to /dev/zero, outside the indexed folders: not followed" in done.stderr
    )
    assert all_good_found(tmp_path / "index")


def test_reading_never_takes_more_than_the_limit_whatever_stat_says(tmp_path: Path) -> None:
    from searchclip.errors import ClippingError
    from searchclip.ingest.textfile import read_bytes

    fifo = tmp_path / "late.md"
    os.mkfifo(fifo)
    with pytest.raises(ClippingError, match=r"not a regular file \(a FIFO\)"):
        read_bytes(fifo, 1000)  # opened without blocking: no writer is needed to find out
    (tmp_path / "zero.md").symlink_to("/dev/zero")
    with pytest.raises(ClippingError, match="not a regular file"):
        read_bytes(tmp_path / "zero.md", 1000)
    big = tmp_path / "big.md"
    big.write_bytes(b"a" * 5000)
    with pytest.raises(ClippingError, match=r"0\.005 MB is over the 0\.001 MB limit"):
        read_bytes(big, 1000)


def test_links_outside_the_indexed_folders_are_not_followed(tmp_path: Path) -> None:
    folder = archive(tmp_path)
    secret = tmp_path / "private" / "id_rsa.md"
    secret.parent.mkdir()
    secret.write_text("privatekeymaterial\n", encoding="utf-8")
    (folder / "linked.md").symlink_to(secret)
    (folder / "sub").mkdir()
    (folder / "sub" / "inside.md").symlink_to(folder / "good one.md")  # a link within: followed
    root = tmp_path / "index"
    report = update_index(root, [folder])
    assert ids(root, "privatekeymaterial") == []
    assert (
        str(folder / "linked.md"),
        f"a link to {secret}, outside the indexed folders: not followed",
    ) in report.warnings
    assert sorted(ids(root, "가나다라마바")) == ["good one.md#1", "sub/inside.md#1"]


def test_file_name_that_is_not_utf8_is_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    folder = archive(tmp_path)
    with open(os.fsencode(folder) + b"/bad \xff name.md", "w", encoding="utf-8") as fh:
        fh.write("이름이 이상한 파일\n")
    root = tmp_path / "index"
    report = update_index(root, [folder])
    assert report.failed == [(f"{folder}/bad \\xff name.md", "the file name is not valid UTF-8; rename it to index it")]
    assert all_good_found(root)


# ---- hostile front matter and text, in bounded time --------------------------------------------


def billion_laughs(levels: int = 10) -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, levels):
        lines.append(f"{chr(97 + n)}: &{chr(97 + n)} [" + ", ".join([f"*{chr(96 + n)}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + f"\ntitle: *{chr(96 + levels)}\ntags: *a\n---\n폭탄 아래 본문\n"


@pytest.mark.parametrize(
    ("front_matter", "warning"),
    [
        (billion_laughs(), "front matter uses YAML aliases (*name), which are not read; indexed the body only"),
        ("---\ntitle: " + "[" * 30 + "]" * 30 + "\n---\n폭탄 아래 본문\n", "nested over 20 levels deep"),
        ("---\ntitle: " + "[" * 40_000 + "]" * 40_000 + "\n---\n폭탄 아래 본문\n", "exceeded maximum nesting depth"),
        ("---\ntags:\n" + "  - t\n" * 10_000 + "---\n폭탄 아래 본문\n", "holds over 5,000 values"),
        ("---\ndescription: " + "x" * 200_000 + "\n---\n폭탄 아래 본문\n", "characters long, over the 100,000 read"),
    ],
)
def test_hostile_front_matter_is_refused_in_bounded_time(tmp_path: Path, front_matter: str, warning: str) -> None:
    folder = archive(tmp_path)
    (folder / "bomb.md").write_text(front_matter, encoding="utf-8")
    started = time.monotonic()
    report = update_index(tmp_path / "index", [folder])
    assert time.monotonic() - started < 20
    assert warning in dict(report.warnings)[str(folder / "bomb.md")]
    assert ids(tmp_path / "index", "폭탄") == ["bomb.md#1"]
    assert all_good_found(tmp_path / "index")


@pytest.mark.slow
def test_many_post_headers_and_a_huge_line_take_linear_time(tmp_path: Path) -> None:
    """CPU time, not wall time: other work on the machine must not make it fail."""
    from searchclip.ingest.clippings import parse_clipping

    post = "**Name** @handle [2024-06-03](https://x.com/h/status/1)\n\n짧은 글\n\n---\n\n"
    timings = []
    for count in (5_000, 20_000):
        started = time.process_time()
        clipping = parse_clipping(post * count, "x.md")
        timings.append(time.process_time() - started)
        assert len(clipping.posts) == count
    assert timings[1] < 4 * timings[0] * 2  # four times the posts: not sixteen times the time
    del clipping
    gc.collect()  # the posts above would make every collection below slower
    from helpers import ANALYZER

    line = "한국어 문장과 English words 그리고 日本語 " * 20_000
    started = time.process_time()
    ANALYZER.analyze_for_index([line[: len(line) // 4]])
    quarter = time.process_time() - started
    started = time.process_time()
    ANALYZER.analyze_for_index([line])
    assert time.process_time() - started < 4 * quarter * 2


def test_a_file_past_the_searchable_budget_is_indexed_in_part_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from searchclip.ingest import documents

    monkeypatch.setattr(documents, "MAX_SEARCHABLE_CHARS", 1_000)  # two million in earnest
    folder = archive(tmp_path)
    (folder / "long.md").write_text("처음낱말 " + "가나 " * 600 + "마지막낱말\n", encoding="utf-8")
    report = update_index(tmp_path / "index", [folder])
    assert ids(tmp_path / "index", "처음낱말") == ["long.md#1"]
    assert ids(tmp_path / "index", "마지막낱말") == []  # past the first MAX_SEARCHABLE_CHARS
    total = len((folder / "long.md").read_text(encoding="utf-8").rstrip("\n"))
    searchable = f"{documents.MAX_SEARCHABLE_CHARS:,}"
    assert (
        dict(report.warnings)[str(folder / "long.md")]
        == f"only the first {searchable} of its {total:,} characters are searchable"
    )


def test_a_date_the_index_cannot_store_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    folder = archive(tmp_path)
    (folder / "zero.md").write_text("---\ntitle: z\npublished: 0001-01-01\n---\n날짜가 이상한 글\n", encoding="utf-8")
    thread = "**Ann** @ann [9999-12-31](https://x.com/ann/status/1)\n\n먼 미래의 글\n"
    (folder / "future.md").write_text(thread, encoding="utf-8")
    report = update_index(tmp_path / "index", [folder])
    assert report.failed == []
    assert (
        dict(report.warnings)[str(folder / "zero.md")]
        == "front matter 'published: 0001-01-01' is outside 1677–2262; left empty"
    )
    assert ids(tmp_path / "index", "날짜가") == ["zero.md#1"] and ids(tmp_path / "index", "미래") == ["future.md#1"]
    assert all_good_found(tmp_path / "index")


# ---- nothing is lost ------------------------------------------------------------------------


def test_a_foreign_folder_is_never_written_or_deleted(tmp_path: Path) -> None:
    folder = archive(tmp_path)
    notes = tmp_path / "notes"
    (notes / "gen-ai").mkdir(parents=True)
    (notes / "gen-ai" / "prompts.md").write_text("my own notes\n", encoding="utf-8")
    with pytest.raises(IndexRootError, match="is not a searchclip index and holds other files"):
        update_index(notes, [folder])
    assert sorted(p.name for p in notes.iterdir()) == ["gen-ai"]
    assert (notes / "gen-ai" / "prompts.md").read_text(encoding="utf-8") == "my own notes\n"
    update_index(tmp_path / "empty-or-new", [folder])
    assert (tmp_path / "empty-or-new" / MARKER).is_file()


def test_an_index_from_before_the_marker_is_adopted(tmp_path: Path) -> None:
    folder = archive(tmp_path)
    root = tmp_path / "index"
    update_index(root, [folder])
    (root / MARKER).unlink()  # as an older searchclip left it
    assert update_index(root).unchanged == 3
    assert (root / MARKER).is_file()


@pytest.mark.parametrize(
    "damage",
    ["segment file deleted", "segment file truncated", "meta.json garbled", "manifest deleted", "current link deleted"],
)
def test_a_damaged_index_says_so_and_the_next_index_repairs_it(tmp_path: Path, damage: str) -> None:
    folder = archive(tmp_path)
    root = tmp_path / "index"
    update_index(root, [folder])
    gen = current_generation(root)
    assert gen is not None
    segment = next(gen.glob("*.term"))
    if damage == "segment file deleted":
        segment.unlink()
    elif damage == "segment file truncated":
        os.truncate(segment, 40)
    elif damage == "meta.json garbled":
        (gen / "meta.json").write_text("garbage", encoding="utf-8")
    elif damage == "manifest deleted":
        (gen / "manifest.json").unlink()
    else:
        (root / "current").unlink()
    with pytest.raises(IndexCorruptError, match=r"is damaged .*; repair it with: searchclip index"):
        ids(root, "가나다라마바")
    found = cli("search", "가나다라마바", "--index", str(root))
    assert found.exit_code == 2 and found.stderr.count("\n") == 1 and "is damaged" in found.stderr
    report = update_index(root)  # the folders come from the damaged generation's manifest, or any other one
    assert report.full and report.reason.startswith("the index was damaged")
    assert report.added == 3 and all_good_found(root)
    assert len(list(root.glob("gen-*"))) == 1


def test_a_damaged_index_that_does_not_say_its_folders_asks_for_them(tmp_path: Path) -> None:
    folder = archive(tmp_path)
    root = tmp_path / "index"
    update_index(root, [folder])
    gen = current_generation(root)
    assert gen is not None
    (gen / "manifest.json").unlink()
    (root / "current").unlink()
    (root / MARKER).unlink()  # as an older searchclip left it: nothing else names the folders
    with pytest.raises(IndexCorruptError, match="repair it with: searchclip index FOLDER"):
        ids(root, "가나다라마바")
    assert cli("index", "--index", str(root)).stderr.startswith("searchclip: error: no folder to index")
    assert gen.exists()  # the only copy there is: kept until a new generation replaces it
    assert update_index(root, [folder]).added == 3 and all_good_found(root)


def test_an_unreadable_folder_keeps_its_posts(tmp_path: Path) -> None:
    if os.getuid() == 0:
        pytest.skip("root reads every folder")  # pragma: no cover
    folder = archive(tmp_path)
    (folder / "sub").mkdir()
    (folder / "sub" / "kept.md").write_text("남아야하는글\n", encoding="utf-8")
    root = tmp_path / "index"
    update_index(root, [folder])
    (folder / "sub").chmod(0)
    try:
        report = update_index(root)
    finally:
        (folder / "sub").chmod(stat.S_IRWXU)
    assert report.removed == 0 and "cannot read the folder" in report.failed[0][1]
    assert ids(root, "남아야하는글") == ["sub/kept.md#1"]


def test_a_vanished_folder_tree_keeps_its_posts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same rule for root, who reads every folder: a folder os.walk cannot enter keeps its posts."""
    folder = archive(tmp_path)
    (folder / "sub").mkdir()
    (folder / "sub" / "kept.md").write_text("남아야하는글\n", encoding="utf-8")
    root = tmp_path / "index"
    update_index(root, [folder])
    real_walk = os.walk

    def walk(top, topdown=True, onerror=None, followlinks=False):
        for dirpath, dirnames, filenames in real_walk(top, topdown, onerror, followlinks):
            if "sub" in dirnames:
                dirnames.remove("sub")
                onerror(PermissionError(13, "Permission denied", str(Path(dirpath) / "sub")))
            yield dirpath, dirnames, filenames

    monkeypatch.setattr(os, "walk", walk)
    report = update_index(root)
    assert report.removed == 0
    assert report.failed == [(str(folder / "sub"), "cannot read the folder (Permission denied); its posts are kept")]
    assert ids(root, "남아야하는글") == ["sub/kept.md#1"]


def test_a_read_only_index_can_be_searched(tmp_path: Path) -> None:
    folder = archive(tmp_path)
    root = tmp_path / "index"
    update_index(root, [folder])
    try:
        subprocess.run(["chmod", "-R", "a-w", str(root)], check=True)
        env = {**os.environ, "NO_COLOR": "1"}
        done = subprocess.run(
            [sys.executable, "-m", "searchclip", "search", "가나다라마바", "--index", str(root), "--no-service"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "good one.md#1" in done.stdout
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(root)], check=True)


def test_folders_with_the_same_name_get_distinct_ids(tmp_path: Path) -> None:
    for parent, word in (("home", "집에서쓴글"), ("work", "일터에서쓴글")):
        folder = tmp_path / parent / "Clippings"
        folder.mkdir(parents=True)
        (folder / "same.md").write_text(f"{word}\n", encoding="utf-8")
    root = tmp_path / "index"
    update_index(root, [tmp_path / "home" / "Clippings", tmp_path / "work" / "Clippings"])
    assert ids(root, "집에서쓴글") == ["home/Clippings/same.md#1"]
    assert ids(root, "일터에서쓴글") == ["work/Clippings/same.md#1"]


def test_re_rooting_a_folder_re_ids_its_posts(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / "Clippings").mkdir(parents=True)
    (vault / "Clippings" / "a.md").write_text("다시뿌리내린글\n", encoding="utf-8")
    root = tmp_path / "index"
    update_index(root, [vault])
    assert ids(root, "다시뿌리내린글") == ["Clippings/a.md#1"]
    report = update_index(root, [vault / "Clippings"])  # the same file, now relative to another folder
    assert report.updated == 1
    assert ids(root, "다시뿌리내린글") == ["a.md#1"]


def test_only_generation_folders_are_ever_removed(tmp_path: Path) -> None:
    folder = archive(tmp_path)
    root = tmp_path / "index"
    update_index(root, [folder])
    mine = tmp_path / "elsewhere"
    mine.mkdir()
    (root / "gen-999999").symlink_to(mine, target_is_directory=True)  # a link named like a generation
    update_index(root, full=True)
    assert mine.is_dir() and (root / "gen-999999").is_symlink()
    shutil.rmtree(root / "gen-999999", ignore_errors=True)
