"""Undo and redo of the user's state changes, across several steps and bulk actions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reader.model import Change


@dataclass(frozen=True, slots=True)
class Step:
    """One undoable action: a label for the status line and the changes it made."""

    label: str
    changes: tuple[Change, ...]

    @property
    def keys(self) -> list[str]:
        """Every paper the step touched."""
        return list(dict.fromkeys(key for change in self.changes for key in change.keys))

    @property
    def size(self) -> int:
        """How many papers the step touched, at least (its largest change): cheap even for
        100,000 papers, to decide whether undoing it runs in a worker."""
        return max((len(change.before) for change in self.changes), default=0)


class History:
    """A bounded undo/redo stack of `Change`s; applying them is the caller's job.

    `revert(change)` sets the papers of a change back to the values it replaced and
    `reapply(change)` makes it again (as `Library.revert` and `Library.reapply` do). Both
    touch only the changed field, so an undo never erases what was written to other fields
    since.
    """

    def __init__(
        self,
        revert: Callable[[Change], object],
        reapply: Callable[[Change], object],
        limit: int = 200,
    ) -> None:
        self._revert = revert
        self._reapply = reapply
        self._limit = limit
        self._undo: list[Step] = []
        self._redo: list[Step] = []

    def record(self, label: str, changes: Sequence[Change]) -> None:
        """Remember an action that was just made; a new action clears the redo stack."""
        made = tuple(change for change in changes if change.before)
        if not made:
            return
        self._undo.append(Step(label, made))
        del self._undo[: -self._limit]
        self._redo.clear()

    def peek_undo(self) -> Step | None:
        """The step `undo` would revert, or None."""
        return self._undo[-1] if self._undo else None

    def peek_redo(self) -> Step | None:
        """The step `redo` would make again, or None."""
        return self._redo[-1] if self._redo else None

    def undo(self) -> Step | None:
        """Revert the latest action; None when there is nothing to undo."""
        if not self._undo:
            return None
        step = self._undo[-1]
        for change in reversed(step.changes):
            self._revert(change)  # a failed write raises: the step stays to be undone
        self._redo.append(self._undo.pop())
        return step

    def redo(self) -> Step | None:
        """Make the latest undone action again; None when there is nothing to redo."""
        if not self._redo:
            return None
        step = self._redo[-1]
        for change in step.changes:
            self._reapply(change)
        self._undo.append(self._redo.pop())
        return step
