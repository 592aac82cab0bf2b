"""The `searchclip` command: glue between the library and the terminal. Exit codes as grep's.

Every command parses its options, calls the library (through commands.py where the service does
the same) and returns an exit code; `main` runs them inside the one error boundary.
"""

from __future__ import annotations

import math
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from searchclip.app.bench import bench_app
from searchclip.app.commands import (
    EXIT_ERROR,
    EXIT_NOT_FOUND,
    SearchArgs,
    Session,
    console,
    err_console,
    guarded,
    search_command,
)
from searchclip.errors import FilterError, SearchclipError
from searchclip.index.hits import Hit

app = typer.Typer(
    help="Find posts again in a folder of web clippings, in Korean, Japanese and English.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)

app.add_typer(bench_app, name="bench")


def _completions(ctx: typer.Context, field: str, incomplete: str) -> list[str]:
    """What the index (the command line's --index, else the default) holds that starts with
    `incomplete`; nothing, rather than an error, on a missing or damaged index."""
    try:
        given = ctx.params.get("index_path")  # a string here: completion does not convert the values
        return Session.open(Path(given) if given else None).searcher.reader().starting_with(field, incomplete)
    except Exception:  # completion must never print an error into the user's command line
        return []


def _complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    return _completions(ctx, "id", incomplete)


def _complete_tags(ctx: typer.Context, incomplete: str) -> list[str]:
    return _completions(ctx, "tags", incomplete)


IndexOption = Annotated[
    Path | None,
    typer.Option("--index", help="Index folder (default: $SEARCHCLIP_INDEX, else the user data folder)."),
]


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class Sort(StrEnum):
    relevance = "relevance"
    date = "date"


class _State:
    """What `main` hands every command: when the executable started (for --timings)."""

    def __init__(self, started_at: float | None) -> None:
        self.started_at = started_at


@app.command()
def index(
    folders: Annotated[
        list[Path] | None,
        typer.Argument(help="Folders of clippings (default: the config file's, else the last ones indexed)."),
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="Rebuild everything, not only what changed.")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for a running rebuild instead of exiting.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only failures (for cron).")] = False,
    max_file_size: Annotated[
        float, typer.Option(min=0.001, max=1_000_000, help="Skip files larger than this many MB.")
    ] = 20.0,
    no_embed: Annotated[
        bool,
        typer.Option("--no-embed", help="Index the words only; `searchclip embed` makes the vectors later."),
    ] = False,
    index_path: IndexOption = None,
) -> int:
    """Build or update the index of one or more folders of clippings, then embed the new posts.

    The words are committed first, so every post is searchable at once; the vectors (for searches
    by meaning and across languages) follow, and an interrupted embedding goes on next time."""
    from searchclip.app.progress import index_progress
    from searchclip.app.render import print_index_report
    from searchclip.ingest.update import update_index

    if not math.isfinite(max_file_size):  # a range check lets NaN through: it compares false to everything
        raise typer.BadParameter(f"{max_file_size} is not a number of MB", param_hint="'--max-file-size'")
    from searchclip.app.config import service_socket

    session = Session.open(index_path)
    err = err_console()
    with index_progress(err, enabled=not quiet and sys.stderr.isatty()) as progress:
        report = update_index(
            session.root,
            list(folders or session.config.folders) or None,
            full=full,
            # A running service's watcher holds the lock for moments only: queue behind it.
            wait=wait or service_socket(session.root).exists(),
            progress=progress,
            max_file_bytes=int(max_file_size * 1_000_000),
            analyzer=session.analyzer,
        )
    print_index_report(console("never"), err, report, session.root, quiet)
    code = EXIT_ERROR if report.failed else 0
    if no_embed or not session.config.embed:
        return code
    return _embed(session, quiet) or code


@app.command()
def embed(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only problems (for cron).")] = False,
    index_path: IndexOption = None,
) -> int:
    """Make the vectors of the indexed posts that have none (what `searchclip index` does after the words)."""
    return _embed(Session.open(index_path), quiet)


def _embed(session: Session, quiet: bool) -> int:
    """Embed what is missing; Ctrl-C keeps every batch done (the next run goes on from there)."""
    from searchclip.app.progress import embed_progress
    from searchclip.app.render import print_embed_report
    from searchclip.errors import EmbedBusyError
    from searchclip.ingest.embedding import embed_index, missing_posts

    err = err_console()
    try:
        with embed_progress(err, enabled=not quiet and sys.stderr.isatty()) as progress:
            report = embed_index(session.root, session.searcher.embedder, progress)
    except EmbedBusyError as exc:
        if not quiet:
            err.print(f"searchclip: {exc}; it embeds these posts too", markup=False)
        return 0
    except KeyboardInterrupt:
        left = missing_posts(session.root, session.searcher.embedder)
        err.print(
            f"searchclip: embedding interrupted; {left} posts have no vectors yet (they are found by their words) "
            "and `searchclip embed` goes on from here",
            markup=False,
        )
        return 130
    print_embed_report(console("never"), err, report, quiet)
    return 0


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[
        list[str] | None,
        typer.Argument(
            help='Words to find; "quoted phrases" match as phrases. None: the newest posts (with --since, --tag…).'
        ),
    ] = None,
    any_word: Annotated[bool, typer.Option("--any", help="Match posts with any word, not all.")] = False,
    author: Annotated[list[str] | None, typer.Option(help="Only posts by this name or @handle.")] = None,
    tag: Annotated[
        list[str] | None, typer.Option(help="Only clippings with this tag.", autocompletion=_complete_tags)
    ] = None,
    lang: Annotated[
        list[str] | None, typer.Option(help="Only posts in this language: ko, ja, zh, en, de, fr, …, or other.")
    ] = None,
    since: Annotated[str | None, typer.Option(help="Only posts dated on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Only posts dated on or before (YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="How many posts to show.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON Lines, one post per line.")] = False,
    color: Annotated[Color, typer.Option(help="Colour and links: on a terminal only, always or never.")] = Color.auto,
    fuzzy: Annotated[bool, typer.Option("--fuzzy", help="Also match words a typo away from a query word.")] = False,
    expand: Annotated[
        bool | None,
        typer.Option(
            "--expand/--no-expand",
            help="Also find posts on the same topic: adds words of the best matches (default: the config's).",
        ),
    ] = None,
    timings: Annotated[bool, typer.Option("--timings", help="Print where the time went, on stderr.")] = False,
    posts: Annotated[
        bool, typer.Option("--posts", help="Every matching post, not one per clipping (its best) as by default.")
    ] = False,
    lexical: Annotated[
        bool, typer.Option("--lexical", help="Match by words only (BM25), not also by meaning.")
    ] = False,
    semantic: Annotated[
        bool,
        typer.Option("--semantic", help="Match by meaning only (the vectors), in any language."),
    ] = False,
    sort: Annotated[
        Sort, typer.Option(help="Best first, or newest first (date: matches by words, by the post's date).")
    ] = Sort.relevance,
    no_service: Annotated[
        bool, typer.Option("--no-service", help="Search in this process even when `searchclip serve` runs.")
    ] = False,
    index_path: IndexOption = None,
) -> int:
    """Search the index and print the matching posts, best first, with the matches highlighted."""
    args = SearchArgs.from_params(ctx.params)
    started_at = ctx.obj.started_at if isinstance(ctx.obj, _State) else None
    return search_command(args, Session.open(index_path), console(args.color), err_console(), started_at)


def parse_search_argv(argv: list[str]) -> SearchArgs:
    """The options of a `searchclip search` command line, parsed exactly as the CLI parses them."""
    command = typer.main.get_command(app).commands["search"]  # type: ignore[attr-defined]
    with command.make_context("searchclip search", list(argv)) as ctx:
        return SearchArgs.from_params(ctx.params)


@app.command()
def mcp(index_path: IndexOption = None) -> int:
    """Answer AI agents over MCP on stdin/stdout: tools search, show and status (read-only)."""
    try:
        from searchclip.app.mcp_server import run_stdio
    except ImportError as exc:
        raise SearchclipError(f"the MCP server needs the mcp package ({exc.name}); reinstall searchclip") from exc
    run_stdio(index_path)
    return 0


@app.command()
def serve(
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Also answer HTTP on 127.0.0.1:PORT (never on other addresses)."),
    ] = None,
    idle_timeout: Annotated[float, typer.Option(help="Exit after this many seconds without a request.")] = 900.0,
    watch: Annotated[
        bool | None,
        typer.Option("--watch/--no-watch", help="Update the index as clippings change (default: the config's, on)."),
    ] = None,
    index_path: IndexOption = None,
) -> int:
    """Keep the analyzers and the index loaded and answer searches in milliseconds (local only),
    and keep the index fresh: clippings saved, changed or deleted are searchable within seconds."""
    from searchclip.app.config import service_socket, service_token_file
    from searchclip.app.render import printable

    session = Session.open(index_path)
    path, token_file = service_socket(session.root), service_token_file(session.root)
    try:
        from searchclip.app.service import serve as run_service
    except ImportError as exc:
        needs = f"the search service needs its server libraries ({exc.name}); reinstall searchclip"
        raise SearchclipError(needs) from exc
    watching = session.config.watch if watch is None else watch
    where = f"searchclip: serving {session.root} on {path}" + (", watching its folders" if watching else "")
    if port:
        where += f" and http://127.0.0.1:{port} (token in {token_file})"

    def announce() -> None:  # once it listens: an error before it is the only line printed
        err_console().print(printable(where), markup=False)

    run_service(session, path, port, idle_timeout, parse_search_argv, token_file, announce, watch=watching)
    return 0


def _find_post(post_id: str, index_path: Path | None) -> Hit | None:
    hit = Session.open(index_path).searcher.get(post_id)
    if hit is None:
        err_console().print(f"searchclip: no post {post_id!r} in the index", markup=False)
    return hit


# A post id may start with "-" (a file named `-notes.md`): such words are the id, not options.
ID_COMMAND = {"ignore_unknown_options": True}


@app.command(name="open", context_settings=ID_COMMAND)
def open_post(
    post_id: Annotated[
        str, typer.Argument(help="A post id as search prints it: path.md#N.", autocompletion=_complete_ids)
    ],
    web: Annotated[bool, typer.Option("--web", help="Open the source URL in the browser instead.")] = False,
    obsidian: Annotated[
        bool, typer.Option("--obsidian", help="Open the clipping in Obsidian (when it lies in a vault).")
    ] = False,
    index_path: IndexOption = None,
) -> int:
    """Open a post's clipping in $EDITOR at the post's line (or in Obsidian, or its source URL)."""
    import os
    import shlex
    import subprocess

    hit = _find_post(post_id, index_path)
    if hit is None:
        return EXIT_NOT_FOUND
    if web and obsidian:
        raise FilterError("--web and --obsidian exclude each other: name one")
    if web or obsidian:
        import webbrowser

        webbrowser.open(web_url(post_id, hit.url or hit.source) if web else obsidian_url(post_id, hit.file))
        return 0
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        editor = shlex.split(command)
    except ValueError as exc:
        raise SearchclipError(f"cannot read the editor command {command!r} ($VISUAL or $EDITOR): {exc}") from exc
    if not editor:
        raise SearchclipError("the editor command ($VISUAL or $EDITOR) is empty")
    try:
        return subprocess.call([*editor, f"+{hit.line}", hit.file])
    except OSError as exc:
        raise SearchclipError(f"cannot run the editor {editor[0]!r}: {exc.strerror}") from exc


def obsidian_url(post_id: str, file: str) -> str:
    """The clipping's `obsidian://` link; an error when it lies in no vault."""
    from searchclip.search.links import obsidian_link

    link = obsidian_link(file)
    if link is None:
        raise SearchclipError(f"{post_id} is not in an Obsidian vault (no .obsidian folder above {file})")
    return link


def web_url(post_id: str, url: str) -> str:
    """The post's source URL if a browser may be handed it: http or https only (a clipped page may
    name `file:`, `javascript:` or a word a browser launcher reads as an option)."""
    from urllib.parse import urlsplit

    if not url:
        raise SearchclipError(f"{post_id} has no source URL")
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url.strip()):
        raise SearchclipError(f"{post_id}'s source is not an http or https URL, so it is not opened: {url!r}")
    return parts.geturl()


@app.command(context_settings=ID_COMMAND)
def show(
    post_id: Annotated[
        str, typer.Argument(help="A post id as search prints it: path.md#N.", autocompletion=_complete_ids)
    ],
    index_path: IndexOption = None,
) -> int:
    """Print one whole post with its clipping's metadata."""
    from searchclip.app.render import print_post

    hit = _find_post(post_id, index_path)
    if hit is None:
        return EXIT_NOT_FOUND
    print_post(console(), hit)
    return 0


@app.command()
def analyze(
    text: Annotated[str, typer.Argument(help="Text to analyze as searchclip indexes it (or a file, with --markdown).")],
    markdown: Annotated[
        bool,
        typer.Option("--markdown", help="TEXT is Markdown, or a clipping file: strip the syntax as indexing does."),
    ] = False,
) -> int:
    """Show the tokens searchclip indexes for a text: term, original characters, offsets, analyzer."""
    from searchclip.app.render import analysis_table

    analyzed = text
    if markdown:
        from searchclip.ingest.markup import prose_mask
        from searchclip.ingest.textfile import read_text

        if os.path.isfile(text):  # not Path.is_file: a pasted paragraph is "a file name too long"
            from searchclip.ingest.update import MAX_FILE_BYTES

            text = read_text(Path(text), MAX_FILE_BYTES)
        analyzed = prose_mask(text)  # what indexing analyzes: the text with its Markdown blanked
    analysis = Session.open().analyzer.analyze_for_index([analyzed])[0]  # as indexing analyzes a post
    console().print(analysis_table(text, analysis))
    return 0


def main(argv: list[str] | None = None, started_at: float | None = None) -> NoReturn:
    """Run the command line; every error becomes one line and exit code 2, here and nowhere else."""
    state = _State(started_at)
    args = sys.argv[1:] if argv is None else argv

    def run() -> int | None:
        check_arguments(args)
        return app(args=args, prog_name="searchclip", standalone_mode=False, obj=state)

    sys.exit(guarded(run, err_console()))


def check_arguments(args: list[str]) -> None:
    """Arguments must be text: a byte that is not UTF-8 (from a file name, say) cannot be searched for."""
    for number, arg in enumerate(args, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise SearchclipError(f"argument {number} is not valid UTF-8: {shown}") from None
