"""A TinyDB storage that never leaves a half-written file and makes small changes cheap.

TinyDB's default `JSONStorage` truncates its file and writes in place, so a crash or a
full disk mid-write leaves a broken file; and it rewrites the whole file on every change
(about 40 ms with 20,000 records). This storage has two files:

- the snapshot, `state.json`: plain TinyDB JSON, only ever replaced whole: written to a
  temporary file, fsynced and renamed over the old one (atomic on POSIX and Windows),
  then the folder fsynced so the rename itself survives a power cut;
- the journal, `state.json.journal`: one JSON line per change, appended and fsynced. A
  change is durable once its line is on disk, which takes a millisecond or two however
  large the store is.

A journal line changes fields, not whole documents: `{"table": T, "patch": {ID: FIELDS}}`
merges FIELDS into each document (creating it when missing), and
`{"table": T, "bulk": {"fields": FIELDS, "ids": {ID: KEY}}}` is the compact form of the
same FIELDS applied to many documents (a bulk "mark read" of 100,000 papers is one line).
Lines of the first version, `{"table": T, "documents": {ID: DOCUMENT}}`, replace whole
documents and are still read.

Reading applies the journal to the snapshot. A line cut short by a crash was never
acknowledged and is ignored. When the journal grows long, or on close, the snapshot is
rewritten as exactly the old snapshot plus the journal, and the journal deleted
("compaction"); the owner may tidy each table on the way (`compact`: the state store
drops blank records). Replaying a
journal over a snapshot that ends with its changes changes nothing, so a crash between
those two steps loses nothing.

Before a snapshot is replaced, the previous one (which was just read and found good) is
kept as `state.json.bak`; a damaged snapshot is never overwritten, and `reader doctor`
restores the backup.

Several processes may share the files. Every change and every compaction holds an
exclusive `flock` on `state.json.lock` (POSIX; elsewhere no lock is taken) and re-reads
the files first when another process changed them. `update` computes its change from
the documents as they are on disk at that moment, under the lock: a process never writes
back a stale copy of fields it did not change.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from itertools import repeat
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
COMPACT_BYTES = 8 << 20
"""A journal larger than this (8 MB) is folded into the snapshot at the next change.

A bulk change is one compact line (the fields once, then the ids), so marking 100,000
papers read writes about 3 MB and returns at once; folding 100,000 records into the
snapshot is left for later, or for closing."""

Document = dict[str, Any]
Tables = dict[str, dict[str, Document]]
Line = dict[str, Any]
"""One journal line, decoded: {"table": ..., and one of "patch", "bulk", "documents"}."""


class AtomicJSONStorage(Storage):
    """JSON storage for TinyDB with atomic, durable writes, a field journal and a cache.

    TinyDB reads the whole store before every operation; the cache answers those reads
    from memory as long as the files on disk are the ones this storage last saw (same
    size, mtime and inode), so another process's writes are still picked up.

    A symlinked snapshot is followed: the files live next to the link's target, which is
    replaced (never the link itself).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        compact: Callable[[dict[str, Document]], dict[str, Document]] | None = None,
        **_: Any,
    ) -> None:
        given = Path(path)
        # Replacing a symlink with a regular file would silently detach it from its
        # target: every file of the store lives next to the target instead.
        self._path = Path(os.path.realpath(given)) if given.is_symlink() else given
        self._journal = self._path.with_name(self._path.name + JOURNAL_SUFFIX)
        self._backup = self._path.with_name(self._path.name + BACKUP_SUFFIX)
        self._lock = self._path.with_name(self._path.name + LOCK_SUFFIX)
        self._compact_table = compact
        self._cache: Tables | None = None
        self._seen: tuple[object, object] | None = None
        self._journal_lines = 0
        self._lock_depth = 0
        # The app reads (a poll, in a worker) while it writes (a key, on the UI thread).
        self._threads = threading.RLock()
        self.loads = 0
        """Counts the times the files were (re)read from disk, so owners can tell."""

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
        # Never read, or forgotten (`_seen` is None); a store without files yet has the
        # signature (None, None) and is unchanged while it stays without them.
        return self._seen is None or self._signature() != self._seen

    # --- TinyDB's Storage interface ------------------------------------------------------

    def read(self) -> Tables | None:
        """Return the stored tables, or None for a store that does not exist yet."""
        with self._threads:
            if not self.changed_on_disk():
                return self._cache
            data = self._load()
            self._cache, self._seen = data, self._signature()
            self.loads += 1
            return data

    def write(self, data: Tables) -> None:
        """Replace the stored tables with `data`: a new snapshot, then an empty journal."""
        try:
            with self.locked():
                # Fold the journal in first (this also checks the current files: damaged
                # ones raise and are left alone). A journal left next to `data` would be
                # replayed over it after a crash and bring back older documents.
                self._compact()
                self._write_snapshot(data)
                self._cache = data
        except BaseException:
            # The files still hold the old state; forget the cache so memory agrees.
            self._forget()
            raise

    def close(self) -> None:
        """Fold the journal into the snapshot, so the next start reads one file."""
        # Not only after our own lines: a failed compaction left the cache empty.
        if self._journal.exists():
            with contextlib.suppress(StoreError, OSError), self.locked():
                self._compact()

    # --- the fast path ---------------------------------------------------------------------

    def update(self, table: str, plan: Callable[[Mapping[str, Document]], Line | None]) -> bool:
        """Change documents durably, computing the change from the files as they are now.

        `plan` gets the table's documents as on disk (read-only; re-read under the lock
        when another process changed them) and returns one journal line (a "patch" or
        "bulk" change, see the module docstring) or None for no change. The line is
        appended and fsynced before this returns; it costs the same with 20 or 20,000
        documents. Returns whether a line was written.
        """
        try:
            with self.locked():
                data = self.read() or {}
                line = plan(data.get(table, {}))
                if line is None:
                    return False
                line = {"table": table, **line}
                self._append(_encode(line) + b"\n")
                # Only now is the change on disk: the memory view follows it.
                apply_line(data, line)
                self._cache = data
                self._journal_lines += 1
                self._seen = self._signature()
                if self._journal_lines >= COMPACT_AFTER or _size(self._journal) > COMPACT_BYTES:
                    # The change is durable already: a failure here is not an error, the
                    # next compaction tries again.
                    with contextlib.suppress(StoreError):
                        self._compact()
                return True
        except OSError as error:
            self._forget()
            raise StoreError(
                f"cannot write the state file {self._journal}: {_reason(error)}"
            ) from None
        except BaseException:
            self._forget()
            raise

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the exclusive lock shared by every process using these files (re-entrant).

        Appends take it too (not a shared lock): only the lock holder may look at the
        journal's tail and cut a line a crash left unfinished.
        """
        with self._threads:
            if fcntl is None or self._lock_depth:
                self._lock_depth += 1
                try:
                    yield
                finally:
                    self._lock_depth -= 1
                return
            with self._file_lock():
                yield

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        """The `flock` itself (with this process's threads already serialized)."""
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self._lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StoreError(f"cannot lock the state file {self._lock}: {_reason(error)}") from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            self._lock_depth = 1
            yield
        finally:
            self._lock_depth = 0
            os.close(descriptor)  # closing releases the lock

    def remove_leftovers(self) -> list[Path]:
        """Delete temporary files that a killed compaction left behind; returns them.

        Safe only with the lock held: a running compaction holds it for as long as its
        temporary file exists.
        """
        removed: list[Path] = []
        with self.locked():
            for pattern in (f".{self._path.name}.*", f".{self._backup.name}.*.tmp"):
                for leftover in self._path.parent.glob(pattern):
                    with contextlib.suppress(OSError):
                        leftover.unlink()
                        removed.append(leftover)
        return removed

    # --- files -----------------------------------------------------------------------------

    def _forget(self) -> None:
        self._cache, self._seen = None, None

    def _compact(self) -> None:
        """Rewrite the snapshot as exactly snapshot + journal, then drop the journal.

        Called with the lock held. The files are re-read rather than the cache trusted,
        so every other process's line is included. Nothing else goes into the new
        snapshot but what the owner's `compact` tidies: a crash before the journal is
        deleted then replays lines the snapshot already ends with, which changes nothing.
        """
        self._forget()
        # Not counted in `loads`: callers have just read the files under the same lock,
        # so this read brings nothing new to them.
        data = self._load()
        if data is None or not self._journal.exists():
            self._cache, self._seen = data, self._signature()
            return
        if self._compact_table is not None:
            data = {name: self._compact_table(documents) for name, documents in data.items()}
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
            raise StoreError(f"cannot read the state file {self._path}: {_reason(error)}") from None
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
            raise StoreError(f"cannot read {self._journal}: {_reason(error)}") from None
        lines, problem = decode_journal(journal)
        if problem:
            raise StoreError(damage_message(self._journal, problem, None))
        self._journal_lines = len(lines)
        for line in lines:
            data = data if data is not None else {}
            apply_line(data, line)
        # The snapshot's documents were checked as it was decoded: again only if changed.
        if lines and data is not None and (problem := check_documents(data)):
            raise StoreError(damage_message(self._journal, problem, None))
        return data

    def _append(self, payload: bytes) -> None:
        descriptor = os.open(self._journal, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            # A crash mid-append leaves a line without its newline. It was never
            # acknowledged, and with the lock held no one else is writing it: cut it off,
            # or the new line would be glued to it and lost with it.
            size = os.fstat(descriptor).st_size
            if size and _read_at(descriptor, 1, size - 1) != b"\n":
                size = _last_newline(descriptor, size)
                os.ftruncate(descriptor, size)
            try:
                write_all(descriptor, payload)
                os.fsync(descriptor)
            except OSError:
                # A full disk may take part of the line: take it back, so the journal
                # ends on a whole line and the change is reported as not saved.
                with contextlib.suppress(OSError):
                    os.ftruncate(descriptor, size)
                    os.fsync(descriptor)
                raise
        finally:
            os.close(descriptor)

    def _write_snapshot(self, data: Tables) -> None:
        payload = _encode(data)
        folder = self._path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{self._path.name}.", dir=folder)
        except OSError as error:
            raise StoreError(
                f"cannot write the state file {self._path}: {_reason(error)}"
            ) from None
        try:
            try:
                write_all(handle, payload)
                os.fsync(handle)
            finally:
                os.close(handle)
            # Callers have just read the current snapshot and found it good.
            keep_backup(self._path, self._backup)
            os.replace(temporary, self._path)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise StoreError(
                f"cannot write the state file {self._path}: {_reason(error)}"
            ) from None
        _fsync_folder(folder)
        # The snapshot now holds every journalled change: the journal can go.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._journal)
        self._journal_lines = 0
        self._seen = self._signature()


def write_all(descriptor: int, payload: bytes) -> None:
    """Write every byte of `payload`: `os.write` may write only part of it (a full disk).

    Raises OSError (ENOSPC when nothing more can be written) rather than stop short.
    """
    view = memoryview(payload)
    while view:
        written = os.write(descriptor, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def apply_line(data: Tables, line: Line) -> None:
    """Apply one decoded journal line to the tables, in place."""
    documents = data.setdefault(line["table"], {})
    if "patch" in line:
        for doc_id, fields in line["patch"].items():
            documents.setdefault(doc_id, {}).update(fields)
    elif "bulk" in line:
        fields, ids = line["bulk"]["fields"], line["bulk"]["ids"]
        # 100,000 papers in one line: the documents that exist are updated in C-level
        # loops (`map`), the others made whole at once.
        existing = [doc_id for doc_id in ids if doc_id in documents]
        if existing:
            changed = list(map(documents.__getitem__, existing))
            deque(map(dict.update, changed, repeat(fields)), maxlen=0)
            keys = map(ids.__getitem__, existing)
            deque(map(dict.__setitem__, changed, repeat("key"), keys), maxlen=0)
        if len(existing) < len(ids):
            documents.update(
                {
                    doc_id: {**fields, "key": key}
                    for doc_id, key in ids.items()
                    if doc_id not in documents
                }
            )
    else:
        # The first version's lines: whole documents.
        documents.update(line["documents"])


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
    data = _json(raw)
    if data is _TOO_DEEP:
        return None, "nested too deeply"
    if data is _UNREADABLE:
        return None, "not valid JSON"
    if not isinstance(data, dict) or not all(isinstance(table, dict) for table in data.values()):
        return None, "unexpected structure"
    for table in data.values():
        for doc_id, document in table.items():
            if not _is_id(doc_id):
                if doc_id.isascii() and doc_id.isdigit():
                    return None, f"record id {doc_id[:20]}... has too many digits"
                return None, f"record id {doc_id[:20]!r} is not a whole number"
            if not isinstance(document, dict):
                return None, f"record {doc_id} is not an object"
    if problem := check_documents(data):
        return None, problem
    return data, None


def check_documents(data: Tables) -> str | None:
    """What is wrong with the documents once every change is applied, or None.

    Every document must name its paper (a record without a key cannot be shown or kept),
    and its tags, if any, must be a list: what this storage writes, and what the state
    store reads.
    """
    for documents in data.values():
        for doc_id, document in documents.items():
            if problem := _document_problem(document):
                return f"record {doc_id[:20]} {problem}"
    return None


def decode_journal(raw: bytes) -> tuple[list[Line], str | None]:
    """The changes in a journal's bytes, or what is wrong with them.

    Only the last line may be unfinished (a crash mid-append, never acknowledged): it
    is skipped. Any complete line that cannot be read means the file was damaged.
    """
    lines = raw.split(b"\n")
    # After the last newline: empty, or a line a crash cut short.
    complete = lines[:-1]
    changes: list[Line] = []
    for number, line in enumerate(complete, start=1):
        change = decode_line(line)
        if change is None:
            return changes, f"line {number} is unreadable"
        changes.append(change)
    return changes, None


def decode_line(line: bytes) -> Line | None:
    """One journal line, checked for every shape this storage writes; None if unreadable."""
    change = _json(line)
    if not isinstance(change, dict) or not isinstance(change.get("table"), str):
        return None
    if "patch" in change:
        patch = change["patch"]
        if isinstance(patch, dict) and all(_is_keyed_document(i, d) for i, d in patch.items()):
            return change
        return None
    if "bulk" in change:
        bulk = change["bulk"]
        if not isinstance(bulk, dict):
            return None
        fields, ids = bulk.get("fields"), bulk.get("ids")
        if not isinstance(fields, dict) or not isinstance(ids, dict) or _bad_tags(fields):
            return None
        if all(_is_id(doc_id) and isinstance(key, str) and key for doc_id, key in ids.items()):
            return change
        return None
    documents = change.get("documents")
    if isinstance(documents, dict) and all(_is_keyed_document(i, d) for i, d in documents.items()):
        return change
    return None


_UNREADABLE = object()
_TOO_DEEP = object()


def _encode(value: object) -> bytes:
    """Compact JSON in ASCII: any text, even a lone surrogate, reads back exactly."""
    return json.dumps(value, separators=(",", ":")).encode("ascii")


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _UNREADABLE
    except RecursionError:
        # JSON nested thousands of levels deep: damage too, not a crash.
        return _TOO_DEEP


def _is_id(doc_id: object) -> bool:
    # TinyDB turns document ids into integers: anything else cannot be loaded (and
    # Python refuses to convert numbers of thousands of digits).
    return isinstance(doc_id, str) and doc_id.isascii() and doc_id.isdigit() and len(doc_id) < 20


def _is_document(doc_id: object, document: object) -> bool:
    return _is_id(doc_id) and isinstance(document, dict)


def _is_keyed_document(doc_id: object, document: object) -> bool:
    # Every document a journal line carries names its paper (patches included).
    return _is_document(doc_id, document) and _document_problem(document) is None  # type: ignore[arg-type]


def _document_problem(document: Document) -> str | None:
    """What is wrong with one document, or None: see `check_documents`."""
    if not _has_key(document):
        return "has no valid key"
    if _bad_tags(document):
        return "has tags that are not a list"
    return None


def _bad_tags(fields: Document) -> bool:
    tags = fields.get("tags")
    return bool(tags) and not isinstance(tags, list)


def _has_key(document: Document) -> bool:
    return isinstance(document.get("key"), str) and bool(document["key"])


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


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


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def _fsync_folder(folder: Path) -> None:
    # Makes the rename durable; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
