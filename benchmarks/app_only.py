"""The app's figures on a library that already exists: for iterating on the app at a
million papers without importing one again (the import alone takes minutes).

    python -m benchmarks.app_only LIBRARY [--opens 5] [--filters 3] [--lists 3]
    python -m benchmarks.app_only LIBRARY --scroll-only [--page-downs 60]

Build the library once with the benchmark's corpus (`corpus.write_records`, then
`reader import PAGE --library LIBRARY`); star some papers with `bench.star_some` so that
`is:starred` finds them. Measured, as in `bench`: opening the app against the empty
Textual app (whole processes, alternating, in the same run), the filter queries, page
down and `G`, and `reader list WORD` (the whole process). Prints the machine's load
average with the figures: compare the ratios. `--scroll-only` measures page down and `G`
alone (no opens, filters or listing), for iterating on a cursor move's cost.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
from collections.abc import Sequence
from pathlib import Path

from benchmarks import corpus
from benchmarks.bench import filter_queries
from benchmarks.process_figures import environment, open_app, reader_command, timed_run
from benchmarks.report import QueryTiming, percentile
from benchmarks.tui_figures import time_reader


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def _load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def opening(library: Path, env: dict[str, str], runs: int) -> None:
    """Open reader's app and the empty app, alternating; medians and their ratio."""
    open_app("reader", library, env)  # warm-up: file cache, bytecode
    reader, empty, paints = [], [], []
    for _ in range(runs):
        elapsed, report = open_app("reader", library, env)
        reader.append(elapsed)
        paints.append(report["max_rss_kb"])
        empty.append(open_app("empty", library, env)[0])
    ratio = statistics.median(reader) / statistics.median(empty)
    print(
        f"open: reader {_ms(statistics.median(reader))}, empty {_ms(statistics.median(empty))},"
        f" ratio {ratio:.2f}x (runs {[round(t, 3) for t in reader]} vs"
        f" {[round(t, 3) for t in empty]}); peak RSS {max(paints) / 1024:.0f} MB; {_load()}",
        flush=True,
    )


def listing(library: Path, env: dict[str, str], runs: int) -> None:
    """`reader list WORD` as a whole process (the benchmark's word)."""
    word = corpus.word_for_share(0.03)
    command = reader_command("list", word, "--library", str(library))
    timed_run(command, env)
    times = [timed_run(command, env) for _ in range(runs)]
    print(f"reader list {word}: median {_ms(statistics.median(times))}; {_load()}", flush=True)


def app(library: Path, repeats: int, page_downs: int, jumps: int) -> None:
    """The filter queries, page down and `G`, in this process."""
    queries = filter_queries(set())
    timings, clearing, scroll = asyncio.run(
        time_reader(library, queries, repeats, page_downs, jumps)
    )
    everything: list[QueryTiming] = [*timings, clearing]
    for timing in everything:
        times = timing.reader_times
        median, p95 = statistics.median(times), percentile(times, 95)
        label = f"{timing.label:<32} {timing.reader_rows:>10,}"
        print(f"  {label}  median {_ms(median)}  p95 {_ms(p95)}")
    samples = [sample for timing in timings for sample in timing.reader_times]
    print(
        f"filter: median {_ms(statistics.median(samples))}, p95 {_ms(percentile(samples, 95))};"
        f" page down median {_ms(statistics.median(scroll.page_down))};"
        f" G median {_ms(statistics.median(scroll.jump))}; {_load()}",
        flush=True,
    )


def scrolling(library: Path, page_downs: int, jumps: int) -> None:
    """Page down and `G` alone, in this process (no filter first)."""
    _, _, scroll = asyncio.run(time_reader(library, [], 0, page_downs, jumps))
    times = scroll.page_down
    print(
        f"page down median {_ms(statistics.median(times))}, p95 {_ms(percentile(times, 95))}"
        f" ({len(times)} presses); G median {_ms(statistics.median(scroll.jump))}; {_load()}",
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Measure what the command line asks for; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.app_only")
    parser.add_argument("library", type=Path)
    parser.add_argument("--opens", type=int, default=5)
    parser.add_argument("--filters", type=int, default=3)
    parser.add_argument("--lists", type=int, default=3)
    parser.add_argument("--page-downs", type=int, default=20)
    parser.add_argument("--jumps", type=int, default=3)
    parser.add_argument("--scroll-only", action="store_true", help="measure only page down and G")
    args = parser.parse_args(argv)
    env = environment(Path(args.library).parent / "app-only-home")
    os.environ["READER_CONFIG"] = env["READER_CONFIG"]
    if args.scroll_only:
        scrolling(args.library, args.page_downs, args.jumps)
        return 0
    if args.opens:
        opening(args.library, env, args.opens)
    if args.lists:
        listing(args.library, env, args.lists)
    if args.filters:
        app(args.library, args.filters, args.page_downs, args.jumps)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
