"""Making state changes from the app: at once for a few papers, in a worker for many.

Marking 100,000 papers read (or undoing it) takes a fraction of a second of disk and index work;
it runs in a worker so the app answers keys meanwhile, with the status line saying what
is going on. Every change is recorded for undo as one step, however many papers it
touched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from textual.message import Message

from reader.errors import ReaderError
from reader.history import History, Step
from reader.library import Library
from reader.model import Change

BULK = 500
"""A change touching more papers than this runs in a worker."""

Make = Callable[[], Sequence[Change]]
"""Makes a change (writing it to disk) and returns what it did."""


@dataclass
class ChangesMade(Message):
    """A change made in a worker is on disk (or failed)."""

    label: str
    changes: Sequence[Change]
    error: str = ""
    undo: str = ""
    """"Undone" or "Redone" when the change was an undo or a redo (not recorded again)."""


class ChangeHost(Protocol):
    """What `Changes` needs from the screen."""

    library: Library

    def set_status(self, text: str, *, error: bool = False) -> None:
        """Say what happened."""

    def changed(self, keys: Sequence[str] | None, *, bulk: bool) -> None:
        """Redraw these papers (None: all); a bulk change may change the matches too."""

    def run_worker(self, work: Any, *args: Any, **kwargs: Any) -> Any:
        """Textual's `run_worker`."""

    def post_message(self, message: Message) -> bool:
        """Post to the screen (thread-safe)."""


class Changes:
    """The screen's state changes and their undo history."""

    def __init__(self, host: ChangeHost) -> None:
        self._host = host
        self.history = History(host.library.revert, host.library.reapply)
        self.working = False
        """A bulk change is being written."""

    def apply(self, label: str, make: Make) -> bool:
        """Make a small change now, record it for undo, redraw what it touched."""
        try:
            changes = make()
        except ReaderError as error:
            self._host.set_status(str(error), error=True)
            return False
        self._done(label, changes)
        return True

    def apply_many(self, label: str, make: Make, count: int) -> None:
        """Make a change to `count` papers: in a worker when they are many."""
        if count <= BULK:
            self.apply(label, make)
            return
        self._in_worker(label, make, f"{label}…")

    def undo(self) -> None:
        """Undo the last step (in a worker when it touched many papers)."""
        self._step(self.history.undo, self.history.peek_undo(), "Undone", "Nothing to undo")

    def redo(self) -> None:
        """Redo the last undone step."""
        self._step(self.history.redo, self.history.peek_redo(), "Redone", "Nothing to redo")

    def finished(self, message: ChangesMade) -> None:
        """A worker's change is on disk: record it, redraw, say so."""
        self.working = False
        if message.error:
            self._host.set_status(message.error, error=True)
            return
        if message.undo:
            keys = [key for change in message.changes for key in change.keys]
            self._host.changed(keys, bulk=True)
            self._host.set_status(f"{message.undo}: {message.label}")
            return
        self._done(message.label, message.changes)

    # --- internals -------------------------------------------------------------------

    def _done(self, label: str, changes: Sequence[Change]) -> None:
        self.history.record(label, changes)
        keys = [key for change in changes for key in change.keys]
        self._host.changed(keys, bulk=len(keys) > BULK)
        self._host.set_status(label if keys else f"{label} (no change)")

    def _step(
        self, move: Callable[[], Step | None], step: Step | None, verb: str, nothing: str
    ) -> None:
        if step is None:
            self._host.set_status(nothing)
            return
        if step.size <= BULK:
            try:
                move()
            except ReaderError as error:
                self._host.set_status(str(error), error=True)
                return
            self._host.changed(step.keys, bulk=False)
            self._host.set_status(f"{verb}: {step.label}")
            return

        def make() -> Sequence[Change]:
            move()
            return step.changes

        self._in_worker(step.label, make, f"{verb[:-1]}ing {step.label}…", undo=verb)

    def _in_worker(self, label: str, make: Make, working: str, undo: str = "") -> None:
        if self.working:
            self._host.set_status("Still writing the last change: one moment", error=True)
            return
        self.working = True
        self._host.set_status(working)
        host = self._host

        def work() -> None:
            try:
                changes = make()
            except ReaderError as error:
                host.post_message(ChangesMade(label, [], str(error), undo))
                return
            host.post_message(ChangesMade(label, changes, "", undo))

        host.run_worker(work, thread=True, group="changes", exit_on_error=False)
