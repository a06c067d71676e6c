"""Undo and redo: the promises the app's `u` and `U` keys rely on."""

from __future__ import annotations

from collections.abc import Sequence

from reader.history import History
from reader.model import PaperState


def test_a_new_change_clears_redo():
    restored: list[tuple[PaperState, ...]] = []

    def restore(states: Sequence[PaperState]) -> None:
        restored.append(tuple(states))

    history = History(restore)
    unread, read = PaperState("a"), PaperState("a", read=True)
    history.record("read", [unread], [read])
    assert history.undo() is not None
    assert restored == [(unread,)]
    # A different change after the undo: redoing the old one would overwrite it.
    starred = PaperState("b", starred=True)
    history.record("star", [PaperState("b")], [starred])
    assert history.redo() is None
    assert not history.can_redo
    assert restored == [(unread,)]  # nothing was put back by the refused redo
