"""Figures of bulk changes in the app: `A` (mark every match read) on the whole library.

- how long the app is unresponsive after `A` is confirmed (until it handles its next
  message), next to the time the whole change takes (its floor: the change itself is
  written in a worker meanwhile);
- the whole change, until it is on disk and recorded for undo;
- opening the app after `A` and its undo (`u`), next to opening it before: a library
  back to its defaults must open as fast as before.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

from benchmarks.process_figures import open_app
from benchmarks.report import TIMES, Figure, Target
from reader.library import Library
from reader.tui.app import make_app
from reader.tui.screens.confirm import ConfirmScreen

BULK_TARGETS = {
    "bulk_control": Target(0.100, text="≤ 100 ms"),
    "bulk_done": Target(2.0, text="≤ 2 s"),
    "open_after_bulk": Target(1.2, on_ratio=True, text=f"≤ 1.2{TIMES} before"),
}
"""The issue's targets at 100,000 papers."""


async def _mark_all_and_undo(library: Path) -> tuple[float, float, float]:
    """(control back, change done, undo done) in seconds, for `A` then `u` in the app."""
    with Library(library) as opened:
        app = make_app(opened)
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(3):
                await pilot.pause()
                await app.workers.wait_for_complete()
            await pilot.press("A")
            assert isinstance(app.screen, ConfirmScreen)
            handled = asyncio.Event()
            started = time.perf_counter()
            app.screen.action_answer(True)
            # The next message the app handles: it waits for the UI thread to be free.
            app.call_later(handled.set)
            await handled.wait()
            control = time.perf_counter() - started
            while app.main.changes.working:
                await asyncio.sleep(0.005)
            done = time.perf_counter() - started
            started = time.perf_counter()
            await pilot.press("u")
            while app.main.changes.working:
                await asyncio.sleep(0.005)
            undone = time.perf_counter() - started
            await app.workers.wait_for_complete()
    return control, done, undone


def bulk_figures(library: Path, env: dict[str, str], opens: int) -> list[Figure]:
    """The bulk figures on a library of papers (all unread at the start)."""
    before = [open_app("reader", library, env)[0] for _ in range(max(opens, 1))]
    control, done, undone = asyncio.run(_mark_all_and_undo(library))
    after = [open_app("reader", library, env)[0] for _ in range(max(opens, 1))]
    return [
        Figure(
            "bulk_control",
            "A (mark all read): until the app answers",
            "s",
            control,
            done,
            "the whole change",
            BULK_TARGETS["bulk_control"],
        ),
        Figure(
            "bulk_done",
            "A (mark all read): written, undoable",
            "s",
            done,
            undone,
            "its undo (u)",
            BULK_TARGETS["bulk_done"],
        ),
        Figure(
            "open_after_bulk",
            "open the app after A and u",
            "s",
            statistics.median(after),
            statistics.median(before),
            "open before A",
            BULK_TARGETS["open_after_bulk"],
            samples=len(after),
        ),
    ]
