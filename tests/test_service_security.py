"""The local service under attack: DNS rebinding, other local users, hostile requests, many idle
connections, and services that lie or hang. A real `searchclip serve`, real sockets."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from searchclip.app.cli import parse_search_argv
from searchclip.app.commands import Session
from searchclip.app.config import Config, service_folder, service_socket, service_token_file
from searchclip.app.service import create_app
from searchclip.errors import ServiceFolderError

pytestmark = pytest.mark.slow  # services and processes

FIXTURES = Path(__file__).parent / "fixtures" / "clippings"
ENV = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "SEARCHCLIP_WORKERS": "1"}


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "searchclip", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env or ENV, timeout=120, check=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    base = tmp_path_factory.mktemp("secure")
    shutil.copytree(FIXTURES, base / "clippings")
    root = base / "index"
    assert cli("index", str(base / "clippings"), "--index", str(root), "-q").returncode == 0
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "searchclip", "serve", "--index", str(root), "--port", str(port)], env=ENV
    )
    deadline = time.monotonic() + 60
    while not service_socket(root).exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the service did not start"
        time.sleep(0.1)
    yield root, port
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert not service_token_file(root).exists() and not service_socket(root).exists()


def tcp(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, object]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    answer = conn.getresponse()
    return answer.status, json.loads(answer.read() or b"{}")


def token(root: Path) -> str:
    return service_token_file(root).read_text(encoding="ascii").strip()


# ---- HTTP on a port: loopback Host, no foreign Origin, the token ------------------------------


def test_the_port_needs_the_token_and_a_loopback_host(served: tuple[Path, int]) -> None:
    root, port = served
    secret = token(root)
    assert stat.S_IMODE(service_token_file(root).stat().st_mode) == 0o600
    assert tcp(port, "/v1/health")[0] == 403  # no token
    assert tcp(port, "/v1/health", {"Authorization": "Bearer wrong"})[0] == 403
    status, health = tcp(port, "/v1/health", {"Authorization": f"Bearer {secret}"})
    assert status == 200 and health["service"] == "searchclip"
    assert tcp(port, f"/v1/search?q=%EA%B3%B5%EC%A7%9C&token={secret}")[0] == 200  # 공짜, token as a parameter
    # DNS rebinding: a page on evil.example resolved to 127.0.0.1 names its own host.
    rebinding = tcp(port, "/v1/health", {"Host": f"evil.example:{port}", "Authorization": f"Bearer {secret}"})
    assert rebinding[0] == 403 and "unexpected Host" in str(rebinding[1]["detail"])
    cross_site = tcp(port, "/v1/health", {"Origin": "http://evil.example", "Authorization": f"Bearer {secret}"})
    assert cross_site[0] == 403 and "cross-site" in str(cross_site[1]["detail"])
    assert tcp(port, "/v1/health", {"Host": f"localhost:{port}", "Authorization": f"Bearer {secret}"})[0] == 200


def test_docs_load_nothing_remote_and_bad_requests_are_400(served: tuple[Path, int]) -> None:
    root, port = served
    auth = {"Authorization": f"Bearer {token(root)}"}
    assert tcp(port, "/docs", auth)[0] == 404 and tcp(port, "/redoc", auth)[0] == 404
    assert tcp(port, "/openapi.json", auth)[0] == 200
    for query in (
        "q=x&since=yesterday",
        "q=x&limit=0",
        "q=x&lang=xx",
        "q=" + "x" * 50_001,
        "q=x&expand=maybe",
        "q=%22open",
    ):
        status, answer = tcp(port, f"/v1/search?{query}", auth)
        assert status == 400, query
        assert "\n" not in str(answer["detail"])


def test_non_loopback_clients_are_refused(tmp_path: Path) -> None:
    app = create_app(Session(Config(), tmp_path), parse_search_argv)
    with TestClient(app, client=("192.168.1.20", 5000)) as remote:
        assert remote.get("/v1/health").status_code == 403


# ---- the Unix socket and its folder -----------------------------------------------------------


def test_the_socket_is_private(served: tuple[Path, int]) -> None:
    root, _ = served
    path = service_socket(root)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    folder = path.parent.lstat()
    assert folder.st_uid == os.getuid() and stat.S_IMODE(folder.st_mode) & 0o077 == 0


def test_a_socket_folder_that_others_control_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert service_folder() == runtime / "searchclip"
    runtime.chmod(0o777)
    with pytest.raises(ServiceFolderError, match=r"XDG_RUNTIME_DIR .* is writable by other users"):
        service_folder()
    runtime.chmod(0o700)
    (runtime / "searchclip").rmdir()
    (runtime / "searchclip").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(ServiceFolderError, match="is a symbolic link"):
        service_folder()
    (runtime / "searchclip").unlink()
    if os.getuid() == 0:
        (runtime / "searchclip").mkdir(mode=0o700)
        os.chown(runtime / "searchclip", 65534, 65534)
        with pytest.raises(ServiceFolderError, match="belongs to another user"):
            service_folder()


def test_an_unsafe_folder_means_in_process_search_and_a_one_line_serve_error(
    served: tuple[Path, int], tmp_path: Path
) -> None:
    root, _ = served
    runtime = tmp_path / "shared"
    runtime.mkdir()
    runtime.chmod(0o777)
    env = {**ENV, "XDG_RUNTIME_DIR": str(runtime)}
    found = cli("search", "공짜", "--index", str(root), "--json", env=env)
    assert found.returncode == 0 and '"threads/Thread by @hana_dev.md#1"' in found.stdout
    refused = cli("serve", "--index", str(root), env=env)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "writable by other users" in refused.stderr


def test_a_socket_path_too_long_and_a_port_in_use_are_one_line(served: tuple[Path, int], tmp_path: Path) -> None:
    root, port = served
    deep = tmp_path / ("d" * 100)
    deep.mkdir(mode=0o700)
    long_path = cli("serve", "--index", str(root), env={**ENV, "XDG_RUNTIME_DIR": str(deep)})
    assert long_path.returncode == 2 and long_path.stderr.count("\n") == 1 and "cannot listen on" in long_path.stderr
    other = Path(tempfile.mkdtemp(prefix="sc-", dir="/tmp"))  # short: socket paths are limited
    try:
        in_use = cli("serve", "--index", str(root), "--port", str(port), env={**ENV, "XDG_RUNTIME_DIR": str(other)})
    finally:
        shutil.rmtree(other)
    assert in_use.returncode == 2 and in_use.stderr.count("\n") == 1
    assert f"cannot listen on 127.0.0.1:{port}" in in_use.stderr


# ---- a request cannot change the service -------------------------------------------------------


def test_a_request_cannot_change_the_services_environment_or_settings(served: tuple[Path, int], tmp_path: Path) -> None:
    from searchclip.app.client import request

    root, _ = served
    config = tmp_path / "config.toml"
    config.write_text('[analysis]\nkorean_tags = ["NNP"]\n', encoding="utf-8")  # 공짜 would not be a term
    for env in ({"SEARCHCLIP_CONFIG": "/dev/zero"}, {"SEARCHCLIP_CONFIG": str(config)}, {"COLUMNS": "0"}):
        answer = request(service_socket(root), "POST", "/v1/cli", {"argv": ["search", "공짜", "--json"], "env": env})
        assert isinstance(answer, dict) and answer["exit_code"] == 0, answer
        assert '"threads/Thread by @hana_dev.md#1"' in answer["stdout"]
    after = request(service_socket(root), "POST", "/v1/cli", {"argv": ["search", "공짜", "--json"], "env": {}})
    assert isinstance(after, dict) and after["exit_code"] == 0


# ---- many idle connections ----------------------------------------------------------------------


def test_idle_connections_are_bounded_and_closed(served: tuple[Path, int]) -> None:
    root, _ = served
    idle = []
    for _ in range(500):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(service_socket(root)))
        except OSError:
            sock.close()
            break
        idle.append(sock)
    try:
        started = time.monotonic()
        found = cli("search", "공짜", "--index", str(root), "--json")
        assert found.returncode == 0 and '"threads/Thread by @hana_dev.md#1"' in found.stdout
        assert time.monotonic() - started < 10  # 1,100 idle connections used to make it 34 s
        time.sleep(6.5)  # past REQUEST_SECONDS: the service closed every one of them
        for sock in idle[:50]:
            sock.settimeout(1)
            assert sock.recv(1) == b""
    finally:
        for sock in idle:
            sock.close()
    from searchclip.app.client import request

    before = request(service_socket(root), "GET", "/v1/health")
    assert cli("search", "공짜", "--index", str(root)).returncode == 0
    after = request(service_socket(root), "GET", "/v1/health")
    assert isinstance(before, dict) and isinstance(after, dict) and after["requests"] == before["requests"] + 2


# ---- services that lie, hang, or are someone else's ---------------------------------------------


FAKE_SERVER = """
import os, socket, sys, time
path, mode = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.bind(path)
open(path + ".ready", "w").close()
if mode == "other-user":
    os.setuid(65534)  # the kernel records who listens: not the searcher's user
sock.listen(8)
time.sleep(0.2)
answers = {
    "garbage": b"\\x00\\xffnot http at all",
    "wrong-json": b"HTTP/1.1 200 OK\\r\\ncontent-length: 24\\r\\n\\r\\n{\\"exit_code\\": \\"zero!\\"}  ",
    "other-user": b'HTTP/1.1 100 Continue\\r\\n\\r\\nHTTP/1.1 200 OK\\r\\ncontent-length: 52\\r\\n\\r\\n'
    b'{"exit_code": 0, "stdout": "FAKE RESULT\\\\n", "stderr": ""}',
}
while True:
    conn, _ = sock.accept()
    if mode == "hung":
        time.sleep(3600)
    conn.recv(65536)
    conn.sendall(answers[mode])
    conn.close()
"""


@pytest.mark.parametrize("mode", ["garbage", "wrong-json", "hung", "other-user"])
def test_a_service_that_is_not_ours_or_not_well_is_no_service(tmp_path: Path, mode: str) -> None:
    if mode == "other-user" and os.getuid() != 0:
        pytest.skip("needs root to listen as another user")
    folder = tmp_path / "c"
    shutil.copytree(FIXTURES, folder)
    root = tmp_path / "index"
    assert cli("index", str(folder), "--index", str(root), "-q").returncode == 0
    path = service_socket(root)
    fake = subprocess.Popen([sys.executable, "-c", FAKE_SERVER, str(path), mode])
    try:
        while not Path(f"{path}.ready").exists():
            assert fake.poll() is None
            time.sleep(0.05)
        started = time.monotonic()
        result = cli("search", "공짜", "--index", str(root), "--json")
        seconds = time.monotonic() - started
        alone = cli("search", "공짜", "--index", str(root), "--json", "--no-service")
        assert (result.returncode, result.stdout) == (alone.returncode, alone.stdout)
        assert "FAKE RESULT" not in result.stdout
        assert seconds < alone_seconds_bound(), f"{mode}: {seconds:.1f} s"
    finally:
        fake.kill()
        fake.wait()
        path.unlink(missing_ok=True)
        Path(f"{path}.ready").unlink(missing_ok=True)


def alone_seconds_bound() -> float:
    """A search in its own process loads Kiwi (1-2 s here); a hung service may add half a second."""
    return 15.0


def test_a_hung_service_costs_half_a_second(tmp_path: Path) -> None:
    from searchclip.app import client

    path = tmp_path / "hung.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    started = time.monotonic()
    with pytest.raises(client.NoAnswer, match="did not answer in time"):
        client.request(path, "POST", "/v1/cli", {"argv": ["search", "x"]})
    assert time.monotonic() - started < client.CONTINUE_SECONDS + 0.5
    listener.close()


# ---- MCP over streamable HTTP on the service: the same guard ----------------------------------


def mcp_call(url: str, headers: dict[str, str], tool: str, arguments: dict[str, object]) -> object:
    import anyio
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    async def go() -> object:
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as web,
            Client(streamable_http_client(url, http_client=web)) as client,
        ):
            return await client.call_tool(tool, arguments)

    return anyio.run(go)


def test_mcp_over_http_answers_with_the_token_only(served: tuple[Path, int]) -> None:
    root, port = served
    url = f"http://127.0.0.1:{port}/mcp"
    result = mcp_call(url, {"Authorization": f"Bearer {token(root)}"}, "search", {"query": "공짜"})
    assert result.structured_content["hits"][0]["id"] == "threads/Thread by @hana_dev.md#1"  # type: ignore[attr-defined]
    status = mcp_call(url, {"Authorization": f"Bearer {token(root)}"}, "status", {})
    assert status.structured_content["posts"] >= 8  # type: ignore[attr-defined]
    body = b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}'
    for headers in (
        {},  # no token
        {"Authorization": f"Bearer {token(root)}", "Origin": "https://evil.example"},  # a web page's request
        {"Authorization": f"Bearer {token(root)}", "Host": f"evil.example:{port}"},  # DNS rebinding
    ):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/mcp", body=body, headers={"Content-Type": "application/json", **headers})
        assert conn.getresponse().status == 403, headers
