"""Reader of arXiv's e-mail digest: the daily listing mail of new submissions.

Subscribers of a category get one mail a day: a header, then one block per paper between
lines of dashes (see `tests/fixtures/formats/SOURCES.md` for real ones):

    \\\\
    arXiv:2306.07429
    Date: Mon, 12 Jun 2023 21:15:25 GMT   (15219kb,D)

    Title: Explaining CLIP through Co-Creative Drawings and Interaction
    Authors: Varvara Guljajeva and Mar Canet Sol\\`a and Isaac Joseph Clarke
    Categories: cs.AI cs.CV cs.CY
    Comments: 9 pages
    \\\\
      This paper analyses a visual archive of drawings produced by an interactive
    robotic art installation ...
    \\\\ ( https://arxiv.org/abs/2306.07429 ,  15219kb)

A header field continues on lines that start with white space; the abstract is hard-wrapped,
and a line that starts with white space starts a paragraph. Cross-lists say
`arXiv:ID (*cross-listing*)`; replacements say `replaced with revised version ...` and may
have no abstract. Mail clients add their own damage: CRLF line ends, non-breaking spaces
for the indentation, `> ` quoting is not handled (forward the mail as text).
"""

from __future__ import annotations

import re
from datetime import date
from email.utils import parsedate_to_datetime

from reader.errors import InputError
from reader.identity import arxiv_categories, arxiv_url, normalize_arxiv_id, paper_key
from reader.model import Incoming, Paper
from reader.sources.arxiv import clean_abstract, journal_doi, split_creators
from reader.sources.latex import decode_accents
from reader.sources.untrusted import day_of

SOURCE = "arxiv-digest"

_ENTRY = re.compile(r"^arXiv:(\S+)")
_FIELD = re.compile(r"^([A-Za-z][A-Za-z-]*(?: \([^)]*\))?):\s?(.*)$")
_DELIMITER = "\\\\"
_SNIFF_ENTRY = re.compile(r"^\\\\[ \t\u00a0]*\r?\n[ \t\u00a0]*arXiv:\S+", re.MULTILINE)
_SNIFF_TITLE = re.compile(r"^Title:[ \t]", re.MULTILINE)
_SNIFF_LIMIT = 64 * 1024


def looks_like_digest(text: str) -> bool:
    """True when the text holds an entry of arXiv's listing mail (`\\\\`, `arXiv:ID`, ...,
    `Title:`). Cheap: a pattern over the first 64 KB."""
    head = text[:_SNIFF_LIMIT]
    return bool(_SNIFF_ENTRY.search(head) and _SNIFF_TITLE.search(head))


def parse_digest(text: str, *, source: str = SOURCE) -> list[Incoming]:
    """Every paper of an arXiv listing mail, in order; `InputError` for an entry without a
    title (it names the arXiv id)."""
    lines = text.replace("\u00a0", " ").removeprefix("\ufeff").splitlines()
    papers: list[Incoming] = []
    index = 0
    count = len(lines)
    while index < count:
        match = _ENTRY.match(lines[index].strip())
        if match is None:
            index += 1
            continue
        index, paper = _entry(lines, index, match.group(1), source)
        if paper is not None:
            papers.append(Incoming(paper))
    return papers


def _entry(lines: list[str], index: int, raw_id: str, source: str) -> tuple[int, Paper | None]:
    """Read the entry whose `arXiv:` line is at `index`; the line after it, and its paper."""
    fields: dict[str, str] = {}
    name = ""
    index += 1
    count = len(lines)
    # The header: "Name: value" lines, continued on indented lines, up to a `\\` line.
    while index < count:
        line = lines[index]
        stripped = line.strip()
        if stripped.startswith(_DELIMITER) or _ENTRY.match(stripped) or stripped.startswith("---"):
            break
        field = _FIELD.match(line)
        if field and not line[:1].isspace():
            name = field.group(1).lower()
            # A field given twice (`Date`, then `Date (revised v2)`): the first stays.
            if name not in fields:
                fields[name] = field.group(2).strip()
            else:
                name = ""
        elif name and stripped:
            fields[name] += " " + stripped
        index += 1
    abstract: list[str] = []
    if index < count and lines[index].strip() == _DELIMITER:
        index += 1
        while index < count and not lines[index].strip().startswith(_DELIMITER):
            if _ENTRY.match(lines[index].strip()) or lines[index].startswith("-----"):
                break
            abstract.append(lines[index])
            index += 1
    if index < count and lines[index].strip().startswith(_DELIMITER + " ("):
        index += 1  # the closing "\\ ( https://arxiv.org/abs/ID , 27kb)"
    arxiv_id = normalize_arxiv_id(raw_id)
    title = decode_accents(" ".join(fields.get("title", "").split()))
    if not title:
        raise InputError(f"arXiv:{raw_id}: the entry has no title")
    authors = tuple(split_creators(fields.get("authors", "")))
    categories = arxiv_categories(fields.get("categories", "").split())
    paper = Paper(
        key=paper_key(arxiv_id, title),
        title=title,
        abstract=clean_abstract("\n".join(abstract)),
        authors=authors,
        author_count=len(authors) or None,
        published=_day(fields.get("date", "")),
        arxiv_id=arxiv_id,
        url=arxiv_url(arxiv_id) if arxiv_id else None,
        source=source,
        doi=journal_doi(fields.get("doi", "")),
        categories=categories,
        primary_category=categories[0] if categories else None,
    )
    return index, paper


def _day(text: str) -> date | None:
    """The day of a `Date:` field ("Mon, 12 Jun 2023 21:15:25 GMT   (27kb)"), or None."""
    value = text.split("(")[0].strip()
    try:
        return day_of(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
