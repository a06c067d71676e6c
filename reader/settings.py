"""Small user preferences (the theme, the sort) in `settings.json` of the library folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reader.fileio import write_text_atomic

SETTINGS_FILE = "settings.json"


class Settings:
    """A flat JSON object of preferences; unreadable files fall back to the defaults."""

    def __init__(self, folder: Path) -> None:
        self._path = folder / SETTINGS_FILE
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            # RecursionError: JSON nested thousands deep. A preference is not worth a
            # crash: the defaults apply, and the file is replaced on the next change.
            data = {}
        self._data: dict[str, Any] = data if isinstance(data, dict) else {}

    def get(self, name: str, default: Any = None) -> Any:
        """The stored value of `name`, or `default`."""
        return self._data.get(name, default)

    def set(self, name: str, value: Any) -> None:
        """Store `value` under `name` and write the file at once (atomically)."""
        if self._data.get(name) == value:
            return
        self._data[name] = value
        write_text_atomic(self._path, json.dumps(self._data, indent=2) + "\n", force=True)
