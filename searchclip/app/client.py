"""Ask the warm search service to run a command; None whenever it cannot, so the caller runs it itself.

Standard library only: this runs before anything else is imported. The service runs the very same
command on the same index and sends back its output and exit code, so results are identical either
way. A missing, stale or crashed service costs one failed connect.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

CONNECT_TIMEOUT = 0.2
ANSWER_TIMEOUT = 30.0
# What decides how the output looks; the service renders as if it were this terminal.
FORWARDED_ENV = ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM", "COLORTERM")


def run_via_service(argv: list[str]) -> int | None:
    """Run `searchclip ARGV` in the service; its exit code, or None if no service could answer."""
    try:
        root = index_root_from_argv(argv)
        from searchclip.app.config import service_socket

        path = service_socket(root)
        if not path.exists():
            _maybe_autostart(root)
            return None
        answer = request(path, "POST", "/v1/cli", {"argv": argv, "env": _env(), "tty": sys.stdout.isatty()})
    except Exception:
        return None
    if not isinstance(answer, dict) or "exit_code" not in answer:
        return None
    sys.stdout.write(answer.get("stdout", ""))
    sys.stderr.write(answer.get("stderr", ""))
    return int(answer["exit_code"])


def request(path: Path, method: str, url: str, body: object | None = None) -> object:
    """One HTTP/1.1 exchange over the service's Unix socket; the JSON answer.

    Written out by hand rather than with http.client, whose import alone costs a warm search
    about a fifth of its time; the service closes the connection after each answer.
    """
    payload = json.dumps(body).encode() if body is not None else b""
    head = (
        f"{method} {url} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(CONNECT_TIMEOUT)
        sock.connect(str(path))
        sock.settimeout(ANSWER_TIMEOUT)
        sock.sendall(head.encode() + payload)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    status_line, _, rest = response.partition(b"\r\n")
    headers, _, data = rest.partition(b"\r\n\r\n")
    if status_line.split(b" ")[1:2] != [b"200"]:
        raise ConnectionError(f"service answered {status_line.decode(errors='replace')}")
    if b"transfer-encoding: chunked" in headers.lower():
        data = _unchunk(data)
    return json.loads(data)


def _unchunk(data: bytes) -> bytes:
    out = []
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out.append(data[:size])
        data = data[size + 2 :]
    return b"".join(out)


def index_root_from_argv(argv: list[str]) -> Path:
    """The index the command would use: --index, else the environment or config (as the CLI does)."""
    from searchclip.app.config import index_root

    for i, arg in enumerate(argv):
        if arg == "--index" and i + 1 < len(argv):
            return index_root(Path(argv[i + 1]))
        if arg.startswith("--index="):
            return index_root(Path(arg.split("=", 1)[1]))
    return index_root()


def _env() -> dict[str, str]:
    env = {k: os.environ[k] for k in FORWARDED_ENV if k in os.environ}
    if sys.stdout.isatty() and "COLUMNS" not in env:
        env["COLUMNS"] = str(os.get_terminal_size().columns)
    return env


def _maybe_autostart(root: Path) -> None:
    from searchclip.app.config import load_config

    if load_config().autostart:
        start_service(root)


def start_service(root: Path) -> None:
    """Start `searchclip serve` for `root` in the background, detached from this terminal."""
    import subprocess

    subprocess.Popen(
        [sys.executable, "-m", "searchclip", "serve", "--index", str(root)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
