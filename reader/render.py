"""Plain-text views of papers for the command line (the TUI has its own widgets)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence

from reader.model import Entry, Listed, Paper
from reader.text import cell_width, cut_to_width, json_safe, one_line, printable


def list_rows(entries: Sequence[Entry], width: int | None) -> list[str]:
    """One line per paper: key, date, upvotes, read/star markers, title and tags.

    With a `width` (a terminal), long lines are cut with an ellipsis instead of wrapping.
    Every field is shown through `one_line`: a key from an imported file can hold anything.
    """
    listed = [
        (entry.key, entry.paper.title, entry.paper.published, entry.paper.upvotes, entry.state)
        for entry in entries
    ]
    return listed_rows(listed, width)


def listed_rows(listed: Sequence[Listed], width: int | None) -> list[str]:
    """`list_rows` from only the fields it shows (see `Library.listing`)."""
    keys = [one_line(item[0]) for item in listed]
    key_cells = [_cells(key) for key in keys]
    key_width = max(key_cells, default=3)
    rows = []
    for key, cells, (_, title, published, upvotes, state) in zip(
        keys, key_cells, listed, strict=True
    ):
        day = published.isoformat() if published else "-"
        votes = "-" if upvotes is None else str(upvotes)
        markers = ("✓" if state.read else " ") + ("★" if state.starred else " ")
        tags = "".join(f" #{one_line(tag)}" for tag in state.tags)
        padding = " " * (key_width - cells)
        row = f"{key}{padding}  {day:<10}  {votes:>4}  {markers}  "
        row += one_line(title) + tags
        if width:
            row = cut_to_width(row, width)
        rows.append(row)
    return rows


def show(entry: Entry, width: int = 80) -> str:
    """Everything known about one paper, for `reader show`."""
    paper, state = entry.paper, entry.state
    lines = [one_line(paper.title), ""]
    facts = [("Key", paper.key)]
    if paper.arxiv_id:
        facts.append(("arXiv", paper.arxiv_id))
    if paper.doi:
        facts.append(("DOI", paper.doi))
    if paper.url:
        facts.append(("Link", paper.url))
    if paper.categories:
        facts.append(("Categories", categories_line(paper)))
    if paper.authors:
        facts.append(("Authors", ", ".join(paper.authors)))
    elif paper.author_count:
        facts.append(("Authors", f"{paper.author_count} authors (names not known)"))
    if paper.organization:
        facts.append(("Organization", paper.organization))
    facts.append(("Date", paper.published.isoformat() if paper.published else "unknown"))
    facts.append(("Upvotes", "unknown" if paper.upvotes is None else str(paper.upvotes)))
    flags = [
        name
        for name, on in (
            ("read", state.read),
            ("starred", state.starred),
            ("dismissed", state.dismissed),
        )
        if on
    ]
    facts.append(("State", ", ".join(flags) or "unread"))
    if state.tags:
        facts.append(("Tags", ", ".join(state.tags)))
    if paper.featured:
        facts.append(("Featured", f"{paper.featured.isoformat()} on Hugging Face"))
    if paper.comments:
        facts.append(("Comments", str(paper.comments)))
    if paper.github:
        facts.append(("Code", paper.github))
    if paper.project_page:
        facts.append(("Project", paper.project_page))
    facts.append(("Source", paper.source or "unknown"))
    if paper.added:
        facts.append(("Added", paper.added.isoformat(timespec="seconds")))
    label_width = max(len(label) for label, _ in facts)
    lines.extend(f"{label + ':':<{label_width + 1}} {one_line(value)}" for label, value in facts)
    if paper.abstract:
        lines.append("")
        lines.extend(
            textwrap.wrap(one_line(paper.abstract), width=max(width, 20), break_on_hyphens=False)
        )
    if state.note:
        lines.extend(["", "Note:"])
        lines.extend("  " + printable(line) for line in state.note.splitlines())
    return "\n".join(lines)


def categories_line(paper: Paper) -> str:
    """ "cs.LG (primary), stat.ML": the categories, the primary one marked."""
    return ", ".join(
        f"{name} (primary)" if name == paper.primary_category else name for name in paper.categories
    )


def json_text(data: object) -> str:
    """JSON for printing: control characters escaped even where JSON allows them raw."""
    return json_safe(json.dumps(data, ensure_ascii=False, indent=2))


def _cells(text: str) -> int:
    if text.isascii() and text.isprintable():
        return len(text)  # one cell each: the common case, without a lookup per character
    return sum(cell_width(char) for char in text)
