"""`reader fetch`: papers from Hugging Face or arXiv into the library."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from reader.commands.terminal import progress_printer, say_ranking_problem, say_waiting
from reader.errors import ReaderError
from reader.text import plural

if TYPE_CHECKING:
    from reader.library import Library


def fetch(library: Library, args: argparse.Namespace) -> int:
    from reader import feeds, importing

    if args.feed == "hf":
        request = feeds.FetchRequest("hf", args.date or args.week or args.month or "")
    elif args.rss:
        if args.query:
            raise ReaderError("give either a search QUERY or --rss CATEGORY, not both")
        request = feeds.FetchRequest("rss", args.rss)
    else:
        request = feeds.FetchRequest("arxiv", args.query or "", max_results=args.max)
    config = importing.feed_config(library.folder)
    items = feeds.fetch(config, request, progress_printer())
    if not items:
        # An empty daily listing (weekends, holidays) is normal, not an error.
        print(f"Nothing new from {request.label}.")
        return 0
    result = library.import_papers(items, waiting=say_waiting)
    print(f"Fetched {plural(result.papers, 'paper')} from {request.label}: {result.summary()}.")
    say_ranking_problem(library)
    return 0
