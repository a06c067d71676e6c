"""Figures, targets and their presentation: aligned plain-text tables and JSON."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

TIMES = "\N{MULTIPLICATION SIGN}"
"""Ratios print as "0.42" + TIMES."""
TARGET_SIZE = 100_000
"""The library size the issue's targets are set for; verdicts are printed there and at
`MILLION` (with `MILLION_TARGETS`)."""
MILLION = 1_000_000


@dataclass(frozen=True, slots=True)
class Target:
    """A goal for one figure: reader's value (or the ratio) at most `limit`."""

    limit: float
    on_ratio: bool = False
    """Compare the ratio to the baseline instead of reader's own value."""
    text: str = ""

    def met(self, figure: Figure) -> bool | None:
        """Whether `figure` meets the target (None when it cannot be told)."""
        value = figure.ratio if self.on_ratio else figure.reader
        return None if value is None else value <= self.limit


TARGETS = {
    "import": Target(5.0, text="≤ 5 s"),
    "list": Target(0.5, text="≤ 0.5 s"),
    "tui_open_vs_empty": Target(2.0, on_ratio=True, text=f"≤ 2{TIMES} empty app"),
    "filter_median": Target(0.020, text="≤ 20 ms"),
    "filter_p95": Target(0.050, text="≤ 50 ms"),
    "page_down": Target(0.016, text="≤ 16 ms"),
    "state_change": Target(0.010, text="≤ 10 ms"),
    "peak_rss": Target(250 * 1024, text="≤ 250 MB"),
    # "For you" (issue 12):
    "import_vectors": Target(1.15, on_ratio=True, text=f"≤ 1.15{TIMES} without"),
    "list_relevance": Target(2.0, on_ratio=True, text=f"≤ 2{TIMES} list"),
    "star_rerank_p95": Target(0.200, text="≤ 200 ms"),
    "peak_rss_foryou": Target(250 * 1024, text="≤ 250 MB"),
}
TARGETS["import_floor"] = Target(1.25, on_ratio=True, text=f"≤ 1.25{TIMES} FTS5 floor")
TARGETS["catalog_size"] = Target(3.0, on_ratio=True, text=f"< 3{TIMES} the text")
"""The issue's targets, by figure id (at 100,000 papers; the state store at 20,000 states)."""

MILLION_TARGETS = {
    "import_floor": TARGETS["import_floor"],
    "import_rss": Target(1024 * 1024, text="≤ 1 GB"),
    "catalog_size": TARGETS["catalog_size"],
    "list": Target(1.0, text="≤ 1 s"),
    "tui_open_vs_empty": TARGETS["tui_open_vs_empty"],
    "filter_median": Target(0.050, text="≤ 50 ms"),
    "filter_p95": Target(0.150, text="≤ 150 ms"),
    "page_down": TARGETS["page_down"],
    "peak_rss": Target(400 * 1024, text="≤ 400 MB"),
}
"""The targets at 1,000,000 papers (issue 16)."""


@dataclass(slots=True)
class Figure:
    """One measured figure: reader's value and its naive baseline's, from the same run."""

    id: str
    """A stable name for the JSON output."""
    name: str
    """What the table shows."""
    unit: str
    """"s" (seconds) or "KB"."""
    reader: float
    baseline: float | None
    baseline_name: str
    target: Target | None = None
    note: str = ""
    samples: int = 1
    verdict: bool | None = None

    @property
    def ratio(self) -> float | None:
        """reader's value over the baseline's (below 1: reader is faster or smaller)."""
        if self.baseline is None or self.baseline <= 0:
            return None
        return self.reader / self.baseline

    def judge(self, size: int | None, quick: bool) -> None:
        """Set the verdict: only at the target sizes (or for size-free figures), never quick."""
        if size == MILLION:
            self.target = MILLION_TARGETS.get(self.id)
        if (
            self.target is None
            or quick
            or (size is not None and size not in (TARGET_SIZE, MILLION))
        ):
            self.verdict = None
        else:
            self.verdict = self.target.met(self)

    def to_json(self) -> dict[str, Any]:
        """The figure as plain JSON data."""
        data = asdict(self)
        data["ratio"] = self.ratio
        data["target"] = self.target.text if self.target else None
        return data


@dataclass(slots=True)
class QueryTiming:
    """Filter latency for one query: reader's app and the `DataTable` baseline."""

    label: str
    query: str
    reader_rows: int
    reader_times: list[float]
    baseline_rows: int | None = None
    baseline_times: list[float] = field(default_factory=list)

    @property
    def reader_median(self) -> float:
        """Median of reader's times."""
        return statistics.median(self.reader_times)

    @property
    def reader_p95(self) -> float:
        """95th percentile of reader's times."""
        return percentile(self.reader_times, 95)

    @property
    def baseline_median(self) -> float | None:
        """Median of the baseline's times, when measured."""
        return statistics.median(self.baseline_times) if self.baseline_times else None

    @property
    def baseline_p95(self) -> float | None:
        """95th percentile of the baseline's times, when measured."""
        return percentile(self.baseline_times, 95) if self.baseline_times else None

    def to_json(self) -> dict[str, Any]:
        """The timings with their summaries, as plain JSON data."""
        data = asdict(self)
        data.update(
            reader_median=self.reader_median,
            reader_p95=self.reader_p95,
            baseline_median=self.baseline_median,
            baseline_p95=self.baseline_p95,
            ratio=None if not self.baseline_median else self.reader_median / self.baseline_median,
        )
        return data


def percentile(values: Sequence[float], percent: float) -> float:
    """The `percent`-th percentile, interpolated between the closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * percent / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def format_value(value: float | None, unit: str) -> str:
    """A time or a memory size for people: "12.3 ms", "4.56 s", "187 MB"."""
    if value is None:
        return "—"
    if unit == "KB":
        return f"{value / 1024:,.0f} MB"
    if value < 1e-3:
        return f"{value * 1e6:,.0f} µs"
    if value < 1:
        return f"{value * 1e3:,.1f} ms"
    return f"{value:,.2f} s"


def format_ratio(ratio: float | None) -> str:
    """The ratio as "0.42" + TIMES: reader takes 0.42 times as long as the baseline."""
    if ratio is None:
        return "—"
    if ratio < 0.01:
        return f"{ratio:.4f}{TIMES}"
    return f"{ratio:.2f}{TIMES}"


def verdict_mark(verdict: bool | None) -> str:
    """✓, ✗ or nothing."""
    return "" if verdict is None else ("✓" if verdict else "✗")


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    """An aligned plain-text table; the columns numbered in `right` align right."""
    widths = [len(header) for header in headers]
    for row in rows:
        for column, cell in enumerate(row):
            widths[column] = max(widths[column], len(cell))

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(widths[column]) if column in right else cell.ljust(widths[column])
            for column, cell in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths).rstrip()
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def figures_table(figures: Sequence[Figure]) -> str:
    """The main table: figure, reader, baseline, ratio, target, verdict."""
    rows = [
        [
            figure.name,
            format_value(figure.reader, figure.unit),
            format_value(figure.baseline, figure.unit),
            figure.baseline_name,
            format_ratio(figure.ratio),
            figure.target.text if figure.target else "",
            verdict_mark(figure.verdict),
        ]
        for figure in figures
    ]
    headers = ["figure", "reader", "baseline", "baseline is", "ratio", "target", ""]
    return table(headers, rows, right={1, 2, 4})


def queries_table(timings: Sequence[QueryTiming]) -> str:
    """Filter latency per query: matches, median and p95 for reader and the DataTable."""
    rows = []
    for timing in timings:
        baseline_median = timing.baseline_median
        ratio = None if not baseline_median else timing.reader_median / baseline_median
        rows.append(
            [
                timing.label,
                f"{timing.reader_rows:,}",
                format_value(timing.reader_median, "s"),
                format_value(timing.reader_p95, "s"),
                "—" if timing.baseline_rows is None else f"{timing.baseline_rows:,}",
                format_value(baseline_median, "s"),
                format_value(timing.baseline_p95, "s"),
                format_ratio(ratio),
            ]
        )
    headers = [
        "filter query",
        "matches",
        "median",
        "p95",
        "DataTable matches",
        "DT median",
        "DT p95",
        "ratio (median)",
    ]
    return table(headers, rows, right={1, 2, 3, 4, 5, 6, 7})
