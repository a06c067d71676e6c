"""What the triage keys do: to the paper under the cursor, or to the selected papers.

`Triage` is the screen's helper for read, star, note, tags, not interested, mark-all,
copy, open and export; with a selection (`m`, `M`) the same keys act on every selected
paper, each action one undo step. The screen's `action_*` methods are one line each,
calling in here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol

from textual.app import App

from reader.cite import citation, title_and_link
from reader.library import Library
from reader.model import Change, Entry
from reader.query import Query
from reader.text import one_line, plural
from reader.tui.changes import Changes
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.widgets.paper_list import PaperList


class TriageHost(Protocol):
    """What triage needs from the screen."""

    library: Library
    changes: Changes

    @property
    def app(self) -> App[Any]:
        """The running app (dialogs are pushed on it)."""

    @property
    def paper_list(self) -> PaperList:
        """The list: the paper under the cursor and the selection."""

    @property
    def filter_query(self) -> Query:
        """The current filter."""

    @property
    def sort(self) -> str:
        """The current sort."""

    def set_status(self, text: str, *, error: bool = False) -> None:
        """Say what happened."""

    def matching(self, verb: str) -> int:
        """How many papers the filter matches (0, and the status line says why, when a
        bulk action must not run)."""

    def run_worker(self, work: Any, *args: Any, **kwargs: Any) -> Any:
        """Textual's `run_worker`."""

    def post_message(self, message: Any) -> bool:
        """Post to the screen (thread-safe)."""


class Triage:
    """The triage actions of one screen."""

    def __init__(self, host: TriageHost) -> None:
        self._host = host

    # --- what the keys act on ----------------------------------------------------------

    def current(self) -> Entry | None:
        """The paper under the cursor (the status line says so when there is none)."""
        entry = self._host.paper_list.current_entry
        if entry is None:
            self._host.set_status("No paper selected")
        return entry

    def selection(self) -> list[Entry]:
        """The selected papers, in list order (empty without a selection)."""
        paper_list = self._host.paper_list
        if not paper_list.selected:
            return []
        ordered = [rowid for rowid in paper_list.rowids if rowid in paper_list.selected]
        rows = self._host.library.rows(ordered)
        return [rows[rowid] for rowid in ordered if rowid in rows]

    # --- triage ------------------------------------------------------------------------

    def toggle_read(self) -> None:
        """Toggle read (all selected papers: read, or unread when all are read)."""
        if self._toggle("read", "Read", "Unread"):
            # Marking read moves on to the next paper, as triage goes.
            self._host.paper_list.action_cursor_down()

    def toggle_star(self) -> None:
        """Star or unstar (all selected papers: star, or unstar when all are starred)."""
        self._toggle("starred", "Starred", "Unstarred")

    def _toggle(self, name: str, on: str, off: str) -> bool:
        """Flip a flag of the paper, or set it on every selected paper (off when all have
        it). True when the paper under the cursor was set on."""
        library = self._host.library
        setter = library.set_read if name == "read" else library.set_starred
        chosen = self.selection()
        if chosen:
            value = not all(getattr(entry.state, name) for entry in chosen)
            keys = [entry.key for entry in chosen]
            label = f"{on if value else off}: {plural(len(keys), 'selected paper')}"
            self._many(label, lambda: setter(keys, value), len(keys))
            return False
        entry = self.current()
        if entry is None:
            return False
        value = not getattr(entry.state, name)
        label = f"{on if value else off}: {short(entry.paper.title)}"
        return self._one(label, lambda: setter([entry.key], value)) and value

    def not_interested(self) -> None:
        """Dismiss the paper (it is marked read too, in the same undo step) and move on, or
        take a dismissal back; with a selection, dismiss every selected paper (or take
        them all back when all are dismissed)."""
        library = self._host.library
        chosen = self.selection()
        if chosen:
            value = not all(entry.state.dismissed for entry in chosen)
            keys = [entry.key for entry in chosen]
            verb = "Not interested" if value else "Interested again"
            label = f"{verb}: {plural(len(keys), 'selected paper')}"
            self._host.changes.apply_many(
                label, lambda: library.set_dismissed(keys, value), len(keys)
            )
            return
        entry = self.current()
        if entry is None:
            return
        value = not entry.state.dismissed
        verb = "Not interested" if value else "Interested again"
        label = f"{verb}: {short(entry.paper.title)}"
        dismiss = lambda: library.set_dismissed([entry.key], value)  # noqa: E731
        if self._host.changes.apply(label, dismiss) and value:
            self._host.paper_list.action_cursor_down()

    def edit_note(self) -> None:
        """Write or edit the note of the paper under the cursor."""
        from reader.tui.screens.note_editor import NoteEditor  # loaded at the first use

        entry = self.current()
        if entry is None:
            return
        library = self._host.library

        def save(note: str | None) -> None:
            if note is None or note == entry.state.note:
                self._host.set_status("Note unchanged")
                return
            label = f"Note {'saved' if note else 'removed'}: {short(entry.paper.title)}"
            self._one(label, lambda: library.set_note(entry.key, note))

        self._host.app.push_screen(NoteEditor(entry.paper.title, entry.state.note), save)

    def edit_tags(self) -> None:
        """Edit the paper's tags; with a selection, add tags to every selected paper."""
        from reader.tui.screens.tag_editor import TagEditor  # loaded at the first use

        library = self._host.library
        known = library.all_tags()
        chosen = self.selection()
        if chosen:
            keys = [entry.key for entry in chosen]

            def add(tags: tuple[str, ...] | None) -> None:
                if not tags:
                    self._host.set_status("Tags unchanged")
                    return
                shown = " ".join(f"#{tag}" for tag in tags)
                label = f"Tags {shown} added to {plural(len(keys), 'paper')}"
                self._many(label, lambda: library.add_tags(keys, tags), len(keys))

            title = f"Add tags to {plural(len(keys), 'selected paper')}"
            self._host.app.push_screen(TagEditor(title, (), known), add)
            return
        entry = self.current()
        if entry is None:
            return

        def save(tags: tuple[str, ...] | None) -> None:
            if tags is None or tags == entry.state.tags:
                self._host.set_status("Tags unchanged")
                return
            shown = " ".join(f"#{tag}" for tag in tags) or "no tags"
            label = f"Tags {shown}: {short(entry.paper.title, 32)}"
            self._one(label, lambda: library.set_tags(entry.key, tags))

        self._host.app.push_screen(TagEditor(entry.paper.title, entry.state.tags, known), save)

    def mark_all_read(self) -> None:
        """Mark every paper matching the filter read, after confirming how many."""
        count = self._host.matching("mark")
        if not count:
            return
        library, query = self._host.library, self._host.filter_query

        def confirmed(yes: bool | None) -> None:
            if not yes:
                self._host.set_status("Nothing marked")
                return
            label = f"Marked {plural(count, 'paper')} read"
            self._many(label, lambda: library.mark_matching_read(query), count)

        question = f"Mark all {plural(count, 'matching paper')} as read?"
        self._host.app.push_screen(ConfirmScreen(question, yes="Mark read", no="Cancel"), confirmed)

    # --- sharing -----------------------------------------------------------------------

    def open_link(self) -> None:
        """Open the paper's page in the browser (only http and https links)."""
        from reader.tui import sharing  # loaded at the first use

        entry = self.current()
        if entry is not None:
            sharing.open_link(self._host, entry.paper)

    def copy_link(self) -> None:
        """Copy the title and link (or the title alone, saying so, when there is none)."""
        from reader.tui import sharing  # loaded at the first use

        entry = self.current()
        if entry is None:
            return
        text = title_and_link(entry.paper)
        what = "title and link" if text != one_line(entry.paper.title) else "title (no link known)"
        sharing.copy(self._host, text, what)

    def copy_citation(self) -> None:
        """Copy a one-line citation."""
        from reader.tui import sharing  # loaded at the first use

        entry = self.current()
        if entry is not None:
            sharing.copy(self._host, citation(entry.paper), "citation")

    def copy_bibtex(self) -> None:
        """Copy the BibTeX of the selection, or of the paper under the cursor."""
        from reader.export.bibtex import to_bibtex
        from reader.tui import sharing

        chosen = self.selection()
        if chosen:
            sharing.copy(
                self._host, to_bibtex(chosen), f"the BibTeX of {plural(len(chosen), 'paper')}"
            )
            return
        entry = self.current()
        if entry is not None:
            sharing.copy(self._host, to_bibtex([entry]), "the paper's BibTeX")

    def export_starred(self) -> None:
        """Export the starred papers (Markdown unless the file name says otherwise)."""
        from reader.tui import sharing  # loaded at the first use

        library, sort = self._host.library, self._host.sort
        count = library.count("is:starred")
        if not count:
            self._host.set_status("No starred papers to export (star papers with s)")
            return
        sharing.ask_export(
            self._host,
            count,
            "starred paper",
            f"starred-papers-{date.today().isoformat()}.md",
            lambda: library.entries("is:starred", sort),
            title="Starred papers",
        )

    def export_matches(self) -> None:
        """Export the selection, else the papers matching the filter (BibTeX by default)."""
        from reader.tui import sharing  # loaded at the first use

        chosen = self.selection()
        name = f"papers-{date.today().isoformat()}.bib"
        if chosen:
            sharing.ask_export(self._host, len(chosen), "selected paper", name, lambda: chosen)
            return
        count = self._host.matching("export")
        if not count:
            return
        library, query, sort = self._host.library, self._host.filter_query, self._host.sort
        sharing.ask_export(self._host, count, "paper", name, lambda: library.entries(query, sort))

    # --- internals -----------------------------------------------------------------------

    def _one(self, label: str, make: Callable[[], Change]) -> bool:
        return self._host.changes.apply(label, lambda: [make()])

    def _many(self, label: str, make: Callable[[], Change], count: int) -> None:
        def made() -> Sequence[Change]:
            return [make()]

        self._host.changes.apply_many(label, made, count)


def short(title: str, width: int = 48) -> str:
    """A title on one line, cut to `width` characters for the status line."""
    text = one_line(title)
    return text if len(text) <= width else text[: width - 1] + "…"
