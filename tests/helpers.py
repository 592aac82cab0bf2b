"""What many tests need: one default analysis for the whole session (Kiwi and Sudachi load once),
and the library's entry points with it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from searchclip.analyzers import Analysis, Analyzer, Token
from searchclip.index.fields import index_version
from searchclip.index.hits import Results
from searchclip.index.reader import IndexReader
from searchclip.ingest import update
from searchclip.search.query import Filters, QueryParser, QueryPlan
from searchclip.search.searcher import Searcher, SearchRequest
from searchclip.search.snippets import Snippet

ANALYZER = Analyzer()


def analyze(text: str) -> list[Token]:
    return ANALYZER.analyze(text)


def analyze_for_index(text: str) -> Analysis:
    return ANALYZER.analyze_for_index([text])[0]


def plan_query(text: str, match_all: bool = True, **options: Any) -> QueryPlan:
    synonyms = options.pop("synonyms", ())
    return QueryParser(ANALYZER, synonyms).parse(text, match_all, **options)


def update_index(root: Path, folders: list[Path] | None = None, **options: Any) -> update.IndexReport:
    return update.update_index(root, folders, analyzer=options.pop("analyzer", ANALYZER), **options)


def reader(root: Path) -> IndexReader:
    """The index at `root`, which must have this analysis's version."""
    return IndexReader(root, index_version(ANALYZER.version))


def run_search(
    root: Path,
    text: str,
    match_all: bool = True,
    filters: Filters | None = None,
    limit: int = 10,
    *,
    synonyms: tuple[tuple[str, ...], ...] = (),
    analyzer: Analyzer = ANALYZER,
    per_clipping: bool = False,  # tests check which posts match; the CLI shows one per clipping
    **options: Any,
) -> tuple[QueryPlan, Results, list[Snippet]]:
    request = SearchRequest(text, match_all, filters or Filters(), limit, per_clipping=per_clipping, **options)
    found = Searcher(root, analyzer, synonyms).search(request)
    return found.plan, found.results, found.snippets


def ids(root: Path, text: str, match_all: bool = True, filters: Filters | None = None, **options: Any) -> list[str]:
    return [h.id for h in run_search(root, text, match_all, filters, options.pop("limit", 10), **options)[1].hits]


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


CLI_ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}


def cli(*args: str, env: Mapping[str, str | None] | None = None) -> CliResult:
    """`searchclip ARGS` in this process, through the CLI's own error boundary, output captured."""
    from searchclip.app.cli import main

    code: Any = 0
    with CliRunner().isolation(env=dict(CLI_ENV if env is None else env)) as (out, err, _):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    return CliResult(int(code or 0), stdout, stderr)
