"""One sync of a library with a shared folder: send this device's changes, merge everyone's.

1. Under the state's lock, the fields changed here since the last sync are read and
   stamped (`clock.tick`: never below a stamp this device has seen).
2. They are written to this device's folder as a new file, with the papers added to the
   catalog since; a folder that is full or read-only stops the sync here with one line,
   and nothing is lost: the changes are sent by the next sync.
3. Every device's files not read yet are merged (`merge.Knowledge`), papers imported.
4. Under the state's lock again, each field takes the winning value, unless it changed
   here during the sync (that change is sent next time, and wins: its stamp is higher).

Two syncs of one library never run at once (`sync.lock`); the app's writes wait only for
steps 1 and 4.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from reader.errors import ReaderError
from reader.fileio import file_lock
from reader.model import STATE_DEFAULTS, STATE_FIELDS, Entry, PaperState
from reader.sync import log
from reader.sync.clock import iso_to_ms as _ms
from reader.sync.clock import ms_to_iso, tick
from reader.sync.merge import FieldChange, Knowledge
from reader.sync.record import LOCK_FILE, DeviceSeen, SyncRecord, load_record, save_record

if TYPE_CHECKING:
    from reader.library import Library

SNAPSHOT_AFTER = 32
"""Once a device has this many changes files, it writes one snapshot and deletes them."""


def wall_ms() -> int:
    """This machine's clock, in milliseconds since 1970."""
    return time.time_ns() // 1_000_000


@dataclass(slots=True)
class SyncReport:
    """What one sync did."""

    device: str
    sent: int = 0
    """Field changes sent."""
    papers_sent: int = 0
    received: int = 0
    """Papers whose state changed here."""
    papers_received: int = 0
    devices: list[str] = field(default_factory=list)
    """The other devices found in the shared folder."""
    removed: list[str] = field(default_factory=list)
    """Devices seen before whose folder is gone."""
    conflicts: list[str] = field(default_factory=list)
    """Papers whose note has conflict copies."""
    incomplete: list[str] = field(default_factory=list)
    """Files still arriving (cut short): "device/name"."""


def check_folder(shared: Path) -> Path:
    """The shared folder, checked to exist (it is never created: an unmounted drive's
    mount point must not fill up with a second, local copy)."""
    shared = shared.expanduser()
    if not shared.is_dir():
        raise ReaderError(
            f"the sync folder {shared} does not exist (create it, or mount its drive)"
        )
    return shared


def sync(
    library: Library,
    shared: Path,
    *,
    now: Callable[[], int] = wall_ms,
    name: str | None = None,
) -> SyncReport:
    """Sync `library` with the shared folder `shared` (see the module docstring)."""
    shared = check_folder(shared)
    with file_lock(library.folder / LOCK_FILE):
        record = load_record(library.folder)
        run = _Sync(library, shared, record, now, name or socket.gethostname())
        return run.run()


class _Sync:
    def __init__(
        self, library: Library, shared: Path, record: SyncRecord, now: Callable[[], int], name: str
    ) -> None:
        self.library, self.shared, self.record = library, shared, record
        self.knowledge: Knowledge = record.knowledge
        self.now, self.name = now, name
        self.mine = shared / record.device
        self.report = SyncReport(record.device)

    def run(self) -> SyncReport:
        state = self.library.state
        with state.locked():
            self.library.refresh()
            before = dict(self.library.state.all())
            outgoing = local_changes(self.record, before)
        papers, top = self.library.catalog.papers_after(self.record.papers_rowid)
        self._send(outgoing, [Entry(paper) for paper in papers])
        self.knowledge.add_all(outgoing)
        self.record.papers_rowid = top
        self.report.sent, self.report.papers_sent = len(outgoing), len(papers)
        gone = self._receive()
        with state.locked():
            self._merge(before)
        # Papers that came in are not sent back.
        self.record.papers_rowid = self.library.catalog.papers_after(1 << 62)[1]
        if gone or len(self._own_logs()) >= SNAPSHOT_AFTER:
            self._snapshot()
        self.record.folder = str(self.shared)
        self.record.last_sync = ms_to_iso(self.now())
        save_record(self.library.folder, self.record)
        self.report.conflicts = self.knowledge.conflict_keys()
        return self.report

    def _send(self, outgoing: list[FieldChange], papers: list[Entry]) -> None:
        try:
            self.mine.mkdir(exist_ok=True)
        except OSError as error:
            raise ReaderError(
                f"cannot write to the sync folder {self.shared}: {error.strerror};"
                " nothing was lost, sync again once it is writable"
            ) from None
        stamp = self.knowledge.clock
        try:
            if outgoing and stamp is not None:
                data = log.encode_log(self.record.device, "changes", outgoing)
                log.write_file(self.mine, log.file_name("changes", stamp), data)
            if papers:
                at = stamp or tick(None, self.now(), self.record.device)
                log.write_file(self.mine, log.file_name("papers", at), log.encode_papers(papers))
            synced = ms_to_iso(self.now())
            device = {"device": self.record.device, "name": self.name, "synced": synced}
            log.write_file(self.mine, log.DEVICE_FILE, _json(device))
        except ReaderError as error:
            raise ReaderError(
                f"{error}; nothing was lost, sync again once it is writable"
            ) from None

    def _receive(self) -> list[str]:
        """Merge every file not read yet; returns the devices whose folder just vanished."""
        folders = log.device_folders(self.shared)
        seen_at = ms_to_iso(self.now())
        for device, path in sorted(folders.items()):
            if device != self.record.device:
                info = log.read_device(path)
                self.record.devices[device] = DeviceSeen(
                    str(info.get("name") or ""), str(info.get("synced") or ""), seen_at
                )
                self.report.devices.append(device)
            for name, signature in sorted(log.log_files(path).items()):
                self._read(device, path, name, signature)
        gone: list[str] = []
        for device, seen in self.record.devices.items():
            if device in folders:
                continue
            self.report.removed.append(device)
            if not seen.gone:
                gone.append(device)
                seen.gone = True
        # A file that vanished (a snapshot replaced it) is forgotten.
        present = {f"{d}/{n}" for d, p in folders.items() for n in log.log_files(p)}
        self.record.files = {k: v for k, v in self.record.files.items() if k in present}
        return gone

    def _read(self, device: str, path: Path, name: str, signature: str) -> None:
        ident = f"{device}/{name}"
        if self.record.files.get(ident) == signature:
            return
        data = log.read_bytes(path / name)
        if data is None:
            return
        if log.kind_of(name) == "papers":
            items = log.read_papers(data) if device != self.record.device else []
            if items:
                self.library.import_papers(items)
                self.report.papers_received += len(items)
            if not data.endswith(b"\n") and data:
                self.report.incomplete.append(ident)
        else:
            read = log.read_log(data)
            self.knowledge.add_all(read.changes)
            for key, stamps in read.settled.items():
                self.knowledge.settle(key, stamps)
            if not read.complete:
                self.report.incomplete.append(ident)
        self.record.files[ident] = signature

    def _merge(self, before: Mapping[str, PaperState]) -> None:
        """Give each field whose winner changed its value, unless it changed here during
        the sync."""
        self.library.refresh()
        current = dict(self.library.state.all())
        winners = self.knowledge.winners
        slots = set(self.knowledge.moved)

        def moved(key: str, name: str) -> bool:
            old = before.get(key) or PaperState(key=key)
            new = current.get(key) or PaperState(key=key)
            return _field(old, name) != _field(new, name)

        # Changed here during the sync: kept, and sent next time (its stamp will win).
        changed_here = {(key, name) for key, name in slots if moved(key, name)}
        slots -= changed_here

        def plan(state: PaperState) -> dict[str, tuple[object, str]]:
            fields: dict[str, tuple[object, str]] = {}
            for name in STATE_FIELDS:
                winner = winners.get((state.key, name))
                if winner is None or (state.key, name) not in slots:
                    continue
                if getattr(state, name) != winner.value:
                    fields[name] = (winner.value, winner.stamp.iso)
            return fields

        keys = sorted({key for key, _ in slots})
        self.report.received = len(self.library.merge_fields(keys, plan))
        after = self.library.state.all()
        for key, name in slots:
            state = after.get(key) or PaperState(key=key)
            self.record.local.setdefault(key, {})[name] = _field(state, name)[1]
        for key, name in changed_here:
            # Recorded with the time it had before, so the next sync sees it changed.
            old = before.get(key) or PaperState(key=key)
            self.record.local.setdefault(key, {})[name] = _field(old, name)[1]

    def _own_logs(self) -> list[str]:
        return [n for n in log.log_files(self.mine) if log.kind_of(n) != "papers"]

    def _snapshot(self) -> None:
        """One file with everything this device knows, replacing its changes files (so
        devices that join later get the changes of a device that was removed)."""
        stamp = self.knowledge.clock
        if stamp is None:
            return
        old = self._own_logs()
        name = log.file_name("snapshot", stamp)
        data = log.encode_log(
            self.record.device, "snapshot", self.knowledge.everything(), self.knowledge.settled
        )
        log.write_file(self.mine, name, data)
        for leftover in old:
            if leftover != name:
                with contextlib.suppress(OSError):
                    os.unlink(self.mine / leftover)


def local_changes(record: SyncRecord, states: Mapping[str, PaperState]) -> list[FieldChange]:
    """The fields changed in this library since the last sync, stamped in the order they
    were changed (a new stamp per moment, above every stamp seen)."""
    knowledge = record.knowledge
    pending: list[tuple[int, str, str, object]] = []
    blank: dict[str, str | None] = {}
    winners = knowledge.winners
    for key in set(states) | set(record.local):
        state = states.get(key) or PaperState(key=key)
        synced = record.local.get(key, blank)
        for name in STATE_FIELDS:
            at: str | None = getattr(state, f"{name}_at")
            value: object = getattr(state, name)
            if name in synced:
                # Times are to the second: a change within the second of the last sync
                # keeps the time, so the value is compared too. (None: a blank record
                # tidied away.)
                if at is None or at == synced[name]:
                    winner = winners.get((key, name))
                    if winner is not None and winner.value == value:
                        continue
            elif at is None and value == STATE_DEFAULTS[name]:
                continue
            pending.append((_ms(at), key, name, value))
    pending.sort(key=itemgetter(0))
    changes: list[FieldChange] = []
    for wall, group in groupby(pending, key=itemgetter(0)):
        stamp = tick(knowledge.clock, wall, record.device)
        knowledge.clock = stamp
        for _, key, name, value in group:
            seen = knowledge.seen_notes(key) if name == "note" else ()
            changes.append(FieldChange(key, name, value, stamp, seen))
    return changes


def _field(state: PaperState, name: str) -> tuple[object, str | None]:
    value: object = getattr(state, name)
    at: str | None = getattr(state, f"{name}_at")
    return value, at


def _json(value: object) -> bytes:
    import json

    return json.dumps(value, ensure_ascii=True).encode("ascii") + b"\n"
