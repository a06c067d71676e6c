"""`reader pdf KEY [--open]`: a paper's arXiv PDF, from the cache or downloaded into it."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from reader import output
from reader.commands.terminal import clear_progress, is_terminal
from reader.errors import ReaderError

if TYPE_CHECKING:
    from reader.feeds.client import Received
    from reader.library import Library


def pdf(library: Library, args: argparse.Namespace) -> int:
    """Print the PDF's path (downloading it first when needed); --open opens it."""
    from reader import importing
    from reader import pdf as pdfs
    from reader.settings import Settings

    paper = library.entry(library.resolve(args.key)).paper
    arxiv_id = pdfs.arxiv_id_of(paper)
    limit = pdfs.max_bytes(Settings(library.folder))
    config = importing.feed_config(library.folder)
    try:
        path = pdfs.download(config, arxiv_id, limit=limit, progress=_progress())
    except ReaderError as error:
        raise ReaderError(f"cannot get the PDF of {arxiv_id}: {error}") from None
    finally:
        clear_progress()
    if args.open:
        pdfs.open_file(path)
        print(f"Opened {path}")
    else:
        print(path)
    return 0


def _progress() -> Received | None:
    """The download's progress on stderr, when it is a terminal."""
    if not is_terminal(sys.stderr):
        return None

    def show(done: int, total: int | None) -> None:
        size = f"{done / 1048576:.1f} MB"
        if total:
            size += f" of {total / 1048576:.1f} MB"
        output.rewrite_line(f"Downloading the PDF… {size}")

    return show
