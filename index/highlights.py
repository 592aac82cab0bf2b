"""The stored highlights: where each body term stands and which characters are markup.

At indexing every post keeps, beside its original text, the offsets of each of its terms
(initials and readings under their own key prefixes) and the ranges that are Markdown syntax,
images or URLs, so that a search highlights exactly the characters that produced a matching term
without analyzing or parsing anything. A search names what it wants with keys: a term, `prefix*`,
or `~N:term` (within N edits).

They are most of what an index stores (the offsets of every token of every post), so they are
written compactly, as Lucene writes its term vectors: numbers as variable-length integers (one
byte below 128), each range as its start's distance from the previous start and its length
(zigzag-coded: two or three bytes per range, where JSON took eight to twelve):

    0x02 · n · len(names) · names (NUL-joined UTF-8) · width · n range counts · n block sizes
         · n blocks · markup

The counts and sizes are fixed-width (2 or 4 bytes, `width`), so that the table is read in one
call (`array.frombytes`), and a term's block is found from it without reading the others; the
counts serve query expansion without decoding any offsets. The key prefixes of initials and readings are stored as
one byte each (they begin half of all names), and the whole is deflated (zlib) when that makes it
smaller, marked by its first byte (0x03): a post's names share their beginnings, and the doc
store's own lz4 finds little in them.
"""

from __future__ import annotations

import sys
import zlib
from array import array
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate
from typing import Protocol

# Keys of the stored offsets besides the terms themselves: Korean initials and Japanese readings.
INITIALS_KEY = "초성:"
READING_KEY = "読み:"
FORMAT = 2  # the first byte; 1 was JSON
DEFLATED = 3  # the first byte of the same, deflated
# How the key prefixes are stored: characters no term begins with.
_STORED_PREFIX = {INITIALS_KEY: "\x01", READING_KEY: "\x02"}
_PREFIX_OF = {v: k for k, v in _STORED_PREFIX.items()}

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


def encode_highlights(offsets: Mapping[str, Sequence[int]], markup: Sequence[int]) -> bytes:
    """The stored form of a post's term offsets (flat start, end pairs per term) and markup ranges.
    A term holding a NUL (never one the analyzers make) is left out: NUL separates the names."""
    terms = [t for t in offsets if "\0" not in t and t[:1] not in _PREFIX_OF]
    names = "\0".join(map(_stored_name, terms)).encode("utf-8", "surrogatepass")
    blocks = [_ranges(offsets[t]) for t in terms]
    out = bytearray((FORMAT,))
    _varint(out, len(terms))
    _varint(out, len(names))
    out += names
    counts = [len(offsets[t]) // 2 for t in terms]
    sizes = [len(b) for b in blocks]
    code = "H" if max(counts + sizes, default=0) < 1 << 16 else "I"
    out.append(array(code).itemsize)
    out += _little(array(code, counts)) + _little(array(code, sizes))
    for block in blocks:
        out += block
    out += _ranges(markup)
    deflated = zlib.compress(bytes(out[1:]), 6)
    return bytes((DEFLATED,)) + deflated if len(deflated) + 1 < len(out) else bytes(out)


def _stored_name(term: str) -> str:
    for prefix, mark in _STORED_PREFIX.items():
        if term.startswith(prefix):
            return mark + term[len(prefix) :]
    return term


def _name(stored: str) -> str:
    return _PREFIX_OF[stored[0]] + stored[1:] if stored[:1] in _PREFIX_OF else stored


def decode_highlights(data: bytes, keys: Iterable[str]) -> tuple[Offsets, tuple[int, ...]]:
    """The offsets of what `keys` select (see `select`), and the markup ranges; only the blocks of
    the terms selected are decoded (a long post stores thousands of terms, a search needs a few)."""
    keys = list(keys)
    if not data:
        return {}, ()
    layout = _Layout(data)
    found: Offsets = {}
    terms: list[str] | None = None
    for key in keys:
        if key.startswith("~") or key.endswith("*"):
            terms = terms or layout.terms
            found.update({t: layout.block(i) for i, t in enumerate(terms) if select({t: ()}, [key])})
        elif (i := layout.index(key)) is not None:
            found[key] = layout.block(i)
    return found, layout.markup()


def stored_term_counts(data: bytes) -> dict[str, int]:
    """How often each body term occurs in a post, from its stored offsets (for query expansion),
    read from the table alone."""
    if not data:
        return {}
    layout = _Layout(data)
    return dict(zip(layout.terms, layout.counts, strict=True))


class _Layout:
    """The table of one stored value: term names, their range counts and where their blocks lie."""

    def __init__(self, data: bytes) -> None:
        if data[0] == DEFLATED:
            data = bytes((FORMAT,)) + zlib.decompress(data[1:])
        if data[0] != FORMAT:
            raise ValueError(f"stored highlights of format {data[0]}, not {FORMAT}")
        self.data = data
        n, at = _read(data, 1)
        size, at = _read(data, at)
        names = data[at : at + size].decode("utf-8", "surrogatepass")
        self.stored = names.split("\0") if n else []  # as stored: key prefixes as one character
        at += size
        width = data[at]
        code = "H" if width == 2 else "I"
        at += 1
        table = n * width
        counts, sizes = _unlittle(code, data[at : at + table]), _unlittle(code, data[at + table : at + 2 * table])
        at += 2 * table
        self.counts = counts
        self.starts = list(accumulate(sizes, initial=at))  # where block i starts (and i - 1 ends)

    @property
    def terms(self) -> list[str]:
        return [_name(t) for t in self.stored]

    def index(self, term: str) -> int | None:
        try:  # a scan in C: cheaper than a dict of every name for the few keys a search has
            return self.stored.index(_stored_name(term))
        except ValueError:
            return None

    def block(self, i: int) -> tuple[int, ...]:
        return _unranges(self.data, self.starts[i], self.starts[i + 1])

    def markup(self) -> tuple[int, ...]:
        return _unranges(self.data, self.starts[-1], len(self.data))


def _ranges(flat: Sequence[int]) -> bytes:
    """Flat start, end pairs as zigzag varints of (start - previous start, end - start)."""
    out = bytearray()
    previous = 0
    for k in range(0, len(flat) - 1, 2):
        start, end = flat[k], flat[k + 1]
        _varint(out, _zigzag(start - previous))
        _varint(out, _zigzag(end - start))
        previous = start
    return bytes(out)


def _unranges(data: bytes, at: int, end: int) -> tuple[int, ...]:
    flat: list[int] = []
    previous = 0
    while at < end:
        delta, at = _read(data, at)
        length, at = _read(data, at)
        start = previous + _unzigzag(delta)
        flat += (start, start + _unzigzag(length))
        previous = start
    return tuple(flat)


def _little(numbers: array) -> bytes:  # type: ignore[type-arg]
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers.tobytes()


def _unlittle(code: str, data: bytes) -> list[int]:
    numbers = array(code)
    numbers.frombytes(data)
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers.tolist()


def _zigzag(n: int) -> int:
    return n << 1 if n >= 0 else ((-n) << 1) - 1


def _unzigzag(z: int) -> int:
    return z >> 1 if not z & 1 else -((z + 1) >> 1)


def _varint(out: bytearray, n: int) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _read(data: bytes, at: int) -> tuple[int, int]:
    """The varint at `at`, and where the next value starts."""
    byte = data[at]
    if byte < 0x80:  # most values: one byte
        return byte, at + 1
    n, shift = byte & 0x7F, 7
    while True:
        at += 1
        byte = data[at]
        n |= (byte & 0x7F) << shift
        if byte < 0x80:
            return n, at + 1
        shift += 7


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
