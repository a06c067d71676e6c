"""The one way in for papers: files, text, lists of arXiv ids and the bundled samples.

The CLI (`reader import`), the app (`i`, `I`, `d`) and the tests all call these functions,
so every input format is accepted everywhere alike, and both show the same report: lines
of a copied page that were not papers, feeds that held none, papers a `--filter` left
out, papers merged by title.

`import_files` and `import_text` read and import in one transaction. Every input is read
and checked before anything is written, except the arXiv snapshot and a page file larger
than `STREAM_PAGE_BYTES`, which are read while they are imported (on a second thread, a
batch or two ahead of the writing) — a bad line in them still changes nothing, because
the whole import is one transaction.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reader.errors import InputError, ReaderError
from reader.fileio import TextInput, read_text_input
from reader.identity import normalize_title
from reader.library.merging import ImportResult
from reader.model import Incoming
from reader.pipeline import Turns, ahead
from reader.sources.detect import (
    FORMAT_LIST,
    FORMATS,
    STREAMED,
    Reading,
    detect_format,
    id_list,
)
from reader.sources.detect import read_text as read_reading
from reader.text import one_line, plural

if TYPE_CHECKING:
    from reader.feeds import FeedConfig
    from reader.library import Library
    from reader.library.connection import Waiting
    from reader.matching import Predicate

Fetched = Callable[[int], None]
"""Told how many papers have been fetched so far (for an id list)."""
Progress = Callable[[int, int], None]
"""Told (done, total) as an import goes; total 0 when it is not known (a stream)."""

STREAM_BATCH = 5_000
"""Papers of a streamed input matched and written at a time."""
READ_AHEAD = 8
"""Batches read ahead of the writing, at most. The reading thread reads while SQLite
indexes a group of papers (`catalog.FTS_GROUP_ROWS`, 8 batches) and the writer has no
Python to run (`pipeline.Turns`): the next group is read by the time it is written."""
STREAM_PAGE_BYTES = 64 * 1024 * 1024
"""A copied page file larger than this is read as a stream (`reader.sources.page_stream`)
while it is imported: a million generated papers are 1.4 GB of page text. Read at call
time, so tests can lower it."""
SHOWN_SKIPPED = 1
"""Skipped lines the one-line summary quotes; `--verbose` lists them all."""

__all__ = [
    "FORMATS",
    "FORMAT_LIST",
    "Imported",
    "Report",
    "import_files",
    "import_text",
    "read_files",
    "read_text",
    "sample_items",
]


@dataclass(slots=True)
class Report:
    """What the user should hear about an import besides its counts."""

    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(input, line) for each line of a copied page that was not part of a paper."""
    warnings: list[str] = field(default_factory=list)
    filtered: int = 0
    """Papers the filter left out."""

    def add(self, where: str, reading: Reading) -> None:
        """Take in what reading one input said."""
        self.skipped.extend((where, line) for line in reading.skipped)
        self.warnings.extend(reading.warnings)

    def notes(self) -> list[str]:
        """Short notes for the one-line summary."""
        notes: list[str] = []
        if self.filtered:
            notes.append(f"{plural(self.filtered, 'paper')} left out by the filter")
        if self.skipped:
            count = len(self.skipped)
            first = one_line(self.skipped[0][1])
            if len(first) > 40:
                first = first[:39] + "…"
            noun = "line that is not a paper" if count == 1 else "lines that are not papers"
            notes.append(f"skipped {count} {noun} (first: {first!r})")
        notes.extend(f"warning: {warning}" for warning in self.warnings)
        return notes

    def details(self) -> list[str]:
        """Every skipped line, one per line, for `--verbose`."""
        return [f"skipped in {one_line(where)}: {one_line(line)}" for where, line in self.skipped]


@dataclass(slots=True)
class Imported:
    """An import's result (its notes included) and its report."""

    result: ImportResult
    report: Report


def import_files(
    library: Library,
    names: Sequence[str],
    fmt: str = "auto",
    *,
    year: int | None = None,
    keep: Predicate | None = None,
    samples: bool = False,
    progress: Progress | None = None,
    fetched: Fetched | None = None,
    waiting: Waiting | None = None,
) -> Imported:
    """Import the papers of these files (`-` is standard input), and the bundled samples
    when `samples`, in one transaction; only those `keep` accepts when it is given."""
    report = Report()
    items: list[Incoming] = []
    streams: list[Stream] = []
    try:
        for name in names:
            opened = TextInput(name)
            chosen = _streamed_format(opened, fmt)
            if chosen is not None:
                streams.append(Stream(opened, chosen, year))
                continue
            with opened:
                text = opened.text()
            reading = _read(text, fmt, opened.where, year, library.folder, fetched)
            report.add(opened.where, reading)
            items.extend(reading.items)
        if samples:
            items.extend(sample_items(year=year))
        return _store(library, items, streams, report, keep, progress, waiting)
    finally:
        for stream in streams:
            stream.opened.close()


def import_text(
    library: Library,
    text: str,
    fmt: str = "auto",
    *,
    where: str = "input",
    year: int | None = None,
    keep: Predicate | None = None,
    progress: Progress | None = None,
    fetched: Fetched | None = None,
    waiting: Waiting | None = None,
) -> Imported:
    """Import the papers of a text (a pasted page, any format) in one transaction."""
    report = Report()
    reading = _read(text, fmt, where, year, library.folder, fetched)
    report.add(where, reading)
    return _store(library, reading.items, [], report, keep, progress, waiting)


@dataclass(slots=True)
class Stream:
    """An input read while it is imported: the arXiv snapshot, or a very large page."""

    opened: TextInput
    fmt: str
    year: int | None = None


def _streamed_format(opened: TextInput, fmt: str) -> str | None:
    """The format when `opened` is to be read as a stream, else None (then it is read
    whole, and its whole text decides the format)."""
    from reader.sources.arxiv_snapshot import looks_like_snapshot

    if fmt in STREAMED:
        return fmt
    if fmt == "auto" and looks_like_snapshot(opened.head):
        return "arxiv-snapshot"
    large = opened.size is not None and opened.size > STREAM_PAGE_BYTES
    if large and fmt in ("auto", "hf-page") and detect_format(opened.head) == "hf-page":
        return "hf-page"
    return None


def _store(
    library: Library,
    items: list[Incoming],
    streams: list[Stream],
    report: Report,
    keep: Predicate | None,
    progress: Progress | None,
    waiting: Waiting | None,
) -> Imported:
    if keep is not None:
        kept = [item for item in items if keep(item.paper)]
        report.filtered += len(items) - len(kept)
        items = kept
    if not streams:
        result = library.import_papers(items, progress=progress, waiting=waiting)
    else:
        # The inputs are read and parsed in a thread, ahead of the writing, in the turns
        # the writing lends it (while it waits for a batch, and while SQLite indexes).
        turns = Turns()
        read = ahead(_batches(items, streams, report, keep), READ_AHEAD, turns)
        result = library.import_stream(_reported(read, progress), waiting=waiting, aside=turns.lent)
    result.notes.extend(report.notes())
    return Imported(result, report)


Told = tuple[list[Incoming], int, int]
"""A batch of papers, and the progress (done, total) once it is written."""


def _reported(batches: Iterator[Told], progress: Progress | None) -> Iterator[list[Incoming]]:
    """The batches; `progress` is told how far the input is once each one is written."""
    for items, done, total in batches:
        if items:
            yield items
        if progress is not None:
            progress(done, total)


def _batches(
    items: list[Incoming],
    streams: list[Stream],
    report: Report,
    keep: Predicate | None,
) -> Iterator[Told]:
    """The papers read before, then those of each stream, in batches of about
    `STREAM_BATCH`; progress in bytes of the streams when their sizes are known, else in
    papers."""
    if items:
        yield items, 0, 0
    sizes = [stream.opened.size for stream in streams]
    total = sum(size or 0 for size in sizes) if None not in sizes else 0
    done_bytes = 0
    papers = 0
    for stream in streams:
        opened = stream.opened
        count = 0
        try:
            for batch in _stream_batches(stream, report):
                count += len(batch)
                if keep is not None:
                    kept = [item for item in batch if keep(item.paper)]
                    report.filtered += len(batch) - len(kept)
                    batch = kept
                _fold_titles(batch)
                papers += len(batch)
                yield batch, done_bytes + opened.position if total else papers, total
        except InputError as error:
            raise InputError(f"{opened.where}: {error}") from None
        if not count:
            raise InputError(f"{opened.where}: no papers found in it")
        done_bytes += opened.size or 0
        yield [], done_bytes if total else papers, total


def _fold_titles(batch: list[Incoming]) -> None:
    """Fold the batch's titles here, on the reading thread: the writer matches every
    paper by its folded title and finds it in `normalize_title`'s cache instead of
    folding it while it holds the catalog (a snapshot paper's key is its arXiv id, so
    nothing else folds its title before). The cache holds more titles than the batches
    read ahead."""
    for item in batch:
        normalize_title(item.paper.title)


def _stream_batches(stream: Stream, report: Report) -> Iterator[list[Incoming]]:
    """The papers of one stream in batches of about `STREAM_BATCH`."""
    if stream.fmt == "hf-page":
        from reader.sources.page_stream import iter_page

        for part in iter_page(stream.opened.blocks(), year=stream.year, batch=STREAM_BATCH):
            report.skipped.extend((stream.opened.where, line) for line in part.skipped)
            if part.items:
                yield part.items
        return
    from reader.sources.arxiv_snapshot import iter_snapshot

    batch: list[Incoming] = []
    for item in iter_snapshot(stream.opened.lines()):
        batch.append(item)
        if len(batch) >= STREAM_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _read(
    text: str,
    fmt: str,
    where: str,
    year: int | None,
    library_folder: Path | None,
    fetched: Fetched | None,
) -> Reading:
    """The papers of one input's text; a list of ids is fetched from the arXiv API."""
    chosen = detect_format(text) if fmt == "auto" else fmt
    if chosen != "ids":
        return read_reading(text, chosen or "auto", year=year, where=where)
    found = id_list(text)
    if found is None:
        raise ReaderError(f"{where}: not a list of arXiv ids, arXiv URLs or DOIs")
    reading = Reading([])
    if found.dois:
        reading.warnings.append(
            f"{where}: {plural(len(found.dois), 'DOI')} that arXiv cannot look up"
            f" (first: {found.dois[0]}); only arXiv papers (and arXiv DOIs) can be fetched"
        )
    if found.arxiv_ids:
        # Imported here: httpx is only loaded when something goes online.
        from reader import feeds

        config = feed_config(library_folder)
        reading.items = feeds.fetch_arxiv_ids(config, found.arxiv_ids, progress=fetched)
    return reading


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
    return _read(text, fmt, where, year, library_folder, progress).items


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
                text, fmt, where=where, year=year, library_folder=library_folder, progress=progress
            )
        )
    return items


def sample_items(year: int | None = None) -> list[Incoming]:
    """The bundled sample papers (copies of real Daily Papers pages)."""
    from reader.data import sample_pages
    from reader.sources.detect import parse_text

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
