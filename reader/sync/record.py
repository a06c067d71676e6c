"""What a library remembers of its syncs, in `sync.json` in the library folder.

Its device id, the highest clock it has seen, every change it has merged (reduced to
the winners and the open note versions), the time each of its own fields had after the
last sync (so a change made since is seen and sent), which shared files it has read, how
far its catalog has been sent, and the devices it has seen. `sync-conflicts.json` beside
it holds the notes' conflict copies for `reader show` and the app. Both are replaced
atomically; losing them only means the next sync sends and reads everything again.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.errors import StoreError
from reader.fileio import write_bytes_atomic
from reader.sync.clock import Stamp, ms_to_iso
from reader.sync.conflicts import CONFLICTS_FILE, NoteConflict
from reader.sync.log import change_lines, line_changes
from reader.sync.merge import FieldChange, Knowledge

RECORD_FILE = "sync.json"
LOCK_FILE = "sync.lock"


@dataclass(slots=True)
class DeviceSeen:
    """A device as this library last saw it in the shared folder."""

    name: str = ""
    synced: str = ""
    """When it last synced, by its own clock (ISO 8601)."""
    seen: str = ""
    """When this library last found its folder (ISO 8601, this machine's clock)."""
    gone: bool = False
    """Its folder was no longer in the shared folder at the last sync."""


@dataclass(slots=True)
class SyncRecord:
    """The contents of `sync.json`."""

    device: str
    folder: str = ""
    knowledge: Knowledge = field(default_factory=Knowledge)
    local: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """Per paper and field, the time of the field in this library after the last sync."""
    files: dict[str, str] = field(default_factory=dict)
    """Shared files read to the end ("device/name": size)."""
    papers_rowid: int = 0
    """The catalog's rows up to this one were sent."""
    devices: dict[str, DeviceSeen] = field(default_factory=dict)
    last_sync: str = ""


def load_record(folder: Path) -> SyncRecord:
    """The library's sync record (a new device id when it never synced)."""
    path = folder / RECORD_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return SyncRecord(device=secrets.token_hex(6))
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
        return _from_dict(data)
    except (UnicodeDecodeError, ValueError, RecursionError, TypeError, KeyError, AttributeError):
        raise StoreError(
            f"the sync record {path} is damaged; move it away and sync again"
            " (this library then joins as a new device and loses nothing)"
        ) from None


def save_record(folder: Path, record: SyncRecord) -> None:
    """Replace `sync.json` and `sync-conflicts.json` atomically."""
    knowledge = record.knowledge
    data = {
        "version": 1,
        "device": record.device,
        "folder": record.folder,
        "clock": str(knowledge.clock) if knowledge.clock else None,
        "changes": list(change_lines(knowledge.everything())),
        "settled": {key: sorted(map(str, stamps)) for key, stamps in knowledge.settled.items()},
        "local": record.local,
        "files": record.files,
        "papers_rowid": record.papers_rowid,
        "devices": {
            device: {"name": seen.name, "synced": seen.synced, "seen": seen.seen, "gone": seen.gone}
            for device, seen in record.devices.items()
        },
        "last_sync": record.last_sync,
    }
    write_bytes_atomic(folder / RECORD_FILE, _encode(data), force=True)
    conflicts = {
        key: [
            {
                "note": copy.value,
                "device": _device_label(record, copy.stamp.device),
                "at": ms_to_iso(copy.stamp.wall),
            }
            for copy in knowledge.conflicts(key)
        ]
        for key in knowledge.conflict_keys()
    }
    write_bytes_atomic(folder / CONFLICTS_FILE, _encode(conflicts), force=True)


def _device_label(record: SyncRecord, device: str) -> str:
    """How a conflict copy names the device it came from: "this device", or its name and
    id ("laptop (a1b2c3d4e5f6)")."""
    if device == record.device:
        return "this device"
    seen = record.devices.get(device)
    return f"{seen.name} ({device})" if seen is not None and seen.name else f"device {device}"


def _from_dict(data: Any) -> SyncRecord:
    if not isinstance(data, dict) or not isinstance(data["device"], str):
        raise TypeError
    knowledge = Knowledge()
    for line in data["changes"]:
        changes = line_changes(line)
        if changes is None:
            raise TypeError
        knowledge.add_all(changes)
    for key, stamps in dict(data.get("settled") or {}).items():
        knowledge.settle(str(key), [s for s in map(Stamp.parse, stamps) if s is not None])
    knowledge.moved.clear()
    clock = Stamp.parse(data.get("clock"))
    if clock is not None and (knowledge.clock is None or clock > knowledge.clock):
        knowledge.clock = clock
    devices = {
        str(device): DeviceSeen(
            str(seen["name"]), str(seen["synced"]), str(seen["seen"]), bool(seen.get("gone"))
        )
        for device, seen in dict(data.get("devices") or {}).items()
    }
    return SyncRecord(
        device=data["device"],
        folder=str(data.get("folder") or ""),
        knowledge=knowledge,
        local={str(k): dict(v) for k, v in dict(data.get("local") or {}).items()},
        files={str(k): str(v) for k, v in dict(data.get("files") or {}).items()},
        papers_rowid=int(data.get("papers_rowid") or 0),
        devices=devices,
        last_sync=str(data.get("last_sync") or ""),
    )


def _encode(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n"


__all__ = ["FieldChange", "NoteConflict", "SyncRecord", "load_record", "save_record"]
