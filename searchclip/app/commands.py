"""What the commands do, apart from how they are called: the CLI and the service run the same code.

`search_command` is the whole of `searchclip search` after its options are parsed: the CLI calls
it with the terminal's consoles, the service with consoles that write into its answer. `guarded`
is the one error boundary, as ripgrep's `main`: a library error is one line on stderr and exit 2,
a usage error too, and anything unexpected one "internal error" line with exit 2 (never exit 1,
which means "nothing found").
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO, Any

import typer
from rich.console import Console

from searchclip.analyzers import Analyzer
from searchclip.app.config import Config, analysis_settings, config_path, index_root, load_config
from searchclip.errors import FilterError, SearchclipError
from searchclip.index.fields import FIRST_DATE, LAST_DATE
from searchclip.search.query import Filters
from searchclip.search.searcher import Searcher, SearchRequest

EXIT_FOUND, EXIT_NOT_FOUND, EXIT_ERROR = 0, 1, 2
LANGS = ("ko", "ja", "zh", "en", "de", "fr", "es", "it", "pt", "nl", "sv", "other")
COLORS = ("auto", "always", "never")


@dataclass(frozen=True, slots=True)
class SearchArgs:
    """`searchclip search`'s options, parsed."""

    words: tuple[str, ...]
    any_word: bool = False
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    limit: int = 10
    as_json: bool = False
    color: str = "auto"
    fuzzy: bool = False
    expand: bool | None = None  # None: the config's
    timings: bool = False
    posts: bool = False  # every matching post, not one per clipping
    lexical: bool = False  # by words only
    semantic: bool = False  # by meaning only
    sort: str = "relevance"  # or "date": newest first

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SearchArgs:
        """From the parsed options of the `search` command, by their parameter names."""
        return cls(
            words=tuple(params["query"] or ()),
            any_word=params["any_word"],
            authors=tuple(params["author"] or ()),
            tags=tuple(params["tag"] or ()),
            langs=tuple(params["lang"] or ()),
            since=params["since"],
            until=params["until"],
            limit=params["limit"],
            as_json=params["as_json"],
            color=str(getattr(params["color"], "value", params["color"])),
            fuzzy=params["fuzzy"],
            expand=params["expand"],
            timings=params["timings"],
            posts=params["posts"],
            lexical=params.get("lexical", False),
            semantic=params.get("semantic", False),
            sort=str(getattr(params.get("sort"), "value", params.get("sort") or "relevance")),
        )

    @property
    def mode(self) -> str:
        if self.lexical and self.semantic:
            raise FilterError("--lexical and --semantic exclude each other: name one, or neither for both")
        return "lexical" if self.lexical else "semantic" if self.semantic else "auto"


class Session:
    """The config, the analysis built from it, and the index it names: built once per process."""

    def __init__(self, config: Config, root: Path) -> None:
        self.config = config
        self.root = root
        self._config_key = _file_key(config_path())
        self.analyzer = Analyzer(analysis_settings(config))
        if self.analyzer.settings.japanese_words:
            from searchclip.analyzers.japanese import user_dictionary

            # Compiled now, so that a bad entry is one clear error before any work starts.
            user_dictionary(self.analyzer.settings.japanese_words)

    @classmethod
    def open(cls, index_path: Path | None = None) -> Session:
        config = load_config()
        return cls(config, index_root(index_path, config))

    @cached_property
    def searcher(self) -> Searcher:
        return Searcher(self.root, self.analyzer, self.config.synonyms)

    def current(self) -> Session:
        """This session, or a new one if the config file changed since: a warm service answers as a
        fresh process would after the user edits synonyms or analysis settings."""
        if _file_key(config_path()) == self._config_key:
            return self
        return Session(load_config(), self.root)


class CurrentSession:
    """The session of a long-running process, renewed when the config file changes; shared by the
    service's listeners and its live index (so, thread-safe)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._lock = threading.Lock()

    def __call__(self) -> Session:
        with self._lock:
            self._session = self._session.current()
            return self._session


def _file_key(file: Path) -> tuple[int, int, int] | None:
    try:
        info = file.stat()
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def search_command(
    args: SearchArgs, session: Session, out: Console, err: Console, started_at: float | None = None
) -> int:
    text = " ".join(args.words)
    spent: dict[str, float] = {}
    request = SearchRequest(
        text,
        match_all=not args.any_word,
        filters=make_filters(args.authors, args.tags, args.langs, args.since, args.until),
        limit=args.limit,
        fuzzy=args.fuzzy,
        expand=session.config.expand if args.expand is None else args.expand,
        per_clipping=not args.posts,
        mode=args.mode,
        sort=args.sort,
    )
    found = session.searcher.search(request, spent)
    if args.timings:
        print_timings(err, spent, started_at)
    if not found.plan.clauses and text.strip():
        err.print(
            f"searchclip: nothing to search for in {text!r}: it has only particles, endings or symbols", markup=False
        )
        return EXIT_NOT_FOUND
    if not found.results.hits:
        err.print(f"searchclip: no post matches {text!r}" if text.strip() else "searchclip: no post", markup=False)
        return EXIT_NOT_FOUND
    if args.as_json:
        from searchclip.app.render import hit_json

        more = found.more or [()] * len(found.results.hits)
        fused = found.fused or [None] * len(found.results.hits)
        for hit, snippet, others, scores in zip(found.results.hits, found.snippets, more, fused, strict=True):
            out.file.write(hit_json(hit, snippet, others, scores) + "\n")
        out.file.flush()
    else:
        from searchclip.app.render import print_hits

        print_hits(out, found.results.hits, found.snippets, found.results.total, found.more, found.fused)
    return EXIT_FOUND


def print_timings(err: Console, spent: dict[str, float], started_at: float | None) -> None:
    parts = [f"{name} {seconds * 1000:.1f} ms" for name, seconds in spent.items()]
    if started_at is not None:
        parts.append(f"since start {(time.perf_counter() - started_at) * 1000:.0f} ms")
    err.print("searchclip: timings: " + ", ".join(parts), markup=False)


def make_filters(
    authors: Sequence[str], tags: Sequence[str], langs: Sequence[str], since: str | None, until: str | None
) -> Filters:
    from searchclip.ingest.dates import parse_date

    dates = {}
    for name, value in (("since", since), ("until", until)):
        if value is not None:
            parsed = parse_date(value)
            if parsed is None:
                raise FilterError(f"--{name} {value!r} is not a date; use YYYY-MM-DD")
            # Dates beyond those the index stores bound nothing more than its own limits do.
            dates[name] = min(max(parsed, FIRST_DATE), LAST_DATE)
    bad = [lang for lang in langs if lang.lower() not in LANGS]
    if bad:
        raise FilterError(f"unknown language {bad[0]!r}; use one of: {', '.join(LANGS)}")
    return Filters(
        authors=tuple(authors),
        tags=tuple(tags),
        langs=tuple(lang.lower() for lang in langs),
        since=dates.get("since"),
        until=dates.get("until"),
    )


def console(
    color: str = "auto", file: IO[str] | None = None, environ: Mapping[str, str] | None = None, tty: bool = False
) -> Console:
    """A console for results: colour and links on a terminal (or `tty`), `always` or `never`.

    `environ` describes the terminal (COLUMNS, TERM, NO_COLOR...) when it is not this process's.
    """
    extra: dict[str, Any] = {"_environ": terminal_environ(os.environ if environ is None else environ)}
    if color == "always":
        return Console(file=file, highlight=False, force_terminal=True, color_system="standard", **extra)
    if color == "never":
        return Console(file=file, highlight=False, no_color=True, **extra)
    return Console(file=file, highlight=False, force_terminal=True if tty else None, **extra)


def err_console(file: IO[str] | None = None) -> Console:
    return Console(file=file or sys.stderr, highlight=False, soft_wrap=True, _environ=terminal_environ(os.environ))


def terminal_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment as rich reads it, without a COLUMNS or LINES that is not a sane size:
    `COLUMNS=0` made rich print nothing at all (and the search still exit 0)."""
    sane = dict(environ)
    for name in ("COLUMNS", "LINES"):
        value = sane.get(name, "1")
        if not (value.isdigit() and 0 < int(value) <= 100_000):
            del sane[name]
    return sane


def guarded(command: Callable[[], int | None], err: Console) -> int:
    """Run a command; its exit code, with every error made one line on `err` (the error boundary)."""
    try:
        return command() or EXIT_FOUND
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # usage errors: a bad option, a missing argument
        if type(exc).__name__ == "NoArgsIsHelpError":  # the command alone: its help is the answer
            typer.echo(exc.format_message())
            return EXIT_ERROR
        return _fail(err, _usage_message(exc))
    except SearchclipError as exc:
        return _fail(err, str(exc))
    except (typer.Abort, KeyboardInterrupt):
        return 130
    except BrokenPipeError:
        return _reader_went_away()
    except SystemExit as exc:
        # typer turns a closed pipe (`searchclip search x | head -1`) into exit 1, "nothing found".
        if isinstance(exc.__context__, OSError) and exc.__context__.errno == errno.EPIPE:
            return _reader_went_away()
        raise
    except Exception as exc:
        return _fail(err, f"{type(exc).__name__}: {exc}", internal=True)


def _reader_went_away() -> int:
    """The reader of our output closed it (`| head -1`): stop, as ripgrep does, and exit 0, which
    the command was on its way to (it prints only what it found)."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the final flush has nowhere to fail
    return EXIT_FOUND


def _fail(err: Console, message: str, internal: bool = False) -> int:
    kind = "internal error" if internal else "error"
    from searchclip.app.render import printable

    err.print(printable(f"searchclip: {kind}: {' '.join(message.split())}"), markup=False)
    return EXIT_ERROR


def _usage_message(exc: typer.TyperException) -> str:
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", "")
    return f"{exc.format_message()} (see: {path} --help)" if path else exc.format_message()
