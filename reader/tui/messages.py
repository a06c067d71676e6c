"""Messages the app's workers post back to the UI thread."""

from __future__ import annotations

import threading
from array import array

from textual.message import Message

from reader.library import ImportResult


class SearchFinished(Message):
    """A query ran: matching row ids in order (maybe only the first ones), or an error."""

    def __init__(
        self,
        generation: int,
        rowids: array[int],
        count: int,
        total: int,
        final: bool,
        keep: bool,
        error: str = "",
    ) -> None:
        super().__init__()
        self.generation = generation
        self.rowids = rowids
        self.count = count
        """How many papers match (`rowids` may hold only the first of them)."""
        self.total = total
        """How many papers the library holds."""
        self.final = final
        """False for the first screenful of a large result; the rest follows."""
        self.keep = keep
        """Keep the cursor where it is (a refresh of the same result)."""
        self.error = error
        self.painted: threading.Event | None = None
        """Set by the UI once a first page is on screen; the worker waits for it."""


class ImportProgress(Message):
    """An import has stored `done` of `total` papers."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class ImportFinished(Message):
    """An import ended: its result, or an error message."""

    def __init__(self, label: str, result: ImportResult | None, error: str) -> None:
        super().__init__()
        self.label = label
        self.result = result
        self.error = error
