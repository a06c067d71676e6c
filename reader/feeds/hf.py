"""Hugging Face Daily Papers: a day, an ISO week or a month, all pages of it."""

from __future__ import annotations

import re
from datetime import date as Date

from reader.errors import ReaderError
from reader.feeds.client import FeedClient, FeedConfig, Progress, as_utf8, open_client, parse_answer
from reader.model import Incoming
from reader.sources.hfapi import parse_daily_papers

HF_MAX_LIMIT = 100
"""The Hub caps `limit` at 100 (observed, not documented)."""
HF_MAX_PAGES = 50
"""A server that ignores `p` would otherwise be paged forever."""

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def fetch_hf(
    config: FeedConfig,
    *,
    date: str | None = None,
    week: str | None = None,
    month: str | None = None,
    limit: int = 100,
    progress: Progress | None = None,
    client: FeedClient | None = None,
) -> list[Incoming]:
    """The Daily Papers of one day (`date`, YYYY-MM-DD; today by default), one ISO week
    (`week`, YYYY-Www) or one month (`month`, YYYY-MM), all pages of `limit` items."""
    params: dict[str, str | int] = _hf_period(date, week, month)
    if not 1 <= limit <= HF_MAX_LIMIT:
        raise ReaderError(f"limit must be between 1 and {HF_MAX_LIMIT}, not {limit}")
    url = f"{config.hf_url}/api/daily_papers"
    papers: list[Incoming] = []
    seen: set[str] = set()
    with open_client(config, client) as session:
        for page in range(HF_MAX_PAGES):
            body = session.get(url, {**params, "limit": limit, "p": page})
            text = as_utf8(body, url)
            items = parse_answer(url, parse_daily_papers, text)
            fresh = [item for item in items if item.paper.key not in seen]
            papers.extend(fresh)
            seen.update(item.paper.key for item in fresh)
            if progress is not None:
                progress(len(papers))
            # A short page is the last one; a page of nothing new means `p` was ignored.
            if len(items) < limit or not fresh:
                break
    return papers


def _hf_period(date: str | None, week: str | None, month: str | None) -> dict[str, str | int]:
    """The period parameter of a Daily Papers request, checked; today when none is given."""
    given = {name: value for name, value in (("date", date), ("week", week), ("month", month))}
    chosen = {name: value.strip() for name, value in given.items() if value is not None}
    if len(chosen) > 1:
        raise ReaderError("give only one of date, week and month")
    if not chosen:
        return {"date": Date.today().isoformat()}
    ((name, value),) = chosen.items()
    if name == "date":
        try:
            if not _DAY.fullmatch(value):
                raise ValueError(value)
            Date.fromisoformat(value)
        except ValueError:
            raise ReaderError(f"date must look like 2025-03-31, not {value!r}") from None
    elif name == "week":
        match = _WEEK.fullmatch(value)
        if not match or not 1 <= int(match.group(2)) <= _iso_weeks(int(match.group(1))):
            raise ReaderError(f"week must look like 2025-W09, not {value!r}")
    else:
        match = _MONTH.fullmatch(value)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ReaderError(f"month must look like 2025-03, not {value!r}")
    return {name: value}


def _iso_weeks(year: int) -> int:
    """The number of ISO weeks in `year` (52 or 53): December 28 is always in the last."""
    return Date(year, 12, 28).isocalendar().week
