"""The stored highlights: where each body term stands and which characters are markup.

At indexing every post keeps, beside its original text, the offsets of each of its terms
(initials and readings under their own key prefixes) and the ranges that are Markdown syntax,
images or URLs, as compact JSON:

    {"t": {"term": [start, end, start, end, ...], "초성:ㅋㄷ": [...], "読み:トウキョウ": [...]}, "m": [start, end, ...]}

so that a search highlights exactly the characters that produced a matching term without
analyzing or parsing anything. A search names what it wants with keys: a term, `prefix*`, or
`~N:term` (within N edits).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

# Keys of the stored offsets besides the terms themselves: Korean initials and Japanese readings.
INITIALS_KEY = "초성:"
READING_KEY = "読み:"
_TERM_ARRAY = re.compile(r'"((?:[^"\\]|\\.)*)":\[([^\]]*)\]')  # "term":[offsets] in the stored JSON
# What json.dumps(ensure_ascii=False, separators=(",", ":")) writes, without its check for circular
# references, which costs a dictionary entry per list and cannot fire on fresh lists of integers.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)

Offsets = dict[str, tuple[int, ...]]


class Located(Protocol):
    term: str
    start: int
    end: int


def term_offsets(
    tokens: Iterable[Located], initials: Iterable[Located] = (), readings: Iterable[Located] = ()
) -> dict[str, list[int]]:
    """Each term (initials and readings under their own keys) and the flat list of its offsets."""
    found: dict[str, list[int]] = {}
    for prefix, toks in (("", tokens), (INITIALS_KEY, initials), (READING_KEY, readings)):
        for tok in toks:
            found.setdefault(prefix + tok.term, []).extend((tok.start, tok.end))
    return found


def encode_highlights(offsets: Mapping[str, list[int]], markup: list[int]) -> bytes:
    return _ENCODER.encode({"t": offsets, "m": markup}).encode()


def decode_highlights(data: bytes, keys: Iterable[str]) -> tuple[Offsets, tuple[int, ...]]:
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

    Terms are looked up between the two, with their opening bracket, so that a term spelled "t"
    or "m" cannot be mistaken for the layout's keys.
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


def select(offsets: Mapping[str, Sequence[int]], keys: Iterable[str]) -> Offsets:
    """The entries of `offsets` that keys name: a term, `prefix*`, or `~N:term` (within N edits)."""
    found: Offsets = {}
    for key in keys:
        if key.startswith("~"):
            distance, term = key[1:].split(":", 1)
            found.update({k: tuple(v) for k, v in offsets.items() if within_edits(k, term, int(distance))})
        elif key.endswith("*"):
            found.update({k: tuple(v) for k, v in offsets.items() if k.startswith(key[:-1])})
        elif key in offsets:
            found[key] = tuple(offsets[key])
    return found


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


def blank_markup(text: str, markup: Sequence[int]) -> str:
    """The text with its markup ranges (flat start, end pairs) blanked to spaces, newlines kept:
    its prose, at the offsets of the original."""
    if not markup:
        return text
    chars = list(text)
    for k in range(0, len(markup), 2):
        for i in range(markup[k], min(markup[k + 1], len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)
