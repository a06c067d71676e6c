"""The conflict copies of notes that a sync kept (`sync-conflicts.json`), read back.

Apart from the rest of `reader.sync` because every library reads them (the app asks on
each cursor move) and opening one should not load the sync engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

CONFLICTS_FILE = "sync-conflicts.json"


@dataclass(frozen=True, slots=True)
class NoteConflict:
    """A version of a paper's note that lost to a change made without seeing it."""

    note: str
    device: str
    at: str


class ConflictCopies:
    """The conflict copies of a library's notes, re-read only when the file changed (the
    app asks on every cursor move)."""

    def __init__(self, folder: Path) -> None:
        self._path = folder / CONFLICTS_FILE
        self._seen: tuple[int, int] | None = None
        self._copies: dict[str, list[NoteConflict]] = {}

    def get(self, key: str) -> list[NoteConflict]:
        """The conflict copies of a paper's note (oldest first)."""
        try:
            info = self._path.stat()
        except OSError:
            return []
        if (info.st_size, info.st_mtime_ns) != self._seen:
            self._seen = (info.st_size, info.st_mtime_ns)
            self._copies = _read_conflicts(self._path)
        return self._copies.get(key, [])


def _read_conflicts(path: Path) -> dict[str, list[NoteConflict]]:
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(key): [
            NoteConflict(str(c.get("note", "")), str(c.get("device", "")), str(c.get("at", "")))
            for c in copies
            if isinstance(c, dict)
        ]
        for key, copies in data.items()
        if isinstance(copies, list)
    }
