"""`searchclip bench`: the measurement commands (searchclip/bench/), kept out of cli.py so that the
search command stays lean."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from searchclip.bench.relevance import Config, ConfigResult, Progress

bench_app = typer.Typer(
    help="Measure searchclip on test sets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# One line per paragraph: rich re-wraps help text but keeps hard line breaks.
RELEVANCE_HELP = "\n\n".join(
    (
        "Measure ranking quality on a test set: nDCG@10, MRR@10 (RR@10), Recall@100, queries without a hit.",
        "PATH is a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv), a SQuAD-format .json file (each "
        "paragraph a document, each question a query; converted in memory) or a folder of clippings with --queries "
        "and --qrels (corpus ids: clipping paths relative to the folder; a hit on any post counts for its clipping).",
        "Each configuration is indexed in a temporary folder with searchclip's own pipeline, and the queries run "
        "with match_all off (any word may match, BM25 ranks), because test questions are sentences, not keyword "
        "lists. Configurations: tantivy-default, bigrams, morph, searchclip, searchclip-expand, dense, "
        "searchclip-hybrid (all by default; the last two embed every document with the bundled model first).",
        "With a SQuAD file, --queries and --qrels replace its questions with others about its paragraphs "
        "(corpus ids `title#N`), such as questions in another language.",
        "BM25's k1 and b cannot be set: Tantivy fixes them at 1.2 and 0.75 and tantivy-py 0.27 does not expose "
        "them. Field weights can be set with --weight.",
    )
)


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


@bench_app.callback()
def _group() -> None:
    """Measure searchclip on test sets."""


@bench_app.command(help=RELEVANCE_HELP)
def relevance(
    path: Annotated[Path, typer.Argument(help="BEIR folder, SQuAD .json file, or folder of clippings.")],
    queries: Annotated[Path | None, typer.Option(help="queries.jsonl (BEIR format) for a clippings folder.")] = None,
    qrels: Annotated[Path | None, typer.Option(help="qrels TSV (query-id, corpus-id, score).")] = None,
    distractors: Annotated[
        list[Path] | None,
        typer.Option("--distractors", help="A folder or data set mixed into the corpus (repeatable)."),
    ] = None,
    config: Annotated[
        list[str] | None, typer.Option("--config", "-c", help="Configuration to run (repeatable; default: all).")
    ] = None,
    weight: Annotated[
        list[str] | None,
        typer.Option("--weight", "-w", help="Override a weight in every config: body=, title=, bigrams=, proximity=."),
    ] = None,
    limit_queries: Annotated[int | None, typer.Option(help="Run a random sample of this many queries.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the --limit-queries sample.")] = 0,
    posts: Annotated[
        bool,
        typer.Option("--posts", help="Rank every post, as `search --posts` shows them (default: one per clipping)."),
    ] = False,
    vector_cache: Annotated[
        Path | None,
        typer.Option(help="A folder keeping the vectors of each data set between runs (embedding takes minutes)."),
    ] = None,
    output: Annotated[Path | None, typer.Option(help="Write the results as JSON to this file.")] = None,
    plot: Annotated[Path | None, typer.Option(help="Draw a bar chart (PNG) to this file.")] = None,
) -> None:
    from searchclip.bench import relevance as bm

    configs = _configs(config or list(bm.CONFIGS), weight or [])
    coll = bm.load_collection(path, queries, qrels, distractors or [])
    if limit_queries:
        coll = bm.limit_queries(coll, limit_queries, seed)
    _err().print(f"{coll.name}: {len(coll.docs):,} documents, {coll.posts:,} posts, {len(coll.queries):,} queries")
    with _progress() as progress:
        results = bm.run_benchmark(coll, configs, progress=progress, per_clipping=not posts, vector_cache=vector_cache)
    Console(highlight=False, width=None if sys.stdout.isatty() else 140).print(_table(coll.name, results))
    if output:
        import json

        output.write_text(json.dumps(bm.results_json(coll, results), ensure_ascii=False, indent=1), encoding="utf-8")
    if plot:
        bm.write_plot(coll, results, plot)


def _configs(names: list[str], overrides: list[str]) -> list[Config]:
    from searchclip.bench.relevance import CONFIGS
    from searchclip.errors import BenchmarkDataError

    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        raise BenchmarkDataError(f"unknown config {unknown[0]!r}; choose from: {', '.join(CONFIGS)}")
    values = {}
    for item in overrides:
        key, _, value = item.partition("=")
        try:
            values[key.strip()] = float(value)
        except ValueError:
            raise BenchmarkDataError(f"--weight {item!r}: expected NAME=NUMBER") from None
        if key.strip() not in ("body", "title", "bigrams", "proximity"):
            raise BenchmarkDataError(f"--weight {item!r}: the weights are body, title, bigrams and proximity")
    return [replace(CONFIGS[n], weights=replace(CONFIGS[n].weights, **values)) for n in names]


@contextmanager
def _progress() -> Iterator[Progress | None]:
    """A rich progress bar per stage on a terminal; nothing when stderr is redirected."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description:<26}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=_err(), transient=True) as bar:
        tasks: dict[str, object] = {}

        def update(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done)  # type: ignore[arg-type]

        yield update


def _table(name: str, results: list[ConfigResult]) -> Table:
    from searchclip.bench.relevance import DEPTH

    table = Table(title=f"relevance: {name} (top {DEPTH}, match_all off)")
    for column in ("config", "nDCG@10", "RR@10", "R@100", "no hit@100", "empty"):
        table.add_column(column, justify="left" if column == "config" else "right")
    for column in ("analysis s", "indexing s", "querying s"):
        table.add_column(column, justify="right")
    best = {m: max(r.measures[m] for r in results) for m in ("nDCG@10", "RR@10", "R@100")}
    for r in results:
        cells = [f"[bold]{r.measures[m]:.4f}[/]" if r.measures[m] == best[m] else f"{r.measures[m]:.4f}" for m in best]
        table.add_row(
            r.config,
            *cells,
            f"{r.missed}/{r.queries}",
            str(r.empty),
            f"{r.analysis_s:.1f}",
            f"{r.indexing_s:.1f}",
            f"{r.querying_s:.1f}",
        )
    return table
