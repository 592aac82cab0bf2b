"""Clipping files → `Clipping` with its `Post`s. Pure: no index, no analysis.

A clipping is Markdown with YAML front matter as the Obsidian Web Clipper writes it. Threads
(X, Threads) are posts that each open with a header line, `**Display Name** @handle [date](url)` or
one of its variants (`post_header`), usually separated by `---`; posts without a header after the
first (ads, quotes) are posts of their own, and what stands before the first header (a summary
callout, a note) is post 0, the preamble. A clipping without thread structure is one post.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from searchclip.index.fields import FIRST_DATE, LAST_DATE, storable
from searchclip.ingest import markup
from searchclip.ingest.dates import When, parse_when
from searchclip.ingest.textfile import read_text

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
# The Web Clipper's post header and its variants (see `post_header`); the handle and name carry
# Markdown escapes (`chester\_roh`).
_POST_HEADER = re.compile(
    r"^\*\*(?P<name>[^*\s](?:[^*]|\\\*)*?)\*\*"
    r"(?:[ \t]+@(?P<handle>[\w\\.]+))?"
    r"(?:[ \t]+(?:·[ \t]+)?(?:\[(?P<date>[^\]]*)\]\((?P<url>[^)\s]+)\)|(?P<plain>[^\s\[].*?)))?[ \t]*$"
)
_WIKILINK = re.compile(r"^\[\[(.*?)(?:\|.*)?\]\]$")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass(frozen=True, slots=True)
class Meta:
    """A clipping's front matter, with types checked."""

    title: str = ""
    source: str = ""
    authors: tuple[str, ...] = ()
    published: When | None = None
    created: When | None = None
    description: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Post:
    """One post of a clipping: the unit that is indexed and found."""

    id: str  # "relative/path.md#N", stable across rebuilds
    path: str  # relative to the indexed folder, with "/" separators
    number: int  # 1-based position in the thread; 0 for what stands before its first post
    text: str  # the post's original Markdown, header line removed
    line: int  # 1-based line of the post's first text line in the file
    author: str = ""
    handle: str = ""
    date: dt.date | None = None
    url: str = ""
    # The text with Markdown syntax, images and URLs blanked to spaces: what is analyzed.
    prose: str = ""
    date_text: str = ""  # the date as precisely as it was given: "2025-02-25", or "2024-09"
    date_kind: str = ""  # which date it is: "posted" (the post's own), "published" or "saved"


@dataclass(frozen=True, slots=True)
class Clipping:
    path: str
    meta: Meta
    posts: tuple[Post, ...]
    warnings: tuple[str, ...] = ()


def read_clipping(file: Path, root: Path) -> Clipping:
    """Read and parse one clipping file; raise ClippingError with a one-line reason."""
    return parse_clipping(read_text(file), clipping_path(file, root))


def clipping_path(file: Path, root: Path, prefix: str = "") -> str:
    """The path ids are made of: relative to the indexed folder, "/"-separated, NFC (macOS writes
    file names decomposed), after the folder's prefix when several folders are indexed."""
    return unicodedata.normalize("NFC", prefix + file.relative_to(root).as_posix())


def parse_clipping(text: str, rel_path: str) -> Clipping:
    """Parse clipping text (already decoded, newlines normalized) into posts."""
    meta, warnings, body, body_line = _split_front_matter(text, rel_path)
    posts = _split_posts(body, body_line, rel_path, meta)
    if not posts and body_line > 1:
        # A page saved with front matter only: its description stands in for the body, so that
        # the clipping can still be found by its title and description.
        posts = [
            Post(f"{rel_path}#1", rel_path, 1, meta.description, body_line, url=meta.source, prose=meta.description)
        ]
    return Clipping(rel_path, meta, tuple(posts), tuple(warnings))


def _split_front_matter(text: str, rel_path: str) -> tuple[Meta, list[str], str, int]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return Meta(title=_title_from_path(rel_path)), [], text, 1
    body = text[match.end() :]
    body_line = text.count("\n", 0, match.end()) + 1
    source = match.group(1) or ""
    try:
        if refused := _refused_yaml(source):
            return Meta(title=_title_from_path(rel_path)), [f"{refused}; indexed the body only"], body, body_line
        raw = yaml.load(source, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        warning = f"front matter is not valid YAML{where} ({problem}); indexed the body only"
        return Meta(title=_title_from_path(rel_path)), [warning], body, body_line
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        warning = "front matter is not a mapping of keys to values; indexed the body only"
        return Meta(title=_title_from_path(rel_path)), [warning], body, body_line
    meta, warnings = _meta_from_yaml(raw, rel_path)
    return meta, warnings, body, body_line


# Front matter is a few lines of metadata; anything far larger is not worth the risk of reading.
MAX_FRONT_MATTER_CHARS = 100_000
MAX_YAML_NODES = 5_000
MAX_YAML_DEPTH = 20


def _refused_yaml(source: str) -> str:
    """Why the front matter is not read at all, if it is hostile or absurd, found from the parser's
    events before anything is built: aliases (`*a`) can make a few lines mean billions of values
    (the "billion laughs"), deep nesting exhausts the stack, and huge front matter is no metadata."""
    if len(source) > MAX_FRONT_MATTER_CHARS:
        return f"front matter is {len(source):,} characters long, over the {MAX_FRONT_MATTER_CHARS:,} read"
    depth = 0
    for nodes, event in enumerate(yaml.parse(source, Loader=_Loader), 1):
        if isinstance(event, yaml.AliasEvent):
            return "front matter uses YAML aliases (*name), which are not read"
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                return f"front matter is nested over {MAX_YAML_DEPTH} levels deep"
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
        if nodes > MAX_YAML_NODES:
            return f"front matter holds over {MAX_YAML_NODES:,} values"
    return ""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML that leaves dates as text: `parse_when` reads them, and reports impossible ones
    (`2025-02-30`) instead of failing the whole front matter."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _meta_from_yaml(raw: dict[Any, Any], rel_path: str) -> tuple[Meta, list[str]]:
    warnings: list[str] = []
    published = _as_date(raw.get("published"), "published", warnings)
    created = _as_date(raw.get("created"), "created", warnings)
    title = _as_text(raw.get("title")) or _title_from_path(rel_path)
    authors = tuple(_unwikilink(a) for a in _as_list(raw.get("author")))
    tags = tuple(t.lstrip("#") for t in _as_list(raw.get("tags")) if t.lstrip("#"))
    meta = Meta(
        title=title,
        source=_as_text(raw.get("source")),
        authors=authors,
        published=published,
        created=created,
        description=_as_text(raw.get("description")),
        tags=tags,
    )
    return meta, warnings


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(_as_text(v) for v in value)
    return str(value).strip()


def _as_list(value: Any) -> list[str]:
    """A YAML list of strings; a bare string (`tags: clippings`) counts as a list of one."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [s for v in value if (s := _as_text(v))]
    if isinstance(value, str) and "," in value:
        return [s.strip() for s in value.split(",") if s.strip()]
    text = _as_text(value)
    return [text] if text else []


def _as_date(value: Any, key: str, warnings: list[str]) -> When | None:
    if value is None or value == "":
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        day = value.date() if isinstance(value, dt.datetime) else value
        parsed: When | None = When(day, day.isoformat())
    else:
        parsed = parse_when(str(value))
    if parsed is None:
        warnings.append(f"front matter '{key}: {value}' is not a date; left empty")
    elif not storable(parsed.date):  # 0001-01-01 is several tools' "no date"
        warnings.append(f"front matter '{key}: {value}' is outside {FIRST_DATE.year}–{LAST_DATE.year}; left empty")
        return None
    return parsed


def _unwikilink(text: str) -> str:
    match = _WIKILINK.match(text)
    return match.group(1).strip() if match else text


def _title_from_path(rel_path: str) -> str:
    name = rel_path.rsplit("/", 1)[-1]
    return name[:-3] if name.lower().endswith(".md") else name


@dataclass(frozen=True, slots=True)
class Header:
    """A post's header line: who wrote it, when, and the post's own URL."""

    author: str
    handle: str
    when: When | None
    url: str


def post_header(line: str) -> Header | None:
    """The header a Web Clipper template writes above each post, or None: `**Name** @handle
    [date](url)`, the date as plain text or left out, `**Name** [date](url)` without a handle, and
    Threads' `**@handle** · [date](url)`. Without a handle, the date must be one, so that a line in
    bold before a link is not taken for a header."""
    match = _POST_HEADER.match(line)
    if match is None:
        return None
    name = _unescape(match["name"]).strip()
    handle = _unescape(match["handle"] or "")
    if not handle and name.startswith("@") and " " not in name:
        name, handle = "", name[1:]  # Threads: the handle in bold stands for the name
    date_text = match["date"] if match["date"] is not None else match["plain"]
    when = parse_when(date_text) if date_text else None
    if date_text and when is None and (match["plain"] is not None or not handle):
        return None  # "**Name** @handle some words", or "**Bold** [a link](url)": text, not a header
    if not handle and when is None:
        return None
    return Header(name, handle, when if when and storable(when.date) else None, match["url"] or "")


def _split_posts(body: str, body_line: int, rel_path: str, meta: Meta) -> list[Post]:
    # One Markdown parse serves both the thread split and every post's prose mask. The split needs
    # only the blocks; inline Markdown, most of a parse's cost, is then parsed only where a post's
    # text is, not in the posts' header lines.
    blocks = markup.parse_blocks(body)
    lines = body.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    headers = _headers(lines, blocks.tokens)
    spans = [_post_lines(lines, chunk, headers) for chunk in _thread_chunks(lines, blocks.tokens, headers)]
    markup.parse_inline(blocks, [(first, end) for first, end, _, _ in spans])
    mask = markup.prose_mask(body, blocks.tokens)
    posts: list[Post] = []
    numbered = 0
    for first, end, header, preamble in spans:
        post = _make_post(
            body, mask, starts, (first, end, header), body_line, rel_path, 0 if preamble else numbered + 1, meta
        )
        if post is not None:
            posts.append(post)
            numbered += bool(post.number)
    return posts


def _headers(lines: list[str], tokens: list) -> dict[int, Header]:  # type: ignore[type-arg]
    """Header lines at the top level of the body (not in code, quotes, lists or HTML), by line."""
    nested = markup.nested_lines(tokens)
    return {
        i: h for i, line in enumerate(lines) if line.startswith("**") and i not in nested and (h := post_header(line))
    }


def _thread_chunks(
    lines: list[str],
    tokens: list,
    headers: dict[int, Header],  # type: ignore[type-arg]
) -> list[tuple[int, int, bool]]:
    """Line ranges of the posts, and whether each is the preamble: a thread's posts start at every
    header line and end at the next header or `---` break; what stands before the first header (a
    callout, a note) is the preamble. A body without headers is one post."""
    if not headers:
        return [(0, len(lines), False)]
    breaks = set(markup.thematic_break_lines(tokens))
    first_header = min(headers)
    chunks: list[tuple[int, int, bool]] = [(0, _before_break(lines, first_header, breaks), True)]
    start = first_header
    for i in range(first_header + 1, len(lines)):
        if i in breaks:
            chunks.append((start, i, False))
            start = i + 1
        elif i in headers and any(line.strip() for line in lines[start:i]):
            chunks.append((start, i, False))
            start = i
    chunks.append((start, len(lines), False))
    return chunks


def _before_break(lines: list[str], end: int, breaks: set[int]) -> int:
    """Where the preamble ends: before the `---` lines and blank lines that lead to the first header."""
    while end > 0 and (end - 1 in breaks or not lines[end - 1].strip()):
        end -= 1
    return end


def _post_lines(
    lines: list[str], chunk: tuple[int, int, bool], headers: dict[int, Header]
) -> tuple[int, int, Header | None, bool]:
    """The lines [first, end) of a chunk that are the post's text, its header, whether it is the preamble."""
    first, end, preamble = chunk
    while first < end and not lines[first].strip():
        first += 1
    header = headers.get(first) if first < end else None
    if header:
        first += 1
    while first < end and not lines[first]:
        first += 1
    while end > first and not lines[end - 1]:
        end -= 1
    return first, end, header, preamble


def _make_post(
    body: str,
    mask: str,
    starts: list[int],
    span: tuple[int, int, Header | None],
    body_line: int,
    rel_path: str,
    number: int,
    meta: Meta,
) -> Post | None:
    first, end, header = span
    author = handle = url = ""
    if header:
        author, handle, url = header.author, header.handle, header.url
    elif meta.authors and number:
        author = meta.authors[0]
        if author.startswith("@"):
            handle, author = author[1:], ""
    # The post's own date, else the page's, else the day it was saved (a quarter of real clippings
    # have no `published`): a date filter never drops a clipping that has one.
    when, kind = next(
        (
            (w, k)
            for w, k in ((header and header.when, "posted"), (meta.published, "published"), (meta.created, "saved"))
            if w
        ),
        (None, ""),
    )
    text_start, text_end = starts[first], max(starts[first], starts[end] - 1)
    text = body[text_start:text_end]
    if not text.strip() and not author:
        return None
    return Post(
        id=f"{rel_path}#{number}",
        path=rel_path,
        number=number,
        text=text,
        line=body_line + first,
        author=author,
        handle=handle,
        date=when.date if when else None,
        url=url or (meta.source if number <= 1 else ""),
        prose=mask[text_start:text_end],
        date_text=when.text if when else "",
        date_kind=kind,
    )


def _unescape(text: str) -> str:
    return _MD_ESCAPE.sub(r"\1", text)
