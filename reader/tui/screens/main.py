"""The triage screen: a filter bar, the paper list, a preview pane, a status line, a footer.

It turns keys into calls on the core `Library`; slow work (searching, importing,
exporting) runs in thread workers that post messages back, so the UI never waits for it.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, ProgressBar
from textual.worker import Worker, WorkerState

from reader.errors import ReaderError
from reader.library import Library
from reader.library.search import SearchStopped
from reader.library.sql import reads_state
from reader.query import SORT_LABELS, SORTS, Query, choose_sort, similar_anchor
from reader.settings import Settings
from reader.text import one_line
from reader.tui import keys
from reader.tui.changes import Changes, ChangesMade
from reader.tui.daily import Daily, DailyUpdate
from reader.tui.heap import settle_long_lived
from reader.tui.messages import DiskChanged, ImportFinished, ImportProgress, SearchFinished
from reader.tui.search import SearchState
from reader.tui.syncing import AutoSync
from reader.tui.widgets.field import Field
from reader.tui.widgets.footer import KeyFooter
from reader.tui.widgets.paper_list import ListHeader, PaperList
from reader.tui.widgets.preview import PreviewPane
from reader.tui.widgets.status_line import StatusLine
from reader.tui.widgets.welcome import WelcomeView

if TYPE_CHECKING:
    from reader.model import Entry
    from reader.ranking import Reason
    from reader.tui.triage import Triage

PAPER_ACTIONS = frozenset(
    key.action
    for key in keys.KEYS
    if key.section in ("Triage", "Share")
    or key.action in ("cycle_sort", "toggle_preview", "similar")
)
"""Actions on the listed papers: hidden while the filter has focus or the library is empty."""

_NOTHING = object()
"""No preview update pending."""

POLL_SECONDS = 1.0
"""How often the app looks for other processes' changes (two `stat` calls and a pragma)."""

FIRST_PAGE = 200
"""Rows the list gets at once, before the whole ordered result of a query."""

OPENING_REACH = 5000
"""How far down an unfiltered list the app looks for the paper the last session ended on,
before its first frame (the first 5,000 rows of an order: 2 ms at a million papers)."""

INDEX_IN_NUMPY = 10_000
"""From this many rows, the paper to stay on is looked for with numpy."""

PAINT_WAIT_SECONDS = 5.0
"""How long a search waits for the first page to be painted before it goes on."""

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
        place: tuple[str, str] = ("", ""),
        show_ids: bool = False,
        settings: Settings | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.daily = Daily(settings)
        """Saved searches, watch lists, PDFs, subscriptions (`reader.tui.daily`)."""
        self.auto_sync = AutoSync(settings)
        """Syncs with the settings' shared folder (`reader.tui.syncing`)."""
        self._place = place
        """(filter, paper key) to come back to: where the last session ended."""
        self._polling = False
        self._remember = remember or (lambda _name, _value: None)
        self.changes = Changes(self)
        self._triage: Triage | None = None
        self._show_ids = show_ids
        self.search_state = SearchState(sort=sort if sort in SORTS else "date")
        # The exact count comes with the first search, from the worker: counting a
        # million papers here held the screen's start up by a tenth of a second.
        self.total = library.size_hint()
        self.last_action = ""
        self._last_error = False
        self._preview_entry: object = _NOTHING
        self._similar_sorted = True
        """A query with a `similar:` term lists most similar first, until `S` is pressed."""
        self._sort_note = ""
        """What the "for you" order rests on (from the last search)."""
        self._reason_key: str | None = None
        """The paper whose "Because you starred" line the preview shows."""
        self._restoring: str | None = None
        self._keys_wait = False
        """Keys wait for the running search (Enter left the filter before its result)."""

    # --- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Filter, list and preview, the welcome view, the status line and the footer."""
        yield Field(
            placeholder='Filter: words, "phrases", -not, is:starred, tag:x …',
            id="filter",
            on_submit=lambda _value: self._leave_filter(),
        )
        with Horizontal(id="body"):
            with Vertical(id="list-pane"):
                yield ListHeader(id="list-header")
                paper_list = PaperList(self.library.rows, id="papers")
                paper_list.show_ids = self._show_ids
                yield paper_list
            yield PreviewPane(id="preview")
        yield WelcomeView(id="welcome")
        with Horizontal(id="status-bar"):
            yield StatusLine(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Show the first page of papers (or the welcome view) at once, where the last
        session left off; then watch the library for other processes' changes."""
        self._show_welcome(self.total == 0)
        self.set_focus(self.paper_list)
        query, key = self._place
        anchor = self.library.rowid_of(key) if key else None
        try:
            self.search_state.query = self.library.parse(query)
            self.query_one("#filter", Input).value = query
        except ReaderError:
            query = ""  # the saved filter is no longer valid: start unfiltered
        # Setting the value above announces a change later: that one is already searched.
        self._restoring = query or None
        self.search(anchor=anchor, at_once=True)
        self.set_interval(POLL_SECONDS, self._poll)
        self.daily.recount(self)
        self.auto_sync.start(self)

    def place(self) -> tuple[str, str]:
        """(filter, key of the paper under the cursor): what the next session restores."""
        entry = self.paper_list.current_entry
        return self.query_one("#filter", Input).value, entry.key if entry else ""

    # --- other processes ---------------------------------------------------------------

    def _poll(self) -> None:
        if not self._polling:
            self._polling = True
            self._poll_worker()

    @work(thread=True, group="poll", exit_on_error=False)
    def _poll_worker(self) -> None:
        try:
            state, catalog = self.library.changes_on_disk()
        except ReaderError as error:
            self.post_message(DiskChanged(state=False, catalog=False, error=str(error)))
            return
        self.post_message(DiskChanged(state=state, catalog=catalog))

    @on(DiskChanged)
    def _disk_changed(self, message: DiskChanged) -> None:
        self._polling = False
        if message.error:
            self.set_status(message.error, error=True)
        if not (message.state or message.catalog):
            return
        # Another instance (or `reader mark`, or an import) changed the library: show it,
        # staying on the same paper.
        self.paper_list.refresh_entries()
        self.search_here()
        self.daily.recount(self)

    @property
    def sort(self) -> str:
        """The current sort."""
        return self.search_state.sort

    @property
    def filter_query(self) -> Query:
        """The current (valid) query."""
        return self.search_state.query

    @property
    def triage(self) -> Triage:
        """What the triage keys do (`reader.tui.triage`).

        Made at the first triage key: it brings the confirmation dialog and the citation
        helpers, which the first painted list does not need.
        """
        if self._triage is None:
            from reader.tui.triage import Triage

            self._triage = Triage(self)
        return self._triage

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
        return not (action in PAPER_ACTIONS and (typing or self.total == 0))

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

    def search(self, *, anchor: int | None = None, at_once: bool = False) -> None:
        """Run the current query in a worker; while one runs, only the newest waits.

        Without an `anchor`, the worker posts the first screenful and the count first (the
        list repaints at once), then the whole ordered result; a newer query makes it skip
        the second step. With one (a row id: the paper to stay on), it finds the whole
        order at once and the cursor stays on that paper if it is still listed.

        `at_once` (the app's start): an unfiltered list gets its first screenful here,
        before the first frame, and the worker brings the rest (see `_list_opening_page`).
        """
        state = self.search_state
        if state.request(anchor):
            shown = self._list_opening_page(state.generation, anchor) if at_once else None
            self._search_worker(
                state.query, self.listed_sort, state.reverse, state.generation, anchor, shown
            )

    def _list_opening_page(self, generation: int, anchor: int | None) -> threading.Event | None:
        """List the first screenful of an unfiltered list now, on the UI thread: an event
        set once it is painted, for the worker to wait on. None when that does not apply
        (a filter, a reversed or "for you" order, an empty library, a paper to stay on
        further down than `OPENING_REACH`).

        With a paper to stay on (where the last session ended), the first rows down to
        it are listed, the cursor on it: the whole order (half a second at a million
        papers) is the worker's.

        At a million papers the worker's first page came 80 ms after the screen was
        mounted: its few steps in Python each waited for the interpreter while the UI
        laid out and drew an empty list, which was then drawn again. Walking the sort's
        index here takes a few milliseconds, and the first frame has the papers.
        """
        state = self.search_state
        if state.reverse or state.query.root is not None or self.total == 0:
            return None
        reach = FIRST_PAGE if anchor is None else OPENING_REACH
        page = self.library.opening_page(self.listed_sort, reach)
        if page is None or (anchor is not None and anchor not in page):
            return None
        painted = threading.Event()
        # Unfiltered, every paper matches: the count is the library's size (`size_hint`).
        self._search_finished(
            SearchFinished(
                generation=generation,
                rowids=page,
                count=self.total,
                total=self.total,
                final=False,
                anchor=anchor,
                painted=painted,
            )
        )
        return painted

    @property
    def listed_sort(self) -> str:
        """The order the list is in: the sort, or by similarity for a `similar:` filter."""
        if self._similar_sorted and similar_anchor(self.filter_query) is not None:
            return choose_sort(self.filter_query, None)
        return self.sort

    def search_here(self) -> None:
        """Search again, keeping the cursor on the paper it is on (a refresh, a new sort)."""
        self.search(anchor=self.paper_list.current_rowid)

    @work(thread=True, group="search", exit_on_error=False)
    def _search_worker(
        self,
        query: Query,
        sort: str,
        reverse: bool,
        generation: int,
        anchor: int | None,
        shown: threading.Event | None = None,
    ) -> None:
        def post(rowids: array[int], count: int, total: int, final: bool, **extra: object) -> None:
            message = SearchFinished(
                generation=generation,
                rowids=rowids,
                count=count,
                total=total,
                final=final,
                anchor=anchor,
                note=note,
                **extra,  # type: ignore[arg-type]
            )
            self.post_message(message)

        def stale() -> bool:
            return generation != self.search_state.generation

        note = ""
        if shown is not None:
            # The first page is listed already (`_list_opening_page`): the rest, once it
            # is painted (Python work here would compete with the painting for the GIL).
            shown.wait(PAINT_WAIT_SECONDS)
        try:
            total = len(self.library)
            if shown is not None and stale():
                post(array("q"), 0, total, True)  # typing went on: the newest query next
                return
            note = self.library.relevance_note() if sort == "relevance" else ""
            page = array("q")
            if anchor is None and not reverse and shown is None:
                # The first page from the newest papers' index, when it can be had: the
                # whole result (reading every match) follows, unless typing went on.
                early = self.library.early_page(query, sort, FIRST_PAGE)
                if early is not None:
                    painted = threading.Event()
                    post(early, len(early), total, False, painted=painted, counting=True)
                    painted.wait(PAINT_WAIT_SECONDS)
            # Sorted for you, a star re-ranks the list around the paper starred (`anchor`):
            # its first page comes first too (see `first_page`), when that paper is on it.
            if (anchor is None or sort == "relevance") and not reverse:
                # With the sort's order at hand, the whole result costs what a first page
                # would: one message, and the list is complete at once. A newer query
                # stops it (the list then waits for that one).
                try:
                    whole = self.library.rowids_at_hand(query, sort, stop=stale)
                except SearchStopped:
                    post(array("q"), 0, total, True)
                    return
                if whole is not None:
                    post(whole, len(whole), total, True)
                    self._warm(sort)
                    return
                if shown is None:
                    page, count = self.library.first_page(query, sort, FIRST_PAGE)
                    if len(page) >= count:  # a small result is complete in its first page
                        post(page, count, total, True)
                        self._warm(sort)
                        return
                    if anchor is not None and anchor not in page:
                        page = array("q")  # the cursor's paper is further down: the whole order
            if page:
                painted = threading.Event()
                post(page, count, total, False, painted=painted)
                # Python work here would hold the GIL while the UI paints the first page:
                # let the UI paint first. Opening a million papers, the UI is still laying
                # out the screen when the first page is ready, and the whole order (a second
                # or more on a busy machine) would hold it up: wait for the paint itself,
                # bounded only in case the UI never gets to it.
                painted.wait(PAINT_WAIT_SECONDS)
                if stale():
                    # Typing went on: the newest query matters, not the rest of this one.
                    post(page, count, total, True)
                    return
            rowids = self.library.rowids(query, sort)
            if reverse:
                rowids = rowids[::-1]
        except ReaderError as error:
            post(array("q"), 0, 0, True, error=str(error))
            return
        if sort != "relevance":
            post(rowids, len(rowids), total, True)
            return
        painted = threading.Event()
        post(rowids, len(rowids), total, True, painted=painted)
        # What follows (keeping the order in the cache) waits for the list to be painted,
        # so that it does not compete with it (bounded, should the UI be busy elsewhere).
        painted.wait(1.0)
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
                return
            settle_long_lived()  # everything "for you" keeps is loaded: see `heap`

    def _leave_filter(self) -> None:
        """Enter in the filter: to the list, where the keys typed next wait for the
        result of the query just typed when it is not listed yet (see `keyroute`)."""
        self.set_focus(self.paper_list)
        hold = getattr(self.app, "hold_keys", None)
        if self.search_state.running and hold is not None:
            hold()
            self._keys_wait = True

    def _let_keys_go(self) -> None:
        if self._keys_wait:
            self._keys_wait = False
            release = getattr(self.app, "release_keys", None)
            if release is not None:
                self.call_later(release)

    @on(SearchFinished)
    def _search_finished(self, message: SearchFinished) -> None:
        state = self.search_state
        newest = not state.queued and message.generation == state.generation
        if self._keys_wait and newest and message.final:
            # The newest query's whole result is listed once this handler ends. Not its
            # first page: a `G` held for it went to the last row loaded so far, not to
            # the last paper (the hold's own timer still ends a wait that is too long).
            self.call_after_refresh(self._let_keys_go)
        if message.final:
            state.running = False
        if state.queued:
            # Typing went on while this query ran: its result is stale, run the newest.
            if message.painted is not None:
                message.painted.set()
            if message.final:
                # A first page shown of this result is never completed: the next result
                # places the cursor by its own paper, not by the place it had here.
                state.partial_shown = False
                _, anchor = state.take_queued()
                self.search(anchor=anchor)
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
        # The rest of a result that is already on screen keeps the user's place in it: the
        # whole result after a first page, and a first page after the newest papers' one.
        keep = state.partial_shown
        state.partial_shown = not message.final
        state.counting = message.counting
        if state.error:
            return  # the query became invalid meanwhile: the list stays empty
        # The rest of a re-ranked first page (a star, sorted for you) keeps the cursor on
        # the paper it is on: `_stay_on` finds it in the whole order.
        cursor = self._stay_on(message, partial_shown=keep)
        self.paper_list.set_rows(
            message.rowids, total=message.count, keep_cursor=keep, cursor=cursor
        )
        if message.painted is not None:
            self.call_after_refresh(message.painted.set)
        self._show_welcome(self.total == 0)
        self.refresh_status()

    def _stay_on(self, message: SearchFinished, *, partial_shown: bool) -> int | None:
        """Where the cursor goes in a result asked to keep it on its paper: on the paper
        it is on NOW, if the user moved while the search ran and that paper is listed
        (the paper it was on when the search started comes second). None leaves the
        cursor where it is, on a row of a first page whose paper is not loaded yet."""
        if message.anchor is None:
            return None
        now = self.paper_list.current_rowid
        if now is None and partial_shown and self.paper_list.row_count:
            return None  # the user moved past the rows loaded so far: keep that row
        cursor = _index(message.rowids, now) if now != message.anchor else None
        return _index(message.rowids, message.anchor) if cursor is None else cursor

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed unexpectedly is said and logged; nothing stays frozen."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        self.log.error(f"worker {event.worker.name!r} failed: {error!r}")
        if event.worker.group == "search":
            self.search_state.reset()
            self._let_keys_go()
        if event.worker.group == "import":
            self.query("#progress").remove()
        if event.worker.group == "changes":
            self.changes.working = False
        self.set_status(f"Something went wrong: {error}", error=True)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        state = self.search_state
        try:
            query = self.library.parse(event.value)
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
        if event.value == self._restoring:
            self._restoring = None  # the value restored at start: already searched
            return
        state.error = ""
        if state.query.matches_everything:
            # Back to every paper: stay on the paper the filter had led to.
            self.set_status("Filter cleared" if not event.value.strip() else "")
            self.search_here()
            return
        self.set_status("")
        self.search()

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
            key = str(getattr(entry, "key", ""))
            self.preview.show_conflicts(self.library.note_conflicts(key) if key else [])

    def _explain(self, entry: Entry | None) -> None:
        """ "Because you starred: …" in the preview, while the list is sorted for you."""
        ranked = entry is not None and self.listed_sort == "relevance"
        if not ranked or entry is None or entry.key != self._reason_key:
            # The same paper keeps its line until the new one comes (after a star).
            self.preview.show_reason("")
            self._reason_key = None
        if ranked and entry is not None:
            if self.search_state.running:
                # A re-rank is on its way (a star): it would only compete with it for the
                # ranking; the re-ranked list highlights the paper again, and explains it.
                return
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
            self._reason_key = key

    # --- status ----------------------------------------------------------------------

    def set_status(self, text: str, *, error: bool = False) -> None:
        """Report what the last action did."""
        self.last_action = text
        self._last_error = error
        self.refresh_status()

    def refresh_status(self) -> None:
        """Redraw the status line: matches, total, sort and the last action."""
        line = self.status_text()
        self.query_one(StatusLine).show(line)
        self._refresh_reading_status(line)

    def status_text(self) -> Text:
        """The status line: matches, total, sort, selection and the last action."""
        counting = "+" if self.search_state.counting else ""
        count = f"{self.paper_list.row_count:,}{counting} of {self.total:,} {_papers(self.total)}"
        if counting:
            count += " (counting)"
        listed = self.listed_sort
        sort = f"sorted {sorted_how(listed)}" + (", reversed" if self.search_state.reverse else "")
        if listed == "relevance" and self._sort_note:
            sort += f" ({self._sort_note})"
        # Only an error wraps (the whole of it matters); anything else stays one line.
        line = Text(f"{count} · {sort}", no_wrap=not self._last_error)
        line.overflow = "fold" if self._last_error else "ellipsis"
        if saved := self.daily.status():
            line.append(f" · {saved}")
        selected = len(self.paper_list.selected)
        if selected:
            line.append(f" · {selected:,} selected", style="bold")
        if self.last_action:
            line.append(" · ")
            line.append(one_line(self.last_action), style="bold red" if self._last_error else "")
        return line

    def _refresh_reading_status(self, line: Text) -> None:
        screen = self.app.screen if self.is_mounted else None
        if screen is None or screen is self:
            return  # nothing to import: the reading screen is not open
        from reader.tui.screens.reading import ReadingScreen

        if isinstance(screen, ReadingScreen):
            screen.query_one(StatusLine).show(line)

    # --- filter, sort, layout ----------------------------------------------------------

    def action_focus_filter(self) -> None:
        """Focus the filter bar, at once: the keys typed next are the query's."""
        self.set_focus(self.query_one("#filter", Input))

    def action_escape(self) -> None:
        """Leave the filter or the preview; then clear the selection; then the filter."""
        filter_bar = self.query_one("#filter", Input)
        if filter_bar.has_focus or self.preview.has_focus:
            self.set_focus(self.paper_list)
        elif self.unselect_all():
            return
        elif filter_bar.value:
            filter_bar.value = ""  # the filter's Changed handler says "Filter cleared"

    def action_cycle_sort(self) -> None:
        """Sort by the next key: date, upvotes, title, added, for you.

        A list sorted by similarity (a `similar:` filter) first goes back to the sort."""
        state = self.search_state
        if self.listed_sort == state.sort:
            state.sort = SORT_ORDER[(SORT_ORDER.index(state.sort) + 1) % len(SORT_ORDER)]
        self._similar_sorted = False
        self.set_status(f"Sorted {sorted_how(state.sort)}")
        self._remember("sort", state.sort)
        self._update_header()
        self.search_here()

    def action_reverse_sort(self) -> None:
        """Reverse the order of the list."""
        state = self.search_state
        state.reverse = not state.reverse
        self.set_status(
            f"Sorted {sorted_how(self.listed_sort)}" + (", reversed" if state.reverse else "")
        )
        self._update_header()
        self.search_here()

    def action_toggle_ids(self) -> None:
        """Show or hide the arXiv id column (remembered)."""
        show = not self.paper_list.show_ids
        self.paper_list.set_show_ids(show)
        self._remember("show_ids", show)
        self._update_header()

    def _update_header(self) -> None:
        state = self.search_state
        self.query_one(ListHeader).update(
            sort=self.listed_sort,
            reverse=state.reverse,
            show_ids=self.paper_list.show_ids,
            width=self.paper_list.scrollable_content_region.width,
        )

    @on(events.Resize)
    def _resized(self) -> None:
        self.call_after_refresh(self._update_header)

    def action_toggle_preview(self) -> None:
        """Show or hide the preview pane."""
        self.preview.display = not self.preview.display

    # --- triage and sharing (see `reader.tui.triage`) ---------------------------------------

    def changed(self, keys: Sequence[str] | None, *, bulk: bool) -> None:
        """Redraw the papers a change touched; after a bulk one, search again when the
        filter looks at the state (`is:unread` may match other papers now): a filter that
        does not keeps its result, and only the rows on screen are drawn again."""
        self.paper_list.refresh_entries(None if bulk or keys is None else keys)
        if (bulk and reads_state(self.filter_query)) or (keys and self.listed_sort == "relevance"):
            # For you: the labels changed, so the order is learned again, in the search
            # worker; the cursor stays on its paper.
            self.search_here()
        self._refresh_reading()
        self.daily.recount(self)

    @on(ChangesMade)
    def _changes_made(self, message: ChangesMade) -> None:
        self.changes.finished(message)

    def matching(self, verb: str) -> int:
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

    def action_toggle_read(self) -> None:
        """Toggle read; marking read moves on to the next paper, as triage goes."""
        self.triage.toggle_read()

    def action_toggle_star(self) -> None:
        """Star or unstar the paper under the cursor (or the selection)."""
        self.triage.toggle_star()

    def action_edit_note(self) -> None:
        """Write or edit the paper's note in a modal editor."""
        self.triage.edit_note()

    def action_not_interested(self) -> None:
        """Not interested: mark read and rank papers like it lower (again: take it back)."""
        self.triage.not_interested()

    def action_similar(self) -> None:
        """List the papers like the one under the cursor (the filter becomes similar:KEY)."""
        entry = self.triage.current()
        if entry is None:
            return
        self._similar_sorted = True
        self.query_one("#filter", Input).value = f"similar:{entry.key}"
        self.set_status(f"Papers like: {_short(entry.paper.title)}")

    def action_edit_tags(self) -> None:
        """Edit the paper's tags (or add tags to the selection)."""
        self.triage.edit_tags()

    def action_mark_all_read(self) -> None:
        """Mark every paper matching the filter read, after confirming how many."""
        self.triage.mark_all_read()

    def action_undo(self) -> None:
        """Undo the last state change (several steps deep)."""
        self.changes.undo()

    def action_redo(self) -> None:
        """Redo the last undone change."""
        self.changes.redo()

    def action_open_link(self) -> None:
        """Open the paper's page in the browser (only http and https links)."""
        self.triage.open_link()

    def action_copy_link(self) -> None:
        """Copy the title and link."""
        self.triage.copy_link()

    def action_copy_citation(self) -> None:
        """Copy a one-line citation."""
        self.triage.copy_citation()

    def action_copy_bibtex(self) -> None:
        """Copy the BibTeX of the paper (or of the selection)."""
        self.triage.copy_bibtex()

    def action_export_starred(self) -> None:
        """Export the starred papers, then offer the clipboard too."""
        self.triage.export_starred()

    def action_export_bibtex(self) -> None:
        """Export the selection, else the papers matching the filter."""
        self.triage.export_matches()

    # --- selection --------------------------------------------------------------------------

    def action_toggle_selected(self) -> None:
        """Select or unselect the paper under the cursor, then move on."""
        paper_list = self.paper_list
        rowid = paper_list.current_rowid
        if rowid is None:
            self.set_status("No paper selected")
            return
        selected = set(paper_list.selected)
        selected.symmetric_difference_update({rowid})
        paper_list.set_selected(selected)
        paper_list.action_cursor_down()
        self._say_selection()

    def action_select_all(self) -> None:
        """Select every matching paper; when they all are, select none."""
        paper_list = self.paper_list
        every = set(paper_list.rowids)
        paper_list.set_selected(set() if every and every <= paper_list.selected else every)
        self._say_selection()

    def unselect_all(self) -> bool:
        """Select no paper; True when there was a selection."""
        if not self.paper_list.selected:
            return False
        self.paper_list.set_selected(set())
        self._say_selection()
        return True

    def _say_selection(self) -> None:
        if self.paper_list.selected:
            self.set_status("s, space, t, b and c act on the selection; Esc unselects")
        else:
            self.set_status("No paper selected")

    # --- moving -------------------------------------------------------------------------------

    def action_next_unread(self) -> None:
        """Move to the next unread paper in the list."""
        self._unread(1)

    def action_previous_unread(self) -> None:
        """Move to the previous unread paper in the list."""
        self._unread(-1)

    def _unread(self, step: int) -> None:
        paper_list = self.paper_list
        # On a row of a first page whose paper is not loaded yet, the cursor is past the
        # papers at hand: look up from the last of them.
        cursor = min(paper_list.cursor, len(paper_list.rowids))
        index = self.library.next_unread(paper_list.rowids, cursor + step, step)
        if index is None:
            self.set_status(f"No unread paper {'below' if step > 0 else 'above'}")
            return
        paper_list.cursor = index

    def action_read_paper(self) -> None:
        """Open the paper under the cursor full screen."""
        from reader.tui.screens.reading import ReadingScreen

        if self.triage.current() is not None:
            self.app.push_screen(ReadingScreen(self))

    def _refresh_reading(self) -> None:
        from reader.tui.screens.reading import ReadingScreen

        if isinstance(self.app.screen, ReadingScreen):
            self.app.screen.show_current()

    def action_focus_preview(self) -> None:
        """Move the keyboard to the preview (it scrolls) and back to the list."""
        if self.preview.has_focus or not self.preview.display:
            self.set_focus(self.paper_list)
        else:
            self.set_focus(self.preview)

    # --- importing ---------------------------------------------------------------------
    # `reader.tui.importing` (its dialogs, a directory tree) is loaded at the first import
    # key, not while the app opens: a tenth of reader's own start-up imports.

    def action_import_file(self) -> None:
        """Import a file (any input format)."""
        from reader.tui import importing

        importing.ask_file(self)

    def action_import_clipboard(self) -> None:
        """Import copied text from the clipboard (or pasted into a box)."""
        from reader.tui import importing

        importing.from_clipboard(self)

    def action_fetch(self) -> None:
        """Fetch papers from Hugging Face or arXiv (a dialog, then a worker)."""
        from reader.tui import importing

        importing.fetch(
            self, self.daily.subscription_names(), lambda: self.daily.fetch_subscriptions(self)
        )

    def action_load_samples(self) -> None:
        """Import the bundled sample papers (only into an empty library)."""
        if self.total:
            # A stray `d` must not fill a real library with samples.
            self.set_status(
                "The sample papers are offered only in an empty library"
                " (`reader import --sample` adds them anyway)"
            )
            return
        from reader.tui import importing

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
        self.search_here()
        self.daily.recount(self)

    # --- the daily routine (reader.tui.daily) --------------------------------------------

    def action_saved_search(self, number: int) -> None:
        """Filter by the `number`-th saved search."""
        self.daily.apply_saved(self, number)

    def action_open_pdf(self) -> None:
        """Open the paper's arXiv PDF (downloaded first when needed)."""
        self.daily.open_pdf(self)

    @on(DailyUpdate)
    def _daily_update(self, message: DailyUpdate) -> None:
        message.apply(self)


def _index(rowids: array[int], rowid: int | None) -> int | None:
    """Where a paper is in a result, or None (not given, or not in it)."""
    if rowid is None or not rowids:
        return None
    if len(rowids) < INDEX_IN_NUMPY:
        try:
            return rowids.index(rowid)
        except ValueError:
            return None
    # A long result came from numpy (see `ordering`), which is loaded by now.
    from reader.library.ordering import index_of

    return index_of(rowids, rowid)


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
