"""A vertical scroll bar that draws each kind of line it shows once, not at every move.

Textual's scroll bar draws itself anew whenever it moves: a Rich renderable rendered,
split into lines, styled and filtered, line by line through the widget's style cache. At
a page down the list's bar moves (and the preview's when it scrolls back to the top):
measured at 1.2 to 3 ms of a page down's 15 to 20 ms, as much as the rows of the list.
Yet a bar shows at most five kinds of line (the track above and below the thumb, the
thumb, and its two ends drawn with eighth-cell glyphs), and each is drawn the same on
every line it falls on. `CachedScrollBar` asks Textual which line goes where (cheap: a
list of segments) and takes each line's finished strip from a cache filled by Textual's
own drawing: the picture is Textual's by construction, and a move costs a few lookups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.color import Color
from rich.segment import Segment
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip

if TYPE_CHECKING:
    from textual.widget import Widget


class CachedScrollBar(ScrollBar):
    """Textual's vertical scroll bar, each of its kinds of line drawn once (see the module
    docstring). Anything else (a horizontal bar, a bar with a border or padding) is drawn
    by Textual as usual."""

    def __init__(
        self, vertical: bool = True, name: str | None = None, *, thickness: int = 1
    ) -> None:
        super().__init__(vertical, name, thickness=thickness)
        self._drawn: dict[Segment, Strip] = {}
        """The finished strip of each kind of line, as Textual drew it in `_drawn_for`."""
        self._drawn_for: object = None
        """What the finished strips depend on besides the line's own segment."""

    def render_lines(self, crop: Region) -> list[Strip]:
        """The bar's lines in `crop`: from the cache when every kind of line is in it."""
        width, height = self.size
        bar = self.render()
        if not (self.vertical and isinstance(bar, ScrollBarRender) and width and height):
            return super().render_lines(crop)
        if self.styles.gutter or any(kind for kind, _ in self.styles.outline):
            return super().render_lines(crop)  # lines drawn differently at the edges
        lines = _lines(bar, width, height)
        # The widget's own style, its background over its parents', the app's filters
        # (a theme's ANSI colours): a change of any of them draws every line again.
        context = (width, self.visual_style, self.background_colors, self.get_line_filters())
        if context != self._drawn_for:
            self._drawn_for = context
            self._drawn.clear()
        drawn = self._drawn
        if lines is None or any(line not in drawn for line in lines):
            strips = super().render_lines(Region(0, 0, width, height))
            if lines is not None and len(lines) == len(strips):
                drawn.update(zip(lines, strips, strict=True))
        else:
            strips = [drawn[line] for line in lines]
        strips = strips[crop.y : crop.bottom]
        if crop.x or crop.width != width:
            strips = [strip.crop(crop.x, crop.right) for strip in strips]
        return strips


def _lines(bar: ScrollBarRender, width: int, height: int) -> list[Segment] | None:
    """The segment of each line of a vertical bar `width` cells wide and `height` lines
    high, as `ScrollBarRender.__rich_console__` computes them (None if not one segment
    per line)."""
    style = bar.style
    if isinstance(style, str):
        return None
    rendered = type(bar).render_bar(
        size=height,
        virtual_size=bar.virtual_size,
        window_size=bar.window_size,
        position=bar.position,
        thickness=width,
        vertical=True,
        back_color=style.bgcolor or Color.parse("#555555"),
        bar_color=style.color or Color.parse("bright_magenta"),
    )
    segments = list(rendered.segments)
    return segments if len(segments) == height else None


def cached_vertical_scrollbar(widget: Widget) -> ScrollBar:
    """`widget`'s vertical scroll bar, a `CachedScrollBar` (created on first use, as
    Textual's own `Widget.vertical_scrollbar` does)."""
    if widget._vertical_scrollbar is None:
        bar = CachedScrollBar(
            vertical=True, name="vertical", thickness=widget.scrollbar_size_vertical
        )
        bar.display = False
        widget._vertical_scrollbar = bar
        widget.app._start_widget(widget, bar)
    return widget._vertical_scrollbar
