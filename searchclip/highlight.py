"""Where the query matched in a post, and the snippet to show. Pure, offset-based.

At indexing every post keeps, beside its original text, where each of its terms stands
(`term_offsets`) and which characters are Markdown syntax, images or URLs (`markup_ranges`). A
highlight therefore covers exactly the characters that produced a matching term (the stem `코딩`
inside `코딩을`, `裏切ら` inside `裏切られ`, `models` for `model`) without analyzing or parsing
anything at search time. CJK words matched only through bigrams are found as typed, spaces
between their characters allowed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from searchclip.analyzers import Token
from searchclip.analyzers.normalize import normalize
from searchclip.query import Clause, QueryPlan

Span = tuple[int, int]
SNIPPET_CHARS = 220
# Keys of the stored offsets besides the terms themselves: Korean initials and Japanese readings.
INITIALS_KEY = "초성:"
READING_KEY = "読み:"
_TERM_ARRAY = re.compile(r'"((?:[^"\\]|\\.)*)":\[([^\]]*)\]')  # "term":[offsets] in the stored JSON
_SPACES = re.compile(" +")
_WORD = re.compile(r"\S+")
# What json.dumps(ensure_ascii=False, separators=(",", ":")) writes, without its check for circular
# references, which costs a dictionary entry per list and cannot fire on fresh lists of integers.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


@dataclass(frozen=True, slots=True)
class Snippet:
    """A piece of the post text with the matched spans (offsets into `text`)."""

    text: str
    spans: tuple[Span, ...]
    start: int  # where `text` starts in the post (before any leading ellipsis)


# ---- prepared at indexing time ---------------------------------------------------------------


def term_offsets(
    tokens: Iterable[Token], initials: Iterable[Token] = (), readings: Iterable[Token] = ()
) -> dict[str, list[int]]:
    """Each term (initials and readings under their own keys) and the flat list of its offsets."""
    found: dict[str, list[int]] = {}
    for prefix, toks in (("", tokens), (INITIALS_KEY, initials), (READING_KEY, readings)):
        for tok in toks:
            found.setdefault(prefix + tok.term, []).extend((tok.start, tok.end))
    return found


def markup_ranges(text: str, mask: str) -> list[int]:
    """Flat (start, end) list of the runs the prose mask blanked inside words: syntax, images, URLs, HTML.

    Those are the word characters of the text where the mask has runs of spaces, so only those runs
    are looked at, and none in a post without markup.
    """
    if mask == text:
        return []
    runs: list[int] = []
    for blank in _SPACES.finditer(mask):
        start, end = blank.span()
        if not text[start:end].isspace():
            for word in _WORD.finditer(text, start, end):
                runs += word.span()
    return runs


def encode_highlights(offsets: Mapping[str, list[int]], markup: list[int]) -> bytes:
    return _ENCODER.encode({"t": offsets, "m": markup}).encode()


def decode_highlights(data: bytes, keys: Iterable[str]) -> tuple[dict[str, tuple[int, ...]], tuple[int, ...]]:
    """The offsets of what `keys` select (see `select`), and the markup ranges.

    A long post stores thousands of terms; a search needs a few. Exact keys are found in the JSON
    text and only their arrays are parsed; prefix and fuzzy keys need the whole object.
    """
    keys = list(keys)
    if not data:
        return {}, ()
    text = data.decode()
    if any(k.endswith("*") or k.startswith("~") for k in keys):
        raw = json.loads(text)
        return select(raw.get("t", {}), keys), tuple(raw.get("m", ()))
    terms_start, markup_at = _sections(text)
    found = {}
    for key in keys:
        if (flat := _array_after(text, json.dumps(key, ensure_ascii=False) + ":[", terms_start, markup_at)) is not None:
            found[key] = flat
    markup = _array_after(text, '"m":[', markup_at, len(text)) if markup_at != -1 else None
    return found, markup or ()


def stored_term_counts(data: bytes) -> dict[str, int]:
    """How often each body term occurs in a post, from its stored offsets (for query expansion).

    Counted in the JSON text, without parsing the offsets: a long post stores megabytes of them.
    """
    if not data:
        return {}
    text = data.decode()
    counts = {}
    for found in _TERM_ARRAY.finditer(text, *_sections(text)):
        term = json.loads(f'"{found[1]}"') if "\\" in found[1] else found[1]
        counts[term] = (found[2].count(",") + 1) // 2
    return counts


def _sections(text: str) -> tuple[int, int]:
    """Where the terms start and the markup starts in the stored JSON.

    Layout: {"t":{"term":[...],...},"m":[...]}. Terms are looked up between the two, with their
    opening bracket, so that a term spelled "t" or "m" cannot be mistaken for the layout's keys.
    """
    return text.find('"t":{') + len('"t":{'), text.rfind('"m":[')


def _array_after(text: str, label: str, start: int, end: int) -> tuple[int, ...] | None:
    """The integer array opened by `label` (which ends with "[") within text[start:end], or None."""
    at = text.find(label, start, end)
    if at == -1:
        return None
    opening = at + len(label) - 1
    closing = text.find("]", opening)
    return tuple(json.loads(text[opening : closing + 1]))


def select(offsets: Mapping[str, Sequence[int]], keys: Iterable[str]) -> dict[str, tuple[int, ...]]:
    """The entries of `offsets` that keys name: a term, `prefix*`, or `~N:term` (within N edits)."""
    found: dict[str, tuple[int, ...]] = {}
    for key in keys:
        if key.startswith("~"):
            distance, term = key[1:].split(":", 1)
            found.update({k: tuple(v) for k, v in offsets.items() if within_edits(k, term, int(distance))})
        elif key.endswith("*"):
            found.update({k: tuple(v) for k, v in offsets.items() if k.startswith(key[:-1])})
        elif key in offsets:
            found[key] = tuple(offsets[key])
    return found


# ---- at search time --------------------------------------------------------------------------


def match_spans(
    text: str, plan: QueryPlan, offsets: Mapping[str, Sequence[int]], markup: Sequence[int] = ()
) -> list[Span]:
    """Spans of `text` that produced a query term, plus typed CJK words found through bigrams."""
    spans: set[Span] = set()
    for flat in select(offsets, plan.highlight_keys).values():
        spans.update((flat[i], flat[i + 1]) for i in range(0, len(flat), 2))
    # Words the post's own terms did not match were found through bigrams: look for them as typed.
    unmatched = [c for c in plan.clauses if c.bigrams and not any(t in offsets for t in c.terms)]
    if unmatched:
        spans.update(_literal_cjk(text, markup, unmatched))
    return sorted(s for s in spans if 0 <= s[0] < s[1] <= len(text))


def make_snippet(text: str, spans: list[Span], markup: Sequence[int] = (), width: int = SNIPPET_CHARS) -> Snippet:
    """The window of `text` that shows the most matches, as prose: Markdown syntax, images and
    URLs dropped, runs of white space shown as one space."""
    start, end = (0, len(text)) if len(text) <= width else _window(text, spans, width)
    shown, origin = _prose(text, markup, start, end)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    kept = [_to_shown(origin, s, e) for s, e in _merge(spans) if e > start and s < end]
    offsets = tuple((s + len(prefix), e + len(prefix)) for s, e in kept if e > s)
    return Snippet(prefix + shown + suffix, offsets, start)


def within_edits(a: str, b: str, limit: int) -> bool:
    """Whether a and b are at most `limit` insertions, deletions or substitutions apart (Levenshtein,
    as Tantivy's fuzzy query counts them), stopping as soon as the limit is passed."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def _mask(text: str, markup: Sequence[int]) -> str:
    if not markup:
        return text
    chars = list(text)
    for k in range(0, len(markup), 2):
        for i in range(markup[k], min(markup[k + 1], len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


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
            masked = _mask(line, local)
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


def _window(text: str, spans: list[Span], width: int) -> Span:
    start = _best_window(text, spans, width)
    return start, min(len(text), start + width)


def _best_window(text: str, spans: list[Span], width: int) -> int:
    """Start of the window showing the most different matched words, then the most matches."""
    if not spans:
        return 0
    best_start, best_score = spans[0][0], (0, 0)
    for i, (s, _) in enumerate(spans[:200]):
        inside = [text[s2:e2].lower() for s2, e2 in spans[i : i + 50] if e2 <= s + width * 0.8]
        score = (len(set(inside)), len(inside))
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
    blank = _mask(text[start:end], [max(0, x - start) for x in markup]) if markup else text[start:end]
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
