"""Where the query matched in a post, and the snippet to show. Pure, offset-based.

Every hit carries the stored offsets of its matching terms (index/highlights.py) and its markup
ranges, so a highlight covers exactly the characters that produced a matching term (the stem
`코딩` inside `코딩을`, `裏切ら` inside `裏切られ`, `models` for `model`) without analyzing or
parsing anything at search time. CJK words matched only through bigrams are found as typed,
spaces between their characters allowed.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from searchclip.analyzers.normalize import normalize
from searchclip.index.highlights import INITIALS_KEY, blank_markup, select
from searchclip.search.query import Clause, QueryPlan

Span = tuple[int, int]
SNIPPET_CHARS = 220


@dataclass(frozen=True, slots=True)
class Snippet:
    """A piece of the post text with the matched spans (offsets into `text`)."""

    text: str
    spans: tuple[Span, ...]
    start: int  # where `text` starts in the post (before any leading ellipsis)


def match_spans(
    text: str, plan: QueryPlan, offsets: Mapping[str, Sequence[int]], markup: Sequence[int] = ()
) -> list[Span]:
    """Spans of `text` that produced a query term, plus typed CJK words found through bigrams."""
    return sorted(weighted_spans(text, plan, offsets, markup))


def weighted_spans(
    text: str,
    plan: QueryPlan,
    offsets: Mapping[str, Sequence[int]],
    markup: Sequence[int] = (),
    weight: Callable[[str], float] = lambda _: 1.0,
) -> dict[Span, float]:
    """`match_spans`, each span with the weight of the term it matched (`weight` of a stored key,
    or of `literal:` and the typed text for a CJK word found through bigrams)."""
    spans: dict[Span, float] = {}

    def add(span: Span, value: float) -> None:
        if 0 <= span[0] < span[1] <= len(text):
            spans[span] = max(value, spans.get(span, 0.0))

    initials: dict[int, tuple[int, float]] = {}
    for key, flat in select(offsets, plan.highlight_keys).items():
        for i in range(0, len(flat), 2):
            if key.startswith(INITIALS_KEY):
                # A noun's initials (`카프카`) and the word's as written (`카프카에`) start at one place:
                # the highlight is the noun's, not its particle's.
                end = min(flat[i + 1], initials.get(flat[i], (flat[i + 1], 0.0))[0])
                initials[flat[i]] = (end, weight(key))
            else:
                add((flat[i], flat[i + 1]), weight(key))
    for start, (end, value) in initials.items():
        add((start, end), value)
    # Words the post's own terms did not match were found through bigrams: look for them as typed.
    unmatched = [c for c in plan.clauses if c.bigrams and not any(t in offsets for t in c.terms)]
    for clause in unmatched:
        for span in _literal_cjk(text, markup, [clause]):
            add(span, weight(f"literal:{clause.text}"))
    return spans


def make_snippet(
    text: str,
    spans: list[Span],
    markup: Sequence[int] = (),
    width: int = SNIPPET_CHARS,
    weights: Mapping[Span, float] | None = None,
    focus: int | None = None,
) -> Snippet:
    """The window of `text` that shows the most matches, as prose: Markdown syntax, images and
    URLs dropped, runs of white space shown as one space. With `weights`, the window that shows the
    rarest words wins over one full of common ones; it never starts or ends inside a word. With
    `focus`, the window starts there instead (the passage a post was found by, by meaning)."""
    if len(text) <= width:
        start, end = 0, len(text)
    elif focus is not None:
        start = min(max(0, focus), len(text))
        end = _window_end(text, start, width, spans)
    else:
        start, end = _window(text, spans, width, weights or {})
    shown, origin = _prose(text, markup, start, end)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    kept = [_to_shown(origin, s, e) for s, e in _merge(spans) if e > start and s < end]
    offsets = tuple((s + len(prefix), e + len(prefix)) for s, e in kept if e > s)
    return Snippet(prefix + shown + suffix, offsets, start)


def _literal_cjk(text: str, markup: Sequence[int], clauses: Sequence[Clause]) -> Iterable[Span]:
    """Where typed CJK words stand as written (spaces between characters allowed), outside markup.

    Only lines that hold a needle's first character, or that NFKC would change, are looked at.
    """
    needles = []
    for clause in clauses:
        needle = "".join(normalize(clause.text).text.lower().split())
        if clause.bigrams and len(needle) >= 2:
            needles.append((needle[0], re.compile(" ?".join(re.escape(ch) for ch in needle))))
    if not needles:
        return
    pairs = [(markup[k], markup[k + 1]) for k in range(0, len(markup) - 1, 2)]
    first_pair = 0  # markup ranges and lines are both in text order: walk them together
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        while first_pair < len(pairs) and pairs[first_pair][1] <= start:
            first_pair += 1
        if any(first in line for first, _ in needles) or not unicodedata.is_normalized("NFKC", line):
            local: list[int] = []
            k = first_pair
            while k < len(pairs) and pairs[k][0] < end:
                local += [max(0, pairs[k][0] - start), pairs[k][1] - start]
                k += 1
            masked = blank_markup(line, local)
            norm = normalize(masked)
            haystack = _lower_same_length(norm.text)
            for _, pattern in needles:
                for match in pattern.finditer(haystack):
                    s, e = norm.to_original(match.start(), match.end())
                    yield start + s, start + e
        start += len(line) + 1


def _lower_same_length(text: str) -> str:
    """Lowercase without moving any offset (`İ`.lower() is two characters)."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _window(text: str, spans: list[Span], width: int, weights: Mapping[Span, float]) -> Span:
    start = _best_window(text, sorted(spans), width, weights)
    return start, _window_end(text, start, width, spans)


def _window_end(text: str, start: int, width: int, spans: list[Span]) -> int:
    end = min(len(text), start + width)
    if end < len(text):
        # End at a space in the last quarter, never inside a word (CJK text has none: it ends anywhere).
        cut = text.rfind(" ", start + width * 3 // 4, end)
        if cut == -1:
            cut = text.rfind("\n", start + width * 3 // 4, end)
        if cut != -1 and not any(s < cut < e for s, e in spans):
            end = cut
    return end


def _best_window(text: str, spans: list[Span], width: int, weights: Mapping[Span, float]) -> int:
    """Start of the window showing the rarest different words (the sum of each word's weight),
    then the most matches."""
    if not spans:
        return 0
    best_start, best_score = spans[0][0], (0.0, 0)
    for i, (s, _) in enumerate(spans[:200]):
        seen: dict[str, float] = {}
        inside = [(s2, e2) for s2, e2 in spans[i : i + 50] if e2 <= s + width * 0.8]
        for s2, e2 in inside:
            word = text[s2:e2].lower()
            seen[word] = max(seen.get(word, 0.0), weights.get((s2, e2), 1.0))
        score = (round(sum(seen.values()), 6), len(inside))
        if score > best_score:
            best_start, best_score = s, score
    start = best_start - min(width // 5, best_start)
    if start == 0:
        return 0
    # Begin at a word boundary inside the lead-in, so no word is shown cut in half.
    cuts = [c for c in (text.find(" ", start, best_start), text.find("\n", start, best_start)) if c != -1]
    return min(cuts) + 1 if cuts else start


def _prose(text: str, markup: Sequence[int], start: int, end: int) -> tuple[str, list[int]]:
    """text[start:end] without markup, white space folded; with each character's origin."""
    blank = blank_markup(text[start:end], [max(0, x - start) for x in markup]) if markup else text[start:end]
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text[start:end], start):
        if ch.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                origin.append(i)
        elif blank[i - start] != " ":
            chars.append(ch)
            origin.append(i)
    while chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return "".join(chars), origin


def _to_shown(origin: list[int], start: int, end: int) -> Span:
    """Where the original span [start, end) stands in the shown text."""
    return bisect_left(origin, start), bisect_left(origin, end)


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
