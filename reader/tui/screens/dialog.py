"""The frame every dialog shares: centered, bordered, titled, with its own keys below.

A dialog subclass gives its title and its body (`compose_body`); the frame, its style
and a footer listing the dialog's own keys come from here, so every dialog looks and
explains itself the same way.
"""

from __future__ import annotations

from typing import TypeVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen

from reader.tui.widgets.footer import KeyFooter

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    """A modal dialog box; the screen behind stays visible around it."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
    }
    Dialog > .dialog {
        width: 80%;
        max-width: 100;
        height: auto;
        padding: 0 1;
        border: round $accent;
        border-title-color: $text-accent;
        background: $surface;
    }
    Dialog .dialog-hint {
        height: auto;
        color: $text-muted;
    }
    """

    dialog_title: str | Content = ""
    """Shown in the frame's border."""

    def compose(self) -> ComposeResult:
        """The framed body, and a footer with the dialog's keys."""
        with Vertical(classes="dialog", id=self.dialog_id) as frame:
            frame.border_title = self.dialog_title
            yield from self.compose_body()
        yield KeyFooter()

    @property
    def dialog_id(self) -> str:
        """The frame's id, for styles: "note-dialog" for `NoteEditor`."""
        return f"{type(self).__name__.lower()}-dialog"

    def compose_body(self) -> ComposeResult:
        """What the dialog shows inside its frame."""
        yield from ()

    def cancel(self, *, changed: bool, question: str) -> None:
        """Close without a result; when the user typed something, ask `question` first."""
        from reader.tui.screens.confirm import ConfirmScreen

        if not changed:
            self.dismiss(None)
            return

        def discard(confirmed: bool | None) -> None:
            if confirmed:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(question), discard)
