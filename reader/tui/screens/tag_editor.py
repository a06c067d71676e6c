"""Editing the tags of one paper, with completion from the tags already in use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Input, Static

from reader.library.library import clean_tags
from reader.text import one_line
from reader.tui.screens.dialog import Dialog
from reader.tui.suggesters import TagSuggester
from reader.tui.widgets.field import Field

KNOWN_TAGS_SHOWN = 20
"""How many known tags the line under the input lists."""


def parse_tags(value: str) -> tuple[str, ...]:
    """The tags in `value`: split on spaces and commas, without `#`, de-duplicated
    case-insensitively (the first spelling wins)."""
    return clean_tags([value])


class TagEditor(Dialog[tuple[str, ...] | None]):
    """A one-line editor for a paper's tags.

    Dismisses with the parsed tags (an empty tuple removes them all), or None on Esc.
    """

    DEFAULT_CSS = """
    TagEditor #tags-title {
        height: auto;
        max-height: 3;
        text-style: bold;
        margin-bottom: 1;
    }
    TagEditor #tags-known {
        height: auto;
        color: $text-muted;
        margin-top: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without changing the tags"),
        Binding("tab", "accept_suggestion", "Complete", show=False),
    ]
    """Esc cancels; Tab (like the right arrow) accepts the suggested completion."""

    def __init__(self, paper_title: str, tags: Sequence[str], known_tags: Sequence[str]) -> None:
        super().__init__()
        self.paper_title = paper_title
        """The title of the paper whose tags these are."""
        self.tags = tuple(tags)
        """The paper's tags when the editor opened."""
        self.known_tags = tuple(known_tags)
        """Every tag in use, offered for completion (in the order given)."""

    dialog_title = "Tags"

    def compose_body(self) -> ComposeResult:
        """The paper's title, the input, the known tags and a hint line."""
        # A trailing space, so that the next word typed is a new tag with completion.
        value = " ".join(self.tags) + " " if self.tags else ""
        yield Static(Content(one_line(self.paper_title)), id="tags-title")
        yield Field(
            value,
            on_submit=lambda value: self.dismiss(parse_tags(value)),
            placeholder="tags, separated by spaces",
            suggester=TagSuggester(self.known_tags),
            select_on_focus=False,
            id="tags-input",
        )
        yield Static(Content(self._known_line()), id="tags-known")
        yield Static("Enter saves · → or Tab completes a tag", classes="dialog-hint")

    def _known_line(self) -> str:
        if not self.known_tags:
            return "No tags in use yet."
        shown = " ".join("#" + one_line(tag) for tag in self.known_tags[:KNOWN_TAGS_SHOWN])
        more = len(self.known_tags) - KNOWN_TAGS_SHOWN
        return f"In use: {shown}" + (f" (+{more} more)" if more > 0 else "")

    def on_mount(self) -> None:
        """Focus the input with the cursor after the last tag."""
        tag_input = self.query_one("#tags-input", Input)
        self.set_focus(tag_input)
        tag_input.cursor_position = len(tag_input.value)

    def action_accept_suggestion(self) -> None:
        """Accept the completion shown after the cursor, if any."""
        tag_input = self.query_one("#tags-input", Input)
        if tag_input.cursor_at_end:
            tag_input.action_cursor_right()

    def action_cancel(self) -> None:
        """Close without changing the tags; ask first when some were typed."""
        typed = parse_tags(self.query_one("#tags-input", Input).value)
        self.cancel(changed=typed != self.tags, question="Discard the tags you typed?")
