"""Hybrid logical clocks: wall time plus a counter, ties broken by the device id.

Every synced change carries a `Stamp`. Stamps are totally ordered (wall time, then the
counter, then the device id), so every device picks the same winner for a field whatever
order the changes reach it in. A device never issues a stamp below one it has seen
(`tick`), so a change made after seeing another one wins over it even when this device's
clock is hours behind.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import NamedTuple

_STAMP = re.compile(r"(\d{1,15})\.(\d{1,9})\.([A-Za-z0-9_-]{1,64})")
LATEST = 253402300799999
"""The last millisecond of year 9999: a stamp beyond it is not read."""
DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What a device id may be: it names a folder in the shared folder."""


class Stamp(NamedTuple):
    """When a change was made: milliseconds since 1970 (UTC), a counter, the device.

    A tuple, so stamps compare (and hash) at C speed: a sync compares hundreds of
    thousands."""

    wall: int
    counter: int
    device: str

    def __str__(self) -> str:
        return f"{self.wall:013d}.{self.counter}.{self.device}"

    @classmethod
    def parse(cls, text: object) -> Stamp | None:
        """The stamp `text` spells, or None when it is not one."""
        if not isinstance(text, str):
            return None
        match = _STAMP.fullmatch(text)
        if match is None or int(match.group(1)) > LATEST:
            return None
        return cls(int(match.group(1)), int(match.group(2)), match.group(3))

    @property
    def iso(self) -> str:
        """The wall time as the state store writes its times (ISO 8601, UTC, seconds)."""
        return ms_to_iso(self.wall)


def tick(last: Stamp | None, wall: int, device: str) -> Stamp:
    """A new stamp for a change made at `wall` (ms) on `device`, after `last`.

    `last` is the highest stamp this device issued or received: the new one is above it,
    whatever the wall clock says.
    """
    if last is None or wall > last.wall:
        return Stamp(wall, 0, device)
    return Stamp(last.wall, last.counter + 1, device)


def later(first: Stamp | None, second: Stamp | None) -> Stamp | None:
    """The higher of two stamps (None is lowest)."""
    if first is None:
        return second
    if second is None:
        return first
    return max(first, second)


def iso_to_ms(text: str | None) -> int:
    """Milliseconds since 1970 of an ISO 8601 time (0 when missing or unreadable)."""
    if not text:
        return 0
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0, int(moment.timestamp() * 1000))


def ms_to_iso(ms: int) -> str:
    """An ISO 8601 time in UTC, to the second, from milliseconds since 1970."""
    try:
        return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return datetime.max.replace(tzinfo=UTC).isoformat(timespec="seconds")
