"""Messages the app's workers post back to the UI thread."""

from __future__ import annotations

from array import array

from textual.message import Message

from reader.library import ImportResult


class SearchFinished(Message):
    """A query ran: the matching row ids in order, or an error."""

    def __init__(
        self, generation: int, rowids: array[int], total: int, error: str, previous: int | None
    ) -> None:
        super().__init__()
        self.generation = generation
        self.rowids = rowids
        self.total = total
        self.error = error
        self.previous = previous
        """The row id the cursor was on when the search started (kept if still listed)."""


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
