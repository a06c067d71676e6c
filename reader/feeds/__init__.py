"""Fetching papers over HTTP: Hugging Face Daily Papers, the arXiv API and arXiv's RSS.

`client` holds what every feed shares (configuration, retries, deadlines, errors), one
module per service fetches from it, and `requests` is the one entry point the CLI and the
app use: build a `FetchRequest`, call `fetch`.
"""

from reader.feeds.arxiv import fetch_arxiv, fetch_arxiv_ids, fetch_rss
from reader.feeds.client import USER_AGENT, FeedClient, FeedConfig, Progress
from reader.feeds.hf import fetch_hf
from reader.feeds.requests import SOURCES, FetchRequest, Source, fetch

__all__ = [
    "SOURCES",
    "USER_AGENT",
    "FeedClient",
    "FeedConfig",
    "FetchRequest",
    "Progress",
    "Source",
    "fetch",
    "fetch_arxiv",
    "fetch_arxiv_ids",
    "fetch_hf",
    "fetch_rss",
]
