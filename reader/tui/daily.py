"""The daily routine in the app: saved searches, watch lists, PDFs, all subscriptions.

- Saved searches: the number keys 1-9 (and the command palette) put `saved:NAME` in the
  filter; the status line says how many unread papers each has, recounted in a worker
  after every change.
- Watch lists (saved searches marked `watch`): their papers are marked in the list.
- PDFs: `O` opens the paper's arXiv PDF, downloading it first (in a worker, with
  progress) when it is not in the cache.
- The fetch dialog's first choice fetches every subscription (in a worker).

Workers never touch widgets: they post a `DailyUpdate` whose `apply` runs on the UI
thread, in order with the progress messages posted before it.
"""

from __future__ import annotations

import threading
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message
from textual.widgets import Input

from reader import saved
from reader.errors import ReaderError
from reader.saved import SavedSearch
from reader.text import one_line, plural
from reader.tui.messages import ImportProgress

if TYPE_CHECKING:
    from reader.settings import Settings
    from reader.tui.screens.main import MainScreen


@dataclass
class DailyUpdate(Message):
    """Something a worker of this module found, to apply on the UI thread."""

    apply: Callable[[MainScreen], None] = field(compare=False)


@dataclass(frozen=True, slots=True)
class Counts:
    """What a recount found: unread papers per saved search, and the watched rows."""

    unread: list[tuple[str, int | None]]
    """(name, unread matches) in the settings' order; None when its query fails."""
    watched: frozenset[int]
    error: str = ""


class Daily:
    """The state of the daily features on one screen (kept by `MainScreen`)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings
        """The user's settings (None: no saved searches, no subscriptions, defaults)."""
        self.counts = Counts([], frozenset())
        self._running = False
        self._pending = False
        self._last_download = 0.0
        self._lock = threading.Lock()

    def searches(self) -> list[SavedSearch]:
        """The saved searches; `ReaderError` when the settings cannot be read."""
        return [] if self.settings is None else saved.load(self.settings)

    # --- saved searches ------------------------------------------------------------------

    def status(self) -> str:
        """The status line's part: unread papers per saved search ("" without any)."""
        if self.counts.error:
            return f"saved searches: {self.counts.error}"
        parts = [
            f"{number} {one_line(name)} {'?' if count is None else count}"
            for number, (name, count) in enumerate(self.counts.unread, start=1)
        ]
        return ("unread: " + ", ".join(parts)) if parts else ""

    def recount(self, screen: MainScreen) -> None:
        """Count each saved search's unread papers and the watched rows, in a worker;
        while one count runs, one more is queued (the newest state is what matters)."""
        if self._running:
            self._pending = True
            return
        self._running, self._pending = True, False
        library = screen.library

        def work() -> None:
            try:
                found = self.searches()
                unread: list[tuple[str, int | None]] = []
                for search in found:
                    try:
                        unread.append((search.name, library.count(_unread(search))))
                    except ReaderError:
                        unread.append((search.name, None))
                watch = saved.watch_query(found)
                try:
                    rows = library.rowids(watch) if watch else array("q")
                except ReaderError:
                    rows = array("q")
                counts = Counts(unread, frozenset(rows))
            except ReaderError as error:
                counts = Counts([], frozenset(), one_line(str(error)))
            screen.post_message(DailyUpdate(lambda target: self._counted(target, counts)))

        screen.run_worker(work, thread=True, group="daily-counts", exit_on_error=False)

    def _counted(self, screen: MainScreen, counts: Counts) -> None:
        self.counts = counts
        self._running = False
        screen.paper_list.set_watched(counts.watched)
        screen.refresh_status()
        if self._pending:
            self.recount(screen)

    def apply_saved(self, screen: MainScreen, number: int) -> None:
        """Filter by the `number`-th saved search (1 is the first)."""
        try:
            found = self.searches()
        except ReaderError as error:
            screen.set_status(str(error), error=True)
            return
        if not 1 <= number <= len(found):
            known = ", ".join(f"{n} {s.name}" for n, s in enumerate(found, start=1))
            hint = f"saved: {known}" if known else "add one with `reader saved add NAME QUERY`"
            screen.set_status(f"No saved search {number} ({hint})")
            return
        # The filter shows the name, and runs the query as typed (the status line is
        # cleared by the filter's change, so the query is not repeated there).
        screen.query_one("#filter", Input).value = f"saved:{found[number - 1].name}"
        screen.set_focus(screen.paper_list)

    # --- PDFs ----------------------------------------------------------------------------

    def open_pdf(self, screen: MainScreen) -> None:
        """Open the paper's arXiv PDF, downloading it first (in a worker) when needed."""
        from reader import pdf
        from reader.importing import feed_config

        entry = screen.paper_list.current_entry
        if entry is None:
            screen.set_status("No paper selected")
            return
        try:
            arxiv_id = pdf.arxiv_id_of(entry.paper)
            limit = pdf.MAX_MB * 1024 * 1024
            if self.settings is not None:
                limit = pdf.max_bytes(self.settings)
            config = feed_config(screen.library.folder)
        except ReaderError as error:
            screen.set_status(str(error), error=True)
            return
        cached = pdf.is_cached(pdf.pdf_path(arxiv_id))
        verb = "Opening the PDF of" if cached else "Downloading the PDF of"
        screen.set_status(f"{verb} {arxiv_id}…")

        def work() -> None:
            def progress(done: int, total: int | None) -> None:
                screen.post_message(ImportProgress(done=done, total=total or 0))

            try:
                if not cached:
                    self._space_arxiv(config.arxiv_spacing)
                path = pdf.download(config, arxiv_id, limit=limit, progress=progress)
                pdf.open_file(path)
                message, error = f"Opened the PDF {path}", False
            except ReaderError as problem:
                message, error = f"No PDF: {problem}", True
            screen.post_message(DailyUpdate(lambda target: _finished(target, message, error)))

        screen.run_worker(work, thread=True, group="pdf", exit_on_error=False)

    def _space_arxiv(self, spacing: float) -> None:
        """Keep arXiv's spacing between this app's downloads (one client each)."""
        with self._lock:
            wait = self._last_download + spacing - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last_download = time.monotonic()

    # --- all subscriptions ----------------------------------------------------------------

    def subscription_names(self) -> list[str]:
        """The subscriptions' names, for the fetch dialog ([] when there are none, or
        the settings cannot be read: fetching them says why)."""
        from reader import subscriptions

        if self.settings is None:
            return []
        try:
            return [sub.name for sub in subscriptions.load(self.settings)]
        except ReaderError:
            return []

    def fetch_subscriptions(self, screen: MainScreen) -> None:
        """Fetch every subscription from where it stopped, in a worker; one status line."""
        from reader import subscriptions
        from reader.importing import feed_config
        from reader.settings import Settings

        settings = self.settings or Settings()
        try:
            known = subscriptions.load(settings)
            days = subscriptions.hf_days(settings)
            config = feed_config(screen.library.folder)
        except ReaderError as error:
            screen.set_status(str(error), error=True)
            return
        if not known:
            screen.set_status("No subscriptions: add one with `reader subscribe hf`")
            return
        screen.set_status(f"Fetching {plural(len(known), 'subscription')}…")
        screen.post_message(ImportProgress(done=0, total=len(known)))

        def work() -> None:
            new = updated = 0
            failed: list[str] = []
            outcomes = subscriptions.fetch_all(screen.library, known, config, days=days)
            for done, outcome in enumerate(outcomes, start=1):
                screen.post_message(ImportProgress(done=done, total=len(known)))
                if outcome.result is not None:
                    new, updated = new + outcome.result.new, updated + outcome.result.updated
                if not outcome.ok:
                    failed.append(f"{outcome.subscription.name} ({outcome.error})")
            text = f"Fetched {plural(len(known), 'subscription')}: {new} new, {updated} updated"
            if failed:
                text += f"; failed: {'; '.join(failed)}"
            update = DailyUpdate(lambda target: _fetched(target, text, bool(failed)))
            screen.post_message(update)

        screen.run_worker(work, thread=True, group="import", exit_on_error=False)


def _unread(search: SavedSearch) -> str:
    return f"saved:{search.name} is:unread"


def _finished(screen: MainScreen, message: str, error: bool) -> None:
    """A background task ended: its progress bar goes, its message stays."""
    screen.query("#progress").remove()
    screen.set_status(message, error=error)


def _fetched(screen: MainScreen, text: str, failed: bool) -> None:
    _finished(screen, text, failed)
    screen.paper_list.refresh_entries()
    screen.search_here()
    screen.daily.recount(screen)
