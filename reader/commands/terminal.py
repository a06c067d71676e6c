"""What every command shares about the terminal: its width, questions, progress lines."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from reader import output
from reader.text import plural

if TYPE_CHECKING:
    from reader.library import Library

SCHEMA_VERSION = 1
"""The `schema_version` of the JSON objects `--json` prints (show, stats, subscriptions,
saved list): raised when a field changes meaning or goes away, not when one is added."""


def terminal_width() -> int | None:
    """The width of the terminal stdout writes to, or None when it is not one."""
    # A closed stdout (`>&-`) is None.
    return shutil.get_terminal_size().columns if is_terminal(sys.stdout) else None


def is_terminal(stream: TextIO | None) -> bool:
    """Whether `stream` is open and a terminal."""
    return stream is not None and stream.isatty()


def progress_printer() -> Callable[[int], None] | None:
    """Report fetch progress on stderr when it is a terminal (pages can take seconds)."""
    if not is_terminal(sys.stderr):
        return None

    def show(done: int) -> None:
        output.rewrite_line(f"… {plural(done, 'paper')} so far")

    return show


def say_waiting() -> None:
    """Say on stderr that another process's import makes this one wait."""
    print("reader: waiting for another import to finish…", file=sys.stderr, flush=True)


def import_progress() -> Callable[[int, int], None] | None:
    """A percentage on stderr for large imports, when stderr is a terminal."""
    if not is_terminal(sys.stderr):
        return None

    def show(done: int, total: int) -> None:
        if not total:
            # A stream of unknown length (the snapshot on standard input).
            output.rewrite_line(f"Importing… {done:,} papers")
            return
        end = "\n" if done >= total else ""
        output.rewrite_line(f"Importing… {100 * done // max(total, 1)}%", end=end)

    return show


def print_json(data: dict[str, Any]) -> None:
    """Print `data` as a JSON object led by its `schema_version`."""
    from reader.render import json_text

    print(json_text({"schema_version": SCHEMA_VERSION, **data}))


def clear_progress() -> None:
    """Blank the progress line on stderr (when it is a terminal) for what follows."""
    if is_terminal(sys.stderr):
        output.rewrite_line(" " * (shutil.get_terminal_size().columns - 1))
        output.rewrite_line("")


def say_ranking_problem(library: Library) -> None:
    """An import whose vectors could not be stored still counts: say so, once."""
    if library.ranking_problem:
        print(
            f"reader: {library.ranking_problem} (the papers are imported; the ranking"
            " catches up later)",
            file=sys.stderr,
        )
