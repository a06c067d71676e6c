"""Asking for one line of text: a file name, a filter, a title."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Input, Static

from reader.tui.screens.dialog import Dialog
from reader.tui.suggesters import PathSuggester
from reader.tui.widgets.field import Field


class PromptScreen(Dialog[str | None]):
    """A titled one-line input; dismisses with the stripped value, or None when it is
    empty or the user presses Esc.

    With `complete_paths`, the input suggests file system completions (→ or Tab accepts).
    """

    DEFAULT_CSS = """
    PromptScreen #prompt-hint {
        height: auto;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without an answer"),
        Binding("tab", "accept_suggestion", "Complete", show=False),
    ]
    """Enter answers, Esc cancels; Tab (like the right arrow) accepts a path completion."""

    def __init__(
        self,
        title: str,
        *,
        value: str = "",
        placeholder: str = "",
        complete_paths: bool = False,
        hint: str = "",
    ) -> None:
        super().__init__()
        # Not `self.title`: a screen's title is a reactive that other widgets may show.
        self.prompt_title = title
        """What is asked, shown in the dialog's border."""
        self.value = value
        """The initial value."""
        self.placeholder = placeholder
        """Shown in the empty input."""
        self.complete_paths = complete_paths
        """Whether to suggest file system paths."""
        self.hint = hint
        """An optional line of help under the input."""

    def compose_body(self) -> ComposeResult:
        """The input, and the hint when there is one."""
        self.dialog_title = Content(self.prompt_title)
        yield Field(
            self.value,
            placeholder=self.placeholder,
            suggester=PathSuggester() if self.complete_paths else None,
            id="prompt-input",
            on_submit=lambda value: self.dismiss(value.strip() or None),
        )
        if self.hint:
            yield Static(Content(self.hint), id="prompt-hint")

    def on_mount(self) -> None:
        """Focus the input; its text is selected, so typing replaces it."""
        self.set_focus(self.query_one("#prompt-input", Input))

    def action_accept_suggestion(self) -> None:
        """Accept the completion shown after the cursor, if any."""
        prompt_input = self.query_one("#prompt-input", Input)
        if prompt_input.cursor_at_end:
            prompt_input.action_cursor_right()

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)
