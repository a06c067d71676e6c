"""The status line: what the list shows and what the last action did."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

MAX_LINES = 4
"""A long message (the whole error of a query) wraps onto at most this many lines."""


class StatusLine(Widget):
    """How many papers match, the sort, and what the last action did.

    It changes on every keystroke in the filter, so it repaints without a layout pass as
    long as its height stays the same; a message that wraps to more (or fewer) lines
    asks for a layout.
    """

    DEFAULT_CSS = f"""
    StatusLine {{
        height: auto;
        max-height: {MAX_LINES};
        width: 1fr;
        padding: 0 1;
    }}
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()
        self._lines = 1

    def show(self, text: Text) -> None:
        """Display `text` (plain data is never read as markup: it is a `Text`)."""
        if text == self._text:
            return
        self._text = text
        lines = self._line_count(text)
        self.refresh(layout=lines != self._lines)
        self._lines = lines

    def _line_count(self, text: Text) -> int:
        width = self.content_region.width
        if width <= 0 or not self.is_mounted:
            return 1
        return min(len(text.wrap(self.app.console, width)), MAX_LINES)

    def render(self) -> Text:
        """The current line (wrapped when it is longer than the width)."""
        return self._text
