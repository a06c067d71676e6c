"""The triage app: a filter bar, the paper list, a preview pane, a status line, a footer.

The app turns keys into calls on the core `Library`; slow work (searching, importing)
runs in thread workers that post messages back, so the UI never waits for it.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input, ProgressBar

from reader.errors import ReaderError
from reader.history import History
from reader.library import Library
from reader.query import SORTS, Query, parse_query
from reader.settings import Settings
from reader.sources import Incoming
from reader.text import one_line, plural
from reader.tui.actions import PaperActions
from reader.tui.messages import ImportFinished, ImportProgress, SearchFinished
from reader.tui.widgets.paper_list import PaperList
from reader.tui.widgets.preview import PreviewPane
from reader.tui.widgets.status_line import StatusLine
from reader.tui.widgets.welcome import WelcomeView

PAPER_ACTIONS = frozenset(
    {
        "toggle_read", "toggle_star", "edit_note", "edit_tags", "undo", "redo",
        "mark_all_read", "open_link", "copy_link", "copy_citation", "export_starred",
        "export_bibtex",
        "cycle_sort", "toggle_preview",
    }
)  # fmt: skip
"""Actions on the listed papers: hidden while the filter has focus or the library is empty."""

_NOTHING = object()
"""No preview update pending."""

FIRST_PAGE = 200
"""Rows the list gets at once, before the whole ordered result of a query."""

SORT_ORDER = tuple(SORTS)
"""`S` cycles through the sorts in this order."""


class ReaderApp(PaperActions, App[None]):
    """reader's terminal UI over one library."""

    CSS_PATH = "app.tcss"
    TITLE = "reader"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    BINDINGS: list[BindingType] = [
        Binding("slash", "focus_filter", "Filter", tooltip="Type a query to filter the list"),
        Binding("escape", "escape", "Back", show=False),
        Binding("space", "toggle_read", "Read", tooltip="Toggle read / unread"),
        Binding("s", "toggle_star", "Star", tooltip="Star or unstar the paper"),
        Binding("n", "edit_note", "Note", tooltip="Write a note (Markdown)"),
        Binding("t", "edit_tags", "Tags", tooltip="Edit the paper's tags"),
        Binding("u", "undo", "Undo", tooltip="Undo the last change"),
        Binding("ctrl+r", "redo", "Redo", show=False, tooltip="Redo what was undone"),
        Binding("A", "mark_all_read", "All read", show=False, tooltip="Mark every match read"),
        Binding("o", "open_link", "Open", show=False, tooltip="Open the paper's page"),
        Binding("y", "copy_link", "Copy", show=False, tooltip="Copy title and link"),
        Binding("Y", "copy_citation", "Cite", show=False, tooltip="Copy a citation line"),
        Binding("e", "export_starred", "Export", tooltip="Export starred papers to Markdown"),
        Binding("b", "export_bibtex", "BibTeX", show=False, tooltip="Export matches as BibTeX"),
        Binding("i", "import_file", "Import", tooltip="Import a file"),
        Binding("I", "import_clipboard", "Paste", show=False, tooltip="Import copied page text"),
        Binding("f", "fetch", "Fetch", show=False, tooltip="Fetch from Hugging Face or arXiv"),
        Binding("d", "load_samples", "Samples", tooltip="Load the sample papers"),
        Binding("S", "cycle_sort", "Sort", tooltip="Cycle the sort order"),
        Binding("p", "toggle_preview", "Preview", show=False, tooltip="Show or hide the preview"),
        Binding("question_mark", "help", "Help", tooltip="All keys and the filter syntax"),
        Binding("q", "quit", "Quit", tooltip="Quit reader"),
    ]
    """Every action on papers; movement keys live on `PaperList`."""

    HELP_SECTIONS: list[tuple[str, list[tuple[str, str]]]] = [
        (
            "Move",
            [
                ("j / k, ↓ / ↑", "next / previous paper"),
                ("g / G", "first / last paper"),
                ("PgUp / PgDn", "one screen up / down"),
                ("mouse", "click a row, scroll with the wheel"),
            ],
        ),
        (
            "Filter",
            [
                ("/", "focus the filter (Enter returns to the list)"),
                ("Esc", "leave the filter; again to clear it"),
                ("S", "cycle the sort: date, upvotes, title, added"),
            ],
        ),
        (
            "Triage",
            [
                ("space", "toggle read (marking read moves to the next paper)"),
                ("s", "star / unstar"),
                ("n", "write a note (Markdown; Ctrl+S saves)"),
                ("t", "edit tags (with completion)"),
                ("A", "mark every matching paper read"),
                ("u / Ctrl+R", "undo / redo"),
            ],
        ),
        (
            "Share",
            [
                ("o", "open the paper's page in the browser"),
                ("y / Y", "copy title and link / a citation line"),
                ("e", "export the starred papers to Markdown"),
                ("b", "export the papers matching the filter to BibTeX"),
            ],
        ),
        (
            "Library",
            [
                ("i", "import a file (Daily Papers text, JSON, JSON Lines)"),
                ("I", "import copied Daily Papers text from the clipboard"),
                ("f", "fetch from Hugging Face Daily Papers or arXiv"),
                ("d", "load the bundled sample papers"),
            ],
        ),
        (
            "App",
            [
                ("p", "show / hide the preview"),
                ("Ctrl+P", "command palette: every action by name"),
                ("?", "this help"),
                ("q", "quit"),
            ],
        ),
    ]

    def __init__(self, library: Library, *, settings: Settings | None = None) -> None:
        super().__init__()
        self.library = library
        self.settings = settings or Settings(library.folder)
        self.history = History(library.revert, library.reapply)
        self.filter_query = parse_query("")
        self.sort = str(self.settings.get("sort", "date"))
        if self.sort not in SORTS:
            self.sort = "date"
        self.total = len(library)
        self.last_action = ""
        self._wanted = 0
        self._searching = False
        self._queued_search = False
        self._queued_keep = True
        self._partial_shown = False
        self._preview_entry: object = _NOTHING
        self._query_error = False
        theme = self.settings.get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme

    # --- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Input(placeholder='Filter: words, "phrases", -not, is:starred, tag:x …', id="filter")
        with Horizontal(id="body"):
            yield PaperList(self.library.rows, id="papers")
            yield PreviewPane(id="preview")
        yield WelcomeView(id="welcome")
        with Horizontal(id="status-bar"):
            yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self, "theme", self._remember_theme, init=False)
        self._show_welcome(self.total == 0)
        self.query_one(PaperList).focus()
        self.search()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show in the footer only the keys that matter now.

        While typing a filter, the paper keys type letters; on an empty library only the
        ways to get papers in matter.
        """
        typing = self.focused is self.query_one("#filter")
        if action in PAPER_ACTIONS and (typing or self.total == 0):
            return False
        if action == "load_samples":
            # Only an empty library offers them: a stray `d` must not fill a real one.
            return self.total == 0
        return True

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Typing in the filter hides the paper keys (see check_action); recomposing the
        # footer is not free, so only then.
        if event.widget.id == "filter":
            self.refresh_bindings()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if event.widget.id == "filter":
            self.refresh_bindings()

    def _remember_theme(self, theme: str) -> None:
        self.remember("theme", theme)

    def remember(self, name: str, value: object) -> None:
        """Save a preference; a failure (a full disk) is said, and the app goes on."""
        try:
            self.settings.set(name, value)
        except ReaderError as error:
            self.set_status(f"Not remembered: {error}", error=True)

    def _show_welcome(self, empty: bool) -> None:
        self.query_one("#welcome").display = empty
        self.query_one("#body").display = not empty

    @property
    def paper_list(self) -> PaperList:
        """The list widget."""
        return self.query_one(PaperList)

    @property
    def preview(self) -> PreviewPane:
        """The preview pane."""
        return self.query_one(PreviewPane)

    # --- searching -------------------------------------------------------------------

    def search(self, *, keep_cursor: bool = False) -> None:
        """Run the current query in a worker; while one runs, only the newest waits.

        The worker posts the first screenful and the count first (the list repaints at
        once), then the whole ordered result. A newer query makes it skip the second step.
        """
        self._wanted += 1
        if self._searching:
            self._queued_search = True
            self._queued_keep = self._queued_keep and keep_cursor
            return
        self._searching = True
        self._search_worker(self.filter_query, self.sort, self._wanted, keep_cursor)

    @work(thread=True, group="search", exit_on_error=False)
    def _search_worker(self, query: Query, sort: str, generation: int, keep: bool) -> None:
        try:
            total = len(self.library)
            if not keep:
                page, count = self.library.first_page(query, sort, FIRST_PAGE)
                if len(page) >= count:  # a small result is complete in its first page
                    self.post_message(SearchFinished(generation, page, count, total, True, keep))
                    return
                painted = threading.Event()
                partial = SearchFinished(generation, page, count, total, False, keep)
                partial.painted = painted
                self.post_message(partial)
                # Python work here would hold the GIL while the UI paints the first page:
                # let the UI paint first (bounded, should it be busy elsewhere).
                painted.wait(0.25)
                if generation != self._wanted:
                    # Typing went on: the newest query matters, not the rest of this one.
                    self.post_message(SearchFinished(generation, page, count, total, True, keep))
                    return
            rowids = self.library.rowids(query, sort)
        except ReaderError as error:
            self.post_message(SearchFinished(generation, array("q"), 0, 0, True, keep, str(error)))
            return
        self.post_message(SearchFinished(generation, rowids, len(rowids), total, True, keep))

    @on(SearchFinished)
    def _search_finished(self, message: SearchFinished) -> None:
        if message.final:
            self._searching = False
        if self._queued_search:
            # Typing went on while this query ran: its result is stale, run the newest.
            if message.painted is not None:
                message.painted.set()
            if message.final:
                self._queued_search = False
                keep, self._queued_keep = self._queued_keep, True
                self._wanted -= 1  # search() counts it again
                self.search(keep_cursor=keep)
            return
        if message.error:
            self.set_status(message.error, error=True)
            return
        if (message.total == 0) != (self.total == 0):
            # The footer only depends on whether the library is empty (see check_action).
            self.total = message.total
            self.refresh_bindings()
        self.total = message.total
        # The rest of a result that is already on screen keeps the user's place in it.
        keep = message.keep or (message.final and self._partial_shown)
        self._partial_shown = not message.final
        self.paper_list.set_rows(message.rowids, total=message.count, keep_cursor=keep)
        if message.painted is not None:
            self.call_after_refresh(message.painted.set)
        self._show_welcome(self.total == 0)
        self.refresh_status()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        try:
            self.filter_query = parse_query(event.value)
        except ReaderError as error:
            # Half-typed queries ("tag:" or an open quote) are normal while typing: say
            # what is wrong, keep the last good list.
            self._query_error = True
            self.set_status(str(error), error=True)
            return
        if self._query_error:
            self._query_error = False
            self.set_status("")
        self.search()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.paper_list.focus()

    @on(PaperList.Highlighted)
    def _highlighted(self, event: PaperList.Highlighted) -> None:
        # The preview follows one frame behind the list: the list repaints at once, and
        # a burst of cursor moves (a held `j`) lays out the preview only for the last one.
        first = self._preview_entry is _NOTHING
        self._preview_entry = event.entry
        if first:
            self.call_after_refresh(self._show_preview)

    def _show_preview(self) -> None:
        entry, self._preview_entry = self._preview_entry, _NOTHING
        if entry is not _NOTHING:
            self.preview.show(entry, self.filter_query.highlight_terms())  # type: ignore[arg-type]

    # --- status ----------------------------------------------------------------------

    def set_status(self, text: str, *, error: bool = False) -> None:
        """Report what the last action did (one line)."""
        self.last_action = text
        self.refresh_status(error=error)

    def refresh_status(self, *, error: bool = False) -> None:
        """Redraw the status line: matches, total, sort and the last action."""
        status = self.query_one(StatusLine)
        count = f"{self.paper_list.row_count:,} of {plural(self.total, 'paper')}"
        parts = [count, f"sorted by {self.sort}"]
        if self.last_action:
            parts.append(self.last_action)
        line = Text(" · ".join(parts[:2]))
        if self.last_action:
            line.append(" · ")
            line.append(one_line(self.last_action), style="bold red" if error else "")
        status.show(line)

    # --- app-level actions -----------------------------------------------------------

    def action_focus_filter(self) -> None:
        """Focus the filter bar."""
        self.query_one("#filter", Input).focus()

    def action_escape(self) -> None:
        """Leave the filter; pressed again (in the list), clear the filter."""
        filter_bar = self.query_one("#filter", Input)
        if filter_bar.has_focus:
            self.paper_list.focus()
        elif filter_bar.value:
            filter_bar.value = ""
            self.set_status("Filter cleared")

    def action_cycle_sort(self) -> None:
        """Sort by the next key: date, upvotes, title, added."""
        self.sort = SORT_ORDER[(SORT_ORDER.index(self.sort) + 1) % len(SORT_ORDER)]
        self.set_status(f"Sorted by {self.sort}")
        self.remember("sort", self.sort)
        self.search()

    def action_toggle_preview(self) -> None:
        """Show or hide the preview pane."""
        self.preview.display = not self.preview.display

    def action_help(self) -> None:
        """Show every key and the filter syntax."""
        from reader.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.HELP_SECTIONS))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of the app, by name, in the command palette (Ctrl+P)."""
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action in ("escape", "quit"):
                continue
            description = binding.tooltip or binding.description
            key = binding.key.replace("question_mark", "?").replace("slash", "/")
            yield SystemCommand(
                f"{binding.description}  ({key})",
                description,
                lambda action=binding.action: self.run_action(action),  # type: ignore[misc]
            )

    # --- importing -------------------------------------------------------------------

    def start_import(self, label: str, load: Callable[[], list[Incoming]]) -> None:
        """Import in a worker: `load()` returns the papers; the status shows progress."""
        # Mounted only while an import runs: a progress bar is several widgets, and the
        # app should start as fast as it can.
        if not self.query("#progress"):
            self.query_one("#status-bar").mount(ProgressBar(id="progress", show_eta=False))
        self.set_status(f"Importing {label}…")
        self._import_worker(label, load)

    @work(thread=True, group="import", exit_on_error=False)
    def _import_worker(self, label: str, load: Callable[[], list[Incoming]]) -> None:
        try:
            items = load()
            self.post_message(ImportProgress(0, 2 * len(items)))
            result = self.library.import_papers(
                items, progress=lambda done, total: self.post_message(ImportProgress(done, total))
            )
        except ReaderError as error:
            self.post_message(ImportFinished(label, None, str(error)))
            return
        self.post_message(ImportFinished(label, result, ""))

    @on(ImportProgress)
    def _import_progress(self, message: ImportProgress) -> None:
        for bar in self.query("#progress").results(ProgressBar):
            bar.update(total=message.total, progress=message.done)

    @on(ImportFinished)
    def _import_finished(self, message: ImportFinished) -> None:
        self.query("#progress").remove()
        if message.result is None:
            self.set_status(message.error, error=True)
            return
        if not message.result.keys:
            # An empty daily listing (a weekend) is normal.
            self.set_status(f"Nothing new from {message.label}")
            return
        self.set_status(f"Imported {message.label}: {message.result.summary()}")
        self.paper_list.refresh_entries()
        self.search(keep_cursor=True)


def make_app(folder: Path) -> ReaderApp:
    """The app on the library in `folder` (the CLI and the tests both start here)."""
    return ReaderApp(Library(folder))
