"""The app never loses your place, and sees what other processes change on disk."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from reader.library import Library
from reader.settings import Settings
from tests.tui.conftest import list_lines, settle, status_text

SIZE = (140, 40)


async def _wait_for_poll(pilot) -> None:
    # The app looks at the files about once a second.
    await pilot.pause(1.3)
    await settle(pilot)


async def test_another_instance_s_star_shows_within_a_second(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entry = app.main.paper_list.current_entry
        assert entry is not None and not entry.state.starred
        with Library(sample_dir) as other:
            other.set_starred([entry.key], True)
            other.set_note(entry.key, "from the other terminal")
        await _wait_for_poll(pilot)
        assert "★" in list_lines(app)[0]
        assert app.main.paper_list.current_entry.state.note == "from the other terminal"
        # And the app acts on what is on disk: s now unstars (never "(no change)").
        await pilot.press("s")
        await settle(pilot)
        assert status_text(app).count("Unstarred") == 1
        with Library(sample_dir) as other:
            state = other.state_of(entry.key)
            assert not state.starred and state.note == "from the other terminal"


async def test_an_idle_app_does_not_search_again_when_nothing_changed(make_app, monkeypatch):
    # A fresh library has no state file yet; every poll took that for another process's
    # write and searched and repainted again, once a second, for as long as the app ran.
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        searches: list[object] = []
        original = type(app.main).search_here
        monkeypatch.setattr(
            type(app.main), "search_here", lambda self: searches.append(1) or original(self)
        )
        await _wait_for_poll(pilot)
        await _wait_for_poll(pilot)
        assert searches == []


async def test_two_app_instances_on_one_library(make_app, sample_dir: Path):
    first, second = make_app(), make_app()
    async with first.run_test(size=SIZE) as one, second.run_test(size=SIZE) as two:
        await settle(one)
        await settle(two)
        await one.press("s")  # star the first paper in one window
        await settle(one)
        await two.press("slash", *"is:starred", "enter")
        await _wait_for_poll(two)
        assert second.main.paper_list.row_count == 1
        assert "★" in list_lines(second)[0]


async def test_another_process_s_import_shows_up(make_app, sample_dir: Path, tmp_path: Path):
    from reader.model import Incoming, Paper

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.main.paper_list.row_count
        with Library(sample_dir) as other:
            other.import_papers([Incoming(Paper(key="new-one", title="A brand new paper"))])
        await _wait_for_poll(pilot)
        assert app.main.paper_list.row_count == before + 1
        assert f"{before + 1:,} of {before + 1:,} papers" in status_text(app)


async def test_the_cursor_stays_on_its_paper_when_the_sort_changes(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"jjjjj")
        key = app.main.paper_list.current_entry.key
        for _ in range(4):
            await pilot.press("S")
            await settle(pilot)
            assert app.main.paper_list.current_entry.key == key, app.main.sort


async def test_moving_while_a_refresh_runs_keeps_the_paper_moved_to(make_app, monkeypatch):
    # A refresh (another instance wrote, a star re-ranks, the sort changed) keeps the
    # cursor on its paper. It used to take that paper when the search started: moving on
    # while it ran, the result put the cursor back where it had been.
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper_list = app.main.paper_list
        await pilot.press("j", "j")
        started, release = threading.Event(), threading.Event()
        library = app.main.library
        search = library.rowids

        def slow_rowids(*args: object, **kwargs: object) -> object:
            started.set()
            release.wait(10)
            return search(*args, **kwargs)

        monkeypatch.setattr(library, "rowids", slow_rowids)
        app.main.search_here()
        assert await asyncio.to_thread(started.wait, 10)
        await pilot.press("j", "j", "j")
        moved_to = paper_list.current_entry.key
        assert paper_list.cursor == 5
        release.set()
        await settle(pilot)
        assert paper_list.current_entry.key == moved_to
        # The paper it is on when the result comes wins even when it was not moved.
        app.main.search_here()
        await settle(pilot)
        assert paper_list.current_entry.key == moved_to


async def test_the_cursor_stays_on_its_paper_when_the_filter_is_cleared(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"sparse", "enter", "j", "j")
        await settle(pilot)
        key = app.main.paper_list.current_entry.key
        await pilot.press("escape")  # clear the filter
        await settle(pilot)
        assert app.main.query_one("#filter").value == ""
        assert app.main.paper_list.row_count > 20
        assert app.main.paper_list.current_entry.key == key
        assert "Filter cleared" in status_text(app)
        # Typing a new filter makes the status line current again.
        await pilot.press("slash", *"caus")
        await settle(pilot)
        assert "Filter cleared" not in status_text(app)


async def test_a_restart_comes_back_to_the_same_filter_and_paper(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"causal", "enter", "j", "j", "j")
        await settle(pilot)
        key = app.main.paper_list.current_entry.key
        await pilot.press("q")
    assert Settings(sample_dir).get("place") == ["causal", key]
    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.main.query_one("#filter").value == "causal"
        assert again.main.paper_list.current_entry.key == key
        assert again.main.paper_list.row_count < 93
