"""Recognize an input's format from its content and hand it to the right reader."""

from __future__ import annotations

import re

from reader.errors import InputError, UnknownFormatError
from reader.identity import normalize_arxiv_id
from reader.model import Incoming

FORMATS = ("auto", "hf-page", "jsonl", "json", "hf-api", "arxiv-atom", "arxiv-rss", "bibtex", "ids")
"""Names accepted by `--format`; "auto" sniffs the content."""

_ID_LINE = re.compile(r"^\s*(\S+)\s*$")


def detect_format(text: str) -> str | None:
    """The format name of `text`, or None when it is not recognized."""
    from reader.sources import arxiv, bibtex, hfapi, hfpage, jsonl

    # The Hugging Face API's JSON would also pass for our own JSON: ask it first.
    if hfapi.looks_like_hf_api(text):
        return "hf-api"
    if jsonl.looks_like_jsonl(text):
        return "jsonl"
    if jsonl.looks_like_json(text):
        return "json"
    if arxiv.looks_like_atom(text):
        return "arxiv-atom"
    if arxiv.looks_like_rss(text):
        return "arxiv-rss"
    if bibtex.looks_like_bibtex(text):
        return "bibtex"
    if arxiv_ids(text):
        return "ids"
    if hfpage.looks_like_page(text):
        return "hf-page"
    return None


def arxiv_ids(text: str) -> list[str]:
    """The arXiv ids of a text that is only a list of ids or arXiv URLs (one a line).

    Any other line makes it not such a list (an empty result).
    """
    ids: list[str] = []
    for line in text.lstrip("\ufeff").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ID_LINE.match(line)
        arxiv_id = normalize_arxiv_id(match.group(1)) if match else None
        if arxiv_id is None:
            return []
        ids.append(arxiv_id)
    return list(dict.fromkeys(ids))


def parse_text(
    text: str, fmt: str = "auto", *, year: int | None = None, where: str = "input"
) -> list[Incoming]:
    """Read every paper in `text`; `InputError` (naming `where`) when there are none.

    A list of arXiv ids is not read here: its papers must be fetched (see `reader.feeds`).
    """
    from reader.sources import arxiv, bibtex, hfapi, hfpage, jsonl

    chosen = detect_format(text) if fmt == "auto" else fmt
    readers = {
        "hf-page": lambda: hfpage.parse_page(text, year=year),
        "jsonl": lambda: jsonl.parse_jsonl(text),
        "json": lambda: jsonl.parse_json(text),
        "hf-api": lambda: hfapi.parse_daily_papers(text),
        "arxiv-atom": lambda: arxiv.parse_atom(text),
        "arxiv-rss": lambda: arxiv.parse_rss(text),
        "bibtex": lambda: bibtex.parse_bibtex(text),
    }
    if chosen is None:
        raise UnknownFormatError(
            f"{where}: no papers found (not a Daily Papers page, JSON, BibTeX, arXiv feed"
            " or list of arXiv ids)"
        )
    if chosen == "ids":
        raise InputError(f"{where} is a list of arXiv ids: their papers must be fetched")
    if chosen not in readers:
        raise InputError(f"unknown format {chosen!r} (known: {', '.join(FORMATS)})")
    try:
        items = readers[chosen]()
    except InputError as error:
        raise InputError(f"{where}: {error}") from None
    if not items:
        raise InputError(f"{where}: no papers found in it")
    return items
