"""`searchclip serve`: a local search service that keeps the analyzers and the index reader warm.

It listens on a Unix socket per index and config (see `config.service_socket`), in a folder only
this user can enter, created with mode 0600; with --port, also on 127.0.0.1, where every request
must come from the loopback interface, name `127.0.0.1:PORT` or `localhost:PORT` as its Host (a
DNS-rebinding page names its own), carry no foreign Origin, and present the token the service wrote
to a file only this user can read (as Jupyter's). `POST /v1/cli` runs a `searchclip search` command
line with the CLI's own parser and the very function the CLI calls (`search_command`), rendering
for the caller's terminal; only the terminal's description is taken from the request, never its
config or environment. `GET /v1/search` and `GET /v1/posts/{id}` are the JSON API for other tools,
described at `/openapi.json` (no `/docs`: its page loads scripts from a CDN). Connections are
bounded and must send their request within seconds; the reader is reopened when a rebuild changes
the index; the service exits after an idle time.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hmac
import io
import os
import secrets
import signal
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any

import uvicorn
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from searchclip import __version__
from searchclip.app.client import index_handoff
from searchclip.app.commands import (
    EXIT_ERROR,
    CurrentSession,
    SearchArgs,
    Session,
    console,
    err_console,
    guarded,
    search_command,
)
from searchclip.app.live import LiveIndex
from searchclip.errors import SearchclipError, ServiceBusyError, ServiceError

LOOPBACK = frozenset({"127.0.0.1", "::1"})
# What the caller may say of its terminal: how the output must look, nothing else.
TERMINAL_ENV = ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM", "COLORTERM")
MAX_BODY_BYTES = 1_000_000
MAX_CONNECTIONS = 64  # per listener; more are closed at once (idle ones cannot starve searches)
REQUEST_SECONDS = 5.0  # a connection must send a whole request within this, or it is closed
ParseArgv = Callable[[list[str]], SearchArgs]


class CliRequest(BaseModel):
    argv: list[str] = Field(max_length=1_000)
    env: dict[str, str] = {}
    tty: bool = False


class CliAnswer(BaseModel):
    exit_code: int
    stdout: str
    stderr: str


@dataclass
class ServiceState:
    """Shared by the service's listeners: when it last answered, and how often."""

    last_request: float = field(default_factory=time.monotonic)
    requests: int = 0
    live: LiveIndex | None = None  # the watcher and writer, when the service keeps the index fresh


@dataclass(frozen=True)
class Guard:
    """Who one listener answers. The Unix socket (port None): anyone who can reach it (its folder is
    private). TCP: a loopback peer that names this port as its Host, sends no foreign Origin and
    presents the token."""

    port: int | None = None
    token: str = ""

    def refusal(self, request: Request) -> str:
        """Why the request is refused, or "" to answer it."""
        client = request.client
        if client is not None and client.host and client.host not in LOOPBACK:
            return "searchclip serves this machine only"
        if self.port is None:
            return ""
        hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        if request.headers.get("host", "").lower() not in hosts:
            return "unexpected Host: searchclip answers only http://127.0.0.1 and http://localhost on its port"
        origin = request.headers.get("origin")
        if origin is not None and origin.lower() not in {f"http://{host}" for host in hosts}:
            return "cross-site request refused"
        offered = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        offered = offered or request.query_params.get("token", "")
        if not hmac.compare_digest(offered.encode(), self.token.encode()):
            return "a token is required: send 'Authorization: Bearer TOKEN' (TOKEN is in the file serve names)"
        return ""


def create_app(
    session: Session,
    parse_argv: ParseArgv,
    guard: Guard | None = None,
    state: ServiceState | None = None,
    current: Callable[[], Session] | None = None,
) -> FastAPI:
    root = session.root
    guard = guard or Guard()
    state = state or ServiceState()
    current = current or CurrentSession(session)
    mcp = _McpEndpoint()

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        from searchclip.app.mcp_server import http_endpoint

        mcp.endpoint, run = http_endpoint(current)
        async with run():  # the MCP endpoint's task group
            yield
        mcp.endpoint = None

    app = FastAPI(
        title="searchclip", version=__version__, summary="Search your web clippings.", docs_url=None, redoc_url=None,
        lifespan=lifespan,
    )  # fmt: skip
    app.router.routes.append(Route("/mcp", endpoint=mcp))  # MCP over streamable HTTP, behind the same guard
    app.state.service = state

    @app.middleware("http")
    async def admitted(request: Request, call_next: Any) -> Any:
        if refusal := guard.refusal(request):
            return JSONResponse({"detail": refusal}, status_code=403)
        length = request.headers.get("content-length")
        if request.method == "POST" and not (length and length.isdigit() and int(length) <= MAX_BODY_BYTES):
            return JSONResponse({"detail": f"a request body of at most {MAX_BODY_BYTES:,} bytes, with its length"}, 413)
        state.last_request = time.monotonic()
        state.requests += 1
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg', '')}" for e in exc.errors())
        return JSONResponse({"detail": problems or "invalid request"}, status_code=400)

    @app.exception_handler(SearchclipError)
    async def library_error(request: Request, exc: SearchclipError) -> JSONResponse:
        return JSONResponse({"detail": " ".join(str(exc).split())}, status_code=400)

    @app.post("/v1/cli", response_model=CliAnswer)
    async def run_cli(body: CliRequest) -> CliAnswer:
        """Run a `searchclip search ...` command line as the CLI would, with the warm reader, or a
        `searchclip index` (without folders) with the warm analyzers of the live index."""
        if body.argv[:1] == ["index"] and state.live is not None:
            return await asyncio.to_thread(_run_index, body, state.live, current)
        return _run_cli(body, current, parse_argv)

    @app.get("/v1/search")
    async def search(
        q: Annotated[str, Query(max_length=1_000_000)] = "",
        any_word: Annotated[bool, Query(alias="any")] = False,
        author: Annotated[list[str] | None, Query()] = None,
        tag: Annotated[list[str] | None, Query()] = None,
        lang: Annotated[list[str] | None, Query()] = None,
        since: str | None = None,
        until: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 10,
        fuzzy: bool = False,
        expand: bool = False,
        posts: bool = False,
        mode: Annotated[str, Query(pattern="^(auto|lexical|semantic)$")] = "auto",
        sort: Annotated[str, Query(pattern="^(relevance|date)$")] = "relevance",
    ) -> dict[str, Any]:
        """Matching posts, best first: the records of `searchclip search --json`, plus timings and
        how it searched (`mode`: hybrid, lexical or semantic; `auto` is hybrid when there are vectors).
        `sort=date`: the posts that match the words, newest first; no `q`: the newest posts."""
        from searchclip.app.answers import SearchParams, search_answer

        params = SearchParams(
            q, any_word, tuple(author or ()), tuple(tag or ()), tuple(lang or ()), since, until, limit, fuzzy,
            expand, posts, mode, sort,
        )  # fmt: skip
        return search_answer(current(), params)

    @app.get("/v1/posts/{post_id:path}")
    async def post(post_id: str, thread: bool = False) -> dict[str, Any]:
        """One whole post with its clipping's metadata (`thread=true`: every post of its clipping)."""
        from searchclip.app.answers import post_answer

        answer = post_answer(current(), post_id, thread)
        if answer is None:
            raise HTTPException(status_code=404, detail=f"no post {post_id!r}")
        return answer

    @app.get("/v1/status")
    async def status() -> dict[str, Any]:
        """The index: where, how many clippings and posts, when it last changed, vector coverage."""
        from searchclip.app.answers import status_answer

        answer = status_answer(current())
        watcher = state.live.watcher if state.live is not None else None
        if watcher is not None:
            answer["watching"] = {**asdict(watcher.stats), "reconcile_seconds": watcher.reconcile_seconds}
        return answer

    @app.get("/v1/health")
    async def health() -> dict[str, Any]:
        """Which index this service answers for, its process id, and how many requests it answered."""
        return {
            "service": "searchclip",
            "version": __version__,
            "index": str(root),
            "pid": os.getpid(),
            "requests": state.requests,
        }

    return app


class _McpEndpoint:
    """`/mcp`: hands each request to the MCP endpoint of the running service (made at start-up)."""

    endpoint: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.endpoint is None:
            await JSONResponse({"detail": "MCP is not running"}, status_code=503)(scope, receive, send)
            return
        await self.endpoint(scope, receive, send)


def _run_cli(body: CliRequest, current: Callable[[], Session], parse_argv: ParseArgv) -> CliAnswer:
    """Run a `searchclip search` command line as the CLI would, inside the same error boundary."""
    if body.argv[:1] != ["search"]:
        return CliAnswer(exit_code=EXIT_ERROR, stdout="", stderr="searchclip: error: the service runs searches only\n")
    started_at = time.perf_counter()  # --timings counts from the request, not from start-up
    environ = {k: v for k, v in body.env.items() if k in TERMINAL_ENV}
    # Render for the caller's terminal, not for this answer's buffer (unless the caller turned colour off).
    tty = body.tty and "NO_COLOR" not in environ
    out_buffer, err_buffer = io.StringIO(), io.StringIO()
    err = err_console(err_buffer)

    def run() -> int:
        # This service answers for its own index only: the caller's --index named it already, but
        # possibly relative to another folder.
        args = parse_argv(_without_index(body.argv[1:]))
        out = console(args.color, out_buffer, environ, tty)
        return search_command(args, current(), out, err, started_at)

    code = guarded(run, err)
    return CliAnswer(exit_code=code, stdout=out_buffer.getvalue(), stderr=err_buffer.getvalue())


def _run_index(body: CliRequest, live: LiveIndex, current: Callable[[], Session]) -> CliAnswer:
    """Run a handed-over `searchclip index` (no folders, no --full): the update in this service,
    the new posts' vectors after it, in the background."""
    from searchclip.app.render import print_index_report

    out_buffer, err_buffer = io.StringIO(), io.StringIO()
    err = err_console(err_buffer)

    def run() -> int:
        options = index_handoff(body.argv[1:])
        if options is None:
            raise ServiceError("the service runs `searchclip index` without folders or --full only")
        report = live.update(
            list(current().config.folders) or None,  # as the CLI: the config's folders, else the index's
            wait=bool(options["wait"]),
            max_file_bytes=int(options["max_file_bytes"]),
            embed=not options["no_embed"],
        )
        print_index_report(console("never", out_buffer), err, report, live.root, bool(options["quiet"]))
        if current().config.embed and not options["no_embed"] and not options["quiet"]:
            err.print("searchclip: the search service makes the new posts' vectors now", markup=False)
        return EXIT_ERROR if report.failed else 0

    code = guarded(run, err)
    return CliAnswer(exit_code=code, stdout=out_buffer.getvalue(), stderr=err_buffer.getvalue())


def _without_index(args: list[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for i, arg in enumerate(args):
        if skip:
            skip = False
        elif arg == "--":
            return [*out, *args[i:]]
        elif arg == "--index":
            skip = True
        elif not arg.startswith("--index="):
            out.append(arg)
    return out


class GuardedH11(H11Protocol):
    """uvicorn's HTTP/1.1 connection, bounded: beyond MAX_CONNECTIONS a new connection is closed at
    once, and a connection that has not sent a whole request within REQUEST_SECONDS (before its first
    request or between two) is closed. uvicorn waits forever for a first request: 1,100 idle
    connections used to hold every file descriptor and make each search wait 34 s."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > MAX_CONNECTIONS:
            transport.close()
            return
        self._arm()

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not None and not self.cycle.response_complete and self._deadline is not None:
            self._deadline.cancel()  # a whole request arrived: the search may take its time
            self._deadline = None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(REQUEST_SECONDS, self._expire)

    def _expire(self) -> None:
        idle = self.cycle is None or self.cycle.response_complete
        if idle and not self.transport.is_closing():
            self.transport.close()


class _Server(uvicorn.Server):
    """A uvicorn server whose signals are handled by `serve`, so that its clean-up always runs."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def serve(
    session: Session,
    socket_path: Path,
    port: int | None,
    idle_timeout: float,
    parse_argv: ParseArgv,
    token_file: Path | None = None,
    announce: Callable[[], None] = lambda: None,
    *,
    watch: bool = True,
) -> None:
    """Warm up, then answer until idle for `idle_timeout` seconds or until SIGTERM/SIGINT."""
    # From before the socket exists until the loop takes over, a SIGTERM is remembered, not fatal:
    # the socket is removed however early the service is told to stop.
    early: list[int] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda number, _frame: early.append(number))
    with _service_lock(socket_path):
        _claim_socket(socket_path)
        _warm_up(session)  # before the socket exists: a client that finds it finds a warm service
        listeners = [(unix_listener(socket_path), Guard())]
        current = CurrentSession(session)
        config = session.config
        live = LiveIndex(
            current, watch=watch, polling=config.polling, events=config.events,
            reconcile_seconds=config.reconcile_seconds,
        )  # fmt: skip
        state = ServiceState(live=live)
        try:
            if port is not None:
                assert token_file is not None
                listeners.append((tcp_listener(port), Guard(port, write_token(token_file))))
            announce()
            assert state.live is not None
            state.live.start()
            apps = [(create_app(session, parse_argv, guard, state, current), sock) for sock, guard in listeners]
            asyncio.run(_serve_until_idle(state, [(_server(app), sock) for app, sock in apps], idle_timeout, early))
        finally:
            if state.live is not None:
                state.live.stop()
            for sock, _ in listeners:
                sock.close()
            socket_path.unlink(missing_ok=True)
            if token_file is not None and port is not None:
                token_file.unlink(missing_ok=True)


def _server(app: FastAPI) -> _Server:
    config = uvicorn.Config(app, http=GuardedH11, log_level="warning", access_log=False, timeout_keep_alive=5)
    return _Server(config)


def unix_listener(path: Path) -> socket.socket:
    """The service's socket, bound with mode 0600 from the start (uvicorn would make it 0666)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        sock.bind(str(path))
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        hint = "; set XDG_RUNTIME_DIR to a shorter folder" if "too long" in reason else ""
        raise ServiceError(f"cannot listen on {path}: {reason}{hint}") from exc
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    sock.listen(128)  # connections wait in the queue from now on, not refused
    return sock


def tcp_listener(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise ServiceError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from exc
    sock.listen(128)
    return sock


def write_token(file: Path) -> str:
    """A new secret for this run, in a file only this user can read."""
    token = secrets.token_urlsafe(32)
    file.unlink(missing_ok=True)
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(token + "\n")
    return token


@contextlib.contextmanager
def _service_lock(socket_path: Path) -> Iterator[None]:
    """One service per index, even when two start at the same moment."""
    fd = os.open(f"{socket_path}.lock", os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ServiceBusyError(f"a search service already answers on {socket_path}") from exc
        yield


async def _serve_until_idle(
    state: ServiceState, servers: list[tuple[_Server, socket.socket]], idle_timeout: float, early: list[int]
) -> None:
    def stop() -> None:
        for server, _ in servers:
            server.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    if early:  # told to stop while warming up
        stop()

    async def watchdog() -> None:
        while not all(s.should_exit for s, _ in servers):
            await asyncio.sleep(min(1.0, idle_timeout / 4))
            if time.monotonic() - state.last_request > idle_timeout:
                stop()

    await asyncio.gather(watchdog(), *(server.serve(sockets=[sock]) for server, sock in servers))


def _claim_socket(path: Path) -> None:
    """Refuse to start beside a live service; remove the socket a crashed one left behind."""
    if not path.exists():
        return
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
    except OSError:
        path.unlink(missing_ok=True)  # stale: nobody listens
        return
    finally:
        probe.close()
    raise ServiceBusyError(f"a search service already answers on {path}")


def _warm_up(session: Session) -> None:
    """Load the analyzers, the index, its vectors and the model now, so that the first search is as
    fast as the others."""
    session.analyzer.analyze("코딩을 배웠다 裏切られた models")
    with contextlib.suppress(SearchclipError):
        session.searcher.reader()
        dense = session.searcher.dense()
        if dense is not None and len(dense):
            session.searcher.embedder.embed_query("코딩을 배웠다 裏切られた models")
