"""Receiving a block of text through the terminal's own paste.

Over SSH, or on a machine without a clipboard tool, the app cannot read the system
clipboard; the terminal can still paste into a text area.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea


class PasteScreen(ModalScreen[str | None]):
    """A large text area to paste into; dismisses with the text, or None when it is blank
    or the user presses Esc."""

    DEFAULT_CSS = """
    PasteScreen {
        align: center middle;
    }
    PasteScreen > #paste-dialog {
        width: 90%;
        height: 80%;
        padding: 0 1;
        border: round $accent;
        border-title-color: $text-accent;
        background: $surface;
    }
    PasteScreen #paste-hint {
        height: auto;
        color: $text-muted;
        margin-bottom: 1;
    }
    PasteScreen #paste-text {
        height: 1fr;
    }
    PasteScreen .dialog-hint {
        height: 1;
        color: $text-muted;
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

    def compose(self) -> ComposeResult:
        """The hint, the text area and a line of keys."""
        with Vertical(id="paste-dialog") as dialog:
            dialog.border_title = Content(self.paste_title)
            if self.hint:
                yield Static(Content(self.hint), id="paste-hint")
            yield TextArea(soft_wrap=True, id="paste-text")
            yield Static("Ctrl+S done · Esc cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        """Focus the text area, ready for the paste."""
        self.query_one("#paste-text", TextArea).focus()

    def action_done(self) -> None:
        """Close with the pasted text (None when blank)."""
        text = self.query_one("#paste-text", TextArea).text
        self.dismiss(text if text.strip() else None)

    def action_cancel(self) -> None:
        """Close without the text."""
        self.dismiss(None)
