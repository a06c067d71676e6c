"""What a user asks a feed for, in one type: the CLI and the app's fetch dialog build a
`FetchRequest`, and `fetch` runs it. A new feed source is one entry in `SOURCES` and one
branch of `fetch`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from reader.errors import ReaderError
from reader.feeds.arxiv import fetch_arxiv, fetch_arxiv_ids, fetch_rss
from reader.feeds.client import FeedClient, FeedConfig, Progress
from reader.feeds.hf import fetch_hf
from reader.model import Incoming


@dataclass(frozen=True, slots=True)
class Source:
    """A feed the user can fetch from, as the fetch dialog and the help describe it."""

    name: str
    label: str
    hint: str
    """What the value is, with an example."""


SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(
            "hf",
            "Hugging Face Daily Papers",
            "a day YYYY-MM-DD, a week YYYY-Www or a month YYYY-MM",
        ),
        Source("arxiv", "arXiv search", "an arXiv query, e.g. cat:cs.LG AND abs:causal"),
        Source("rss", "arXiv daily listing", "a category, e.g. cs.LG"),
        Source("ids", "arXiv ids", "arXiv ids or URLs, separated by spaces or commas"),
    )
}
"""Every feed source, in the order the fetch dialog offers them."""


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """One fetch: a source of `SOURCES` and its value (a day, a query, a category, ids)."""

    source: str
    value: str = ""
    """For "hf": a day, ISO week or month ("" is today); for "arxiv": the search query;
    for "rss": the category; for "ids": arXiv ids or URLs."""
    max_results: int = 50
    """For an arXiv search: at most this many papers."""
    since: date | None = None
    """For an arXiv search: only papers submitted on or after this day (a subscription
    resuming where it stopped)."""

    @property
    def label(self) -> str:
        """How messages name what was fetched."""
        value = self.value.strip()
        if self.source == "hf":
            return f"Hugging Face Daily Papers ({value or 'today'})"
        if self.source == "arxiv":
            return f"arXiv search {value!r}"
        if self.source == "rss":
            return f"the arXiv listing of {value}"
        return f"arXiv ids ({len(_ids(value))})"


def fetch(
    config: FeedConfig,
    request: FetchRequest,
    progress: Progress | None = None,
    *,
    client: FeedClient | None = None,
) -> list[Incoming]:
    """The papers a request asks for (an empty list for an empty daily listing)."""
    value = request.value.strip()
    if request.source == "hf":
        date, week, month = _hf_period(value)
        return fetch_hf(config, date=date, week=week, month=month, progress=progress, client=client)
    if request.source == "rss":
        return fetch_rss(config, value, client=client)
    if request.source == "arxiv":
        if not value:
            raise ReaderError(
                "give an arXiv search query (e.g. 'cat:cs.LG AND abs:causal') or an RSS category"
            )
        return fetch_arxiv(
            config,
            value,
            max_results=request.max_results,
            since=request.since,
            progress=progress,
            client=client,
        )
    if request.source == "ids":
        return fetch_arxiv_ids(config, _ids(value), progress=progress, client=client)
    raise ReaderError(f"unknown feed {request.source!r} (known: {', '.join(SOURCES)})")


def _hf_period(value: str) -> tuple[str | None, str | None, str | None]:
    """(date, week, month) for `fetch_hf`: what a value names (all None is today)."""
    if re.fullmatch(r"\d{4}-W\d{1,2}", value):
        return None, value, None
    if re.fullmatch(r"\d{4}-\d{1,2}", value):
        return None, None, value
    return (value or None), None, None


def _ids(value: str) -> list[str]:
    return [part for part in re.split(r"[\s,]+", value) if part]
