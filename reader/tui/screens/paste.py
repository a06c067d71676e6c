"""Receiving a block of text through the terminal's own paste.

Over SSH, or on a machine without a clipboard tool, the app cannot read the system
clipboard; the terminal can still paste into a text area.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Static, TextArea

from reader.tui.screens.dialog import Dialog


class PasteScreen(Dialog[str | None]):
    """A large text area to paste into; dismisses with the text, or None when it is blank
    or the user presses Esc."""

    DEFAULT_CSS = """
    PasteScreen > .dialog {
        width: 90%;
        max-width: 160;
        height: 80%;
    }
    PasteScreen #paste-hint {
        height: auto;
        color: $text-muted;
        margin-bottom: 1;
    }
    PasteScreen #paste-text {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "done", "Done", tooltip="Use the pasted text"),
        Binding("escape", "cancel", "Cancel", tooltip="Close without using the text"),
    ]
    """Ctrl+S takes the pasted text, Esc cancels."""

    def __init__(self, title: str, hint: str) -> None:
        super().__init__()
        # Not `self.title`: a screen's title is a reactive that other widgets may show.
        self.paste_title = title
        """What to paste, shown in the dialog's border."""
        self.hint = hint
        """How to paste, shown above the text area."""

    def compose_body(self) -> ComposeResult:
        """The hint and the text area (the footer says the keys)."""
        self.dialog_title = Content(self.paste_title)
        if self.hint:
            yield Static(Content(self.hint), id="paste-hint")
        yield TextArea(soft_wrap=True, id="paste-text")

    def on_mount(self) -> None:
        """Focus the text area, ready for the paste."""
        self.set_focus(self.query_one("#paste-text", TextArea))

    def action_done(self) -> None:
        """Close with the pasted text (None when blank)."""
        text = self.query_one("#paste-text", TextArea).text
        self.dismiss(text if text.strip() else None)

    def action_cancel(self) -> None:
        """Close without the text."""
        self.dismiss(None)
