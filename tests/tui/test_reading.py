"""Reading a paper full screen, the preview that scrolls, and keeping triage there."""

from __future__ import annotations

from pathlib import Path

from reader.library import Library
from reader.model import Incoming, Paper
from reader.tui.screens.reading import ReadingScreen
from reader.tui.widgets.preview import PreviewPane
from tests.tui.conftest import settle, status_text, stored_state

LONG = " ".join(f"sentence{number} of a long abstract that goes on." for number in range(80))


def _visible(app) -> str:
    """The text on the screen now (from the rendered SVG, tags stripped)."""
    import html
    import re

    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg)
    return "".join(html.unescape(re.sub("<[^>]+>", "", line)) for line in lines)


async def test_enter_reads_the_paper_whole_at_80x24(tmp_path: Path, make_app):
    folder = tmp_path / "long"
    with Library(folder) as library:
        library.import_papers(
            [
                Incoming(
                    Paper(
                        key="2401.00001",
                        title="A paper with a title long enough to need two lines on an "
                        "80-column terminal, and then some more words",
                        abstract=LONG,
                        authors=("Ada Lovelace", "Alan Turing"),
                        arxiv_id="2401.00001",
                        github="https://github.com/example/code",
                    )
                ),
                Incoming(Paper(key="second", title="The second paper", abstract="Short.")),
            ]
        )
    app = make_app(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReadingScreen)
        shown = _visible(app)
        assert "then some more words" in shown.replace("\xa0", " ")  # the whole title
        assert "https://arxiv.org/pdf/2401.00001" in shown
        assert "sentence79" not in shown  # below the fold
        await pilot.press("G")  # to the end of the paper
        await settle(pilot)
        assert "sentence79 of a long abstract" in _visible(app).replace("\xa0", " ")
        await pilot.press("g", "s")  # triage where you read
        await settle(pilot)
        assert stored_state(folder)["2401.00001"]["starred"]
        await pilot.press("space")  # marked read, and reading stays on it
        await settle(pilot)
        assert stored_state(folder)["2401.00001"]["read"]
        assert app.screen.query_one(PreviewPane).entry.key == "2401.00001"
        await pilot.press("right")  # the next paper of the list
        await settle(pilot)
        assert app.screen.query_one(PreviewPane).entry.key == "second"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.main
        assert app.main.paper_list.current_entry.key == "second"


async def test_the_preview_scrolls_once_focused(make_app):
    app = make_app()
    async with app.run_test(size=(140, 20)) as pilot:
        await settle(pilot)
        preview = app.main.preview
        await pilot.press("tab")
        assert preview.has_focus
        await pilot.press("j", "j", "j")
        await settle(pilot)
        assert preview.scroll_y > 0
        await pilot.press("g")
        assert preview.scroll_y == 0
        await pilot.press("escape")  # back to the list
        assert app.main.paper_list.has_focus
        # The footer says how to get there.
        assert "tab" in app.main.active_bindings


async def test_next_and_previous_unread(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        keys = [entry.key for entry in app.library.entries("")]
        with Library(sample_dir) as other:
            other.set_read(keys[1:4], True)
        await pilot.pause(1.3)  # the app notices the other process's change
        await settle(pilot)
        await pilot.press("right_square_bracket")
        assert app.main.paper_list.current_entry.key == keys[4]
        await pilot.press("left_square_bracket")
        assert app.main.paper_list.current_entry.key == keys[0]
        await pilot.press("left_square_bracket")
        assert "No unread paper above" in status_text(app)


async def test_the_filter_s_matches_are_explained(make_app):
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"author:cadei", "enter")
        await settle(pilot)
        meta = str(app.main.preview.part("meta"))
        assert "Matches" in meta and "authors" in meta


async def test_previous_unread_from_a_row_not_loaded_yet(make_app):
    # A first page is on screen (5 papers of 50 loaded) and the cursor is past them: `[`
    # finds the last unread paper loaded, where it said "No unread paper above".
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        paper_list = app.main.paper_list
        first = paper_list.rowids[:5]
        paper_list.set_rows(first, total=50)
        paper_list.cursor = 30
        await pilot.press("left_square_bracket")
        assert paper_list.cursor == 4
