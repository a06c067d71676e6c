"""Short text forms of a paper for the clipboard: title with link, and a citation line."""

from __future__ import annotations

from reader.identity import arxiv_url
from reader.links import web_url
from reader.model import Paper
from reader.text import one_line


def web_link(paper: Paper) -> str | None:
    """The paper's page (its URL, else its arXiv page); only ever an http(s) link."""
    for candidate in (paper.url, arxiv_url(paper.arxiv_id) if paper.arxiv_id else None):
        link = web_url(candidate)
        if link is not None:
            return link
    return None


def title_and_link(paper: Paper) -> str:
    """The title, then the link when there is one: what `y` copies."""
    link = web_link(paper)
    title = one_line(paper.title)
    return f"{title} {link}" if link else title


def citation(paper: Paper) -> str:
    """A one-line citation: "Authors (Year). Title. arXiv:ID. Link"."""
    parts: list[str] = []
    if paper.authors:
        names = [one_line(name) for name in paper.authors]
        parts.append(", ".join(names) if len(names) <= 3 else f"{names[0]} et al.")
    elif paper.organization:
        parts.append(one_line(paper.organization))
    year = f"({paper.published.year})" if paper.published else "(n.d.)"
    head = f"{parts[0]} {year}." if parts else f"{year}."
    line = f"{head} {one_line(paper.title).rstrip('.')}."
    if paper.arxiv_id:
        line += f" arXiv:{paper.arxiv_id}."
    link = web_link(paper)
    return f"{line} {link}" if link else line
