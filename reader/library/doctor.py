"""`reader doctor`: check a library's files and repair what can be repaired safely.

Nothing here deletes a user's file or changes one in place: a damaged file is kept under a
name with a timestamp (`state.json.damaged-20250301-101500`), so a repair can always be
undone by hand, and the backup is only ever read.

Every repair survives a crash at any moment. The damaged file is first hard-linked (or
copied and fsynced) to its set-aside name; the replacement is written to a temporary
file, fsynced, and renamed over the damaged one; then the folder is fsynced. So at every
instant the file's name holds either the damaged file or its complete replacement, and
running `reader doctor` again finishes an interrupted repair.

The state files are examined and repaired under the lock every writer takes (see
`storage`), so no process appends to the journal between doctor's read and its replace.
The CLI asks before each repair without holding the lock (the app must not hang while
the user thinks), so each repair reads the files again under the lock and acts on what
it finds then.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from reader.errors import StoreError
from reader.library import recent
from reader.library.catalog import Catalog
from reader.library.connection import is_damage
from reader.library.library import CATALOG_FILE, STATE_FILE
from reader.library.state import TABLE, _from_document
from reader.library.storage import AtomicJSONStorage, decode_line, decode_snapshot, file_time
from reader.ranking.doctor import examine_ranking, rebuild_ranking
from reader.ranking.store import RANKING_FILE
from reader.text import plural

WAIT_NOTICE_AFTER = 1.0
"""Seconds doctor waits for the writers' lock before saying it is waiting."""

_SQLITE_COMPANIONS = ("-wal", "-shm")


def _readable(line: bytes) -> bool:
    """Whether one complete journal line holds a change the app can apply.

    The only place doctor decides this: the journal's format belongs to `storage`.
    """
    return decode_line(line) is not None


@dataclass
class Examination:
    """What `examine` found: one line per finding, and which repairs apply."""

    findings: list[str] = field(default_factory=list)
    state_damaged: bool = False
    """The state file is damaged, or missing next to a good backup."""
    journal_damaged: bool = False
    backup_time: str | None = None
    """When the good backup was written, or None when there is none."""
    catalog_damaged: bool = False
    index_damaged: bool = False
    ranking_stale: bool = False
    """The ranking's vectors need rebuilding (derived data: done without asking)."""
    ranking_unreadable: bool = False
    unchecked: bool = False
    """Something could not be checked now (a full disk): not damage, but not in order."""

    @property
    def healthy(self) -> bool:
        """Whether nothing needs repairing."""
        return not (
            self.state_damaged
            or self.journal_damaged
            or self.catalog_damaged
            or self.index_damaged
            or self.ranking_stale
            or self.unchecked
        )


@dataclass(frozen=True)
class Restored:
    """What `restore_state` did."""

    aside: Path | None
    """Where the damaged state file was kept; None when there was no file."""


@dataclass(frozen=True)
class Salvaged:
    """What `salvage_journal` did."""

    kept: int
    """Readable changes kept, in their order."""
    dropped: int
    """Complete lines that could not be read."""
    unfinished: bool
    """Whether a last line a crash cut short was dropped too."""
    aside: Path
    """Where the damaged journal was kept."""


@dataclass(frozen=True)
class _Journal:
    """A journal's bytes, line by line."""

    readable: list[bytes]
    """The complete lines that can be read, each with its newline, in order."""
    unreadable: list[int]
    """The numbers (from 1) of the complete lines that cannot."""
    unfinished: bool
    """Whether bytes follow the last newline (a crash mid-append)."""


class Doctor:
    """Examines and repairs the files of the library in `folder`.

    `on_wait` is called (from another thread) when the writers' lock is not free within
    `WAIT_NOTICE_AFTER` seconds, so the user learns why nothing happens.
    """

    def __init__(self, folder: Path, on_wait: Callable[[], None] | None = None) -> None:
        self.folder = folder
        self._storage = AtomicJSONStorage(folder / STATE_FILE)
        self.state_path = self._storage.path
        self.journal_path = self._storage.journal_path
        self.backup_path = self._storage.backup_path
        self.catalog_path = folder / CATALOG_FILE
        self._on_wait = on_wait or (lambda: None)

    # --- examining -------------------------------------------------------------------------

    def examine(self) -> Examination:
        """Check the state file, its journal and backup, and the catalog."""
        result = Examination()
        with self._writers_lock():
            self._examine_state(result)
        self._examine_catalog(result)
        return result

    def _examine_state(self, result: Examination) -> None:
        findings = result.findings
        backup_problem = _snapshot_problem(_read_if_any(self.backup_path), self.backup_path)
        if backup_problem is None:
            result.backup_time = file_time(self.backup_path)
        raw = _read_if_any(self.state_path)
        if raw is not None:
            problem = _snapshot_problem(raw, self.state_path)
            if problem:
                result.state_damaged = True
                findings.append(f"state file {self.state_path}: DAMAGED ({problem})")
            else:
                count = _record_count(raw)
                findings.append(f"state file {self.state_path}: ok ({plural(count, 'record')})")
        elif result.backup_time is not None:
            # The state file is never deleted once written, and a backup only exists after
            # one was replaced: it was lost (an interrupted older doctor did this). Starting
            # empty would soon overwrite the backup, the only copy left.
            result.state_damaged = True
            findings.append(f"state file {self.state_path}: MISSING, but a backup exists")
        else:
            findings.append(f"state file {self.state_path}: not created yet")
        raw = _read_if_any(self.journal_path)
        if raw is not None:
            journal = _split_journal(raw)
            changes = plural(len(journal.readable), "readable change")
            if journal.unreadable:
                result.journal_damaged = True
                findings.append(
                    f"journal {self.journal_path}: DAMAGED ({_which_lines(journal.unreadable)});"
                    f" {changes}"
                )
            else:
                pending = plural(len(journal.readable), "pending change")
                findings.append(f"journal {self.journal_path}: ok ({pending})")
        if backup_problem is None:
            findings.append(f"backup {self.backup_path}: ok, from {result.backup_time}")
        elif self.backup_path.exists():
            findings.append(f"backup {self.backup_path}: DAMAGED, not usable ({backup_problem})")
        else:
            findings.append(f"backup {self.backup_path}: none yet")

    def _examine_catalog(self, result: Examination) -> None:
        findings = result.findings
        if not self.catalog_path.exists():
            findings.append(f"catalog {self.catalog_path}: not created yet")
            return
        try:
            with contextlib.closing(sqlite3.connect(self.catalog_path)) as db:
                rows = db.execute("PRAGMA integrity_check").fetchall()
                problems = [str(row[0]) for row in rows if row[0] != "ok"]
                if problems:
                    raise sqlite3.DatabaseError(problems[0])
                count = db.execute("SELECT count(*) FROM papers").fetchone()[0]
                findings.append(f"catalog {self.catalog_path}: ok ({plural(count, 'paper')})")
                try:
                    # rank 1: also compare the index with the papers table it indexes.
                    db.execute(
                        "INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)"
                    )
                    findings.append("full-text index: ok")
                except sqlite3.DatabaseError as error:
                    result.index_damaged = True
                    findings.append(f"full-text index: DAMAGED ({error})")
                self._examine_recent(db, result)
        except sqlite3.DatabaseError as error:
            if not is_damage(error):
                # A full disk (no room for the read's shared-memory file), a lock: the
                # catalog may be sound; offering to start an empty one would be wrong.
                result.unchecked = True
                findings.append(
                    f"catalog {self.catalog_path}: could not be checked ({error}); run"
                    " `reader doctor` again once there is room on the disk"
                )
                return
            result.catalog_damaged = True
            findings.append(f"catalog {self.catalog_path}: DAMAGED ({error})")
            return
        ranking = examine_ranking(self.folder, self.catalog_path)
        findings.append(ranking.line)
        result.ranking_stale, result.ranking_unreadable = ranking.repair, ranking.unreadable
        result.unchecked = result.unchecked or ranking.unchecked

    @staticmethod
    def _examine_recent(db: sqlite3.Connection, result: Examination) -> None:
        """The newest papers' index (see `recent`): derived, rebuilt with the other."""
        if recent.cutoff(db) is None:
            result.findings.append(
                "recent papers' index: not made yet (opening the library makes it)"
            )
            return
        problem = recent.problem(db)
        if problem is None:
            result.findings.append("recent papers' index: ok")
        else:
            result.index_damaged = True
            result.findings.append(f"recent papers' index: DAMAGED ({problem})")

    # --- repairing -------------------------------------------------------------------------

    def restore_state(self) -> Restored | None:
        """Put a copy of the backup in place of the damaged (or missing) state file.

        Returns None, doing nothing, when the state file is sound by now (another doctor
        repaired it). The journal stays: its changes came after the damaged snapshot, so
        they belong on top of the older backup too.
        """
        with self._writers_lock():
            raw = _read_if_any(self.state_path)
            if raw is not None and _snapshot_problem(raw, self.state_path) is None:
                return None
            backup = _read_if_any(self.backup_path)
            if backup is None or _snapshot_problem(backup, self.backup_path) is not None:
                raise StoreError(f"there is no usable backup in {self.backup_path}")
            with _repairing(self.state_path):
                aside = self._keep_aside(self.state_path) if raw is not None else None
                _pause()
                # The bytes just checked, not a link: the backup must stay as it is whatever
                # later happens to the state file.
                _replace_with(self.state_path, backup)
        return Restored(aside)

    def salvage_journal(self) -> Salvaged | None:
        """Keep every readable change of the journal, in order, dropping the others.

        The damaged journal is kept aside whole. Returns None, doing nothing, when the
        journal has no unreadable line by now.
        """
        with self._writers_lock():
            raw = _read_if_any(self.journal_path)
            if raw is None:
                return None
            journal = _split_journal(raw)
            if not journal.unreadable:
                return None
            with _repairing(self.journal_path):
                aside = self._keep_aside(self.journal_path)
                _pause()
                # Byte for byte: the lines are the app's own, only the bad ones left out.
                _replace_with(self.journal_path, b"".join(journal.readable))
        return Salvaged(len(journal.readable), len(journal.unreadable), journal.unfinished, aside)

    def rebuild_index(self) -> None:
        """Rebuild the full-text indexes from the papers table (nothing is lost)."""
        try:
            with contextlib.closing(sqlite3.connect(self.catalog_path)) as db:
                db.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
                if recent.cutoff(db) is not None:
                    recent.rebuild(db)
                db.commit()
        except sqlite3.DatabaseError as error:
            raise StoreError(
                f"cannot rebuild the full-text index of {self.catalog_path} ({error}):"
                " run `reader doctor --rebuild-catalog` to start an empty catalog"
            ) from None

    def rebuild_ranking(self, unreadable: bool) -> Path | None:
        """Bring the ranking's vectors in step with the catalog (nothing is lost: they are
        derived from it). An unreadable file is kept aside first; returns where."""
        aside = None
        path = self.folder / RANKING_FILE
        if unreadable and path.exists():
            aside = self._keep_aside(path, _SQLITE_COMPANIONS)
            for companion in _with_companions(path):
                with contextlib.suppress(FileNotFoundError):
                    companion.unlink()
        rebuild_ranking(self.folder, self.catalog_path)
        return aside

    def rebuild_catalog(self) -> Path:
        """Keep the catalog aside and put an empty one in its place; returns the kept one.

        The user's state lives in another file and is untouched; it applies again to
        papers as they are re-imported.
        """
        catalog = self.catalog_path
        temporary = catalog.with_name(f".{catalog.name}.doctor")
        # Under the writers' lock too, so two doctors never rebuild at once.
        with self._writers_lock(), _repairing(catalog):
            aside = self._keep_aside(catalog, _SQLITE_COMPANIONS)
            _pause()
            for leftover in _with_companions(temporary):  # of an interrupted rebuild
                leftover.unlink(missing_ok=True)
            Catalog(temporary).close()
            if any(path.exists() for path in _with_companions(temporary)[1:]):
                # Closing checkpoints the WAL into the file; without that, renaming the
                # file alone would lose the new schema.
                raise StoreError(f"cannot finish the new catalog {temporary}")
            _fsync_file(temporary)
            _pause()
            # SQLite applies a -wal it finds next to a database, so the old one must go
            # before the new file arrives, never after (a crash in between would pair them).
            # Until the rename the damaged catalog stays in place; its WAL is in the aside.
            for companion in _with_companions(catalog)[1:]:
                companion.unlink(missing_ok=True)
                _pause()
            _fsync_folder(catalog.parent)
            os.replace(temporary, catalog)
            _fsync_folder(catalog.parent)
        return aside

    # --- helpers ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _writers_lock(self) -> Iterator[None]:
        """Hold the lock every writer of the state takes; say so when it is slow to come."""
        if not self.folder.is_dir():
            # No library yet: nothing to protect, and taking the lock would create the folder.
            yield
            return
        notice = threading.Timer(WAIT_NOTICE_AFTER, self._on_wait)
        notice.daemon = True
        notice.start()
        try:
            with self._storage.locked():
                notice.cancel()
                yield
        finally:
            notice.cancel()

    def _keep_aside(self, path: Path, companions: Sequence[str] = ()) -> Path:
        """Link (or copy) `path` and its existing companion files to a free
        `.damaged-STAMP` name, leaving them in place; returns the name `path` got."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        number = 1
        while True:
            suffix = "" if number == 1 else f"-{number}"
            aside = path.with_name(f"{path.name}.damaged-{stamp}{suffix}")
            names = [aside, *(aside.with_name(aside.name + end) for end in companions)]
            if not any(name.exists() for name in names):
                break
            number += 1
        _link_or_copy(path, aside)
        for end in companions:
            companion = path.with_name(path.name + end)
            if companion.exists():
                _link_or_copy(companion, aside.with_name(aside.name + end))
        _fsync_folder(path.parent)
        return aside


def _snapshot_problem(raw: bytes | None, path: Path) -> str | None:
    """What is wrong with a snapshot's bytes (one short line), or None when it loads."""
    if raw is None:
        return "missing"
    try:
        data, problem = decode_snapshot(raw)
    except RecursionError:
        return "nested too deeply"
    if problem is not None or data is None:
        return problem or "empty"
    # The ids, keys and tags were checked by `decode_snapshot`, as the app checks them.
    records = data.get(TABLE, {})
    for doc_id, document in records.items():
        try:
            # The very check the app makes when it builds a record's state.
            _from_document(document, path)
        except (StoreError, RecursionError):
            return f"record {doc_id[:20]} cannot be read"
    return None


def _record_count(raw: bytes) -> int:
    data, _ = decode_snapshot(raw)
    return len((data or {}).get(TABLE, {}))


def _split_journal(raw: bytes) -> _Journal:
    lines = raw.split(b"\n")
    # After the last newline: nothing, or a line a crash cut short (never acknowledged).
    complete, tail = lines[:-1], lines[-1]
    readable: list[bytes] = []
    unreadable: list[int] = []
    for number, line in enumerate(complete, start=1):
        if _readable(line):
            readable.append(line + b"\n")
        else:
            unreadable.append(number)
    return _Journal(readable, unreadable, unfinished=bool(tail))


def _which_lines(numbers: Sequence[int]) -> str:
    """`line 3 is unreadable`, `lines 2 and 4 are unreadable`, ... in one short line."""
    if len(numbers) == 1:
        return f"line {numbers[0]} is unreadable"
    if len(numbers) <= 5:
        listed = ", ".join(str(number) for number in numbers[:-1])
        return f"lines {listed} and {numbers[-1]} are unreadable"
    return f"{len(numbers):,} lines are unreadable, the first is line {numbers[0]}"


@contextlib.contextmanager
def _repairing(path: Path) -> Iterator[None]:
    """Turn a failing file operation into one line for the user."""
    try:
        yield
    except OSError as error:
        raise StoreError(f"cannot repair {path}: {error.strerror or error}") from None


def _link_or_copy(source: Path, target: Path) -> None:
    """Give `source` the second name `target` (a new file: an existing one is an error)."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        # No hard links here (some network and FAT file systems): a durable copy.
        with open(source, "rb") as reader, open(target, "xb") as writer:
            while chunk := reader.read(1 << 20):
                writer.write(chunk)
            writer.flush()
            os.fsync(writer.fileno())


def _replace_with(path: Path, content: bytes) -> None:
    """Put `content` in `path` whole: a temporary file, fsynced, renamed over `path`."""
    temporary = path.with_name(f".{path.name}.doctor")
    with open(temporary, "wb") as stream:
        stream.write(content)
        stream.flush()
        os.fsync(stream.fileno())
    _pause()
    os.replace(temporary, path)
    _fsync_folder(path.parent)


def _with_companions(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + end) for end in _SQLITE_COMPANIONS)]


def _pause() -> None:
    """Sleep between the steps of a repair when a test asks to.

    A repair takes well under a millisecond, so a test that kills doctor at random moments
    (tests/unit/test_doctor_crash.py) would almost never catch one midway. The test sets
    READER_TEST_DOCTOR_PAUSE (seconds); nothing else does.
    """
    value = os.environ.get("READER_TEST_DOCTOR_PAUSE")
    if value:
        with contextlib.suppress(ValueError, OverflowError):
            time.sleep(float(value))


def _read_if_any(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror}") from None


def _fsync_file(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_folder(folder: Path) -> None:
    # Makes renames and links durable; not possible (nor needed) on Windows.
    if os.name == "posix":
        _fsync_file(folder)
