"""What the app's features need from the screen they run on.

The import, export and sharing flows are plain functions over a `Host`, so they live in
modules of their own without knowing the screen class (no import cycle, no mixin).
"""

from __future__ import annotations

from typing import Any, Protocol

from textual.app import App

from reader.library import Library


class Host(Protocol):
    """A screen that shows a library and a status line."""

    library: Library

    @property
    def app(self) -> App[Any]:
        """The running app (dialogs are pushed on it)."""

    def set_status(self, text: str, *, error: bool = False) -> None:
        """Say what the last action did."""

    def run_worker(self, work: Any, *args: Any, **kwargs: Any) -> Any:
        """Run `work` in a worker (Textual's `DOMNode.run_worker`)."""

    def post_message(self, message: Any) -> bool:
        """Post a message to this screen (thread-safe)."""
