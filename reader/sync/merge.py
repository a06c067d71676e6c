"""The merge: what a device knows of every synced field, and how new changes join it.

`Knowledge` is a join of changes: adding the same change twice, or changes in any order,
gives the same result (per paper and field the change with the highest stamp wins), so
devices that have seen the same changes agree, however the files reached them.

Notes are never silently lost. A note change lists the note versions its device knew
when it was made (`seen`); a version that no later change saw, and that did not win, was
overwritten by a device that never saw it: it is kept as a conflict copy. Editing the note
on a device that shows a copy settles it (the edit lists the copy as seen).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from reader.model import STATE_FIELDS
from reader.sync.clock import Stamp, later


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of one paper set to a value at a stamp."""

    key: str
    name: str
    """One of `reader.model.STATE_FIELDS`."""
    value: Any
    """bool for read/starred/dismissed, str for note, a tuple of str for tags."""
    stamp: Stamp
    seen: tuple[Stamp, ...] = ()
    """For a note: the versions of it the device knew when the change was made."""


@dataclass(slots=True)
class Knowledge:
    """Every change a device has merged, reduced to what can still matter."""

    winners: dict[tuple[str, str], FieldChange] = field(default_factory=dict)
    """The winning change of each (paper key, field)."""
    notes: dict[str, dict[Stamp, FieldChange]] = field(default_factory=dict)
    """Per paper, the note versions no later change saw (the winner among them)."""
    settled: dict[str, set[Stamp]] = field(default_factory=dict)
    """Per paper, the note versions some later change saw."""
    clock: Stamp | None = None
    """The highest stamp seen or issued."""
    moved: set[tuple[str, str]] = field(default_factory=set)
    """The (paper key, field) whose winner changed since this was loaded."""

    def add(self, change: FieldChange) -> None:
        """Join one change (idempotent, in any order)."""
        self.clock = later(self.clock, change.stamp)
        self._join(change)

    def add_all(self, changes: Iterable[FieldChange]) -> None:
        """Join many changes (the clock moves once)."""
        changes = list(changes)
        for change in changes:
            self._join(change)
        if changes:
            self.clock = later(self.clock, max(change.stamp for change in changes))

    def _join(self, change: FieldChange) -> None:
        slot = (change.key, change.name)
        current = self.winners.get(slot)
        if current is None or change.stamp > current.stamp:
            self.winners[slot] = change
            self.moved.add(slot)
        if change.name != "note":
            return
        settled = self.settled.setdefault(change.key, set())
        settled.update(change.seen)
        versions = self.notes.setdefault(change.key, {})
        if change.stamp not in settled:
            versions[change.stamp] = change
        for stamp in [stamp for stamp in versions if stamp in settled]:
            del versions[stamp]

    def settle(self, key: str, stamps: Iterable[Stamp]) -> None:
        """Record note versions as seen (from a snapshot's list)."""
        settled = self.settled.setdefault(key, set())
        settled.update(stamps)
        versions = self.notes.get(key, {})
        for stamp in [stamp for stamp in versions if stamp in settled]:
            del versions[stamp]

    def conflicts(self, key: str) -> list[FieldChange]:
        """The conflict copies of a paper's note: versions lost to a change made without
        seeing them (empty ones and copies of the winning text are left out)."""
        winner = self.winners.get((key, "note"))
        if winner is None:
            return []
        return sorted(
            (
                version
                for version in self.notes.get(key, {}).values()
                if version.stamp != winner.stamp and version.value and version.value != winner.value
            ),
            key=lambda version: version.stamp,
        )

    def seen_notes(self, key: str) -> tuple[Stamp, ...]:
        """The note versions a change made now would have seen: every one still open."""
        return tuple(sorted(self.notes.get(key, {})))

    def everything(self) -> Iterator[FieldChange]:
        """Every change worth keeping: the winners and the open note versions."""
        yield from self.winners.values()
        for key, versions in self.notes.items():
            winner = self.winners.get((key, "note"))
            for version in versions.values():
                if winner is None or version.stamp != winner.stamp:
                    yield version

    def conflict_keys(self) -> list[str]:
        """The papers whose note has conflict copies."""
        return sorted(key for key in self.notes if self.conflicts(key))


def value_of(name: str, raw: object) -> Any:
    """A field's value as read from a log line, or `INVALID` when it has the wrong type."""
    if name in ("read", "starred", "dismissed"):
        return raw if isinstance(raw, bool) else INVALID
    if name == "note":
        return raw if isinstance(raw, str) else INVALID
    if name == "tags":
        if isinstance(raw, list) and all(isinstance(tag, str) for tag in raw):
            return tuple(raw)
        return INVALID
    return INVALID


INVALID = object()
"""What `value_of` returns for a value of the wrong type."""

FIELDS = frozenset(STATE_FIELDS)
