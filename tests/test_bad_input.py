"""A messy archive: every bad file gets a one-line report, the good ones are all found, nothing is lost."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from helpers import run_search, update_index

from searchclip.ingest.update import IndexReport
from searchclip.search.query import Filters

FIXTURES = Path(__file__).parent / "fixtures" / "clippings"
GOOD = "---\ntitle: good\n---\n"


def make_messy_archive(folder: Path) -> None:
    """The bad files of a decade-old archive, generated (no committed binaries)."""
    shutil.copytree(FIXTURES, folder)
    bad = folder / "messy"
    bad.mkdir()
    (bad / "invalid yaml.md").write_text("---\ntitle: [oops\n---\n머리말이 깨진 글\n", encoding="utf-8")
    (bad / "wrong types.md").write_text(
        "---\ntitle: 42\nauthor: 7\ntags: clippings\npublished: next tuesday\n---\n형식이 틀린 머리말\n",
        encoding="utf-8",
    )
    (bad / "no front matter.md").write_text("머리말 없는 메모\n", encoding="utf-8")
    (bad / "empty.md").write_bytes(b"")
    (bad / "huge.md").write_bytes(b"a " * 25_000_000)  # 50 MB
    (bad / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 64)
    (bad / "cp949.md").write_bytes(
        f"{GOOD}완성형 인코딩으로 저장한 한국어 메모입니다. 검색되어야 합니다.\n".encode("cp949")
    )
    (bad / "sjis.md").write_bytes(
        f"{GOOD}シフトJISで保存した日本語のメモです。検索できるはずです。\n".encode("shift_jis")
    )
    (bad / "bom.md").write_bytes(b"\xef\xbb\xbf" + f"{GOOD}BOM으로 시작하는 메모\n".encode())
    (bad / "crlf.md").write_bytes(f"{GOOD}윈도우 줄바꿈\r\n둘째 줄\r\n".encode())
    nfd_name = unicodedata.normalize("NFD", "자모 분리 파일.md")
    (bad / nfd_name).write_text(unicodedata.normalize("NFD", f"{GOOD}맥에서 저장한 분리형 한글\n"), encoding="utf-8")
    (bad / "emoji.md").write_text(f"{GOOD}가족 👨‍👩‍👧 이모지와 결합 문자 e\u0301 그리고 국기 🇰🇷\n", encoding="utf-8")
    (bad / "long line.md").write_text(GOOD + "a long line " * 90_000 + "끝에있는낱말\n", encoding="utf-8")  # 1 MB
    (bad / "gone.md").symlink_to(bad / "deleted-before-indexing.md")  # a file that vanished
    (bad / "loop").symlink_to(folder, target_is_directory=True)
    (bad / "a #1 and spaces 日本.md").write_text(f"{GOOD}이상한 경로의 파일\n", encoding="utf-8")


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, IndexReport]:
    base = tmp_path_factory.mktemp("messy")
    folder = base / "archive"
    make_messy_archive(folder)
    report = update_index(base / "index", [folder])
    return folder / "messy", base / "index", report


def test_each_bad_file_gets_one_clear_reason(messy: tuple[Path, Path, IndexReport]) -> None:
    _, _, report = messy
    failed = {Path(f).name: reason for f, reason in report.failed}
    assert failed == {
        "huge.md": "50.0 MB is over the 20 MB limit (--max-file-size)",
        "binary.md": "binary file, not text",
        "gone.md": "No such file or directory",
    }
    warned = {Path(f).name: w for f, w in report.warnings}
    assert warned["invalid yaml.md"].startswith("front matter is not valid YAML at line 3")
    assert warned["wrong types.md"] == "front matter 'published: next tuesday' is not a date; left empty"
    assert warned["empty.md"] == "empty file: nothing to index"
    assert warned["cp949.md"].startswith("not UTF-8: read as ")
    assert warned["sjis.md"].startswith("not UTF-8: read as ")
    assert all("\n" not in line for line in [*failed.values(), *warned.values()])


@pytest.mark.parametrize(
    ("query", "file"),
    [
        ("깨진", "invalid yaml.md"),
        ("틀린 형식", "wrong types.md"),
        ("메모 없는", "no front matter.md"),
        ("완성형 인코딩", "cp949.md"),
        ("日本語 メモ", "sjis.md"),
        ("BOM", "bom.md"),
        ("둘째 줄", "crlf.md"),
        ("분리형 한글", "자모 분리 파일.md"),
        ("이모지", "emoji.md"),
        ("끝에있는낱말", "long line.md"),
        ("이상한 경로", "a #1 and spaces 日本.md"),
        ("공짜", "Thread by @hana_dev.md"),
    ],
)
def test_good_and_recoverable_files_are_found(messy: tuple[Path, Path, IndexReport], query: str, file: str) -> None:
    _, index, _ = messy
    hits = run_search(index, query, True, Filters(), 10)[1].hits
    assert [Path(h.path).name for h in hits][:1] == [file]


def test_decomposed_file_name_gives_a_composed_id(messy: tuple[Path, Path, IndexReport]) -> None:
    _, index, _ = messy
    hit = run_search(index, "분리형", True, Filters(), 1)[1].hits[0]
    assert hit.id == "messy/자모 분리 파일.md#1"
    assert unicodedata.is_normalized("NFC", hit.id)


@pytest.mark.slow
def test_full_disk_during_commit_leaves_the_previous_index(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    for i in range(4):
        shutil.copytree(FIXTURES, folder / f"b{i}")
    root = tmp_path / "index"
    update_index(root, [folder])
    before = [h.id for h in run_search(root, "공짜", True, Filters(), 50)[1].hits]
    # Any write past 4 KB fails with EFBIG, as a full disk would fail it.
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
        f"sys.argv = ['searchclip', 'index', '--full', '--index', {str(root)!r}]\n"
        "from searchclip.app.cli import main\nmain()\n"
    )
    env = {**os.environ, "SEARCHCLIP_WORKERS": "1"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith(f"searchclip: error: could not write the index at {root}")
    assert done.stderr.rstrip().endswith("the previous index is unchanged")
    assert [h.id for h in run_search(root, "공짜", True, Filters(), 50)[1].hits] == before
    assert not update_index(root).failed
