"""A yes/no question in a small centered dialog."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Static

from reader.tui.screens.dialog import Dialog


class ConfirmScreen(Dialog[bool]):
    """Asks `question`; dismisses with True for yes, False for no."""

    DEFAULT_CSS = """
    ConfirmScreen > .dialog {
        width: auto;
        min-width: 40;
        max-width: 80%;
        padding: 1 2;
    }
    ConfirmScreen #confirm-question {
        width: auto;
        max-width: 76;
        margin-bottom: 1;
    }
    ConfirmScreen #confirm-buttons {
        width: 100%;
        height: auto;
        align-horizontal: right;
    }
    ConfirmScreen Button {
        margin-left: 2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", tooltip="Answer yes"),
        Binding("n,escape", "answer(False)", "No", tooltip="Answer no"),
        Binding("enter", "answer(True)", "Yes", show=False),
        Binding("left,right", "app.focus_next", "Switch button", show=False),
    ]
    """y or Enter answers yes (Enter on a focused button presses it), n or Esc answers no."""

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        """The question, shown as plain text."""
        self.yes_label = yes
        """The label of the yes button."""
        self.no_label = no
        """The label of the no button."""

    def compose_body(self) -> ComposeResult:
        """A question over a yes and a no button; yes has the focus."""
        yield Static(Content(self.question), id="confirm-question")
        with Horizontal(id="confirm-buttons"):
            yield Button(Content(self.yes_label), variant="primary", id="confirm-yes")
            yield Button(Content(self.no_label), id="confirm-no")

    def on_mount(self) -> None:
        """Focus the yes button so that Enter confirms."""
        self.set_focus(self.query_one("#confirm-yes", Button))

    def action_answer(self, yes: bool) -> None:
        """Close the dialog with the answer."""
        self.dismiss(yes)

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)
