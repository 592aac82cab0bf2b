"""The live index: a running service updates the index as clippings change, and runs the
`searchclip index` commands handed to it; the index's lock stays the only writer's."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_service import ENV, cli, requests_answered, start_service

from searchclip.app.client import index_handoff, request
from searchclip.app.config import service_socket
from searchclip.ingest.watch import relevant

FIXTURES = Path(__file__).parent / "fixtures" / "clippings"


def test_only_clippings_outside_hidden_folders_and_temporary_files_wake_the_watcher(tmp_path: Path) -> None:
    folder = tmp_path / ".hidden parent" / "Clippings"  # hidden above the watched folder is fine
    (folder / "sub").mkdir(parents=True)
    index = tmp_path / "index"
    cases = {
        folder / "new.md": True,
        folder / "sub" / "Thread.MD": True,
        folder / ".obsidian" / "workspace.md": False,
        folder / ".trash" / "old.md": False,
        folder / ".git" / "x.md": False,
        folder / "note.md.tmp": False,
        folder / "~$note.md": False,
        folder / ".#note.md": False,
        folder / "picture.png": False,
        folder / "sub": True,  # a folder added or moved in
        index / "x.md": False,
        tmp_path / "elsewhere.md": False,
    }
    for path, expected in cases.items():
        assert relevant(str(path), False, [folder], [index]) is expected, path
    assert relevant(str(folder / "gone-folder"), True, [folder]) is True  # deleted: maybe a folder of clippings
    assert relevant(str(folder / "segment.idx"), True, [folder]) is False


def test_what_the_service_may_run_for_a_bare_index_command() -> None:
    assert index_handoff(["--quiet", "--index", "/x", "--max-file-size", "2"]) == {
        "quiet": True, "wait": False, "no_embed": False, "max_file_bytes": 2_000_000,
    }  # fmt: skip
    for argv in (["folder"], ["--full"], ["--max-file-size", "nan"], ["--max-file-size=0"], ["--help"]):
        assert index_handoff(argv) is None, argv


@pytest.fixture()
def watched(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    folder = tmp_path / "Vault" / "Clippings"
    shutil.copytree(FIXTURES, folder)
    (tmp_path / "Vault" / ".obsidian").mkdir()
    root = tmp_path / "index"
    assert cli("index", str(folder), "--index", str(root), "--quiet").returncode == 0
    proc = start_service(root)
    yield root, folder
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def found(root: Path, query: str) -> list[str]:
    result = cli("search", query, "--index", str(root), "--json", "--posts", "-n", "1000")
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


def wait_for(condition, what: str, seconds: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.mark.slow
def test_saved_changed_and_deleted_clippings_are_seen_without_indexing(watched: tuple[Path, Path]) -> None:
    root, folder = watched
    new = folder / "new thread.md"
    new.write_text("---\ntitle: fresh\n---\n방금 저장한 양자컴퓨터 메모\n", encoding="utf-8")
    wait_for(lambda: found(root, "양자컴퓨터") == ["new thread.md#1"], "a saved clipping was never found")
    new.write_text("---\ntitle: fresh\n---\n고친 뒤에는 초전도체 이야기\n", encoding="utf-8")
    wait_for(lambda: found(root, "초전도체") == ["new thread.md#1"], "a changed clipping was never found")
    assert found(root, "양자컴퓨터") == []
    moved = folder / "archive"
    moved.mkdir()
    new.rename(moved / "new thread.md")
    wait_for(lambda: found(root, "초전도체") == ["archive/new thread.md#1"], "a moved clipping was never found")
    shutil.rmtree(moved)
    wait_for(lambda: found(root, "초전도체") == [], "a deleted folder's clipping was still found")


@pytest.mark.slow
def test_hidden_folders_and_temporary_files_cause_no_update(watched: tuple[Path, Path]) -> None:
    root, folder = watched

    def passes() -> int:
        status = request(service_socket(root), "GET", "/v1/status")
        assert isinstance(status, dict)
        return int(status["watching"]["passes"])

    wait_for(lambda: passes() >= 1, "the first reconcile pass never ran")  # the one at start
    before = passes()
    (folder.parent / ".obsidian" / "workspace.json").write_text("{}", encoding="utf-8")
    (folder / "draft.md.tmp").write_text("x", encoding="utf-8")
    (folder / ".trash").mkdir()
    (folder / ".trash" / "old.md").write_text("x", encoding="utf-8")
    time.sleep(2)  # well past the quiet window: a pass would have run
    assert passes() == before
    (folder / "real.md").write_text("x", encoding="utf-8")
    wait_for(lambda: passes() == before + 1, "a real clipping did not wake the watcher")


@pytest.mark.slow
def test_index_hands_its_work_to_the_service_and_folders_are_indexed_here(watched: tuple[Path, Path]) -> None:
    root, folder = watched
    before = requests_answered(root)
    handed = cli("index", "--index", str(root))
    assert handed.returncode == 0 and "posts" in handed.stdout + handed.stderr
    assert requests_answered(root) == before + 2  # the index command, then this health check
    here = cli("index", str(folder), "--index", str(root), "--quiet")  # folders: in this process
    assert here.returncode == 0, here.stderr
    assert requests_answered(root) == before + 3


@pytest.mark.slow
def test_a_rebuild_elsewhere_holds_the_lock_and_the_watcher_waits_for_it(watched: tuple[Path, Path]) -> None:
    """While another process holds the index's lock, the service writes nothing; it catches up after."""
    from searchclip.index.store import rebuild_lock

    root, folder = watched
    with rebuild_lock(root):
        (folder / "during.md").write_text("---\ntitle: during\n---\n잠금 중에 저장한 오로라 사진\n", encoding="utf-8")
        time.sleep(2)
        assert found(root, "오로라") == []
    wait_for(lambda: found(root, "오로라") == ["during.md#1"], "the watcher never caught up after the lock")


@pytest.mark.slow
def test_the_obsidian_link_reaches_json(watched: tuple[Path, Path]) -> None:
    root, _ = watched
    result = subprocess.run(
        [sys.executable, "-m", "searchclip", "search", "바이브", "--json", "--index", str(root)],
        capture_output=True, text=True, env=ENV,
    )  # fmt: skip
    assert json.loads(result.stdout.splitlines()[0])["obsidian"].startswith("obsidian://open?vault=Vault&file=")


@pytest.mark.slow
def test_a_burst_of_files_is_gathered_and_every_one_is_found(watched: tuple[Path, Path]) -> None:
    root, folder = watched
    burst = folder / "synced"
    burst.mkdir()
    for n in range(150):  # as a sync tool writes them: one after another, as fast as it can
        text = f"---\ntitle: n{n}\n---\n동기화된 메모 번호 zq{n:03d}\n"
        (burst / f"note {n:03d}.md").write_text(text, encoding="utf-8")
    wait_for(lambda: len(found(root, "동기화된")) == 150, "not every file of the burst was found", seconds=120)
    assert found(root, "zq149") == ["synced/note 149.md#1"]


@pytest.mark.slow
def test_a_service_killed_in_the_middle_of_an_update_leaves_an_index_the_next_update_repairs(tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    shutil.copytree(FIXTURES, folder)
    root = tmp_path / "index"
    assert cli("index", str(folder), "--index", str(root), "--quiet").returncode == 0
    proc = start_service(root)
    for n in range(300):
        (folder / f"burst {n}.md").write_text(f"---\ntitle: b{n}\n---\n중단된 갱신 kx{n:03d}\n", encoding="utf-8")
    time.sleep(0.8)  # past the quiet window: the update has begun (or even ended: both must hold)
    proc.kill()
    proc.wait(timeout=30)
    service_socket(root).unlink(missing_ok=True)  # what SIGKILL leaves behind
    before = cli("search", "코딩", "--index", str(root), "--no-service", "--json", "--posts")
    assert before.returncode == 0  # the index answers after the kill: the old state or the new one
    repaired = cli("index", "--index", str(root), "--quiet")
    assert repaired.returncode == 0, repaired.stderr
    ids = found(root, "중단된")
    assert len(ids) == len(set(ids)) == 300


@pytest.mark.slow
def test_with_events_off_the_reconcile_pass_alone_finds_new_files(tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    shutil.copytree(FIXTURES, folder)
    root = tmp_path / "index"
    config = tmp_path / "config.toml"
    config.write_text("embed = false\n[serve]\nevents = false\nreconcile_seconds = 2\n", encoding="utf-8")
    env = {**ENV, "SEARCHCLIP_CONFIG": str(config)}
    assert subprocess.run(
        [sys.executable, "-m", "searchclip", "index", str(folder), "--index", str(root), "--quiet"], env=env
    ).returncode == 0  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "searchclip", "serve", "--index", str(root)], env=env)
    try:
        (folder / "late.md").write_text("---\ntitle: late\n---\n이벤트 없이 찾은 북극곰\n", encoding="utf-8")

        def seen() -> bool:
            done = subprocess.run(
                [sys.executable, "-m", "searchclip", "search", "북극곰", "--index", str(root), "--json"],
                capture_output=True, text=True, env=env,
            )  # fmt: skip
            return '"late.md#1"' in done.stdout

        wait_for(seen, "the reconcile pass never found the new file", seconds=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.mark.slow
def test_mcp_tools_through_a_running_service_answer_as_in_process(watched: tuple[Path, Path]) -> None:
    from searchclip.app.answers import SearchParams, post_answer, search_answer
    from searchclip.app.commands import Session
    from searchclip.app.mcp_server import Backend

    root, _ = watched
    backend, here = Backend(root), Session.open(root)
    before = requests_answered(root)
    params = SearchParams("코딩", any_word=True, lang=("ko",), posts=True, limit=5)
    served = backend.search(params)
    assert requests_answered(root) == before + 2  # the search went to the service (then this check)
    local = search_answer(here, params)
    assert {**served, "took_ms": 0} == {**local, "took_ms": 0}
    post_id = "threads/Thread by @hana_dev.md#2"  # spaces, @ and # travel in the URL
    assert backend.show(post_id, thread=True) == post_answer(here, post_id, thread=True)
    assert backend.status()["service"] is True


def test_the_watcher_outlives_an_error_and_says_it(tmp_path: Path) -> None:
    from searchclip.ingest.watch import Watcher

    calls: list[int] = []

    def folders() -> list[Path]:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("the folder went away")
        watcher.stop.set()
        return []

    watcher = Watcher(folders, lambda: True)
    watcher.run()  # returns once stopped: the first error did not end the watch
    assert len(calls) == 2 and watcher.stats.last_error == "the folder went away"
    assert watcher.stats.passes == 0  # no folders: no pass (no "nothing to index" every 5 minutes)
