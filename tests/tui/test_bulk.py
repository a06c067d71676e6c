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


async def test_marking_every_paper_read_runs_in_a_worker_and_undoes_in_one_step(
    make_app, big_dir: Path
):
    app = make_app(big_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"is:unread", "enter")
        await settle(pilot)
        assert app.main.paper_list.row_count == COUNT
        # Hold the write until the test lets it go: the app must answer keys meanwhile.
        release = threading.Event()
        set_read = app.library.set_read

        def slow_set_read(*args, **kwargs):
            assert threading.current_thread() is not threading.main_thread()
            release.wait(10)
            return set_read(*args, **kwargs)

        app.library.set_read = slow_set_read  # type: ignore[method-assign]
        await pilot.press("A")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        assert f"Marked {COUNT:,} papers read…" in status_text(app)
        await pilot.press("j", "j")  # control is back at once: the cursor moves
        assert app.main.paper_list.cursor == 2
        release.set()
        await settle(pilot)
        app.library.set_read = set_read  # type: ignore[method-assign]
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
