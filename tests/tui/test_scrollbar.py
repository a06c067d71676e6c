"""The list's and the preview's scroll bars: Textual's picture, each kind of line drawn once.

A page down moves the list's scroll bar; Textual drew the whole bar anew each time (a Rich
renderable through the widget's style pipeline), about as long as drawing the rows. The
bar shows only a few kinds of line, each the same wherever it falls, so `CachedScrollBar`
keeps each finished line as Textual drew it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.geometry import Region
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget

from reader.tui.app import ReaderApp
from reader.tui.widgets.scrollbar import CachedScrollBar
from tests.tui.conftest import settle


def _segments(strips: list[Strip]) -> list[list[object]]:
    return [list(strip) for strip in strips]


def _textual_draws(bar: ScrollBar, region: Region) -> list[Strip]:
    """What Textual's own scroll bar draws in `region`, drawn afresh."""
    bar.refresh()
    return ScrollBar.render_lines(bar, region)


async def test_the_scroll_bars_draw_exactly_what_textual_draws(
    make_app: Callable[..., ReaderApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for owner in (app.main.paper_list, app.main.preview):
            bar = owner.vertical_scrollbar
            assert isinstance(bar, CachedScrollBar)
        bar = app.main.paper_list.vertical_scrollbar
        width, height = bar.size
        assert width and height
        whole = Region(0, 0, width, height)
        part = Region(1, 3, width - 1, height - 5)
        compared = 0
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await settle(pilot)
            for virtual in (height + 1, 2 * height, 94, 1_000, 100_000):
                bar.window_virtual_size = virtual
                for step in range(60):
                    bar.position = (virtual - height) * step / 59
                    for hover in (False, True):
                        bar.mouse_over = hover
                        for region in (whole, part):
                            drawn = _segments(bar.render_lines(region))
                            assert drawn == _segments(_textual_draws(bar, region))
                            compared += 1
        assert compared == 2 * 5 * 60 * 2 * 2


async def test_a_page_back_and_forth_draws_no_line_of_the_scroll_bar_anew(
    make_app: Callable[..., ReaderApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        drawn = [0]
        textual_render_lines = Widget.render_lines

        def counting(self: Widget, crop: Region) -> list[Strip]:
            if isinstance(self, ScrollBar):
                drawn[0] += 1
            return textual_render_lines(self, crop)

        monkeypatch.setattr(Widget, "render_lines", counting)
        paper_list = app.main.paper_list
        # The first pass draws each kind of line the bar shows on the way (Textual draws).
        for key in ["pagedown", "pagedown", "pageup", "pageup"]:
            await pilot.press(key)
            await settle(pilot)
        assert drawn[0] > 0
        assert paper_list.cursor == 0
        # The same places again: the bar moves each time, drawn from the lines kept.
        drawn[0] = 0
        for key in ["pagedown", "pagedown", "pageup", "pageup"]:
            before = paper_list.scroll_offset.y
            await pilot.press(key)
            await settle(pilot)
            assert paper_list.scroll_offset.y != before
        assert drawn[0] == 0
