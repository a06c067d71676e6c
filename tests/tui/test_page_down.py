"""What a page down does on its way to the screen: no query of the catalog, no row
drawn anew, no title measured character by character.

The list keeps the papers of the screens around the cursor in memory, and their rows
drawn. It used to fetch them when a row that was not there was drawn, so every other page
down queried the catalog between the key and the painted list, and each drew all its
rows; now the list fetches and draws the screens above and below once it is painted
after a move.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pytest
import rich.cells
from textual.geometry import Region
from textual.strip import Strip

from reader.model import Entry
from reader.tui.app import ReaderApp
from reader.tui.widgets.paper_list import PaperList
from tests.tui.conftest import settle


async def test_a_page_down_shows_rows_fetched_and_drawn_before_the_key(
    make_app: Callable[..., ReaderApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_list = app.main.paper_list
        height = paper_list.size.height
        assert paper_list.row_count > 2 * height  # three pages at least
        fetched: list[int] = []
        fetch = paper_list._fetch

        def counting(rowids: Sequence[int]) -> Mapping[int, Entry]:
            fetched.extend(rowids)
            return fetch(rowids)

        paper_list._fetch = counting
        drawn: list[int] = []
        draw = PaperList._render_row

        def drawing(
            self: PaperList, entry: Entry | None, width: int, cursor: bool, rowid: int
        ) -> Strip:
            drawn.append(rowid)
            return draw(self, entry, width, cursor, rowid)

        monkeypatch.setattr(PaperList, "_render_row", drawing)
        whole = Region(0, 0, *paper_list.size)
        while paper_list.cursor + height < paper_list.row_count:
            top = paper_list.scroll_offset.y
            fetched.clear()
            drawn.clear()
            # The key and the drawing of the list, as the next frame draws it.
            paper_list.action_page_down()
            lines = paper_list.render_lines(whole)
            assert paper_list.scroll_offset.y > top
            assert fetched == [], f"page down to row {paper_list.cursor} queried the catalog"
            assert drawn == [], f"{len(drawn)} rows drawn"
            assert len(lines) == height
            await settle(pilot)  # the list fetches and draws the screens around it
        assert paper_list.current_entry is not None


async def test_rows_are_drawn_without_measuring_titles_character_by_character(
    make_app: Callable[..., ReaderApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A title cut with an ellipsis is not plain ASCII: Rich measured it one character
    at a time, at least twice for each row drawn (the row's length, the screen's cuts)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_list = app.main.paper_list
        whole = Region(0, 0, *paper_list.size)
        cut = [line for line in paper_list.render_lines(whole) if "…" in line.text]
        assert len(cut) > 10  # most titles are cut at this width
        measured: list[str] = []
        measure = rich.cells.get_character_cell_size

        def counting(character: str, unicode_version: str = "auto") -> int:
            measured.append(character)
            return measure(character, unicode_version)

        monkeypatch.setattr(rich.cells, "get_character_cell_size", counting)
        rich.cells.cached_cell_len.cache_clear()
        paper_list.refresh_entries()  # every row drawn anew
        paper_list.render_lines(whole)
        app.screen._compositor.render_update(full=True)
        # Only the ellipsis on its own, once (Rich caches a measured string).
        assert set(measured) <= {"…"}, f"{len(measured)} characters measured one by one"


async def test_a_cursor_move_after_scrolling_repaints_the_rows_it_left_and_reached(
    make_app: Callable[..., ReaderApp],
) -> None:
    # `refresh_line` takes a line of the whole list (it subtracts the scroll itself): the
    # list subtracted it too, so once scrolled, `j` repainted lines above the screen and
    # left the old cursor row drawn as the cursor until something else repainted it.
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_list = app.main.paper_list
        await pilot.press("pagedown")
        await settle(pilot)
        top = int(paper_list.scroll_offset.y)
        assert top > 0, "the list scrolled"
        repainted: list[Region] = []
        refresh = paper_list.refresh

        def recording(*regions: Region, **options: object) -> PaperList:
            repainted.extend(regions)
            return refresh(*regions, **options)  # type: ignore[arg-type]

        paper_list.refresh = recording  # type: ignore[method-assign]
        before = paper_list.cursor
        paper_list.action_cursor_down()
        rows = {region.y for region in repainted if region.height == 1}
        assert {before - top, before + 1 - top} <= rows


async def test_opening_the_app_counts_no_papers_on_the_screen_s_thread(
    make_app: Callable[..., ReaderApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Counting reads a whole index (100-160 ms in a new process at a million papers): the
    # screen starts from the largest row id, and the worker's first search brings the count.
    import threading

    from reader.library.catalog import Catalog

    counted_on: list[str] = []
    count = Catalog.__len__

    def counting(self: Catalog) -> int:
        counted_on.append(threading.current_thread().name)
        return count(self)

    monkeypatch.setattr(Catalog, "__len__", counting)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "MainThread" not in counted_on
        assert app.main.total == len(app.main.library) > 0
        assert app.main.paper_list.row_count == app.main.total


async def test_the_cursor_stays_on_screen_when_the_terminal_gets_smaller(
    make_app: Callable[..., ReaderApp],
) -> None:
    # Found by an adversarial review: the list kept its scroll when it got shorter, so the
    # cursor's row could be below the screen, and no paper looked highlighted.
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        paper_list = app.main.paper_list
        for size in ((80, 24), (160, 40), (60, 15), (45, 12)):
            await pilot.press("pagedown", "j")
            await settle(pilot)
            await pilot.resize_terminal(*size)
            await settle(pilot)
            top = int(paper_list.scroll_offset.y)
            height = paper_list.scrollable_content_region.height
            assert top <= paper_list.cursor < top + height, size
