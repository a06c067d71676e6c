"""Timing helpers for Textual apps driven headless, and the `DataTable` baseline app.

Textual's `Pilot.pause()` and `Pilot.press()` wait until the process looks idle, which
sleeps in steps of 20 ms (`textual._wait.SLEEP_GRANULARITY`): a latency measured with them
is never below 20-40 ms, whatever the app does. The helpers here wait for the state a test
cares about (polling every millisecond) and then paint the screen at once, as Textual's
screen-update timer would at its next frame. The figures therefore count the work done —
the query, the list update, message handling and rendering the changed lines — and not
Textual's frame pacing (at most 1/60 s).

This module imports Textual but not reader, so the baseline apps measure Textual alone.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import DataTable

POLL = 0.001
"""Seconds between two looks at the app's state (the loop sleeps, so workers run freely)."""


class WaitTimeout(RuntimeError):
    """The app did not reach the awaited state in time."""


async def wait_until(
    condition: Callable[[], bool], timeout: float = 120.0, poll: float = POLL
) -> None:
    """Let the app run until `condition()` holds; `WaitTimeout` after `timeout` seconds."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise WaitTimeout(f"the app did not get there within {timeout:.0f} s")
        await asyncio.sleep(poll)


async def paint(pilot: Pilot[object]) -> None:
    """Handle the messages already queued (a highlight, a preview update), then render the
    screen's changed regions now, as the next frame would."""
    await pilot._wait_for_screen()
    pilot.app.screen._on_timer_update()


def table_pending(table: DataTable[object]) -> bool:
    """Has the table work left for its next idle moment (measuring added rows)?"""
    return bool(getattr(table, "_require_update_dimensions", False))


class TableApp(App[None]):
    """The naive baseline: Textual's own `DataTable` holding every row."""

    def __init__(self, rows: Sequence[tuple[object, ...]], columns: Sequence[str]) -> None:
        super().__init__()
        self.rows = rows
        self.columns = columns

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", id="table")

    def on_mount(self) -> None:
        table = self.table
        table.add_columns(*self.columns)
        table.add_rows(self.rows)
        table.focus()

    @property
    def table(self) -> DataTable[object]:
        """The table widget."""
        return self.query_one(DataTable)

    def is_loaded(self) -> bool:
        """Are all rows in and measured, ready to be painted?"""
        table = self.table
        return table.row_count == len(self.rows) and not table_pending(table)
