"""The "for you" figures at one library size, each next to its baseline from the same run:

- importing with the text representation built (whole process) vs. the same import with
  it switched off (`benchmarks.without_vectors`);
- `reader list --sort relevance --limit 20` vs. `reader list --limit 20` (whole
  processes), with labels unchanged since the last ranking (the order is cached) and
  right after a change (the model is trained again);
- the app sorted for you: a star to the repainted, re-ranked list (95th percentile) vs.
  the same star sorted by date, switching to "for you" (loading the vectors) vs. opening,
  and the peak memory with the vectors and the model loaded vs. the ordinary opening.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.process_figures import REPO, reader_command, timed_run
from benchmarks.report import TARGETS, Figure, percentile
from reader.library import Library

LABELS = 5
"""Papers starred, and papers marked read, before the ranking figures."""


def import_figure(page: Path, work: Path, env: dict[str, str], runs: int) -> Figure:
    """The import with and without building the vectors, interleaved, whole processes."""
    withs: list[float] = []
    withouts: list[float] = []
    for run in range(runs):
        for mode, times in (("with", withs), ("without", withouts)):
            folder = work / f"import-{mode}-{run}"
            if mode == "with":
                command = reader_command("import", str(page), "--library", str(folder))
            else:
                command = [
                    sys.executable,
                    "-m",
                    "benchmarks.without_vectors",
                    "import",
                    str(page),
                    "--library",
                    str(folder),
                ]
            times.append(timed_run(command, env))
            shutil.rmtree(folder, ignore_errors=True)
    return Figure(
        "import_vectors",
        "import, building the text representation",
        "s",
        statistics.median(withs),
        statistics.median(withouts),
        "the same import without it",
        TARGETS["import_vectors"],
        samples=runs,
    )


def label(library: Path) -> tuple[list[str], list[str]]:
    """Star `LABELS` papers and mark `LABELS` others read (spread over the library)."""
    with Library(library) as opened:
        keys = opened.keys()
        step = max(len(keys) // (2 * LABELS + 1), 1)
        picked = keys[step::step][: 2 * LABELS]
        starred, read = picked[:LABELS], picked[LABELS:]
        opened.set_starred(starred, True)
        opened.set_read(read, True)
    return starred, read


def list_figures(library: Path, env: dict[str, str], runs: int) -> list[Figure]:
    """`reader list --sort relevance --limit 20` vs. `reader list --limit 20`."""
    plain = reader_command("list", "--limit", "20", "--library", str(library))
    ranked = reader_command(
        "list", "--sort", "relevance", "--limit", "20", "--library", str(library)
    )
    with Library(library) as opened:
        spare = opened.keys()[-1]  # starred and unstarred to make the labels change
    timed_run(plain, env)  # warm the file cache
    changed: list[float] = []
    for run in range(runs):
        flag = "--star" if run % 2 == 0 else "--unstar"
        timed_run(reader_command("mark", spare, flag, "--library", str(library)), env)
        changed.append(timed_run(ranked, env))
    if runs % 2:
        timed_run(reader_command("mark", spare, "--unstar", "--library", str(library)), env)
    timed_run(ranked, env)  # the order of the final labels, cached
    cached: list[float] = []
    plain_times: list[float] = []
    for _ in range(runs):
        cached.append(timed_run(ranked, env))
        plain_times.append(timed_run(plain, env))
    baseline = statistics.median(plain_times)
    return [
        Figure(
            "list_relevance",
            "reader list --sort relevance --limit 20 (whole process)",
            "s",
            statistics.median(cached),
            baseline,
            "reader list --limit 20",
            TARGETS["list_relevance"],
            samples=runs,
        ),
        Figure(
            "list_relevance_retrained",
            "the same, right after a star (trains again)",
            "s",
            statistics.median(changed),
            baseline,
            "reader list --limit 20",
            samples=runs,
        ),
    ]


def app_figures(library: Path, env: dict[str, str], stars: int, open_rss: float) -> list[Figure]:
    """Star papers with "for you" active (`benchmarks.foryou_app`); peak memory."""
    command = [sys.executable, "-m", "benchmarks.foryou_app", str(library), str(stars)]
    done = subprocess.run(command, capture_output=True, env=env, cwd=REPO, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"foryou_app failed: {done.stderr.decode(errors='replace')}")
    report = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return [
        Figure(
            "star_rerank_p95",
            "star, sorted for you: re-ranked list repainted (p95)",
            "s",
            percentile(report["rerank_s"], 95),
            percentile(report["star_s"], 95),
            "the same star, sorted by date",
            TARGETS["star_rerank_p95"],
            samples=len(report["rerank_s"]),
        ),
        Figure(
            "foryou_switch",
            "switch to for you: first ranked list (loads the vectors)",
            "s",
            report["switch_s"],
            report["open_s"],
            "opening the app to its first list",
        ),
        Figure(
            "peak_rss_foryou",
            "peak memory (RSS), sorted for you, after the stars",
            "KB",
            float(report["max_rss_kb"]),
            open_rss,
            "the app's ordinary opening",
            TARGETS["peak_rss_foryou"],
        ),
    ]
