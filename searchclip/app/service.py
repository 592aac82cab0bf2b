"""`searchclip serve`: a local search service that keeps the analyzers and the index reader warm.

It listens on a Unix socket per index (see `config.service_socket`) and, with --port, on
127.0.0.1 too; it answers nobody but this machine. `POST /v1/cli` runs a `searchclip search`
command line with the CLI's own parser and the very function the CLI calls (`search_command`),
rendering for the caller's terminal (the executable forwards to it); `GET /v1/search` and
`GET /v1/posts/{id}` are the JSON API for other tools, described at `/openapi.json` and `/docs`.
The reader is reopened when a rebuild changes the index; the service exits after an idle time.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import io
import os
import signal
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import uvicorn
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from searchclip import __version__
from searchclip.app.commands import EXIT_ERROR, SearchArgs, Session, console, err_console, guarded, search_command
from searchclip.errors import SearchclipError, ServiceBusyError
from searchclip.search.searcher import SearchRequest

LOOPBACK = frozenset({"127.0.0.1", "::1"})
# What the caller may say of its terminal: how the output must look, nothing else.
TERMINAL_ENV = ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM", "COLORTERM")
ParseArgv = Callable[[list[str]], SearchArgs]


class CliRequest(BaseModel):
    argv: list[str]
    env: dict[str, str] = {}
    tty: bool = False


class CliAnswer(BaseModel):
    exit_code: int
    stdout: str
    stderr: str


def create_app(session: Session, parse_argv: ParseArgv) -> FastAPI:
    root = session.root
    app = FastAPI(title="searchclip", version=__version__, summary="Search your web clippings.")
    app.state.root = root
    app.state.last_request = time.monotonic()
    app.state.requests = 0

    @app.middleware("http")
    async def this_machine_only(request: Request, call_next: Any) -> Any:
        client = request.client
        # Unix-socket clients have no address; TCP clients must be on the loopback interface.
        if client is not None and client.host and client.host not in LOOPBACK:
            return JSONResponse({"detail": "searchclip serves this machine only"}, status_code=403)
        app.state.last_request = time.monotonic()
        app.state.requests += 1
        return await call_next(request)

    @app.post("/v1/cli", response_model=CliAnswer)
    async def run_cli(body: CliRequest) -> CliAnswer:
        """Run a `searchclip search ...` command line as the CLI would, with the warm reader."""
        return _run_cli(body, session, parse_argv)

    @app.get("/v1/search")
    async def search(
        q: str,
        any_word: Annotated[bool, Query(alias="any")] = False,
        author: Annotated[list[str] | None, Query()] = None,
        tag: Annotated[list[str] | None, Query()] = None,
        lang: Annotated[list[str] | None, Query()] = None,
        since: str | None = None,
        until: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 10,
        fuzzy: bool = False,
        expand: bool = False,
    ) -> dict[str, Any]:
        """Matching posts, best first: the records of `searchclip search --json`, plus timings."""
        from searchclip.app.commands import make_filters
        from searchclip.app.render import hit_record

        timings: dict[str, float] = {}
        try:
            filters = make_filters(author or (), tag or (), lang or (), since, until)
            request = SearchRequest(q, not any_word, filters, limit, fuzzy, expand)
            found = session.searcher.search(request, timings)
        except SearchclipError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        hits = [hit_record(h, s) for h, s in zip(found.results.hits, found.snippets, strict=True)]
        return {"total": found.results.total, "hits": hits, "took_ms": round(sum(timings.values()) * 1000, 3)}

    @app.get("/v1/posts/{post_id:path}")
    async def post(post_id: str) -> dict[str, Any]:
        """One whole post with its clipping's metadata."""
        try:
            hit = session.searcher.get(post_id)
        except SearchclipError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        if hit is None:
            raise HTTPException(status_code=404, detail=f"no post {post_id!r}")
        return {"id": hit.id, "file": hit.file, "line": hit.line, "title": hit.title, "text": hit.text}

    @app.get("/v1/health")
    async def health() -> dict[str, Any]:
        """Which index this service answers for, its process id, and how many requests it answered."""
        return {
            "service": "searchclip",
            "version": __version__,
            "index": str(root),
            "pid": os.getpid(),
            "requests": app.state.requests,
        }

    return app


def _run_cli(body: CliRequest, session: Session, parse_argv: ParseArgv) -> CliAnswer:
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
        return search_command(args, session, out, err, started_at)

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


class _Server(uvicorn.Server):
    """A uvicorn server whose signals are handled by `serve`, so that its clean-up always runs."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def serve(session: Session, socket_path: Path, port: int | None, idle_timeout: float, parse_argv: ParseArgv) -> None:
    """Warm up, then answer until idle for `idle_timeout` seconds or until SIGTERM/SIGINT."""
    with _service_lock(socket_path):
        _claim_socket(socket_path)
        _warm_up(session)
        app = create_app(session, parse_argv)
        servers = [_Server(uvicorn.Config(app, uds=str(socket_path), log_level="warning", access_log=False))]
        if port is not None:
            servers.append(_Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")))
        try:
            asyncio.run(_serve_until_idle(app, servers, idle_timeout))
        finally:
            socket_path.unlink(missing_ok=True)


@contextlib.contextmanager
def _service_lock(socket_path: Path) -> Iterator[None]:
    """One service per index, even when two start at the same moment."""
    with open(f"{socket_path}.lock", "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ServiceBusyError(f"a search service already answers on {socket_path}") from exc
        yield


async def _serve_until_idle(app: FastAPI, servers: list[uvicorn.Server], idle_timeout: float) -> None:
    def stop() -> None:
        for server in servers:
            server.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)

    async def watchdog() -> None:
        while not all(s.should_exit for s in servers):
            await asyncio.sleep(min(1.0, idle_timeout / 4))
            if time.monotonic() - app.state.last_request > idle_timeout:
                stop()

    await asyncio.gather(watchdog(), *(s.serve() for s in servers))


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
    """Load the analyzers and the index now, so that the first search is as fast as the others."""
    session.analyzer.analyze("코딩을 배웠다 裏切られた models")
    with contextlib.suppress(SearchclipError):
        session.searcher.reader()
