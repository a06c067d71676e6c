"""Getting papers into the app: a file, the clipboard, a fetch, the samples.

Every input goes through the core's one entry point (`reader.importing`), in a worker
that posts its progress; the screen shows it and refreshes the list at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reader import clipboard, importing
from reader.errors import ReaderError
from reader.model import Incoming
from reader.tui.host import Host
from reader.tui.messages import ImportFinished, ImportProgress
from reader.tui.screens.paste import PasteScreen
from reader.tui.screens.prompt import PromptScreen

Load = Callable[[], list[Incoming]]
"""The worker's first step: read (or fetch) the papers."""


def start(host: Host, label: str, load: Load) -> None:
    """Import in a worker: `load()` gives the papers, then one transaction stores them."""
    host.set_status(f"Importing {label}…")
    host.post_message(ImportProgress(done=0, total=0))

    def work() -> None:
        try:
            items = load()
            host.post_message(ImportProgress(done=0, total=2 * len(items)))

            def progress(done: int, total: int) -> None:
                host.post_message(ImportProgress(done=done, total=total))

            result = host.library.import_papers(items, progress=progress)
        except ReaderError as error:
            host.post_message(ImportFinished(label=label, result=None, error=str(error)))
            return
        host.post_message(ImportFinished(label=label, result=result))

    host.run_worker(work, thread=True, group="import", exit_on_error=False)


def ask_file(host: Host) -> None:
    """Ask for a file and import it (any input format, detected from the content)."""

    def chosen(path_text: str | None) -> None:
        if not path_text:
            host.set_status("Import cancelled")
            return
        path = str(Path(path_text).expanduser())
        folder = host.library.folder
        start(host, path, lambda: importing.read_files([path], library_folder=folder))

    host.app.push_screen(
        PromptScreen(
            "Import papers from a file",
            placeholder="a saved Daily Papers page, JSON, JSON Lines, BibTeX, a feed, arXiv ids…",
            complete_paths=True,
        ),
        chosen,
    )


def from_clipboard(host: Host) -> None:
    """Import copied text from the clipboard, or from a box to paste it into."""
    text = clipboard.paste_from_system()
    if text and text.strip():
        _text(host, text, "the clipboard")
        return

    def pasted(text: str | None) -> None:
        if text:
            _text(host, text, "the pasted text")
        else:
            host.set_status("Import cancelled")

    host.app.push_screen(
        PasteScreen(
            "Paste a copied Daily Papers page (or any input format)",
            "No system clipboard here: paste with your terminal (e.g. Ctrl+Shift+V), "
            "then Ctrl+S to import.",
        ),
        pasted,
    )


def _text(host: Host, text: str, label: str) -> None:
    folder = host.library.folder
    start(host, label, lambda: importing.read_text(text, where=label, library_folder=folder))


def samples(host: Host) -> None:
    """Import the bundled sample papers."""
    start(host, "the sample papers", importing.sample_items)


def fetch(host: Host, subscriptions: list[str], fetch_all: Callable[[], None]) -> None:
    """Ask what to fetch (a dialog; every subscription first), then fetch and import in
    a worker. `fetch_all` fetches the subscriptions."""
    from reader import feeds
    from reader.tui.screens.fetch import FetchScreen

    def chosen(request: feeds.FetchRequest | str | None) -> None:
        if request is None:
            host.set_status("Fetch cancelled")
            return
        if isinstance(request, str):  # ALL
            fetch_all()
            return
        config = importing.feed_config(host.library.folder)
        start(host, request.label, lambda: feeds.fetch(config, request))

    host.app.push_screen(FetchScreen(subscriptions=subscriptions), chosen)
