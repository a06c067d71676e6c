"""The preview pane: one paper in full, with the filter's words highlighted in the abstract.

Everything shown comes from imported data, so it passes through `reader.text.printable`
(no control characters reach the terminal) and is built as `Content`, never parsed as
markup: a title containing "[bold]" shows those characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content, Span
from textual.geometry import Size
from textual.scrollbar import ScrollBar
from textual.style import Style
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.widgets import Markdown

    from reader.sync.conflicts import NoteConflict

from reader.links import is_web_url, web_url
from reader.model import Entry, Paper
from reader.render import categories_line
from reader.text import one_line, plural, printable
from reader.tui import keys
from reader.tui.widgets.scrollbar import cached_vertical_scrollbar

_TOKEN = re.compile(r"[^\W_]+")
"""A searchable word, as the full-text index splits text (letters and digits)."""

_LABEL_WIDTH = 9

# A style of ".name" is looked up at render time in the component classes of the widget and
# its ancestors, so the highlight follows the theme and app.tcss can restyle it.
MATCH_STYLE = ".preview-pane--match"
"""The style of the filter's words in the abstract."""
LABEL_STYLE = ".preview-pane--label"
"""The style of the metadata labels."""


def match_pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    """A regex over folded text (see `fold`) finding the filter's terms, or None.

    A term matches at the start of a word, as a prefix ("caus" finds "Causal"); the words of
    a phrase must follow each other, with any punctuation or spaces between them.
    """
    alternatives = {
        r"\b" + r"[\W_]+".join(re.escape(token) for token in tokens)
        for term in terms
        if (tokens := _TOKEN.findall(fold(term)[0]))
    }
    if not alternatives:
        return None
    # Longest first, so that a phrase wins over one of its own words.
    return re.compile("|".join(sorted(alternatives, key=lambda text: (-len(text), text))))


def fold(text: str) -> tuple[str, list[int] | None]:
    """`text` case-folded and without accents, as the search sees it, and for each folded
    character the index of the character it came from (None when the indexes are equal)."""
    if text.isascii():
        return text.lower(), None
    parts: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = "".join(
            part
            for part in unicodedata.normalize("NFD", char.casefold())
            if not unicodedata.combining(part)
        )
        parts.append(folded)
        origin.extend([index] * len(folded))
    return "".join(parts), origin


def match_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """The (start, end) offsets in `text` of every match of `terms`, ignoring case and
    accents."""
    pattern = match_pattern(terms)
    if pattern is None or not text:
        return []
    folded, origin = fold(text)
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(folded):
        start, end = match.span()
        if origin is not None:
            start, end = origin[start], origin[end - 1] + 1
            # Keep a combining accent with the letter it belongs to.
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1
        spans.append((start, end))
    return spans


def highlight(text: str, terms: Sequence[str], style: Style | str) -> Content:
    """`text` as plain Content (never markup) with every match of `terms` in `style`."""
    content = Content(text)
    spans = match_spans(content.plain, terms)
    return content.add_spans([Span(start, end, style) for start, end in spans])


def matched_fields(paper: Paper, terms: Sequence[str]) -> list[str]:
    """Where the filter's words appear: "title", "authors", "organization", "abstract"."""
    if not terms:
        return []
    fields = {
        "title": paper.title,
        "authors": " ".join(paper.authors),
        "organization": paper.organization or "",
        "abstract": paper.abstract,
    }
    return [name for name, text in fields.items() if match_spans(text, terms)]


def pdf_url(arxiv_id: str) -> str:
    """The arXiv PDF of a paper."""
    return f"https://arxiv.org/pdf/{arxiv_id}"


def _link(url: str) -> Content:
    """A URL shown as text, clickable when it is a web link."""
    shown = one_line(url)
    target = web_url(url)
    return Content.styled(shown, Style(link=target)) if target else Content(shown)


def _labelled(label: str, value: str | Content) -> Content:
    return Content.assemble((label.ljust(_LABEL_WIDTH), LABEL_STYLE), value)


# One cursor move, one layout of the screen. Textual gives a widget its new size during a
# layout and, when the size changed, asks for another layout of the whole screen (its
# `virtual_size` is a layout reactive): one more for the pane, whose scrolled height follows
# the abstract, and one more for the body, whose height changed. Those layouts place
# nothing anew (the layout that sized the body already placed it) but each costs as much
# as the first: arranging every widget and repainting the preview. Taking the new size
# without asking for a layout is what Textual itself does while scrolling (`layout=False`).
# A change that does move things still lays out: the body's new text (`Static.update`) and
# the scroll bar coming or going (which changes the body's width).
# tests/tui/test_preview_layout.py proves both: one layout per move, and the same picture
# as a layout from scratch.


class _Body(Static):
    """The preview's text, all its parts in one widget: sized by the pane's layout."""

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)


@dataclass(frozen=True, slots=True)
class _Part:
    """How a part of the preview is set in its text."""

    style: str
    """Its component class ("" for none), under the styles of its own text."""
    above: int
    """Blank lines above it (the larger of this and the previous part's `below` counts)."""
    below: int
    """Blank lines below it."""


_PARTS: dict[str, _Part] = {
    "title": _Part(".preview-pane--title", 0, 1),
    "meta": _Part("", 0, 0),
    "reason": _Part(".preview-pane--reason", 1, 0),
    "link": _Part(".preview-pane--link", 0, 0),
    "abstract": _Part("", 1, 0),
    "tags": _Part(".preview-pane--tags", 1, 0),
    "conflicts": _Part(".preview-pane--conflicts", 1, 0),
    "note-heading": _Part(".preview-pane--note-heading", 1, 0),
}
"""The parts of the preview, in order, as they are set (a part without text is left out)."""


class PreviewPane(VerticalScroll, can_focus=True):
    """Shows one paper: title, metadata, link, abstract (with matches highlighted), tags
    and the user's note rendered as Markdown.

    Call `show` on every cursor move; it updates the text in place. The parts (title,
    metadata, abstract, ...) are set in one `Static`, each styled by a component class and
    apart from the others by blank lines: a dozen widgets (one per part) cost a cursor
    move their layout, and every message the screen's widgets each handle.
    """

    COMPONENT_CLASSES = {
        "preview-pane--match",
        "preview-pane--label",
        "preview-pane--title",
        "preview-pane--link",
        "preview-pane--reason",
        "preview-pane--tags",
        "preview-pane--conflicts",
        "preview-pane--note-heading",
    }
    """`--match`: the filter's words in the abstract; `--label`: the metadata labels; the
    others: the parts of the preview so named."""

    DEFAULT_CSS = """
    PreviewPane {
        padding: 0 1;
        background: $surface;
    }
    PreviewPane > .preview-pane--match {
        background: $accent 40%;
        text-style: bold;
    }
    PreviewPane > .preview-pane--label {
        color: $text-muted;
    }
    PreviewPane > .preview-pane--title {
        text-style: bold;
    }
    PreviewPane > .preview-pane--link {
        color: $text-muted;
    }
    PreviewPane > .preview-pane--reason {
        color: $text-accent;
    }
    PreviewPane > .preview-pane--tags {
        color: $text-accent;
    }
    PreviewPane > .preview-pane--conflicts {
        color: $text-warning;
    }
    PreviewPane > .preview-pane--note-heading {
        text-style: bold;
        color: $text-muted;
    }
    PreviewPane > #preview-body {
        height: auto;
    }
    PreviewPane.-empty > #preview-body {
        color: $text-muted;
        width: 1fr;
        height: 1fr;
        content-align: center middle;
    }
    PreviewPane > #preview-note {
        padding: 0;
        margin: 0;
        background: transparent;
    }
    PreviewPane.-empty > #preview-note,
    PreviewPane.-no-note > #preview-note {
        display: none;
    }
    """

    PLACEHOLDER = "No paper selected"

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.PANE)
    """j k g G scroll, besides the arrows, PgUp, PgDn, Home and End of every scroll view."""

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        full: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.full = full
        """The reading view: every link written out."""
        self.entry: Entry | None = None
        """The entry shown, or None."""
        self._body = _Body(Content(self.PLACEHOLDER), id="preview-body")
        self._parts: dict[str, Content] = {}
        """The text of each part shown (a part without text is not shown)."""
        self._shown: tuple[Entry, tuple[str, ...]] | None = None
        """What `show` showed last."""
        self._reason_line = ""
        self._conflict_parts: list[str] = []
        """The conflict copies `show_conflicts` shows (none at first)."""
        # Created on the first note shown: Textual's Markdown widget costs about 30 ms
        # to import, which would otherwise be paid by every start of the app.
        self._note: Markdown | None = None
        self._note_source = ""
        self._shown_note = ""
        self._mounted = False
        self.add_class("-empty", "-no-note")

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # The scrolled height changes with each paper: see `_Body`.
        return super()._size_updated(size, virtual_size, container_size, layout=False)

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The scroll bar, back at the top for each paper: its lines drawn once (see
        `reader.tui.widgets.scrollbar`)."""
        return cached_vertical_scrollbar(self)

    def compose(self) -> ComposeResult:
        """The text of the preview (the note's Markdown follows when there is one)."""
        yield self._body

    def on_mount(self) -> None:
        """Render a note that `show` was given before the pane was mounted."""
        self._mounted = True
        self._render_note()

    def part(self, name: str) -> Content | None:
        """The text of a part of the preview as shown ("title", "meta", "reason", "link",
        "abstract", "tags", "conflicts", "note-heading"), or None when it is not shown."""
        if name not in _PARTS:
            raise KeyError(name)
        return None if self.entry is None else self._parts.get(name)

    def show(self, entry: Entry | None, terms: Sequence[str] = ()) -> None:
        """Show `entry` (None for the placeholder), highlighting `terms` in the abstract."""
        if self._mounted and entry is not None and (entry, tuple(terms)) == self._shown:
            return  # the same paper as it is shown (the list was ordered anew around it)
        # The same paper with another state (a star, a tag): its text stays as it is.
        text_shown = (
            self._mounted
            and entry is not None
            and self._shown is not None
            and (self._shown[0].paper, self._shown[1]) == (entry.paper, tuple(terms))
        )
        self._shown = None if entry is None else (entry, tuple(terms))
        if self._mounted and (entry is None or self.entry is None or entry.key != self.entry.key):
            self.scroll_home(animate=False)
        self.entry = entry
        self.set_class(entry is None, "-empty")
        if entry is None:
            self._set_body()
            return
        paper, state = entry.paper, entry.state

        self._set_part("meta", Content("\n").join(self._metadata(entry, terms)))
        if not text_shown:
            self._show_text(paper, terms)

        tags = " ".join("#" + one_line(tag) for tag in state.tags)
        self._set_part("tags", Content(tags))

        self._note_source = printable(state.note.strip())
        self.set_class(not self._note_source, "-no-note")
        self._set_part("note-heading", Content("Note" if self._note_source else ""))
        self._set_body()
        self._render_note()

    def _show_text(self, paper: Paper, terms: Sequence[str]) -> None:
        """The parts that depend on the paper alone: title, link and abstract."""
        title = one_line(paper.title) or "(untitled)"
        self._set_part("title", highlight(title, terms, MATCH_STYLE))

        url = one_line(paper.url or "")
        if url:
            target = web_url(url)
            link = Content.styled(url, Style(link=target)) if target else Content(url)
            self._set_part("link", _labelled("Link", link))
        else:
            self._set_part("link", Content())

        abstract = printable(paper.abstract.strip())
        if abstract:
            self._set_part("abstract", highlight(abstract, terms, MATCH_STYLE))
        else:
            self._set_part("abstract", Content.styled("No abstract.", LABEL_STYLE))

    def show_reason(self, text: str) -> None:
        """Say why the paper ranks where it does ("Because you starred: …"); "" hides it."""
        line = one_line(text)
        if line == self._reason_line:
            return
        self._reason_line = line
        self._set_part("reason", Content(line))
        self._set_body()

    def show_conflicts(self, copies: Sequence[NoteConflict]) -> None:
        """Show the conflict copies of the note (`reader sync`); none hides them."""
        parts = [
            f"Conflict copy of the note (from {one_line(copy.device)}, {one_line(copy.at)}):"
            f"\n{printable(copy.note.strip())}"
            for copy in copies
        ]
        # Unchanged (no copies, most often): nothing to set again.
        if parts == self._conflict_parts:
            return
        self._conflict_parts = parts
        self._set_part("conflicts", Content("\n\n".join(parts)))
        self._set_body()

    def _set_part(self, name: str, text: Content) -> None:
        """The text of one part ("" leaves it out); `_set_body` shows it."""
        if text.plain:
            self._parts[name] = text
        else:
            self._parts.pop(name, None)

    def _set_body(self) -> None:
        """Set the parts in the body: each in its style, blank lines between them."""
        text = self._body_text()
        shown = self._body.content
        if isinstance(shown, Content) and (shown.plain, shown.spans) == (text.plain, text.spans):
            return  # unchanged: an update would lay the screen out again
        self._body.update(text)

    def _body_text(self) -> Content:
        if self.entry is None:
            return Content(self.PLACEHOLDER)
        pieces: list[Content] = []
        gap = 0
        for name, how in _PARTS.items():
            text = self._parts.get(name)
            if text is None:
                continue
            if pieces:
                pieces.append(Content("\n" * (1 + max(gap, how.above))))
            pieces.append(text.stylize_before(how.style) if how.style else text)
            gap = how.below
        return Content("").join(pieces)

    def _metadata(self, entry: Entry, terms: Sequence[str] = ()) -> list[Content]:
        paper, state = entry.paper, entry.state
        lines: list[Content] = []
        where = matched_fields(paper, terms)
        if where and where != ["abstract"]:
            # Say where the filter matched when it is not (only) the abstract shown below.
            lines.append(_labelled("Matches", " · ".join(where)))
        if paper.authors:
            authors = one_line(", ".join(paper.authors))
            lines.append(_labelled("Authors", highlight(authors, terms, MATCH_STYLE)))
        if paper.organization:
            organization = one_line(paper.organization)
            lines.append(_labelled("Org", highlight(organization, terms, MATCH_STYLE)))
        if not paper.authors and paper.author_count:
            lines.append(_labelled("Authors", plural(paper.author_count, "author")))
        dated = [paper.published.isoformat()] if paper.published else []
        if paper.upvotes is not None:
            dated.append(plural(paper.upvotes, "upvote"))
        if dated:
            lines.append(_labelled("Date", " · ".join(dated)))
        if paper.arxiv_id:
            lines.append(_labelled("arXiv", one_line(paper.arxiv_id)))
        if paper.categories:
            lines.append(_labelled("Categories", one_line(categories_line(paper))))
        if paper.doi:
            lines.append(_labelled("DOI", one_line(paper.doi)))
        if paper.featured:
            featured = f"{paper.featured.isoformat()} on Hugging Face"
            if paper.comments:
                featured += f" · {plural(paper.comments, 'comment')}"
            lines.append(_labelled("Featured", featured))
        links = [("Code", paper.github), ("Project", paper.project_page)]
        if paper.arxiv_id:
            links.append(("PDF", pdf_url(paper.arxiv_id)))
        for label, url in links:
            if url:
                lines.append(_labelled(label, _link(url)))
        if paper.source:
            lines.append(_labelled("Source", one_line(paper.source)))
        marks = ["✓ read" if state.read else "unread"]
        if state.starred:
            marks.append("★ starred")
        if state.dismissed:
            marks.append("✗ not interested")
        lines.append(_labelled("State", " · ".join(marks)))
        return lines

    def _render_note(self) -> None:
        # Parsing and remounting Markdown is the slow part of `show`: skip it when the note
        # is hidden or unchanged.
        if self._mounted and self._note_source and self._note_source != self._shown_note:
            self._shown_note = self._note_source
            if self._note is None:
                from textual.widgets import Markdown

                self._note = Markdown(self._note_source, id="preview-note", open_links=False)
                self.mount(self._note)
            else:
                self._note.update(self._note_source)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        """Open web links in the note; ignore every other kind (file:, javascript:, ...)."""
        event.stop()
        if is_web_url(event.href):
            self.app.open_url(event.href)
