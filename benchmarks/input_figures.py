"""Figures of the inputs issue: BibTeX import against bibtexparser, and the arXiv snapshot.

1. BibTeX: a large real-shaped file (`inputs_corpus.generate_bibtex`: ADS, DBLP, arXiv and
   Zotero entries, collaboration author lists) imported into a fresh library — reading,
   decoding and storing, in this process — against `bibtexparser.parse_string` of the same
   text, measured in the same run. Target: at most 3x.
2. The arXiv snapshot: files in its exact format (`inputs_corpus.snapshot_lines`) of
   100,000 and 300,000 papers (100,000 and 1,000,000 with `--million`, as the issue
   asks), each imported by a real `reader import` process. Its throughput is measured
   against the page import's: a generated page of as many papers (`corpus.write_page`)
   imported the same way, alternating with the snapshot (best of two each), in the same
   run. Its peak memory (RSS, from `wait4`) must stay flat: the largest within 1.2x of
   100,000.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import corpus, inputs_corpus
from benchmarks.process_figures import environment
from benchmarks.report import TIMES, Figure, Target, figures_table

BIBTEX_ENTRIES = 3_000
SNAPSHOT_SIZES = (100_000, 300_000)
MILLION = 1_000_000
MILLION_SNAPSHOT_SIZES = (100_000, MILLION)
PAGE_RUNS = 2
"""Imports of the smallest snapshot and of the page, alternating: the best of each."""
QUICK_BIBTEX_ENTRIES = 200
QUICK_SNAPSHOT_SIZES = (2_000, 6_000)

TARGETS = {
    "bibtex_import": Target(3.0, on_ratio=True, text=f"≤ 3{TIMES} bibtexparser"),
    "snapshot_rss": Target(1.2, on_ratio=True, text=f"≤ 1.2{TIMES} the smallest"),
    "snapshot_vs_page": Target(1.0, on_ratio=True, text=f"≤ 1{TIMES} the page import"),
}
REPO = Path(__file__).resolve().parents[1]


def bibtex_figure(work: Path, entries: int, runs: int) -> Figure:
    """reader's import of a large .bib against bibtexparser parsing it (best of `runs`)."""
    import bibtexparser

    from reader import importing
    from reader.library import Library

    path = work / "references.bib"
    path.write_text(inputs_corpus.generate_bibtex(entries, seed=1), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    ours: list[float] = []
    theirs: list[float] = []
    for run in range(runs):
        started = time.perf_counter()
        bibtexparser.parse_string(text)
        theirs.append(time.perf_counter() - started)
        folder = work / f"library-{run}"
        with Library(folder) as library:
            started = time.perf_counter()
            importing.import_files(library, [str(path)])
            ours.append(time.perf_counter() - started)
        shutil.rmtree(folder, ignore_errors=True)
    return Figure(
        "bibtex_import",
        f"import of a {entries:,}-entry .bib (read, decode, store)",
        "s",
        min(ours),
        min(theirs),
        "bibtexparser.parse_string",
        TARGETS["bibtex_import"],
        note=f"{path.stat().st_size / 1e6:.1f} MB of ADS, DBLP, arXiv and Zotero entries",
        samples=runs,
    )


def snapshot_run(path: Path, work: Path, env: dict[str, str]) -> tuple[float, int]:
    """A `reader import` of the snapshot file: wall time and peak RSS in KB."""
    library = work / "library"
    shutil.rmtree(library, ignore_errors=True)
    command = [sys.executable, "-m", "reader", "import", str(path), "--library", str(library)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=REPO
    )
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{command} failed: {errors.decode(errors='replace')[-500:]}")
    shutil.rmtree(library, ignore_errors=True)
    # ru_maxrss is in KB on Linux (bytes on macOS).
    scale = 1024 if sys.platform == "darwin" else 1
    return elapsed, usage.ru_maxrss // scale


def snapshot_figures(work: Path, sizes: tuple[int, ...], env: dict[str, str]) -> list[Figure]:
    """One import per size (the smallest against the page import of as many papers); the
    time of each, and the peak memory of the largest against the smallest."""
    figures: list[Figure] = []
    rss: dict[int, int] = {}
    smallest, largest = min(sizes), max(sizes)
    for size in sizes:
        path = inputs_corpus.write_snapshot(work / f"snapshot-{size}.json", size, seed=2)
        megabytes = path.stat().st_size / 1e6
        if size == smallest:
            page = corpus.write_page(work / f"page-{size}.txt", size, seed=2)
            pair = (path, page)
            runs = [snapshot_run(each, work, env) for _ in range(PAGE_RUNS) for each in pair]
            page.unlink()
            elapsed = min(seconds for seconds, _ in runs[0::2])
            page_elapsed = min(seconds for seconds, _ in runs[1::2])
            # The smaller peak of the two: the memory figure compares the largest to it.
            peak = min(kilobytes for _, kilobytes in runs[0::2])
            figures.append(
                Figure(
                    "snapshot_vs_page",
                    f"reader import of a {size:,}-paper snapshot ({megabytes:,.0f} MB)",
                    "s",
                    elapsed,
                    page_elapsed,
                    f"page of {size:,} papers",
                    TARGETS["snapshot_vs_page"],
                    note=f"{size / elapsed:,.0f} papers/s (the page: {size / page_elapsed:,.0f}),"
                    f" best of {PAGE_RUNS} alternating runs each, peak RSS {peak / 1024:,.0f} MB",
                    samples=PAGE_RUNS,
                )
            )
        else:
            elapsed, peak = snapshot_run(path, work, env)
            figures.append(
                Figure(
                    f"snapshot_import_{size}",
                    f"reader import of a {size:,}-paper snapshot ({megabytes:,.0f} MB)",
                    "s",
                    elapsed,
                    None,
                    "",
                    note=f"{size / elapsed:,.0f} papers/s, peak RSS {peak / 1024:,.0f} MB",
                )
            )
        path.unlink()
        rss[size] = peak
    figures.append(
        Figure(
            "snapshot_rss",
            f"peak RSS importing {largest:,} vs {smallest:,} papers",
            "KB",
            rss[largest],
            rss[smallest],
            f"import of {smallest:,}",
            TARGETS["snapshot_rss"],
        )
    )
    return figures


def run(root: Path, *, quick: bool, million: bool) -> dict[str, Any]:
    """Every figure of the inputs; prints the table, returns the JSON."""
    work = root / "inputs"
    work.mkdir(parents=True)
    env = environment(work / "home")
    print("\n== inputs: BibTeX and the arXiv snapshot ==", flush=True)
    entries = QUICK_BIBTEX_ENTRIES if quick else BIBTEX_ENTRIES
    figures = [bibtex_figure(work, entries, runs=1 if quick else 3)]
    sizes = SNAPSHOT_SIZES
    if quick or million:
        sizes = QUICK_SNAPSHOT_SIZES if quick else MILLION_SNAPSHOT_SIZES
    figures.extend(snapshot_figures(work, sizes, env))
    for figure in figures:
        figure.judge(None, quick)
    print(figures_table(figures))
    for figure in figures:
        if figure.note:
            print(f"note: {figure.id}: {figure.note}")
    shutil.rmtree(work, ignore_errors=True)
    return {"figures": [figure.to_json() for figure in figures]}
