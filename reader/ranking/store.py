"""The text representation on disk: `ranking.sqlite3` in the library folder.

One row per paper of the catalog (by the catalog's row id) with its hashed term counts and
a fingerprint of the text they were made from, so a changed abstract is noticed. It is
derived data: `reader doctor` checks it against the catalog and rebuilds it, and a missing
or stale file is caught up from the catalog the next time the ranking needs it.

Writes take SQLite's write lock on this file only, never the catalog's. A small cache
table keeps the last relevance scores with the fingerprint of what they were computed
from (the labels and the vectors' generation), so `reader list --sort relevance` does not
retrain a model that nothing has changed.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reader.errors import StoreError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from reader.ranking.features import Batch

BUSY_TIMEOUT_MS = 5000
"""How long a statement waits for another process's write (as the catalog's do)."""

RANKING_FILE = "ranking.sqlite3"
READ_CHUNK = 2_000
"""Rows read from the file at a time when loading every vector."""
FORMAT = 4
"""Bump when the vectors change meaning (the tokenizer, the columns): the file is rebuilt."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    rowid INTEGER PRIMARY KEY,
    hash INTEGER NOT NULL,
    size INTEGER NOT NULL,
    columns BLOB NOT NULL,
    counts BLOB NOT NULL
);
-- Small: count(*) and sum(size) read it instead of every vector.
CREATE INDEX IF NOT EXISTS vectors_size ON vectors(size);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cache (
    name TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, data BLOB NOT NULL
) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class Stored:
    """Vectors as read back: row ids, text fingerprints and the term counts."""

    rowids: npt.NDArray[np.int64]
    hashes: npt.NDArray[np.int64]
    batch: Batch


@dataclass(frozen=True, slots=True)
class Frequencies:
    """Every stored row as the ranking uses it: row ids, text fingerprints, and each term's
    column with its frequency weight, 1 + log(count), in compressed sparse row form."""

    rowids: npt.NDArray[np.int64]
    hashes: npt.NDArray[np.int64]
    indptr: npt.NDArray[np.int64]
    columns: npt.NDArray[np.int32]
    values: npt.NDArray[np.float32]


class VectorStore:
    """The vectors of one library (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._db is not None:
            return self._db
        try:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version != FORMAT:
                with _transaction(db):
                    if db.execute("PRAGMA user_version").fetchone()[0] != FORMAT:
                        db.execute("DROP TABLE IF EXISTS vectors")
                        db.execute("DROP TABLE IF EXISTS cache")
                        for statement in _SCHEMA.split(";"):
                            if statement.strip():
                                db.execute(statement)
                        db.execute(f"PRAGMA user_version = {FORMAT}")
        except sqlite3.Error as error:
            raise StoreError(
                f"the ranking file {self.path} cannot be used ({error});"
                " run `reader doctor` to rebuild it"
            ) from None
        self._db = db
        return db

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    @contextlib.contextmanager
    def _using(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = self._connection()
            try:
                yield db
            except sqlite3.Error as error:
                raise StoreError(f"the ranking file {self.path} failed: {error}") from None

    # --- writing -------------------------------------------------------------------------

    def put(
        self, rowids: Sequence[int], hashes: Sequence[int], batch: Batch, *, clear: bool = False
    ) -> None:
        """Store (or replace) the vectors of these rows; `clear` first forgets every row."""
        with self._using() as db, _transaction(db):
            if clear:
                db.execute("DELETE FROM vectors")
            rows = (
                (
                    int(rowid),
                    int(fingerprint),
                    int(batch.indptr[index + 1] - batch.indptr[index]),
                    batch.columns[batch.indptr[index] : batch.indptr[index + 1]].tobytes(),
                    batch.counts[batch.indptr[index] : batch.indptr[index + 1]].tobytes(),
                )
                for index, (rowid, fingerprint) in enumerate(zip(rowids, hashes, strict=True))
            )
            db.executemany("INSERT OR REPLACE INTO vectors VALUES (?,?,?,?,?)", rows)
            db.execute(
                "INSERT INTO meta VALUES ('generation', 1) ON CONFLICT(name)"
                " DO UPDATE SET value = value + 1"
            )

    def delete(self, rowids: Sequence[int]) -> None:
        """Forget the vectors of rows the catalog no longer has."""
        with self._using() as db, _transaction(db):
            db.executemany("DELETE FROM vectors WHERE rowid = ?", [(int(r),) for r in rowids])
            db.execute(
                "INSERT INTO meta VALUES ('generation', 1) ON CONFLICT(name)"
                " DO UPDATE SET value = value + 1"
            )

    # --- reading -------------------------------------------------------------------------

    def generation(self) -> int:
        """Counts the writes to the vectors (by any process)."""
        with self._using() as db:
            row = db.execute("SELECT value FROM meta WHERE name = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def coverage(self) -> tuple[int, int]:
        """How many rows are stored, and the largest row id (0 when none)."""
        with self._using() as db:
            count, largest = db.execute("SELECT count(*), max(rowid) FROM vectors").fetchone()
        return int(count), int(largest or 0)

    def hashes(self) -> dict[int, int]:
        """The text fingerprint of every stored row."""
        with self._using() as db:
            return dict(db.execute("SELECT rowid, hash FROM vectors"))

    def hashes_of(self, rowids: Sequence[int]) -> dict[int, int]:
        """The text fingerprints of these rows (those stored)."""
        found: dict[int, int] = {}
        with self._using() as db:
            wanted = [int(rowid) for rowid in rowids]
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT rowid, hash FROM vectors WHERE rowid IN ({marks})"
                found.update(db.execute(sql, chunk))
        return found

    def load(self, rowids: Sequence[int] | None = None, after: int = 0) -> Stored:
        """The stored rows (those in `rowids`, or every row above `after`), by row id."""
        with self._using() as db:
            if rowids is None:
                stored, _ = _read_all(db, after)
                return stored
            else:
                wanted = sorted({int(rowid) for rowid in rowids})
                rows: list[tuple[int, int, bytes, bytes]] = []
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    rows.extend(
                        db.execute(
                            "SELECT rowid, hash, columns, counts FROM vectors"
                            f" WHERE rowid IN ({marks}) ORDER BY rowid",
                            chunk,
                        )
                    )
        return _stored(rows)

    def frequencies(self) -> Frequencies:
        """Every stored row, with term frequency weights instead of counts (made as the
        rows are read: the counts of every paper are never in memory at once)."""
        with self._using() as db:
            stored, values = _read_all(db, 0, frequencies=True)
        assert values is not None
        batch = stored.batch
        return Frequencies(stored.rowids, stored.hashes, batch.indptr, batch.columns, values)

    # --- the cache of the last ranking ------------------------------------------------------

    def cached(self, name: str, fingerprint: str) -> bytes | None:
        """What `remember` stored under `name`, if it was computed from `fingerprint`."""
        with self._using() as db:
            row = db.execute(
                "SELECT data FROM cache WHERE name = ? AND fingerprint = ?", (name, fingerprint)
            ).fetchone()
        return bytes(row[0]) if row else None

    def remember(self, name: str, fingerprint: str, data: bytes) -> None:
        """Keep `data` for the next process (best effort: a full disk only loses the cache)."""
        with contextlib.suppress(StoreError), self._using() as db:
            db.execute("INSERT OR REPLACE INTO cache VALUES (?,?,?)", (name, fingerprint, data))


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _read_all(
    db: sqlite3.Connection, after: int, *, frequencies: bool = False
) -> tuple[Stored, npt.NDArray[np.float32] | None]:
    """Every row above `after`, read in chunks straight into arrays of the final size
    (100,000 papers' rows as Python objects, then joined, would take three times the
    memory the vectors need). With `frequencies`, each count is turned into its weight
    1 + log(count) as it is read, and the stored batch holds no counts."""
    import numpy as np

    from reader.ranking.features import Batch

    count, total = db.execute(
        "SELECT count(*), coalesce(sum(size), 0) FROM vectors WHERE rowid > ?", (after,)
    ).fetchone()
    rowids = np.zeros(count, dtype=np.int64)
    hashes = np.zeros(count, dtype=np.int64)
    indptr = np.zeros(count + 1, dtype=np.int64)
    columns = np.zeros(total, dtype=np.int32)
    counts = np.zeros(0 if frequencies else total, dtype=np.uint16)
    values = np.zeros(total, dtype=np.float32) if frequencies else None
    cursor = db.execute(
        "SELECT rowid, hash, columns, counts FROM vectors WHERE rowid > ? ORDER BY rowid",
        (after,),
    )
    row = filled = 0
    while chunk := cursor.fetchmany(READ_CHUNK):
        if row + len(chunk) > count:
            raise StoreError("the ranking file changed while it was read; try again")
        part = _stored(chunk)
        size = len(part.batch.counts)
        if filled + size > total:
            raise StoreError("the ranking file changed while it was read; try again")
        rowids[row : row + len(chunk)] = part.rowids
        hashes[row : row + len(chunk)] = part.hashes
        indptr[row + 1 : row + len(chunk) + 1] = part.batch.indptr[1:] + filled
        columns[filled : filled + size] = part.batch.columns
        if values is None:
            counts[filled : filled + size] = part.batch.counts
        else:
            into = values[filled : filled + size]
            np.log(part.batch.counts, out=into, dtype=np.float32)
            into += 1
        row, filled = row + len(chunk), filled + size
    if (row, filled) != (count, total):
        raise StoreError("the ranking file changed while it was read; try again")
    return Stored(rowids, hashes, Batch(indptr, columns, counts)), values


def _stored(rows: Sequence[tuple[int, int, bytes, bytes]]) -> Stored:
    import numpy as np

    from reader.ranking.features import Batch

    rowids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    hashes = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))
    columns = np.frombuffer(b"".join(row[2] for row in rows), dtype=np.int32)
    counts = np.frombuffer(b"".join(row[3] for row in rows), dtype=np.uint16)
    lengths = np.fromiter((len(row[3]) // 2 for row in rows), dtype=np.int64, count=len(rows))
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    if len(columns) != len(counts) or indptr[-1] != len(counts):
        raise StoreError("the ranking file is damaged (vectors of unequal lengths)")
    return Stored(rowids, hashes, Batch(indptr, columns, counts))
