"""The status line: one line of text that redraws without a layout pass."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class StatusLine(Widget):
    """How many papers match, the sort, and what the last action did.

    A `Static` asks for a new layout of the screen on every update; this line never
    changes size, so it only repaints itself (it changes on every keystroke in the filter).
    """

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        width: 1fr;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()

    def show(self, text: Text) -> None:
        """Display `text` (plain data is never read as markup: it is a `Text`)."""
        if text != self._text:
            self._text = text
            self.refresh()

    def render(self) -> Text:
        """The current line."""
        return self._text
