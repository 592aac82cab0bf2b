"""Which characters of a Markdown text are words to index, using markdown-it-py.

`prose_mask` returns a copy of the text of the same length in which every character that is
Markdown syntax, an image, a link's URL, raw HTML (comments too), LaTeX math or an Obsidian callout
marker (`[!summary]`) is replaced by a space. Analyzers run on the mask, so every token's offsets
point straight into the original text that is stored and displayed. Only real links are markup: a
URL with a scheme or `www.`, an e-mail address, Markdown link syntax; `CLAUDE.md`, `config.py` and
a bare `example.com` are words (linkify's fuzzy hosts took `.md`, `.py`, `.rs` for domains).

Parsing is the largest part of indexing's own work beside the analyzers, so the parser takes
shortcuts that give exactly markdown-it's tokens: plain prose skips the inline parser (`_inline`),
linkify-it's tests skip what cannot match (`_QuickLinkify`), and a clipping's inline Markdown is
parsed only where its posts' text is (`parse_blocks`, `parse_inline`).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token as MdToken
from mdit_py_plugins.dollarmath import dollarmath_plugin

# How far ahead the aligner looks for a character that markdown-it unescaped (`\_` → `_`).
_ALIGN_LOOKAHEAD = 8

# The inline rules `_inline` was written for (tokenizing, then post-processing). Besides `text` and
# `newline`, each can only match at one of `_INLINE_SYNTAX`: math `$`, escape `\`, code `` ` ``,
# strikethrough `~`, emphasis `*` `_`, link and image `[` (an image is `![`), autolink and HTML `<`,
# entity `&`, and linkify at a URL's `://`. Post-processing only acts on what those rules found.
_KNOWN_INLINE_RULES = (
    [
        *("text", "linkify", "newline", "math_inline", "escape", "backticks", "strikethrough"),
        *("emphasis", "link", "image", "autolink", "html_inline", "entity"),
    ],
    ["balance_pairs", "strikethrough", "emphasis", "fragments_join"],
)
_INLINE_SYNTAX = re.compile(r"[$\\`~*_\[<&]|://")
# Obsidian callouts: `> [!summary]`, `> [!note]-`, `> > [!tip]+ Title`; the marker is markup.
_CALLOUT = re.compile(r"^[ \t]*(?:>[ \t]?)+[ \t]*(\[![\w-]+\][+-]?)", re.MULTILINE)
# A linkified match is a link only with a scheme, `//` or `www.`, or as an e-mail address.
_REAL_LINK = re.compile(r"(?i)^(?:[a-z][a-z0-9+.-]*:|//|www\.)|@")
# Blocks whose lines cannot hold a thread's post header.
_NESTED_BLOCKS = frozenset({"fence", "code_block", "html_block", "math_block"})
_NESTED_OPENERS = frozenset({"blockquote_open", "bullet_list_open", "ordered_list_open"})
# markdown-it's core rules: the first two find the blocks, the others parse their inline content.
_CORE_RULES = ["normalize", "block", "inline", "linkify", "text_join"]
_BLOCK_RULES = 2

_SPACES = re.compile(" +")
_WORD = re.compile(r"\S+")

_Pretest = tuple[re.Pattern[str], re.Pattern[str], tuple[str, ...]]


def markdown_it() -> MarkdownIt:
    """markdown-it as clippings are parsed, without the shortcuts: what they are tested against."""
    md = MarkdownIt("commonmark", {"linkify": True}).enable(["linkify", "table", "strikethrough"])
    # LaTeX math as pandoc reads it: `$x^2$` and `$$…$$`, but not `$5 and $10`.
    return md.use(dollarmath_plugin, allow_space=False, allow_digits=False, allow_labels=False, double_inline=True)


@cache
def _parser() -> MarkdownIt:
    md = markdown_it()
    md.linkify = _QuickLinkify()
    # With any other inline rule, plain text could hold syntax that `_INLINE_SYNTAX` does not know.
    if (md.inline.ruler.get_active_rules(), md.inline.ruler2.get_active_rules()) == _KNOWN_INLINE_RULES:
        md.core.ruler.at("inline", _inline)
    return md


def parse(text: str) -> list[MdToken]:
    """The block tokens of a Markdown text."""
    return _parser().parse(text)


@dataclass(slots=True)
class Blocks:
    """A Markdown text's block tokens, their inline content not parsed yet: see `parse_inline`."""

    tokens: list[MdToken]
    state: StateCore
    inline_parsed: bool = False


def parse_blocks(text: str) -> Blocks:
    """The block tokens of a Markdown text, as `parse` gives them but with inline tokens' children
    left empty until `parse_inline`: a thread's structure needs only the blocks."""
    md = _parser()
    state = StateCore(text, md, {})
    if md.core.ruler.get_active_rules() != _CORE_RULES:
        md.core.process(state)  # rules this split does not know: parse everything now
        return Blocks(state.tokens, state, inline_parsed=True)
    for rule in md.core.ruler.getRules("")[:_BLOCK_RULES]:
        rule(state)
    return Blocks(state.tokens, state)


def parse_inline(blocks: Blocks, lines: Sequence[tuple[int, int]]) -> None:
    """Parse, once and as `parse` would, the inline content of the blocks that overlap the 0-based
    line ranges [first, end); the others keep no children. Each inline token is parsed alone, from
    its content and the whole text's link references, so leaving some out changes no other."""
    if blocks.inline_parsed:
        return
    blocks.inline_parsed = True
    state = blocks.state
    overlaps = _overlap_test(lines)
    wanted = [tok for tok in state.tokens if tok.type == "inline" and tok.map and overlaps(tok.map)]
    inline_state = StateCore(state.src, state.md, state.env, wanted)
    for rule in state.md.core.ruler.getRules("")[_BLOCK_RULES:]:
        rule(inline_state)


def _overlap_test(lines: Sequence[tuple[int, int]]) -> Callable[[list[int]], bool]:
    """Whether a token's line span overlaps any of the ranges, in log time: a thread of 100,000 posts
    asked every token about every post (10^10 tests). The ranges are the posts', in order: sorted by
    their first line, with ends that never decrease."""
    ranges = sorted(lines)
    firsts = [first for first, _ in ranges]
    ends = list(itertools.accumulate((end for _, end in ranges), max))

    def overlaps(span: list[int]) -> bool:
        # The ranges that end after the span starts are a suffix; the first of them starts earliest.
        at = bisect.bisect_right(ends, span[0])
        return at < len(ranges) and firsts[at] < span[1] and ranges[at][1] > span[0]

    return overlaps


def thematic_break_lines(tokens: list[MdToken]) -> list[int]:
    """0-based line numbers of `---` breaks outside code blocks (thread post separators)."""
    return [t.map[0] for t in tokens if t.type == "hr" and t.map]


def nested_lines(tokens: list[MdToken]) -> set[int]:
    """0-based numbers of the lines inside code, HTML, math, quotes and lists."""
    lines: set[int] = set()
    for tok in tokens:
        if tok.map and (tok.type in _NESTED_BLOCKS or tok.type in _NESTED_OPENERS):
            lines.update(range(tok.map[0], tok.map[1]))
    return lines


def prose_mask(text: str, tokens: list[MdToken] | None = None) -> str:
    """The text with everything but prose and code blanked to spaces (newlines kept)."""
    if tokens is None:
        tokens = parse(text)
    keep = bytearray(len(text))
    line_starts = _line_starts(text)
    for start in line_starts[1:]:
        keep[start - 1] = 1  # the newline that ends each line
    for tok in tokens:
        if not tok.map:
            continue
        start = line_starts[min(tok.map[0], len(line_starts) - 1)]
        end = line_starts[tok.map[1]] if tok.map[1] < len(line_starts) else len(text)
        if tok.type == "inline":
            _keep_inline(text, tok.children or [], start, end, keep)
        elif tok.type in ("fence", "code_block"):
            _align(text, tok.content, start, end, keep)
    if "[!" in text:
        for callout in _CALLOUT.finditer(text):
            keep[callout.start(1) : callout.end(1)] = bytes(callout.end(1) - callout.start(1))
    return _blank(text, keep)


def markup_ranges(text: str, mask: str) -> list[int]:
    """Flat (start, end) list of the runs the prose mask blanked inside words: syntax, images, URLs, HTML.

    Those are the word characters of the text where the mask has runs of spaces, so only those runs
    are looked at, and none in a post without markup. Snippets leave them out.
    """
    if mask == text:
        return []
    runs: list[int] = []
    for blank in _SPACES.finditer(mask):
        start, end = blank.span()
        if not text[start:end].isspace():
            for word in _WORD.finditer(text, start, end):
                first, last = word.span()
                # `(https://…)` would leave `()` in a snippet: brackets around markup only are markup.
                if first and last < len(text) and text[first - 1] + text[last] in ("()", "[]", "<>"):
                    first, last = first - 1, last + 1
                runs += (first, last)
    return runs


def _blank(text: str, keep: bytearray) -> str:
    """The text with the characters not kept replaced by spaces, a run at a time, not one by one."""
    pieces: list[str] = []
    last = 0
    for run in re.finditer(b"\x00+", keep):
        start, end = run.span()
        pieces += (text[last:start], " " * (end - start))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


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
    for number, child in enumerate(children):
        if child.type == "link_open" and _is_url(child, children, number):
            skip_depth += 1
        elif child.type == "link_close" and skip_depth:
            skip_depth -= 1
        elif child.type == "image":
            # Images are markup plus alt text such as "Image": nothing a user searches for.
            continue
        elif child.type in ("text", "code_inline") and not skip_depth and child.content:
            cursor = _align(text, child.content, cursor, end, keep)


def _is_url(link: MdToken, children: list[MdToken], number: int) -> bool:
    """Whether a link's text is a URL (not words): an autolink, or a linkified match that is a real
    link. Its text is the next child's content."""
    if link.markup == "autolink":
        return True
    if link.markup != "linkify":
        return False
    shown = children[number + 1].content if number + 1 < len(children) else ""
    return _REAL_LINK.search(shown) is not None


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


# ---- shortcuts that give markdown-it's own tokens ---------------------------------------------


def _inline(state: StateCore) -> None:
    """markdown-it's `inline` core rule, except that content without `_INLINE_SYNTAX`, most of a
    clipping's prose, skips the inline parser: there only its `text` and `newline` rules can match,
    and `plain_inline` does what they do, many times faster."""
    md = state.md
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            if _INLINE_SYNTAX.search(token.content):
                md.inline.parse(token.content, md, state.env, token.children)
            else:
                token.children += plain_inline(token.content)


def plain_inline(content: str) -> list[MdToken]:
    """The tokens markdown-it's inline parser makes of content without inline syntax: each line's
    text, then a soft break, or a hard break after two or more trailing spaces. As markdown-it does,
    the spaces before a break and the spaces and tabs that start the next line are dropped."""
    children = []
    lines = content.split("\n")
    last = len(lines) - 1
    for number, line in enumerate(lines):
        if number:
            line = line.lstrip(" \t")
        text = line if number == last else line.rstrip(" ")
        if text:
            children.append(MdToken("text", "", 0, content=text))
        if number != last:
            children.append(MdToken("hardbreak" if len(line) - len(text) >= 2 else "softbreak", "br", 0))
    return children


class _QuickLinkify(LinkifyIt):
    """linkify-it with the same answers, found several times faster.

    Its `pretest` is one regex of three alternatives: a schema (`http:`, `//`…), a fuzzy host
    (`www.`, `.com`…) or `@`. Python's regex engine tries the schema alternative, which may begin
    with any character, at every position of every paragraph; but a schema cannot match without
    its `:` or `/`, and looking for those is a fast substring search. `test` finds a link only
    where `pretest` would, so the quick `pretest` is asked first.
    """

    def pretest(self, text: str) -> bool:
        quick = self._quick_pretest()
        if quick is None:
            return super().pretest(text)
        schema, host, guards = quick
        return (
            "@" in text
            or host.search(text) is not None
            or (any(g in text for g in guards) and schema.search(text) is not None)
        )

    def test(self, text: str) -> bool:
        return self.pretest(text) and super().test(text)

    def _quick_pretest(self) -> _Pretest | None:
        key = self.re["pretest"]  # rebuilt if schemas or options change
        if getattr(self, "_quick_key", None) != key:
            self._quick_key = key
            self._quick = _split_pretest(self.re, [name for name, val in self._compiled.items() if name and val])
        return self._quick


def _split_pretest(regexes: dict[str, str], schemas: list[str]) -> _Pretest | None:
    """The schema and fuzzy-host alternatives of linkify-it's pretest, compiled apart, and the `:`
    or `/` each schema holds; None when the pretest is not built that way (it is then used whole)."""
    schema, host = regexes["schema_test"], regexes["host_fuzzy_test"]
    if regexes["pretest"] != f"({schema})|({host})|@":
        return None
    # Schemas match case-insensitively, but punctuation has no other case: it must stand as is.
    guards = {next((c for c in name if c in ":/"), "") for name in schemas}
    if "" in guards:
        return None
    return re.compile(schema, re.IGNORECASE), re.compile(host, re.IGNORECASE), tuple(sorted(guards))
