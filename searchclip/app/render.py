"""Results → terminal output (rich) or JSON Lines. Colour and links only on a terminal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from searchclip.analyzers import Analysis
from searchclip.index.hits import Hit
from searchclip.search.snippets import Snippet

if TYPE_CHECKING:  # the indexing code is not imported by a search
    from searchclip.ingest.update import IndexReport

MATCH_STYLE = "bold black on yellow"


def hit_text(rank: int, hit: Hit, snippet: Snippet) -> Text:
    """One result: title line, who and when, where (path linked to the file, source URL), snippet."""
    out = Text()
    out.append(f"{rank}. ", style="bold")
    out.append(hit.title or hit.path, style="bold cyan")
    out.append("\n   ")
    meta = [p for p in (_who(hit), hit.date.isoformat() if hit.date else "", hit.lang) if p]
    out.append(" · ".join(meta), style="green")
    out.append("\n   ")
    out.append(hit.id, style=f"magenta link {Path(hit.file).as_uri()}" if hit.file else "magenta")
    if hit.url or hit.source:
        out.append("  ")
        out.append(hit.url or hit.source, style="blue")
    out.append("\n   ")
    out.append(snippet_text(snippet))
    return out


def _who(hit: Hit) -> str:
    return " ".join(p for p in (hit.author, f"@{hit.handle}" if hit.handle else "") if p)


def snippet_text(snippet: Snippet) -> Text:
    text = Text(snippet.text)
    for start, end in snippet.spans:
        text.stylize(MATCH_STYLE, start, end)
    return text


def print_hits(console: Console, hits: Sequence[Hit], snippets: Sequence[Snippet], total: int) -> None:
    for rank, (hit, snippet) in enumerate(zip(hits, snippets, strict=True), 1):
        # Soft wrap: the terminal folds long lines; pipes and files get one line per field.
        console.print(hit_text(rank, hit, snippet), soft_wrap=True)
        console.print()
    console.print(f"{len(hits)} of {total} matching post{'s' if total != 1 else ''}", style="dim", soft_wrap=True)


def hit_json(hit: Hit, snippet: Snippet) -> str:
    return json.dumps(hit_record(hit, snippet), ensure_ascii=False)


def hit_record(hit: Hit, snippet: Snippet) -> dict[str, object]:
    """A hit as plain JSON data: what --json prints and the service's API returns (the API's contract)."""
    return {
        **{name: getattr(hit, name) for name in ("id", "path", "file", "post", "line", "title", "author", "handle")},
        "date": hit.date.isoformat() if hit.date else None,
        "url": hit.url or hit.source,
        "lang": hit.lang,
        "tags": list(hit.tags),
        "score": round(hit.score, 4),
        "snippet": snippet.text,
        "highlights": [list(span) for span in snippet.spans],
    }


def print_post(console: Console, hit: Hit) -> None:
    """A whole post with its clipping's metadata (`searchclip show`)."""
    console.print(hit.title, style="bold cyan", markup=False)
    console.print(
        " · ".join(p for p in (_who(hit), hit.date.isoformat() if hit.date else "", hit.url) if p), markup=False
    )
    console.print(f"{hit.file}:{hit.line}", style="magenta", markup=False)
    console.print()
    console.print(hit.text, markup=False)


def analysis_table(text: str, analysis: Analysis) -> Table:
    """The tokens of a text, every stream: term, original characters, offsets, position, tag, analyzer."""
    table = Table("term", "text", "start", "end", "pos", "tag", "analyzer")
    for tok in [*analysis.tokens, *analysis.initials, *analysis.readings, *analysis.bigrams]:
        tag = f"{tok.tag} (part)" if tok.part else tok.tag
        row = (tok.term, text[tok.start : tok.end], str(tok.start), str(tok.end), str(tok.position), tag)
        table.add_row(*row, tok.analyzer)
    return table


def print_index_report(out: Console, err: Console, report: IndexReport, root: Path, quiet: bool) -> None:
    """Every file that failed, then (unless quiet) warnings, why a full rebuild ran, and the counts."""
    for file, reason in report.failed:
        err.print(f"searchclip: skipped {file}: {reason}", markup=False)
    if quiet:
        return
    for file, warning in report.warnings:
        err.print(f"searchclip: warning: {file}: {warning}", markup=False)
    if report.full and report.reason not in ("new index", "--full"):
        err.print(f"searchclip: full rebuild: {report.reason}", markup=False)
    out.print(
        f"{report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.unchanged} unchanged, {len(report.failed)} failed; "
        f"{report.posts} posts indexed in {report.seconds:.1f} s → {root}",
        markup=False,
        soft_wrap=True,
    )
