"""Which characters of a Markdown text are words to index, using markdown-it-py.

`prose_mask` returns a copy of the text of the same length in which every character that is
Markdown syntax, an image, a URL or raw HTML is replaced by a space. Analyzers run on the mask,
so every token's offsets point straight into the original text that is stored and displayed.
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token as MdToken

# How far ahead the aligner looks for a character that markdown-it unescaped (`\_` → `_`).
_ALIGN_LOOKAHEAD = 8


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"linkify": True})
    return md.enable(["linkify", "table", "strikethrough"])


def parse(text: str) -> list[MdToken]:
    """The block tokens of a Markdown text."""
    return _parser().parse(text)


def thematic_break_lines(tokens: list[MdToken]) -> list[int]:
    """0-based line numbers of `---` breaks outside code blocks (thread post separators)."""
    return [t.map[0] for t in tokens if t.type == "hr" and t.map]


def prose_mask(text: str, tokens: list[MdToken] | None = None) -> str:
    """The text with everything but prose and code blanked to spaces (newlines kept)."""
    if tokens is None:
        tokens = parse(text)
    keep = bytearray(len(text))
    line_starts = _line_starts(text)
    for tok in tokens:
        if not tok.map:
            continue
        start = line_starts[min(tok.map[0], len(line_starts) - 1)]
        end = line_starts[tok.map[1]] if tok.map[1] < len(line_starts) else len(text)
        if tok.type == "inline":
            _keep_inline(text, tok.children or [], start, end, keep)
        elif tok.type in ("fence", "code_block"):
            _align(text, tok.content, start, end, keep)
    return "".join(c if keep[i] or c == "\n" else " " for i, c in enumerate(text))


def _line_starts(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def _keep_inline(text: str, children: list[MdToken], start: int, end: int, keep: bytearray) -> None:
    cursor = start
    skip_depth = 0  # inside a linkified URL or raw HTML link: its text is a URL, not words
    for child in children:
        if child.type == "link_open" and child.markup in ("linkify", "autolink"):
            skip_depth += 1
        elif child.type == "link_close" and skip_depth:
            skip_depth -= 1
        elif child.type == "image":
            # Images are markup plus alt text such as "Image": nothing a user searches for.
            continue
        elif child.type in ("text", "code_inline") and not skip_depth and child.content:
            cursor = _align(text, child.content, cursor, end, keep)


def _align(text: str, content: str, cursor: int, end: int, keep: bytearray) -> int:
    """Mark where `content` stands in text[cursor:end]; return the position after it."""
    found = text.find(content, cursor, end)
    if found != -1:
        keep[found : found + len(content)] = b"\x01" * len(content)
        return found + len(content)
    # markdown-it unescaped or decoded something (`\_`, `&amp;`): match character by character.
    pos = cursor
    for ch in content:
        hit = text.find(ch, pos, min(end, pos + _ALIGN_LOOKAHEAD))
        if hit != -1:
            keep[hit] = 1
            pos = hit + 1
    return pos
