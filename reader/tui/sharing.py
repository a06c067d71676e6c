"""Getting papers out of the app: open, copy, and export to a file (then the clipboard).

Exports are rendered and written in a worker: a BibTeX file of 100,000 papers takes
seconds, and the app must not freeze meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from reader import clipboard
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

Render = Callable[[Sequence[Entry]], str]


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
    entries: Sequence[Entry],
    noun: str,
    file_name: str,
    kind: str,
    render: Render,
) -> None:
    """Ask for a path (confirming before replacing a file), then export in a worker."""

    def chosen(path_text: str | None) -> None:
        if not path_text:
            host.set_status("Export cancelled")
            return
        path = Path(path_text).expanduser()
        if path.exists() and not path.is_dir():
            host.app.push_screen(
                ConfirmScreen(f"{path} exists. Replace it?", yes="Replace", no="Cancel"),
                lambda yes: (
                    _start(host, entries, path, noun, kind, render)
                    if yes
                    else host.set_status("Export cancelled")
                ),
            )
            return
        _start(host, entries, path, noun, kind, render)

    host.app.push_screen(
        PromptScreen(
            f"Export {plural(len(entries), noun)} to a {kind} file",
            value=str(Path.cwd() / file_name),
            complete_paths=True,
        ),
        chosen,
    )


def _start(
    host: Host, entries: Sequence[Entry], path: Path, noun: str, kind: str, render: Render
) -> None:
    host.set_status(f"Exporting {plural(len(entries), noun)}…")

    def work() -> None:
        try:
            text = render(entries)
            write_text_atomic(path, text, force=True)
        except ReaderError as error:
            host.app.call_from_thread(host.set_status, str(error), error=True)
            return
        host.app.call_from_thread(_written, host, text, path, len(entries), noun, kind)

    host.run_worker(work, thread=True, group="export", exit_on_error=False)


def _written(host: Host, text: str, path: Path, count: int, noun: str, kind: str) -> None:
    host.set_status(f"Exported {plural(count, noun)} to {path}")
    if len(text.encode("utf-8", "replace")) > CLIPBOARD_LIMIT:
        return  # too large to paste anywhere sensible: the file is the export

    def copy_too(yes: bool | None) -> None:
        if yes:
            copy(host, text, f"the {kind}")

    host.app.push_screen(ConfirmScreen(f"Copy the {kind} to the clipboard too?"), copy_too)
