"""The key bindings, section by section, and a cheat sheet of the filter syntax."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from reader.query import FIELD_HELP, SYNTAX_HELP
from reader.text import one_line
from reader.tui.screens.dialog import Dialog

Section = tuple[str, Sequence[tuple[str, str]]]
"""A section title and its (keys, description) rows."""

FILTER_SYNTAX: tuple[tuple[str, str], ...] = (*SYNTAX_HELP, *FIELD_HELP.values())
"""The query syntax: the grammar, then every field (built from the language's own table)."""

FILTER_FOOTNOTE = "Case and accents never matter."


def bindings_table(rows: Sequence[tuple[str, str]]) -> Table:
    """A borderless two-column table of (keys, description); every cell is plain text."""
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=False)
    table.add_column("keys", style="bold", max_width=34)
    table.add_column("description")
    for keys, description in rows:
        # Text, not str: a Rich table would read "[...]" in a cell as markup.
        table.add_row(Text(one_line(keys)), Text(one_line(description)))
    return table


class HelpScreen(Dialog[None]):
    """A scrollable list of the key bindings by section, then the filter syntax."""

    DEFAULT_CSS = """
    HelpScreen > .dialog {
        width: 90%;
        max-width: 110;
        height: 90%;
    }
    HelpScreen #help-body {
        height: 1fr;
    }
    HelpScreen .help-section-title {
        text-style: bold;
        color: $text-accent;
        margin-top: 1;
    }
    HelpScreen .help-table {
        height: auto;
        padding-left: 2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", tooltip="Close the help"),
    ]
    """Esc, q or ? closes the help; the arrow and page keys scroll it."""

    def __init__(self, sections: Sequence[Section]) -> None:
        super().__init__()
        self.sections = [(title, list(rows)) for title, rows in sections]
        """The key binding sections, as given."""

    dialog_title = "Help"

    def compose_body(self) -> ComposeResult:
        """One title and table per section, the filter syntax last."""
        with VerticalScroll(id="help-body"):
            for title, rows in self.sections:
                yield Static(Content(one_line(title)), classes="help-section-title")
                yield Static(bindings_table(rows), classes="help-table")
            yield Static("Filter syntax", classes="help-section-title")
            yield Static(bindings_table(FILTER_SYNTAX), classes="help-table")
            yield Static(FILTER_FOOTNOTE, classes="help-table")
        yield Static("↑ ↓ PgUp PgDn scroll", classes="dialog-hint")

    def on_mount(self) -> None:
        """Focus the body so that the arrow keys scroll it."""
        self.set_focus(self.query_one("#help-body", VerticalScroll))

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
