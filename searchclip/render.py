"""Hits → terminal output (rich) or JSON Lines. Colour and links only on a terminal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.text import Text

from searchclip.highlight import Snippet
from searchclip.hits import Hit

MATCH_STYLE = "bold black on yellow"


def hit_text(rank: int, hit: Hit, snippet: Snippet) -> Text:
    """One result: title line, who and when, where (path linked to the file, source URL), snippet."""
    out = Text()
    out.append(f"{rank}. ", style="bold")
    out.append(hit.title or hit.path, style="bold cyan")
    out.append("\n   ")
    who = " ".join(p for p in (hit.author, f"@{hit.handle}" if hit.handle else "") if p)
    meta = [p for p in (who, hit.date.isoformat() if hit.date else "", hit.lang) if p]
    out.append(" · ".join(meta), style="green")
    out.append("\n   ")
    out.append(hit.id, style=f"magenta link {Path(hit.file).as_uri()}" if hit.file else "magenta")
    if hit.url or hit.source:
        out.append("  ")
        out.append(hit.url or hit.source, style="blue")
    out.append("\n   ")
    out.append(snippet_text(snippet))
    return out


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
    """A hit as plain JSON data: what --json prints and the service's API returns."""
    return {
        "id": hit.id,
        "path": hit.path,
        "file": hit.file,
        "post": hit.post,
        "line": hit.line,
        "title": hit.title,
        "author": hit.author,
        "handle": hit.handle,
        "date": hit.date.isoformat() if hit.date else None,
        "url": hit.url or hit.source,
        "lang": hit.lang,
        "tags": list(hit.tags),
        "score": round(hit.score, 4),
        "snippet": snippet.text,
        "highlights": [list(span) for span in snippet.spans],
    }
