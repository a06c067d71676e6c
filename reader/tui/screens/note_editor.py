"""Editing the Markdown note of one paper."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Static, TextArea

from reader.text import one_line, printable
from reader.tui.screens.dialog import Dialog


def editable_text(text: str) -> str:
    """`text` with Unix line ends and no control characters, ready for a `TextArea`."""
    return printable(text.replace("\r\n", "\n").replace("\r", "\n"))


class NoteEditor(Dialog[str | None]):
    """A multi-line editor for a paper's note.

    Dismisses with the edited note (trailing whitespace removed; "" means no note), or None
    when the user cancels.
    """

    DEFAULT_CSS = """
    NoteEditor > .dialog {
        width: 90%;
        max-width: 120;
        height: 80%;
    }
    NoteEditor #note-title {
        height: auto;
        max-height: 3;
        text-style: bold;
        margin-bottom: 1;
    }
    NoteEditor #note-text {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", tooltip="Save the note and close the editor"),
        Binding("escape", "cancel", "Cancel", tooltip="Close without saving (asks first)"),
    ]
    """Ctrl+S saves, Esc cancels; every other key edits the text."""

    def __init__(self, paper_title: str, note: str) -> None:
        super().__init__()
        self.paper_title = paper_title
        """The title of the paper whose note this is."""
        self.original = editable_text(note)
        """The note as it was opened, to tell whether it changed."""

    dialog_title = "Note"

    def compose_body(self) -> ComposeResult:
        """The paper's title, the text area and a hint line."""
        yield Static(Content(one_line(self.paper_title)), id="note-title")
        yield TextArea(self.original, soft_wrap=True, id="note-text")
        hint = Content("Markdown: **bold**, *italic*, - lists, [text](https://…)")
        yield Static(hint, classes="dialog-hint")

    def on_mount(self) -> None:
        """Put the cursor at the end of the note, ready to type."""
        text_area = self.query_one("#note-text", TextArea)
        self.set_focus(text_area)
        text_area.move_cursor(text_area.document.end)

    @property
    def text(self) -> str:
        """The text currently in the editor."""
        return self.query_one("#note-text", TextArea).text

    def action_save(self) -> None:
        """Close with the edited note, trailing whitespace removed."""
        self.dismiss(self.text.rstrip())

    def action_cancel(self) -> None:
        """Close without saving; ask first when the note was changed."""
        self.cancel(
            changed=self.text != self.original, question="Discard your changes to this note?"
        )
