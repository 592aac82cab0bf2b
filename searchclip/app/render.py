"""Results → terminal output (rich) or JSON Lines. Colour and links only on a terminal."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from searchclip.analyzers import Analysis
from searchclip.index.hits import Hit
from searchclip.search.hybrid import Fused
from searchclip.search.links import obsidian_link
from searchclip.search.snippets import Snippet

if TYPE_CHECKING:  # the indexing code is not imported by a search
    from searchclip.ingest.embedding import EmbedReport
    from searchclip.ingest.update import IndexReport

MATCH_STYLE = "bold black on yellow"
# Characters a terminal obeys instead of showing: C0 controls but line feed and tab (ESC starts CSI
# colour and cursor codes, OSC 8 links and OSC 52 clipboard writes), DEL, C1 controls (0x9b is CSI
# on some terminals) and the bidirectional overrides and isolates that reorder what is shown.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_C0_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)} | {0x7F: "\u2421"}


def printable(text: str) -> str:
    """The text with every character a terminal would obey shown as a symbol instead: C0 controls
    as their control pictures (`␛`), the others as `�`. One character for one, so offsets (the
    highlights) stay right; clipped web pages cannot recolour, move, link or copy to the clipboard."""
    return _CONTROLS.sub(lambda m: _C0_PICTURES.get(ord(m[0]), "\ufffd"), text)


def hit_text(rank: int, hit: Hit, snippet: Snippet, more: Sequence[str] = (), by_meaning: bool = False) -> Text:
    """One result: title line, who and when, where (path linked to the file, source URL), snippet
    (for a post found by meaning alone, the passage that matched, so marked), and the clipping's
    other matching posts when results are one per clipping."""
    out = Text()
    out.append(f"{rank}. ", style="bold")
    out.append(printable(hit.title or hit.path), style="bold cyan")
    out.append("\n   ")
    meta = [p for p in (_who(hit), shown_date(hit), hit.lang) if p]
    out.append(printable(" · ".join(meta)), style="green")
    out.append("\n   ")
    out.append(printable(hit.id), style=f"magenta link {_file_uri(hit.file)}" if hit.file else "magenta")
    if hit.url or hit.source:
        out.append("  ")
        out.append(printable(hit.url or hit.source), style="blue")
    out.append("\n   ")
    if by_meaning:
        out.append("≈ ", style="bold magenta")  # no word of the query is in it: found by meaning
    out.append(snippet_text(snippet))
    if more:
        listed = ", ".join(f"#{post_id.rsplit('#', 1)[-1]}" for post_id in more[:8]) + (", …" if len(more) > 8 else "")
        out.append(f"\n   + {len(more)} more matching post{'s' if len(more) != 1 else ''}: {listed}", style="dim")
    return out


def shown_date(hit: Hit) -> str:
    """The date a result shows, and which it is when not the post's own: `2025-02-25`,
    `published 2024-09`, `saved 2025-03-01`."""
    text = hit.date_text or (hit.date.isoformat() if hit.date else "")
    if not text or hit.date_kind in ("", "posted"):
        return text
    return f"{hit.date_kind} {text}"


def _who(hit: Hit) -> str:
    return " ".join(p for p in (hit.author, f"@{hit.handle}" if hit.handle else "") if p)


def _file_uri(file: str) -> str:
    """The file as a link target: percent-encoded, so no character of its name reaches the terminal."""
    return Path(file).as_uri()


def snippet_text(snippet: Snippet) -> Text:
    text = Text(printable(snippet.text))
    for start, end in snippet.spans:
        text.stylize(MATCH_STYLE, start, end)
    return text


def print_hits(
    console: Console,
    hits: Sequence[Hit],
    snippets: Sequence[Snippet],
    total: int,
    more: Sequence[Sequence[str]] = (),
    fused: Sequence[Fused] = (),
) -> None:
    for rank, (hit, snippet) in enumerate(zip(hits, snippets, strict=True), 1):
        by_meaning = bool(fused) and fused[rank - 1].lexical is None
        # Soft wrap: the terminal folds long lines; pipes and files get one line per field.
        console.print(hit_text(rank, hit, snippet, more[rank - 1] if more else (), by_meaning), soft_wrap=True)
        console.print()
    posts = f"{total} matching post{'s' if total != 1 else ''}"
    by_meaning = sum(1 for f in fused if f.lexical is None)
    if fused:
        posts = f"{total} post{'s' if total != 1 else ''} matching the words"
        if by_meaning:
            posts += f"; ≈ {by_meaning} shown found by meaning only"
    if more:
        summary = f"{len(hits)} clipping{'s' if len(hits) != 1 else ''} shown, of {posts} (--posts: every post)"
    else:
        summary = f"{len(hits)} of {posts}"
    console.print(summary, style="dim", soft_wrap=True)


def hit_json(hit: Hit, snippet: Snippet, more: Sequence[str] = (), fused: Fused | None = None) -> str:
    """One JSON line, exact: the controls and overrides JSON allows raw are written as \\u escapes,
    which any JSON reader turns back into the same characters, so the line is safe on a terminal."""
    return json_line(hit_record(hit, snippet, more, fused))


def json_line(record: object) -> str:
    return _CONTROLS.sub(lambda m: f"\\u{ord(m[0]):04x}", json.dumps(record, ensure_ascii=False))


def hit_record(hit: Hit, snippet: Snippet, more: Sequence[str] = (), fused: Fused | None = None) -> dict[str, object]:
    """A hit as plain JSON data: what --json prints and the service's API returns (the API's contract).

    `date` is the post's, else the page's, else the day it was saved, as precisely as it was given
    (`2024-09` for a month); `date_kind` says which. `more_posts`: the clipping's other matching
    posts, best first, when results are one per clipping. `score` ranks; `lexical_score` is the
    BM25 of its words (null if they did not match), `semantic_score` the cosine of its best passage
    with the query (null in a search by words only, or for a post without vectors), and `matched`
    says which side found it: "words", "meaning" or "both"."""
    lexical = hit.score if fused is None else fused.lexical
    semantic = None if fused is None else fused.semantic
    return {
        **post_record(hit),
        "score": round(hit.score, 4),
        "lexical_score": None if lexical is None else round(lexical, 4),
        "semantic_score": None if semantic is None else round(semantic, 4),
        "matched": "words" if fused is None else fused.matched,
        "snippet": snippet.text,
        "highlights": [list(span) for span in snippet.spans],
        "more_posts": list(more),
    }


def post_record(hit: Hit) -> dict[str, object]:
    """A post's fields, as `show` prints them and the API's `/v1/posts` returns them."""
    return {
        **{name: getattr(hit, name) for name in ("id", "path", "file", "post", "line", "title", "author", "handle")},
        "date": hit.date_text or (hit.date.isoformat() if hit.date else None),
        "date_kind": hit.date_kind or None,
        "url": hit.url or hit.source,
        "lang": hit.lang,
        "tags": list(hit.tags),
        "obsidian": obsidian_link(hit.file),
    }


def print_post(console: Console, hit: Hit) -> None:
    """A whole post with its clipping's metadata (`searchclip show`)."""
    meta = (_who(hit), shown_date(hit), hit.lang, hit.url or hit.source, " ".join(f"#{t}" for t in hit.tags))
    console.print(printable(hit.title), style="bold cyan", markup=False)
    console.print(printable(" · ".join(p for p in meta if p)), markup=False)
    console.print(printable(f"{hit.file}:{hit.line}"), style="magenta", markup=False)
    console.print()
    console.print(printable(hit.text), markup=False)


def analysis_table(text: str, analysis: Analysis) -> Table:
    """The tokens of a text, every stream: term, original characters, offsets, position, tag, analyzer."""
    table = Table("term", "text", "start", "end", "pos", "tag", "analyzer")
    for tok in [*analysis.tokens, *analysis.initials, *analysis.readings, *analysis.bigrams]:
        tag = f"{tok.tag} (part)" if tok.part else tok.tag
        row = (tok.term, text[tok.start : tok.end], str(tok.start), str(tok.end), str(tok.position), tag)
        table.add_row(*(Text(printable(cell)) for cell in (*row, tok.analyzer)))
    return table


def print_index_report(out: Console, err: Console, report: IndexReport, root: Path, quiet: bool) -> None:
    """Every file that failed, then (unless quiet) warnings, why a full rebuild ran, and the counts."""
    for file, reason in report.failed:
        err.print(printable(f"searchclip: skipped {file}: {reason}"), markup=False)
    if quiet:
        return
    for file, warning in report.warnings:
        err.print(printable(f"searchclip: warning: {file}: {warning}"), markup=False)
    if report.full and report.reason not in ("new index", "--full"):
        err.print(printable(f"searchclip: full rebuild: {report.reason}"), markup=False)
    out.print(
        printable(
            f"{report.added} added, {report.updated} updated, {report.removed} removed, "
            f"{report.unchanged} unchanged, {len(report.failed)} failed; "
            f"{report.posts} posts indexed in {report.seconds:.1f} s → {root}"
        ),
        markup=False,
        soft_wrap=True,
    )


def print_embed_report(out: Console, err: Console, report: EmbedReport, quiet: bool) -> None:
    """What embedding did: notes (a store made anew), then (unless quiet) the counts and speed."""
    for note in report.notes:
        err.print(printable(f"searchclip: warning: {note}"), markup=False)
    if quiet:
        return
    left = f"; {report.missing_posts} posts without vectors yet" if report.missing_posts else ""
    if not report.posts:
        done = report.indexed_posts - report.missing_posts
        out.print(f"all {done} posts with text have their vectors{left}", markup=False, soft_wrap=True)
        return
    speed = ""
    if report.embedded and report.model_seconds > 0:
        speed = (
            f" ({report.embedded / report.model_seconds:.1f} passages/s, "
            f"{report.tokens / report.model_seconds:.0f} tokens/s)"
        )
    cached = report.passages - report.embedded
    reused = f", {cached} already had vectors" if cached > 0 else ""
    out.print(
        f"{report.posts} posts embedded: {report.embedded} passages through the model{speed}{reused}, "
        f"in {report.seconds:.1f} s{left}",
        markup=False,
        soft_wrap=True,
    )
