"""The `searchclip` command: glue between the library and the terminal. Exit codes as grep's."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from searchclip.bench_cli import bench_app
from searchclip.errors import FilterError, SearchclipError

if TYPE_CHECKING:
    from searchclip.config import Config
    from searchclip.hits import Hit

app = typer.Typer(
    help="Find posts again in a folder of web clippings, in Korean, Japanese and English.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)

app.add_typer(bench_app, name="bench")

EXIT_FOUND, EXIT_NOT_FOUND, EXIT_ERROR = 0, 1, 2
LANGS = ("ko", "ja", "en")

IndexOption = Annotated[
    Path | None,
    typer.Option("--index", help="Index folder (default: $SEARCHCLIP_INDEX, else the user data folder)."),
]


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


def _console(color: Color) -> Console:
    if color is Color.always:
        return Console(highlight=False, force_terminal=True, color_system="standard")
    return Console(highlight=False, no_color=color is Color.never)


def _setup() -> Config:
    """Read the config file and apply its analysis settings to this process."""
    from searchclip.analyzers.settings import configure
    from searchclip.config import ConfigError, analysis_settings, load_config

    config = load_config()
    settings = analysis_settings(config)
    if settings.japanese_words:
        from searchclip.analyzers.japanese import user_dictionary

        try:  # compiled now, so that a bad entry is one clear error before any work starts
            user_dictionary(settings.japanese_words)
        except RuntimeError as exc:
            raise ConfigError(str(exc)) from exc
    configure(settings)
    return config


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    _err().print(f"searchclip: error: {message}", markup=False)
    return typer.Exit(EXIT_ERROR)


@app.command()
def index(
    folders: Annotated[
        list[Path] | None,
        typer.Argument(help="Folders of clippings (default: the config file's, else the last ones indexed)."),
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="Rebuild everything, not only what changed.")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for a running rebuild instead of exiting.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only failures (for cron).")] = False,
    max_file_size: Annotated[float, typer.Option(help="Skip files larger than this many MB.")] = 20.0,
    index_path: IndexOption = None,
) -> None:
    """Build or update the index of one or more folders of clippings."""
    from searchclip.config import index_root
    from searchclip.indexing import update_index
    from searchclip.progress import index_progress

    show_progress = not quiet and sys.stderr.isatty()
    try:
        config = _setup()
        root = index_root(index_path, config)
        with index_progress(_err(), enabled=show_progress) as progress:
            report = update_index(
                root,
                list(folders or config.folders) or None,
                full=full,
                wait=wait,
                progress=progress,
                max_file_bytes=int(max_file_size * 1_000_000),
            )
    except SearchclipError as exc:
        raise _fail(str(exc)) from exc
    err = _err()
    for file, reason in report.failed:
        err.print(f"searchclip: skipped {file}: {reason}", markup=False)
    if not quiet:
        for file, warning in report.warnings:
            err.print(f"searchclip: warning: {file}: {warning}", markup=False)
        if report.full and report.reason not in ("new index", "--full"):
            err.print(f"searchclip: full rebuild: {report.reason}", markup=False)
        Console(highlight=False).print(
            f"{report.added} added, {report.updated} updated, {report.removed} removed, "
            f"{report.unchanged} unchanged, {len(report.failed)} failed; "
            f"{report.posts} posts indexed in {report.seconds:.1f} s → {root}",
            markup=False,
            soft_wrap=True,
        )
    if report.failed:
        raise typer.Exit(EXIT_ERROR)


@app.command()
def search(
    query: Annotated[list[str], typer.Argument(help='Words to find; "quoted phrases" match as phrases.')],
    any_word: Annotated[bool, typer.Option("--any", help="Match posts with any word, not all.")] = False,
    author: Annotated[list[str] | None, typer.Option(help="Only posts by this name or @handle.")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Only clippings with this tag.")] = None,
    lang: Annotated[list[str] | None, typer.Option(help="Only posts in this language: ko, ja or en.")] = None,
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
    no_service: Annotated[
        bool, typer.Option("--no-service", help="Search in this process even when `searchclip serve` runs.")
    ] = False,
    index_path: IndexOption = None,
) -> None:
    """Search the index and print the matching posts, best first, with the matches highlighted."""
    from searchclip.config import index_root
    from searchclip.searching import run_search

    text = " ".join(query)
    spent: dict[str, float] = {}
    try:
        config = _setup()
        filters = make_filters(author, tag, lang, since, until)
        root = index_root(index_path, config)
        plan, results, snippets = run_search(
            root,
            text,
            not any_word,
            filters,
            limit,
            spent,
            synonyms=config.synonyms,
            fuzzy=fuzzy,
            expand=config.expand if expand is None else expand,
        )
    except SearchclipError as exc:
        raise _fail(str(exc)) from exc
    if timings:
        _print_timings(spent)
    if not plan.clauses:
        _err().print(
            f"searchclip: nothing to search for in {text!r}: it has only particles, endings or symbols", markup=False
        )
        raise typer.Exit(EXIT_NOT_FOUND)
    if not results.hits:
        _err().print(f"searchclip: no post matches {text!r}", markup=False)
        raise typer.Exit(EXIT_NOT_FOUND)
    if as_json:
        from searchclip.render import hit_json

        for hit, snippet in zip(results.hits, snippets, strict=True):
            typer.echo(hit_json(hit, snippet))
    else:
        from searchclip.render import print_hits

        print_hits(_console(color), results.hits, snippets, results.total)


def _print_timings(spent: dict[str, float]) -> None:
    import time

    import searchclip

    parts = [f"{name} {seconds * 1000:.1f} ms" for name, seconds in spent.items()]
    if searchclip.started_at is not None:
        parts.append(f"since start {(time.perf_counter() - searchclip.started_at) * 1000:.0f} ms")
    _err().print("searchclip: timings: " + ", ".join(parts), markup=False)


@app.command()
def serve(
    port: Annotated[
        int | None, typer.Option(help="Also answer HTTP on 127.0.0.1:PORT (never on other addresses).")
    ] = None,
    idle_timeout: Annotated[float, typer.Option(help="Exit after this many seconds without a request.")] = 900.0,
    index_path: IndexOption = None,
) -> None:
    """Keep the analyzers and the index loaded and answer searches in milliseconds (local only)."""
    from searchclip.config import index_root, service_socket

    try:
        config = _setup()
        root = index_root(index_path, config)
    except SearchclipError as exc:
        raise _fail(str(exc)) from exc
    path = service_socket(root)
    try:
        from searchclip.service import serve as run_service
    except ImportError as exc:
        raise _fail(f"the search service needs its server libraries ({exc.name}); reinstall searchclip") from exc
    where = f"searchclip: serving {root} on {path}" + (f" and http://127.0.0.1:{port}" if port else "")
    _err().print(where, markup=False)
    try:
        run_service(root, path, port, idle_timeout, config.synonyms)
    except SearchclipError as exc:
        raise _fail(str(exc)) from exc


def _find_post(post_id: str, index_path: Path | None) -> Hit:
    """The post with this id, or exit: 1 if there is none, 2 on an error."""
    from searchclip.config import index_root
    from searchclip.searching import open_reader

    try:
        hit = open_reader(index_root(index_path, _setup())).get(post_id)
    except SearchclipError as exc:
        raise _fail(str(exc)) from exc
    if hit is None:
        _err().print(f"searchclip: no post {post_id!r} in the index", markup=False)
        raise typer.Exit(EXIT_NOT_FOUND)
    return hit


@app.command(name="open")
def open_post(
    post_id: Annotated[str, typer.Argument(help="A post id as search prints it: path.md#N.")],
    web: Annotated[bool, typer.Option("--web", help="Open the source URL in the browser instead.")] = False,
    index_path: IndexOption = None,
) -> None:
    """Open a post's clipping in $EDITOR at the post's line (or its source URL with --web)."""
    import os
    import shlex
    import subprocess

    hit = _find_post(post_id, index_path)
    if web:
        import webbrowser

        if not (hit.url or hit.source):
            raise _fail(f"{post_id} has no source URL")
        webbrowser.open(hit.url or hit.source)
        return
    editor = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")
    try:
        raise typer.Exit(subprocess.call([*editor, f"+{hit.line}", hit.file]))
    except OSError as exc:
        raise _fail(f"cannot run the editor {editor[0]!r}: {exc.strerror}") from exc


@app.command()
def show(
    post_id: Annotated[str, typer.Argument(help="A post id as search prints it: path.md#N.")],
    index_path: IndexOption = None,
) -> None:
    """Print one whole post with its clipping's metadata."""
    hit = _find_post(post_id, index_path)
    console = Console(highlight=False)
    console.print(hit.title, style="bold cyan", markup=False)
    who = " ".join(p for p in (hit.author, f"@{hit.handle}" if hit.handle else "") if p)
    console.print(" · ".join(p for p in (who, hit.date.isoformat() if hit.date else "", hit.url) if p), markup=False)
    console.print(f"{hit.file}:{hit.line}", style="magenta", markup=False)
    console.print()
    console.print(hit.text, markup=False)


@app.command()
def analyze(text: Annotated[str, typer.Argument(help="Text to analyze as searchclip indexes it.")]) -> None:
    """Show the tokens searchclip indexes for a text: term, original characters, offsets, analyzer."""
    from rich.table import Table

    from searchclip.analyzers import analyze_texts

    try:
        _setup()
    except SearchclipError as exc:
        raise _fail(str(exc)) from exc
    analysis = analyze_texts([text], parts=True)[0]  # as indexing analyzes a post (queries keep compounds whole)
    table = Table("term", "text", "start", "end", "pos", "tag", "analyzer")
    for tok in [*analysis.tokens, *analysis.initials, *analysis.readings, *analysis.bigrams]:
        tag = f"{tok.tag} (part)" if tok.part else tok.tag
        row = (tok.term, text[tok.start : tok.end], str(tok.start), str(tok.end), str(tok.position), tag)
        table.add_row(*row, tok.analyzer)
    Console().print(table)


def make_filters(authors, tags, langs, since, until):
    from searchclip.dates import parse_date
    from searchclip.query import Filters

    dates = {}
    for name, value in (("since", since), ("until", until)):
        if value is not None:
            dates[name] = parse_date(value)
            if dates[name] is None:
                raise FilterError(f"--{name} {value!r} is not a date; use YYYY-MM-DD")
    bad = [lang for lang in langs or [] if lang.lower() not in LANGS]
    if bad:
        raise FilterError(f"unknown language {bad[0]!r}; use one of: {', '.join(LANGS)}")
    return Filters(
        authors=tuple(authors or ()),
        tags=tuple(tags or ()),
        langs=tuple(lang.lower() for lang in langs or ()),
        since=dates.get("since"),
        until=dates.get("until"),
    )


def main() -> None:
    try:
        app(prog_name="searchclip")
    except KeyboardInterrupt:
        sys.exit(130)
