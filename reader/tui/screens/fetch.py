"""The fetch dialog: which feed, and which day, query or category."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, RadioButton, RadioSet, Static


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """What the user asked to fetch: a source ("hf", "arxiv", "rss") and its argument."""

    source: str
    value: str


_SOURCES = {
    "hf": ("Hugging Face Daily Papers", "a day YYYY-MM-DD, a week YYYY-Www or a month YYYY-MM"),
    "arxiv": ("arXiv search", "an arXiv query, e.g. cat:cs.LG AND abs:causal"),
    "rss": ("arXiv daily listing", "a category, e.g. cs.LG"),
}


class FetchScreen(ModalScreen[FetchRequest | None]):
    """Choose a feed and what to fetch from it; Enter fetches, Esc cancels."""

    DEFAULT_CSS = """
    FetchScreen {
        align: center middle;
    }
    FetchScreen > #fetch-dialog {
        width: 80%;
        max-width: 90;
        height: auto;
        padding: 0 1;
        border: round $accent;
        border-title-color: $text-accent;
        background: $surface;
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
    ]
    """Enter in the input fetches; Esc cancels."""

    def __init__(self, today: date | None = None) -> None:
        super().__init__()
        self._today = today or date.today()
        self._source = "hf"

    def compose(self) -> ComposeResult:
        with Vertical(id="fetch-dialog") as dialog:
            dialog.border_title = "Fetch papers"
            with RadioSet(id="fetch-source"):
                for key, (label, _) in _SOURCES.items():
                    yield RadioButton(label, value=key == "hf", name=key)
            yield Input(self._today.isoformat(), id="fetch-value")
            yield Static(_SOURCES["hf"][1] + " · Enter fetches · Esc cancels", id="fetch-hint")

    def on_mount(self) -> None:
        """Start in the input, with the default (today) ready to accept."""
        self.query_one(Input).focus()

    @on(RadioSet.Changed)
    def _source_changed(self, event: RadioSet.Changed) -> None:
        self._source = event.pressed.name or "hf"
        field = self.query_one(Input)
        field.value = self._today.isoformat() if self._source == "hf" else ""
        field.placeholder = _SOURCES[self._source][1]
        self.query_one("#fetch-hint", Static).update(
            _SOURCES[self._source][1] + " · Enter fetches · Esc cancels"
        )
        field.focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            self.notify("Say what to fetch first", severity="warning")
            return
        self.dismiss(FetchRequest(self._source, value))

    def action_cancel(self) -> None:
        """Close without fetching."""
        self.dismiss(None)
