"""The filter's first page from the newest papers' index: on screen before the whole
result, marked as still counting, completed in place; a newer query stops the search of
the older one."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from textual import events
from textual.widgets import Input

from reader.library.search import SearchStopped
from reader.query import Query
from reader.tui.screens import main as main_screen
from tests.tui.conftest import settle, status_text, until

SIZE = (140, 40)


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


async def test_a_place_taken_on_the_early_page_survives_a_first_page_after_it(
    make_app, sample_dir: Path, monkeypatch
):
    # Another process commits to the catalog right after the newest papers' page is shown
    # (another instance, `reader fetch`): the order is no longer at hand, so a first page
    # follows before the whole result. It put the cursor back on the first row.
    monkeypatch.setattr(main_screen, "FIRST_PAGE", 3)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        library = app.main.library
        release = threading.Event()
        real_first, real_early = library.first_page, library.early_page

        def held_first(query: Query, sort: str = "date", limit: int = 200) -> object:
            if not query.matches_everything:
                release.wait(10)  # a million papers' first page takes a while
            return real_first(query, sort, limit)

        def early_then_another_write(*args: object, **kwargs: object) -> object:
            page = real_early(*args, **kwargs)  # type: ignore[arg-type]
            other = sqlite3.connect(sample_dir / "catalog.sqlite3", isolation_level=None)
            try:
                other.execute("UPDATE papers SET upvotes = upvotes WHERE rowid = 1")
            finally:
                other.close()
            return page

        monkeypatch.setattr(library, "first_page", held_first)
        monkeypatch.setattr(library, "early_page", early_then_another_write)
        app.main.query_one("#filter", Input).value = "model"
        paper_list = app.main.paper_list
        await until(lambda: "(counting)" in status_text(app))
        paper_list.cursor = 2
        moved_to = paper_list.current_rowid
        release.set()
        await settle(pilot)
        assert "counting" not in status_text(app)
        assert paper_list.current_rowid == moved_to


async def test_keys_held_after_enter_wait_for_the_whole_result_not_its_first_page(
    make_app, monkeypatch
):
    # `/model⏎Gs`: the G is meant for the last match. Released on the first page (the
    # newest papers' matches), it went to the last row loaded so far, and the star with it.
    monkeypatch.setattr(main_screen, "FIRST_PAGE", 3)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        library = app.main.library
        whole = library.keys("model", sort="date")
        release = threading.Event()
        real = library.rowids_at_hand

        def held(query: Query, sort: str = "date", stop: object = None) -> object:
            if query.text == "model":  # the query typed, not the ones on the way to it
                release.wait(10)
            return real(query, sort, stop)  # type: ignore[arg-type]

        monkeypatch.setattr(library, "rowids_at_hand", held)
        for name, char in [("slash", "/"), *((c, c) for c in "model"), ("enter", None)]:
            key = events.Key(name, char)
            key.set_sender(app)
            app._driver.send_message(key)  # type: ignore[union-attr]
        await until(lambda: "(counting)" in status_text(app))  # the first page is listed
        assert app._keys.held  # Enter came while "model" was searched
        for name in ("G", "s"):
            key = events.Key(name, name)
            key.set_sender(app)
            app._driver.send_message(key)  # type: ignore[union-attr]
        await asyncio.sleep(0.1)
        assert library.count("is:starred") == 0  # G and s wait for the whole result
        release.set()
        await until(lambda: library.count("is:starred") == 1)
        assert library.keys("is:starred") == [whole[-1]]
