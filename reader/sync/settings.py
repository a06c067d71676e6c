"""The sync settings: the shared folder (`sync_dir`) and how often the app syncs
(`sync_minutes`).

A module of its own, with nothing of the sync engine: the app reads these settings when
it opens, and the engine loads only at the first sync.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reader.config import ConfigError

if TYPE_CHECKING:
    from reader.settings import Settings

SYNC_MINUTES = 5
"""How often the app syncs while open, by default (`sync_minutes`)."""


def sync_folder(settings: Settings) -> Path | None:
    """The `sync_dir` setting: the shared folder, or None when not set."""
    value = settings.get("sync_dir")
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError("setting sync_dir must be a folder's path (a string)")
    return Path(value).expanduser()


def sync_minutes(settings: Settings) -> int:
    """The `sync_minutes` setting: minutes between the app's syncs (0: only at start and
    quit)."""
    minutes = settings.get("sync_minutes", SYNC_MINUTES)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= 1440:
        raise ConfigError("setting sync_minutes must be a whole number from 0 to 1440")
    return minutes
