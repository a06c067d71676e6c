"""A page too large to hold is read as a stream (issue 16): in bounded batches, on a
second thread, and still imported all or nothing.

- Every sample page, copied every way users copy pages, read as a stream in blocks cut
  anywhere between lines, gives the papers and the skipped lines `read_page` gives.
- Batches and the memory of the reading stay bounded whatever the page's length.
- A stream broken in the middle (a bad byte after thousands of papers) changes nothing,
  a streamed import gives the same catalog as a whole one, and the thread that reads
  ahead stops when the writing fails.
"""

from __future__ import annotations

import gc
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from benchmarks.corpus import generate_page, iter_page
from reader import importing
from reader.errors import InputError, StoreError
from reader.identity import normalize_title
from reader.library import Library
from reader.pipeline import Turns, ahead
from reader.sources import page_stream
from reader.sources.hfpage import read_page
from tests.unit.page_variants import VARIANTS, sample_pages

TODAY = date(2026, 11, 21)
REPO = Path(__file__).resolve().parents[2]
PAGES = sample_pages()


def blocks_of(text: str, rng: random.Random) -> list[str]:
    """`text` in blocks of whole lines, cut at random line ends (as a file is read)."""
    lines = text.splitlines(keepends=True)
    blocks: list[str] = []
    start = 0
    while start < len(lines):
        end = start + rng.randint(1, 40)
        blocks.append("".join(lines[start:end]))
        start = end
    return blocks


def streamed(text: str, batch: int, rng: random.Random) -> tuple[list[object], list[str]]:
    papers: list[object] = []
    skipped: list[str] = []
    for part in page_stream.iter_page(blocks_of(text, rng), today=TODAY, batch=batch):
        assert len({item.paper.key for item in part.items}) == len(part.items)
        papers.extend(item.paper for item in part.items)
        skipped.extend(part.skipped)
    return papers, skipped


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_a_streamed_page_reads_as_the_whole_page(name: str) -> None:
    rng = random.Random(name)
    for page in PAGES:
        text = VARIANTS[name](page, rng).text
        whole = read_page(text, today=TODAY)
        papers, skipped = streamed(text, 10_000, rng)
        assert papers == [item.paper for item in whole.items], page.name
        assert skipped == whole.skipped, page.name


@pytest.mark.parametrize("batch", [1, 2, 3, 7])
def test_small_batches_give_the_same_papers(batch: int) -> None:
    """Batches cut inside a page: the same papers (a repeat of a paper in another batch
    comes again, for the import to merge)."""
    rng = random.Random(batch)
    for page in PAGES:
        whole = read_page(page.text, today=TODAY)
        papers, skipped = streamed(page.text, batch, rng)
        assert {paper.key for paper in papers} == {item.paper.key for item in whole.items}  # type: ignore[attr-defined]
        assert skipped == whole.skipped


def test_a_generated_page_streams_exactly() -> None:
    text = generate_page(3_000, seed=3)
    whole = read_page(text, today=TODAY)
    papers, skipped = streamed(text, 250, random.Random(3))
    assert papers == [item.paper for item in whole.items]
    assert skipped == whole.skipped == []


def test_batches_and_memory_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reading holds a batch or two and the lines it remembers, not the page: six
    times the papers, about the same peak memory (the page's text itself is made first,
    and the bounded cache of normalized titles is full)."""
    monkeypatch.setattr(page_stream, "RECENT_LINES", 1_000)
    for number in range(70_000):
        normalize_title(f"{number:>8} a title as long as the generated ones " * 3)

    def peak(count: int) -> int:
        blocks = list(iter_page(count, seed=1))
        gc.collect()
        tracemalloc.start()
        try:
            for part in page_stream.iter_page(blocks, today=TODAY, batch=200):
                assert 0 < len(part.items) <= 200
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(1_000), peak(6_000)
    assert large < 1.25 * small, (small, large)
    assert large < 2 * 1024 * 1024  # the page is 8 MB


def test_a_page_without_papers_fails_at_its_end() -> None:
    with pytest.raises(InputError, match="no papers"):
        list(page_stream.iter_page(["Daily Papers\n", "nothing here\n"], today=TODAY))


# --- the import -------------------------------------------------------------------------------


@pytest.fixture
def streamed_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page file is streamed, in batches of 100 papers."""
    monkeypatch.setattr(importing, "STREAM_PAGE_BYTES", 0)
    monkeypatch.setattr(importing, "STREAM_BATCH", 100)


def write_page(path: Path, count: int, seed: int = 5) -> Path:
    path.write_text(generate_page(count, seed=seed), encoding="utf-8")
    return path


def catalog_rows(folder: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(folder / "catalog.sqlite3") as db:
        return db.execute("SELECT * FROM papers ORDER BY rowid").fetchall()


def catalog_schema(folder: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(folder / "catalog.sqlite3") as db:
        return db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


def test_a_streamed_import_gives_the_whole_import(tmp_path: Path, streamed_pages: None) -> None:
    page = write_page(tmp_path / "page.txt", 1_500)
    progress: list[tuple[int, int]] = []
    with Library(tmp_path / "streamed") as library:
        done = importing.import_files(
            library, [str(page)], progress=lambda *step: progress.append(step)
        )
        assert done.result.new == len(library) == 1_500
        streamed_keys = library.keys("")
        found = library.keys("learning")
    importing.STREAM_PAGE_BYTES = 1 << 40  # restored by monkeypatch
    with Library(tmp_path / "whole") as library:
        importing.import_files(library, [str(page)])
        assert library.keys("") == streamed_keys
        assert library.keys("learning") == found
    # Progress in bytes of the file, once per batch, up to its size.
    assert len(progress) >= 15
    assert progress[-1] == (page.stat().st_size, page.stat().st_size)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)


def test_a_stream_broken_in_the_middle_changes_nothing(
    tmp_path: Path, streamed_pages: None
) -> None:
    before = write_page(tmp_path / "before.txt", 300, seed=1)
    text = generate_page(2_000, seed=2).encode("utf-8")
    broken = tmp_path / "broken.txt"
    cut = int(len(text) * 0.9)
    broken.write_bytes(text[:cut] + b"\n\xff\xfe\n" + text[cut:])
    with Library(tmp_path / "library") as library:
        importing.import_files(library, [str(before)])
        rows = catalog_rows(tmp_path / "library")
        with pytest.raises(InputError, match="not UTF-8"):
            importing.import_files(library, [str(broken)])
        assert catalog_rows(tmp_path / "library") == rows
        assert len(library.keys("")) == 300  # the full-text index agrees


def test_a_failed_first_import_keeps_the_sort_indexes(tmp_path: Path, streamed_pages: None) -> None:
    """Filling an empty catalog drops the sort orders' indexes for a while: a failure
    brings them back with everything else."""

    def indexes() -> list[tuple[object, ...]]:
        return catalog_schema(tmp_path / "library")

    text = generate_page(800, seed=4).encode("utf-8")
    broken = tmp_path / "broken.txt"
    broken.write_bytes(text + b"\xff\n")
    with Library(tmp_path / "library") as library:
        expected = indexes()
        assert "papers_order_date" in {name for _, name, _ in expected}
        with pytest.raises(InputError):
            importing.import_files(library, [str(broken)])
        assert indexes() == expected
        assert len(library) == 0
        importing.import_files(library, [str(write_page(tmp_path / "page.txt", 800))])
        assert indexes() == expected
        assert len(library) == 800
        newest = library.entries("", sort="date", limit=1)[0].paper.published
        assert newest == max(entry.paper.published for entry in library.entries(""))  # type: ignore[type-var]


def test_the_reading_stops_when_the_writing_fails(
    tmp_path: Path, streamed_pages: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = write_page(tmp_path / "page.txt", 2_000)
    fail_writing(monkeypatch, at=3)
    with Library(tmp_path / "library") as library:
        with pytest.raises(StoreError, match="unchanged"):
            importing.import_files(library, [str(page)])
        assert len(library) == 0
    assert not [thread for thread in threading.enumerate() if thread.name == "reader-read-ahead"]


def fail_writing(monkeypatch: pytest.MonkeyPatch, at: int) -> list[int]:
    """Make the writing of the `at`th batch of the next import fail as a disk error does;
    the list returned counts the batches the writing was asked to write."""
    from reader.library import catalog

    calls: list[int] = []
    real = catalog.Catalog._write_plan

    def failing(self: catalog.Catalog, *arguments: object) -> int:
        calls.append(len(calls) + 1)
        if len(calls) == at:
            raise sqlite3.OperationalError("disk I/O error")
        return real(self, *arguments)  # type: ignore[arg-type]

    monkeypatch.setattr(catalog.Catalog, "_write_plan", failing)
    return calls


# --- reading ahead ----------------------------------------------------------------------------


def test_ahead_gives_every_item_in_order_and_keeps_within_its_depth() -> None:
    produced = 0
    consumed = 0
    gaps: list[int] = []

    def source() -> Iterator[int]:
        nonlocal produced
        for number in range(200):
            produced += 1
            gaps.append(produced - consumed)
            yield number

    found = []
    for item in ahead(source(), depth=2):
        consumed += 1
        found.append(item)
    assert found == list(range(200))
    # Queued (2), waiting to be queued (1) and the one being handed over.
    assert max(gaps) <= 4


def test_ahead_raises_the_error_where_it_happened() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise InputError("line 3 is broken")

    found = []
    with pytest.raises(InputError, match="line 3"):
        for item in ahead(source()):
            found.append(item)
    assert found == [1, 2]


def test_ahead_closes_its_source_when_the_consumer_stops() -> None:
    closed = threading.Event()

    def source() -> Iterator[int]:
        try:
            yield from range(1_000_000)
        finally:
            closed.set()

    items = ahead(source(), depth=3)
    assert next(items) == 0
    items.close()  # type: ignore[attr-defined]
    assert closed.is_set()


def test_ahead_with_turns_reads_only_in_the_turns_it_is_lent() -> None:
    """The writer lends the reading thread its turns (while it waits for a batch, while
    SQLite indexes): outside them the reading thread takes no GIL from it."""
    produced = 0

    def source() -> Iterator[int]:
        nonlocal produced
        for number in range(20):
            time.sleep(0.05)  # reading a batch takes a while
            produced += 1
            yield number

    def soon(condition: Callable[[], bool]) -> bool:
        deadline = time.monotonic() + 5
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.01)
        return condition()

    turns = Turns()
    items = ahead(source(), depth=4, turns=turns)
    assert next(items) == 0  # waiting for it lent a turn, until it was queued
    time.sleep(0.3)
    assert produced == 1  # nothing read outside a turn
    with turns.lent():
        assert soon(lambda: produced >= 5)  # four queued, and one waiting for room
    time.sleep(0.2)
    held = produced
    time.sleep(0.3)
    assert produced == held <= 6
    assert list(items) == list(range(1, 20))  # waiting for each lends the turns it needs


def test_ahead_stops_waiting_for_a_turn_when_the_consumer_stops() -> None:
    closed = threading.Event()

    def source() -> Iterator[int]:
        try:
            yield from range(1_000)
        finally:
            closed.set()

    items = ahead(source(), depth=2, turns=Turns())
    assert next(items) == 0
    items.close()  # type: ignore[attr-defined]
    assert closed.is_set()
    assert not [thread for thread in threading.enumerate() if thread.name == "reader-read-ahead"]


# --- a kill in the middle ---------------------------------------------------------------------

_IMPORTER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from reader import importing
    from reader.library import Library

    from reader.library import catalog

    importing.STREAM_PAGE_BYTES = 0
    importing.STREAM_BATCH = 200
    catalog.FTS_GROUP_ROWS = 500  # killed after some groups were indexed too
    with Library(Path(sys.argv[1])) as library:
        importing.import_files(
            library, [sys.argv[2]], progress=lambda done, total: print("batch", flush=True)
        )
        print("imported", flush=True)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize(("before", "batches"), [(100, 1), (100, 9), (0, 4)])
def test_a_streamed_import_killed_midway_changes_nothing(
    tmp_path: Path, before: int, batches: int
) -> None:
    """Killed after some batches are written: the catalog is as it was, its sort indexes
    too (an empty catalog is filled without them for a while)."""
    folder = tmp_path / "library"
    with Library(folder) as library:
        if before:
            page = write_page(tmp_path / "before.txt", before, seed=8)
            importing.import_files(library, [str(page)])
    page = write_page(tmp_path / "page.txt", 3_000, seed=9)
    kill_while_importing(folder, page, batches)
    with Library(folder) as library:
        assert len(library.keys("")) == len(library) == before


def kill_while_importing(folder: Path, path: Path, batches: int) -> None:
    """Import `path` in a real process, SIGKILL it once `batches` batches are written
    (inside the one transaction), and check that the catalog is whole and as it was."""
    rows = catalog_rows(folder)
    schema = catalog_schema(folder)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    child = subprocess.Popen(
        [sys.executable, "-c", _IMPORTER, str(folder), str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert child.stdout is not None
    for _ in range(batches):
        assert child.stdout.readline() == "batch\n"
    child.send_signal(signal.SIGKILL)
    child.wait()
    with sqlite3.connect(folder / "catalog.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert catalog_rows(folder) == rows
    assert catalog_schema(folder) == schema


def test_a_late_word_that_an_item_was_queued_does_not_end_the_consumer_s_next_wait() -> None:
    # The reading thread may lose the GIL between queuing an item and saying so; a fast
    # consumer may meanwhile take the item, finish it and wait for the next. The late word
    # must not end that new wait, or each thread waits for the other for good.
    class Late(Turns):
        def _queued(self, still_queued: Callable[[], bool]) -> None:
            time.sleep(0.05)  # the reading thread's word comes late
            super()._queued(still_queued)

    got: list[int] = []

    def consume() -> None:
        got.extend(ahead(iter(range(5)), 8, Late()))

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    consumer.join(30)  # bounded: a hang fails the test instead of the suite
    assert not consumer.is_alive(), f"the import hung after {got}"
    assert got == [0, 1, 2, 3, 4]
