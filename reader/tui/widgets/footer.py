"""A footer that keeps the keys that matter most when the terminal is narrow.

Textual's footer shows every key in order and cuts what does not fit, so at 80 columns
the last keys (`?` help and `q` quit) were the first to go. This one drops the least
important keys first (`reader.tui.keys.FOOTER_PRIORITY`), keeping help and quit always.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from reader.tui.keys import FOOTER_PRIORITY

if TYPE_CHECKING:
    from textual.screen import Screen

_PALETTE_CELLS = 14
"""Room kept on the right for the command palette's key."""


class KeyFooter(Footer):
    """The footer: the keys that fit, the most important first to stay."""

    _composed: tuple[object, ...] | None = None
    """What the keys shown were made from, the last time they were composed."""

    def bindings_changed(self, screen: Screen) -> None:
        """Recompose only when the keys to show really changed.

        The bindings are announced as changed whenever a dialog closes or the focus moves,
        mostly with the same keys as before; recomposing mounts a widget per key, which
        delayed the app's answer after a dialog (such as `A`'s) by tens of milliseconds.
        """
        if self._bindings_ready and screen is self.screen and self._shown() == self._composed:
            return
        super().bindings_changed(screen)

    def _shown(self) -> tuple[object, ...]:
        """Everything `compose` shows depends on."""
        return (
            self.app.size.width,
            tuple(
                (key, binding, enabled, tooltip)
                for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            ),
        )

    def compose(self) -> ComposeResult:
        """One `FooterKey` per shown binding that fits the width."""
        if not self._bindings_ready:
            return
        self._composed = self._shown()
        shown: dict[str, tuple[Binding, bool, str]] = {}
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in shown:
                shown[binding.action] = (binding, enabled, tooltip)
        kept = set(self._fitting(list(shown.values())))
        self.styles.grid_size_columns = len(kept)
        for action, (binding, enabled, tooltip) in shown.items():
            if action not in kept:
                continue
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip or binding.description,
            ).data_bind(compact=Footer.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                _, binding, enabled, _ = palette
                yield FooterKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    classes="-command-palette",
                    disabled=not enabled,
                    tooltip=binding.tooltip or binding.description,
                )

    def _fitting(self, bindings: list[tuple[Binding, bool, str]]) -> list[str]:
        """The actions whose keys fit the width, the most important first."""
        room = self.app.size.width - _PALETTE_CELLS

        def rank(item: tuple[Binding, bool, str]) -> int:
            binding_id = item[0].id or ""
            if binding_id in FOOTER_PRIORITY:
                return FOOTER_PRIORITY.index(binding_id)
            return len(FOOTER_PRIORITY)

        kept: list[str] = []
        for binding, _, _ in sorted(bindings, key=rank):
            cost = len(self.app.get_key_display(binding)) + len(binding.description) + 3
            if cost > room:
                continue
            room -= cost
            kept.append(binding.action)
        return kept

    def on_resize(self, event: events.Resize) -> None:
        """A new width may fit more keys, or fewer."""
        self.call_after_refresh(self.recompose)
