"""Hostile paper text in the app: shown as plain text, one row per paper, no escapes."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from reader.library import Library
from reader.model import Incoming, Paper, PaperState
from reader.tui.app import ReaderApp
from reader.tui.widgets.preview import PreviewPane
from tests.tui.conftest import list_lines, settle
from tests.unit.test_hostile_input import ABSTRACT, HOSTILE_TITLES

SIZE = (120, 40)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile_dir(tmp_path: Path) -> Path:
    """A library of the hostile papers, newest first in the order of `HOSTILE_TITLES`."""
    folder = tmp_path / "hostile"
    with Library(folder) as library:
        library.import_papers(
            [
                Incoming(
                    Paper(
                        key=f"hostile-{name}",
                        title=title,
                        abstract=ABSTRACT,
                        upvotes=len(HOSTILE_TITLES) - index,
                    ),
                    PaperState(
                        key=f"hostile-{name}", tags=("[red]tag[/red]",), note="note \x1b[2J"
                    ),
                )
                for index, (name, title) in enumerate(HOSTILE_TITLES.items())
            ]
        )
    return folder


def preview_text(app: ReaderApp, part: str) -> str:
    """The plain text of one part of the preview (`title`, `meta`, `abstract`, `tags`)."""
    shown = app.query_one(PreviewPane).part(part)
    assert shown is not None, f"the preview shows no {part}"
    return str(shown)


async def test_list_rows_show_hostile_titles_literally_on_one_line(
    make_app: Callable[..., ReaderApp], hostile_dir: Path
) -> None:
    app = make_app(hostile_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = list_lines(app)
        assert len(lines) == len(HOSTILE_TITLES)  # nothing wrapped into another row
        for line in lines:
            assert not CONTROL.search(line), repr(line)
        text = "\n".join(lines)
        assert "[bold red]Loud[/] and [link=https://evil" in text
        assert "🚀 Rockets" in text
        assert "שלום עולם" in text
        long_rows = [line for line in lines if "Long word word" in line]
        assert len(long_rows) == 1 and "…" in long_rows[0]
        width = app.main.paper_list.scrollable_content_region.width
        strips = [app.main.paper_list.render_line(y) for y in range(len(HOSTILE_TITLES))]
        assert all(strip.cell_length == width for strip in strips)


async def test_preview_shows_hostile_text_literally(
    make_app: Callable[..., ReaderApp], hostile_dir: Path
) -> None:
    app = make_app(hostile_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen: set[str] = set()
        for _ in HOSTILE_TITLES:
            entry = app.main.paper_list.current_entry
            assert entry is not None
            seen.add(entry.key)
            title = preview_text(app, "title")
            for part in ("title", "meta", "abstract", "tags"):
                assert not CONTROL.search(preview_text(app, part).replace("\n", " ")), part
            assert "[italic]markup[/italic]" in preview_text(app, "abstract")
            assert "#[red]tag[/red]" in preview_text(app, "tags")
            if entry.key == "hostile-markup":
                assert title == HOSTILE_TITLES["markup"]
            if entry.key == "hostile-bidi":
                assert "gpj.exe" in title and "\u202e" not in title
            await pilot.press("j")
            await settle(pilot)
        assert seen == {f"hostile-{name}" for name in HOSTILE_TITLES}
