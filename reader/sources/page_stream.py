"""A copied page too large to hold (a generated "whole arXiv" page of a million papers),
read as a stream: in batches of papers, in memory that does not grow with the page.

The page is read exactly as `hfpage.read_page` reads it, block by block of text: the scan
stops `MARGIN` lines before the end of what has been read (a paper is never cut, and the
look-ahead sees the same lines), the papers read so far are handed on in a batch and
forgotten, and the scan goes on. Three things a whole page knows at once are kept within
a window instead:

- a paper repeated within one batch is merged as `read_page` merges it (the first copy
  wins); a repeat further away reaches the catalog as a second copy, which the import
  merges like a re-import of the same paper;
- the lines remembered to recognize halves that overlap (pasted twice) are forgotten
  every `RECENT_LINES` lines: an overlap is recognized within that many lines;
- a date without a year takes the page's capture year as known when its batch is handed
  on (one more than the latest year seen so far under the same header).

A page shorter than one batch is read exactly as `read_page` reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from reader.errors import InputError
from reader.model import Incoming, Paper
from reader.sources import hfpage

BATCH_PAPERS = 5_000
"""Papers handed on at a time (at most; repeats within a batch are merged)."""
LINES_PER_PAPER = 5
"""Non-empty lines of a paper block (title, abstract, byline, dot, date)."""
MARGIN = 64
"""Lines left unscanned at the end of the buffer: the scan's look-ahead and an abstract
wrapped onto several lines stay within it."""
RECENT_LINES = 100_000
"""Lines remembered to recognize text read before (about 20,000 papers)."""


@dataclass(slots=True)
class PageBatch:
    """Papers of a streamed page, and the lines near them that were not papers."""

    items: list[Incoming]
    skipped: list[str]


def iter_page(
    blocks: Iterable[str],
    *,
    year: int | None = None,
    today: date | None = None,
    source: str = "hf-page",
    batch: int = BATCH_PAPERS,
) -> Iterator[PageBatch]:
    """The papers of the page whose text comes in `blocks` (each ending at a line end), in
    batches of at most `batch` papers. `InputError` when the page holds no paper at all
    (raised at its end: the batches before it were handed on already)."""
    reader = _StreamReader(year, today or date.today(), source, batch)
    for block in blocks:
        reader.scan.lines.extend(hfpage._lines(block))
        while len(reader.scan.lines) - reader.scan.position >= batch * LINES_PER_PAPER + MARGIN:
            yield reader.take(final=False)
    while True:
        last = reader.take(final=True)
        if last.items or last.skipped:
            yield last
        if not any(segment.entries for segment in reader.scan.segments):
            break
    if not reader.papers:
        raise InputError("no papers found in the page text")


class _StreamReader:
    """The state of one streamed page between batches."""

    def __init__(self, year: int | None, today: date, source: str, batch: int) -> None:
        self.scan = hfpage._Scan([], whole=False)
        self.year, self.today, self.source, self.batch = year, today, source, batch
        self.papers = 0
        """Papers handed on so far."""
        self._pending: list[str] = []
        """Skipped lines of the last batch, checked against the next one's papers too."""
        self._previous: list[hfpage._Entry] = []
        self._remembered = 0

    def take(self, *, final: bool) -> PageBatch:
        """Scan on and hand on the papers read (all of them when `final`)."""
        scan = self.scan
        lines = scan.lines
        stop = (
            len(lines)
            if final
            else min(len(lines) - MARGIN, scan.position + self.batch * LINES_PER_PAPER)
        )
        scan.advance(max(stop, scan.position))
        # Drop the lines scanned: positions restart at the first line not scanned yet.
        self._remembered += scan.position
        del lines[: scan.position]
        scan.position = 0
        held = None if final else scan.open_entry  # its abstract may go on in the next lines
        entries: list[hfpage._Entry] = []
        papers: list[Paper] = []
        index_by_key: dict[str, int] = {}
        for segment in scan.segments:
            taken = segment.entries
            if held is not None and taken and taken[-1] is held:
                taken = taken[:-1]
            taken = taken[: self.batch - len(entries)]  # the rest goes in the next batch
            hfpage.add_papers(
                papers, index_by_key, segment, taken, self.year, self.today, self.source
            )
            entries.extend(taken)
            segment.taken += len(taken)
            segment.entries = segment.entries[len(taken) :]
        # Only the current segment can still grow.
        scan.segments = [
            segment for segment in scan.segments if segment.entries or segment is scan.segment
        ]
        skipped, scan.skipped = scan.skipped, []
        before = hfpage.unread(self._pending, entries)
        now = hfpage.unread(skipped, self._previous + entries)
        if final:
            before, now = before + now, []
        self._pending, self._previous = now, entries
        if self._remembered >= RECENT_LINES:
            self._forget()
        self.papers += len(papers)
        return PageBatch([Incoming(paper=paper) for paper in papers], before)

    def _forget(self) -> None:
        """Forget the lines remembered for recognizing text read before."""
        self.scan._seen.clear()
        self.scan._not_titles.clear()
        self.scan._titles_of.clear()
        self._remembered = 0
