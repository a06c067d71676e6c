"""A TinyDB storage that never leaves a half-written file and makes small changes cheap.

TinyDB's default `JSONStorage` truncates its file and writes in place, so a crash or a
full disk mid-write leaves a broken file; and it rewrites the whole file on every change
(about 40 ms with 20,000 records). This storage has two files:

- the snapshot, `state.json`: plain TinyDB JSON, only ever replaced whole: written to a
  temporary file, fsynced and renamed over the old one (atomic on POSIX and Windows),
  then the folder fsynced so the rename itself survives a power cut;
- the journal, `state.json.journal`: one JSON line per change (the changed documents,
  whole), appended and fsynced. A change is durable once its line is on disk, which
  takes a millisecond or two however large the store is.

Reading applies the journal to the snapshot. A line cut short by a crash was never
acknowledged and is ignored. When the journal grows long, or on close, the snapshot is
rewritten as exactly the old snapshot plus the journal, and the journal deleted
("compaction"). Replaying a journal over a snapshot that ends with its changes (and
holds nothing newer) changes nothing, so a crash between those two steps loses nothing.

Before a snapshot is replaced, the previous one (which was just read and found good) is
kept as `state.json.bak`; a damaged snapshot is never overwritten, and `reader doctor`
restores the backup.

Several processes may share the files. Every append and every compaction holds an
exclusive `flock` on `state.json.lock` (POSIX; elsewhere no lock is taken), and a
compaction re-reads the snapshot and the whole journal under that lock, so no other
process's line can slip in between "read the journal" and "delete the journal". Changes
are whole documents applied in journal order: for one paper, the last write wins.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from reader.errors import StoreError

try:
    import fcntl
except ImportError:  # Windows: one process at a time is assumed there
    fcntl = None  # type: ignore[assignment]

JOURNAL_SUFFIX = ".journal"
BACKUP_SUFFIX = ".bak"
LOCK_SUFFIX = ".lock"
COMPACT_AFTER = 2000
"""Journal lines after which the next change rewrites the snapshot instead."""

Tables = dict[str, dict[str, Any]]


class AtomicJSONStorage(Storage):
    """JSON storage for TinyDB with atomic, durable writes, a journal and a read cache.

    TinyDB reads the whole store before every operation; the cache answers those reads
    from memory as long as the files on disk are the ones this storage last saw (same
    size, mtime and inode), so another process's writes are still picked up.
    """

    def __init__(self, path: str | os.PathLike[str], **_: Any) -> None:
        self._path = Path(path)
        self._journal = self._path.with_name(self._path.name + JOURNAL_SUFFIX)
        self._backup = self._path.with_name(self._path.name + BACKUP_SUFFIX)
        self._lock = self._path.with_name(self._path.name + LOCK_SUFFIX)
        self._cache: Tables | None = None
        self._seen: tuple[object, object] | None = None
        self._journal_lines = 0
        self._batch_depth = 0
        self._batch_dirty = False

    @property
    def path(self) -> Path:
        """The snapshot file (the journal sits next to it)."""
        return self._path

    @property
    def journal_path(self) -> Path:
        """The journal file."""
        return self._journal

    @property
    def backup_path(self) -> Path:
        """The previous snapshot, kept whenever a new one replaces it."""
        return self._backup

    def changed_on_disk(self) -> bool:
        """Whether the files differ from the ones this storage last read or wrote."""
        return self._cache is None or self._signature() != self._seen

    # --- TinyDB's Storage interface ------------------------------------------------------

    def read(self) -> Tables | None:
        """Return the stored tables, or None for a store that does not exist yet."""
        if self._batch_depth or not self.changed_on_disk():
            return self._cache
        data = self._load()
        self._cache, self._seen = data, self._signature()
        return data

    def write(self, data: Tables) -> None:
        """Replace the stored tables with `data`: a new snapshot, then an empty journal."""
        self._cache = data
        if self._batch_depth:
            self._batch_dirty = True
            return
        try:
            with self._locked():
                # Fold the journal in first (this also checks the current files: damaged
                # ones raise and are left alone). A journal left next to `data` would be
                # replayed over it after a crash and bring back older documents.
                self._compact()
                self._write_snapshot(data)
                self._cache = data
        except BaseException:
            # The files still hold the old state; forget the cache so memory agrees.
            self._cache, self._seen = None, None
            raise

    def close(self) -> None:
        """Fold the journal into the snapshot, so the next start reads one file."""
        # Not only after our own lines: a failed compaction left the cache empty.
        if self._journal.exists():
            with contextlib.suppress(StoreError, OSError), self._locked():
                self._compact()

    # --- the fast path ---------------------------------------------------------------------

    def apply(self, table: str, documents: Mapping[str, dict[str, Any]]) -> None:
        """Store these documents (by document id) durably, appending one journal line.

        Only the changed documents are written, so this costs the same with 20 or
        20,000 records. After a large batch, or when the journal is long, the snapshot
        is rewritten too (the change is durable before that, so a failure there is not
        an error: the next compaction tries again).
        """
        line = json.dumps({"table": table, "documents": documents}, ensure_ascii=False)
        try:
            with self._locked():
                # Under the lock, so another process's lines are either already in the
                # cache or come after ours, never between this read and `_seen` below.
                data = self.read() or {}
                self._append(line.encode("utf-8") + b"\n")
                data.setdefault(table, {}).update(documents)
                self._cache = data
                self._journal_lines += 1
                self._seen = self._signature()
                if len(documents) > COMPACT_AFTER // 4 or self._journal_lines >= COMPACT_AFTER:
                    with contextlib.suppress(StoreError):
                        self._compact()
        except OSError as error:
            self._cache, self._seen = None, None
            raise StoreError(
                f"cannot write the state file {self._journal}: {error.strerror}"
            ) from None
        except BaseException:
            self._cache, self._seen = None, None
            raise

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group several TinyDB operations into one snapshot write (all or nothing)."""
        self.read()
        self._batch_depth += 1
        try:
            yield
        except BaseException:
            self._batch_depth -= 1
            if not self._batch_depth:
                self._cache, self._seen, self._batch_dirty = None, None, False
            raise
        self._batch_depth -= 1
        if not self._batch_depth and self._batch_dirty:
            self._batch_dirty = False
            assert self._cache is not None
            self.write(self._cache)

    # --- files -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the exclusive lock shared by every process using these files.

        Appends take it too (not a shared lock): only the lock holder may look at the
        journal's tail and cut a line a crash left unfinished.
        """
        if fcntl is None:
            yield
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self._lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StoreError(f"cannot lock the state file {self._lock}: {error.strerror}") from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def _compact(self) -> None:
        """Rewrite the snapshot as exactly snapshot + journal, then drop the journal.

        Called with the lock held. The files are re-read rather than the cache trusted,
        so every other process's line is included. Nothing else goes into the new
        snapshot: a crash before the journal is deleted then replays lines the snapshot
        already ends with, which changes nothing.
        """
        self._cache, self._seen = None, None
        data = self._load()
        if data is None or not self._journal.exists():
            self._cache, self._seen = data, self._signature()
            return
        self._write_snapshot(data)
        self._cache = data

    def _signature(self) -> tuple[object, object]:
        return (_stat(self._path), _stat(self._journal))

    def _load(self) -> Tables | None:
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            raw = None
        except OSError as error:
            raise StoreError(f"cannot read the state file {self._path}: {error.strerror}") from None
        data = None
        if raw is not None:
            data, problem = decode_snapshot(raw)
            if problem:
                raise StoreError(damage_message(self._path, problem, self._backup))
        try:
            journal = self._journal.read_bytes()
        except FileNotFoundError:
            journal = b""
        except OSError as error:
            raise StoreError(f"cannot read {self._journal}: {error.strerror}") from None
        changes, problem = decode_journal(journal)
        if problem:
            raise StoreError(damage_message(self._journal, problem, None))
        self._journal_lines = len(changes)
        for table, documents in changes:
            data = data if data is not None else {}
            data.setdefault(table, {}).update(documents)
        return data

    def _append(self, payload: bytes) -> None:
        descriptor = os.open(self._journal, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            # A crash mid-append leaves a line without its newline. It was never
            # acknowledged, and with the lock held no one else is writing it: cut it off,
            # or the new line would be glued to it and lost with it.
            size = os.fstat(descriptor).st_size
            if size and _read_at(descriptor, 1, size - 1) != b"\n":
                tail = _last_newline(descriptor, size)
                os.ftruncate(descriptor, tail)
            os.write(descriptor, payload)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def _write_snapshot(self, data: Tables) -> None:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        folder = self._path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{self._path.name}.", dir=folder)
        except OSError as error:
            raise StoreError(
                f"cannot write the state file {self._path}: {error.strerror}"
            ) from None
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
                stream.flush()
                os.fsync(stream.fileno())
            # Callers have just read the current snapshot and found it good.
            keep_backup(self._path, self._backup)
            os.replace(temporary, self._path)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise StoreError(
                f"cannot write the state file {self._path}: {error.strerror}"
            ) from None
        _fsync_folder(folder)
        # The snapshot now holds every journalled change: the journal can go.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._journal)
        self._journal_lines = 0
        self._seen = self._signature()


def keep_backup(path: Path, backup: Path) -> None:
    """Make `backup` a copy of `path` (if it exists), replacing the old backup atomically.

    A hard link costs nothing and is safe because snapshots are only ever replaced, never
    changed in place; where links are not supported, the file is copied and fsynced.
    """
    if not path.exists():
        return
    temporary = backup.with_name(f".{backup.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)
    try:
        try:
            os.link(path, temporary)
        except OSError:
            shutil.copyfile(path, temporary)
            descriptor = os.open(temporary, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        os.replace(temporary, backup)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def damage_message(path: Path, problem: str, backup: Path | None) -> str:
    """The one line that says a file is damaged, that it was kept, and what to do."""
    what = "state journal" if path.name.endswith(JOURNAL_SUFFIX) else "state file"
    message = f"the {what} {path} is damaged ({problem}); it was left as it is."
    if backup is None:
        return f"{message} Run `reader doctor` to keep its readable changes"
    if backup_is_good(backup):
        return (
            f"{message} A backup from {file_time(backup)} is in {backup}:"
            " run `reader doctor` to restore it"
        )
    return f"{message} There is no usable backup: run `reader doctor` for the options"


def backup_is_good(backup: Path) -> bool:
    """Whether `backup` exists and holds a readable snapshot."""
    try:
        raw = backup.read_bytes()
    except OSError:
        return False
    return decode_snapshot(raw)[1] is None


def file_time(path: Path) -> str:
    """When a file was last written, in local time to the minute (for messages)."""
    return datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")


def decode_snapshot(raw: bytes) -> tuple[Tables | None, str | None]:
    """The tables in a snapshot's bytes, or None and what is wrong with them."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, "not valid JSON"
    if not isinstance(data, dict) or not all(
        isinstance(table, dict) and all(isinstance(doc, dict) for doc in table.values())
        for table in data.values()
    ):
        return None, "unexpected structure"
    return data, None


def decode_journal(raw: bytes) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
    """The changes in a journal's bytes, or what is wrong with them.

    Only the last line may be unfinished (a crash mid-append, never acknowledged): it
    is skipped. Any complete line that cannot be read means the file was damaged.
    """
    lines = raw.split(b"\n")
    # After the last newline: empty, or a line a crash cut short.
    complete = lines[:-1]
    changes: list[tuple[str, dict[str, Any]]] = []
    for number, line in enumerate(complete, start=1):
        change = _decode_line(line)
        if change is None:
            return changes, f"line {number} is unreadable"
        changes.append(change)
    return changes, None


def _last_newline(descriptor: int, size: int) -> int:
    """The offset just after the last newline in the file, or 0 when there is none."""
    chunk = 65536
    end = size
    while end > 0:
        start = max(0, end - chunk)
        block = _read_at(descriptor, end - start, start)
        found = block.rfind(b"\n")
        if found >= 0:
            return start + found + 1
        end = start
    return 0


def _read_at(descriptor: int, count: int, offset: int) -> bytes:
    # Not os.pread, which Windows lacks; with O_APPEND, writes go to the end regardless.
    os.lseek(descriptor, offset, os.SEEK_SET)
    return os.read(descriptor, count)


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def _decode_line(line: bytes) -> tuple[str, dict[str, Any]] | None:
    try:
        change = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(change, dict):
        return None
    table, documents = change.get("table"), change.get("documents")
    if not isinstance(table, str) or not isinstance(documents, dict):
        return None
    if not all(isinstance(document, dict) for document in documents.values()):
        return None
    return table, documents


def _fsync_folder(folder: Path) -> None:
    # Makes the rename durable; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
