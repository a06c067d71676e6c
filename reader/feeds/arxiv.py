"""arXiv: the API's search and id lookups (Atom), and the daily RSS listing of a category."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from reader.errors import ReaderError
from reader.feeds.client import FeedClient, FeedConfig, Progress, open_client, parse_answer
from reader.identity import normalize_arxiv_id
from reader.model import Incoming
from reader.sources.arxiv import parse_atom, parse_rss

ARXIV_PAGE_SIZE = 100
ARXIV_ID_BATCH = 100
_CATEGORY = re.compile(
    r"[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?(?:\+[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?)*"
)


def fetch_arxiv(
    config: FeedConfig,
    query: str,
    *,
    max_results: int = 50,
    since: date | None = None,
    progress: Progress | None = None,
    client: FeedClient | None = None,
) -> list[Incoming]:
    """The newest submissions matching an arXiv API `search_query` (such as
    "cat:cs.LG AND ti:diffusion"), up to `max_results`, in pages of at most 100.

    With `since`, only those submitted on or after that day: the API is asked for them
    (a `submittedDate` range), older ones in its answer are dropped, and paging stops at
    the first one (the answer is newest first).
    """
    if not query.strip():
        raise ReaderError("the arXiv query is empty")
    if max_results < 1:
        raise ReaderError(f"max_results must be at least 1, not {max_results}")
    search = query.strip()
    if since is not None:
        # The API's own date filter (see its manual); one day past today for time zones.
        until = min(max(date.today(), since), date.max - timedelta(days=1)) + timedelta(days=1)
        search = f"({search}) AND submittedDate:[{since:%Y%m%d}0000 TO {until:%Y%m%d}2359]"
    papers: list[Incoming] = []
    seen: set[str] = set()
    with open_client(config, client) as session:
        start = 0
        while start < max_results:
            size = min(ARXIV_PAGE_SIZE, max_results - start)
            body = session.get_arxiv(
                config.arxiv_api_url,
                {
                    "search_query": search,
                    "start": start,
                    "max_results": size,
                    "sortBy": "submittedDate",
                    "sortOrder": "descending",
                },
            )
            page = parse_answer(config.arxiv_api_url, parse_atom, body)
            older = False
            for item in page:
                published = item.paper.published
                if since is not None and published is not None and published < since:
                    older = True
                    continue
                if item.paper.key not in seen:
                    seen.add(item.paper.key)
                    papers.append(item)
            if progress is not None:
                progress(len(papers))
            if len(page) < size or older:
                break
            start += size
    return papers


def fetch_arxiv_ids(
    config: FeedConfig,
    ids: Sequence[str],
    *,
    progress: Progress | None = None,
    client: FeedClient | None = None,
) -> list[Incoming]:
    """The papers with the given arXiv ids (any form `normalize_arxiv_id` accepts), asked
    for in batches of 100. `ReaderError` names the first id that is not an arXiv id."""
    wanted: list[str] = []
    for raw in ids:
        arxiv_id = normalize_arxiv_id(raw)
        if arxiv_id is None:
            raise ReaderError(f"not an arXiv id: {raw!r}")
        if arxiv_id not in wanted:
            wanted.append(arxiv_id)
    papers: list[Incoming] = []
    if not wanted:
        return papers
    with open_client(config, client) as session:
        for first in range(0, len(wanted), ARXIV_ID_BATCH):
            batch = wanted[first : first + ARXIV_ID_BATCH]
            body = session.get_arxiv(
                config.arxiv_api_url,
                {"id_list": ",".join(batch), "start": 0, "max_results": len(batch)},
            )
            papers.extend(parse_answer(config.arxiv_api_url, parse_atom, body))
            if progress is not None:
                progress(len(papers))
    return papers


def fetch_rss(
    config: FeedConfig, category: str, *, client: FeedClient | None = None
) -> list[Incoming]:
    """Today's listing of an arXiv category ("cs.LG", or several joined: "cs.LG+stat.ML").

    An empty listing (weekends, holidays) gives an empty list.
    """
    category = category.strip()
    if not valid_category(category):
        raise ReaderError(f"not an arXiv category: {category!r} (try cs.LG)")
    url = f"{config.arxiv_rss_url}/{category}"
    with open_client(config, client) as session:
        body = session.get(url)
    return parse_answer(url, parse_rss, body)


def valid_category(category: str) -> bool:
    """Whether `category` names arXiv categories ("cs.LG", or "cs.LG+stat.ML")."""
    return _CATEGORY.fullmatch(category) is not None
