"""The warm search service: same results as in-process, local only, and never in the way."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from searchclip.app.cli import parse_search_argv
from searchclip.app.commands import Session
from searchclip.app.config import Config, service_socket
from searchclip.app.service import create_app

pytestmark = pytest.mark.slow  # processes, services and timeouts

FIXTURES = Path(__file__).parent / "fixtures" / "clippings"
ENV = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "SEARCHCLIP_WORKERS": "1"}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "searchclip", *args], capture_output=True, text=True, env=ENV)


def indexed_copy(tmp_path: Path) -> Path:
    """A private copy of the fixture clippings, indexed; the index folder."""
    folder = tmp_path / "c"
    shutil.copytree(FIXTURES, folder)
    root = tmp_path / "index"
    assert cli("index", str(folder), "--index", str(root), "--quiet").returncode == 0
    return root


def start_service(root: Path, *extra: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "searchclip", "serve", "--index", str(root), *extra], env=ENV)
    deadline = time.monotonic() + 60
    while not service_socket(root).exists():
        assert proc.poll() is None, "the service exited"
        assert time.monotonic() < deadline, "the service did not start"
        time.sleep(0.1)
    return proc


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    base = tmp_path_factory.mktemp("served")
    folder = base / "clippings"
    shutil.copytree(FIXTURES, folder)
    root = base / "index"
    assert cli("index", str(folder), "--index", str(root), "--quiet").returncode == 0
    proc = start_service(root, "--no-watch")  # these tests change the folder and rebuild by hand
    yield root, folder
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)


def requests_answered(root: Path) -> int:
    from searchclip.app.client import request

    health = request(service_socket(root), "GET", "/v1/health")
    assert isinstance(health, dict)
    return int(health["requests"])


@pytest.mark.parametrize(
    "args",
    [
        ["공짜"],
        ["裏切る", "--any", "--json"],
        ['"language models"', "--json"],
        ["코딩", "--author", "@minseo_k"],
        ["존재하지않는낱말"],
        ['"unclosed'],
    ],
)
def test_service_and_in_process_give_identical_results(served: tuple[Path, Path], args: list[str]) -> None:
    root, _ = served
    before = requests_answered(root)
    warm = cli("search", *args, "--index", str(root))
    assert requests_answered(root) == before + 2  # the search, then this health check: the service answered
    cold = cli("search", *args, "--index", str(root), "--no-service")
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr)


def test_relative_index_reaches_the_service_of_that_index(served: tuple[Path, Path]) -> None:
    root, _ = served
    before = requests_answered(root)
    relative = os.path.relpath(root, root.parent.parent)
    done = subprocess.run(
        [sys.executable, "-m", "searchclip", "search", "공짜", "--index", relative, "--json"],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=root.parent.parent,
    )
    assert done.returncode == 0, done.stderr
    assert '"threads/Thread by @hana_dev.md#1"' in done.stdout
    assert requests_answered(root) == before + 2


def test_service_sees_a_rebuild(served: tuple[Path, Path]) -> None:
    root, folder = served
    (folder / "new.md").write_text("---\ntitle: new\n---\n새로 추가한 양자컴퓨터 메모\n", encoding="utf-8")
    assert cli("search", "양자컴퓨터", "--index", str(root)).returncode == 1
    assert cli("index", "--index", str(root), "--quiet").returncode == 0
    found = cli("search", "양자컴퓨터", "--index", str(root), "--json")
    assert found.returncode == 0 and '"new.md#1"' in found.stdout


def test_json_api_and_openapi(served: tuple[Path, Path]) -> None:
    from searchclip.app.client import NoAnswer, request

    root, _ = served
    answer = request(service_socket(root), "GET", "/v1/search?q=%EA%B3%B5%EC%A7%9C")  # 공짜
    assert isinstance(answer, dict) and answer["total"] == 1
    hit = answer["hits"][0]
    assert [hit["snippet"][s:e] for s, e in hit["highlights"]] == ["공짜"]
    expanded = request(service_socket(root), "GET", "/v1/search?q=%EA%B3%B5%EC%A7%9C&any=true&expand=true")
    assert isinstance(expanded, dict) and expanded["hits"][0]["id"] == hit["id"]
    with pytest.raises(NoAnswer, match="400"):  # FastAPI checks the parameter: not a boolean
        request(service_socket(root), "GET", "/v1/search?q=x&expand=maybe")
    spec = request(service_socket(root), "GET", "/openapi.json")
    assert isinstance(spec, dict) and {"/v1/search", "/v1/cli", "/v1/posts/{post_id}"} <= set(spec["paths"])


def test_second_service_on_the_same_index_is_refused(served: tuple[Path, Path]) -> None:
    root, _ = served
    second = cli("serve", "--index", str(root))
    assert second.returncode == 2
    assert "a search service already answers on" in second.stderr


def test_non_loopback_clients_are_refused(tmp_path: Path) -> None:
    app = create_app(Session(Config(), tmp_path), parse_search_argv)
    with TestClient(app, client=("192.168.1.20", 5000)) as remote:
        assert remote.get("/v1/health").status_code == 403
    with TestClient(app, client=("127.0.0.1", 5000)) as local:
        assert local.get("/v1/health").json()["service"] == "searchclip"


def test_stale_socket_and_crashed_service_do_not_break_search(tmp_path: Path) -> None:
    root = indexed_copy(tmp_path)
    path = service_socket(root)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))  # a socket file nobody listens on
    stale.close()
    try:
        assert cli("search", "공짜", "--index", str(root)).returncode == 0
        proc = start_service(root)  # claims the stale socket
        proc.send_signal(signal.SIGKILL)  # crashes, leaving its socket behind
        proc.wait()
        assert path.exists()
        result = cli("search", "공짜", "--index", str(root), "--json")
        assert result.returncode == 0 and '"threads/Thread by @hana_dev.md#1"' in result.stdout
    finally:
        path.unlink(missing_ok=True)


def test_by_default_a_search_starts_the_service_for_the_next_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = indexed_copy(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text("embed = false\n", encoding="utf-8")  # autostart is the default
    env = {**ENV, "SEARCHCLIP_CONFIG": str(config)}
    env.pop("SEARCHCLIP_AUTOSTART", None)  # what the tests set to start no service by accident
    monkeypatch.setenv("SEARCHCLIP_CONFIG", str(config))  # one service per index and config file
    first = subprocess.run(
        [sys.executable, "-m", "searchclip", "search", "공짜", "--index", str(root)], capture_output=True, env=env
    )
    assert first.returncode == 0  # answered in-process while the service starts
    deadline = time.monotonic() + 60
    while not service_socket(root).exists():
        assert time.monotonic() < deadline, "autostart did not start the service"
        time.sleep(0.1)
    from searchclip.app.client import request

    try:
        before = requests_answered(root)
        second = subprocess.run([sys.executable, "-m", "searchclip", "search", "공짜", "--index", str(root)], env=env)
        assert second.returncode == 0
        assert requests_answered(root) == before + 2  # the search, then this health request itself
    finally:
        health = request(service_socket(root), "GET", "/v1/health")
        assert isinstance(health, dict)
        os.kill(int(health["pid"]), signal.SIGTERM)


def test_sigterm_stops_the_service_and_removes_its_socket(tmp_path: Path) -> None:
    root = indexed_copy(tmp_path)
    proc = start_service(root)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert not service_socket(root).exists()


def test_service_exits_when_idle(tmp_path: Path) -> None:
    root = indexed_copy(tmp_path)
    proc = start_service(root, "--idle-timeout", "1")
    assert proc.wait(timeout=30) == 0
    assert not service_socket(root).exists()


def test_open_runs_the_editor_at_the_posts_line(served: tuple[Path, Path], tmp_path: Path) -> None:
    root, folder = served
    log = tmp_path / "editor.log"
    editor = tmp_path / "editor.sh"
    editor.write_text(f'#!/bin/sh\necho "$@" > {log}\n', encoding="utf-8")
    editor.chmod(0o755)
    env = {**ENV, "EDITOR": str(editor), "VISUAL": ""}
    result = subprocess.run(
        [sys.executable, "-m", "searchclip", "open", "threads/Thread by @hana_dev.md#2", "--index", str(root)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert log.read_text(encoding="utf-8").strip() == f"+23 {folder / 'threads' / 'Thread by @hana_dev.md'}"


def test_the_service_answers_as_a_fresh_process_after_the_config_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = indexed_copy(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text("embed = false\n", encoding="utf-8")
    monkeypatch.setenv("SEARCHCLIP_CONFIG", str(config))
    env = {**ENV, "SEARCHCLIP_CONFIG": str(config)}
    proc = subprocess.Popen([sys.executable, "-m", "searchclip", "serve", "--index", str(root)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not service_socket(root).exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        search = [sys.executable, "-m", "searchclip", "search", "LLM", "--json", "--index", str(root)]
        assert subprocess.run(search, capture_output=True, env=env).returncode == 1
        config.write_text('embed = false\n[synonyms]\ngroups = [["LLM", "language models"]]\n', encoding="utf-8")
        before = requests_answered(root)
        warm = subprocess.run(search, capture_output=True, text=True, env=env)
        assert requests_answered(root) == before + 2  # the service answered, with the new synonyms
        cold = subprocess.run([*search, "--no-service"], capture_output=True, text=True, env=env)
        assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout)
        assert '"threads/Thread by @hana_dev.md#4"' in warm.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
