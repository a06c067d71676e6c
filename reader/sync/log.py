"""The shared folder's files: each device's append-only log, written and read.

`DIR/<device-id>/` belongs to one device, and only that device writes in it. Every sync
adds whole files, each written to a hidden temporary file and renamed (never edited):

- `changes-<stamp>.jsonl`: field changes, one JSON object a line, between a header line
  and an `{"end": N}` line that counts them;
- `snapshot-<stamp>.jsonl`: the same, holding everything the device knew (after it, the
  device deletes its own older changes files);
- `papers-<stamp>.jsonl`: papers new in the device's catalog, in the library's own JSON
  Lines (`reader export --format jsonl`), so the others need not fetch them again;
- `device.json`: the device's name and when it last synced (replaced at each sync).

Reading tolerates what sync tools do to files: only whole lines are read (a file cut
short by a half-finished transfer gives its complete lines, and the rest on a later sync),
a line that does not parse is skipped, and duplicates ("conflict copy" files of Syncthing
or Dropbox) change nothing because merging a change twice is merging it once. Hidden
files (a sync tool's or reader's temporary files) are never read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.fileio import write_bytes_atomic
from reader.model import Entry, Incoming
from reader.sync.clock import DEVICE_ID, Stamp
from reader.sync.merge import FIELDS, INVALID, FieldChange, value_of

FORMAT = 1
"""The `reader_sync` version in every log's header line."""
DEVICE_FILE = "device.json"
MAX_FILE = 256 << 20
"""A log file larger than this (256 MB) is not read: no sync writes one."""


@dataclass(slots=True)
class LogFile:
    """What one log file holds, as far as it could be read."""

    changes: list[FieldChange] = field(default_factory=list)
    settled: dict[str, list[Stamp]] = field(default_factory=dict)
    complete: bool = False
    """Whether its end line arrived with every line before it."""
    skipped: int = 0
    """Lines that could not be read."""


def change_lines(changes: Iterable[FieldChange]) -> Iterator[dict[str, Any]]:
    """Changes as log lines; changes of one field to one value at one stamp share a line."""

    singles: list[FieldChange] = []
    shared: dict[tuple[str, object, Stamp], list[str]] = {}
    for change in changes:
        if change.name == "note":
            singles.append(change)
        else:
            # Values are bools or tuples of tags: hashable.
            shared.setdefault((change.name, change.value, change.stamp), []).append(change.key)
    for change in singles:
        line: dict[str, Any] = {
            "k": change.key,
            "f": change.name,
            "v": change.value,
            "c": str(change.stamp),
        }
        if change.seen:
            line["s"] = [str(stamp) for stamp in change.seen]
        yield line
    for (name, value, stamp), keys in shared.items():
        if len(keys) == 1:
            yield {"k": keys[0], "f": name, "v": _plain(value), "c": str(stamp)}
        else:
            yield {"keys": keys, "f": name, "v": _plain(value), "c": str(stamp)}


def encode_log(
    device: str,
    kind: str,
    changes: Iterable[FieldChange],
    settled: Mapping[str, Iterable[Stamp]] | None = None,
) -> bytes:
    """The bytes of a changes or snapshot file."""
    lines: list[dict[str, Any]] = [{"reader_sync": FORMAT, "device": device, "kind": kind}]
    lines.extend(change_lines(changes))
    for key, stamps in sorted((settled or {}).items()):
        if stamps:
            lines.append({"settled": key, "s": sorted(str(stamp) for stamp in stamps)})
    lines.append({"end": len(lines) - 1})
    return b"".join(_encode(line) + b"\n" for line in lines)


def write_file(folder: Path, name: str, data: bytes) -> None:
    """Write a new file of the device's own folder atomically (`ReaderError` on failure)."""
    write_bytes_atomic(folder / name, data, force=True)


def read_log(data: bytes) -> LogFile:
    """The changes in a log file's bytes; whatever cannot be read is skipped."""
    log = LogFile()
    pieces = data.split(b"\n")
    lines = pieces[:-1]  # after the last newline: nothing, or a line cut short
    count = 0
    for raw in lines:
        line = _json(raw)
        if not isinstance(line, dict):
            log.skipped += 1
            continue
        if "reader_sync" in line:
            continue
        if "end" in line:
            log.complete = line["end"] == count and not log.skipped
            continue
        count += 1
        if "settled" in line:
            stamps = _stamps(line.get("s"))
            key = line["settled"]
            if isinstance(key, str) and key and stamps is not None:
                log.settled.setdefault(key, []).extend(stamps)
                continue
            log.skipped += 1
            continue
        changes = line_changes(line)
        if changes is None:
            log.skipped += 1
        else:
            log.changes.extend(changes)
    return log


def line_changes(line: dict[str, Any]) -> list[FieldChange] | None:
    """The changes one decoded log line holds, or None when it is not a valid one."""
    name, stamp = line.get("f"), Stamp.parse(line.get("c"))
    if name not in FIELDS or stamp is None:
        return None
    value = value_of(str(name), line.get("v"))
    if value is INVALID:
        return None
    seen = _stamps(line.get("s", []))
    if seen is None:
        return None
    keys = line.get("keys") if "keys" in line else [line.get("k")]
    if not isinstance(keys, list) or not all(isinstance(key, str) and key for key in keys):
        return None
    return [FieldChange(key, str(name), value, stamp, tuple(seen)) for key in keys]


def _stamps(raw: object) -> list[Stamp] | None:
    if not isinstance(raw, list):
        return None
    stamps = [Stamp.parse(item) for item in raw]
    if any(stamp is None for stamp in stamps):
        return None
    return [stamp for stamp in stamps if stamp is not None]


def read_papers(data: bytes) -> list[Incoming]:
    """The papers of a papers file (whole lines only; unreadable lines skipped), without
    any state: state travels in the changes files."""
    from reader.errors import InputError
    from reader.serialize import incoming_from_dict

    papers: list[Incoming] = []
    for number, raw in enumerate(data.split(b"\n")[:-1], start=1):
        line = _json(raw)
        if not isinstance(line, dict):
            continue
        try:
            item = incoming_from_dict(line, f"line {number}")
        except InputError:
            continue
        papers.append(Incoming(item.paper, None, keyed=True))
    return papers


def encode_papers(entries: Iterable[Entry]) -> bytes:
    """A papers file: the library's own JSON Lines."""
    from reader.export.jsonl import to_jsonl

    return to_jsonl(list(entries)).encode("utf-8")


def device_folders(shared: Path) -> dict[str, Path]:
    """The device folders in the shared folder, by device id."""
    found: dict[str, Path] = {}
    try:
        entries = list(os.scandir(shared))
    except OSError:
        return found
    for entry in entries:
        if DEVICE_ID.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
            found[entry.name] = Path(entry.path)
    return found


def log_files(folder: Path) -> dict[str, str]:
    """The readable files of a device folder (name: "size:mtime"), hidden ones left out.

    A file whose size or time changed (a transfer finished) is read again."""
    found: dict[str, str] = {}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found
    for entry in entries:
        if entry.name.startswith(".") or ".jsonl" not in entry.name:
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                info = entry.stat(follow_symlinks=False)
                found[entry.name] = f"{info.st_size}:{info.st_mtime_ns}"
        except OSError:
            continue
    return found


def kind_of(name: str) -> str:
    """ "changes", "snapshot" or "papers" (also for a sync tool's copy of such a file)."""
    for kind in ("papers", "snapshot", "changes"):
        if name.startswith(kind):
            return kind
    return "changes"


def read_bytes(path: Path) -> bytes | None:
    """A file's bytes, or None when it cannot be read (or is absurdly large)."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE + 1)
    except OSError:
        return None
    return None if len(data) > MAX_FILE else data


def read_device(folder: Path) -> dict[str, Any]:
    """A device folder's `device.json` ({} when missing or unreadable)."""
    data = read_bytes(folder / DEVICE_FILE)
    line = _json(data) if data is not None else None
    return line if isinstance(line, dict) else {}


def file_name(kind: str, stamp: Stamp) -> str:
    """The name of a new log file: its kind and the stamp it was written at (sortable)."""
    return f"{kind}-{stamp.wall:013d}-{stamp.counter:06d}.jsonl"


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _encode(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _json(raw: bytes) -> object:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
