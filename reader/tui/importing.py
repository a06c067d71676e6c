"""Getting papers into the app: a file, the clipboard, a fetch, the samples.

Every input goes through the core's one entry point (`reader.importing`), in a worker
that posts its progress; the screen shows it and refreshes the list at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reader import clipboard, importing
from reader.errors import ReaderError
from reader.library import ImportResult
from reader.tui.host import Host
from reader.tui.messages import ImportFinished, ImportProgress
from reader.tui.screens.paste import PasteScreen
from reader.tui.screens.prompt import PromptScreen

Run = Callable[[importing.Progress], ImportResult]
"""The worker's job: read (or fetch) the papers and import them, reporting progress."""


def start(host: Host, label: str, run: Run) -> None:
    """Import in a worker: `run` reads and stores in one transaction; the summary it
    gives (with the core's report: skipped lines, warnings) is shown at the end."""
    host.set_status(f"Importing {label}…")
    host.post_message(ImportProgress(done=0, total=0))

    def work() -> None:
        def progress(done: int, total: int) -> None:
            host.post_message(ImportProgress(done=done, total=total))

        try:
            result = run(progress)
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
        library = host.library
        start(
            host,
            path,
            lambda progress: importing.import_files(library, [path], progress=progress).result,
        )

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
    library = host.library
    start(
        host,
        label,
        lambda progress: (
            importing.import_text(library, text, where=label, progress=progress).result
        ),
    )


def samples(host: Host) -> None:
    """Import the bundled sample papers."""
    library = host.library
    start(
        host,
        "the sample papers",
        lambda progress: (
            importing.import_files(library, [], samples=True, progress=progress).result
        ),
    )


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
        library = host.library

        def run(progress: importing.Progress) -> ImportResult:
            items = feeds.fetch(config, request)
            return library.import_papers(items, progress=progress)

        start(host, request.label, run)

    host.app.push_screen(FetchScreen(subscriptions=subscriptions), chosen)
