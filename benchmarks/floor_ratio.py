"""The import against its floor, alternating: `python -m benchmarks.floor_ratio`.

    python -m benchmarks.floor_ratio [--size 100000] [--rounds 3] [--page FILE]
                                     [--repo DIR ...] [--work DIR] [--json FILE]

Times `reader import PAGE` (the whole process, through `child_peak.py`, so its peak memory
is its own) and the FTS5 floor (`import_floor.fts5_floor`) on the same generated page,
alternating — import, floor, import, floor — so that a busy machine weighs on both alike,
and reports each round's ratio, the median ratio and the import's peak memory. The CPU
time of each (the import's threads together; the floor's process time around
`fts5_floor`, which adds splitting the texts, about 0.1 s) is reported too: on a shared
machine it moves less than the wall time, but the ratio to the floor is of wall times.

The page is generated once (`benchmarks.corpus`, the benchmark's seed) and kept: by
default in `/tmp/if-page-{size}.txt`, reused when it is there and has the right size of
the same text. With several `--repo` folders (e.g. a checkout of main and this one),
each round imports with each repository's code in turn (`python -m reader` run from that
folder, which puts its `reader` first on the path), then times the floor once: the
ratios of the repositories are compared within the same rounds. Odd rounds run the
imports first and the floor last, even rounds the floor first and the imports in the
reverse order, so that neither gains from its place in the round. A checkout of main to
compare with:

    mkdir /tmp/main && git archive main | tar -x -C /tmp/main
    python -m benchmarks.floor_ratio --rounds 5 --repo /tmp/main --repo .
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import corpus
from benchmarks.import_floor import fts5_floor
from benchmarks.process_figures import REPO, child_report, environment, settle_disk

SEED = 0
"""The benchmark's seed (`benchmarks.bench.SEED`): the same page as its run."""


def page_for(size: int, path: Path | None) -> Path:
    """The page of `size` generated papers, written once and kept for the next run."""
    page = path or Path(tempfile.gettempdir()) / f"if-page-{size}.txt"
    stamp = page.with_name(page.name + ".stamp")
    wanted = f"{size} {SEED}"
    if page.exists() and stamp.exists() and stamp.read_text() == wanted:
        return page
    corpus.write_page(page, size, SEED)
    stamp.write_text(wanted)
    return page


def timed_import(
    repo: Path, page: Path, library: Path, env: dict[str, str]
) -> tuple[float, int, float]:
    """One whole-process `reader import` of `page` into a new `library`, with the code of
    `repo`: its wall time in seconds, its peak memory in KB and its CPU time in seconds."""
    shutil.rmtree(library, ignore_errors=True)
    command = [sys.executable, "-m", "reader", "import", str(page), "--library", str(library)]
    try:
        report = child_report(command, env, repo)
    except RuntimeError as error:
        raise RuntimeError(f"import with {repo} failed: {error}") from None
    return float(report["seconds"]), int(report["max_rss_kb"]), float(report["cpu_seconds"])


def run(size: int, rounds: int, page: Path, repos: Sequence[Path], work: Path) -> dict[str, Any]:
    """Alternate the imports (one per repository) and the floor for `rounds` rounds."""
    papers = corpus.generate_papers(size, SEED)
    env = environment(work / "home")
    samples: list[dict[str, Any]] = []
    for number in range(1, rounds + 1):
        sample: dict[str, Any] = {"round": number, "load": os.getloadavg()[0], "imports": {}}
        # Odd rounds import first and time the floor last, even rounds the other way about.
        order: list[Path | None] = [*repos, None]
        for repo in order if number % 2 else order[::-1]:
            settle_disk()  # no run pays for the write-back of the one before
            if repo is None:
                cpu_before = time.process_time()
                sample["floor"] = fts5_floor(papers, work)
                sample["floor_cpu"] = time.process_time() - cpu_before
                continue
            seconds, peak, cpu = timed_import(repo, page, work / "library", env)
            sample["imports"][str(repo)] = {"seconds": seconds, "max_rss_kb": peak, "cpu": cpu}
        samples.append(sample)
        parts = [
            f"round {number}: load {sample['load']:.2f}",
            f"floor {sample['floor']:.2f} s (cpu {sample['floor_cpu']:.2f})",
        ]
        for repo, measured in sample["imports"].items():
            ratio = measured["seconds"] / sample["floor"]
            parts.append(
                f"{Path(repo).name}: {measured['seconds']:.2f} s = {ratio:.3f}x"
                f" (cpu {measured['cpu']:.2f}), {measured['max_rss_kb'] / 1024:.0f} MB"
            )
        print("; ".join(parts), flush=True)
    summary: dict[str, Any] = {}
    for repo in repos:
        ratios = [s["imports"][str(repo)]["seconds"] / s["floor"] for s in samples]
        summary[str(repo)] = {
            "median_ratio": statistics.median(ratios),
            "ratios": ratios,
            "median_seconds": statistics.median(
                s["imports"][str(repo)]["seconds"] for s in samples
            ),
            "peak_mb": max(s["imports"][str(repo)]["max_rss_kb"] for s in samples) / 1024,
        }
        print(
            f"{repo}: median {summary[str(repo)]['median_ratio']:.3f}x the floor"
            f" (ratios {', '.join(f'{r:.3f}' for r in ratios)}),"
            f" peak {summary[str(repo)]['peak_mb']:.0f} MB"
        )
    floors = [s["floor"] for s in samples]
    print(f"floor: median {statistics.median(floors):.2f} s")
    return {"size": size, "page": str(page), "samples": samples, "summary": summary}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, run, print (and write the JSON when asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--page", type=Path, help="where the generated page is kept")
    parser.add_argument(
        "--repo",
        type=Path,
        action="append",
        help="a folder whose `reader` package imports (repeatable; this one by default)",
    )
    parser.add_argument("--work", type=Path, help="a folder for the libraries (a temporary one)")
    parser.add_argument("--json", type=Path, help="write every sample to this file")
    arguments = parser.parse_args(argv)
    page = page_for(arguments.size, arguments.page)
    repos = [repo.resolve() for repo in arguments.repo or [REPO]]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="floor-ratio-", dir=arguments.work) as folder:
        result = run(arguments.size, arguments.rounds, page, repos, Path(folder))
    print(f"({time.perf_counter() - started:.0f} s in all)")
    if arguments.json:
        arguments.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
