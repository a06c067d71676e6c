"""Open an app headless until its first painted list, print the peak memory, and exit.

    python -m benchmarks.open_tui reader|empty|datatable LIBRARY

`reader` opens reader's app on the library; `empty` an empty Textual app (the floor);
`datatable` a Textual `DataTable` with the library's papers (title, date, upvotes), read
from the catalog with sqlite3. The parent times the whole process: start-up, imports,
opening the library, the first search and the first paint. The process ends with
`os._exit` right after the paint, because closing down is not part of opening.

Prints one JSON line: {"mode", "rows", "paint_s" (since this script started running),
"max_rss_kb" (peak resident memory)}.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import asyncio  # noqa: E402 - the start time is taken before any import
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from textual.app import App  # noqa: E402

SIZE = (120, 40)
CATALOG = "catalog.sqlite3"


def read_rows(folder: Path) -> list[tuple[object, ...]]:
    """(title, date, upvotes) of every paper, newest first, straight from the catalog."""
    db = sqlite3.connect(folder / CATALOG)
    try:
        return db.execute(
            "SELECT title, coalesce(published, ''), coalesce(upvotes, 0) FROM papers"
            " ORDER BY published IS NULL, published DESC, rowid"
        ).fetchall()
    finally:
        db.close()


async def open_reader(folder: Path) -> None:
    """reader's app on the library, until the list shows its first rows."""
    from benchmarks.textual_support import paint, wait_until
    from reader.library import Library
    from reader.tui.app import make_app

    app = make_app(Library(folder))
    async with app.run_test(headless=True, size=SIZE) as pilot:
        await wait_until(lambda: app.main.paper_list.row_count > 0)
        await paint(pilot)
        finish("reader", app.main.paper_list.row_count)


async def open_empty() -> None:
    """An empty Textual app, until its first paint."""
    from benchmarks.textual_support import paint

    app: App[None] = App()
    async with app.run_test(headless=True, size=SIZE) as pilot:
        await paint(pilot)
        finish("empty", 0)


async def open_datatable(folder: Path) -> None:
    """A `DataTable` holding every paper, until it has measured and painted them."""
    from benchmarks.textual_support import TableApp, paint, wait_until

    app = TableApp(read_rows(folder), ("Title", "Date", "Upvotes"))
    async with app.run_test(headless=True, size=SIZE) as pilot:
        await wait_until(app.is_loaded, timeout=3600)
        await paint(pilot)
        finish("datatable", app.table.row_count)


def peak_rss_kb() -> int:
    """The peak resident memory of this process, in KB.

    On Linux `ru_maxrss` is not enough: it keeps the high-water mark of the process that
    started this one (it survives `exec`), so a big parent hides a small child. The
    kernel's `VmHWM` belongs to this program's own address space.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def finish(mode: str, rows: int) -> None:
    """Report on standard output and end the process at once (see the module docstring)."""
    report = {
        "mode": mode,
        "rows": rows,
        "paint_s": time.perf_counter() - STARTED,
        "max_rss_kb": peak_rss_kb(),
    }
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()
    os._exit(0)


def main(argv: list[str]) -> None:
    """Open the app named by argv[0] (on the library folder argv[1]); never returns."""
    mode = argv[0] if argv else ""
    folder = Path(argv[1]) if len(argv) > 1 else Path()
    if mode == "reader":
        asyncio.run(open_reader(folder))
    elif mode == "empty":
        asyncio.run(open_empty())
    elif mode == "datatable":
        asyncio.run(open_datatable(folder))
    raise SystemExit(f"unknown mode {mode!r}: reader, empty or datatable")


if __name__ == "__main__":
    main(sys.argv[1:])
