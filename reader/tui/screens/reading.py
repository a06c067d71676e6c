"""Reading one paper full screen: everything about it, wrapped to the width, scrollable.

The paper shown is the list's current paper, so the triage keys act on it exactly as in
the list (they are the list screen's own actions), and → / ← move to the next or previous
paper of the list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen

from reader.tui import keys
from reader.tui.widgets.footer import KeyFooter
from reader.tui.widgets.preview import PreviewPane
from reader.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from reader.tui.screens.main import MainScreen


class ReadingScreen(Screen[None]):
    """The paper under the list's cursor, in full."""

    DEFAULT_CSS = """
    ReadingScreen #reading {
        height: 1fr;
        padding: 1 2;
    }
    ReadingScreen #reading-status {
        height: auto;
        background: $panel;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.reading_bindings()
    """Its own keys (→ ← Esc) and the triage keys it shares with the list."""

    def __init__(self, main: MainScreen) -> None:
        super().__init__()
        self.main = main
        """The list screen: its current paper is the one shown; its actions triage it."""

    def compose(self) -> ComposeResult:
        """The paper, the status line and the footer."""
        yield PreviewPane(id="reading", full=True)
        yield StatusLine(id="reading-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Show the paper, ready to scroll."""
        pane = self.query_one(PreviewPane)
        self.set_focus(pane)
        self.show_current()

    def show_current(self) -> None:
        """Show the list's current paper (after a move or a change), and the status."""
        entry = self.main.paper_list.current_entry
        pane = self.query_one(PreviewPane)
        pane.show(entry, self.main.filter_query.highlight_terms())
        self.query_one(StatusLine).show(self.main.status_text())

    # --- its own keys ------------------------------------------------------------------------

    def action_next_paper(self) -> None:
        """The next paper of the list."""
        self._move(1)

    def action_previous_paper(self) -> None:
        """The previous paper of the list."""
        self._move(-1)

    def _move(self, step: int) -> None:
        paper_list = self.main.paper_list
        before = paper_list.cursor
        paper_list.cursor += step
        if paper_list.cursor == before:
            self.main.set_status("The last paper" if step > 0 else "The first paper")
        self.show_current()

    def action_close(self) -> None:
        """Back to the list."""
        self.dismiss()

    # --- the triage keys: the list screen's actions, on the paper shown -----------------

    def on_main(self, action: str) -> None:
        """Run the list screen's action `action` on the paper shown."""
        paper_list = self.main.paper_list
        before, selected = paper_list.cursor, paper_list.selected
        # The keys act on the paper shown, never on a selection made in the list.
        paper_list.selected = set()
        try:
            getattr(self.main, f"action_{action}")()
        finally:
            paper_list.selected = selected
        # Reading stays on the paper read: marking read does not move on here.
        paper_list.cursor = before
        self.show_current()


def _delegate(action: str, help_text: str) -> Callable[[ReadingScreen], None]:
    """The reading view's `action_<action>`: the list screen's, on the paper shown."""

    def run(screen: ReadingScreen) -> None:
        screen.on_main(action)

    run.__name__ = f"action_{action}"
    run.__doc__ = help_text[:1].upper() + help_text[1:] + "."
    return run


# The triage keys the reading view shares with the list (`Key.reading`), one method each.
for _key in keys.KEYS:
    if _key.reading:
        setattr(ReadingScreen, f"action_{_key.action}", _delegate(_key.action, _key.help))
