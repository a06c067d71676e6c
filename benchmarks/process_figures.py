"""Figures measured as whole processes: importing (1), listing (2), opening the app (3)
and its peak memory (7), each with its naive baseline."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from benchmarks.corpus import PaperRecord
from benchmarks.import_floor import fts5_floor
from benchmarks.report import TARGETS, Figure

REPO = Path(__file__).resolve().parents[1]
SINGLE_INSERT_LIMIT = 10_000
"""Up to this size, the import is also compared with one TinyDB `insert` per paper."""
SINGLE_INSERT_MEASURED = 1_000
"""Single inserts actually timed; beyond, the total is extrapolated (see `single_inserts`)."""
DATATABLE_LIMIT = 100_000
"""Above this size the `DataTable` baselines are skipped (minutes per refill)."""
DATATABLE_SKIPPED = f"DataTable skipped above {DATATABLE_LIMIT:,} papers"
TINYDB_LIMIT = 100_000
"""Above this size TinyDB's `insert_multiple` baseline is skipped (4.5 GB, minutes)."""
TINYDB_SKIPPED = f"TinyDB insert_multiple skipped above {TINYDB_LIMIT:,} papers"


def environment(home: Path) -> dict[str, str]:
    """The environment of the measured processes: no user library or settings, no
    terminal."""
    env = dict(os.environ)
    env["READER_HOME"] = str(home)
    env["READER_CONFIG"] = str(home / "config")
    env.pop("TEXTUAL", None)
    # Bytecode is cached, as on any user's machine: the warm-up run writes it (a sandbox
    # that forbids it would make every timed start compile reader's modules again).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def settle_disk() -> None:
    """Wait until the kernel has written every changed page to disk (`sync`).

    Each timed phase starts on a quiet disk. A million-paper import writes several
    gigabytes that the kernel writes back for a minute or more after the process ends,
    taking CPU and disk from whatever runs then: measured during the write-back of a
    4 GB file, the empty Textual app and reader both opened 5-15% slower. Without this,
    each run would pay for the one before it (the floor for reader's import, the opens
    for the last import), which no user sees: they open the app long after an import.
    """
    sync = getattr(os, "sync", None)  # POSIX only: elsewhere each phase starts as it comes
    if sync is not None:
        sync()


def timed_run(command: Sequence[str], env: dict[str, str], ok: Sequence[int] = (0,)) -> float:
    """Run `command` to the end, output discarded; its wall time in seconds."""
    started = time.perf_counter()
    done = subprocess.run(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.decode(errors='replace')}")
    return elapsed


def measured_run(command: Sequence[str], env: dict[str, str]) -> tuple[float, int]:
    """Run `command` to the end, output discarded: its wall time in seconds and its peak
    memory (RSS) in KB, from the kernel's account of that one process (through
    `child_peak.py`: a command started straight from this process would inherit its
    high-water mark)."""
    report = child_report(command, env, REPO)
    return float(report["seconds"]), int(report["max_rss_kb"])


def child_report(command: Sequence[str], env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """What `child_peak.py` reports of `command` run to the end in `cwd`: "seconds",
    "max_rss_kb" and "cpu_seconds". A failed command raises `RuntimeError`."""
    done = subprocess.run(
        [sys.executable, str(CHILD_PEAK), *command],
        capture_output=True,
        env=env,
        cwd=cwd,
        check=False,
    )
    if done.returncode != 0:
        errors = done.stderr.decode(errors="replace")
        raise RuntimeError(f"{' '.join(command)} failed: {errors}")
    report: dict[str, Any] = json.loads(done.stdout.decode().splitlines()[-1])
    return report


CHILD_PEAK = Path(__file__).with_name("child_peak.py")


def reader_command(*arguments: str) -> list[str]:
    """`python -m reader ...` with this interpreter."""
    return [sys.executable, "-m", "reader", *arguments]


# --- figures 1 and 2: importing and listing ----------------------------------------------


def import_figures(
    size: int,
    page: Path,
    papers: list[PaperRecord],
    work: Path,
    env: dict[str, str],
    runs: int,
) -> tuple[list[Figure], Path]:
    """Figure 1; returns the figures and the library the last import made."""
    reader_times: list[float] = []
    peaks: list[int] = []
    floors: list[float] = []
    library = work / "library"
    for _ in range(runs):
        shutil.rmtree(library, ignore_errors=True)
        settle_disk()
        elapsed, peak = measured_run(
            reader_command("import", str(page), "--library", str(library)), env
        )
        reader_times.append(elapsed)
        peaks.append(peak)
        settle_disk()
        floors.append(fts5_floor(papers, work))
    bulk_times = []
    for run in range(runs if size <= TINYDB_LIMIT else 0):
        path = work / f"tinydb-{run}.json"
        started = time.perf_counter()
        database = TinyDB(path)
        database.insert_multiple(papers)
        database.close()
        bulk_times.append(time.perf_counter() - started)
        path.unlink()
    reader_time = statistics.median(reader_times)
    figures = [
        Figure(
            "import",
            "import the page (whole process)",
            "s",
            reader_time,
            statistics.median(bulk_times) if bulk_times else None,
            "TinyDB insert_multiple",
            TARGETS["import"],
            note="" if bulk_times else TINYDB_SKIPPED,
            samples=runs,
        )
    ]
    figures.append(
        Figure(
            "import_floor",
            "import the page (whole process)",
            "s",
            reader_time,
            statistics.median(floors),
            "SQLite building the FTS5 index",
            TARGETS["import_floor"],
            samples=runs,
        )
    )
    figures.append(
        Figure(
            "import_rss",
            "peak memory (RSS) of the import",
            "KB",
            float(max(peaks)),
            page.stat().st_size / 1024,
            "the page's size",
            samples=runs,
        )
    )
    catalog = sum(path.stat().st_size for path in library.glob("catalog.sqlite3*"))
    figures.append(
        Figure(
            "catalog_size",
            "catalog size on disk",
            "KB",
            catalog / 1024,
            page.stat().st_size / 1024,
            "the page's size",
            TARGETS["catalog_size"],
        )
    )
    single = single_inserts(papers, work) if size <= SINGLE_INSERT_LIMIT else None
    figures.append(
        Figure(
            "import_vs_single_inserts",
            "import the page (whole process)",
            "s",
            reader_time,
            None if single is None else single[0],
            "TinyDB insert per paper",
            note="" if single is None or not single[1] else single[1],
            samples=runs,
        )
    )
    return figures, library


def single_inserts(papers: list[PaperRecord], work: Path) -> tuple[float, str]:
    """Seconds for one TinyDB `insert` per paper (each rewrites the whole JSON file).

    The cost of an insert grows with the file, so the total grows with the square of the
    count: beyond `SINGLE_INSERT_MEASURED` papers the first ones are timed in two halves,
    the growth per paper is fitted to them, and the total is extrapolated (said in a note).
    """
    measured = min(len(papers), SINGLE_INSERT_MEASURED)
    half = measured // 2
    path = work / "tinydb-single.json"
    database = TinyDB(path)
    started = time.perf_counter()
    for paper in papers[:half]:
        database.insert(paper)
    first = time.perf_counter() - started
    for paper in papers[half:measured]:
        database.insert(paper)
    total = time.perf_counter() - started
    database.close()
    path.unlink()
    if measured == len(papers):
        return total, ""
    # Mean cost per insert in each half, at mean table sizes measured/4 and 3*measured/4.
    early, late = first / half, (total - first) / (measured - half)
    growth = max(late - early, 0.0) / (measured / 2)
    base = max(early - growth * measured / 4, 0.0)
    count = len(papers)
    estimate = base * count + growth * count * count / 2
    return estimate, f"TinyDB insert per paper: extrapolated from the first {measured:,} inserts"


def list_figure(page: Path, library: Path, word: str, env: dict[str, str], runs: int) -> Figure:
    """Figure 2: `reader list WORD` vs. `grep -i WORD PAGE`, both whole processes."""
    reader = reader_command("list", word, "--library", str(library))
    grep = ["grep", "-i", word, str(page)]
    settle_disk()
    timed_run(reader, env)  # warm the file cache for both
    timed_run(grep, env, ok=(0, 1))
    reader_times = [timed_run(reader, env) for _ in range(runs)]
    grep_times = [timed_run(grep, env, ok=(0, 1)) for _ in range(runs)]
    return Figure(
        "list",
        f"reader list {word} (whole process)",
        "s",
        statistics.median(reader_times),
        statistics.median(grep_times),
        f"grep -i {word}",
        TARGETS["list"],
        samples=runs,
    )


# --- figures 3 and 7: opening the app ----------------------------------------------------


def open_app(mode: str, library: Path, env: dict[str, str]) -> tuple[float, dict[str, Any]]:
    """Run `benchmarks.open_tui` once: wall time of the whole process and its report."""
    command = [sys.executable, "-m", "benchmarks.open_tui", mode, str(library)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, cwd=REPO, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"open_tui {mode} failed: {done.stderr.decode(errors='replace')}")
    report: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return elapsed, report


def open_figures(
    library: Path, size: int, env: dict[str, str], runs: int, table_runs: int
) -> list[Figure]:
    """Figures 3 and 7: time to the first painted list, and peak memory.

    `table_runs` may be 0: the `DataTable` baselines are then left out.
    """
    results: dict[str, list[tuple[float, dict[str, Any]]]] = {
        "reader": [],
        "empty": [],
        "datatable": [],
    }
    settle_disk()
    open_app("reader", library, env)  # warm-up: file cache, bytecode
    for _ in range(runs):
        results["reader"].append(open_app("reader", library, env))
        results["empty"].append(open_app("empty", library, env))
    for _ in range(table_runs):
        results["datatable"].append(open_app("datatable", library, env))
    for mode in ("reader", "datatable"):
        for _, report in results[mode]:
            if report["rows"] != size:
                raise RuntimeError(f"{mode} showed {report['rows']} rows, not {size}")

    def wall(mode: str) -> float | None:
        times = [elapsed for elapsed, _ in results[mode]]
        return statistics.median(times) if times else None

    def rss(mode: str) -> float | None:
        peaks = [report["max_rss_kb"] for _, report in results[mode]]
        return float(max(peaks)) if peaks else None

    reader_wall = wall("reader")
    reader_rss = rss("reader")
    assert reader_wall is not None and reader_rss is not None
    skipped = "" if table_runs else DATATABLE_SKIPPED
    return [
        Figure(
            "tui_open_vs_empty",
            "open the app to the first list (whole process)",
            "s",
            reader_wall,
            wall("empty"),
            "empty Textual app",
            TARGETS["tui_open_vs_empty"],
            samples=runs,
        ),
        Figure(
            "tui_open_vs_datatable",
            "open the app to the first list (whole process)",
            "s",
            reader_wall,
            wall("datatable"),
            "DataTable app, same rows",
            note=skipped,
            samples=runs,
        ),
        Figure(
            "peak_rss",
            "peak memory (RSS) after the first paint",
            "KB",
            reader_rss,
            rss("datatable"),
            "DataTable app, same rows",
            TARGETS["peak_rss"],
            note=skipped,
            samples=runs,
        ),
    ]
