"""A one-line input whose Enter acts at once (see `reader.tui.keyroute`).

Textual's `Input` reports Enter with a `Submitted` message, handled a moment later; a key
typed right after Enter would still go to the input. A `Field` runs its `on_submit` in
the Enter key's own action instead: the focus moves (or the dialog closes) before the
next key is sent anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Input


class Field(Input):
    """An `Input` with a synchronous `on_submit(value)`."""

    def __init__(
        self, *args: Any, on_submit: Callable[[str], object] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.on_submit = on_submit
        """Called with the value when Enter is pressed, before anything else happens."""

    async def action_submit(self) -> None:
        """Enter: act at once, then tell the usual listeners."""
        if self.on_submit is not None:
            self.on_submit(self.value)
            return
        await super().action_submit()
