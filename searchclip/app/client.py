"""Ask the warm search service to run a command; None whenever it cannot, so the caller runs it itself.

Standard library only: this runs before anything else is imported. The service runs the very same
command on the same index and sends back its output and exit code, so results are identical either
way. A missing, stale, crashed, busy or hung service costs at most a connect and half a second:

- the socket's peer must be this user (the kernel says who listens), else it is not ours;
- the request asks for `100 Continue` first: a service that does not start reading it within
  CONTINUE_SECONDS is hung or busy, and the search runs here instead of waiting;
- every read has a deadline and a size limit, and an answer that is not exactly what the service
  sends (status 200, a JSON object with an exit code and two strings) counts as no answer.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import sys
import time
from pathlib import Path

CONNECT_SECONDS = 0.2
CONTINUE_SECONDS = 0.5
ANSWER_SECONDS = 10.0
MAX_ANSWER_BYTES = 64 << 20
# What decides how the output looks; the service renders as if it were this terminal.
FORWARDED_ENV = ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM", "COLORTERM")


class NoAnswer(Exception):
    """The service did not answer as it does: search in this process instead."""


# `searchclip index` options the service can run for the caller (see index_handoff).
HANDED_FLAGS = {"--quiet": "quiet", "-q": "quiet", "--wait": "wait", "--no-embed": "no_embed"}
INDEX_ANSWER_SECONDS = 24 * 3600.0  # an update waits for what it updates (it reports progress never)


def run_via_service(argv: list[str]) -> int | None:
    """Run `searchclip ARGV` in the service; its exit code, or None if no service could answer."""
    indexing = argv[:1] == ["index"]
    if indexing and index_handoff(argv[1:]) is None:
        return None  # folders or a full rebuild: here, with a progress bar
    try:
        root = index_root_from_argv(argv)
        from searchclip.app.config import service_socket

        path = service_socket(root)
    except Exception:
        return None
    if not path.exists():
        if not indexing:
            _maybe_autostart(root)
        return None
    body = {"argv": argv, "env": _env(), "tty": sys.stdout.isatty()}
    try:
        answer = request(path, "POST", "/v1/cli", body, INDEX_ANSWER_SECONDS if indexing else ANSWER_SECONDS)
    except (OSError, NoAnswer, ValueError):
        return None
    if not _is_answer(answer):
        return None
    assert isinstance(answer, dict)
    sys.stdout.write(answer["stdout"])
    sys.stdout.flush()
    sys.stderr.write(answer["stderr"])
    return int(answer["exit_code"])


def _is_answer(answer: object) -> bool:
    return (
        isinstance(answer, dict)
        and isinstance(answer.get("exit_code"), int)
        and 0 <= answer["exit_code"] <= 255
        and isinstance(answer.get("stdout"), str)
        and isinstance(answer.get("stderr"), str)
    )


def index_handoff(argv: list[str]) -> dict[str, bool | int] | None:
    """The options of a `searchclip index` command line that the service can run for the caller
    (no folders: their paths are the caller's; no --full: it deserves a progress bar), or None."""
    options: dict[str, bool | int] = {"quiet": False, "wait": False, "no_embed": False, "max_file_bytes": 0}
    args = iter(argv)
    for arg in args:
        if arg in HANDED_FLAGS:
            options[HANDED_FLAGS[arg]] = True
        elif arg == "--index":
            next(args, None)
        elif arg.startswith("--index="):
            continue
        elif arg == "--max-file-size" or arg.startswith("--max-file-size="):
            value = arg.split("=", 1)[1] if "=" in arg else next(args, "")
            try:
                megabytes = float(value)
            except ValueError:
                return None
            if not 0.001 <= megabytes <= 1_000_000:  # NaN too: the CLI says what is wrong
                return None
            options["max_file_bytes"] = int(megabytes * 1_000_000)
        else:
            return None
    return options


def request(
    path: Path, method: str, url: str, body: object | None = None, answer_seconds: float = ANSWER_SECONDS
) -> object:
    """One HTTP/1.1 exchange over the service's Unix socket; the JSON answer (NoAnswer if there is none).

    Written out by hand rather than with http.client, whose import alone costs a warm search
    about a fifth of its time; the service closes the connection after each answer.
    """
    payload = json.dumps(body).encode() if body is not None else b""
    head = (
        f"{method} {url} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
    )
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(CONNECT_SECONDS)
        sock.connect(str(path))
        check_peer(sock, path)
        if payload:
            sock.sendall(f"{head}Expect: 100-continue\r\n\r\n".encode())
            early = _read_head(sock, time.monotonic() + CONTINUE_SECONDS)
            if not early.startswith(b"HTTP/1.1 100"):
                return _parse(early + _read_all(sock, time.monotonic() + answer_seconds))
            sock.sendall(payload)
        else:
            sock.sendall(f"{head}\r\n".encode())
        return _parse(_read_all(sock, time.monotonic() + answer_seconds))


def check_peer(sock: socket.socket, path: Path) -> None:
    """The process that listens must be this user's: another user's socket in our folder (or a
    folder we were tricked into) must not answer our searches or read our queries."""
    uid = os.getuid()
    peer_cred = getattr(socket, "SO_PEERCRED", None)
    if peer_cred is not None:
        _pid, peer_uid, _gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, peer_cred, struct.calcsize("3i")))
    else:  # no peer credentials on this system: the socket file's owner
        peer_uid = os.stat(path).st_uid
    if peer_uid != uid:
        raise NoAnswer(f"the service socket {path} belongs to user {peer_uid}")


def _read_head(sock: socket.socket, deadline: float) -> bytes:
    """Bytes up to the end of the first response head (or what came before the deadline)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += _recv(sock, deadline)
    return data


def _read_all(sock: socket.socket, deadline: float) -> bytes:
    chunks, total = [], 0
    while chunk := _recv(sock, deadline, allow_end=True):
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_ANSWER_BYTES:
            raise NoAnswer("the answer is too large")
    return b"".join(chunks)


def _recv(sock: socket.socket, deadline: float, allow_end: bool = False) -> bytes:
    left = deadline - time.monotonic()
    if left <= 0:
        raise NoAnswer("the service did not answer in time")
    sock.settimeout(left)
    try:
        chunk = sock.recv(65536)
    except TimeoutError as exc:
        raise NoAnswer("the service did not answer in time") from exc
    if not chunk and not allow_end:
        raise NoAnswer("the service closed the connection")
    return chunk


def _parse(response: bytes) -> object:
    if response.startswith(b"HTTP/1.1 100"):  # the interim answer, then the real one
        response = response.split(b"\r\n\r\n", 1)[1]
    status_line, _, rest = response.partition(b"\r\n")
    headers, _, data = rest.partition(b"\r\n\r\n")
    if status_line.split(b" ")[1:2] != [b"200"]:
        raise NoAnswer(f"service answered {status_line.decode(errors='replace')}")
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

    # SEARCHCLIP_AUTOSTART=0 turns it off for one environment (scripts, tests) whatever the config says.
    if os.environ.get("SEARCHCLIP_AUTOSTART") != "0" and load_config().autostart:
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
