"""The fetch dialog: which feed, and which day, query or category."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Input, RadioButton, RadioSet, Static

from reader.feeds import SOURCES, FetchRequest
from reader.text import one_line
from reader.tui.screens.dialog import Dialog
from reader.tui.widgets.field import Field

ALL = "all"
"""The dialog's answer for "every subscription"."""


def _hint(source: str) -> str:
    what = "every subscription, each from where it stopped" if source == ALL else None
    return f"{what or SOURCES[source].hint} · ↑ ↓ switch the source · Enter fetches"


class FetchScreen(Dialog[FetchRequest | str | None]):
    """Choose a feed and what to fetch from it; Enter fetches, Esc cancels.

    With subscriptions, the first choice is all of them (the answer is then `ALL`).
    """

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

    def __init__(self, today: date | None = None, subscriptions: Sequence[str] = ()) -> None:
        super().__init__()
        self._today = today or date.today()
        self._subscriptions = list(subscriptions)
        self._source = ALL if self._subscriptions else "hf"

    dialog_title = "Fetch papers"

    def compose_body(self) -> ComposeResult:
        """The sources, the value to fetch, and what the value means."""
        with RadioSet(id="fetch-source"):
            if self._subscriptions:
                names = one_line(", ".join(self._subscriptions))
                yield RadioButton(Content(f"All subscriptions ({names})"), value=True, name=ALL)
            for source in SOURCES.values():
                chosen = source.name == self._source
                yield RadioButton(source.label, value=chosen, name=source.name)
        yield Field(self._value(self._source), id="fetch-value", on_submit=self._submitted)
        yield Static(_hint(self._source), id="fetch-hint")

    def on_mount(self) -> None:
        """Start in the input, with the default (today) ready to accept."""
        self.set_focus(self.query_one(Input))

    @on(RadioSet.Changed)
    def _source_changed(self, event: RadioSet.Changed) -> None:
        self._source = event.pressed.name or "hf"
        field = self.query_one(Input)
        field.value = self._value(self._source)
        field.placeholder = "" if self._source == ALL else SOURCES[self._source].hint
        self.query_one("#fetch-hint", Static).update(_hint(self._source))
        self.set_focus(field)

    def _value(self, source: str) -> str:
        return self._today.isoformat() if source == "hf" else ""

    def _submitted(self, value: str) -> None:
        if self._source == ALL:
            self.dismiss(ALL)
            return
        value = value.strip()
        if not value:
            self.notify("Say what to fetch first", severity="warning")
            return
        self.dismiss(FetchRequest(self._source, value))

    def action_switch(self, step: int) -> None:
        """Switch to the previous or next source, staying in the input."""
        names = ([ALL] if self._subscriptions else []) + list(SOURCES)
        chosen = names[(names.index(self._source) + step) % len(names)]
        for button in self.query(RadioButton).results():
            if button.name == chosen:
                button.value = True

    def action_cancel(self) -> None:
        """Close without fetching."""
        self.dismiss(None)
