"""The benchmark command: reader against naive baselines, at several library sizes.

    python -m benchmarks.bench [--sizes 1000,10000,100000] [--million] [--quick] [--json FILE]
                               [--no-inputs | --inputs-only | --only foryou|bulk]

Each figure is measured together with a naive baseline in the same run and reported as a
ratio, because absolute times on shared machines vary:

1. `reader import PAGE` (the whole process) vs. TinyDB `insert_multiple` of the same papers
   (and, up to 10,000 papers, one TinyDB `insert` per paper), and vs. its floor: SQLite
   building the same FTS5 index from the split texts (`import_floor`); the import's peak
   memory and the catalog's size on disk, next to the page's size;
2. `reader list WORD` (the whole process) vs. `grep -i WORD PAGE`;
3. opening the app until its first painted list (the whole process) vs. an empty Textual
   app (the floor) and vs. a Textual `DataTable` loading the same papers;
4. filter latency in the app, per query, vs. refilling a `DataTable` from a Python scan;
5. page down and jump to the bottom, vs. the same keys in the `DataTable`;
6. one durable state change with 20,000 states stored vs. TinyDB's `update` (once);
7. peak memory (RSS) of the opened app vs. the `DataTable` app;
8. `A` (mark every paper read) in the app: how soon it answers again, how long the change
   and its undo take, and opening the app afterwards vs. before.

The targets of the issue (at 100,000 papers) get a ✓ or ✗ at that size; the benchmark
itself asserts nothing about time. Everything happens in a temporary folder that is
removed at the end. `DataTable` baselines above 100,000 papers are skipped: they take
minutes (about 7 s per 100,000 rows, for every refill).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import textual

from benchmarks import corpus, foryou_figures, input_figures, ranking_quality, vocabulary
from benchmarks.bulk_figures import bulk_figures
from benchmarks.process_figures import (
    DATATABLE_LIMIT,
    DATATABLE_SKIPPED,
    environment,
    import_figures,
    list_figure,
    open_app,
    open_figures,
    reader_command,
    settle_disk,
    timed_run,
)
from benchmarks.report import (
    TARGETS,
    Figure,
    QueryTiming,
    figures_table,
    percentile,
    queries_table,
)
from benchmarks.store_figure import STATES, state_change_figure
from benchmarks.tui_figures import (
    FilterQuery,
    has_phrase,
    has_prefix,
    load_scan_rows,
    time_datatable,
    time_reader,
)
from reader.library import Library

DEFAULT_SIZES = (1_000, 10_000, 100_000)
MILLION = 1_000_000
SEED = 0
STARRED_EVERY = 100
"""Star one paper in this many before the app is opened (for `is:starred`)."""

FIGURE_IDS = (
    "import",
    "import_floor",
    "import_rss",
    "catalog_size",
    "import_vs_single_inserts",
    "list",
    "tui_open_vs_empty",
    "tui_open_vs_datatable",
    "filter_median",
    "filter_p95",
    "page_down",
    "jump_to_bottom",
    "peak_rss",
    "bulk_control",
    "bulk_done",
    "open_after_bulk",
    "import_vectors",
    "list_relevance",
    "list_relevance_retrained",
    "star_rerank_p95",
    "foryou_switch",
    "peak_rss_foryou",
)
"""The figures every size reports (the smoke test checks them); `state_change` comes once.
Above `EXTRAS_LIMIT` papers the bulk-change and "for you" figures are left out."""
EXTRAS_LIMIT = 100_000
EXTRAS_SKIPPED = (
    f"the bulk change (A) and the for-you figures are measured up to {EXTRAS_LIMIT:,} papers:"
    " at 1,000,000 they need three more imports of the page (with and without the vectors,"
    " and a labelled library: about 25 minutes on 2 cores), and a million papers' vectors"
    " are 700 MB on disk"
)


@dataclass(frozen=True, slots=True)
class Plan:
    """How many times each thing is measured at one size."""

    imports: int
    lists: int
    opens: int
    table_opens: int
    filters: int
    table_filters: int
    page_downs: int
    jumps: int
    state_changes: int
    vector_imports: int = 1
    stars: int = 10

    @property
    def datatable(self) -> bool:
        """Are the `DataTable` baselines measured at all?"""
        return self.table_opens > 0


def plan_for(size: int, quick: bool) -> Plan:
    """Fewer repetitions for slow things at large sizes; the minimum in quick mode."""
    if quick:
        return Plan(1, 2, 1, 1, 1, 1, 5, 2, 10, 1, 3)
    if size <= 10_000:
        return Plan(3, 5, 3, 3, 5, 5, 20, 5, 50, 3, 20)
    if size <= DATATABLE_LIMIT:
        return Plan(2, 5, 9, 1, 5, 1, 20, 5, 50, 2, 20)
    return Plan(1, 3, 9, 0, 3, 0, 20, 3, 50, 1, 10)


def star_some(library: Path) -> set[str]:
    """Star one paper in `STARRED_EVERY`, so that `is:starred` has something to find."""
    with Library(library) as opened:
        keys = opened.keys()[::STARRED_EVERY]
        opened.set_starred(keys, True)
    return set(keys)


def filter_queries(starred: set[str]) -> list[FilterQuery]:
    """The fixed set of queries, each with the same filter as a Python predicate."""
    common = corpus.word_for_share(0.25)
    second = corpus.word_for_share(0.15)
    phrase = vocabulary.ML_PHRASES[0]
    common_prefix = has_prefix(common)
    second_prefix = has_prefix(second)
    return [
        FilterQuery(f"one word: {common}", common, common_prefix),
        FilterQuery("two-letter prefix: th", "th", has_prefix("th")),
        FilterQuery(
            f"two words: {common} {second}",
            f"{common} {second}",
            lambda row: common_prefix(row) and second_prefix(row),
        ),
        FilterQuery(f'phrase: "{phrase}"', f'"{phrase}"', has_phrase(phrase)),
        FilterQuery(f"negation: -{common}", f"-{common}", lambda row: not common_prefix(row)),
        FilterQuery("is:starred", "is:starred", lambda row: row.key in starred),
        FilterQuery("year:2024", "year:2024", lambda row: row.year == "2024"),
        FilterQuery("upvotes:>=10", "upvotes:>=10", lambda row: row.upvotes >= 10),
    ]


def app_figures(
    library: Path, starred: set[str], plan: Plan
) -> tuple[list[Figure], list[QueryTiming]]:
    """Figures 4 and 5, in this process."""
    settle_disk()
    queries = filter_queries(starred)
    timings, clearing, scroll = asyncio.run(
        time_reader(library, queries, plan.filters, plan.page_downs, plan.jumps)
    )
    table_scroll = None
    if plan.datatable:
        rows = load_scan_rows(library)
        results, table_scroll = asyncio.run(
            time_datatable(rows, queries, plan.table_filters, plan.page_downs, plan.jumps)
        )
        del rows
        for timing in (*timings, clearing):
            count, times = results[timing.label]
            timing.baseline_rows, timing.baseline_times = count, times
    reader_samples = [sample for timing in timings for sample in timing.reader_times]
    table_samples = [sample for timing in timings for sample in timing.baseline_times]
    skipped = "" if plan.datatable else DATATABLE_SKIPPED

    def summary(values: list[float], how: str) -> float | None:
        if not values:
            return None
        return statistics.median(values) if how == "median" else percentile(values, 95)

    figures = []
    for how in ("median", "p95"):
        reader_value = summary(reader_samples, how)
        assert reader_value is not None
        figures.append(
            Figure(
                f"filter_{how}",
                f"filter, {len(queries)} queries: {how}",
                "s",
                reader_value,
                summary(table_samples, how),
                "DataTable refill from a scan",
                TARGETS[f"filter_{how}"],
                note=skipped,
                samples=len(reader_samples),
            )
        )
    figures.append(
        Figure(
            "page_down",
            "page down (median)",
            "s",
            statistics.median(scroll.page_down),
            statistics.median(table_scroll.page_down) if table_scroll else None,
            "DataTable pagedown",
            TARGETS["page_down"],
            note=skipped,
            samples=len(scroll.page_down),
        )
    )
    figures.append(
        Figure(
            "jump_to_bottom",
            "G: jump to the last paper (median)",
            "s",
            statistics.median(scroll.jump),
            statistics.median(table_scroll.jump) if table_scroll else None,
            "DataTable ctrl+end",
            note=skipped,
            samples=len(scroll.jump),
        )
    )
    return figures, [*timings, clearing]


def foryou(
    page: Path, work: Path, env: dict[str, str], plan: Plan, open_rss: float | None
) -> list[Figure]:
    """The "for you" figures (issue 12), on a library of their own with a few labels;
    `open_rss` is the app's peak memory at an ordinary opening (measured here if None)."""
    found = [foryou_figures.import_figure(page, work, env, plan.vector_imports)]
    library = work / "foryou"
    timed_run(reader_command("import", str(page), "--library", str(library)), env)
    if open_rss is None:
        open_app("reader", library, env)  # warm-up: file cache, bytecode
        open_rss = float(open_app("reader", library, env)[1]["max_rss_kb"])
    foryou_figures.label(library)
    found.extend(foryou_figures.list_figures(library, env, plan.lists))
    found.extend(foryou_figures.app_figures(library, env, plan.stars, open_rss))
    shutil.rmtree(library, ignore_errors=True)
    return found


def run_foryou(size: int, work: Path, plan: Plan, quick: bool) -> dict[str, Any]:
    """Only the "for you" figures at `size` papers (`--only foryou`): a few minutes at
    100,000 papers instead of the whole benchmark's quarter of an hour."""
    work.mkdir(parents=True)
    env = environment(work / "home")
    started = time.perf_counter()
    page = corpus.write_records(work / "page.txt", corpus.iter_papers(size, SEED), SEED)
    print(f"\n== for you, {size:,} papers ==", flush=True)
    figures = foryou(page, work, env, plan, None)
    for figure in figures:
        figure.judge(size, quick)
    print(figures_table(figures))
    print(f"({size:,} papers measured in {time.perf_counter() - started:.0f} s)", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    return {"n": size, "figures": [figure.to_json() for figure in figures]}


def quality(quick: bool) -> dict[str, Any]:
    """The ranking-quality section (`benchmarks.ranking_quality`), printed and returned."""
    print("\n== for you: ranking quality on real papers ==", flush=True)
    found = ranking_quality.run(*((3, 1) if quick else (10, 5)))
    print(ranking_quality.table(found))
    return found


# --- the command --------------------------------------------------------------------------


def run_size(size: int, work: Path, plan: Plan, quick: bool) -> dict[str, Any]:
    """Every per-size figure at `size` papers; prints the tables as it goes."""
    work.mkdir(parents=True)
    env = environment(work / "home")
    started = time.perf_counter()
    papers = corpus.generate_papers(size, SEED)
    page = corpus.write_records(work / "page.txt", papers, SEED)
    print(
        f"\n== {size:,} papers: page of {page.stat().st_size / 1e6:,.1f} MB,"
        f" generated in {time.perf_counter() - started:.1f} s ==",
        flush=True,
    )
    figures, library = import_figures(size, page, papers, work, env, plan.imports)
    del papers
    starred = star_some(library)
    word = corpus.word_for_share(0.03)
    figures.append(list_figure(page, library, word, env, plan.lists))
    figures.extend(open_figures(library, size, env, plan.opens, plan.table_opens))
    app, timings = app_figures(library, starred, plan)
    figures.extend(app)
    if size <= EXTRAS_LIMIT:
        figures.extend(bulk_figures(library, env, plan.opens))
        (open_rss,) = [figure.reader for figure in figures if figure.id == "peak_rss"]
        figures.extend(foryou(page, work, env, plan, open_rss))
    by_id = {figure.id: figure for figure in figures}
    ordered = [by_id[figure_id] for figure_id in FIGURE_IDS if figure_id in by_id]
    for figure in ordered:
        figure.judge(size, quick)
    print(figures_table(ordered))
    print()
    print(queries_table(timings))
    notes = sorted({figure.note for figure in ordered if figure.note})
    if size > EXTRAS_LIMIT:
        notes.append(EXTRAS_SKIPPED)
    for note in notes:
        print(f"note: {note}")
    print(f"({size:,} papers measured in {time.perf_counter() - started:.0f} s)", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    return {
        "n": size,
        "list_word": word,
        "starred": len(starred),
        "figures": [figure.to_json() for figure in ordered],
        "filter_queries": [timing.to_json() for timing in timings],
    }


def run_bulk(size: int, work: Path, plan: Plan, quick: bool) -> dict[str, Any]:
    """Only the bulk-change figures (8) at `size` papers, on a library imported once (a
    few minutes at 100,000 papers instead of the whole benchmark's ten or more)."""
    work.mkdir(parents=True)
    env = environment(work / "home")
    started = time.perf_counter()
    page = corpus.write_records(work / "page.txt", corpus.generate_papers(size, SEED), SEED)
    library = work / "library"
    timed_run(reader_command("import", str(page), "--library", str(library)), env)
    star_some(library)  # the library as the whole benchmark has it when it measures these
    figures = bulk_figures(library, env, plan.opens)
    for figure in figures:
        figure.judge(size, quick)
    print(f"\n== bulk changes, {size:,} papers ==")
    print(figures_table(figures))
    print(f"({size:,} papers measured in {time.perf_counter() - started:.0f} s)", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    return {"n": size, "figures": [figure.to_json() for figure in figures]}


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench",
        description="Benchmark reader against naive baselines (ratios from the same run).",
    )
    parser.add_argument(
        "--sizes",
        default=",".join(str(size) for size in DEFAULT_SIZES),
        help="comma-separated library sizes (default: %(default)s)",
    )
    parser.add_argument("--million", action="store_true", help="also measure 1,000,000 papers")
    parser.add_argument(
        "--quick", action="store_true", help="1,000 papers, fewest repetitions (a CI smoke run)"
    )
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the results here")
    parser.add_argument(
        "--inputs-only", action="store_true", help="only the BibTeX and arXiv snapshot figures"
    )
    parser.add_argument(
        "--no-inputs", action="store_true", help="leave out the BibTeX and arXiv snapshot figures"
    )
    parser.add_argument(
        "--only",
        choices=["foryou", "bulk"],
        help="only these figures: foryou = the for-you figures at each size and the ranking"
        " quality; bulk = `A` (mark all read) and its undo at each size",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    args = parse_arguments(argv)
    if args.quick:
        sizes = [1_000]
    else:
        sizes = [int(part.replace("_", "")) for part in args.sizes.split(",") if part.strip()]
        if args.million and MILLION not in sizes:
            sizes.append(MILLION)
    results: dict[str, Any] = {
        "python": platform.python_version(),
        "textual": textual.__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "quick": args.quick,
        "sizes": [],
    }
    print(
        f"reader benchmark: Python {results['python']}, Textual {results['textual']},"
        f" {results['cpus']} CPUs; ratio = reader / baseline (below 1: reader is faster)"
    )
    with tempfile.TemporaryDirectory(prefix="reader-bench-") as temporary:
        root = Path(temporary)
        # The user's settings (saved searches, theme) must not change what is measured.
        os.environ["READER_CONFIG"] = str(root / "config")
        if args.only == "bulk":
            results["sizes"] = [
                run_bulk(size, root / f"n{size}", plan_for(size, args.quick), args.quick)
                for size in sizes
            ]
            sizes = []
        elif args.only == "foryou":
            for size in sizes:
                plan = plan_for(size, args.quick)
                results["sizes"].append(run_foryou(size, root / f"n{size}", plan, args.quick))
            results["ranking_quality"] = quality(args.quick)
            sizes = []
        elif not args.no_inputs:
            results["inputs"] = input_figures.run(root, quick=args.quick, million=args.million)
        for size in [] if args.inputs_only else sizes:
            plan = plan_for(size, args.quick)
            results["sizes"].append(run_size(size, root / f"n{size}", plan, args.quick))
        if not args.inputs_only and args.only is None:
            state = state_change_figure(root / "state", plan_for(STATES, args.quick).state_changes)
            state.judge(None, args.quick)
            print(f"\n== the state store, {STATES:,} states ==")
            print(figures_table([state]))
            print(f"note: {state.note}")
            results["state_change"] = state.to_json()
            results["ranking_quality"] = quality(args.quick)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
