"""A finished query (plan.py) → Tantivy query → ranked `Hit`s. Decides nothing about ranking."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterable
from pathlib import Path

import tantivy

from searchclip.errors import IndexCorruptError, IndexMissingError, IndexVersionError
from searchclip.index.fields import STORED, Kind, as_datetime, build_schema, stored_text, unpack_text
from searchclip.index.highlights import decode_highlights, stored_term_counts
from searchclip.index.hits import Hit, Results
from searchclip.index.plan import (
    Bool,
    Boost,
    DateRange,
    DisMax,
    Everything,
    Fuzzy,
    Occur,
    Phrase,
    Prefix,
    Query,
    Term,
    TermSet,
)
from searchclip.index.store import current_generation, generations, known_folders, read_manifest

OPEN_ATTEMPTS = 5
_OCCUR = {Occur.MUST: tantivy.Occur.Must, Occur.SHOULD: tantivy.Occur.Should}


class IndexReader:
    """The current generation of the index at `root`, opened once; `version`: the one it must have.

    A damaged index (a file missing or cut short, an unreadable manifest, a lost `current` link) is
    an IndexCorruptError naming the command that repairs it; the index is never written here, so a
    read-only index can be searched.
    """

    def __init__(self, root: Path, version: str | None = None) -> None:
        self._schema = build_schema()
        # A full rebuild may switch generations (and delete the old one) while we open it: retry.
        for attempt in range(OPEN_ATTEMPTS):
            gen = current_generation(root)
            if gen is None:
                if generations(root):
                    raise _corrupt(root, "its current generation is missing")
                raise IndexMissingError(f"no index at {root} yet; build it with: searchclip index FOLDER")
            try:
                if version is not None:
                    _check_version(root, gen, version)
                self._index = tantivy.Index.open(str(gen))
                self._searcher = self._index.searcher()
                return
            except (OSError, ValueError) as exc:
                if attempt < OPEN_ATTEMPTS - 1 and current_generation(root) != gen:
                    time.sleep(0.05)
                    continue
                raise _corrupt(root, _reason(exc)) from exc

    @property
    def num_posts(self) -> int:
        return self._searcher.num_docs

    def search(
        self, query: Query, limit: int = 10, offset: int = 0, keys: Iterable[str] = (), newest_first: bool = False
    ) -> Results:
        """The best posts for `query` (or its newest, by the posts' dates; a score of 0); each hit
        carries the stored offsets that `keys` select."""
        wanted = frozenset(keys)
        order = {"order_by_field": "date"} if newest_first else {}
        result = self._searcher.search(self.translate(query), limit=limit, offset=offset, count=True, **order)
        # Ordered by date, the key is the date (nanoseconds), not a score.
        hits = tuple(_hit(self._searcher.doc(a), 0.0 if order else k, wanted) for k, a in result.hits)
        return Results(hits, result.count if result.count is not None else len(hits))

    def get(self, post_id: str, keys: Iterable[str] = ()) -> Hit | None:
        result = self._searcher.search(tantivy.Query.term_query(self._schema, "id", post_id), limit=1)
        return _hit(self._searcher.doc(result.hits[0][1]), 0.0, frozenset(keys)) if result.hits else None

    def posts_of(self, file: str, limit: int = 100_000) -> list[Hit]:
        """The first `limit` posts indexed for one file, in post order."""
        query = tantivy.Query.term_query(self._schema, "file", file)
        found = self._searcher.search(query, limit=max(1, limit), order_by_field="post", order=tantivy.Order.Asc).hits
        return sorted((_hit(self._searcher.doc(addr), 0.0, frozenset()) for _, addr in found), key=lambda h: h.post)

    def starting_with(self, field: str, prefix: str, limit: int = 50) -> list[str]:
        """Values of a keyword field (`id`, `tags`) that start with `prefix`, sorted (for completion)."""
        query = tantivy.Query.regex_query(self._schema, field, re.escape(prefix) + ".*")
        found: set[str] = set()
        for _, addr in self._searcher.search(query, limit=limit * 4).hits:
            found.update(str(v) for v in self._searcher.doc(addr).get_all(field) if str(v).startswith(prefix))
        return sorted(found)[:limit]

    def stored_bytes(self) -> dict[str, int]:
        """How many bytes each stored field holds over all posts, before the doc store's own
        compression (for benchmarks/index_size.py)."""
        sizes: dict[str, int] = {}
        for _, addr in self._searcher.search(tantivy.Query.all_query(), limit=max(1, self.num_posts)).hits:
            for name, values in self._searcher.doc(addr).to_dict().items():
                size = sum(len(v) if isinstance(v, bytes | list) else len(str(v).encode()) for v in values)
                sizes[name] = sizes.get(name, 0) + size
        return sizes

    def with_filters(self, query: Query, ids: Iterable[str]) -> set[str]:
        """Which of the posts `ids` match `query` (the filters of a search, for posts found by meaning)."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return set()
        both = Bool(((Occur.MUST, query), (Occur.MUST, TermSet("id", tuple(wanted)))))
        found = self._searcher.search(self.translate(both), limit=len(wanted)).hits
        return {str(self._searcher.doc(addr).get_first("id")) for _, addr in found}

    def term_counts(self, query: Query, limit: int) -> list[tuple[float, dict[str, int]]]:
        """The score and body term counts of each of the `limit` best posts (for query expansion)."""
        hits = self._searcher.search(self.translate(query), limit=limit).hits
        return [
            (score, stored_term_counts(self._searcher.doc(addr).get_first("highlights") or b"")) for score, addr in hits
        ]

    def doc_freq(self, field: str, term: str) -> int:
        return self._searcher.doc_freq(field, term)

    def translate(self, q: Query) -> tantivy.Query:
        """The Tantivy query of a plan node, node for node."""
        schema = self._schema
        match q:
            case Term(field, text):
                return tantivy.Query.term_query(schema, field, text)
            case Phrase(field, terms, slop):
                return tantivy.Query.phrase_query(schema, field, list(terms), slop=slop)
            case Prefix(field, prefix):
                return tantivy.Query.regex_query(schema, field, re.escape(prefix) + ".*")
            case Fuzzy(field, text, distance):
                return tantivy.Query.fuzzy_term_query(schema, field, text, distance)
            case TermSet(field, terms):
                return tantivy.Query.term_set_query(schema, field, list(terms))
            case DateRange(field, since, until):
                lower = as_datetime(since) if since else tantivy.MIN_DATETIME
                upper = as_datetime(until) if until else tantivy.MAX_DATETIME
                return tantivy.Query.range_query(schema, field, tantivy.FieldType.Date, lower, upper)
            case Everything():
                return tantivy.Query.all_query()
            case Boost(inner, weight):
                return tantivy.Query.boost_query(self.translate(inner), weight)
            case DisMax(queries, tie):
                return tantivy.Query.disjunction_max_query([self.translate(x) for x in queries], tie_breaker=tie)
            case Bool(clauses):
                return tantivy.Query.boolean_query([(_OCCUR[occur], self.translate(x)) for occur, x in clauses])
        raise TypeError(f"not a query plan node: {q!r}")


def generation_damage(gen: Path) -> str | None:
    """Why Tantivy cannot open this generation, if it cannot (None: it opens)."""
    try:
        tantivy.Index.open(str(gen)).searcher()
    except (OSError, ValueError) as exc:
        return _reason(exc)
    return None


def _corrupt(root: Path, reason: str) -> IndexCorruptError:
    command = "searchclip index" if known_folders(root) else "searchclip index FOLDER"
    return IndexCorruptError(f"the index at {root} is damaged ({reason}); repair it with: {command}")


def _reason(exc: Exception) -> str:
    """Tantivy's reason in a few words: its messages carry nested debug output."""
    text = " ".join(str(exc).split())
    if "FileDoesNotExist" in text or isinstance(exc, FileNotFoundError):
        return "a file of it is missing"
    if "corrupt" in text.lower() or "magic byte" in text.lower() or "deserialized" in text:
        return "a file of it is damaged"
    return text[:160]


def _check_version(root: Path, gen: Path, version: str) -> None:
    manifest = read_manifest(gen)
    if manifest is None and not gen.exists():
        raise FileNotFoundError(gen)  # switched away and removed meanwhile: the caller retries
    if manifest is None:
        raise _corrupt(root, "its manifest is missing or unreadable")
    if manifest.version != version:
        raise IndexVersionError(
            f"the index at {root} was built by another version of searchclip or its "
            "dictionaries; rebuild it with: searchclip index --full"
        )


def _hit(doc: tantivy.Document, score: float, keys: frozenset[str]) -> Hit:
    """A `Hit` from the stored fields of `fields.FIELDS`."""
    d = doc.to_dict()
    values: dict[str, object] = {}
    for f in STORED:
        if f.kind is Kind.BYTES:
            continue
        if f.kind is Kind.ANALYZED:
            text = d.get(stored_text(f.name))
            if text:
                values[f.hit or f.name] = unpack_text(bytes(text[0]))
            continue
        found = d.get(f.name)
        if f.multi:
            values[f.hit or f.name] = tuple(str(v) for v in found or ())
        elif found:
            values[f.hit or f.name] = _value(f.kind, found[0])
    offsets, markup = decode_highlights(bytes(d.get("highlights", [b""])[0]), keys)
    return Hit(score=float(score), offsets=offsets, markup=markup, **_with_defaults(values))  # type: ignore[arg-type]


def _value(kind: Kind, value: object) -> object:
    if kind is Kind.INTEGER:
        return int(value)  # type: ignore[call-overload]
    if kind is Kind.DATE:
        return value.date() if isinstance(value, dt.datetime) else None
    return str(value)


_REQUIRED = {"id": "", "path": "", "file": "", "post": 0, "line": 1, "title": "", "text": ""}


def _with_defaults(values: dict[str, object]) -> dict[str, object]:
    return {**_REQUIRED, **values}
