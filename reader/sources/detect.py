"""Recognize an input's format from its content and hand it to the right reader.

`FORMATS` is the registry of input formats: `--format` choices, the README's table and
`reader import --help` are built from it, and `read_text` dispatches on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reader.errors import InputError, UnknownFormatError
from reader.identity import arxiv_id_of_doi, normalize_arxiv_id, normalize_doi
from reader.model import Incoming


@dataclass(frozen=True, slots=True)
class InputFormat:
    """One input format."""

    name: str
    """What `--format` calls it."""
    label: str
    """What people call it."""
    streamed: bool = False
    """Read line by line while it is imported (files larger than memory)."""


FORMAT_LIST = (
    InputFormat("hf-page", "a copied Hugging Face Daily Papers page"),
    InputFormat("jsonl", "the library's own JSON Lines"),
    InputFormat("json", "the library's own JSON"),
    InputFormat("hf-api", "a saved Hugging Face Daily Papers API answer"),
    InputFormat("arxiv-atom", "an arXiv API Atom feed"),
    InputFormat("arxiv-rss", "an arXiv RSS listing"),
    InputFormat("arxiv-digest", "an arXiv listing e-mail"),
    InputFormat("arxiv-snapshot", "the arXiv metadata snapshot (Kaggle)", streamed=True),
    InputFormat("bibtex", "BibTeX"),
    InputFormat("ids", "a list of arXiv ids, URLs or DOIs"),
)
"""Every input format, by the name `--format` uses."""

FORMATS = ("auto", *(fmt.name for fmt in FORMAT_LIST))
"""Names accepted by `--format`; "auto" sniffs the content."""

STREAMED = frozenset(fmt.name for fmt in FORMAT_LIST if fmt.streamed)
"""Formats read line by line during the import, never whole."""

EMPTY_IS_FINE = frozenset({"arxiv-atom", "arxiv-rss", "arxiv-digest"})
"""Formats in which no papers is a normal answer (a weekend's listing, a search that
found nothing): a warning, not a failure of the import."""

_ID_LINE = re.compile(r"^\s*(\S+)\s*$")


@dataclass(slots=True)
class Reading:
    """What reading one input gave: its papers, and what the user should hear about it."""

    items: list[Incoming]
    skipped: list[str] = field(default_factory=list)
    """Lines that look like text but are not part of any paper (a copied page's chrome)."""
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class IdList:
    """A list of papers by identifier: arXiv ids to fetch, and DOIs arXiv cannot look up."""

    arxiv_ids: list[str]
    dois: list[str]


def detect_format(text: str) -> str | None:
    """The format name of `text`, or None when it is not recognized."""
    from reader.sources import arxiv, arxiv_mail, arxiv_snapshot, bibtex, hfapi, hfpage, jsonl

    # The Hugging Face API's JSON and the snapshot's lines would also pass for our own JSON
    # (Lines): ask them first.
    if hfapi.looks_like_hf_api(text):
        return "hf-api"
    if arxiv_snapshot.looks_like_snapshot(text):
        return "arxiv-snapshot"
    if jsonl.looks_like_jsonl(text):
        return "jsonl"
    if jsonl.looks_like_json(text):
        return "json"
    if arxiv.looks_like_atom(text):
        return "arxiv-atom"
    if arxiv.looks_like_rss(text):
        return "arxiv-rss"
    if arxiv_mail.looks_like_digest(text):
        return "arxiv-digest"
    if bibtex.looks_like_bibtex(text):
        return "bibtex"
    if id_list(text) is not None:
        return "ids"
    if hfpage.looks_like_page(text):
        return "hf-page"
    return None


def id_list(text: str) -> IdList | None:
    """The identifiers of a text that is only a list of arXiv ids, arXiv URLs, DOIs or
    doi.org URLs (one a line; `#` starts a comment line), or None for any other text."""
    ids: list[str] = []
    dois: list[str] = []
    for line in text.lstrip("\ufeff").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ID_LINE.match(line)
        word = match.group(1) if match else ""
        arxiv_id = normalize_arxiv_id(word)
        doi = None if arxiv_id else normalize_doi(word)
        if doi is not None:
            arxiv_id = arxiv_id_of_doi(doi)
        if arxiv_id is not None:
            ids.append(arxiv_id)
        elif doi is not None:
            dois.append(doi)
        else:
            return None
    if not ids and not dois:
        return None
    return IdList(list(dict.fromkeys(ids)), list(dict.fromkeys(dois)))


def arxiv_ids(text: str) -> list[str]:
    """The arXiv ids of a text that is only a list of ids or arXiv URLs (one a line).

    Any other line makes it not such a list (an empty result).
    """
    found = id_list(text)
    return found.arxiv_ids if found is not None and not found.dois else []


def read_text(
    text: str, fmt: str = "auto", *, year: int | None = None, where: str = "input"
) -> Reading:
    """Read every paper in `text`, with what the user should hear about it.

    `InputError` (naming `where`) when there are none, except in formats where an empty
    answer is normal (a feed's empty listing), which give a warning instead. A list of
    arXiv ids is not read here: its papers must be fetched (see `reader.feeds`).
    """
    from reader.sources import arxiv, arxiv_mail, arxiv_snapshot, bibtex, hfapi, hfpage, jsonl

    chosen = detect_format(text) if fmt == "auto" else fmt
    if chosen is None:
        raise UnknownFormatError(
            f"{where}: no papers found (not a Daily Papers page, JSON, BibTeX, arXiv feed"
            " or mail, or a list of arXiv ids or DOIs)"
        )
    if chosen == "ids":
        raise InputError(f"{where} is a list of arXiv ids: their papers must be fetched")
    if chosen not in FORMATS or chosen == "auto":
        raise InputError(f"unknown format {chosen!r} (known: {', '.join(FORMATS)})")
    try:
        if chosen == "hf-page":
            page = hfpage.read_page(text, year=year)
            reading = Reading(page.items, skipped=page.skipped)
        else:
            readers = {
                "jsonl": jsonl.parse_jsonl,
                "json": jsonl.parse_json,
                "hf-api": hfapi.parse_daily_papers,
                "arxiv-atom": arxiv.parse_atom,
                "arxiv-rss": arxiv.parse_rss,
                "arxiv-digest": arxiv_mail.parse_digest,
                "arxiv-snapshot": arxiv_snapshot.parse_snapshot,
                "bibtex": bibtex.parse_bibtex,
            }
            reading = Reading(readers[chosen](text))
    except InputError as error:
        raise InputError(f"{where}: {error}") from None
    if not reading.items:
        if chosen not in EMPTY_IS_FINE:
            raise InputError(f"{where}: no papers found in it")
        reading.warnings.append(f"{where} holds no papers (an empty {_label(chosen)})")
    return reading


def parse_text(
    text: str, fmt: str = "auto", *, year: int | None = None, where: str = "input"
) -> list[Incoming]:
    """Read every paper in `text`; `InputError` (naming `where`) when there are none."""
    reading = read_text(text, fmt, year=year, where=where)
    if not reading.items:
        raise InputError(f"{where}: no papers found in it")
    return reading.items


def _label(name: str) -> str:
    return next(fmt.label for fmt in FORMAT_LIST if fmt.name == name).removeprefix("an ")
