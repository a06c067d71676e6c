"""Getting papers out of the app: open, copy, and export to a file (then the clipboard).

Exports are rendered and written in a worker: a BibTeX file of 100,000 papers takes
seconds, and the app must not freeze meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reader import clipboard, export
from reader.browser import open_in_browser
from reader.cite import web_link
from reader.errors import ReaderError
from reader.fileio import write_text_atomic
from reader.model import Entry, Paper
from reader.text import plural
from reader.tui.host import Host
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.prompt import PromptScreen

CLIPBOARD_LIMIT = 1 << 20
"""An export larger than this (1 MB) is never offered for the clipboard."""

Load = Callable[[], Sequence[Entry]]
"""Loads the papers to export (in the worker)."""


def open_link(host: Host, paper: Paper) -> None:
    """Open the paper's page in the browser (only http and https links)."""
    link = web_link(paper)
    if link is None:
        host.set_status("This paper has no link (no arXiv id is known for it)", error=True)
        return
    try:
        open_in_browser(link)
    except ReaderError as error:
        host.set_status(str(error), error=True)
        return
    host.set_status(f"Opened {link}")


def copy(host: Host, text: str, what: str) -> None:
    """Copy `text`, saying how: the system clipboard, or the terminal's (OSC 52)."""
    if clipboard.copy_to_system(text):
        host.set_status(f"Copied {what} to the clipboard")
    else:
        # No system clipboard (SSH, headless): ask the terminal to do it.
        host.app.copy_to_clipboard(text)
        host.set_status(f"Copied {what} through the terminal (OSC 52; no system clipboard)")


def ask_export(
    host: Host,
    count: int,
    noun: str,
    file_name: str,
    load: Load,
    title: str = "Papers",
) -> None:
    """Ask for a path (confirming before replacing a file), then export in a worker.

    The file name's suffix picks the format (`reader.export.FORMATS`: .md, .json, .jsonl,
    .bib); `file_name` proposes one. The papers are loaded in the worker too: at 100,000
    papers that takes seconds.
    """
    suffixes = ", ".join(fmt.suffix for fmt in export.FORMATS.values())

    def chosen(path_text: str | None) -> None:
        if not path_text:
            host.set_status("Export cancelled")
            return
        path = Path(path_text).expanduser()
        fmt = export.for_suffix(path.name) or export.for_suffix(file_name)
        assert fmt is not None
        job = _Export(path, fmt, noun, title, load)
        if path.exists() and not path.is_dir():
            host.app.push_screen(
                ConfirmScreen(f"{path} exists. Replace it?", yes="Replace", no="Cancel"),
                lambda yes: _start(host, job) if yes else host.set_status("Export cancelled"),
            )
            return
        _start(host, job)

    host.app.push_screen(
        PromptScreen(
            f"Export {plural(count, noun)} to a file",
            value=str(Path.cwd() / file_name),
            complete_paths=True,
            hint=f"The file name's suffix picks the format: {suffixes}",
        ),
        chosen,
    )


@dataclass(frozen=True, slots=True)
class _Export:
    path: Path
    fmt: export.Format
    noun: str
    title: str
    load: Load


def _start(host: Host, job: _Export) -> None:
    host.set_status(f"Exporting to {job.path}…")

    def work() -> None:
        try:
            entries = job.load()
            text = job.fmt.render(entries, title=job.title)
            write_text_atomic(job.path, text, force=True)
        except ReaderError as error:
            host.app.call_from_thread(host.set_status, str(error), error=True)
            return
        host.app.call_from_thread(_written, host, job, text, len(entries))

    host.run_worker(work, thread=True, group="export", exit_on_error=False)


def _written(host: Host, job: _Export, text: str, count: int) -> None:
    label = job.fmt.label
    host.set_status(f"Exported {plural(count, job.noun)} to {job.path} ({label})")
    if len(text.encode("utf-8", "replace")) > CLIPBOARD_LIMIT:
        return  # too large to paste anywhere sensible: the file is the export

    def copy_too(yes: bool | None) -> None:
        if yes:
            copy(host, text, f"the {label}")

    host.app.push_screen(ConfirmScreen(f"Copy the {label} to the clipboard too?"), copy_too)
