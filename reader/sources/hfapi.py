"""Reader of the Hugging Face Daily Papers API: `/api/daily_papers` and `/api/papers/{id}`.

`/api/daily_papers` answers a JSON array of items, each wrapping the paper in `"paper"`;
`/api/papers/{id}` answers the paper object alone. Both the current schema and the older
one (2024) are read: every field beyond `paper.id` and `paper.title` is treated as optional,
because the older data lacks many of them (see `tests/fixtures/formats/SOURCES.md`).

Beyond the basics, each paper keeps the day it was featured, its comment count, its GitHub
repository and its project page (`Paper.featured`, `comments`, `github`, `project_page`).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from reader.errors import InputError
from reader.identity import arxiv_url, normalize_arxiv_id, paper_key
from reader.model import Incoming, Paper
from reader.sources.arxiv import clean_abstract
from reader.sources.untrusted import count, day_of, quoted, valid_text

_BOM = "\ufeff"
_MAX_INTEGER_CHARS = 20
"""Characters in the longest integer kept (the sign included): 2**63 has 19 digits."""
_SNIFF_LIMIT = 4096
_SNIFF_START = re.compile(r'^\s*\[\s*\{[^\[\]]{0,2000}?"paper"\s*:\s*\{', re.DOTALL)


def parse_daily_papers(text_or_data: str | list[Any], *, source: str = "hf-api") -> list[Incoming]:
    """Read a `/api/daily_papers` response (JSON text or already decoded) into papers.

    An empty array (a weekend day, a page past the end) gives an empty list, not an error.
    Raises `InputError` with a one-line message on malformed JSON or a wrong shape.
    A paper listed twice is kept once (the first time), since its key is its identity.
    """
    data = _decode(text_or_data) if isinstance(text_or_data, str) else text_or_data
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        # The Hub reports a bad query as {"error": "..."}; its words are the useful part.
        raise InputError(f"Hugging Face API error: {quoted(data['error'])}")
    if not isinstance(data, list):
        raise InputError("expected a JSON array of Daily Papers items")
    papers: list[Incoming] = []
    seen: set[str] = set()
    for index, item in enumerate(data, start=1):
        where = f"item {index}"
        if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
            raise InputError(f'{where}: expected an object with a "paper" object')
        paper = _read_paper(item["paper"], item, where, source)
        if paper.key in seen:
            continue
        papers.append(Incoming(paper))
        seen.add(paper.key)
    return papers


def parse_paper(data: str | dict[str, Any], *, source: str = "hf-api") -> Incoming:
    """Read a `/api/papers/{id}` response (JSON text or already decoded) into one paper.

    Raises `InputError` on malformed JSON or a wrong shape.
    """
    decoded = _decode(data) if isinstance(data, str) else data
    if isinstance(decoded, dict) and isinstance(decoded.get("error"), str):
        raise InputError(f"Hugging Face API error: {quoted(decoded['error'])}")
    if not isinstance(decoded, dict):
        raise InputError("expected a JSON object describing one paper")
    return Incoming(_read_paper(decoded, {}, "paper", source))


def looks_like_hf_api(text: str) -> bool:
    """True when `text` is a JSON array whose first object has a "paper" object with an "id".

    Cheap: a pattern on the first few kilobytes decides most texts; only a likely match is
    decoded in full to confirm.
    """
    head = text[:_SNIFF_LIMIT].removeprefix(_BOM)
    if not _SNIFF_START.match(head):
        return False
    try:
        data = _loads(text)
    except (ValueError, RecursionError):
        return False
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return False
    paper = data[0].get("paper")
    return isinstance(paper, dict) and isinstance(paper.get("id"), str)


def _decode(text: str) -> Any:
    """The decoded JSON of `text`, or `InputError` saying where it is broken."""
    try:
        return _loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise InputError("not valid JSON (nested too deeply)") from None


def _loads(text: str) -> Any:
    """`json.loads(text)`, with integers too long for any count decoded as None.

    Python refuses to convert integers of over 4,300 digits (a guard against slow
    conversions), and none beyond 20 characters fits SQLite anyway: as None, a hostile
    count makes the count unknown instead of losing the whole answer.
    """
    return json.loads(text.removeprefix(_BOM), parse_int=_integer)


def _integer(digits: str) -> int | None:
    """A JSON integer, or None when it is far too long to be a count."""
    return int(digits) if len(digits) <= _MAX_INTEGER_CHARS else None


def _read_paper(paper: dict[str, Any], item: dict[str, Any], where: str, source: str) -> Paper:
    """One `Paper` from a paper object and (for the daily list) its item.

    Every value is checked, since the answer comes from the network: a count that cannot
    be stored (negative, or beyond SQLite's 64-bit integers) becomes unknown, lone
    surrogates in text become U+FFFD, and a date that names no real instant is unknown.
    """
    hf_id = _text(paper.get("id"))
    if hf_id is None or not hf_id.strip():
        raise InputError(f'{where}: the paper has no "id"')
    raw_title = _text(paper.get("title"))
    if raw_title is None:
        raw_title = _text(item.get("title"))
    if raw_title is None or not raw_title.strip():
        raise InputError(f"{where}: paper {quoted(hf_id)} has no title")
    # Older data wraps long titles onto several lines ("...Scaling for\n  Contrastive Loss").
    title = " ".join(raw_title.split())
    summary = _text(paper.get("summary"))
    if summary is None:
        summary = _text(item.get("summary"))
    authors = tuple(_author_names(paper.get("authors")))
    arxiv_id = normalize_arxiv_id(hf_id)
    organization = _organization(paper.get("organization")) or _organization(
        item.get("organization")
    )
    featured = _day(paper.get("submittedOnDailyAt"))
    if featured is None and "submittedOnDailyAt" not in paper:
        # The 2024 schema has no submittedOnDailyAt; there the item's own publishedAt was the
        # submission time. In the current schema that field is something else (the arXiv
        # date shifted by 4 hours), which is why it is only a fallback for the old shape.
        featured = _day(item.get("publishedAt"))
    return Paper(
        key=paper_key(arxiv_id, title),
        title=title,
        abstract=clean_abstract(summary) if summary is not None else "",
        authors=authors,
        author_count=len(authors) or None,
        organization=organization,
        published=_day(paper.get("publishedAt")),
        upvotes=count(paper.get("upvotes")),
        arxiv_id=arxiv_id,
        url=arxiv_url(arxiv_id) if arxiv_id else f"https://huggingface.co/papers/{hf_id.strip()}",
        source=source,
        featured=featured,
        comments=count(item.get("numComments")),
        github=_url(paper.get("githubRepo")),
        project_page=_url(paper.get("projectPage")),
    )


def _text(value: Any) -> str | None:
    """`value` when it is a string (lone surrogates replaced), else None."""
    return valid_text(value) if isinstance(value, str) else None


def _author_names(authors: Any) -> list[str]:
    """The display names of the visible authors, in order."""
    if not isinstance(authors, list):
        return []
    names = []
    for author in authors:
        if not isinstance(author, dict) or author.get("hidden") is True:
            continue
        name = _text(author.get("name"))
        if name is not None and name.strip():
            names.append(" ".join(name.split()))
    return names


def _organization(value: Any) -> str | None:
    """The display name of an organization object, falling back to its handle."""
    if not isinstance(value, dict):
        return None
    for field in ("fullname", "name"):
        name = _text(value.get(field))
        if name is not None and name.strip():
            return " ".join(name.split())
    return None


def _day(value: Any) -> date | None:
    """The calendar date of an ISO-8601 timestamp such as "2026-06-09T00:00:00.000Z", or
    None when it is no timestamp or names no real instant."""
    if not isinstance(value, str):
        return None
    try:
        return day_of(datetime.fromisoformat(value.strip()))
    except ValueError:
        return None


def _url(value: Any) -> str | None:
    """`value` when it is a web address, else None (an empty string means "none" here)."""
    text = _text(value)
    if text is not None and text.strip().startswith(("https://", "http://")):
        return text.strip()
    return None
