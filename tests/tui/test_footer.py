"""The footer draws its keys itself: exactly as Textual's footer draws them.

Textual's footer is a widget per key (a dozen on the main screen): every layout of the
screen arranged them, and every message to all of the screen's widgets (a page down
waits for those) visited each. `KeyFooter` draws the keys on one line; these tests
compare that line with Textual's own footer cell by cell (themes, a disabled key, a key
under the pointer), and check what a widget per key did: a click presses the key, the
pointer shows what the key does.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer

from reader.tui.widgets.footer import KeyFooter

WIDTH = 140


class Both(App[None]):
    """Textual's footer on the first line, reader's on the last, for the same keys."""

    CSS = "Footer { dock: top; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "down", "Down"),
        Binding("s", "star", "Star", tooltip="Star or unstar the paper"),
        Binding("x", "dismiss_paper", "Not interested"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pressed: list[str] = []

    def compose(self) -> ComposeResult:
        yield Footer()
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "dismiss_paper" else True  # shown, disabled

    def action_star(self) -> None:
        self.pressed.append("star")

    def action_dismiss_paper(self) -> None:
        self.pressed.append("dismiss")


def _cells(app: App[None], y: int) -> list[tuple[object, ...]]:
    """Each cell of line `y` as it looks: its character, colours and attributes (not the
    offsets Textual's text selection keeps in the styles)."""
    line = app.screen._compositor.render_strips()[y]
    cells = []
    for segment in line:
        style = segment.style
        assert style is not None
        look = (style.color, style.bgcolor, style.bold, style.dim, style.italic)
        look += (style.underline, style.reverse, style.strike, style.link)
        cells.extend((char, *look) for char in segment.text)
    return cells


async def test_the_footer_draws_what_textual_s_footer_draws() -> None:
    app = Both()
    async with app.run_test(size=(WIDTH, 10)) as pilot:
        await pilot.pause()
        last = app.screen.size.height - 1
        footer = app.query_one(KeyFooter)
        assert [key.description for key in footer.keys] == [
            "Down",
            "Star",
            "Not interested",
            "Help",
            "Quit",
        ]
        for theme in ("textual-dark", "textual-light", "nord", "ansi-dark"):
            app.theme = theme
            await pilot.hover(None, offset=(WIDTH // 2, 5))  # on neither footer
            await pilot.pause()
            assert _cells(app, last) == _cells(app, 0), theme
            # The key under the pointer is highlighted the same way.
            for key in footer.keys:
                await pilot.hover(Footer, offset=(key.start, 0))
                await pilot.pause()
                textual = _cells(app, 0)
                await pilot.hover(KeyFooter, offset=(key.start, 0))
                await pilot.pause()
                assert _cells(app, last) == textual, f"{theme}: {key.description} hovered"


async def test_a_click_presses_the_key_and_the_pointer_says_what_it_does() -> None:
    app = Both()
    async with app.run_test(size=(WIDTH, 10)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        star, dismiss = footer.keys[1], footer.keys[2]
        await pilot.click(KeyFooter, offset=(star.start + 1, 0))
        await pilot.pause()
        assert app.pressed == ["star"]
        await pilot.hover(KeyFooter, offset=(star.start, 0))
        assert footer.tooltip == "Star or unstar the paper"
        await pilot.click(KeyFooter, offset=(dismiss.start, 0))  # disabled: the bell
        await pilot.pause()
        assert app.pressed == ["star"]


async def test_the_footer_is_one_widget() -> None:
    app = Both()
    async with app.run_test(size=(WIDTH, 10)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        assert len(footer.keys) == 5
        # The command palette's key, docked on the right, is the only widget in it.
        assert [type(child).__name__ for child in footer.children] == ["FooterKey"]
