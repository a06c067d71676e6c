"""What one cursor move costs the preview: one layout of the screen, and the same picture.

Each layout of the screen arranges every widget and repaints what moved: it was most of a
key's cost. The preview's parts are sized by the layout that places them, so a move lays
the screen out once (Textual's default laid it out again for each part's new size, and once
more for the pane's). The picture after a move must be exactly what a layout from scratch
(a resize) gives, also when the preview's scroll bar comes and goes between papers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from reader.library import Library
from reader.model import Incoming, Paper
from reader.tui.app import ReaderApp, make_app
from tests.tui.conftest import settle

SENTENCE = "Sparse causal coding finds the structure behind observed motion. "


def _papers(abstract_sentences: Callable[[int], int], count: int) -> list[Incoming]:
    return [
        Incoming(
            Paper(
                key=f"2501.{index:05d}",
                title=f"Paper {index}: " + "a longer title that wraps " * (index % 4),
                abstract=SENTENCE * abstract_sentences(index),
                authors=tuple(f"Author {n}" for n in range(1 + index % 9)),
                published=date(2025, 1, 1 + index % 28),
                upvotes=index,
                arxiv_id=f"2501.{index:05d}",
            )
        )
        for index in range(count)
    ]


@contextmanager
def _open(folder: Path, papers: list[Incoming]) -> Iterator[ReaderApp]:
    library = Library(folder)
    library.import_papers(papers)
    try:
        yield make_app(library)
    finally:
        library.close()


@contextmanager
def _counting_layouts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Count the layouts of the screen (the screen's own refresh of its layout)."""
    counted = [0]
    original = Screen._refresh_layout

    def counting(self: Screen[object], *args: object, **kwargs: object) -> None:
        counted[0] += 1
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Screen, "_refresh_layout", counting)
    yield counted


async def test_a_cursor_move_lays_the_screen_out_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Long abstracts: the preview's scroll bar stays, so no move changes the preview's width.
    with _open(tmp_path / "library", _papers(lambda index: 8 + index % 5, 12)) as app:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            preview, paper_list = app.main.preview, app.main.paper_list
            with _counting_layouts(monkeypatch) as layouts:
                for key in ["j", "j", "down", "k", "up", "j"]:
                    layouts[0] = 0
                    await pilot.press(key)
                    await settle(pilot)
                    current = paper_list.current_entry
                    assert preview.entry is not None and current is not None
                    assert preview.entry.key == current.key
                    assert layouts[0] == 1, f"{key}: {layouts[0]} layouts"


def _picture(app: ReaderApp) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def _laid_out_again(app: ReaderApp, pilot: object) -> list[str]:
    """The picture after the layouts Textual used to add: the pane and each part asked to
    lay out again (their heights measured anew)."""
    preview = app.main.preview
    for widget in [preview, *preview.children]:
        widget.refresh(layout=True)
    await settle(pilot)  # type: ignore[arg-type]
    return _picture(app)


async def test_after_a_cursor_move_the_screen_is_what_a_fresh_layout_shows(
    tmp_path: Path,
) -> None:
    # Short and long abstracts in turn (the scroll bar comes and goes), titles and author
    # lists of every height.
    papers = _papers(lambda index: [0, 1, 9, 2, 14, 0, 5][index % 7], 40)
    with _open(tmp_path / "library", papers) as app:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            for key in ["j", "j", "j", "k", "pagedown", "j", "pageup", "G", "k"]:
                await pilot.press(key)
                await settle(pilot)
                moved = _picture(app)
                assert await _laid_out_again(app, pilot) == moved, f"after {key}"
            # And a layout from scratch, at another size and back.
            await pilot.resize_terminal(100, 30)
            await settle(pilot)
            await pilot.resize_terminal(120, 40)
            await settle(pilot)
            assert _picture(app) == moved


async def test_a_cursor_move_sets_the_preview_s_text_in_one_widget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One widget per part (title, metadata, abstract, ...) made a move update five
    # widgets and lay each out; and every widget on the screen costs each message that
    # all of them handle.
    with _open(tmp_path / "library", _papers(lambda index: 1 + index % 5, 12)) as app:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            preview = app.main.preview
            assert len(preview.children) == 1  # no note: the text alone
            updated: list[Widget] = []
            update = Static.update

            def counting(self: Static, *args: object, **kwargs: object) -> None:
                if preview in self.ancestors:
                    updated.append(self)
                update(self, *args, **kwargs)  # type: ignore[arg-type]

            monkeypatch.setattr(Static, "update", counting)
            for key in ["j", "j", "down", "k", "pagedown", "g"]:
                updated.clear()
                await pilot.press(key)
                await settle(pilot)
                assert len(updated) == 1, f"{key}: {len(updated)} widgets of the preview set"
