"""Completion suggesters for the TUI's inputs: tags from the library, paths from the disk.

An `Input` shows `suggestion[len(value):]` after the cursor and accepts it with the right
arrow, so every suggestion here starts with the exact value typed: only the tail is new.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Sequence

from textual.suggester import Suggester

from reader.query import normalize_tag

_LAST_WORD = re.compile(r"[^\s,]*$")
"""The word being typed: everything after the last space or comma."""


class TagSuggester(Suggester):
    """Completes the last space- or comma-separated word of the value from the known tags.

    Matching ignores case and a leading `#`; the suggestion is the whole value with the
    last word completed in the known tag's spelling. Tags already in the value are skipped.
    """

    def __init__(self, known_tags: Sequence[str]) -> None:
        # case_sensitive=True: the value must reach us unfolded, because the suggestion has
        # to start with exactly what the user typed. Case is ignored below instead.
        super().__init__(use_cache=True, case_sensitive=True)
        self._known = [(normalize_tag(tag), tag.strip().lstrip("#")) for tag in known_tags]

    async def get_suggestion(self, value: str) -> str | None:
        """The value with its last word completed to a known tag, or None."""
        match = _LAST_WORD.search(value)
        word = match.group() if match else ""
        prefix = normalize_tag(word)
        if not prefix:
            return None
        typed = {normalize_tag(other) for other in re.split(r"[\s,]+", value[: -len(word)])}
        for folded, spelling in self._known:
            if folded.startswith(prefix) and folded != prefix and folded not in typed:
                return value + spelling[len(prefix) :]
        return None


class PathSuggester(Suggester):
    """Completes a file system path: the first entry (A-Z) starting with the typed name.

    `~` is expanded for the lookup but kept in the suggestion; directories get a trailing
    `/`. Hidden entries are offered only when the typed name starts with a dot. Unreadable
    or missing directories give no suggestion. Each directory is listed once per suggester,
    off the UI thread.
    """

    def __init__(self) -> None:
        # No result cache: the listing cache below is enough, and case matters in paths.
        super().__init__(use_cache=False, case_sensitive=True)
        self._listings: dict[str, list[tuple[str, bool]]] = {}

    async def get_suggestion(self, value: str) -> str | None:
        """The value completed to an existing file or directory, or None."""
        if not value:
            return None
        directory, name = os.path.split(os.path.expanduser(value))
        listing = self._listings.get(directory)
        if listing is None:
            listing = await asyncio.to_thread(_list_directory, directory or os.curdir)
            self._listings[directory] = listing
        for entry, is_dir in listing:
            if not entry.startswith(name) or (entry.startswith(".") and not name):
                continue
            tail = entry[len(name) :] + ("/" if is_dir else "")
            return value + tail if tail else None
        return None


_MAX_ENTRIES = 10_000
"""Stop listing a directory here: a completion is not worth a long scan."""


def _list_directory(directory: str) -> list[tuple[str, bool]]:
    """(name, is a directory) for the entries of `directory`, sorted; [] when unreadable."""
    entries: list[tuple[str, bool]] = []
    try:
        with os.scandir(directory) as scan:
            for entry in scan:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                entries.append((entry.name, is_dir))
                if len(entries) >= _MAX_ENTRIES:
                    break
    except OSError:
        return []
    entries.sort()
    return entries
