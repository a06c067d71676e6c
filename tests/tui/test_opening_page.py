"""The app lists its first screenful before its first frame (`_list_opening_page`).

With no filter and no paper to stay on, the screen walks the sort's index on the UI
thread when it mounts; the search worker brings the rest once that page is painted. These
tests hold the worker's every query back, so anything listed came from the UI thread, and
check that a restored filter or place never shows the unfiltered papers first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.widgets import Input

from reader.library import Library
from reader.settings import Settings
from reader.tui.screens import main as main_screen
from tests.tui.conftest import burst, settle, status_text, until

SIZE = (120, 30)


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Every query a search worker makes waits until the event is set."""
    release = threading.Event()
    for name in ("rowids", "first_page", "early_page", "rowids_at_hand"):
        real = getattr(Library, name)

        def waiting(self: Library, *args: object, real: Callable = real, **kw: object) -> object:
            if threading.current_thread() is not threading.main_thread():
                release.wait(10)
            return real(self, *args, **kw)

        monkeypatch.setattr(Library, name, waiting)
    yield release
    release.set()


async def test_the_first_screenful_is_listed_before_any_search_answers(
    make_app, sample_dir: Path, held: threading.Event, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(main_screen, "FIRST_PAGE", 5)
    with Library(sample_dir) as library:
        whole = library.rowids("").tolist()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        paper_list = app.main.paper_list
        # No pause: the worker is held, so these rows come from the screen's mount.
        assert paper_list.rowids.tolist() == whole[:5]
        assert paper_list.row_count == len(whole)  # the whole length, for the scroll bar
        assert paper_list.cursor == 0
        first = paper_list.current_entry
        assert first is not None
        # The preview of the first paper follows at once, without a search either.
        await until(lambda: str(app.main.preview.part("title")) == first.paper.title)
        assert status_text(app).startswith(f"{len(whole)} of {len(whole)} papers")
        paper_list.cursor = 3  # the user moves while the rest is coming
        held.set()
        await settle(pilot)
        assert paper_list.rowids.tolist() == whole
        assert paper_list.cursor == 3  # completed in place


async def test_a_restored_filter_never_shows_the_unfiltered_papers_first(
    make_app, sample_dir: Path, held: threading.Event
):
    Settings(sample_dir).set("place", ["model", ""])
    with Library(sample_dir) as library:
        matching = library.rowids("model").tolist()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.main.query_one("#filter", Input).value == "model"
        assert app.main.paper_list.row_count == 0  # nothing until the filter's answer
        held.set()
        await settle(pilot)
        assert app.main.paper_list.rowids.tolist() == matching


async def test_a_restored_place_near_the_top_is_listed_with_the_cursor_on_it(
    make_app, sample_dir: Path, held: threading.Event, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(main_screen, "OPENING_REACH", 50)
    with Library(sample_dir) as library:
        whole = library.rowids("").tolist()
        key = library.keys(sort="date")[40]
    Settings(sample_dir).set("place", ["", key])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        paper_list = app.main.paper_list
        # The worker is held: the rows down to the place came from the screen's mount.
        assert paper_list.rowids.tolist() == whole[:50]
        assert paper_list.cursor == 40
        entry = paper_list.current_entry
        assert entry is not None and entry.key == key
        await until(  # and on screen, still without the worker
            lambda: (
                paper_list.size.height > 0
                and paper_list.scroll_offset.y
                <= 40
                < paper_list.scroll_offset.y + paper_list.size.height
            )
        )
        assert not held.is_set()
        paper_list.cursor = 45  # the user moves while the rest is coming
        held.set()
        await settle(pilot)
        assert paper_list.rowids.tolist() == whole
        assert paper_list.cursor == 45


async def test_a_restored_place_further_down_is_found_by_the_worker(
    make_app, sample_dir: Path, held: threading.Event, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(main_screen, "OPENING_REACH", 30)
    with Library(sample_dir) as library:
        key = library.keys(sort="date")[40]
    Settings(sample_dir).set("place", ["", key])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.main.paper_list.row_count == 0  # not the top of the list first
        held.set()
        await settle(pilot)
        entry = app.main.paper_list.current_entry
        assert entry is not None and entry.key == key


async def test_typing_right_after_the_start_lists_the_filter_not_the_whole_library(
    make_app, sample_dir: Path, held: threading.Event
):
    with Library(sample_dir) as library:
        matching = library.rowids("causal").tolist()
        assert 0 < len(matching) < library.count("")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.main.paper_list.row_count > 0  # the opening page
        app.main.query_one("#filter", Input).value = "causal"
        await pilot.pause()
        held.set()
        await settle(pilot)
        await until(lambda: app.main.paper_list.rowids.tolist() == matching)
        assert status_text(app).startswith(f"{len(matching)} of")


async def test_a_burst_typed_at_the_first_frame_filters_then_moves_and_stars_there(
    make_app, sample_dir: Path
):
    # The opening page is listed before the first frame; a fast typist's "/causal", Enter,
    # "j j s" typed at once must filter (no letter of "causal" runs as a command), then
    # move and star in the filtered list, not on the opening page.
    with Library(sample_dir) as library:
        matching = library.keys("causal", sort="date")
        assert len(matching) >= 3
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.main.paper_list.row_count > 0  # the opening page, no pause
        await burst(pilot, ["slash", *"causal", "enter", "j", "j", "s"])
        await settle(pilot)
        assert app.main.query_one("#filter", Input).value == "causal"
        starred = [key for key in matching if app.main.library.state_of(key).starred]
        assert starred == [matching[2]]
        assert app.main.library.count("is:starred") == 1
