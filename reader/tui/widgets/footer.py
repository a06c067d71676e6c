"""A footer that keeps the keys that matter most when the terminal is narrow, in one widget.

Textual's footer shows every key in order and cuts what does not fit, so at 80 columns
the last keys (`?` help and `q` quit) were the first to go. This one drops the least
important keys first (`reader.tui.keys.FOOTER_PRIORITY`), keeping help and quit always.

It draws the keys itself, on one line, as Textual's `FooterKey` widgets draw them (the
same component styles, hover, dimmed when disabled, a click presses the key, a tooltip
each), instead of a widget per key: a dozen widgets that every layout of the screen
arranged and every message to the screen's widgets visited (a page down waited for each
of them). Only the command palette's key, docked on the right with its border, is still
Textual's `FooterKey`. tests/tui/test_footer.py compares the line with Textual's footer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.css.styles import StylesBase
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets._footer import FooterKey

from reader.tui.keys import FOOTER_PRIORITY

_PALETTE_CELLS = 14
"""Room kept on the right for the command palette's key."""


@dataclass(frozen=True, slots=True)
class ShownKey:
    """A key the footer shows, where it shows it."""

    key: str
    """The key pressed when it is clicked."""
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    start: int
    """Its first cell on the line."""
    end: int
    """The cell after its last."""


class KeyFooter(Widget, can_focus=False):
    """The footer: the keys that fit, the most important first to stay."""

    ALLOW_SELECT = False

    COMPONENT_CLASSES = {
        "key-footer--item",
        "key-footer--hover",
        "key-footer--disabled",
        "key-footer--key",
        "key-footer--description",
    }
    """What Textual's `FooterKey` widget and its own components are styled with."""

    # The rules of Textual's `Footer` and `FooterKey` (not compact), for one widget: the
    # item's background is a key's, under its key and description, as in a `FooterKey`.
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyFooter > .key-footer--item {
        background: $footer-item-background;
    }
    KeyFooter > .key-footer--hover {
        color: $footer-key-foreground;
        background: $block-hover-background;
    }
    KeyFooter > .key-footer--disabled {
        text-style: dim;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
        padding: 0 1;
    }
    KeyFooter > .key-footer--description {
        padding: 0 1 0 0;
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyFooter > FooterKey.-command-palette {
        dock: right;
        padding-right: 1;
        border-left: vkey $foreground 20%;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._bindings_ready = False
        self._shown_signature: tuple[object, ...] | None = None
        """What the footer shows now; it is rebuilt only when this changes."""
        self.keys: list[ShownKey] = []
        """The keys drawn, left to right (the command palette's key is a widget)."""
        self._hover: ShownKey | None = None

    # --- which keys ----------------------------------------------------------------------

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
            self.call_after_refresh(self.rebuild)

    def on_mount(self) -> None:
        """Follow the screen's keys (as Textual's footer does)."""
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        """Stop following them."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Rebuild only when the keys shown really change.

        The screen signals after every focus change and every `refresh_bindings`; Textual's
        footer then rebuilt all its keys (a dozen widgets, styled anew) each time, which
        was most of the work of opening the app and of closing a dialog.
        """
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._rebuild_if_changed()

    async def rebuild(self) -> None:
        """Lay the keys out again (the palette's key is mounted anew)."""
        if not self.is_attached:
            return  # its screen closed meanwhile (a dialog)
        await self.recompose()
        if self.is_attached:
            self._set_keys()

    def compose(self) -> ComposeResult:
        """The command palette's key, when the app has one (the others are drawn)."""
        if not self._bindings_ready:
            return
        if self.app.ENABLE_COMMAND_PALETTE:
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

    def _set_keys(self) -> None:
        shown = self._shown()
        self._shown_signature = self._signature(shown)
        kept = set(self._fitting(shown))
        padding = self._paddings()
        keys: list[ShownKey] = []
        start = 0
        for binding, enabled, tooltip in shown:
            if binding.action not in kept:
                continue
            display = self.app.get_key_display(binding)
            end = start + cell_len(display)
            if binding.description:  # (a key alone is drawn without its padding)
                end += padding[0] + padding[1]
                end += cell_len(binding.description) + padding[2] + padding[3]
            keys.append(
                ShownKey(
                    binding.key,
                    display,
                    binding.description,
                    binding.action,
                    enabled,
                    tooltip,
                    start,
                    end,
                )
            )
            start = end
        self.keys = keys
        self._hover = None
        self.refresh()

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

    # --- drawing -------------------------------------------------------------------------

    def _paddings(self) -> tuple[int, int, int, int]:
        """Cells before and after a key, before and after its description."""
        key = self.get_component_styles("key-footer--key").padding
        description = self.get_component_styles("key-footer--description").padding
        return key.left, key.right, description.left, description.right

    def _styles_of(self, shown: ShownKey) -> tuple[Style, Style]:
        """The finished styles of a key and of its description, as a `FooterKey` widget
        (hovered or not, dimmed when disabled) gets them from its components."""
        under = ["key-footer--hover" if shown is self._hover else "key-footer--item"]
        if not shown.enabled:
            under.append("key-footer--disabled")
        chain = [node.styles for node in reversed(self.ancestors_with_self)]
        item = [*chain, self.get_component_styles(*under)]
        base = _rich_style(item)
        key = _rich_style([*item, self.get_component_styles("key-footer--key")])
        description = _rich_style([*item, self.get_component_styles("key-footer--description")])
        return base + key, base + description

    def render_line(self, y: int) -> Strip:
        """The keys, as a row of `FooterKey` widgets draws them."""
        if y or not self.keys:
            return Strip.blank(self.size.width)
        before_key, after_key, before_description, after_description = self._paddings()
        segments: list[Segment] = []
        for shown in self.keys:
            key_style, description_style = self._styles_of(shown)
            if not shown.description:
                segments.append(Segment(shown.display, key_style))
                continue
            key = " " * before_key + shown.display + " " * after_key
            description = " " * before_description + shown.description + " " * after_description
            segments.append(Segment(key, key_style))
            segments.append(Segment(description, description_style))
        return Strip(segments)

    # --- the mouse -------------------------------------------------------------------------

    def _key_at(self, event: events.MouseEvent) -> ShownKey | None:
        """The key drawn under the pointer (the events of the palette's key, a widget of
        its own, come here too, with its own offsets: screen offsets are the same)."""
        x, y = event.screen_x - self.region.x, event.screen_y - self.region.y
        if y != 0 or event.widget is not self:
            return None
        return next((shown for shown in self.keys if shown.start <= x < shown.end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Highlight the key under the pointer, and say what it does."""
        self._hover_on(self._key_at(event))

    def on_leave(self, event: events.Leave) -> None:
        """Nothing under the pointer any more."""
        self._hover_on(None)

    def _hover_on(self, shown: ShownKey | None) -> None:
        if shown is self._hover:
            return
        self._hover = shown
        self.tooltip = None if shown is None else (shown.tooltip or shown.description or None)
        self.styles.pointer = "default" if shown is None else "pointer"
        self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """A click on a key presses it (a disabled key rings the bell)."""
        shown = self._key_at(event)
        if shown is None:
            return
        if shown.enabled:
            self.app.simulate_key(shown.key)
        else:
            self.app.bell()


def _rich_style(layers: Sequence[StylesBase]) -> Style:
    """The Rich style of a node whose styles, and its ancestors' before them, are `layers`:
    what `DOMNode.rich_style` computes, for nodes that are a widget's components."""
    background = Color(0, 0, 0, 0)
    color = Color(255, 255, 255, 0)
    style = Style()
    opacity = 1.0
    for styles in layers:
        has_rule = styles.has_rule
        opacity *= styles.opacity
        if has_rule("background"):
            tinted = styles.background.tint(styles.background_tint)
            text_background = background + tinted
            background += tinted.multiply_alpha(opacity)
        else:
            text_background = background
        if has_rule("color"):
            color = styles.color
        style += styles.text_style
        if has_rule("auto_color") and styles.auto_color:
            color = text_background.get_contrast_text(color.a)
    return style + Style.from_color(
        (background + color).rich_color if (background.a or color.a) else None,
        background.rich_color if background.a else None,
    )
