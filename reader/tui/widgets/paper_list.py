"""The paper list: a virtual list on Textual's Line API, fast at 100,000 rows.

Textual's `DataTable` builds objects for every row (about 16 s for 100,000 papers). This
widget keeps only a packed array of row ids for the current matches; `render_line`
draws the visible rows, fetching their papers a screenful at a time and caching the
finished strips. Filtering, sorting and scrolling never create an object per paper.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.timer import Timer
from textual.widget import Widget

from reader.model import Entry
from reader.text import one_line
from reader.tui import keys
from reader.tui.widgets.scrollbar import cached_vertical_scrollbar

Fetch = Callable[[Sequence[int]], Mapping[int, Entry]]
"""Given row ids, return their entries (missing ids are simply absent)."""

_DATE_WIDTH = 10
_VOTES_WIDTH = 4
_MARKS_WIDTH = 4
_ID_WIDTH = 10
_ENTRY_CACHE_LIMIT = 4096
FETCH_AHEAD_AFTER = 0.02
"""Seconds after a move (about a frame, once the list is painted) to fetch and draw the
rows of the screens above and below, so that the next page is drawn from the caches."""


class PaperList(ScrollView, can_focus=True):
    """A keyboard-driven list of papers showing markers, title, byline, date, votes, tags."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.LIST)
    """Movement keys (see `reader.tui.keys`); the actions on papers are bound by the screen."""

    COMPONENT_CLASSES = {
        "paper-list--cursor",
        "paper-list--unread",
        "paper-list--read",
        "paper-list--star",
        "paper-list--meta",
        "paper-list--tags",
        "paper-list--empty",
        "paper-list--selected",
        "paper-list--watch",
    }

    DEFAULT_CSS = """
    PaperList {
        background: $surface;
        scrollbar-gutter: stable;
    }
    PaperList > .paper-list--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    PaperList:focus > .paper-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    PaperList > .paper-list--unread { text-style: bold; }
    PaperList > .paper-list--read { color: $text-muted; }
    PaperList > .paper-list--star { color: $warning; }
    PaperList > .paper-list--meta { color: $text-muted; }
    PaperList > .paper-list--tags { color: $accent; }
    PaperList > .paper-list--empty { color: $text-muted; text-style: italic; }
    PaperList > .paper-list--selected { color: $accent; text-style: bold; }
    PaperList > .paper-list--watch { color: $success; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)
    """Index of the highlighted row in the current matches."""

    class Highlighted(Message):
        """The cursor moved to another paper (or the list became empty)."""

        def __init__(self, paper_list: PaperList, entry: Entry | None) -> None:
            super().__init__()
            self.paper_list = paper_list
            self.entry = entry

    def __init__(
        self,
        fetch: Fetch,
        *,
        empty_text: str = "No papers match the filter.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._fetch = fetch
        self._rowids: array[int] = array("q")
        self._total = 0
        # Papers drawn recently, by row id; dropped wholesale when it grows past a few
        # screens, which is cheaper than bookkeeping for an LRU order.
        self._entries: dict[int, Entry] = {}
        self._strips: LRUCache[tuple[int, int, bool], Strip] = LRUCache(1024)
        self._highlighted: tuple[int | None, Entry | None] | None = None
        self._styles: dict[bool, dict[str, Style]] = {}
        self._finished_here = False
        """Whether `render_lines` finished lines itself (Textual's style cache missed them)."""
        self._fetch_ahead_timer: Timer | None = None
        self.empty_text = empty_text
        self.selected: set[int] = set()
        """The row ids of the papers the user selected (drawn with a ▌ mark)."""
        self._watched: frozenset[int] = frozenset()
        self.show_ids = False
        """Whether a column shows each paper's arXiv id."""

    # --- data ------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """How many papers the list holds (some may still be arriving)."""
        return self._total

    @property
    def rowids(self) -> array[int]:
        """The row ids of the listed papers, in order (do not modify)."""
        return self._rowids

    @property
    def current_rowid(self) -> int | None:
        """The row id of the paper under the cursor, or None (empty, or not here yet)."""
        return self._rowids[self.cursor] if self.cursor < len(self._rowids) else None

    @property
    def current_entry(self) -> Entry | None:
        """The paper under the cursor, or None for an empty list."""
        rowid = self.current_rowid
        return None if rowid is None else self._entry(rowid)

    def set_rows(
        self,
        rowids: array[int],
        *,
        total: int | None = None,
        keep_cursor: bool = False,
        cursor: int | None = None,
    ) -> None:
        """Show these rows, in order.

        `total` may be larger than `len(rowids)`: the first screenful of a large result
        comes first (so the list repaints at once) and the rest follows; rows not here
        yet draw as placeholders. `keep_cursor` keeps the cursor where it is (the same
        result, completed); `cursor` puts it on that row (a paper found again in a new
        result); otherwise it goes to the top.
        """
        self._rowids = rowids
        self._total = len(rowids) if total is None else max(total, len(rowids))
        # The drawn rows stay: they are kept by row id (not place), and `refresh_entries`
        # drops those of changed papers. A new order (a star, sorted for you) then draws
        # only the papers not drawn yet.
        self.virtual_size = Size(self._content_width(), self._total)
        self._highlighted = None
        if cursor is not None:
            self.cursor = cursor
            self._center_cursor()
        elif keep_cursor:
            self.cursor = self.cursor
        else:
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        self.refresh()

    def set_selected(self, rowids: set[int]) -> None:
        """Select exactly these papers (an empty set selects none) and redraw."""
        self.selected = rowids
        self._strips.clear()
        self.refresh()

    def set_watched(self, rowids: frozenset[int]) -> None:
        """Mark these rows (the papers of the watch lists) with ◆ in the watch colour."""
        if rowids != self._watched:
            self._watched = rowids
            self._strips.clear()
            self.refresh()

    def set_show_ids(self, show: bool) -> None:
        """Show or hide the arXiv id column."""
        self.show_ids = show
        self._strips.clear()
        self.refresh()

    def refresh_entries(self, keys: Sequence[str] | None = None) -> None:
        """Forget cached papers (all, or those with these keys) and redraw."""
        if keys is None:
            self._entries.clear()
            self._strips.clear()
        else:
            wanted = set(keys)
            changed = {rowid for rowid, entry in self._entries.items() if entry.key in wanted}
            for rowid in changed:
                del self._entries[rowid]
            drawn = self._strips.keys()  # (an LRUCache has no iterator of its own)
            for key in [key for key in drawn if key[0] in changed]:
                self._strips.discard(key)
        self._highlighted = None
        self.cursor = self.cursor  # re-posts Highlighted with the fresh entry
        self.refresh()

    def _entry(self, rowid: int) -> Entry | None:
        entry = self._entries.get(rowid)
        if entry is None:
            self._prefetch(rowid)
            entry = self._entries.get(rowid)
        return entry

    def _prefetch(self, rowid: int | None = None) -> None:
        """Fetch the papers of the screens above, at and below the scroll position (and
        `rowid`'s) in one query, those not fetched yet."""
        top = int(self.scroll_offset.y)
        height = max(self.scrollable_content_region.height, 1)
        window = list(self._rowids[max(0, top - height) : top + 2 * height])
        if rowid is not None and rowid not in window:
            window.append(rowid)
        if len(self._entries) > _ENTRY_CACHE_LIMIT:
            self._entries.clear()
        missing = [wanted for wanted in window if wanted not in self._entries]
        if missing:
            self._entries.update(self._fetch(missing))

    def _fetch_ahead_soon(self) -> None:
        """After a move, fetch and draw the next screens once the list is painted (not
        while a key waits for it): a page down then finds its rows drawn. Every other page
        down used to query the catalog on its way to the screen, and each drew and
        finished all its rows."""
        if self._fetch_ahead_timer is None:
            self._fetch_ahead_timer = self.set_timer(FETCH_AHEAD_AFTER, self._fetch_ahead)

    def _fetch_ahead(self) -> None:
        self._fetch_ahead_timer = None
        if self._rowids:
            self._prefetch()
            self._draw_ahead()

    # --- movement --------------------------------------------------------------------

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, self._total - 1)) if self._total else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self._refresh_row(old)
        self._refresh_row(new)
        self._fetch_ahead_soon()
        entry = self.current_entry
        highlighted = (self.current_rowid, entry)
        if highlighted != self._highlighted:
            self._highlighted = highlighted
            self.post_message(self.Highlighted(self, entry))

    def _center_cursor(self) -> None:
        """Scroll so that the cursor's row is in the middle of the screen (after a jump)."""
        height = max(self.scrollable_content_region.height, 1)
        self.scroll_to(y=max(self.cursor - height // 2, 0), animate=False, immediate=True)

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif height and self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _refresh_row(self, index: int) -> None:
        # `refresh_line` takes a line of the whole list: it subtracts the scroll itself.
        self.refresh_line(index)

    def action_cursor_down(self) -> None:
        """Move to the next paper."""
        self.cursor += 1

    def action_cursor_up(self) -> None:
        """Move to the previous paper."""
        self.cursor -= 1

    def action_first(self) -> None:
        """Jump to the first paper."""
        self.cursor = 0

    def action_last(self) -> None:
        """Jump to the last paper."""
        self.cursor = self._total - 1

    def action_page_down(self) -> None:
        """Move one screen down."""
        page = max(self.scrollable_content_region.height - 1, 1)
        self.scroll_to(y=self.scroll_offset.y + page, animate=False, immediate=True)
        self.cursor += page

    def action_page_up(self) -> None:
        """Move one screen up."""
        page = max(self.scrollable_content_region.height - 1, 1)
        self.scroll_to(y=self.scroll_offset.y - page, animate=False, immediate=True)
        self.cursor -= page

    def on_click(self, event: events.Click) -> None:
        """Clicking a row moves the cursor there."""
        index = int(self.scroll_offset.y) + event.y
        if 0 <= index < self._total:
            self.cursor = index
        self.focus()

    # --- drawing ---------------------------------------------------------------------

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The scroll bar, which moves at every page: each kind of its lines drawn once."""
        return cached_vertical_scrollbar(self)

    def _content_width(self) -> int:
        # What `scrollable_content_region.width` gives, from the widget's own size: that
        # property looks the widget up in the compositor (about a millisecond), and this
        # runs for every line drawn.
        gutter = self.styles.gutter.width + self.scrollbar_size_vertical
        return max(self.outer_size.width - gutter, 1)

    def on_resize(self, event: events.Resize) -> None:
        """Column widths depend on the width: drop the drawn rows. A shorter list scrolls
        to keep the cursor's row on screen."""
        self._strips.clear()
        self.virtual_size = Size(self._content_width(), self._total)
        self._scroll_cursor_into_view()

    def on_focus(self) -> None:
        """The cursor row looks different in a focused list."""
        self._restyle()

    def on_blur(self) -> None:
        """The cursor row looks different in a list without focus."""
        self._restyle()

    def _restyle(self) -> None:
        self._strips.clear()
        self._styles.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        """A theme change restyles every row."""
        super().notify_style_update()
        self._strips.clear()
        self._styles.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines in `crop` finished for the screen, as Textual's style cache would.

        At a page down every row is new, and Textual finished each in its style cache (for
        borders, padding, tint, opacity, hatching: none of which the list has) in twice the
        time it takes to draw the row. What that does to a row of this list is to pad it to
        the widget's width (the cells under the scroll bar) and pass it through the app's
        line filters; both are kept with the row's strip (in `Strip`'s own caches), so a row
        drawn again costs nothing. A list that does have one of those styles goes through
        Textual. tests/tui/test_paper_list_lines.py compares the two line by line.
        """
        if not self._finished_plainly():
            if self._finished_here:
                # Lines finished here never reached the style cache: start it afresh.
                self._finished_here = False
                self._styles_cache.clear()
            return super().render_lines(crop)
        self._finished_here = True
        finish = self._finisher()
        lines = [finish(self.render_line(y)) for y in crop.line_range]
        if crop.column_span != (0, self.size.width):
            first, last = crop.column_span
            lines = [line.crop(first, last) for line in lines]
        return lines

    def _finished_plainly(self) -> bool:
        """Whether the list's lines need none of Textual's line styling (see
        `render_lines`)."""
        styles = self.styles
        return not (
            self.BLANK
            or styles.gutter
            or any(kind for kind, _ in styles.outline)
            or styles.tint.a
            or styles.text_opacity != 1
            or (styles.has_rule("hatch") and styles.hatch != "none")
            or self.opacity != 1
            or self.hover_style.link_id
        )

    def _finisher(self) -> Callable[[Strip], Strip]:
        """What Textual's style cache does to a line of this list (see `render_lines`)."""
        content_width = self.content_region.width
        base, background = self.background_colors
        under = VisualStyle(background=base + background).rich_style
        filters = self.get_line_filters()

        def finish(line: Strip) -> Strip:
            line = line.adjust_cell_length(content_width, under)
            for line_filter in filters:
                line = line.apply_filter(line_filter, background)
            return line

        return finish

    def render_line(self, y: int) -> Strip:
        """Draw one visible line: row `scroll_y + y` of the matches."""
        width = self._content_width()
        if not self._total:
            if y == 0:
                style = self.get_component_rich_style("paper-list--empty")
                return Strip([Segment(f" {self.empty_text}"[:width], style)]).extend_cell_length(
                    width, self.rich_style
                )
            return Strip.blank(width, self.rich_style)
        return self._row_line(int(self.scroll_offset.y) + y, width)

    def _row_line(self, index: int, width: int, cursor: bool | None = None) -> Strip:
        """The line of row `index` of the matches (cached by paper, width and cursor),
        drawn with the cursor on it if it is the cursor's row (or if `cursor` says so)."""
        if index >= self._total:
            return Strip.blank(width, self.rich_style)
        if index >= len(self._rowids):
            # Past the first screenful of a large result that is still arriving.
            style = self.get_component_rich_style("paper-list--empty")
            return Strip([Segment("   …", style)]).extend_cell_length(width, self.rich_style)
        rowid = self._rowids[index]
        if cursor is None:
            cursor = index == self.cursor
        cache_key = (rowid, width, cursor)
        strip = self._strips.get(cache_key)
        if strip is None:
            strip = self._render_row(self._entry(rowid), width, cursor, rowid)
            self._strips[cache_key] = strip
        return strip

    def _draw_ahead(self) -> None:
        """Draw and finish the rows of the screens above and below (their papers are
        fetched): the next page up or down is then drawn from the caches."""
        if not self._total or not self._finished_plainly():
            return
        finish = self._finisher()
        width = self._content_width()
        top = int(self.scroll_offset.y)
        height = max(self.scrollable_content_region.height, 1)
        loaded = len(self._rowids)
        below = range(top + height, min(top + 2 * height, loaded))
        above = range(max(top - height, 0), min(top, loaded))
        # Finishing a row keeps the finished line in the row's strip (`Strip` caches it).
        for index in (*below, *above):
            finish(self._row_line(index, width))
        # Where the cursor goes next: a row up or down, a page up or down.
        page = max(height - 1, 1)
        for index in (self.cursor + 1, self.cursor - 1, self.cursor + page, self.cursor - page):
            if 0 <= index < loaded:
                finish(self._row_line(index, width, cursor=True))

    def _render_row(self, entry: Entry | None, width: int, cursor: bool, rowid: int) -> Strip:
        if entry is None:
            return Strip.blank(width, self.rich_style)
        styles = self._row_styles(cursor)
        columns = columns_for(width, self.show_ids)
        paper, state = entry.paper, entry.state
        title_style = styles["read"] if state.read else styles["unread"]
        # Segments are built directly (not through rich Text): this runs for every row
        # that comes into view, and is a good part of the cost of a repaint.
        segments = [
            Segment("▌" if rowid in self.selected else " ", styles["selected"]),
            Segment(" " if state.read else "●", title_style),
            Segment("★" if state.starred else " ", styles["star"]),
            Segment("◆", styles["watch"])
            if rowid in self._watched
            else Segment(" ", styles["base"]),
        ]
        meta = styles["meta"]
        if columns.ids:
            _add_fitted(segments, "", one_line(paper.arxiv_id or ""), columns.ids, meta)
            segments.append(Segment("  ", meta))
        tags = " ".join(f"#{one_line(tag)}" for tag in state.tags)
        title_width = columns.title
        tags_width = 0
        if tags:
            # Tags share the title's room: at most a quarter of it, never more than needed.
            tags_width = min(cell_len(tags), max(title_width // 4, 8), 24)
            title_width -= tags_width + 1
        _add_fitted(segments, "", one_line(paper.title), title_width, title_style)
        if tags_width:
            _add_fitted(segments, " ", tags, tags_width, styles["tags"])
        if columns.byline:
            _add_fitted(segments, "  ", one_line(paper.byline), columns.byline, meta)
        if columns.date:
            date = paper.published.isoformat() if paper.published else "—"
            _add_fitted(segments, "  ", date, _DATE_WIDTH, meta)
        if columns.votes:
            votes = "" if paper.upvotes is None else str(paper.upvotes)
            segments.append(Segment(f" {votes:>{_VOTES_WIDTH}}", meta))
        segments.append(Segment(" ", styles["base"]))
        # The length given, not measured: Textual would measure each segment (a title cut
        # with an ellipsis is measured character by character, twice per row drawn).
        length = sum(_cells(segment.text) for segment in segments)
        return Strip(segments, length).adjust_cell_length(width, styles["base"])

    def _row_styles(self, selected: bool) -> dict[str, Style]:
        """The finished style of each part of a row (cached until the theme changes)."""
        cached = self._styles.get(selected)
        if cached is not None:
            return cached
        base = self.rich_style
        # The cursor goes on top of the column colours, so it shows in every theme.
        cursor = self.get_component_rich_style("paper-list--cursor") if selected else Style()
        parts = {
            "base": Style(),
            "read": self.get_component_rich_style("paper-list--read", partial=True),
            "unread": self.get_component_rich_style("paper-list--unread", partial=True),
            "star": self.get_component_rich_style("paper-list--star", partial=True),
            "meta": self.get_component_rich_style("paper-list--meta", partial=True),
            "tags": self.get_component_rich_style("paper-list--tags", partial=True),
            "selected": self.get_component_rich_style("paper-list--selected", partial=True),
            "watch": self.get_component_rich_style("paper-list--watch", partial=True),
        }
        styles = {name: base + style + cursor for name, style in parts.items()}
        self._styles[selected] = styles
        return styles


@dataclass(frozen=True, slots=True)
class Columns:
    """Cell widths of the columns for a list width (0 hides a column)."""

    ids: int
    title: int
    byline: int
    date: int
    votes: int


TITLE_ROOM = 60
"""The byline column appears only when the title keeps at least this many cells."""


def columns_for(width: int, show_ids: bool = False) -> Columns:
    """The title first: the other columns take room only while the title keeps enough."""
    ids = _ID_WIDTH if show_ids and width >= 60 else 0
    date = _DATE_WIDTH if width >= 56 else 0
    votes = _VOTES_WIDTH if width >= 64 else 0
    used = _MARKS_WIDTH + 1 + (ids + 2 if ids else 0) + (date + 2 if date else 0)
    used += votes + 1 if votes else 0
    byline = min(28, width // 5)
    if width - used - (byline + 2) < TITLE_ROOM:
        byline = 0
    used += byline + 2 if byline else 0
    return Columns(ids, max(width - used, 8), byline, date, votes)


SORT_COLUMN = {"date": "Date", "upvotes": "Up", "title": "Title"}
"""The column each sort orders by (`added` has no column of its own)."""
DESCENDING = {"date": True, "upvotes": True, "title": False, "added": True}
"""Whether each sort, not reversed, lists the largest first."""


def header_text(width: int, show_ids: bool, sort: str, reverse: bool) -> str:
    """The column headings above the list, the sorted one marked ▼ or ▲."""
    columns = columns_for(width, show_ids)
    arrow = "▼" if DESCENDING.get(sort, True) != reverse else "▲"

    def name(label: str) -> str:
        return f"{label} {arrow}" if SORT_COLUMN.get(sort) == label else label

    title = name("Title")
    if sort not in SORT_COLUMN:
        title = f"Title (sorted by {sort} {arrow})"
    parts = [" " * (_MARKS_WIDTH + 1)]
    if columns.ids:
        parts.append(_fit("arXiv id", columns.ids) + "  ")
    parts.append(_fit(title, columns.title))
    if columns.byline:
        parts.append("  " + _fit("Authors", columns.byline))
    if columns.date:
        parts.append("  " + _fit(name("Date"), _DATE_WIDTH))
    if columns.votes:
        parts.append(" " + _fit(name("Up"), _VOTES_WIDTH))
    return "".join(parts)


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` cells with an ellipsis, padded to exactly `width` cells."""
    shown, ellipsis = _fit_parts(text, width)
    return shown + ellipsis


def _fit_parts(text: str, width: int) -> tuple[str, str]:
    """`_fit` in two parts: the text, cut or padded, and the ellipsis ("" if not cut)."""
    if width <= 0:
        return "", ""
    length = _cells(text)
    if length <= width:
        return text + " " * (width - length), ""
    return set_cell_size(text, width - 1), "…"


def _add_fitted(segments: list[Segment], before: str, text: str, width: int, style: Style) -> None:
    """`before` and `text` fitted to `width` cells, as segments in `style`: the ellipsis
    of a cut text is a segment of its own, so that the text stays one that Rich measures
    at once (an ellipsis makes it measure every character, and it measures each new row's
    segments at least twice)."""
    shown, ellipsis = _fit_parts(text, width)
    segments.append(Segment(before + shown, style))
    if ellipsis:
        segments.append(Segment(ellipsis, style))


def _cells(text: str) -> int:
    """The cells `text` takes, as Rich's `cell_len` counts them; plain ASCII without
    control characters (one cell a character) is not looked at character by character."""
    return len(text) if text.isascii() and text.isprintable() else cell_len(text)


class ListHeader(Widget):
    """The column headings above the paper list, the sort marked ▼ or ▲."""

    DEFAULT_CSS = """
    ListHeader {
        height: 1;
        color: $text-muted;
        background: $surface;
        text-style: bold;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sort = "date"
        self.reverse = False
        self.show_ids = False
        self.list_width = 0
        """The paper list's content width, which the columns depend on."""

    def update(self, *, sort: str, reverse: bool, show_ids: bool, width: int) -> None:
        """Redraw for this sort and these columns."""
        self.sort, self.reverse, self.show_ids, self.list_width = sort, reverse, show_ids, width
        self.refresh()

    def render(self) -> str:
        """The headings, as plain text."""
        width = self.list_width or self.size.width
        return header_text(width, self.show_ids, self.sort, self.reverse)
