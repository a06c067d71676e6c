"""`reader doctor`: check a library's files and repair what can be repaired safely.

Nothing here deletes a user's file: a damaged one is moved aside with a timestamp in its
name, so a repair can always be undone by hand. The CLI asks before each repair that
replaces data; this module only examines and acts.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from reader.errors import StoreError
from reader.library.catalog import Catalog
from reader.library.library import CATALOG_FILE, STATE_FILE
from reader.library.storage import (
    AtomicJSONStorage,
    backup_is_good,
    decode_journal,
    decode_snapshot,
    file_time,
    keep_backup,
)
from reader.text import plural


@dataclass
class Examination:
    """What `examine` found: one line per finding, and which repairs apply."""

    findings: list[str] = field(default_factory=list)
    state_damaged: bool = False
    journal_damaged: bool = False
    backup_time: str | None = None
    """When the good backup was written, or None when there is none."""
    catalog_damaged: bool = False
    index_damaged: bool = False

    @property
    def healthy(self) -> bool:
        """Whether nothing needs repairing."""
        return not (
            self.state_damaged or self.journal_damaged or self.catalog_damaged or self.index_damaged
        )


class Doctor:
    """Examines and repairs the files of the library in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        storage = AtomicJSONStorage(folder / STATE_FILE)
        self.state_path = storage.path
        self.journal_path = storage.journal_path
        self.backup_path = storage.backup_path
        self.catalog_path = folder / CATALOG_FILE

    # --- examining -------------------------------------------------------------------------

    def examine(self) -> Examination:
        """Check the state file, its journal and backup, and the catalog."""
        result = Examination()
        self._examine_state(result)
        self._examine_catalog(result)
        return result

    def _examine_state(self, result: Examination) -> None:
        findings = result.findings
        if self.state_path.exists():
            data, problem = decode_snapshot(_read(self.state_path))
            if problem:
                result.state_damaged = True
                findings.append(f"state file {self.state_path}: DAMAGED ({problem})")
            else:
                count = len((data or {}).get("state", {}))
                findings.append(f"state file {self.state_path}: ok ({plural(count, 'record')})")
        else:
            findings.append(f"state file {self.state_path}: not created yet")
        if self.journal_path.exists():
            changes, problem = decode_journal(_read(self.journal_path))
            if problem:
                result.journal_damaged = True
                findings.append(
                    f"journal {self.journal_path}: DAMAGED ({problem});"
                    f" {plural(len(changes), 'readable change')} before it"
                )
            else:
                findings.append(
                    f"journal {self.journal_path}: ok ({plural(len(changes), 'pending change')})"
                )
        if backup_is_good(self.backup_path):
            result.backup_time = file_time(self.backup_path)
            findings.append(f"backup {self.backup_path}: ok, from {result.backup_time}")
        elif self.backup_path.exists():
            findings.append(f"backup {self.backup_path}: DAMAGED, not usable")
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
        except sqlite3.DatabaseError as error:
            result.catalog_damaged = True
            findings.append(f"catalog {self.catalog_path}: DAMAGED ({error})")

    # --- repairing -------------------------------------------------------------------------

    def restore_state(self) -> Path:
        """Put the backup in place of the damaged state file; returns where that went.

        The journal stays: its changes came after the damaged snapshot, so they belong on
        top of the older backup too.
        """
        if not backup_is_good(self.backup_path):
            raise StoreError(f"there is no usable backup in {self.backup_path}")
        aside = self._set_aside(self.state_path)
        # A link (or copy) under the state file's name; the backup itself stays as it is.
        keep_backup(self.backup_path, self.state_path)
        return aside

    def salvage_journal(self) -> tuple[int, Path]:
        """Keep the journal's readable changes, setting the damaged file aside.

        Returns how many changes were kept and where the damaged journal went.
        """
        raw = _read(self.journal_path)
        changes, _ = decode_journal(raw)
        # Everything up to the first unreadable line, byte for byte.
        kept = b"".join(line + b"\n" for line in raw.split(b"\n")[: len(changes)])
        aside = self._set_aside(self.journal_path)
        temporary = self.journal_path.with_name(f".{self.journal_path.name}.salvage")
        with open(temporary, "wb") as stream:
            stream.write(kept)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, self.journal_path)
        return len(changes), aside

    def rebuild_index(self) -> None:
        """Rebuild the full-text index from the papers table (nothing is lost)."""
        try:
            with contextlib.closing(sqlite3.connect(self.catalog_path)) as db:
                db.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
                db.commit()
        except sqlite3.DatabaseError as error:
            raise StoreError(
                f"cannot rebuild the full-text index of {self.catalog_path} ({error}):"
                " run `reader doctor --rebuild-catalog` to start an empty catalog"
            ) from None

    def rebuild_catalog(self) -> Path:
        """Set the catalog aside and create an empty one; returns where the old one went.

        The user's state lives in another file and is untouched; it applies again to
        papers as they are re-imported.
        """
        aside = self._set_aside(self.catalog_path)
        # SQLite's companion files belong to the old catalog, not the new one.
        for suffix in ("-wal", "-shm"):
            companion = self.catalog_path.with_name(self.catalog_path.name + suffix)
            if companion.exists():
                os.replace(companion, aside.with_name(aside.name + suffix))
        Catalog(self.catalog_path).close()
        return aside

    def _set_aside(self, path: Path) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = path.with_name(f"{path.name}.damaged-{stamp}")
        number = 1
        while aside.exists():
            number += 1
            aside = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
        os.replace(path, aside)
        return aside


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror}") from None
