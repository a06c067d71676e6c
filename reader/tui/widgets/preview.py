"""The preview pane: one paper in full, with the filter's words highlighted in the abstract.

Everything shown comes from imported data, so it passes through `reader.text.printable`
(no control characters reach the terminal) and is built as `Content`, never parsed as
markup: a title containing "[bold]" shows those characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
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

    from reader.sync.record import NoteConflict

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
# the abstract, and one more for each part whose height changed. Those layouts place
# nothing anew (the layout that sized the parts already placed them) but each costs as
# much as the first: arranging every widget and repainting the preview. Taking the new
# size without asking for a layout is what Textual itself does while scrolling
# (`layout=False`). A change that does move things still lays out: a part's new content
# (`Static.update`) and the scroll bar coming or going (which changes the parts' width).
# tests/tui/test_preview_layout.py proves both: one layout per move, and the same picture
# as a layout from scratch.


class _Part(Static):
    """A part of the preview (title, metadata, abstract, ...): sized by the pane's layout."""

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)


class PreviewPane(VerticalScroll, can_focus=True):
    """Shows one paper: title, metadata, link, abstract (with matches highlighted), tags
    and the user's note rendered as Markdown.

    Call `show` on every cursor move; it updates the existing widgets in place.
    """

    COMPONENT_CLASSES = {
        "preview-pane--match",
        "preview-pane--label",
    }
    """`--match`: the filter's words in the abstract; `--label`: the metadata labels."""

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
    PreviewPane > Static {
        height: auto;
    }
    PreviewPane > #preview-title {
        text-style: bold;
        margin-bottom: 1;
    }
    PreviewPane > #preview-link {
        color: $text-muted;
    }
    PreviewPane > #preview-abstract {
        margin-top: 1;
    }
    PreviewPane > #preview-tags {
        margin-top: 1;
        color: $text-accent;
    }
    PreviewPane > #preview-note-heading {
        margin-top: 1;
        text-style: bold;
        color: $text-muted;
    }
    PreviewPane > #preview-note {
        padding: 0;
        margin: 0;
        background: transparent;
    }
    PreviewPane > #preview-placeholder {
        display: none;
        color: $text-muted;
        width: 1fr;
        height: 1fr;
        content-align: center middle;
    }
    PreviewPane.-empty > * {
        display: none;
    }
    PreviewPane.-empty > #preview-placeholder {
        display: block;
    }
    PreviewPane > #preview-reason {
        color: $text-accent;
        margin-top: 1;
    }
    PreviewPane > #preview-conflicts {
        margin-top: 1;
        color: $text-warning;
    }
    PreviewPane > #preview-reason.-hidden,
    PreviewPane.-no-conflicts > #preview-conflicts,
    PreviewPane.-no-link > #preview-link,
    PreviewPane.-no-tags > #preview-tags,
    PreviewPane.-no-note > #preview-note-heading,
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
        self._title = _Part(id="preview-title")
        self._meta = _Part(id="preview-meta")
        self._link = _Part(id="preview-link")
        self._abstract = _Part(id="preview-abstract")
        self._tags = _Part(id="preview-tags")
        self._reason = _Part(id="preview-reason", classes="-hidden")
        self._conflicts = _Part(id="preview-conflicts")
        # Created on the first note shown: Textual's Markdown widget costs about 30 ms
        # to import, which would otherwise be paid by every start of the app.
        self._shown: tuple[Entry, tuple[str, ...]] | None = None
        """What `show` showed last."""
        self._reason_line = ""
        self._conflict_parts: list[str] = []
        """The conflict copies `show_conflicts` shows (none at first)."""
        self._note: Markdown | None = None
        self._note_source = ""
        self._shown_note = ""
        self._mounted = False
        self.add_class("-empty", "-no-link", "-no-tags", "-no-note", "-no-conflicts")

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # The scrolled height changes with each paper: see `_Part`.
        return super()._size_updated(size, virtual_size, container_size, layout=False)

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The scroll bar, back at the top for each paper: its lines drawn once (see
        `reader.tui.widgets.scrollbar`)."""
        return cached_vertical_scrollbar(self)

    def compose(self) -> ComposeResult:
        """The parts of the preview, all present from the start and updated by `show`."""
        yield Static(Content(self.PLACEHOLDER), id="preview-placeholder")
        yield self._title
        yield self._meta
        yield self._reason
        yield self._link
        yield self._abstract
        yield self._tags
        yield self._conflicts
        yield Static(Content("Note"), id="preview-note-heading")

    def on_mount(self) -> None:
        """Render a note that `show` was given before the pane was mounted."""
        self._mounted = True
        self._render_note()

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
            return
        paper, state = entry.paper, entry.state

        self._meta.update(Content("\n").join(self._metadata(entry, terms)))
        if not text_shown:
            self._show_text(paper, terms)

        tags = " ".join("#" + one_line(tag) for tag in state.tags)
        self.set_class(not tags, "-no-tags")
        self._tags.update(Content(tags))

        self._note_source = printable(state.note.strip())
        self.set_class(not self._note_source, "-no-note")
        self._render_note()

    def _show_text(self, paper: Paper, terms: Sequence[str]) -> None:
        """The parts that depend on the paper alone: title, link and abstract."""
        title = one_line(paper.title) or "(untitled)"
        self._title.update(highlight(title, terms, MATCH_STYLE))

        url = one_line(paper.url or "")
        self.set_class(not url, "-no-link")
        if url:
            target = web_url(url)
            link = Content.styled(url, Style(link=target)) if target else Content(url)
            self._link.update(_labelled("Link", link))

        abstract = printable(paper.abstract.strip())
        if abstract:
            self._abstract.update(highlight(abstract, terms, MATCH_STYLE))
        else:
            self._abstract.update(Content.styled("No abstract.", LABEL_STYLE))

    def show_reason(self, text: str) -> None:
        """Say why the paper ranks where it does ("Because you starred: …"); "" hides it."""
        # A class of the line itself, not of the pane: a pane's class restyles every part of
        # the preview (tens of milliseconds at each star, sorted for you).
        line = one_line(text)
        if line == self._reason_line:
            return
        self._reason_line = line
        self._reason.set_class(not line, "-hidden")
        self._reason.update(Content(line))

    def show_conflicts(self, copies: Sequence[NoteConflict]) -> None:
        """Show the conflict copies of the note (`reader sync`); none hides them."""
        self.set_class(not copies, "-no-conflicts")
        parts = [
            f"Conflict copy of the note (from {one_line(copy.device)}, {one_line(copy.at)}):"
            f"\n{printable(copy.note.strip())}"
            for copy in copies
        ]
        # Unchanged (no copies, most often): an update would lay the whole screen out again.
        if parts == self._conflict_parts:
            return
        self._conflict_parts = parts
        self._conflicts.update(Content("\n\n".join(parts)))

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
