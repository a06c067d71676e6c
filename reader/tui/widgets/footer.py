"""A footer that keeps the keys that matter most when the terminal is narrow.

Textual's footer shows every key in order and cuts what does not fit, so at 80 columns
the last keys (`?` help and `q` quit) were the first to go. This one drops the least
important keys first (`reader.tui.keys.FOOTER_PRIORITY`), keeping help and quit always.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from reader.tui.keys import FOOTER_PRIORITY

_PALETTE_CELLS = 14
"""Room kept on the right for the command palette's key."""


class KeyFooter(Footer):
    """The footer: the keys that fit, the most important first to stay."""

    _shown_signature: tuple[object, ...] | None = None
    """What the footer shows now; it is rebuilt only when this changes."""

    def _shown(self) -> list[tuple[Binding, bool, str]]:
        """The bindings the footer would show now, one per action, in order."""
        shown: dict[str, tuple[Binding, bool, str]] = {}
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in shown:
                shown[binding.action] = (binding, enabled, tooltip)
        return list(shown.values())

    def _signature(self, shown: list[tuple[Binding, bool, str]]) -> tuple[object, ...]:
        """Everything the keys drawn from `shown` depend on, the width included."""
        drawn = tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for binding, enabled, tooltip in shown
        )
        return (self.app.size.width, drawn)

    def _rebuild_if_changed(self) -> None:
        signature = self._signature(self._shown())
        if signature != self._shown_signature:
            self._shown_signature = signature  # one rebuild however often we are told
            self.call_after_refresh(self.recompose)

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Rebuild only when the keys shown really change.

        The screen signals after every focus change and every `refresh_bindings`; Textual's
        footer then rebuilds all its keys (a dozen widgets, styled anew) each time, which
        was most of the work of opening the app and of closing a dialog.
        """
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._rebuild_if_changed()

    def compose(self) -> ComposeResult:
        """One `FooterKey` per shown binding that fits the width."""
        if not self._bindings_ready:
            return
        shown = self._shown()
        self._shown_signature = self._signature(shown)
        kept = set(self._fitting(shown))
        self.styles.grid_size_columns = len(kept)
        for binding, enabled, tooltip in shown:
            if binding.action not in kept:
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
        if self._bindings_ready:
            self._rebuild_if_changed()
