"""Helpers for tests of the state store: write whole states, compare without timestamps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from reader.library.state import StateStore
from reader.model import STATE_FIELDS, PaperState

STAMP = "2026-01-01T00:00:00+00:00"


def put(store: StateStore, states: Sequence[PaperState], stamp: str = STAMP) -> None:
    """Give these papers exactly these field values (one durable write)."""
    store.set_fields(
        {state.key: {name: getattr(state, name) for name in STATE_FIELDS} for state in states},
        stamp,
    )


def plain(state: PaperState | None) -> PaperState | None:
    """The state without its timestamps, to compare values only."""
    if state is None:
        return None
    return replace(state, read_at=None, starred_at=None, note_at=None, tags_at=None)
