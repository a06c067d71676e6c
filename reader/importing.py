"""The one way in for papers: files, text, lists of arXiv ids and the bundled samples.

The CLI (`reader import`), the app (`i`, `I`, `d`) and the tests all call these functions,
so every input format is accepted everywhere alike. Nothing here writes to a library:
each function returns the papers read, and the caller imports them in one transaction.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reader.errors import ReaderError
from reader.fileio import read_text_input
from reader.model import Incoming
from reader.sources.detect import FORMATS, arxiv_ids, detect_format, parse_text

if TYPE_CHECKING:
    from reader.feeds import FeedConfig

Fetched = Callable[[int], None]
"""Told how many papers have been fetched so far (for an id list)."""

__all__ = ["FORMATS", "read_files", "read_text", "sample_items"]


def read_text(
    text: str,
    fmt: str = "auto",
    *,
    where: str = "input",
    year: int | None = None,
    library_folder: Path | None = None,
    progress: Fetched | None = None,
) -> list[Incoming]:
    """The papers in `text`, in format `fmt` ("auto" detects it).

    A list of arXiv ids is fetched from the arXiv API (with the feed settings of
    `library_folder`); every other format is read as it is. Errors name `where`.
    """
    chosen = detect_format(text) if fmt == "auto" else fmt
    if chosen == "ids":
        ids = arxiv_ids(text)
        if not ids:
            raise ReaderError(f"{where}: not a list of arXiv ids or URLs")
        # Imported here: httpx is only loaded when something goes online.
        from reader import feeds

        return feeds.fetch_arxiv_ids(feed_config(library_folder), ids, progress=progress)
    return parse_text(text, chosen or "auto", year=year, where=where)


def read_files(
    names: Sequence[str],
    fmt: str = "auto",
    *,
    year: int | None = None,
    library_folder: Path | None = None,
    progress: Fetched | None = None,
) -> list[Incoming]:
    """Every paper of these files (`-` is standard input), all read before any is kept.

    A bad file raises at once, so a multi-file import is all or nothing.
    """
    items: list[Incoming] = []
    for name in names:
        where = "standard input" if name == "-" else name
        text = read_text_input(name)
        items.extend(
            read_text(
                text,
                fmt,
                where=where,
                year=year,
                library_folder=library_folder,
                progress=progress,
            )
        )
    return items


def sample_items(year: int | None = None) -> list[Incoming]:
    """The bundled sample papers (copies of real Daily Papers pages)."""
    from reader.data import sample_pages

    items: list[Incoming] = []
    for name, text in sample_pages():
        items.extend(parse_text(text, "hf-page", year=year, where=name))
    return items


def feed_config(library_folder: Path | None) -> FeedConfig:
    """The feed settings: environment variables first, then the library's settings."""
    from reader import feeds
    from reader.settings import Settings

    settings = Settings(library_folder) if library_folder is not None else None
    return feeds.FeedConfig.load(os.environ, settings)
