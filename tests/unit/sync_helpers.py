"""Simulated devices for the sync tests: each has its own library and its own copy of the
shared folder, and files travel between the copies only when a test delivers them (whole,
in pieces, duplicated, in any order), as a sync tool would."""

from __future__ import annotations

import shutil
from pathlib import Path

from reader.library import Library
from reader.sync.clock import ms_to_iso
from reader.sync.engine import sync
from reader.sync.record import load_record


class Device:
    """One library with its own view of the shared folder and its own clock."""

    def __init__(self, root: Path, name: str, clock: Clock, skew_seconds: int = 0) -> None:
        self.name = name
        self.view = root / f"{name}-shared"
        self.view.mkdir(parents=True)
        self.library = Library(root / f"{name}-library")
        self.skew = skew_seconds
        self.clock = clock
        self.id = load_record(self.library.folder).device
        """The device id (the first sync keeps one of its own: see `sync`)."""

    def now_ms(self) -> int:
        """This device's wall clock (the shared clock plus its skew)."""
        return (self.clock.seconds + self.skew) * 1000

    def set(self, key: str, name: str, value: object) -> bool:
        """A change made by the user now (by this device's clock), acknowledged; False
        when the field already held the value (then nothing changes, as in the app)."""
        before = self.library.state.set_fields({key: {name: value}}, ms_to_iso(self.now_ms()))
        return bool(before)

    def sync(self) -> None:
        """Sync with this device's view of the shared folder."""
        report = sync(self.library, self.view, now=self.now_ms, name=self.name)
        self.id = report.device

    def own_files(self) -> list[Path]:
        """The files this device wrote into its own folder (in its own view)."""
        folder = self.view / self.id
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if not p.name.startswith("."))

    def state(self) -> dict[str, tuple[object, ...]]:
        """The fields of every paper, for comparing devices (times left out)."""
        self.library.refresh()
        return {
            key: (s.read, s.starred, s.note, s.tags, s.dismissed)
            for key, s in self.library.state.all().items()
            if s.read or s.starred or s.note or s.tags or s.dismissed
        }

    def close(self) -> None:
        """Close the library."""
        self.library.close()


class Clock:
    """The real time of the simulation, in whole seconds (shared by all devices)."""

    def __init__(self) -> None:
        self.seconds = 1_800_000_000


def deliver(source: Device, target: Device, file: Path, cut: int | None = None) -> Path:
    """Copy one of `source`'s files into `target`'s view (only its first `cut` bytes)."""
    folder = target.view / source.id
    folder.mkdir(exist_ok=True)
    data = file.read_bytes()
    destination = folder / file.name
    destination.write_bytes(data if cut is None else data[:cut])
    return destination


def deliver_all(devices: list[Device]) -> None:
    """What a sync tool does once it has caught up: every device's folder is the same in
    every view (files a device deleted are deleted everywhere)."""
    for source in devices:
        if not (source.view / source.id).is_dir():
            continue
        for target in devices:
            if target is source:
                continue
            folder = target.view / source.id
            if folder.exists():
                shutil.rmtree(folder)
            shutil.copytree(source.view / source.id, folder)
