"""The paper list finishes its lines itself: exactly as Textual's style cache would.

At a page down every row of the list is new, and Textual's per-line styling (built for
borders, padding, tint, opacity) took twice as long as drawing the row. The list pads and
filters its rows itself; these tests compare every line with what Textual draws, in every
state a row can be in, and check that a style the list does not finish itself (a tint)
still goes through Textual.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from reader.tui.app import ReaderApp
from reader.tui.widgets.paper_list import PaperList
from tests.tui.conftest import settle


def _segments(strips: list[Strip]) -> list[list[object]]:
    return [list(strip) for strip in strips]


def _textual_draws(paper_list: PaperList, crop: Region) -> list[Strip]:
    """What Textual's own line styling makes of the list's lines, drawn afresh."""
    paper_list.refresh()
    return Widget.render_lines(paper_list, crop)


def _crops(paper_list: PaperList) -> list[Region]:
    width, height = paper_list.size
    return [
        Region(0, 0, width, height),
        Region(0, 2, width, 3),
        Region(5, 0, width - 7, height),
        Region(width - 3, 1, 3, height - 1),
    ]


def _assert_same(paper_list: PaperList, situation: str) -> int:
    compared = 0
    for crop in _crops(paper_list):
        finished = _segments(paper_list.render_lines(crop))
        assert finished == _segments(_textual_draws(paper_list, crop)), f"{situation}, {crop}"
        # Drawn a second time (from the caches): still the same.
        assert _segments(paper_list.render_lines(crop)) == finished, f"{situation} again"
        compared += 1
    return compared


async def test_every_line_is_what_textuals_styling_draws(
    make_app: Callable[..., ReaderApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = app.main
        paper_list = main.paper_list
        keys = main.library.keys()[:12]
        main.library.set_read(keys[:4], True)
        main.library.set_starred(keys[2:6], True)
        main.library.set_tags(keys[5], ["causal", "a-rather-long-tag-name"])
        paper_list.refresh_entries()
        await settle(pilot)
        paper_list.set_selected(set(paper_list.rowids[1:5]))
        paper_list.set_watched(frozenset(paper_list.rowids[3:8]))
        compared = 0
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            for show_ids in (False, True):
                paper_list.set_show_ids(show_ids)
                for focus in ("list", "filter"):
                    main.query_one("#filter").focus() if focus == "filter" else paper_list.focus()
                    for key in ["g", "j", "pagedown", "G"]:
                        paper_list.focus()
                        await pilot.press(key)
                        if focus == "filter":
                            main.query_one("#filter").focus()
                        await settle(pilot)
                        situation = f"{theme}, ids {show_ids}, focus {focus}, after {key}"
                        compared += _assert_same(paper_list, situation)
        await pilot.resize_terminal(70, 24)
        await settle(pilot)
        compared += _assert_same(paper_list, "narrow")
        # No match: the empty list's message.
        main.query_one("#filter").value = "zzzzqqqq"
        await settle(pilot)
        assert paper_list.row_count == 0
        compared += _assert_same(paper_list, "empty")
        assert compared == (2 * 2 * 2 * 4 + 2) * 4


async def test_a_list_with_a_tint_is_styled_by_textual(
    make_app: Callable[..., ReaderApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_list = app.main.paper_list
        crop = Region(0, 0, *paper_list.size)
        plain = _segments(paper_list.render_lines(crop))
        styled = [0]
        textual_render_lines = Widget.render_lines

        def counting(self: Widget, region: Region) -> list[Strip]:
            if self is paper_list:
                styled[0] += 1
            return textual_render_lines(self, region)

        monkeypatch.setattr(Widget, "render_lines", counting)
        assert _segments(paper_list.render_lines(crop)) == plain
        assert styled[0] == 0  # finished by the list itself
        paper_list.styles.tint = "red 50%"
        await settle(pilot)
        tinted = _segments(paper_list.render_lines(crop))
        assert styled[0] >= 1
        assert tinted != plain
