"""The app sorted "for you": star papers and time the re-ranked list; print peak memory.

    python -m benchmarks.foryou_app LIBRARY STARS

Opens reader's app headless on the library sorted by date and times starring STARS papers
(the row repaints at once: the baseline), then switches the sort to "for you" (the
vectors load and a model is trained, in the search worker) and presses `s` on STARS
papers in turn, each time timing from the key press to the screen update that first
shows the list in its new order (the labels changed: the model is trained again in the
worker; the re-ranked first page may come before the whole order, and it is checked to
be the whole order's first page: `FirstPaint`). Prints one JSON
line: {"rows", "open_s", "switch_s", "star_s" and "rerank_s" (one per star),
"max_rss_kb" (peak resident memory, vectors and model included)}, then ends the process
at once (closing down is not measured).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from array import array
from collections.abc import Callable
from pathlib import Path

from textual.app import App
from textual.screen import Screen
from textual.worker import WorkerCancelled

from benchmarks.open_tui import SIZE, peak_rss_kb
from benchmarks.textual_support import paint, wait_until
from reader.library import Library
from reader.settings import Settings
from reader.tui.app import make_app
from reader.tui.widgets.paper_list import PaperList


async def settle(app: App[object]) -> None:
    """Wait for the app's workers to end. A worker the app cancelled on purpose (the
    preview's explanation, when the cursor moved on) is no failure; any other is raised."""
    results = await asyncio.gather(
        *(worker.wait() for worker in list(app.workers)), return_exceptions=True
    )
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, WorkerCancelled):
            raise result


class FirstPaint:
    """When the app first put a change out (the starred row, the list in a new order),
    and the rows the list held then.

    Textual writes each screen update through `App._display`; the first one after the
    change is when the user sees it. Waiting for the change in a loop and painting then
    (as `paint` does) adds the loop's own delay on a busy machine: the app went on
    meanwhile (with the rest of the order, the preview), and the figure would count that
    too. The star sorted by date (the baseline) is timed the same way.
    """

    def __init__(self, paper_list: PaperList) -> None:
        self._list = paper_list
        self._changed: Callable[[], bool] | None = None
        self.at: float | None = None
        self.rows: array[int] = array("q")
        original = App._display

        def display(app: App[object], screen: Screen[object], renderable: object) -> None:
            original(app, screen, renderable)  # type: ignore[arg-type]
            changed = self._changed is not None and self._changed()
            if renderable is not None and self.at is None and changed:
                self.at = time.perf_counter()
                self.rows = self._list.rowids

        App._display = display  # type: ignore[method-assign]

    def expect(self, changed: Callable[[], bool]) -> None:
        """Watch for the first update once `changed()` holds."""
        self._changed, self.at = changed, None

    def check(self, final: array[int]) -> None:
        """The rows painted first must be where they are in the final order."""
        shown = self.rows[: min(len(self.rows), 100)]
        if list(final[: len(shown)]) != list(shown):
            raise RuntimeError("the first page painted is not the first page of the order")


async def measure(folder: Path, stars: int) -> dict[str, object]:
    """Open (sorted by date), star and unstar papers (the baseline), switch to "for you",
    then star `stars` papers one by one."""
    Settings(folder).set("sort", "date")
    started = time.perf_counter()
    library = Library(folder)
    app = make_app(library)
    async with app.run_test(headless=True, size=SIZE) as pilot:
        screen = app.main
        paper_list = screen.paper_list
        await wait_until(lambda: paper_list.row_count > 0, timeout=600)
        await paint(pilot)
        opened = time.perf_counter() - started
        await settle(app)

        first_paint = FirstPaint(paper_list)
        plain: list[float] = []
        for number in range(stars):
            paper_list.cursor = 5 + 3 * number
            await pilot.pause()
            entry = paper_list.current_entry
            assert entry is not None and not entry.state.starred
            key = entry.key
            first_paint.expect(lambda k=key: library.state_of(k).starred)
            pressed = time.perf_counter()
            await pilot.press("s")  # the row repaints with its star at once
            await paint(pilot)
            assert first_paint.at is not None  # `paint` put it out, if the app had not
            plain.append(first_paint.at - pressed)
            await pilot.press("s")  # and unstarred again, untimed
            await settle(app)

        while screen.sort != "added":
            await pilot.press("S")
            await settle(app)
        before = paper_list.rowids
        pressed = time.perf_counter()
        await pilot.press("S")  # "for you": the vectors load, a model is trained
        await wait_until(lambda: paper_list.rowids is not before, timeout=600)
        await paint(pilot)
        switched = time.perf_counter() - pressed
        await settle(app)
        await pilot.pause()

        ranked: list[float] = []
        for number in range(stars):
            # A paper further down each time, so that every press stars a new paper.
            paper_list.cursor = 5 + 3 * number
            await pilot.pause()
            before = paper_list.rowids
            first_paint.expect(lambda b=before: paper_list.rowids is not b)
            pressed = time.perf_counter()
            await pilot.press("s")
            await wait_until(lambda b=before: paper_list.rowids is not b, timeout=600)
            await paint(pilot)
            assert first_paint.at is not None  # `paint` put it out, if the app had not
            ranked.append(first_paint.at - pressed)
            await settle(app)
            await pilot.pause()
            first_paint.check(paper_list.rowids)
        return {
            "rows": paper_list.row_count,
            "open_s": opened,
            "switch_s": switched,
            "star_s": plain,
            "rerank_s": ranked,
            "max_rss_kb": peak_rss_kb(),
        }


def main(argv: list[str]) -> None:
    """Run `measure` and print its report; never returns."""
    report = asyncio.run(measure(Path(argv[0]), int(argv[1])))
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
