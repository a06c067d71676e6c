"""The Markdown export: a document for pasting into notes and READMEs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from reader.identity import arxiv_url, doi_url
from reader.links import is_web_url, percent_encode
from reader.model import Entry, Paper
from reader.text import without_controls

# The ASCII punctuation that can change how Markdown renders: CommonMark syntax, plus GFM
# (`~` strikethrough, `|` tables) and common note apps (`$` math, `==` highlight, `%%`
# comments, `^` block references). CommonMark lets any ASCII punctuation be escaped, so
# escaping one too many is harmless.
_MARKDOWN_SPECIAL = "\\`*_{}[]()#+-.!|<>~&$=%^"
_MARKDOWN_ESCAPES = str.maketrans({char: "\\" + char for char in _MARKDOWN_SPECIAL})

# Characters that would end or confuse a Markdown link destination `(...)`, and controls
# (C1 and bidi too), which must not reach a terminal raw.
_URL_UNSAFE = re.compile(
    r"[\s()<>\\\x00-\x1f\x7f-\x9f"
    r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def to_markdown(
    entries: Sequence[Entry], *, title: str = "Starred papers", today: date | None = None
) -> str:
    """A Markdown document listing the entries, for pasting into notes and READMEs.

    Paper data is escaped so it renders literally; notes are the user's own Markdown and are
    kept as written, each in a block quote. Only http(s) URLs are ever linked. Control
    characters in notes (paper data drops them) and lone surrogates become U+FFFD, so the
    document is safe to print.
    """
    heading = f"# {escape_markdown(title) or 'Papers'}"
    if not entries:
        return f"{heading}\n\n_No papers._\n"
    day = (today or date.today()).isoformat()
    count = len(entries)
    blocks = [heading, f"_Exported {day} · {count} paper{'s' if count != 1 else ''}_"]
    for entry in entries:
        blocks.extend(_paper_blocks(entry))
    # Notes are not escaped, and may hold anything the user pasted.
    return without_controls("\n\n".join(blocks)) + "\n"


def escape_markdown(text: str) -> str:
    """Make `text` render literally as inline Markdown, on one line.

    Backslash-escapes every ASCII punctuation character that could start Markdown syntax
    (emphasis, links, code, HTML, entities, headings, lists, tables), collapses all
    whitespace runs to one space (trimming the ends), and drops control characters.
    """
    visible = "".join(char for char in text if char.isspace() or unicodedata.category(char) != "Cc")
    return " ".join(visible.split()).translate(_MARKDOWN_ESCAPES)


def _paper_blocks(entry: Entry) -> list[str]:
    """The heading, the details line and the quoted note of one paper (empty parts left out)."""
    paper = entry.paper
    text = escape_markdown(paper.title) or "\\(untitled\\)"
    url = _link_target(paper)
    blocks = [f"## [{text}]({url})" if url else f"## {text}"]
    details = _details(paper, entry.state.tags)
    if details:
        blocks.append(details)
    note = _quote(entry.state.note)
    if note:
        blocks.append(note)
    return blocks


def _details(paper: Paper, tags: Sequence[str]) -> str:
    parts: list[str] = []
    if paper.authors:
        parts.append(", ".join(escape_markdown(name) for name in paper.authors))
    elif paper.organization:
        parts.append(escape_markdown(paper.organization))
    elif paper.author_count:
        parts.append(f"{paper.author_count} author{'s' if paper.author_count != 1 else ''}")
    if paper.published is not None:
        parts.append(paper.published.isoformat()[:10])
    if paper.upvotes is not None:
        parts.append(f"{paper.upvotes} upvote{'s' if paper.upvotes != 1 else ''}")
    if paper.doi:
        target = percent_encode(doi_url(paper.doi), _URL_UNSAFE)
        parts.append(f"[doi:{escape_markdown(paper.doi)}]({target})")
    tag_text = " ".join(f"\\#{escape_markdown(tag)}" for tag in tags if tag.strip())
    if tag_text:
        parts.append(tag_text)
    return " · ".join(part for part in parts if part)


def _quote(note: str) -> str:
    """The note as a block quote. Every line is prefixed, so nothing in it escapes the quote."""
    lines = note.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines)


def _link_target(paper: Paper) -> str | None:
    """The URL the title links to, ready for `(...)`; None when there is no safe one."""
    candidates = [paper.url, arxiv_url(paper.arxiv_id) if paper.arxiv_id else None]
    for candidate in candidates:
        url = (candidate or "").strip()
        # Only http(s): `javascript:`, `data:` and `file:` links must never reach a reader.
        if is_web_url(url):
            return percent_encode(url, _URL_UNSAFE)
    return None
