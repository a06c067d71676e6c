"""The library's own dict form of an entry, and its validating inverse.

The dict form is what `reader list --json` prints and what each JSON Lines line holds, so it is
a public format: keys are stable, values are plain JSON types, and reading it back gives exactly
the paper and state that were written.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from reader.errors import InputError
from reader.identity import is_arxiv_category, normalize_arxiv_id, normalize_doi, paper_key
from reader.model import Entry, Incoming, Paper, PaperState
from reader.text import SURROGATE

# Fields whose presence means the input carries user state. A missing state must stay `None`
# so that importing a plain paper list never resets what the user already marked.
_STATE_FIELDS = ("read", "starred", "note", "tags", "dismissed")
_TIMESTAMP_FIELDS = ("read_at", "starred_at", "note_at", "tags_at", "dismissed_at")

# `date.fromisoformat` also accepts "20261121" and week dates; the format promises YYYY-MM-DD.
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

MAX_COUNT = 2**63 - 1
"""The largest count (upvotes, comments, authors) the catalog can store: SQLite's INTEGER."""


class LongNumber:
    """A JSON integer with too many digits to be a count, kept as its digits.

    Python refuses to convert more than 4300 digits at all (a `ValueError` that names no
    line); reading such numbers as `LongNumber` lets the error name the paper and field.
    """

    def __init__(self, digits: str) -> None:
        self.digits = digits


def parse_json_int(digits: str) -> int | LongNumber:
    """`json.loads(..., parse_int=parse_json_int)`: ints, but `LongNumber` past 64 bits."""
    # 20 characters hold every 64-bit count, with a sign to spare.
    return int(digits) if len(digits) <= 20 else LongNumber(digits)


def entry_to_dict(entry: Entry) -> dict[str, Any]:
    """The JSON-ready dict of one entry, with keys in their documented order."""
    paper, state = entry.paper, entry.state
    return {
        "key": paper.key,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": list(paper.authors),
        "author_count": paper.author_count,
        "organization": paper.organization,
        "date": _format_date(paper.published),
        "upvotes": paper.upvotes,
        "arxiv_id": paper.arxiv_id,
        "url": paper.url,
        "source": paper.source,
        "added": _format_added(paper.added),
        "featured": _format_date(paper.featured),
        "comments": paper.comments,
        "github": paper.github,
        "project_page": paper.project_page,
        "doi": paper.doi,
        "categories": list(paper.categories),
        "primary_category": paper.primary_category,
        "read": state.read,
        "starred": state.starred,
        "note": state.note,
        "tags": list(state.tags),
        "dismissed": state.dismissed,
        "read_at": state.read_at,
        "starred_at": state.starred_at,
        "note_at": state.note_at,
        "tags_at": state.tags_at,
        "dismissed_at": state.dismissed_at,
    }


def incoming_from_dict(data: object, where: str, *, default_source: str = "") -> Incoming:
    """Read one paper (and its state, if any) from the dict form, validating every field.

    `where` ("line 3", "paper 2") starts every error message so the user can find the
    culprit. Only `title` is required; `null` counts as absent for every other field. Keys
    not in the format are ignored so that newer files still load. `default_source` is used
    when the dict has no `source`.
    """
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a JSON object, got {_json_type(data)}")
    fields = _Fields(data, where)

    title = fields.string("title")
    if title is None or not title.strip():
        raise InputError(f"{where}: missing or empty 'title'")

    raw_id = fields.string("arxiv_id")
    arxiv_id = normalize_arxiv_id(raw_id)
    if raw_id is not None and arxiv_id is None:
        raise InputError(f"{where}: 'arxiv_id' is not an arXiv id: {raw_id!r}")

    key = fields.string("key")
    if key is not None and not key.strip():
        raise InputError(f"{where}: 'key' must not be empty")

    paper = Paper(
        key=key if key is not None else paper_key(arxiv_id, title),
        title=title,
        abstract=fields.string("abstract") or "",
        authors=fields.string_list("authors"),
        author_count=fields.count("author_count"),
        organization=fields.string("organization"),
        published=fields.date("date"),
        upvotes=fields.count("upvotes"),
        arxiv_id=arxiv_id,
        url=fields.string("url"),
        source=fields.string("source") or default_source,
        added=fields.timestamp("added"),
        featured=fields.date("featured"),
        comments=fields.count("comments"),
        github=fields.string("github"),
        project_page=fields.string("project_page"),
        doi=_doi(fields.string("doi"), where),
        categories=_categories(fields.string_list("categories"), where),
        primary_category=_category(fields.string("primary_category"), where),
    )

    # Timestamps are validated even when there is no state, so a typo never passes silently.
    stamps = {name: fields.timestamp_text(name) for name in _TIMESTAMP_FIELDS}
    keyed = key is not None
    if not any(data.get(name) is not None for name in _STATE_FIELDS):
        return Incoming(paper=paper, state=None, keyed=keyed)
    state = PaperState(
        key=paper.key,
        read=fields.flag("read"),
        starred=fields.flag("starred"),
        note=fields.string("note") or "",
        tags=fields.string_list("tags"),
        dismissed=fields.flag("dismissed"),
        **stamps,
    )
    return Incoming(paper=paper, state=state, keyed=keyed)


class _Fields:
    """Typed access to the fields of one input dict; every getter names the field on error."""

    def __init__(self, data: dict[Any, Any], where: str) -> None:
        self._data = data
        self._where = where

    def _fail(self, name: str, expected: str, value: object) -> InputError:
        return InputError(f"{self._where}: '{name}' must be {expected}, got {_json_type(value)}")

    def _text(self, name: str, value: str) -> str:
        surrogate = SURROGATE.search(value)
        if surrogate:
            raise InputError(
                f"{self._where}: '{name}' is not valid text: it holds the lone surrogate"
                f" \\u{ord(surrogate.group()):04x}"
            )
        return value

    def string(self, name: str) -> str | None:
        value = self._data.get(name)
        if value is None or isinstance(value, str):
            return value if value is None else self._text(name, value)
        raise self._fail(name, "a string", value)

    def string_list(self, name: str) -> tuple[str, ...]:
        value = self._data.get(name)
        if value is None:
            return ()
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(self._text(name, item) for item in value)
        raise self._fail(name, "a list of strings", value)

    def count(self, name: str) -> int | None:
        value = self._data.get(name)
        if value is None:
            return None
        # bool is a subclass of int, and `true` is never a meaningful count.
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            if value <= MAX_COUNT:
                return value
        elif not isinstance(value, LongNumber):
            raise self._fail(name, "a non-negative integer", value)
        raise self._fail(name, "at most 2^63 - 1", value)

    def flag(self, name: str) -> bool:
        value = self._data.get(name)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        raise self._fail(name, "true or false", value)

    def date(self, name: str) -> date | None:
        text = self.string(name)
        if text is None:
            return None
        try:
            if _DATE.fullmatch(text):
                return date.fromisoformat(text)
        except ValueError:
            pass  # a well-shaped but impossible date such as 2026-02-30; reported below
        raise InputError(f"{self._where}: '{name}' must be a date as YYYY-MM-DD, got {text!r}")

    def timestamp(self, name: str) -> datetime | None:
        text = self.timestamp_text(name)
        return None if text is None else _to_utc(datetime.fromisoformat(text))

    def timestamp_text(self, name: str) -> str | None:
        """A timestamp kept as the exact text given (state stores text), checked to parse
        and to have a UTC time (the years 1 to 9999 in UTC too)."""
        text = self.string(name)
        if text is None:
            return None
        try:
            _to_utc(datetime.fromisoformat(text))
        except ValueError:
            raise InputError(
                f"{self._where}: '{name}' must be an ISO 8601 timestamp, got {text!r}"
            ) from None
        except OverflowError:
            # "0001-01-01T00:00:00+14:00" parses, but is before year 1 in UTC.
            raise InputError(
                f"{self._where}: '{name}' is out of range (years 1 to 9999 in UTC), got {text!r}"
            ) from None
        return text


def _categories(values: tuple[str, ...], where: str) -> tuple[str, ...]:
    for value in values:
        _category(value, where)
    return values


def _category(text: str | None, where: str) -> str | None:
    """An arXiv category as the library's own files carry it; `InputError` otherwise (a
    category is printed, compared and queried by `cat:`)."""
    if text is not None and not is_arxiv_category(text):
        raise InputError(f"{where}: {text[:40]!r} is not an arXiv category")
    return text


def _doi(text: str | None, where: str) -> str | None:
    """A DOI field: a DOI in any usual form, or an error naming the paper."""
    if text is None or not text.strip():
        return None
    doi = normalize_doi(text)
    if doi is None:
        raise InputError(f"{where}: 'doi' is not a DOI: {text!r}")
    return doi


def _format_date(published: date | None) -> str | None:
    if published is None:
        return None
    # A datetime is a date too; the format holds the day only.
    day = published.date() if isinstance(published, datetime) else published
    return day.isoformat()


def _format_added(added: datetime | None) -> str | None:
    return None if added is None else _to_utc(added).isoformat()


def _to_utc(moment: datetime) -> datetime:
    # The library records `added` in UTC; a naive value can only have meant UTC.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _json_type(value: object) -> str:
    """A short description of a parsed JSON value, for error messages users can act on."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        shown = repr(value)
        return f"the number {shown}" if len(shown) <= 40 else f"a number of {len(shown)} digits"
    if isinstance(value, LongNumber):
        return f"a number of {len(value.digits.lstrip('-'))} digits"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, list):
        # Arrays are only expected to hold strings; name the first item that is not one.
        for item in value:
            if not isinstance(item, str):
                return f"an array holding {_json_type(item)}"
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
