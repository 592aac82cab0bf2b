"""The vector store beside the index: passage vectors cached by their text, and which passages
every embedded file's posts have.

    <root>/vectors.sqlite     vectors(key → float16 blob)     one per passage text ever embedded
                              files(file → digest, model)     the files whose passages are all in
                              passages(file, post, path, start, end, key)

SQLite, because it gives transactions (a killed embedding loses only the batch in flight), one
writer beside any number of readers (WAL: searches read while vectors are added), and needs
nothing installed; float16 halves the size at no cost to ranking (e5's cosines differ by under
0.001). It lives outside the generations: a full rebuild or a generation switch keeps every
vector, and a passage whose text is unchanged is never embedded again. A file counts as embedded
only under the digest and the model it was embedded with, so the vectors of an edited file, or of
another model, are never mixed in: they are missing, and embedded anew.
"""

from __future__ import annotations

import contextlib
import fcntl
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from searchclip.errors import EmbedBusyError, VectorStoreError
from searchclip.index.store import EMBED_LOCK, VECTOR_FILES, VECTOR_STORE

STORE = VECTOR_STORE
FORMAT = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS files (file TEXT PRIMARY KEY, digest TEXT NOT NULL, model TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS passages (
    file TEXT NOT NULL, post TEXT NOT NULL, path TEXT NOT NULL,
    start INTEGER NOT NULL, end INTEGER NOT NULL, key BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_file ON passages (file);
CREATE INDEX IF NOT EXISTS passages_key ON passages (key);
"""


@dataclass(frozen=True, slots=True)
class StoredPassage:
    post: str  # the post's id
    path: str  # its clipping's path (posts of one clipping collapse into one result)
    start: int  # where the passage stands in the post's text
    end: int
    key: bytes


@dataclass(frozen=True, slots=True)
class VectorRows:
    """Every embedded passage of one model, row for row with its float16 vector."""

    files: tuple[str, ...]  # per row
    digests: tuple[str, ...]
    passages: tuple[StoredPassage, ...]
    vectors: np.ndarray  # (rows, dimension) float16


class VectorStore:
    """The store at `<root>/vectors.sqlite`; `writable=False` opens it for reading only (a
    missing store then reads as empty, and nothing is ever created)."""

    def __init__(self, root: Path, writable: bool = False) -> None:
        self.path = root / STORE
        self.writable = writable
        self._db: sqlite3.Connection | None = None
        self._inode = 0
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.path, exc) from exc

    def _open(self) -> sqlite3.Connection | None:
        if not self.writable:
            if not self.path.exists():
                return None
            try:
                db = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
                db.execute("SELECT 1 FROM files LIMIT 1")  # a damaged or foreign file fails here, not later
            except sqlite3.OperationalError:
                # A read-only folder: SQLite cannot make the files WAL readers share. Nothing can
                # write there either, so the store is read as it lies.
                db = sqlite3.connect(f"{self.path.as_uri()}?immutable=1", uri=True, check_same_thread=False)
                db.execute("SELECT 1 FROM files LIMIT 1")
            self._inode = self.path.stat().st_ino
            return db
        db = sqlite3.connect(self.path, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        # WAL stays consistent after a crash at this level; a power cut may lose the last batch.
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (str(FORMAT),))
        db.commit()
        self._inode = self.path.stat().st_ino
        return db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def version(self) -> tuple[int, int]:
        """Changes whenever an embedding commits or the store file is replaced: (the file's inode,
        SQLite's data version, which counts the commits of other connections)."""
        try:
            inode = self.path.stat().st_ino
        except OSError:
            inode = 0
        if self._db is None or inode != self._inode:
            return inode, -1
        try:
            return inode, self._db.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.DatabaseError:
            return inode, -1

    def embedded(self, model: str) -> dict[str, str]:
        """file → the digest it was embedded at, for the files embedded with `model`."""
        if self._db is None:
            return {}
        rows = self._db.execute("SELECT file, digest FROM files WHERE model = ?", (model,))
        return dict(rows.fetchall())

    def have(self, keys: Iterable[bytes]) -> set[bytes]:
        """Which of `keys` have a vector."""
        found: set[bytes] = set()
        if self._db is None:
            return found
        wanted = list(dict.fromkeys(keys))
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(k for (k,) in self._db.execute(f"SELECT key FROM vectors WHERE key IN ({marks})", chunk))
        return found

    def add_vectors(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Store vectors (committed at once: a kill after this loses none of them)."""
        db = self._writer()
        half = np.asarray(vectors, np.float16)
        rows = zip(keys, (r.tobytes() for r in half), strict=True)
        with db:
            db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)

    def set_files(self, files: Sequence[tuple[str, str, str, Sequence[StoredPassage]]]) -> None:
        """Record files as embedded: (file, digest, model, its passages), all in one transaction."""
        db = self._writer()
        with db:
            for file, digest, model, passages in files:
                db.execute("DELETE FROM passages WHERE file = ?", (file,))
                db.executemany(
                    "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?)",
                    ((file, p.post, p.path, p.start, p.end, p.key) for p in passages),
                )
                db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?)", (file, digest, model))

    def forget(self, files: Iterable[str]) -> None:
        """Drop what is recorded of files no longer indexed (their vectors go with `collect_garbage`)."""
        db = self._writer()
        with db:
            for file in files:
                db.execute("DELETE FROM passages WHERE file = ?", (file,))
                db.execute("DELETE FROM files WHERE file = ?", (file,))

    def collect_garbage(self) -> int:
        """Delete the vectors no recorded passage uses (edited or removed text); how many went."""
        db = self._writer()
        with db:
            gone = db.execute("DELETE FROM vectors WHERE key NOT IN (SELECT key FROM passages)").rowcount
        if gone:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return gone

    def rows(self, model: str, dimension: int) -> VectorRows:
        """Every passage of the files embedded with `model`, with its vector, in post order; a
        vector of another size than `dimension` (a damaged row) is left out, never multiplied."""
        empty = VectorRows((), (), (), np.zeros((0, 0), np.float16))
        if self._db is None:
            return empty
        query = (
            "SELECT f.file, f.digest, p.post, p.path, p.start, p.end, p.key, v.vector FROM files f"
            " JOIN passages p ON p.file = f.file JOIN vectors v ON v.key = p.key"
            " WHERE f.model = ? ORDER BY p.rowid"
        )
        try:
            found = self._db.execute(query, (model,)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.path, exc) from exc
        found = [r for r in found if isinstance(r[7], bytes) and len(r[7]) == 2 * dimension]
        if not found:
            return empty
        vectors = np.frombuffer(b"".join(r[7] for r in found), np.float16).reshape(len(found), dimension)
        return VectorRows(
            tuple(r[0] for r in found),
            tuple(r[1] for r in found),
            tuple(StoredPassage(r[2], r[3], r[4], r[5], r[6]) for r in found),
            vectors,
        )

    def size(self) -> dict[str, int]:
        """Bytes on disk and rows, for reports."""
        if self._db is None:
            return {"bytes": 0, "vectors": 0, "passages": 0}
        on_disk = sum(p.stat().st_size for p in (self.path, Path(str(self.path) + "-wal")) if p.exists())
        vectors = self._db.execute("SELECT count(*) FROM vectors").fetchone()[0]
        passages = self._db.execute("SELECT count(*) FROM passages").fetchone()[0]
        return {"bytes": on_disk, "vectors": vectors, "passages": passages}

    def _writer(self) -> sqlite3.Connection:
        if self._db is None or not self.writable:
            raise VectorStoreError(f"the vector store {self.path} is open for reading only")
        return self._db


def _damaged(path: Path, exc: Exception) -> VectorStoreError:
    return VectorStoreError(f"the vector store {path} is damaged ({exc}); `searchclip embed` makes it anew")


def reset_store(root: Path) -> None:
    """Remove a damaged store (it holds only what embedding can make again)."""
    for name in VECTOR_FILES:
        (root / name).unlink(missing_ok=True)


@contextlib.contextmanager
def embed_lock(root: Path) -> Iterator[None]:
    """Held by the one embedding allowed at a time; EmbedBusyError while another has it."""
    with (root / EMBED_LOCK).open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise EmbedBusyError(f"another searchclip process is embedding the posts of {root}") from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
