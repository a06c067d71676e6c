"""In-process figures of the app: filter latency and scrolling, each against a `DataTable`.

reader's app runs headless on the benchmark library; the baseline is Textual's own
`DataTable` holding the same papers (title, date, upvotes), filtered by a Python scan
and refilled with `clear()` + `add_rows()`. See `textual_support` for how "until the
screen shows it" is measured.
"""

from __future__ import annotations

import gc
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from benchmarks.report import QueryTiming
from benchmarks.textual_support import TableApp, paint, table_pending, wait_until
from reader.library import Library
from reader.tui.app import make_app

SIZE = (120, 40)
COLUMNS = ("Title", "Date", "Upvotes")
CLEAR_LABEL = "(clear the filter: all papers)"
_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class ScanRow:
    """One paper as the naive baseline keeps it: what the table shows plus what to scan."""

    key: str
    cells: tuple[str, str, int]
    text: str
    """Title, abstract and organization, lowercased, one space between words, padded."""
    year: str
    upvotes: int


Predicate = Callable[[ScanRow], bool]


@dataclass(frozen=True, slots=True)
class FilterQuery:
    """A query for reader's filter bar and the same filter as a Python predicate."""

    label: str
    text: str
    matches: Predicate


@dataclass(slots=True)
class ScrollTimes:
    """Seconds per page down and per jump to the bottom."""

    page_down: list[float]
    jump: list[float]


def has_prefix(word: str) -> Predicate:
    """A word by prefix, like reader's query words ("caus" finds "causal")."""
    needle = " " + word.lower()
    return lambda row: needle in row.text


def has_phrase(phrase: str) -> Predicate:
    """Exactly these words in this order."""
    needle = " " + " ".join(_NON_WORD.sub(" ", phrase.lower()).split()) + " "
    return lambda row: needle in row.text


def load_scan_rows(folder: Path) -> list[ScanRow]:
    """Every paper of the catalog, newest first (reader's default order), for the baseline."""
    db = sqlite3.connect(folder / "catalog.sqlite3")
    try:
        records = db.execute(
            "SELECT key, title, abstract, coalesce(organization, ''), coalesce(published, ''),"
            " coalesce(upvotes, 0) FROM papers"
            " ORDER BY published IS NULL, published DESC, rowid"
        ).fetchall()
    finally:
        db.close()
    rows = [
        ScanRow(
            key=key,
            cells=(title, published, upvotes),
            text=" " + _NON_WORD.sub(" ", f"{title} {abstract} {organization}".lower()) + " ",
            year=published[:4],
            upvotes=upvotes,
        )
        for key, title, abstract, organization, published, upvotes in records
    ]
    return rows


async def settle(pilot: Pilot[None]) -> None:
    """Untimed: let workers and messages finish before the next sample."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    gc.collect()


async def time_reader(
    folder: Path, queries: Sequence[FilterQuery], repeats: int, page_downs: int, jumps: int
) -> tuple[list[QueryTiming], QueryTiming, ScrollTimes]:
    """Filter latency per query (and for clearing the filter), then scrolling, in reader."""
    library = Library(folder)
    app = make_app(library)
    try:
        async with app.run_test(headless=True, size=SIZE) as pilot:
            await wait_until(lambda: app.main.paper_list.row_count > 0)
            await paint(pilot)
            await settle(pilot)
            filter_bar = app.main.query_one("#filter", Input)

            async def apply(text: str) -> tuple[float, int]:
                before = app.main.paper_list.rowids
                started = time.perf_counter()
                filter_bar.value = text
                await wait_until(lambda: app.main.paper_list.rowids is not before)
                await paint(pilot)
                elapsed = time.perf_counter() - started
                rows = app.main.paper_list.row_count
                await settle(pilot)
                return elapsed, rows

            timings = {
                query.label: QueryTiming(query.label, query.text, 0, []) for query in queries
            }
            clearing = QueryTiming(CLEAR_LABEL, "", 0, [])
            for _ in range(repeats):
                for query in queries:
                    elapsed, rows = await apply(query.text)
                    timings[query.label].reader_times.append(elapsed)
                    timings[query.label].reader_rows = rows
                    elapsed, rows = await apply("")
                    clearing.reader_times.append(elapsed)
                    clearing.reader_rows = rows

            paper_list = app.main.paper_list
            scroll = ScrollTimes([], [])
            await _press_until(pilot, "g", lambda: paper_list.cursor == 0)
            for _ in range(page_downs):
                if paper_list.cursor + 2 * SIZE[1] >= paper_list.row_count:
                    await _press_until(pilot, "g", lambda: paper_list.cursor == 0)
                before = paper_list.cursor
                scroll.page_down.append(
                    await _press_until(pilot, "pagedown", lambda b=before: paper_list.cursor != b)
                )
            last = paper_list.row_count - 1
            for _ in range(jumps):
                await _press_until(pilot, "g", lambda: paper_list.cursor == 0)
                scroll.jump.append(
                    await _press_until(pilot, "G", lambda: paper_list.cursor == last)
                )
    finally:
        library.close()
    return list(timings.values()), clearing, scroll


async def time_datatable(
    rows: Sequence[ScanRow],
    queries: Sequence[FilterQuery],
    repeats: int,
    page_downs: int,
    jumps: int,
) -> tuple[dict[str, tuple[int, list[float]]], ScrollTimes]:
    """The same in a `DataTable`: refill with the scan's matches; page down and jump."""
    app = TableApp([row.cells for row in rows], COLUMNS)
    results: dict[str, tuple[int, list[float]]] = {}
    async with app.run_test(headless=True, size=SIZE) as pilot:
        await wait_until(app.is_loaded, timeout=3600)
        await paint(pilot)
        await settle(pilot)
        table = app.table

        async def refill(matches: Predicate) -> tuple[float, int]:
            started = time.perf_counter()
            table.clear()
            table.add_rows([row.cells for row in rows if matches(row)])
            await wait_until(lambda: not table_pending(table), timeout=3600)
            await paint(pilot)
            elapsed = time.perf_counter() - started
            await settle(pilot)
            return elapsed, table.row_count

        # Unlike reader, the table is not cleared between queries: a refill costs the same
        # from any starting point, and refilling all rows again and again would take minutes.
        everything = FilterQuery(CLEAR_LABEL, "", lambda row: True)
        for _ in range(repeats):
            for query in (*queries, everything):
                elapsed, count = await refill(query.matches)
                previous = results.get(query.label, (0, []))[1]
                results[query.label] = (count, [*previous, elapsed])

        scroll = ScrollTimes([], [])
        last = table.row_count - 1
        await _press_until(pilot, "ctrl+home", lambda: table.cursor_row == 0)
        for _ in range(page_downs):
            if table.cursor_row + 2 * SIZE[1] >= table.row_count:
                await _press_until(pilot, "ctrl+home", lambda: table.cursor_row == 0)
            before = table.cursor_row
            scroll.page_down.append(
                await _press_until(pilot, "pagedown", lambda b=before: table.cursor_row != b)
            )
        for _ in range(jumps):
            await _press_until(pilot, "ctrl+home", lambda: table.cursor_row == 0)
            scroll.jump.append(
                await _press_until(pilot, "ctrl+end", lambda: table.cursor_row == last)
            )
    return results, scroll


async def _press_until(pilot: Pilot[None], key: str, done: Callable[[], bool]) -> float:
    """Press `key` and time it until `done()` holds and the screen is painted."""
    started = time.perf_counter()
    pilot.app.simulate_key(key)
    # Nothing runs in threads here: yielding to the event loop is enough, and finer.
    await wait_until(done, timeout=60, poll=0)
    await paint(pilot)
    elapsed = time.perf_counter() - started
    await settle(pilot)
    return elapsed
