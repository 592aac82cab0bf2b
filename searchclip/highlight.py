"""Where the query matched in a post, and the snippet to show. Pure, offset-based.

The post is analyzed again with the same analyzers as at indexing, so a highlight covers exactly
the characters that produced a matching term: the stem `코딩` inside `코딩을`, `裏切ら` inside
`裏切られ`, `models` for `model`. To stay fast on long articles only lines that can match (they
contain the start of a term or of what the user typed) are analyzed, at most 60 of them, and in
very long lines only windows around those starts; then the snippet finally shown.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from searchclip.analyzers import analyze_batch
from searchclip.analyzers.normalize import Normalized, normalize
from searchclip.analyzers.script import Script, runs
from searchclip.markup import prose_mask
from searchclip.query import QueryPlan

Span = tuple[int, int]
SNIPPET_CHARS = 220
MAX_REGIONS = 60  # lines or windows analyzed per post, at most
LONG_LINE = 2_000  # a longer line is analyzed only in windows around what may match in it
REGION_RADIUS = 200
WHOLE_MASK_CHARS = 50_000  # up to this size the Markdown of a post is parsed whole


@dataclass(frozen=True, slots=True)
class Snippet:
    """A piece of the post text with the matched spans (offsets into `text`)."""

    text: str
    spans: tuple[Span, ...]
    start: int  # where `text` starts in the post (before any leading ellipsis)


def match_spans(text: str, plan: QueryPlan) -> list[Span]:
    """Spans of `text` whose analysis yields a query term, plus literal CJK matches of what was typed."""
    return _spans_in(text, _candidate_regions(text, _probes(plan)), plan)


def make_snippet(
    text: str, spans: list[Span], width: int = SNIPPET_CHARS, plan: QueryPlan | None = None
) -> Snippet:
    """The window of `text` that shows the most matches, as prose: Markdown syntax, images and
    URLs dropped, runs of white space shown as one space."""
    start, end = (0, len(text)) if len(text) <= width else _window(text, spans, width)
    if plan is not None and (start > 0 or end < len(text)):
        # Analyze the whole window too: catches forms the line probes could not foresee.
        spans = sorted(set(spans) | set(_spans_in(text, [(start, end)], plan)))
    shown, origin = _prose(text, _region_masks(text, [(start, end)])[0], start, end)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    kept = [_to_shown(origin, s, e) for s, e in _merge(spans) if e > start and s < end]
    offsets = tuple((s + len(prefix), e + len(prefix)) for s, e in kept if e > s)
    return Snippet(prefix + shown + suffix, offsets, start)


@lru_cache(maxsize=16)
def _whole_mask(text: str) -> str:
    return prose_mask(text)


def _region_masks(text: str, regions: list[Span]) -> list[str]:
    """The prose mask of each region: sliced from the whole post's, or parsed alone for huge posts."""
    if len(text) <= WHOLE_MASK_CHARS:
        mask = _whole_mask(text)
        return [mask[s:e] for s, e in regions]
    return [prose_mask(text[s:e]) for s, e in regions]


def _candidate_regions(text: str, probes: set[str]) -> list[Span]:
    """Lines that contain a probe; in a long line, windows around the probes' first occurrences."""
    regions: list[Span] = []
    for line_start, line_end in _lines(text):
        haystack = normalize(text[line_start:line_end])
        folded = haystack.text.lower()
        hits = [pos for p in probes if (pos := folded.find(p)) != -1]
        if not hits:
            continue
        if line_end - line_start <= LONG_LINE:
            regions.append((line_start, line_end))
        else:
            regions.extend(_windows(text, line_start, line_end, haystack, folded, probes))
        if len(regions) >= MAX_REGIONS:
            break
    return _merge(regions[:MAX_REGIONS])


def _windows(text: str, line_start: int, line_end: int, norm: Normalized, folded: str, probes: set[str]) -> list[Span]:
    windows = []
    for probe in probes:
        pos = folded.find(probe)
        for _ in range(MAX_REGIONS // max(1, len(probes))):
            if pos == -1:
                break
            lo, hi = max(0, pos - REGION_RADIUS), min(len(folded), pos + REGION_RADIUS)
            start, end = norm.to_original(lo, hi)
            windows.append(_snap(text, line_start + start, line_start + end, line_start, line_end))
            pos = folded.find(probe, hi)
    return windows


def _snap(text: str, start: int, end: int, line_start: int, line_end: int) -> Span:
    """Widen a window to the spaces around it, so that no word is cut in half."""
    if start > line_start:
        space = text.rfind(" ", line_start, start)
        start = space + 1 if space != -1 else line_start
    if end < line_end:
        space = text.find(" ", end, line_end)
        end = space if space != -1 else line_end
    return start, end


def _spans_in(text: str, regions: list[Span], plan: QueryPlan) -> list[Span]:
    if not regions:
        return []
    terms = plan.terms
    masks = _region_masks(text, regions)
    found: set[Span] = set()
    for (region_start, _), tokens in zip(regions, analyze_batch(masks), strict=True):
        found.update((region_start + t.start, region_start + t.end) for t in tokens if t.term in terms)
    for (region_start, _), mask in zip(regions, masks, strict=True):
        found.update((region_start + s, region_start + e) for s, e in _literal_cjk(mask, plan))
    return sorted(found)


def _window(text: str, spans: list[Span], width: int) -> Span:
    start = _best_window(text, spans, width)
    return start, min(len(text), start + width)


def _prose(text: str, mask: str, start: int, end: int) -> tuple[str, list[int]]:
    """text[start:end] without masked markup, white space folded; with each character's origin.

    `mask` is the prose mask of text[start:end]."""
    chars: list[str] = []
    origin: list[int] = []
    for i in range(start, end):
        ch = text[i]
        if ch.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                origin.append(i)
        elif mask[i - start] != " ":
            chars.append(ch)
            origin.append(i)
    while chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return "".join(chars), origin


def _to_shown(origin: list[int], start: int, end: int) -> Span:
    """Where the original span [start, end) stands in the shown text."""
    return bisect_left(origin, start), bisect_left(origin, end)


def _literal_cjk(line: str, plan: QueryPlan) -> Iterable[Span]:
    """Occurrences of typed CJK words (matched through bigrams when the dictionary split them).

    Spaces may stand between the characters, as the bigrams bridge them (`바이브코딩` finds
    `바이브 코딩`).
    """
    norm = normalize(line)
    haystack = norm.text.lower()
    for clause in plan.clauses:
        needle = "".join(normalize(clause.text).text.lower().split())
        if not clause.bigrams or len(needle) < 2:
            continue
        pattern = re.compile(" ?".join(re.escape(ch) for ch in needle))
        for match in pattern.finditer(haystack):
            yield norm.to_original(match.start(), match.end())


def _probes(plan: QueryPlan) -> set[str]:
    """Short strings that a line must contain to possibly match: term and typed-word starts."""
    probes: set[str] = set()
    for clause in plan.clauses:
        for word in (*clause.terms, clause.text.lower()):
            first_run = next(iter(runs(word)), None)
            if first_run is None:
                continue
            size = 3 if first_run.script is Script.WORD else 1
            probes.add(word[first_run.start : first_run.start + size])
    return probes


def _lines(text: str) -> list[Span]:
    spans, start = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def _best_window(text: str, spans: list[Span], width: int) -> int:
    """Start of the window showing the most different matched words, then the most matches."""
    if not spans:
        return 0
    best_start, best_score = spans[0][0], (0, 0)
    for i, (s, _) in enumerate(spans):
        inside = [text[s2:e2].lower() for s2, e2 in spans[i:] if e2 <= s + width * 0.8]
        score = (len(set(inside)), len(inside))
        if score > best_score:
            best_start, best_score = s, score
    start = best_start - min(width // 5, best_start)
    if start == 0:
        return 0
    # Begin at a word boundary inside the lead-in, so no word is shown cut in half.
    cuts = [c for c in (text.find(" ", start, best_start), text.find("\n", start, best_start)) if c != -1]
    return min(cuts) + 1 if cuts else start


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
