"""What `reader sync --status` says."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reader.sync import log
from reader.sync.engine import local_changes
from reader.sync.record import RECORD_FILE, load_record

if TYPE_CHECKING:
    from reader.library import Library


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """One device of the shared folder, as `--status` lists it."""

    device: str
    name: str
    synced: str
    """When it last synced, by its own clock ("" when unknown)."""
    seen: str
    """When this library last found it ("" when never)."""
    present: bool
    """Whether its folder is in the shared folder now."""
    incomplete: int = 0
    """Its files not fully arrived yet."""


@dataclass(slots=True)
class SyncStatus:
    """This library's device, its last sync, the devices it knows, what is waiting."""

    device: str
    synced_before: bool
    folder: str
    last_sync: str
    pending: int
    """Field changes made here since the last sync."""
    conflicts: int
    devices: list[DeviceStatus] = field(default_factory=list)


def status(library: Library, shared: Path | None) -> SyncStatus:
    """The sync status of `library` (`shared` is looked at when given and present)."""
    synced_before = (library.folder / RECORD_FILE).exists()
    record = load_record(library.folder)
    pending = len(local_changes(record, dict(library.state.all())))
    result = SyncStatus(
        device=record.device,
        synced_before=synced_before,
        folder=str(shared) if shared is not None else record.folder,
        last_sync=record.last_sync,
        pending=pending,
        conflicts=len(record.knowledge.conflict_keys()),
    )
    folders = log.device_folders(shared) if shared is not None and shared.is_dir() else {}
    known = dict(record.devices)
    for device in sorted(set(known) | set(folders)):
        if device == record.device:
            continue
        seen = known.get(device)
        info = log.read_device(folders[device]) if device in folders else {}
        incomplete = 0
        if device in folders:
            for name in log.log_files(folders[device]):
                data = log.read_bytes(folders[device] / name) or b""
                if log.kind_of(name) != "papers" and not log.read_log(data).complete:
                    incomplete += 1
        result.devices.append(
            DeviceStatus(
                device=device,
                name=str(info.get("name") or (seen.name if seen else "")),
                synced=str(info.get("synced") or (seen.synced if seen else "")),
                seen=seen.seen if seen else "",
                present=device in folders,
                incomplete=incomplete,
            )
        )
    return result
