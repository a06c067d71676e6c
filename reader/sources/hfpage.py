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

Papers are recognized by their structure, not by a list of the lines a page can hold
around them: a title is a short line without final sentence punctuation that is followed
by an abstract (long prose) or by a metadata block; a paper needs one or the other. Every
other line is skipped — the site's navigation and footer, a banner worded differently, an
"Upvote" button and a count per card, "Submitted by" and a user name, pagination — and
reported when it looks like text (`PageReading.skipped`). A short fragment that continues
an abstract (an abstract wrapped onto two lines, the seam of a page copied in two halves)
joins it; a fragment repeating text already read (halves that overlap) does not.
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
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_DOT = "·"
_META_START = ("•", _DOT)

_PROSE = 100
"""The fewest characters of an abstract; an abstract is also twice as long as its title."""
_TITLE_MAX = 300
_SENTENCE_END = (".", "!", "?")
_CLOSERS = "\"')]\u201d\u2019 "
_SENTENCE_BREAK = re.compile(r"[a-z][.!] [A-Z]")
_REPEAT_MIN = 24
"""A fragment must be this long to be recognized as text read before."""
_FRAGMENT = 40
"""The fewest characters of an abstract cut short at a seam."""
_WORDED_TITLE = 20
_ORGANIZATION_MAX = 80
_ORGANIZATION_WORDS = 6

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
    taken: int = 0
    """Entries already handed on and dropped from `entries` (a page read as a stream)."""

    @property
    def started(self) -> bool:
        """Has a paper been read under this header?"""
        return bool(self.entries) or self.taken > 0


def parse_page(
    text: str, *, year: int | None = None, today: date | None = None, source: str = "hf-page"
) -> list[Incoming]:
    """Read the papers of a copied "Daily Papers" page, in page order.

    Papers repeated within the page are merged by normalized title: the first occurrence wins,
    later ones only fill values it lacks. Dates without a year get the page's capture year
    (see `page_date`); `year` overrides it and `today` (default: the real today) bounds it.

    Raises `InputError` when the text holds no paper.
    """
    return read_page(text, year=year, today=today, source=source).items


@dataclass(slots=True)
class PageReading:
    """The papers of a copied page, and the lines of it that were not papers."""

    items: list[Incoming]
    skipped: list[str]


def read_page(
    text: str, *, year: int | None = None, today: date | None = None, source: str = "hf-page"
) -> PageReading:
    """`parse_page`, with the lines that were not part of any paper and look like text."""
    today = today or date.today()
    papers: list[Paper] = []
    index_by_key: dict[str, int] = {}
    scan = _Scan(_lines(text))
    for segment in scan.segments:
        add_papers(papers, index_by_key, segment, segment.entries, year, today, source)
    if not papers:
        raise InputError("no papers found in the page text")
    return PageReading([Incoming(paper=paper) for paper in papers], scan.skipped)


def add_papers(
    papers: list[Paper],
    index_by_key: dict[str, int],
    segment: _Segment,
    entries: list[_Entry],
    year: int | None,
    today: date,
    source: str,
) -> None:
    """Append the papers of these entries of `segment` to `papers`, merging a repeat into
    the paper first read (`index_by_key` says where each key is)."""
    capture = _capture_year(segment, year, today)
    reference = _reference_day(segment, capture, today)
    for entry in entries:
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


def page_date(text: str, *, year: int | None = None, today: date | None = None) -> date | None:
    """The date in the (first) page header, with the page's capture year; None without one.

    The capture year is `year` when given, else one more than the latest explicit year on the
    page (the site shows the year only for past years), never later than `today`'s year.
    """
    today = today or date.today()
    segments = _Scan(_lines(text)).segments
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


class _Scan:
    """One pass over a page's lines: its segments (one per pasted page) of paper entries,
    and the lines that were skipped."""

    def __init__(self, lines: list[str], *, whole: bool = True) -> None:
        self.lines = lines
        self.segments: list[_Segment] = []
        self.skipped: list[str] = []
        # Earlier lines by their last characters, to tell a fragment that repeats text
        # already read (the overlap of two copied halves) from one that continues it.
        self._seen: dict[str, list[str]] = {}
        # Lines read as an organization or a piece of an abstract: met again (halves that
        # overlap), they are the same debris, never a title.
        self._not_titles: set[str] = set()
        # The title each abstract line was read under.
        self._titles_of: dict[str, str] = {}
        # Where the scan stands (`advance` goes on from here when lines are streamed).
        self.position = 0
        self.segment: _Segment | None = None
        self.open_entry: _Entry | None = None  # whose abstract a fragment may continue
        if whole:
            self.advance(len(lines))
            self.skipped = self._unread(self.skipped)

    def advance(self, stop: int) -> None:
        """Scan on from `position` until a line at or after `stop` is reached (a paper
        block begun before `stop` is read whole, as far as `lines` goes)."""
        lines = self.lines
        segment = self.segment
        open_entry = self.open_entry
        i = self.position
        while i < stop:
            line = lines[i]
            if segment is None or _starts_header(lines, i):
                i, header = _read_header(lines, i)
                if segment is None or segment.started:
                    segment = _Segment(header=header)
                    self.segments.append(segment)
                elif header is not None:
                    segment.header = header
                open_entry = None
                continue
            date_match = _DATE.fullmatch(line)
            if (
                date_match
                and date_match.group(4) is None
                and not segment.started
                and segment.header is None
                and not self._is_title(i)
            ):
                # The page's own date, after chrome that kept `_read_header` from it.
                segment.header = _date_parts(date_match)
                i += 1
                continue
            if self._is_title(i):
                i, open_entry = self._read_entry(i, segment)
                continue
            if open_entry is not None and self._continues(open_entry.abstract, line):
                open_entry.abstract += " " + line
                self._remember(line)
                self._not_titles.add(line)
                i += 1
                continue
            self._skip(line)
            open_entry = None
            i += 1
        self.position, self.segment, self.open_entry = i, segment, open_entry

    def _unread(self, skipped: list[str]) -> list[str]:
        """The skipped lines that are not read elsewhere: a title or the start of an
        abstract skipped at a seam, and read whole where the halves overlap, was no loss."""
        return unread(skipped, [entry for segment in self.segments for entry in segment.entries])

    def _is_title(self, i: int) -> bool:
        """Is line `i` a paper's title: a title-like line followed by its abstract or by a
        metadata block? A long title is no abstract of the chrome line above it: the next
        line is not an abstract when it has a body of its own."""
        lines = self.lines
        if lines[i] in self._not_titles or not _title_like(lines[i]) or not self._has_body(i):
            return False
        following = i + 1
        if _meta_starts(lines, following):
            return True
        if not (_title_like(lines[following]) and self._has_body(following, strict=True)):
            return True
        # The next line could head a paper itself: it does unless it is this one's
        # abstract after all (a paper's metadata follows it, where a paper of its own would
        # need an abstract too) or runs on into the line after it (an abstract cut in two
        # at a seam).
        if _meta_starts(lines, following + 1):
            return _abstract_of(lines[following], lines[i]) or _worded_before(
                lines[i], lines[following]
            )
        return _runs_on(lines[following], lines[following + 1])

    def _has_body(self, i: int, strict: bool = False) -> bool:
        """Is line `i` followed by what could be its abstract, or by a metadata block? An
        abstract cut in two (a seam) counts whole. `strict`: an abstract read before under
        another title (halves that overlap repeat whole lines) does not count."""
        lines = self.lines
        following = i + 1
        if following >= len(lines):
            return False
        if _meta_starts(lines, following):
            return True
        if _abstract_of(lines[following], lines[i]):
            earlier = self._titles_of.get(lines[following])
            return not strict or earlier is None or earlier == lines[i]
        after = following + 1
        if after >= len(lines):
            return False
        piece = lines[following]
        if _meta_starts(lines, after):
            return _worded_before(lines[i], piece)
        if _is_meta_line(lines[after]):
            return False
        if _runs_on(piece, lines[after]):
            # ...unless the line it would run on into heads a paper ("iReason: ...").
            heads = _title_like(lines[after]) and (
                _meta_starts(lines, after + 1)
                or (after + 1 < len(lines) and _abstract_of(lines[after + 1], lines[after]))
            )
            return not heads and _abstract_of(piece + " " + lines[after], lines[i])
        # A piece of prose cut where two copied halves overlap: the next line is the
        # abstract of another paper, read before.
        earlier = self._titles_of.get(lines[after])
        return (
            earlier is not None
            and earlier != piece
            and piece.count(" ") >= 2
            and len(piece) >= _FRAGMENT
            and not piece.rstrip(_CLOSERS).endswith(_SENTENCE_END)
        )

    def _read_entry(self, i: int, segment: _Segment) -> tuple[int, _Entry | None]:
        """Read the paper block whose title is line `i`; the line after it, and the entry
        when a fragment may still continue its abstract."""
        lines = self.lines
        count = len(lines)
        entry = _Entry(title=" ".join(lines[i].split()), abstract="")
        self._remember(lines[i])
        i += 1
        if not _meta_starts(lines, i):
            entry.abstract = lines[i]
            self._remember(lines[i])
            self._not_titles.add(lines[i])
            self._titles_of.setdefault(lines[i], lines[i - 1])
            i += 1
            # An abstract broken over several lines (wrapped, or cut at a seam) is one.
            while (
                i < count
                and not _meta_starts(lines, i)
                and not self._is_title(i)
                and self._continues(entry.abstract, lines[i])
            ):
                entry.abstract += " " + lines[i]
                self._remember(lines[i])
                self._not_titles.add(lines[i])
                i += 1
        has_byline = False
        if i < count:
            match = _AUTHORS.fullmatch(lines[i])
            if match:
                entry.author_count = int(match.group(1))
                has_byline = True
                i += 1
            elif _meta_starts(lines, i) and lines[i] != _DOT:
                entry.organization = _organization(lines[i])
                self._not_titles.add(lines[i])
                has_byline = True
                i += 1
        has_dot = i < count and lines[i] == _DOT
        if has_dot:
            i += 1
        has_meta = has_dot or has_byline
        if has_meta and i < count:
            match = _DATE.fullmatch(lines[i])
            if match:
                entry.date_parts = _date_parts(match)
                entry.upvotes = int(match.group(4)) if match.group(4) else 0
                explicit = entry.date_parts[2]
                if explicit is not None:
                    segment.latest_year = max(explicit, segment.latest_year or explicit)
                i += 1
        segment.entries.append(entry)
        return i, (None if has_meta else entry)

    def _continues(self, abstract: str, line: str) -> bool:
        """Does `line`, met right after an abstract, continue it? A fragment of a wrapped
        abstract or of a seam does; chrome ("Upvote", "Submitted by", a user name, a count)
        and text repeated from earlier (overlapping halves) do not."""
        if not abstract or not _has_letter(line) or self._repeats(line):
            return False
        if _is_meta_line(line):
            return False
        if len(line) >= _PROSE:
            return True
        ended = abstract.rstrip(_CLOSERS).endswith(_SENTENCE_END)
        if ended:
            # A new sentence after a finished one would be a fragment of nothing: only a
            # lower-case continuation ("e.g." cut after its dot) goes on.
            return line[0].islower() and " " in line
        return line.rstrip(_CLOSERS).endswith(_SENTENCE_END) or (
            (line[0].islower() or line[0] in ",;:)") and " " in line
        )

    def _repeats(self, line: str) -> bool:
        """Is `line` text already read: an earlier line, or the end of one?"""
        if len(line) < _REPEAT_MIN:
            return False
        return any(earlier.endswith(line) for earlier in self._seen.get(line[-_REPEAT_MIN:], ()))

    def _remember(self, line: str) -> None:
        if len(line) >= _REPEAT_MIN:
            # Every suffix of the line ends with the same characters: one entry serves all.
            self._seen.setdefault(line[-_REPEAT_MIN:], []).append(line)

    def _skip(self, line: str) -> None:
        """A line that is no part of a paper: reported when it looks like text."""
        if line in _HEADER_SET or line in self._not_titles or self._repeats(line):
            return  # the site's known header, or text already read
        if _has_letter(line) and not _is_meta_line(line):
            self.skipped.append(line)


def unread(skipped: list[str], entries: list[_Entry]) -> list[str]:
    """The skipped lines that `entries` do not read: a title or the start of an abstract
    skipped at a seam, and read whole where the halves overlap, was no loss."""
    if not skipped:
        return skipped
    titles = {entry.title for entry in entries}
    starts: dict[str, list[str]] = {}
    for entry in entries:
        starts.setdefault(entry.abstract[:_REPEAT_MIN], []).append(entry.abstract)
    return [
        line
        for line in skipped
        if " ".join(line.split()) not in titles
        and not (
            len(line) >= _REPEAT_MIN
            and any(text.startswith(line) for text in starts.get(line[:_REPEAT_MIN], ()))
        )
    ]


def _worded_before(title: str, piece: str) -> bool:
    """Before a metadata block, is `piece` rather the (cut) abstract of `title` than a
    title of its own? Yes for a title of a few words and a longer piece: more likely than
    a bit of chrome before a paper without an abstract."""
    return title.count(" ") >= 2 and len(title) >= _WORDED_TITLE and len(piece) > len(title)


def _title_like(line: str) -> bool:
    """A short line with a letter and no final sentence punctuation ("?" is allowed:
    titles ask questions); not a metadata line."""
    if len(line) > _TITLE_MAX or not _has_letter(line) or _is_meta_line(line):
        return False
    if line.rstrip(_CLOSERS).endswith((".", "!")):
        return False
    # Sentences inside a long line make it prose, not a title (one period may be an
    # abbreviation: "Localization vs. Knowledge Editing").
    return not (len(line) >= _PROSE and len(_SENTENCE_BREAK.findall(line)) >= 2)


def _runs_on(first: str, second: str) -> bool:
    """Does `first` run on into `second`, as the two pieces of a sentence cut at a seam
    do? `first` is a few words that end no sentence, `second` goes on in lower case.

    (A cut right before a capitalized word reads as a title and its abstract instead.)
    """
    if first.count(" ") < 2 or first.rstrip(_CLOSERS).endswith(_SENTENCE_END):
        return False
    return second[:1].islower() or second[:1] in ",;:)"


def _abstract_of(line: str, title: str) -> bool:
    """Can `line` be the abstract of a paper titled `title`? Long prose, much longer than
    the title."""
    return len(line) >= max(_PROSE, 2 * len(title)) and not _is_meta_line(line)


def _meta_starts(lines: list[str], i: int) -> bool:
    """Does a metadata block start at line `i` (a byline, an organization line, a dot)?"""
    if i >= len(lines):
        return False
    line = lines[i]
    if line == _DOT or _AUTHORS.fullmatch(line):
        return True
    # An organization line ("opendatalab OpenDataLab"): a few words, followed by the dot.
    return (
        i + 1 < len(lines)
        and lines[i + 1] == _DOT
        and len(line) <= _ORGANIZATION_MAX
        and line.count(" ") < _ORGANIZATION_WORDS
    )


def _is_meta_line(line: str) -> bool:
    return line == _DOT or bool(_AUTHORS.fullmatch(line)) or bool(_DATE.fullmatch(line))


def _has_letter(line: str) -> bool:
    if line.isascii():
        # The common case, and the same answer: the ASCII letters are all there are.
        return _ASCII_LETTER.search(line) is not None
    return any(char.isalpha() for char in line)


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
    if (
        first.abstract
        and later.abstract.startswith(first.abstract)
        and len(later.abstract) > len(first.abstract)
    ):
        # The first copy was cut short where two copied halves overlap; what followed it
        # there (metadata) may belong to another paper: the whole copy is the one to keep.
        return replace(later, key=first.key)
    changes: dict[str, Any] = {}
    if not first.abstract and later.abstract:
        changes["abstract"] = later.abstract
    for name in ("author_count", "organization", "published", "upvotes"):
        if getattr(first, name) is None and getattr(later, name) is not None:
            changes[name] = getattr(later, name)
    return replace(first, **changes) if changes else first
