"""The user's settings: the one place they are read and written.

They live in the TOML file of the user config folder (`reader.config`): preferences (the
theme, the sort, the keymap), the feeds' settings, the saved searches and the
subscriptions. Only `LIBRARY_SETTINGS` belong to one library (where its last session
ended: a filter and a paper of that library); they stay in the library folder, in
`session.json`. A library's old `settings.json` is moved into the file the first time the
library's settings are read, and kept beside it as `settings.json.migrated`; a setting the
file already holds with another value is kept as a comment in the file, so none is lost.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.config import ConfigError, ConfigFile, config_path
from reader.errors import ReaderError
from reader.fileio import file_lock, write_text_atomic

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

LIBRARY_SETTINGS = frozenset({"place"})
"""Settings of one library, kept in its folder (the others are the user's)."""
SESSION_FILE = "session.json"
"""Where a library keeps its `LIBRARY_SETTINGS`."""
SETTINGS_FILE = "settings.json"
"""The settings file libraries had before the configuration file (migrated)."""
MIGRATED_SUFFIX = ".migrated"


class Settings:
    """The user's settings: `get` and `set` one value, or one entry of a table.

    `library_folder` is only where an old `settings.json` may wait to be migrated;
    `path` is the configuration file (by default `reader.config.config_path()`).
    Reading a configuration file the user broke raises `ConfigError` in one line.
    """

    def __init__(self, library_folder: Path | None = None, *, path: Path | None = None) -> None:
        self.file = ConfigFile(path or config_path())
        self._session = None if library_folder is None else library_folder / SESSION_FILE
        self._legacy: dict[str, Any] = {}
        if library_folder is not None:
            self._legacy = migrate(library_folder / SETTINGS_FILE, self.file)

    @property
    def path(self) -> Path:
        """The configuration file."""
        return self.file.path

    def get(self, name: str, default: Any = None) -> Any:
        """The stored value of `name`, or `default`."""
        if name in LIBRARY_SETTINGS and self._session is not None:
            return _read_json(self._session).get(name, self._legacy.get(name, default))
        data = self.file.data()
        if name in data:
            return data[name]
        return self._legacy.get(name, default)

    def set(self, name: str, value: Any) -> None:
        """Store `value` under `name` (None removes it); written at once, atomically."""
        if self.get(name) == value:
            return
        if name in LIBRARY_SETTINGS and self._session is not None:
            _set_json(self._session, name, value)
            return
        with self.file.editing() as document:
            _assign(document, name, value)

    def table(self, name: str) -> dict[str, Any]:
        """A table of the file (`saved`, `subscriptions`), as a dict; {} when absent."""
        value = self.get(name)
        return value if isinstance(value, dict) else {}

    def set_entry(self, table: str, key: str, value: Mapping[str, Any] | None) -> None:
        """Set (or with None remove) one entry of a table, leaving its other entries and
        their comments as they are."""
        import tomlkit

        with self.file.editing() as document:
            current = document.get(table)
            if current is not None and not isinstance(current, dict):
                raise ConfigError(f"{self.path}: {table} must be a table, not a value")
            if value is None:
                if current is not None and key in current:
                    del current[key]
                return
            if current is None:
                current = tomlkit.table(is_super_table=True)
                document[table] = current
            entry = tomlkit.table()
            for name, item in value.items():
                if item is not None:
                    entry[name] = item
            current[key] = entry


def _assign(document: TOMLDocument, name: str, value: Any) -> None:
    if value is None:
        if name in document:
            del document[name]
        return
    try:
        document[name] = value
    except (TypeError, ValueError) as error:
        raise ConfigError(f"cannot store {name} = {value!r} in the settings: {error}") from None


def _read_json(path: Path) -> dict[str, Any]:
    """A JSON object from `path`; {} when missing or unreadable (a session is not worth
    a crash: the next change replaces it)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _set_json(path: Path, name: str, value: Any) -> None:
    """Set (None: remove) one value of the JSON object at `path`, under a lock."""
    with file_lock(path.with_name(path.name + ".lock")):
        data = _read_json(path)
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
        write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", force=True)


def migrate(old: Path, file: ConfigFile) -> dict[str, Any]:
    """Move the settings of a library's `settings.json` into the configuration file.

    Returns the old settings when they could not be moved (they still apply, from where
    they are), else {}. An unreadable old file is left where it is, untouched.
    """
    if not old.is_file():
        return {}
    try:
        data = json.loads(old.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        # RecursionError: JSON nested thousands deep. Nothing readable to move.
        return {}
    if not isinstance(data, dict):
        return {}
    try:
        session = old.with_name(SESSION_FILE)
        for name in LIBRARY_SETTINGS & data.keys():
            if name not in _read_json(session):
                _set_json(session, name, data[name])
        with file.editing() as document:
            _merge(document, {k: v for k, v in data.items() if k not in LIBRARY_SETTINGS}, old)
        _set_aside(old)
    except ReaderError:
        return data
    return {}


def _merge(document: TOMLDocument, data: dict[str, Any], old: Path) -> None:
    """Add the old settings the file lacks; note the others as comments."""
    import tomlkit

    stamp = datetime.now(UTC).date().isoformat()
    kept: list[str] = []
    for name, value in data.items():
        if value is None:
            continue
        if name in document:
            if document.unwrap()[name] == value:
                continue
            kept.append(f"{name} = {json.dumps(value)}")
            continue
        try:
            document[name] = value
        except (TypeError, ValueError):
            kept.append(f"{name} = {json.dumps(value)}")
    # JSON's escapes keep a comment on one line of printable ASCII, as TOML wants.
    where = json.dumps(str(old))
    backup = json.dumps(old.name + MIGRATED_SUFFIX)
    if kept:
        note = f"From {where} ({stamp}), not applied (the value above wins; copy to use):"
        if note not in tomlkit.dumps(document):
            document.add(tomlkit.comment(note))
            for line in kept:
                document.add(tomlkit.comment(f"  {line}"))
    moved = f"Settings moved here from {where} on {stamp} (old file: {backup})"
    document.add(tomlkit.comment(moved))


def _set_aside(old: Path) -> None:
    """Rename the migrated file to `settings.json.migrated` (numbered if that is taken)."""
    target = old.with_name(old.name + MIGRATED_SUFFIX)
    number = 1
    while target.exists() or target.is_symlink():
        target = old.with_name(f"{old.name}{MIGRATED_SUFFIX}.{number}")
        number += 1
    with contextlib.suppress(FileNotFoundError):  # another process moved it first
        os.rename(old, target)
