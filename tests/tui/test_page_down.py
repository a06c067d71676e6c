"""What a page down does on its way to the screen: no query of the catalog.

The list keeps the papers of the screens around the cursor in memory. It used to fetch
them when a row that was not there was drawn, so every other page down queried the
catalog between the key and the painted list; now the list fetches the screens above and
below once it is painted after a move.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from textual.geometry import Region

from reader.model import Entry
from reader.tui.app import ReaderApp
from tests.tui.conftest import settle


async def test_a_page_down_draws_the_next_page_from_papers_fetched_before_the_key(
    make_app: Callable[..., ReaderApp],
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
        whole = Region(0, 0, *paper_list.size)
        while paper_list.cursor + height < paper_list.row_count:
            top = paper_list.scroll_offset.y
            fetched.clear()
            # The key and the drawing of the list, as the next frame draws it.
            paper_list.action_page_down()
            lines = paper_list.render_lines(whole)
            assert paper_list.scroll_offset.y > top
            assert fetched == [], f"page down to row {paper_list.cursor} queried the catalog"
            assert len(lines) == height
            await settle(pilot)  # the list fetches the screens around its new place
        assert paper_list.current_entry is not None
