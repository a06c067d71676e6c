"""Messages the app's workers post back to the UI thread (dataclasses, keyword fields)."""

from __future__ import annotations

import threading
from array import array
from dataclasses import dataclass, field

from textual.message import Message

from reader.library import ImportResult


@dataclass
class SearchFinished(Message):
    """A query ran: matching row ids in order (maybe only the first ones), or an error."""

    generation: int
    rowids: array[int]
    count: int
    """How many papers match (`rowids` may hold only the first of them)."""
    total: int
    """How many papers the library holds."""
    final: bool
    """False for the first screenful of a large result; the rest follows."""
    anchor: int | None
    """The paper (row id) to keep the cursor on (a refresh, a new sort, a cleared
    filter); None puts the cursor on the first paper."""
    error: str = ""
    note: str = ""
    """What a "for you" order rests on (empty for the other sorts)."""
    painted: threading.Event | None = field(default=None, compare=False)
    """Set by the UI once a first page is on screen; the worker waits for it."""
    counting: bool = False
    """`rowids` are the first matches, and how many match in all is not known yet."""


@dataclass
class DiskChanged(Message):
    """What the poll found other processes changed: the state, the catalog (or an error)."""

    state: bool
    catalog: bool
    error: str = ""


@dataclass
class ImportProgress(Message):
    """An import has stored `done` of `total` papers."""

    done: int
    total: int

    def can_replace(self, message: Message) -> bool:
        """A flood of progress messages collapses into the newest one."""
        return isinstance(message, ImportProgress)


@dataclass
class ImportFinished(Message):
    """An import ended: its result, or an error message."""

    label: str
    result: ImportResult | None
    error: str = ""
