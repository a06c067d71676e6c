"""The filter's first page from the newest papers' index: on screen before the whole
result, marked as still counting, completed in place; a newer query stops the search of
the older one."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from textual.widgets import Input

from reader.library.search import SearchStopped
from reader.query import Query
from reader.tui.screens import main as main_screen
from tests.tui.conftest import settle, status_text

SIZE = (140, 40)


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait (in the event loop) until `condition()` holds."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


async def test_the_first_page_shows_first_then_the_whole_result(make_app, monkeypatch):
    monkeypatch.setattr(main_screen, "FIRST_PAGE", 3)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        library = app.main.library
        whole = library.rowids("model").tolist()
        assert len(whole) > 3
        release = threading.Event()
        real = library.rowids_at_hand

        def held(query: Query, sort: str = "date", stop: object = None) -> object:
            if not query.matches_everything:
                release.wait(10)
            return real(query, sort, stop)  # type: ignore[arg-type]

        monkeypatch.setattr(library, "rowids_at_hand", held)
        app.main.query_one("#filter", Input).value = "model"
        paper_list = app.main.paper_list
        # The first page is on screen while the whole result is held back: the newest
        # papers' matches, the first of the whole result, and the count still coming.
        await until(lambda: "(counting)" in status_text(app))
        shown = paper_list.rowids.tolist()
        assert len(shown) >= 3 and shown == whole[: len(shown)]
        assert status_text(app).startswith(f"{len(shown)}+ of 93 papers")
        paper_list.cursor = 2  # the user moves on the first page meanwhile
        release.set()
        await settle(pilot)
        assert paper_list.rowids.tolist() == whole
        assert status_text(app).startswith(f"{len(whole)} of 93 papers")
        assert "counting" not in status_text(app)
        assert paper_list.cursor == 2  # completed in place


async def test_a_newer_query_stops_the_older_search(make_app, monkeypatch):
    monkeypatch.setattr(main_screen, "FIRST_PAGE", 3)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        library = app.main.library
        real = library.rowids_at_hand
        stopped: list[str] = []

        def slow(
            query: Query, sort: str = "date", stop: Callable[[], bool] | None = None
        ) -> object:
            if query.text == "model":
                # As SQLite reading a million matches: it ends only when told to stop.
                for _ in range(1000):
                    if stop is not None and stop():
                        stopped.append(query.text)
                        raise SearchStopped()
                    threading.Event().wait(0.01)
            return real(query, sort, stop)

        monkeypatch.setattr(library, "rowids_at_hand", slow)
        bar = app.main.query_one("#filter", Input)
        bar.value = "model"
        await until(lambda: "(counting)" in status_text(app))
        bar.value = "sparse"
        await settle(pilot)
        assert stopped == ["model"]
        assert app.main.paper_list.rowids.tolist() == library.rowids("sparse").tolist()
        assert "counting" not in status_text(app)
