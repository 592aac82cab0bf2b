"""The index's posts → passage vectors in the vector store: embed what is missing, nothing else.

Runs after the lexical index is committed, so every post is searchable by its words at once and
by meaning as soon as its file's vectors are in. The posts are read back from the index (the text
that was indexed, at its offsets), cut into passages, and only the passages whose text has no vector
yet are embedded, a batch at a time, each batch committed: a killed run loses at most the batch in
flight and the next run goes on from there. A file is recorded as embedded once all its passages
have vectors, under its manifest digest: an edited file's old vectors are never used for its new
text. One embedding runs at a time; it repeats while rebuilds commit new files meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from searchclip.embed.model import Embedder, default_embedder, model_id
from searchclip.embed.passages import PASSAGE_TOKENS, passages
from searchclip.errors import EmbedBusyError, IndexMissingError, IndexVersionError, VectorStoreError
from searchclip.index.fields import schema_matches
from searchclip.index.highlights import blank_markup
from searchclip.index.hits import Hit
from searchclip.index.reader import IndexReader
from searchclip.index.store import FileState, current_generation, read_manifest, state_key
from searchclip.index.vectors import StoredPassage, VectorStore, embed_lock, reset_store

# Passages embedded per call and per commit: enough to keep every core busy (the model embeds one
# text per thread), few enough that a kill loses seconds of work.
BATCH = 32
# The characters of one file that are embedded: a book-sized clipping is found by meaning through
# its first hundred pages (and by its words everywhere), and costs minutes, not hours.
MAX_EMBEDDED_CHARS = 200_000
# And at most this many passages (a file of 100,000 one-line posts would otherwise be 100,000
# model calls); the posts past it are found by their words.
MAX_EMBEDDED_PASSAGES = 500
# (posts done, posts to do, passages embedded so far)
Progress = Callable[[int, int, int], None]


@dataclass(slots=True)
class EmbedReport:
    files: int = 0  # files embedded in this run
    posts: int = 0
    passages: int = 0  # passages of those files
    embedded: int = 0  # passages that needed the model (the others had vectors already)
    tokens: int = 0
    model_seconds: float = 0.0
    seconds: float = 0.0
    removed: int = 0  # vectors no passage uses any more, deleted
    indexed_posts: int = 0  # posts in the index when it ended
    missing_posts: int = 0  # of those, posts without vectors (their file changed meanwhile)
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Pending:
    file: str
    digest: str
    posts: int
    passages: list[StoredPassage]
    waiting: set[bytes]  # keys still without a vector


def embed_index(
    root: Path, embedder: Embedder | None = None, progress: Progress | None = None, batch: int = BATCH
) -> EmbedReport:
    """Embed the posts of the index at `root` that have no vectors yet (EmbedBusyError if another
    process is embedding them: it will take these too)."""
    started = time.perf_counter()
    root = root.expanduser().resolve()
    embedder = embedder or default_embedder()
    report = EmbedReport()
    if current_generation(root) is None:
        raise IndexMissingError(f"no index at {root} yet; build it with: searchclip index FOLDER")
    first = True
    while True:
        try:
            with embed_lock(root):
                done = _embed_while_changing(root, embedder, progress, batch, report)
        except EmbedBusyError:
            if first:
                raise
            break  # another process took the lock meanwhile: it embeds what came in
        first = False
        # A rebuild that committed just before the lock was let go found it taken and left its
        # posts to us: look once more, now that it is free.
        if state_key(root) == done:
            break
    report.indexed_posts, report.missing_posts = _counts(root, embedder)
    report.seconds = time.perf_counter() - started
    return report


def _embed_while_changing(
    root: Path, embedder: Embedder, progress: Progress | None, batch: int, report: EmbedReport
) -> object:
    """Embed passes until no rebuild committed during one; the index state they ended at."""
    store = _open_store(root, report)
    try:
        while True:
            before = state_key(root)
            _embed_pass(root, store, embedder, progress, batch, report)
            if state_key(root) == before:
                break
        report.removed += store.collect_garbage()
    finally:
        store.close()
    return before


def missing_posts(root: Path, embedder: Embedder) -> int:
    """How many posts of the index have no vectors of this model (read-only)."""
    return _counts(root, embedder)[1]


def _counts(root: Path, embedder: Embedder) -> tuple[int, int]:
    """The posts of the index, and how many of them have no vectors of this model."""
    gen = current_generation(root)
    manifest = read_manifest(gen) if gen else None
    if manifest is None:
        return 0, 0
    try:
        store = VectorStore(root)
    except VectorStoreError:
        return sum(s.posts for s in manifest.files.values()), sum(s.posts for s in manifest.files.values())
    try:
        done = store.embedded(model_id(embedder))
    finally:
        store.close()
    total = sum(s.posts for s in manifest.files.values())
    return total, sum(s.posts for f, s in manifest.files.items() if done.get(f) != s.digest)


def _open_store(root: Path, report: EmbedReport) -> VectorStore:
    try:
        return VectorStore(root, writable=True)
    except VectorStoreError as exc:
        # Only vectors are in it, and they can all be made again: start a new store.
        reset_store(root)
        report.notes.append(f"{exc}; it was replaced by a new one and every post is embedded again")
        return VectorStore(root, writable=True)


def _embed_pass(
    root: Path, store: VectorStore, embedder: Embedder, progress: Progress | None, batch: int, report: EmbedReport
) -> None:
    model = model_id(embedder)
    gen = current_generation(root)
    # The manifest before the reader: if a rebuild commits between the two, posts newer than their
    # recorded digest are embedded, the digest mismatches at search, and the next pass redoes them.
    manifest = read_manifest(gen) if gen else None
    if manifest is None:
        return
    if not schema_matches(manifest.version):  # its stored posts are in a format this one cannot read
        raise IndexVersionError(
            f"the index at {root} was built by another version of searchclip; rebuild it with: searchclip index --full"
        )
    reader = IndexReader(root)
    done = store.embedded(model)
    store.forget(f for f in done if f not in manifest.files)
    todo = [(f, s) for f, s in manifest.files.items() if done.get(f) != s.digest]
    total = sum(s.posts for _, s in todo)
    queue: dict[bytes, str] = {}  # key → text, waiting for the model
    pending: list[_Pending] = []
    posts_done = 0
    for file, state in todo:
        pending.append(_plan_file(reader, file, state, embedder, model, store, queue))
        report.passages += len(pending[-1].passages)
        while len(queue) >= batch:
            _embed_batch(store, embedder, queue, batch, pending, report)
            posts_done += _finish_ready(store, model, pending, report)
            if progress:
                progress(posts_done, total, report.embedded)
    while queue:
        _embed_batch(store, embedder, queue, batch, pending, report)
    posts_done += _finish_ready(store, model, pending, report)
    if progress:
        progress(posts_done, total, report.embedded)


def _plan_file(
    reader: IndexReader,
    file: str,
    state: FileState,
    embedder: Embedder,
    model: str,
    store: VectorStore,
    queue: dict[bytes, str],
) -> _Pending:
    """The passages of one indexed file; those without a vector join the queue."""
    texts: dict[bytes, str] = {}
    found: list[StoredPassage] = []
    budget = MAX_EMBEDDED_CHARS
    for hit in reader.posts_of(file, limit=state.posts):
        if budget <= 0 or len(found) >= MAX_EMBEDDED_PASSAGES:
            break
        prose = _prose(hit)[:budget]
        budget -= len(prose)
        limit = min(PASSAGE_TOKENS, embedder.max_tokens)
        for p in passages(hit.title, prose, model, limit, embedder.count_tokens):
            texts[p.key] = p.text
            found.append(StoredPassage(hit.id, hit.path, p.start, p.end, p.key))
    have = store.have(k for k in texts if k not in queue)
    waiting = {k for k in texts if k not in have}
    for key in waiting:
        queue.setdefault(key, texts[key])
    return _Pending(file, state.digest, state.posts, found, waiting)


def _prose(hit: Hit) -> str:
    return blank_markup(hit.text, hit.markup)


def _embed_batch(
    store: VectorStore,
    embedder: Embedder,
    queue: dict[bytes, str],
    batch: int,
    pending: list[_Pending],
    report: EmbedReport,
) -> None:
    keys = list(queue)[:batch]
    texts = [queue.pop(k) for k in keys]
    started = time.perf_counter()
    vectors = embedder.embed_passages(texts)
    report.model_seconds += time.perf_counter() - started
    report.tokens += sum(embedder.count_tokens(t) for t in texts)
    report.embedded += len(keys)
    store.add_vectors(keys, vectors)  # committed: a kill from here on loses none of them
    done = set(keys)
    for item in pending:
        item.waiting -= done


def _finish_ready(store: VectorStore, model: str, pending: list[_Pending], report: EmbedReport) -> int:
    """Record the files whose passages all have vectors; how many posts they hold."""
    ready = [p for p in pending if not p.waiting]
    if not ready:
        return 0
    store.set_files([(p.file, p.digest, model, p.passages) for p in ready])
    pending[:] = [p for p in pending if p.waiting]
    report.files += len(ready)
    report.posts += sum(p.posts for p in ready)
    return sum(p.posts for p in ready)
