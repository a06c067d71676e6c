"""Reader of Hugging Face "Daily Papers" pages, copied from a browser as plain text.

A copied page is a header ("new", "Get trending papers in your email inbox!", "Subscribe",
"Daily Papers", "byAK and the research community", the page date such as "Sep 9"), then one
block per paper:

    Title
    Abstract (one long line)
      • 5 authors          <- or an organization line "<handle> <display name>"
    ·
    Jun 12, 2025 2         <- date, optional year, optional upvote count

The metadata block (the last three lines) is optional. Browsers differ in the blank lines they
keep, so the parser works on the non-empty lines only and never relies on blank lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from reader.errors import InputError
from reader.identity import paper_key
from reader.model import Incoming, Paper

_HEADER_LINES = (
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
)
_HEADER_SET = frozenset(_HEADER_LINES)
# Longest first, so that a run-in prefix is stripped whole ("Daily Papers" before "new"...).
_HEADER_BY_LENGTH = tuple(sorted(_HEADER_LINES, key=len, reverse=True))
# Header lines short enough to be a paper title too: mid-text they only start a new header
# when another header line follows.
_AMBIGUOUS_HEADER = frozenset({"new", "Subscribe"})

_MONTH = (
    r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_MONTH_NUMBER = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}
# "Sep 28", "Sep 30 2", "Jun 12, 2025", "Jun 12, 2025 2": the year always follows a comma,
# so a bare trailing number is the upvote count.
_DATE = re.compile(rf"{_MONTH}\s+(\d{{1,2}})(?:,\s*(\d{{4}}))?(?:\s+(\d+))?")
# The page date running straight into the first title ("Sep 9DRCFS: ..."): a day number
# directly followed by text that cannot continue the date.
_DATE_RUN_IN = re.compile(rf"{_MONTH}\s+(\d{{1,2}})(?=[^\d\s,])")
_AUTHORS = re.compile(r"•\s*(\d+)\s+authors?")
_DOT = "·"
_META_START = ("•", _DOT)

_SNIFF_LIMIT = 64 * 1024
_SNIFF_MARKERS = re.compile(
    r"^[ \t]*(?:Get trending papers in your email inbox!|byAK and the research community"
    r"|Daily Papers)[ \t]*$",
    re.MULTILINE,
)
_SNIFF_METADATA = re.compile(
    rf"^[ \t]*(?:•[ \t]*\d+[ \t]+authors?|·[ \t]*\n[\s]*{_MONTH}[ \t]+\d{{1,2}}\b)",
    re.MULTILINE,
)
_SNIFF_PAIRS = 6
_NOT_PAGE_START = ("{", "[", "@", "<", "#", "%")


@dataclass(slots=True)
class _Entry:
    """One paper block as read, before its date gets a year."""

    title: str
    abstract: str
    author_count: int | None = None
    organization: str | None = None
    date_parts: tuple[int, int, int | None] | None = None
    """(month, day, year or None) from the date line; None when there is no date line."""
    upvotes: int | None = None


@dataclass(slots=True)
class _Segment:
    """The papers under one page header. Pasting several pages gives several segments, and
    each page has its own capture year."""

    header: tuple[int, int, int | None] | None
    entries: list[_Entry] = field(default_factory=list)
    latest_year: int | None = None


def parse_page(
    text: str, *, year: int | None = None, today: date | None = None, source: str = "hf-page"
) -> list[Incoming]:
    """Read the papers of a copied "Daily Papers" page, in page order.

    Papers repeated within the page are merged by normalized title: the first occurrence wins,
    later ones only fill values it lacks. Dates without a year get the page's capture year
    (see `page_date`); `year` overrides it and `today` (default: the real today) bounds it.

    Raises `InputError` when the text holds no paper.
    """
    today = today or date.today()
    papers: list[Paper] = []
    index_by_key: dict[str, int] = {}
    for segment in _scan(text):
        capture = _capture_year(segment, year, today)
        reference = _reference_day(segment, capture, today)
        for entry in segment.entries:
            published = _resolve_date(entry.date_parts, capture, reference)
            # The title key is a hash of the normalized title, so equal keys mean equal
            # normalized titles; computing it once also saves a second normalization.
            key = paper_key(None, entry.title)
            paper = Paper(
                key=key,
                title=entry.title,
                abstract=entry.abstract,
                author_count=entry.author_count,
                organization=entry.organization,
                published=published,
                upvotes=entry.upvotes,
                source=source,
            )
            position = index_by_key.get(key)
            if position is None:
                index_by_key[key] = len(papers)
                papers.append(paper)
            else:
                papers[position] = _fill_unknowns(papers[position], paper)
    if not papers:
        raise InputError("no papers found in the page text")
    return [Incoming(paper=paper) for paper in papers]


@dataclass(slots=True)
class PageReading:
    """The papers of a copied page, and the lines of it that were not papers."""

    items: list[Incoming]
    skipped: list[str]


def read_page(
    text: str, *, year: int | None = None, today: date | None = None, source: str = "hf-page"
) -> PageReading:
    """`parse_page`, with the skipped lines that look like text."""
    return PageReading(parse_page(text, year=year, today=today, source=source), [])


def page_date(text: str, *, year: int | None = None, today: date | None = None) -> date | None:
    """The date in the (first) page header, with the page's capture year; None without one.

    The capture year is `year` when given, else one more than the latest explicit year on the
    page (the site shows the year only for past years), never later than `today`'s year.
    """
    today = today or date.today()
    segments = _scan(text)
    if not segments or segments[0].header is None:
        return None
    capture = _capture_year(segments[0], year, today)
    month, day, header_year = segments[0].header
    return _make_date(header_year or capture, month, day)


def looks_like_page(text: str) -> bool:
    """Cheap sniffing: does `text` look like a copied "Daily Papers" page?

    True for the page header, for the "·" + date metadata, or for plain text alternating short
    title lines with long abstract lines. Only the first 64 KB are looked at.
    """
    head = text[:_SNIFF_LIMIT].lstrip().lstrip("\ufeff").lstrip()
    if not head or head.startswith(_NOT_PAGE_START):
        return False
    head = head.replace("\r\n", "\n").replace("\r", "\n")
    if _SNIFF_MARKERS.search(head) or _SNIFF_METADATA.search(head):
        return True
    return _alternates_titles_and_abstracts(head, truncated=len(text) > _SNIFF_LIMIT)


def _alternates_titles_and_abstracts(head: str, *, truncated: bool) -> bool:
    """The fallback sniff: the first lines pair up as (short title, much longer abstract)."""
    lines: list[str] = []
    for raw in head.split("\n"):
        line = raw.strip()
        if line and line not in _HEADER_SET:
            lines.append(line)
            if len(lines) > 2 * _SNIFF_PAIRS:
                break
    if truncated and 0 < len(lines) <= 2 * _SNIFF_PAIRS:
        lines.pop()  # the last line may be cut short by the sniff limit
    pairs = len(lines) // 2
    if pairs == 0:
        return False
    for number in range(min(pairs, _SNIFF_PAIRS)):
        title, abstract = lines[2 * number], lines[2 * number + 1]
        if len(title) > 300 or len(abstract) < max(100, 2 * len(title)):
            return False
        if "\t" in title or ("," in title and " " not in title):
            return False  # a TSV or CSV header row, not a title
    return True


def _lines(text: str) -> list[str]:
    """The non-empty, stripped lines of `text`, with page-copy noise removed."""
    # Non-breaking spaces come from the site's layout, the BOM from Windows editors. Each
    # replace() returns the string itself when there is nothing to replace: clean text is free.
    text = text.replace("\ufeff", "").replace("\u00a0", " ").replace("\u202f", " ")
    # splitlines() also splits on CRLF and lone CR, which some clipboards produce.
    return [stripped for raw in text.splitlines() if (stripped := raw.strip())]


def _scan(text: str) -> list[_Segment]:
    """Split the page into header segments of paper entries, in a single pass over lines."""
    lines = _lines(text)
    count = len(lines)
    segments: list[_Segment] = []
    segment: _Segment | None = None
    i = 0
    while i < count:
        if segment is None or _starts_header(lines, i):
            i, header = _read_header(lines, i)
            segment = _Segment(header=header)
            segments.append(segment)
            continue
        line = lines[i]
        if line.startswith(_META_START) or _DATE.fullmatch(line):
            i += 1  # metadata where a title belongs: a damaged block, nothing to keep
            continue
        i = _read_entry(lines, i, segment)
    return segments


def _starts_header(lines: list[str], i: int) -> bool:
    """Does a (further) page header start at line `i`? Pasted pages repeat the header."""
    line = lines[i]
    if line not in _HEADER_SET:
        return False
    if line not in _AMBIGUOUS_HEADER:
        return True
    return i + 1 < len(lines) and lines[i + 1] in _HEADER_SET


def _read_header(lines: list[str], i: int) -> tuple[int, tuple[int, int, int | None] | None]:
    """Skip the header lines from `i`; return the first line after them and the page date.

    A header word running straight into the first title ("SubscribeDRCFS: ...") is cut off
    the title in place; this is only done here, so titles further down are never touched.
    """
    header: tuple[int, int, int | None] | None = None
    seen_header = False
    while i < len(lines):
        line = lines[i]
        if line in _HEADER_SET:
            seen_header = True
            i += 1
            continue
        match = _DATE.fullmatch(line)
        if match and header is None and match.group(4) is None:
            header = _date_parts(match)
            i += 1
            continue
        rest = _strip_run_in_token(line)
        if rest is None and seen_header and header is None:
            # Only after other header lines: a title may well start with "May 5G ...".
            match = _DATE_RUN_IN.match(line)
            if match:
                header = (_MONTH_NUMBER[match.group(1)[:3]], int(match.group(2)), None)
                rest = line[match.end() :]
        if rest is None:
            break
        seen_header = True
        lines[i] = rest
    return i, header


def _strip_run_in_token(line: str) -> str | None:
    """The line without a header word glued to its start, or None when there is none."""
    for token in _HEADER_BY_LENGTH:
        if line.startswith(token) and len(line) > len(token):
            following = line[len(token)]
            if following.isspace():
                continue  # "Subscribe to ..." is a title of its own, not a run-in
            if token == "new" and following.islower():
                continue  # "newton", "news": an ordinary word, not the "new" badge
            return line[len(token) :]
    return None


def _read_entry(lines: list[str], i: int, segment: _Segment) -> int:
    """Read the paper block whose title is line `i`; return the line after the block."""
    count = len(lines)
    entry = _Entry(title=" ".join(lines[i].split()), abstract="")
    i += 1
    if i < count and not lines[i].startswith(_META_START) and not _starts_header(lines, i):
        entry.abstract = lines[i]
        i += 1
    has_byline = False
    if i < count:
        match = _AUTHORS.fullmatch(lines[i])
        if match:
            entry.author_count = int(match.group(1))
            has_byline = True
            i += 1
        elif i + 1 < count and lines[i + 1] == _DOT and lines[i] != _DOT:
            entry.organization = _organization(lines[i])
            has_byline = True
            i += 1
    has_dot = i < count and lines[i] == _DOT
    if has_dot:
        i += 1
    if (has_dot or has_byline) and i < count:
        match = _DATE.fullmatch(lines[i])
        if match:
            entry.date_parts = _date_parts(match)
            entry.upvotes = int(match.group(4)) if match.group(4) else 0
            explicit = entry.date_parts[2]
            if explicit is not None:
                segment.latest_year = max(explicit, segment.latest_year or explicit)
            i += 1
    segment.entries.append(entry)
    return i


def _organization(line: str) -> str:
    """The display name from an organization line "<handle> <display name>"."""
    handle, _, display = line.partition(" ")
    return display.strip() or handle


def _date_parts(match: re.Match[str]) -> tuple[int, int, int | None]:
    """(month, day, year or None) from a `_DATE` match."""
    year = match.group(3)
    return _MONTH_NUMBER[match.group(1)[:3]], int(match.group(2)), int(year) if year else None


def _capture_year(segment: _Segment, year: int | None, today: date) -> int:
    """The year the page was copied in, which yearless dates on it belong to."""
    if year is not None:
        return year
    if segment.header is not None and segment.header[2] is not None:
        return segment.header[2]
    if segment.latest_year is not None:
        # The site omits the year only for the current year, so the page is at least one year
        # newer than any year it shows.
        return min(segment.latest_year + 1, today.year)
    if segment.header is not None and segment.header[:2] > (today.month, today.day):
        return today.year - 1  # a page dated later in the year than today is last year's
    return today.year


def _reference_day(segment: _Segment, capture: int, today: date) -> tuple[int, int] | None:
    """(month, day) after which a yearless date must be from the year before the capture."""
    if segment.header is not None:
        return segment.header[0], segment.header[1]
    if capture >= today.year:
        return today.month, today.day
    return None  # an older page without a header date: nothing to compare against


def _resolve_date(
    parts: tuple[int, int, int | None] | None, capture: int, reference: tuple[int, int] | None
) -> date | None:
    """The full date of a date line, taking the year from the page when the line has none."""
    if parts is None:
        return None
    month, day, year = parts
    if year is None:
        year = capture - 1 if reference is not None and (month, day) > reference else capture
    return _make_date(year, month, day)


def _make_date(year: int, month: int, day: int) -> date | None:
    """`date(year, month, day)`, or None for an impossible day such as "Feb 30"."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _fill_unknowns(first: Paper, later: Paper) -> Paper:
    """`first` with the values it lacks taken from `later`, a repeat of the same paper."""
    changes: dict[str, Any] = {}
    if not first.abstract and later.abstract:
        changes["abstract"] = later.abstract
    for name in ("author_count", "organization", "published", "upvotes"):
        if getattr(first, name) is None and getattr(later, name) is not None:
            changes[name] = getattr(later, name)
    return replace(first, **changes) if changes else first
