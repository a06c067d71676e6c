"""Sync in the app: on start, every `sync_minutes` while open, and on quit, when the
settings name a shared folder (`sync_dir`; see `reader.sync`).

The sync runs in a worker; what it merged reaches the screen as a `DiskChanged`, the
same message the poll posts when another process changed the library, so the list and
the preview refresh on the same paper. A failed sync is said on the status line (and, at
quit, printed after the app closes); the app goes on.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from reader.errors import ReaderError
from reader.text import one_line, plural
from reader.tui.messages import DiskChanged

if TYPE_CHECKING:
    from reader.settings import Settings
    from reader.sync.engine import SyncReport
    from reader.tui.screens.main import MainScreen


class AutoSync:
    """The app's syncs with the shared folder of the settings (none when unset)."""

    def __init__(self, settings: Settings | None) -> None:
        self._settings = settings
        self._running = threading.Lock()
        self.folder: Path | None = None
        self.minutes = 0
        self.problem = ""
        """Why the settings' sync could not be used ("" when fine or unset)."""
        if settings is None:
            return
        from reader.sync.settings import sync_folder, sync_minutes

        try:
            self.folder = sync_folder(settings)
            self.minutes = sync_minutes(settings)
        except ReaderError as error:
            self.problem = str(error)

    def start(self, screen: MainScreen) -> None:
        """Sync now, and every `minutes` from now on."""
        if self.problem:
            screen.set_status(self.problem, error=True)
        if self.folder is None:
            return
        self.sync_in_background(screen)
        if self.minutes:
            screen.set_interval(self.minutes * 60, lambda: self.sync_in_background(screen))

    def sync_in_background(self, screen: MainScreen) -> None:
        """One sync in a worker (skipped while another is still running)."""
        screen.run_worker(
            lambda: self._sync_worker(screen), thread=True, group="sync", exit_on_error=False
        )

    def _sync_worker(self, screen: MainScreen) -> None:
        if not self._running.acquire(blocking=False):
            return
        try:
            report = self.sync_now(screen)
        except ReaderError as error:
            screen.post_message(DiskChanged(state=False, catalog=False, error=f"Sync: {error}"))
            return
        finally:
            self._running.release()
        screen.post_message(DiskChanged(state=True, catalog=report.papers_received > 0))
        screen.app.call_from_thread(screen.set_status, summary(report))

    def sync_now(self, screen: MainScreen) -> SyncReport:
        """One sync, here and now (`ReaderError` when it fails)."""
        from reader.sync.engine import sync

        assert self.folder is not None
        return sync(screen.library, self.folder)

    def at_quit(self, screen: MainScreen) -> str | None:
        """The last sync before the app closes; what went wrong, or None."""
        if self.folder is None:
            return None
        with self._running:
            try:
                self.sync_now(screen)
            except ReaderError as error:
                return f"reader: sync at quit failed: {error}"
        return None


def summary(report: SyncReport) -> str:
    """The status line after a sync."""
    parts = [f"Synced: sent {plural(report.sent, 'change')}"]
    if report.received:
        parts.append(f"{plural(report.received, 'paper')} changed here")
    if report.papers_received:
        parts.append(f"{plural(report.papers_received, 'paper')} arrived")
    if report.conflicts:
        parts.append(f"{plural(len(report.conflicts), 'note')} with a conflict copy")
    return one_line(", ".join(parts))
