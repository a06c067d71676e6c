"""Opening the catalog's SQLite file, and waiting for its write lock.

Every connection shares the same settings. Two situations need care:

- A full disk. A database in write-ahead-log mode needs a small shared-memory file next
  to it before it can be read at all, and on a full disk that file cannot be made. The
  papers must still come out (`reader list`, `reader export`), so the catalog is then
  opened read-only as an immutable file, which needs nothing written: correct when the
  log holds nothing (a clean close folds it in), refused with a clear line otherwise.
- Another process writing. Readers never wait (that is what the write-ahead log is for);
  a writer waits for the other one, says so once, and a lock that is only busy is never
  reported as damage.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from reader.errors import StoreError

BUSY_TIMEOUT_MS = 5000
"""How long one statement waits for a lock before SQLite says the database is busy."""
WRITE_WAIT_SECONDS = 600.0
"""How long a writer waits for another writer (an import of a million papers) in all."""
WAIT_STEP_MS = 250
"""A writer's first try at the lock; then it says it is waiting and keeps trying."""
FULL_DISK_BYTES = 1 << 20
"""Below this much free space, a catalog that cannot be opened is read as immutable."""

Waiting = Callable[[], None]
"""Told once when a writer starts waiting for another process's write to end."""


def connect(path: Path, *, cache_kib: int = 8192) -> tuple[sqlite3.Connection, bool]:
    """A connection to the catalog at `path`, and whether it may write.

    Raises `StoreError` with one line when the file cannot be opened at all.
    """
    try:
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    except sqlite3.Error as error:
        raise StoreError(f"the catalog {path} cannot be opened: {error}") from None
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Larger pages make the full-text index faster to build; only a new file takes
        # the setting, so it must come before the first table.
        db.execute("PRAGMA page_size = 8192")
        db.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA temp_store = MEMORY")
        return db, True
    except sqlite3.OperationalError as error:
        db.close()
        if not disk_is_full(path):
            raise StoreError(open_message(path, error)) from None
        return _read_only(path), False
    except sqlite3.DatabaseError as error:
        db.close()
        raise StoreError(open_message(path, error)) from None


def disk_is_full(path: Path) -> bool:
    """Whether the filesystem holding `path` has (almost) no room left."""
    try:
        return shutil.disk_usage(path.parent).free < FULL_DISK_BYTES
    except OSError:
        return False


def is_busy(error: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds a lock (not damage)."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(error) or "busy" in str(error)


def is_damage(error: sqlite3.Error) -> bool:
    """Whether SQLite found a file damaged (an error raised with no code, as doctor's own
    for an integrity check's findings, counts as damage). A full disk, a file it cannot
    open or a lock is not: the file may be sound, only not readable now."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is None or code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def begin_write(db: sqlite3.Connection, path: Path, waiting: Waiting | None) -> None:
    """Start a write transaction, waiting for another process's write to end.

    `waiting` is called once when the wait is longer than a moment. After
    `WRITE_WAIT_SECONDS`, a `StoreError` says the catalog is busy (never damaged).
    """
    deadline = time.monotonic() + WRITE_WAIT_SECONDS
    told = False
    # Short waits inside SQLite, so the user hears at once why nothing happens.
    db.execute(f"PRAGMA busy_timeout = {WAIT_STEP_MS}")
    try:
        while True:
            try:
                db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not is_busy(error):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"the catalog {path} is busy: another reader process has been writing"
                        f" to it for over {_duration(WRITE_WAIT_SECONDS)}; try again later"
                    ) from None
                if not told and waiting is not None:
                    waiting()
                    told = True
    finally:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:g} s"
    return f"{seconds / 60:g} minutes"


def _read_only(path: Path) -> sqlite3.Connection:
    """The catalog as an immutable file: nothing is written, not even a lock."""
    wal = path.with_name(path.name + "-wal")
    with contextlib.suppress(OSError):
        if wal.stat().st_size > 0:
            raise StoreError(
                f"the disk holding {path} is full and the catalog's latest changes are still"
                f" in {wal.name}: free some space, then try again"
            )
    if not path.exists() or path.stat().st_size == 0:
        raise StoreError(f"the disk holding {path} is full: free some space, then try again")
    uri = f"file:{quote(os.fspath(path))}?immutable=1"
    try:
        db = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA temp_store = MEMORY")  # the search mirror: nothing on disk
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as error:
        raise StoreError(open_message(path, error)) from None
    return db


def open_message(path: Path, error: sqlite3.Error) -> str:
    """The one line that says why the catalog cannot be opened, and what to do."""
    if is_busy(error):
        return (
            f"the catalog {path} is busy (another reader process holds it); try again in a moment"
        )
    if disk_is_full(path):
        return f"the disk holding {path} is full ({error}): free some space, then try again"
    return f"the catalog {path} cannot be opened ({error}): run `reader doctor` to check it"
