"""Undo and redo of the user's state changes, across several steps and bulk actions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reader.model import PaperState


@dataclass(frozen=True, slots=True)
class Step:
    """One undoable change: the states of the papers it touched, before and after."""

    label: str
    before: tuple[PaperState, ...]
    after: tuple[PaperState, ...]


class History:
    """A bounded undo/redo stack. It records states; applying them is the caller's job.

    `restore` puts exact states back (as `Library.restore` does) and returns the states
    it replaced.
    """

    def __init__(self, restore: Callable[[Sequence[PaperState]], object], limit: int = 200) -> None:
        self._restore = restore
        self._limit = limit
        self._undo: list[Step] = []
        self._redo: list[Step] = []

    def record(self, label: str, before: Sequence[PaperState], after: Sequence[PaperState]) -> None:
        """Remember a change that was just made; a new change clears the redo stack."""
        if not before:
            return
        self._undo.append(Step(label, tuple(before), tuple(after)))
        del self._undo[: -self._limit]
        self._redo.clear()

    def undo(self) -> Step | None:
        """Revert the latest change; None when there is nothing to undo."""
        if not self._undo:
            return None
        step = self._undo.pop()
        self._restore(step.before)
        self._redo.append(step)
        return step

    def redo(self) -> Step | None:
        """Apply the latest undone change again; None when there is nothing to redo."""
        if not self._redo:
            return None
        step = self._redo.pop()
        self._restore(step.after)
        self._undo.append(step)
        return step

    @property
    def can_undo(self) -> bool:
        """True when there is a change to undo."""
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        """True when there is an undone change to redo."""
        return bool(self._redo)
