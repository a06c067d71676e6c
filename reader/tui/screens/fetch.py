"""The fetch dialog: which feed, and which day, query or category."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, RadioButton, RadioSet, Static

from reader.feeds import SOURCES, FetchRequest
from reader.tui.screens.dialog import Dialog
from reader.tui.widgets.field import Field


def _hint(source: str) -> str:
    return f"{SOURCES[source].hint} · ↑ ↓ switch the source · Enter fetches"


class FetchScreen(Dialog[FetchRequest | None]):
    """Choose a feed and what to fetch from it; Enter fetches, Esc cancels."""

    DEFAULT_CSS = """
    FetchScreen > .dialog {
        max-width: 90;
    }
    FetchScreen RadioSet {
        width: 1fr;
        margin-bottom: 1;
    }
    FetchScreen #fetch-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without fetching"),
        Binding("up", "switch(-1)", "Source ↑", tooltip="The previous source"),
        Binding("down", "switch(1)", "Source ↓", tooltip="The next source"),
    ]
    """Enter in the input fetches, ↑ and ↓ switch the source, Esc cancels."""

    def __init__(self, today: date | None = None) -> None:
        super().__init__()
        self._today = today or date.today()
        self._source = "hf"

    dialog_title = "Fetch papers"

    def compose_body(self) -> ComposeResult:
        """The sources, the value to fetch, and what the value means."""
        with RadioSet(id="fetch-source"):
            for source in SOURCES.values():
                yield RadioButton(source.label, value=source.name == "hf", name=source.name)
        yield Field(self._today.isoformat(), id="fetch-value", on_submit=self._submitted)
        yield Static(_hint("hf"), id="fetch-hint")

    def on_mount(self) -> None:
        """Start in the input, with the default (today) ready to accept."""
        self.set_focus(self.query_one(Input))

    @on(RadioSet.Changed)
    def _source_changed(self, event: RadioSet.Changed) -> None:
        self._source = event.pressed.name or "hf"
        field = self.query_one(Input)
        field.value = self._today.isoformat() if self._source == "hf" else ""
        field.placeholder = SOURCES[self._source].hint
        self.query_one("#fetch-hint", Static).update(_hint(self._source))
        self.set_focus(field)

    def _submitted(self, value: str) -> None:
        value = value.strip()
        if not value:
            self.notify("Say what to fetch first", severity="warning")
            return
        self.dismiss(FetchRequest(self._source, value))

    def action_switch(self, step: int) -> None:
        """Switch to the previous or next source, staying in the input."""
        names = list(SOURCES)
        chosen = names[(names.index(self._source) + step) % len(names)]
        for button in self.query(RadioButton).results():
            if button.name == chosen:
                button.value = True

    def action_cancel(self) -> None:
        """Close without fetching."""
        self.dismiss(None)
