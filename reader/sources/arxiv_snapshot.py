"""Reader of the arXiv metadata snapshot: the JSON Lines file of every arXiv paper.

Cornell publishes it on Kaggle as `arxiv-metadata-oai-snapshot.json`: about 2.7 million
lines and 4 GB, one object a line with `id`, `submitter`, `authors`, `title`, `comments`,
`journal-ref`, `doi`, `report-no`, `categories`, `license`, `abstract`, `versions`,
`update_date` and `authors_parsed` (see `tests/fixtures/formats/SOURCES.md`). It is read
as a stream (`iter_snapshot`): the caller hands over lines and gets papers one at a time,
so memory does not depend on the file's size.

Titles and abstracts are hard-wrapped (`"...at Tevatron and\\n  LHC energies"`) and keep
TeX accents; `authors` keeps them too (`C. Bal\\'azs`), while `authors_parsed` is Unicode
(`["Balázs", "C.", ""]`): names come from `authors_parsed` when it is there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import date
from email.utils import parsedate_to_datetime
from typing import Any

from reader.errors import InputError
from reader.identity import arxiv_categories, arxiv_url, normalize_arxiv_id, paper_key
from reader.model import Incoming, Paper
from reader.sources.arxiv import clean_abstract, journal_doi, split_creators
from reader.sources.jsonl import json_line
from reader.sources.latex import decode_accents
from reader.sources.untrusted import day_of, valid_text

SOURCE = "arxiv-snapshot"

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MARKERS = ('"authors_parsed"', '"versions"', '"update_date"')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_RFC822_DAY = re.compile(r"\w{3}, (\d{1,2}) (\w{3}) (\d{4}) \d\d:\d\d:\d\d GMT$")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}


def looks_like_snapshot(text: str) -> bool:
    """True when the first non-blank line is a snapshot record: a JSON object with `id`,
    `title` and `abstract`, and `versions`, `authors_parsed` or `update_date`."""
    first = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    if not first.startswith("{") or not any(marker in first for marker in _MARKERS):
        return False
    try:
        data = json.loads(first)
    except (ValueError, RecursionError):
        return False
    return (
        isinstance(data, dict)
        and all(name in data for name in ("id", "title", "abstract"))
        and any(name in data for name in ("versions", "authors_parsed", "update_date"))
    )


def parse_snapshot(text: str, *, source: str = SOURCE) -> list[Incoming]:
    """Every paper of snapshot text held in memory (a slice of the file, a test)."""
    return list(iter_snapshot(text.removeprefix("\ufeff").split("\n"), source=source))


def iter_snapshot(lines: Iterable[str], *, source: str = SOURCE) -> Iterator[Incoming]:
    """The papers of the snapshot's lines, one by one; blank lines are skipped.

    `InputError` names the line of a record that is not JSON or has no usable `id` and
    `title`; everything else a record lacks is simply unknown.
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        data = json_line(line, f"line {number}")
        if not isinstance(data, dict):
            raise InputError(f"line {number}: expected a JSON object")
        if _SURROGATE_ESCAPE.search(line):
            # A "\\ud800" escape decodes to a lone surrogate, which UTF-8 cannot store.
            data = {name: _valid(value) for name, value in data.items()}
        yield Incoming(_paper(data, number, source))


def _paper(data: dict[str, Any], number: int, source: str) -> Paper:
    arxiv_id = normalize_arxiv_id(_string(data.get("id")))
    if arxiv_id is None:
        raise InputError(f"line {number}: no arXiv id in 'id' ({_string(data.get('id'))!r})")
    title = decode_accents(" ".join(_string(data.get("title")).split()))
    if not title:
        raise InputError(f"line {number}: arXiv:{arxiv_id} has no title")
    authors = _parsed_authors(data.get("authors_parsed")) or tuple(
        split_creators(_string(data.get("authors")))
    )
    categories = arxiv_categories(_string(data.get("categories")).split())
    return Paper(
        key=paper_key(arxiv_id, title),
        title=title,
        abstract=clean_abstract(_string(data.get("abstract"))),
        authors=authors,
        author_count=len(authors) or None,
        published=_first_version_day(data.get("versions")) or _iso_day(data.get("update_date")),
        arxiv_id=arxiv_id,
        url=arxiv_url(arxiv_id),
        source=source,
        doi=journal_doi(_string(data.get("doi"))),
        categories=categories,
        # The snapshot lists the primary category first.
        primary_category=categories[0] if categories else None,
    )


def _string(value: object) -> str:
    """A text field; anything else (null, a number) is no text."""
    return value if isinstance(value, str) else ""


def _valid(value: object) -> object:
    """`value` with lone surrogates replaced in every string it holds."""
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, list):
        return [_valid(item) for item in value]
    if isinstance(value, dict):
        return {name: _valid(item) for name, item in value.items()}
    return value


def _parsed_authors(value: object) -> tuple[str, ...]:
    """Names from `authors_parsed`: [last, first, suffix, affiliation...] each."""
    if not isinstance(value, list):
        return ()
    names: list[str] = []
    for item in value:
        if not isinstance(item, list) or not item:
            continue
        last, first, suffix = (*item[:3], "", "")[:3]
        # Joined with spaces, then the spaces collapsed: an empty part leaves none.
        name = " ".join(f"{_string(first)} {_string(last)} {_string(suffix)}".split())
        if name:
            names.append(decode_accents(name))
    return tuple(names)


def _first_version_day(value: object) -> date | None:
    """The day of the first version ("Mon, 2 Apr 2007 19:18:42 GMT"): when it appeared."""
    if not isinstance(value, list) or not value or not isinstance(value[0], dict):
        return None
    created = _string(value[0].get("created"))
    match = _RFC822_DAY.match(created)
    if match and match.group(2) in _MONTHS:
        # The common shape, read directly: the email parser is slow for 2.7 million lines.
        try:
            return date(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
        except ValueError:
            return None
    try:
        return day_of(parsedate_to_datetime(created))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _iso_day(value: object) -> date | None:
    match = _ISO_DAY.fullmatch(_string(value))
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
