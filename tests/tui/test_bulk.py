"""Bulk changes: in a worker, one undo step each, and stored compactly."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from reader.library import Library
from reader.model import Incoming, Paper
from reader.tui.changes import BULK
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.widgets.footer import KeyFooter
from tests.tui.conftest import settle, status_text

SIZE = (120, 40)
COUNT = 3 * BULK


@pytest.fixture
def big_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "big"
    with Library(folder) as library:
        library.import_papers(
            [
                Incoming(Paper(key=f"k{n:05d}", title=f"Paper number {n}", abstract="text"))
                for n in range(COUNT)
            ]
        )
    return folder


async def _filter_all(pilot, query: str) -> None:
    """Filter the list with a query that matches every paper of `big_dir`."""
    await settle(pilot)
    await pilot.press("slash", *query, "enter")
    await settle(pilot)
    assert pilot.app.main.paper_list.row_count == COUNT


async def test_marking_every_paper_read_runs_in_a_worker_and_undoes_in_one_step(
    make_app, big_dir: Path
):
    app = make_app(big_dir)
    async with app.run_test(size=SIZE) as pilot:
        await _filter_all(pilot, "is:unread")
        # Hold the write until the test lets it go: the app must answer keys meanwhile.
        release = threading.Event()
        mark = app.library.mark_matching_read

        def slow_mark(*args, **kwargs):
            assert threading.current_thread() is not threading.main_thread()
            release.wait(10)
            return mark(*args, **kwargs)

        app.library.mark_matching_read = slow_mark  # type: ignore[method-assign]
        await pilot.press("A")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        assert f"Marked {COUNT:,} papers read…" in status_text(app)
        await pilot.press("j", "j")  # control is back at once: the cursor moves
        assert app.main.paper_list.cursor == 2
        release.set()
        await settle(pilot)
        app.library.mark_matching_read = mark  # type: ignore[method-assign]
        assert f"Marked {COUNT:,} papers read" in status_text(app)
        assert app.main.paper_list.row_count == 0, "is:unread matches nothing now"
        with Library(big_dir) as library:
            assert library.count("is:read") == COUNT
        await pilot.press("u")
        await settle(pilot)
        assert "Undone" in status_text(app)
        assert app.main.paper_list.row_count == COUNT
        await pilot.press("u")
        await settle(pilot)
        assert "Nothing to undo" in status_text(app)
        await pilot.press("ctrl+r")
        await settle(pilot)
        with Library(big_dir) as library:
            assert library.count("is:read") == COUNT
        await pilot.press("u")
        await settle(pilot)
        assert app.library.count("is:read") == 0
    app.library.close()  # as quitting does: the journal is folded into the snapshot
    # A bulk change is one compact journal line, and a state back to the defaults leaves
    # no records behind: the library opens as fast as before.
    state = (
        json.loads((big_dir / "state.json").read_text())
        if (big_dir / "state.json").exists()
        else {}
    )
    assert not state.get("state")


async def test_marking_the_matches_of_a_text_filter_read_keeps_the_list_without_searching(
    make_app, big_dir: Path
):
    app = make_app(big_dir)
    async with app.run_test(size=SIZE) as pilot:
        await _filter_all(pilot, "number")
        await pilot.press("j", "j", "j")
        searches: list[object] = []
        search = app.main.search

        def counted(*args, **kwargs):
            searches.append(args)
            return search(*args, **kwargs)

        app.main.search = counted  # type: ignore[method-assign]
        await pilot.press("A", "y")
        await settle(pilot)
        assert f"Marked {COUNT:,} papers read" in status_text(app)
        # A filter that does not look at the state matches the same papers: the list
        # stays, the cursor too, and the rows on screen are drawn read.
        assert not searches
        assert app.main.paper_list.row_count == COUNT
        assert app.main.paper_list.cursor == 3
        entry = app.main.paper_list.current_entry
        assert entry is not None and entry.state.read
        await pilot.press("u")
        await settle(pilot)
        assert not searches
        entry = app.main.paper_list.current_entry
        assert entry is not None and not entry.state.read
        assert app.library.count("is:read") == 0


async def test_the_footer_is_rebuilt_only_when_its_keys_change(make_app, sample_dir: Path):
    app = make_app(sample_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = app.main.query_one(KeyFooter)
        shown = footer.keys
        assert "toggle_star" in {key.action for key in shown}
        await pilot.press("A")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        # The same keys after the dialog: not laid out again.
        assert footer.keys is shown
        await pilot.press("slash")  # typing a filter hides the paper keys
        await settle(pilot)
        assert "toggle_star" not in {key.action for key in footer.keys}
        await pilot.press("escape")
        await settle(pilot)
        assert "toggle_star" in {key.action for key in footer.keys}
