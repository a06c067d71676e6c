"""Undo and redo: the promises the app's `u` and `Ctrl+R` keys rely on."""

from __future__ import annotations

import pytest

from reader.history import History
from reader.model import Change


class Recorder:
    """Stands in for the library: records what undo and redo ask of it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Change]] = []

    def revert(self, change: Change) -> None:
        self.calls.append(("revert", change))

    def reapply(self, change: Change) -> None:
        self.calls.append(("reapply", change))


def test_a_new_change_clears_redo() -> None:
    library = Recorder()
    history = History(library.revert, library.reapply)
    read = Change("read", True, {"a": False})
    history.record("read", [read])
    assert history.undo() is not None
    assert library.calls == [("revert", read)]
    # A different change after the undo: redoing the old one would overwrite it.
    history.record("star", [Change("starred", True, {"b": False})])
    assert history.redo() is None
    assert library.calls == [("revert", read)]  # nothing was put back by the refused redo


def test_undo_and_redo_go_several_steps_and_skip_changes_that_changed_nothing() -> None:
    library = Recorder()
    history = History(library.revert, library.reapply)
    first, second = Change("read", True, {"a": False}), Change("starred", True, {"b": False})
    history.record("first", [first])
    history.record("nothing", [Change("read", True, {})])  # already so: not a step
    history.record("second", [second])
    assert [history.undo().label, history.undo().label] == ["second", "first"]  # type: ignore[union-attr]
    assert history.undo() is None
    assert history.redo().label == "first"  # type: ignore[union-attr]
    assert [call for call, _ in library.calls] == ["revert", "revert", "reapply"]


def test_a_failed_undo_stays_to_be_undone() -> None:
    def failing(_change: Change) -> None:
        raise OSError("disk full")

    calls: list[Change] = []
    broken = True

    def revert(change: Change) -> None:
        if broken:
            raise OSError("disk full")
        calls.append(change)

    history = History(revert, failing)
    change = Change("read", True, {"a": False})
    history.record("read", [change])
    with pytest.raises(OSError):
        history.undo()
    broken = False
    step = history.undo()
    assert step is not None and step.label == "read", "the step was not lost"
    assert calls == [change]


def test_a_steps_size_is_at_least_its_largest_change_and_at_most_its_papers() -> None:
    library = Recorder()
    history = History(library.revert, library.reapply)
    dismissed = Change("dismissed", True, {key: False for key in "abc"})
    read = Change("read", True, {key: False for key in "bcde"})
    history.record("dismiss", [dismissed, read])
    step = history.peek_undo()
    assert step is not None
    assert step.size == 4  # cheap: the app decides with it whether to undo in a worker
    assert step.size <= len(step.keys) == 5
