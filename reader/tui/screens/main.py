"""The triage screen: a filter bar, the paper list, a preview pane, a status line, a footer.

It turns keys into calls on the core `Library`; slow work (searching, importing,
exporting) runs in thread workers that post messages back, so the UI never waits for it.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input, ProgressBar
from textual.worker import Worker, WorkerState

from reader.cite import citation, title_and_link
from reader.errors import ReaderError
from reader.history import History, Step
from reader.library import Library
from reader.model import Change, Entry
from reader.query import SORT_LABELS, SORTS, Query, choose_sort, parse_query, similar_anchor
from reader.text import one_line, plural
from reader.tui import importing, keys, sharing
from reader.tui.messages import ImportFinished, ImportProgress, SearchFinished
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.note_editor import NoteEditor
from reader.tui.screens.tag_editor import TagEditor
from reader.tui.search import SearchState
from reader.tui.widgets.paper_list import PaperList
from reader.tui.widgets.preview import PreviewPane
from reader.tui.widgets.status_line import StatusLine
from reader.tui.widgets.welcome import WelcomeView

if TYPE_CHECKING:
    from reader.ranking import Reason

PAPER_ACTIONS = frozenset(
    key.action
    for key in keys.KEYS
    if key.section in ("Triage", "Share")
    or key.action in ("cycle_sort", "toggle_preview", "similar")
)
"""Actions on the listed papers: hidden while the filter has focus or the library is empty."""

_NOTHING = object()
"""No preview update pending."""

FIRST_PAGE = 200
"""Rows the list gets at once, before the whole ordered result of a query."""

SORT_ORDER = tuple(SORTS)
"""`S` cycles through the sorts in this order."""


class MainScreen(Screen[None]):
    """Triage one library: filter, move, read, star, note, tag, undo, share, import."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.SCREEN)
    """Every action on papers (see `reader.tui.keys`); movement keys live on `PaperList`."""

    def __init__(
        self,
        library: Library,
        *,
        sort: str = "date",
        remember: Callable[[str, object], None] | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self._remember = remember or (lambda _name, _value: None)
        self.history = History(library.revert, library.reapply)
        self.search_state = SearchState(sort=sort if sort in SORTS else "date")
        self.total = len(library)
        self.last_action = ""
        self._last_error = False
        self._preview_entry: object = _NOTHING
        self._similar_sorted = True
        """A query with a `similar:` term lists most similar first, until `S` is pressed."""
        self._sort_note = ""
        """What the "for you" order rests on (from the last search)."""

    # --- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Filter, list and preview, the welcome view, the status line and the footer."""
        yield Input(placeholder='Filter: words, "phrases", -not, is:starred, tag:x …', id="filter")
        with Horizontal(id="body"):
            yield PaperList(self.library.rows, id="papers")
            yield PreviewPane(id="preview")
        yield WelcomeView(id="welcome")
        with Horizontal(id="status-bar"):
            yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        """Show the first page of papers (or the welcome view) at once."""
        self._show_welcome(self.total == 0)
        self.paper_list.focus()
        self.search()

    @property
    def sort(self) -> str:
        """The current sort."""
        return self.search_state.sort

    @property
    def filter_query(self) -> Query:
        """The current (valid) query."""
        return self.search_state.query

    @property
    def paper_list(self) -> PaperList:
        """The list widget."""
        return self.query_one(PaperList)

    @property
    def preview(self) -> PreviewPane:
        """The preview pane."""
        return self.query_one(PreviewPane)

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
        """Typing in the filter hides the paper keys (see `check_action`)."""
        # Recomposing the footer is not free, so only then.
        if event.widget.id == "filter":
            self.refresh_bindings()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """Leaving the filter shows the paper keys again."""
        if event.widget.id == "filter":
            self.refresh_bindings()

    def _show_welcome(self, empty: bool) -> None:
        self.query_one("#welcome").display = empty
        self.query_one("#body").display = not empty

    # --- searching -------------------------------------------------------------------

    def search(self, *, keep_cursor: bool = False) -> None:
        """Run the current query in a worker; while one runs, only the newest waits.

        The worker posts the first screenful and the count first (the list repaints at
        once), then the whole ordered result. A newer query makes it skip the second step.
        """
        state = self.search_state
        if state.request(keep_cursor):
            self._search_worker(state.query, self.listed_sort, state.generation, keep_cursor)

    @property
    def listed_sort(self) -> str:
        """The order the list is in: the sort, or by similarity for a `similar:` filter."""
        if self._similar_sorted and similar_anchor(self.filter_query) is not None:
            return choose_sort(self.filter_query, None)
        return self.sort

    @work(thread=True, group="search", exit_on_error=False)
    def _search_worker(self, query: Query, sort: str, generation: int, keep: bool) -> None:
        def post(rowids: array[int], count: int, total: int, final: bool, **extra: object) -> None:
            message = SearchFinished(
                generation=generation,
                rowids=rowids,
                count=count,
                total=total,
                final=final,
                keep=keep,
                note=note,
                **extra,  # type: ignore[arg-type]
            )
            self.post_message(message)

        note = ""
        try:
            total = len(self.library)
            note = self.library.relevance_note() if sort == "relevance" else ""
            if not keep:
                page, count = self.library.first_page(query, sort, FIRST_PAGE)
                if len(page) >= count:  # a small result is complete in its first page
                    post(page, count, total, True)
                    self._warm(sort)
                    return
                painted = threading.Event()
                post(page, count, total, False, painted=painted)
                # Python work here would hold the GIL while the UI paints the first page:
                # let the UI paint first (bounded, should it be busy elsewhere).
                painted.wait(0.25)
                if generation != self.search_state.generation:
                    # Typing went on: the newest query matters, not the rest of this one.
                    post(page, count, total, True)
                    return
            rowids = self.library.rowids(query, sort)
        except ReaderError as error:
            post(array("q"), 0, 0, True, error=str(error))
            return
        post(rowids, len(rowids), total, True)
        self._warm(sort)

    def _warm(self, sort: str) -> None:
        """In the worker, after a "for you" list is shown (perhaps from the cache): load
        the vectors now, so that the next star re-ranks at once."""
        if sort == "relevance":
            try:
                self.library.ranking.warm()
            except ReaderError as error:
                message = str(error)
                self.app.call_from_thread(lambda: self.set_status(message, error=True))

    @on(SearchFinished)
    def _search_finished(self, message: SearchFinished) -> None:
        state = self.search_state
        if message.final:
            state.running = False
        if state.queued:
            # Typing went on while this query ran: its result is stale, run the newest.
            if message.painted is not None:
                message.painted.set()
            if message.final:
                keep = state.take_queued()
                self.search(keep_cursor=bool(keep))
            return
        if message.error:
            self.set_status(message.error, error=True)
            return
        if (message.total == 0) != (self.total == 0):
            # The footer only depends on whether the library is empty (see check_action).
            self.total = message.total
            self.refresh_bindings()
        self.total = message.total
        self._sort_note = message.note
        # The rest of a result that is already on screen keeps the user's place in it.
        keep = message.keep or (message.final and state.partial_shown)
        state.partial_shown = not message.final
        if state.error:
            return  # the query became invalid meanwhile: the list stays empty
        self.paper_list.set_rows(message.rowids, total=message.count, keep_cursor=keep)
        if message.painted is not None:
            self.call_after_refresh(message.painted.set)
        self._show_welcome(self.total == 0)
        self.refresh_status()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed unexpectedly is said and logged; nothing stays frozen."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        self.log.error(f"worker {event.worker.name!r} failed: {error!r}")
        if event.worker.group == "search":
            self.search_state.reset()
        if event.worker.group == "import":
            self.query("#progress").remove()
        self.set_status(f"Something went wrong: {error}", error=True)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        state = self.search_state
        try:
            query = parse_query(event.value)
            if similar_anchor(query) != similar_anchor(state.query):
                self._similar_sorted = True
            state.query = query
        except ReaderError as error:
            # An invalid query lists nothing (never the previous result: bulk actions
            # would act on papers the user no longer sees) and says what is wrong.
            state.error = str(error)
            self.paper_list.set_rows(array("q"))
            self.set_status(state.error, error=True)
            return
        if state.error:
            state.error = ""
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
            self._explain(entry)  # type: ignore[arg-type]

    def _explain(self, entry: Entry | None) -> None:
        """ "Because you starred: …" in the preview, while the list is sorted for you."""
        self.preview.show_reason("")
        if entry is not None and self.listed_sort == "relevance":
            self._explain_worker(entry.key)

    @work(thread=True, group="explain", exclusive=True, exit_on_error=False)
    def _explain_worker(self, key: str) -> None:
        reason = self.library.reasons([key], terms=3).get(key)
        if reason is not None:
            self.app.call_from_thread(self._show_reason, key, reason)

    def _show_reason(self, key: str, reason: Reason) -> None:
        shown = self.preview.entry
        if shown is not None and shown.key == key:
            self.preview.show_reason(because(reason))

    # --- status ----------------------------------------------------------------------

    def set_status(self, text: str, *, error: bool = False) -> None:
        """Report what the last action did."""
        self.last_action = text
        self._last_error = error
        self.refresh_status()

    def refresh_status(self) -> None:
        """Redraw the status line: matches, total, sort and the last action."""
        count = f"{self.paper_list.row_count:,} of {self.total:,} {_papers(self.total)}"
        sort = self.listed_sort
        order = f"sorted {sorted_how(sort)}"
        if sort == "relevance" and self._sort_note:
            order += f" ({self._sort_note})"
        # Only an error wraps (the whole of it matters); anything else stays one line.
        line = Text(f"{count} · {order}", no_wrap=not self._last_error)
        line.overflow = "fold" if self._last_error else "ellipsis"
        if self.last_action:
            line.append(" · ")
            line.append(one_line(self.last_action), style="bold red" if self._last_error else "")
        self.query_one(StatusLine).show(line)

    # --- filter, sort, layout ----------------------------------------------------------

    def action_focus_filter(self) -> None:
        """Focus the filter bar."""
        self.query_one("#filter", Input).focus()

    def action_escape(self) -> None:
        """Leave the filter; pressed again (in the list), clear it."""
        filter_bar = self.query_one("#filter", Input)
        if filter_bar.has_focus:
            self.paper_list.focus()
        elif filter_bar.value:
            filter_bar.value = ""
            self.set_status("Filter cleared")

    def action_cycle_sort(self) -> None:
        """Sort by the next key: date, upvotes, title, added, for you.

        A list sorted by similarity (a `similar:` filter) first goes back to the sort."""
        state = self.search_state
        if self.listed_sort == state.sort:
            state.sort = SORT_ORDER[(SORT_ORDER.index(state.sort) + 1) % len(SORT_ORDER)]
        self._similar_sorted = False
        self.set_status(f"Sorted {sorted_how(state.sort)}")
        self._remember("sort", state.sort)
        self.search()

    def action_toggle_preview(self) -> None:
        """Show or hide the preview pane."""
        self.preview.display = not self.preview.display

    # --- triage ------------------------------------------------------------------------

    def _current(self) -> Entry | None:
        entry = self.paper_list.current_entry
        if entry is None:
            self.set_status("No paper selected")
        return entry

    def _apply(self, label: str, make: Callable[[], Change]) -> bool:
        """Make a state change, record it for undo and redraw the papers it touched."""
        return self._apply_all(label, lambda: [make()])

    def _apply_all(self, label: str, make: Callable[[], list[Change]]) -> bool:
        """Make state changes that undo as one step (see `_apply`)."""
        try:
            changes = make()
        except ReaderError as error:
            self.set_status(str(error), error=True)
            return False
        self.history.record(label, changes)
        touched = list(dict.fromkeys(key for change in changes for key in change.keys))
        self._changed(touched)
        self.set_status(label if touched else f"{label} (no change)")
        return True

    def _changed(self, changed: list[str]) -> None:
        self.paper_list.refresh_entries(changed if len(changed) < 500 else None)
        if changed and self.listed_sort == "relevance":
            # The user's labels changed: the "for you" order is learned again, in the
            # search worker, and the list repaints where the cursor is.
            self.search(keep_cursor=True)

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

    def action_not_interested(self) -> None:
        """Not interested: mark read and rank papers like it lower (again: take it back)."""
        entry = self._current()
        if entry is None:
            return
        dismissed = not entry.state.dismissed
        verb = "Not interested" if dismissed else "Interested again"
        label = f"{verb}: {_short(entry.paper.title)}"
        done = self._apply_all(label, lambda: self.library.set_dismissed([entry.key], dismissed))
        if done and dismissed:
            self.paper_list.action_cursor_down()

    def action_similar(self) -> None:
        """List the papers like the one under the cursor (the filter becomes similar:KEY)."""
        entry = self._current()
        if entry is None:
            return
        self._similar_sorted = True
        self.query_one("#filter", Input).value = f"similar:{entry.key}"
        self.set_status(f"Papers like: {_short(entry.paper.title)}")

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

        self.app.push_screen(NoteEditor(entry.paper.title, entry.state.note), save)

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

        editor = TagEditor(entry.paper.title, entry.state.tags, self.library.all_tags())
        self.app.push_screen(editor, save)

    def action_mark_all_read(self) -> None:
        """Mark every paper matching the filter read, after confirming how many."""
        count = self._matching("mark")
        if not count:
            return
        query, sort = self.filter_query, self.sort

        def confirmed(yes: bool | None) -> None:
            if not yes:
                self.set_status("Nothing marked")
                return
            marked = self.library.keys(query, sort)
            self._apply(
                f"Marked {plural(len(marked), 'paper')} read",
                lambda: self.library.set_read(marked, True),
            )

        question = f"Mark all {plural(count, 'matching paper')} as read?"
        self.app.push_screen(ConfirmScreen(question, yes="Mark read", no="Cancel"), confirmed)

    def _matching(self, verb: str) -> int:
        """How many papers a bulk action on the filter's matches would act on; 0 (and a
        status line saying why) when it must not: nothing matches, or the query is invalid
        (the list is empty, and acting on an older result would surprise)."""
        if self.search_state.error:
            self.set_status(f"The filter is not a valid query: nothing to {verb}", error=True)
            return 0
        count = self.paper_list.row_count
        if not count:
            self.set_status("No papers match the filter")
        return count

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
        if entry is not None:
            sharing.open_link(self, entry.paper)

    def action_copy_link(self) -> None:
        """Copy the title and link."""
        entry = self._current()
        if entry is not None:
            sharing.copy(self, title_and_link(entry.paper), "title and link")

    def action_copy_citation(self) -> None:
        """Copy a one-line citation."""
        entry = self._current()
        if entry is not None:
            sharing.copy(self, citation(entry.paper), "citation")

    def action_export_starred(self) -> None:
        """Export the starred papers (Markdown by default), then offer the clipboard too."""
        count = self.library.count("is:starred")
        if not count:
            self.set_status("No starred papers to export (star papers with s)")
            return
        sort = self.sort
        sharing.ask_export(
            self,
            count,
            "starred paper",
            f"starred-papers-{date.today().isoformat()}.md",
            lambda: self.library.entries("is:starred", sort),
            title="Starred papers",
        )

    def action_export_bibtex(self) -> None:
        """Export the papers matching the filter (BibTeX by default)."""
        count = self._matching("export")
        if not count:
            return
        query, sort = self.filter_query, self.sort
        sharing.ask_export(
            self,
            count,
            "paper",
            f"papers-{date.today().isoformat()}.bib",
            lambda: self.library.entries(query, sort),
        )

    # --- importing ---------------------------------------------------------------------

    def action_import_file(self) -> None:
        """Import a file (any input format)."""
        importing.ask_file(self)

    def action_import_clipboard(self) -> None:
        """Import copied text from the clipboard (or pasted into a box)."""
        importing.from_clipboard(self)

    def action_fetch(self) -> None:
        """Fetch papers from Hugging Face or arXiv (a dialog, then a worker)."""
        importing.fetch(self)

    def action_load_samples(self) -> None:
        """Import the bundled sample papers."""
        importing.samples(self)

    @on(ImportProgress)
    def _import_progress(self, message: ImportProgress) -> None:
        # Mounted only while an import runs: a progress bar is several widgets, and the
        # app should start as fast as it can.
        if not self.query("#progress"):
            self.query_one("#status-bar").mount(ProgressBar(id="progress", show_eta=False))
        for bar in self.query("#progress").results(ProgressBar):
            bar.update(total=message.total or None, progress=message.done)

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


def sorted_how(sort: str) -> str:
    """How a list is sorted, as users say it: "by date", "for you"."""
    label = SORT_LABELS.get(sort, sort)
    return label if sort == "relevance" else f"by {label}"


def because(reason: Reason) -> str:
    """The preview's line saying why a paper ranks high."""
    text = f"Because you {reason.why}: {one_line(reason.title)}"
    if reason.terms:
        text += " · " + ", ".join(one_line(term) for term in reason.terms)
    return text


def _short(title: str, width: int = 48) -> str:
    text = one_line(title)
    return text if len(text) <= width else text[: width - 1] + "…"


def _papers(count: int) -> str:
    return "paper" if count == 1 else "papers"
