"""What the keys do to papers: triage, undo, copy, open, export and import.

A mixin of `ReaderApp`, kept apart so that the app module stays about layout and flow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from reader import clipboard, export
from reader.browser import open_in_browser
from reader.cite import citation, title_and_link, web_link
from reader.errors import ReaderError
from reader.fileio import read_text_input, write_text_atomic
from reader.history import Step
from reader.model import Change, Entry
from reader.sources import Incoming
from reader.sources.detect import parse_text
from reader.text import one_line, plural
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.fetch import FetchRequest
from reader.tui.screens.note_editor import NoteEditor
from reader.tui.screens.paste import PasteScreen
from reader.tui.screens.prompt import PromptScreen
from reader.tui.screens.tag_editor import TagEditor

if TYPE_CHECKING:
    from reader.tui.app import ReaderApp

    _Base = ReaderApp
else:
    _Base = object


def _short(title: str, width: int = 48) -> str:
    text = one_line(title)
    return text if len(text) <= width else text[: width - 1] + "…"


class PaperActions(_Base):
    """The app's actions on the paper under the cursor and on the library."""

    # --- helpers -----------------------------------------------------------------------

    def _current(self) -> Entry | None:
        entry = self.paper_list.current_entry
        if entry is None:
            self.set_status("No paper selected")
        return entry

    def _apply(self, label: str, make: Callable[[], Change]) -> bool:
        """Make a state change, record it for undo and redraw the papers it touched."""
        try:
            change = make()
        except ReaderError as error:
            self.set_status(str(error), error=True)
            return False
        self.history.record(label, [change])
        self._changed(change.keys)
        self.set_status(label if change.before else f"{label} (no change)")
        return True

    def _changed(self, keys: Sequence[str]) -> None:
        self.paper_list.refresh_entries(keys if len(keys) < 500 else None)

    # --- triage ------------------------------------------------------------------------

    def action_toggle_read(self) -> None:
        """Toggle read; marking read moves on to the next paper, as triage goes."""
        entry = self._current()
        if entry is None:
            return
        read = not entry.state.read
        label = f"{'Read' if read else 'Unread'}: {_short(entry.paper.title)}"
        if self._apply(label, lambda: self.library.set_read([entry.key], read)) and read:
            self.paper_list.action_cursor_down()

    def action_toggle_star(self) -> None:
        """Star or unstar the paper under the cursor."""
        entry = self._current()
        if entry is None:
            return
        starred = not entry.state.starred
        label = f"{'Starred' if starred else 'Unstarred'}: {_short(entry.paper.title)}"
        self._apply(label, lambda: self.library.set_starred([entry.key], starred))

    def action_edit_note(self) -> None:
        """Write or edit the paper's note in a modal editor."""
        entry = self._current()
        if entry is None:
            return

        def save(note: str | None) -> None:
            if note is None or note == entry.state.note:
                self.set_status("Note unchanged")
                return
            label = f"Note {'saved' if note else 'removed'}: {_short(entry.paper.title)}"
            self._apply(label, lambda: self.library.set_note(entry.key, note))

        self.push_screen(NoteEditor(entry.paper.title, entry.state.note), save)

    def action_edit_tags(self) -> None:
        """Edit the paper's tags, with completion of the tags already in use."""
        entry = self._current()
        if entry is None:
            return

        def save(tags: tuple[str, ...] | None) -> None:
            if tags is None or tags == entry.state.tags:
                self.set_status("Tags unchanged")
                return
            shown = " ".join(f"#{tag}" for tag in tags) or "no tags"
            self._apply(
                f"Tags {shown}: {_short(entry.paper.title, 32)}",
                lambda: self.library.set_tags(entry.key, tags),
            )

        self.push_screen(
            TagEditor(entry.paper.title, entry.state.tags, self.library.all_tags()), save
        )

    def action_mark_all_read(self) -> None:
        """Mark every paper matching the filter read, after confirming how many."""
        count = self.paper_list.row_count
        if not count:
            self.set_status("No papers match the filter")
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                self.set_status("Nothing marked")
                return
            keys = self.library.keys(self.filter_query, self.sort)
            self._apply(
                f"Marked {plural(len(keys), 'paper')} read",
                lambda: self.library.set_read(keys, True),
            )

        question = f"Mark all {plural(count, 'matching paper')} as read?"
        self.push_screen(ConfirmScreen(question, yes="Mark read", no="Cancel"), confirmed)

    def action_undo(self) -> None:
        """Undo the last state change (several steps deep)."""
        self._step(self.history.undo, "Undone", "Nothing to undo")

    def action_redo(self) -> None:
        """Redo the last undone change."""
        self._step(self.history.redo, "Redone", "Nothing to redo")

    def _step(self, move: Callable[[], Step | None], verb: str, nothing: str) -> None:
        try:
            step = move()
        except ReaderError as error:
            self.set_status(str(error), error=True)
            return
        if step is None:
            self.set_status(nothing)
            return
        self._changed(step.keys)
        self.set_status(f"{verb}: {step.label}")

    # --- sharing -----------------------------------------------------------------------

    def action_open_link(self) -> None:
        """Open the paper's page in the browser (only http and https links)."""
        entry = self._current()
        if entry is None:
            return
        link = web_link(entry.paper)
        if link is None:
            self.set_status("This paper has no link (no arXiv id is known for it)", error=True)
            return
        try:
            open_in_browser(link)
        except ReaderError as error:
            self.set_status(str(error), error=True)
            return
        self.set_status(f"Opened {link}")

    def action_copy_link(self) -> None:
        """Copy the title and link."""
        entry = self._current()
        if entry is not None:
            self._copy(title_and_link(entry.paper), "title and link")

    def action_copy_citation(self) -> None:
        """Copy a one-line citation."""
        entry = self._current()
        if entry is not None:
            self._copy(citation(entry.paper), "citation")

    def _copy(self, text: str, what: str) -> None:
        if clipboard.copy_to_system(text):
            self.set_status(f"Copied {what} to the clipboard")
        else:
            # No system clipboard (SSH, headless): ask the terminal to do it.
            self.copy_to_clipboard(text)
            self.set_status(f"Copied {what} through the terminal (OSC 52; no system clipboard)")

    def action_export_starred(self) -> None:
        """Export the starred papers to a Markdown file, then offer the clipboard too."""
        entries = self.library.entries("is:starred", self.sort)
        if not entries:
            self.set_status("No starred papers to export (star papers with s)")
            return
        name = f"starred-papers-{date.today().isoformat()}.md"
        self._ask_export(entries, "starred paper", name, "Markdown", export.to_markdown)

    def action_export_bibtex(self) -> None:
        """Export the papers matching the filter to a BibTeX file."""
        from reader.bibtex_export import to_bibtex

        entries = self.library.entries(self.filter_query, self.sort)
        if not entries:
            self.set_status("No papers match the filter")
            return
        name = f"papers-{date.today().isoformat()}.bib"
        self._ask_export(entries, "paper", name, "BibTeX", to_bibtex)

    def _ask_export(
        self,
        entries: list[Entry],
        noun: str,
        file_name: str,
        kind: str,
        render: Callable[[Sequence[Entry]], str],
    ) -> None:
        """Ask for a path (confirming before replacing a file), then write the export."""

        def write(path: Path) -> None:
            self._export(entries, path, noun, kind, render)

        def chosen(path_text: str | None) -> None:
            if not path_text:
                self.set_status("Export cancelled")
                return
            path = Path(path_text).expanduser()
            if path.exists() and not path.is_dir():
                self.push_screen(
                    ConfirmScreen(f"{path} exists. Replace it?", yes="Replace", no="Cancel"),
                    lambda yes: write(path) if yes else self.set_status("Export cancelled"),
                )
                return
            write(path)

        self.push_screen(
            PromptScreen(
                f"Export {plural(len(entries), noun)} to a {kind} file",
                value=str(Path.cwd() / file_name),
                complete_paths=True,
            ),
            chosen,
        )

    def _export(
        self,
        entries: list[Entry],
        path: Path,
        noun: str,
        kind: str,
        render: Callable[[Sequence[Entry]], str],
    ) -> None:
        text = render(entries)
        try:
            write_text_atomic(path, text, force=True)
        except ReaderError as error:
            self.set_status(str(error), error=True)
            return
        self.set_status(f"Exported {plural(len(entries), noun)} to {path}")

        def copy_too(yes: bool | None) -> None:
            if yes:
                self._copy(text, f"the {kind}")

        self.push_screen(ConfirmScreen(f"Copy the {kind} to the clipboard too?"), copy_too)

    # --- importing ---------------------------------------------------------------------

    def action_import_file(self) -> None:
        """Import a file (Daily Papers page text, JSON or JSON Lines)."""

        def chosen(path_text: str | None) -> None:
            if not path_text:
                self.set_status("Import cancelled")
                return
            path = str(Path(path_text).expanduser())
            self.start_import(path, lambda: parse_text(read_text_input(path), where=path))

        self.push_screen(
            PromptScreen(
                "Import papers from a file",
                placeholder="path to a saved Daily Papers page, JSON or JSON Lines",
                complete_paths=True,
            ),
            chosen,
        )

    def action_import_clipboard(self) -> None:
        """Import Daily Papers page text from the clipboard (or pasted into a box)."""
        text = clipboard.paste_from_system()
        if text and text.strip():
            self._import_text(text, "the clipboard")
            return

        def pasted(text: str | None) -> None:
            if text:
                self._import_text(text, "the pasted text")
            else:
                self.set_status("Import cancelled")

        self.push_screen(
            PasteScreen(
                "Paste a copied Daily Papers page",
                "No system clipboard here: paste with your terminal (e.g. Ctrl+Shift+V), "
                "then Ctrl+S to import.",
            ),
            pasted,
        )

    def _import_text(self, text: str, label: str) -> None:
        self.start_import(label, lambda: parse_text(text, where=label))

    def action_fetch(self) -> None:
        """Fetch papers from Hugging Face or arXiv (a dialog, then a worker)."""
        from reader.tui.screens.fetch import FetchScreen

        def chosen(request: FetchRequest | None) -> None:
            if request is None:
                self.set_status("Fetch cancelled")
                return
            self.start_import(_fetch_label(request.source, request.value), _fetcher(self, request))

        self.push_screen(FetchScreen(), chosen)

    def action_load_samples(self) -> None:
        """Import the bundled sample papers."""
        from reader.data import sample_pages

        def load() -> list[Incoming]:
            items: list[Incoming] = []
            for name, text in sample_pages():
                items.extend(parse_text(text, "hf-page", where=name))
            return items

        self.start_import("the sample papers", load)


def _fetch_label(source: str, value: str) -> str:
    return {
        "hf": f"Hugging Face Daily Papers ({value})",
        "arxiv": f"arXiv search {value!r}",
        "rss": f"the arXiv listing of {value}",
    }[source]


def _fetcher(app: PaperActions, request: FetchRequest) -> Callable[[], list[Incoming]]:
    """The worker's job for a fetch request: network first, then the usual import."""
    import os
    import re

    from reader import feeds
    from reader.settings import Settings

    source, value = request.source, request.value
    config = feeds.FeedConfig.load(os.environ, Settings(app.library.folder))

    def load() -> list[Incoming]:
        if source == "hf":
            if re.fullmatch(r"\d{4}-W\d{2}", value):
                return feeds.fetch_hf(config, week=value)
            if re.fullmatch(r"\d{4}-\d{2}", value):
                return feeds.fetch_hf(config, month=value)
            return feeds.fetch_hf(config, date=value)
        if source == "rss":
            return feeds.fetch_rss(config, value)
        return feeds.fetch_arxiv(config, value)

    return load
