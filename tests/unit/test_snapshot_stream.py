"""The arXiv snapshot streamed into the catalog (issue 11): read and parsed on a second
thread a batch or two ahead of the writing, and still imported all or nothing.

- A bad line in the middle of the file, an error while writing, or a kill after some
  batches are written leave the catalog exactly as it was, and the reading thread stops.
- Lines end at "\\n" only: a record holding U+2028 or U+0085 unescaped (as `jq` writes
  them) is one record, and the lines after it keep their numbers.
- Titles are folded on the reading thread (the writer finds them in the cache).
- The reading holds a batch or two, not the file.
"""

from __future__ import annotations

import gc
import json
import signal
import threading
import tracemalloc
from pathlib import Path

import pytest

from reader import importing
from reader.errors import InputError, StoreError
from reader.fileio import TextInput
from reader.identity import normalize_title
from reader.library import Library
from reader.matching import import_filter
from tests.unit.test_new_formats import write_snapshot
from tests.unit.test_page_stream import (
    catalog_rows,
    catalog_schema,
    fail_writing,
    kill_while_importing,
    write_page,
)


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "STREAM_BATCH", 100)


def reading_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "reader-read-ahead"]


def library_with_papers(folder: Path, tmp_path: Path, count: int) -> None:
    with Library(folder) as library:
        if count:
            importing.import_files(library, [str(write_page(tmp_path / "before.txt", count))])


# --- failures in the middle -------------------------------------------------------------------


@pytest.mark.parametrize("bad", ['{"id": "0704.0001", ', "[1, 2]", '{"id": "x", "title": "T"}'])
def test_a_bad_line_in_the_middle_changes_nothing(
    tmp_path: Path, small_batches: None, bad: str
) -> None:
    """Batches before the bad line were written inside the transaction: all are undone."""
    folder = tmp_path / "library"
    library_with_papers(folder, tmp_path, 50)
    rows, schema = catalog_rows(folder), catalog_schema(folder)
    path = write_snapshot(tmp_path / "snapshot.json", 650)
    with path.open("a", encoding="utf-8") as file:
        file.write(bad + "\n")
    with path.open("a", encoding="utf-8") as file:
        for line in write_snapshot(tmp_path / "more.json", 400).read_text().splitlines():
            file.write(line + "\n")
    with Library(folder) as library, pytest.raises(InputError, match=r"snapshot\.json: line 651"):
        importing.import_files(library, [str(path)])
    assert catalog_rows(folder) == rows
    assert catalog_schema(folder) == schema
    assert not reading_threads()


@pytest.mark.parametrize("before", [0, 30])
def test_the_reading_stops_when_the_writing_fails(
    tmp_path: Path, small_batches: None, monkeypatch: pytest.MonkeyPatch, before: int
) -> None:
    folder = tmp_path / "library"
    library_with_papers(folder, tmp_path, before)
    rows, schema = catalog_rows(folder), catalog_schema(folder)
    path = write_snapshot(tmp_path / "snapshot.json", 2_000)
    calls = fail_writing(monkeypatch, at=4)
    with Library(folder) as library, pytest.raises(StoreError, match="unchanged"):
        importing.import_files(library, [str(path)])
    assert len(calls) == 4  # the writing stopped at the failure: no batch was asked for after
    assert catalog_rows(folder) == rows
    assert catalog_schema(folder) == schema
    assert not reading_threads()


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize(("before", "batches"), [(0, 2), (40, 7)])
def test_a_snapshot_import_killed_midway_changes_nothing(
    tmp_path: Path, before: int, batches: int
) -> None:
    folder = tmp_path / "library"
    library_with_papers(folder, tmp_path, before)
    path = write_snapshot(tmp_path / "snapshot.json", 3_000)
    kill_while_importing(folder, path, batches)
    with Library(folder) as library:
        assert len(library.keys("")) == len(library) == before
        # And the same file imports whole afterwards.
        assert importing.import_files(library, [str(path)]).result.new == 3_000


# --- lines ------------------------------------------------------------------------------------


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_only_newlines_end_a_record(tmp_path: Path, library: Library, separator: str) -> None:
    """JSON lets these stand unescaped in a string, and `jq` writes them so."""
    records = [json.loads(line) for line in write_snapshot(tmp_path / "s.json", 3).open()]
    records[1]["abstract"] = f"First part.{separator}Second part."
    text = "\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    assert separator in text
    path = tmp_path / "snapshot.json"
    path.write_text(text + "\n{broken\r\n", encoding="utf-8", newline="")
    # The record holding the character is read whole; the broken line is line 4.
    with pytest.raises(InputError, match=r"snapshot\.json: line 4: not valid JSON"):
        importing.import_files(library, [str(path)])
    path.write_text(text + "\r\n", encoding="utf-8", newline="")
    assert importing.import_files(library, [str(path)]).result.new == 3
    assert library.entry(records[1]["id"]).paper.abstract == "First part. Second part."


@pytest.mark.parametrize("text", ["a\nb\n", "a\nb", "\n\na\n\n", "a\r\nb\r\n", "\ufeffa\n", "a"])
def test_lines_are_the_text_cut_at_newlines(tmp_path: Path, text: str) -> None:
    path = tmp_path / "input.txt"
    path.write_text(text, encoding="utf-8", newline="")
    with TextInput(str(path)) as opened:
        lines = list(opened.lines())
    expected = text.removeprefix("\ufeff").split("\n")
    if text.endswith("\n"):
        expected.pop()
    assert lines == expected


def test_lines_across_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of whole lines, cut where the reads fall: no line is split or invented."""
    from reader import fileio

    monkeypatch.setattr(fileio, "_CHUNK_BYTES", 7)
    written = [f"line {number}" * (number % 5) for number in range(300)]
    path = tmp_path / "input.txt"
    path.write_text("\n".join(written) + "\n", encoding="utf-8")
    with TextInput(str(path)) as opened:
        assert list(opened.lines()) == written


# --- work on the reading thread, and its memory -----------------------------------------------


def test_titles_are_folded_on_the_reading_thread(
    tmp_path: Path, library: Library, small_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []

    def folding(title: str) -> str:
        threads.append(threading.current_thread().name)
        return normalize_title(title)

    monkeypatch.setattr(importing, "normalize_title", folding)
    path = write_snapshot(tmp_path / "snapshot.json", 700)
    done = importing.import_files(library, [str(path)], keep=import_filter("cat:cs"))
    # Only the papers the filter keeps, each once, and none on the writing thread.
    assert len(threads) == done.result.new == len(library) > 0
    assert set(threads) == {"reader-read-ahead"}


@pytest.mark.slow
def test_the_reading_holds_a_batch_or_two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Five times the lines, about the same peak memory while reading and parsing: a
    block of the file and the batches read ahead, never the file (the cache of folded
    titles, bounded on its own, is left out)."""
    from reader import fileio

    monkeypatch.setattr(fileio, "_CHUNK_BYTES", 64 * 1024)
    monkeypatch.setattr(importing, "STREAM_BATCH", 50)
    monkeypatch.setattr(importing, "normalize_title", lambda title: title)
    lines = write_snapshot(tmp_path / "snapshot.json", 1_500).read_text().splitlines()

    def peak(count: int) -> int:
        path = tmp_path / f"snapshot-{count}.json"
        path.write_text("\n".join(lines[:count]) + "\n", encoding="utf-8")
        stream = importing.Stream(TextInput(str(path)), "arxiv-snapshot")
        gc.collect()
        tracemalloc.start()
        try:
            batches = importing._batches([], [stream], importing.Report(), None)
            assert sum(len(items) for items, _, _ in batches) == count
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            stream.opened.close()

    small, large = peak(300), peak(1_500)
    assert large < 1.25 * small, (small, large)
    assert large < path_size(tmp_path / "snapshot-1500.json") / 2


def path_size(path: Path) -> int:
    return path.stat().st_size


# --- the indexes built after the rows ---------------------------------------------------------


def test_the_deferred_indexes_are_sorted_in_a_file_with_a_small_cache(
    tmp_path: Path, library: Library, small_batches: None
) -> None:
    """Filling an empty catalog builds the sort orders' indexes after the rows: with a
    small page cache and sorted runs in a temporary file, as SQLite's sorter otherwise
    holds them all in memory (100 MB more at a million papers). The connection's own
    settings come back afterwards."""
    from reader.library import catalog

    statements: list[str] = []
    db = library.catalog._db
    db.set_trace_callback(statements.append)
    try:
        importing.import_files(library, [str(write_snapshot(tmp_path / "s.json", 450))])
    finally:
        db.set_trace_callback(None)
    creates = [n for n, sql in enumerate(statements) if "CREATE INDEX" in sql]
    assert len(creates) == len(catalog._DEFERRED_INDEXES)
    small = statements.index(f"PRAGMA cache_size = -{catalog.SORT_CACHE_KIB}")
    to_file = statements.index("PRAGMA temp_store = FILE")
    back = statements.index("PRAGMA temp_store = 2")
    assert small < creates[0] and to_file < creates[0] and back > creates[-1]
    assert db.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
    assert db.execute("PRAGMA cache_size").fetchone()[0] == -catalog.CACHE_KIB
    newest = library.entries("", sort="date", limit=1)[0].paper.published
    assert newest == max(entry.paper.published for entry in library.entries(""))  # type: ignore[type-var]


def test_a_failure_while_the_indexes_are_built_changes_nothing(
    tmp_path: Path, small_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.library import catalog

    folder = tmp_path / "library"
    library_with_papers(folder, tmp_path, 0)
    schema = catalog_schema(folder)
    real = catalog.Catalog._defer_indexes
    monkeypatch.setattr(
        catalog.Catalog,
        "_defer_indexes",
        lambda self: [*real(self), "CREATE INDEX broken ON no_such_table(x)"],
    )
    with Library(folder) as library:
        with pytest.raises(StoreError, match="unchanged"):
            importing.import_files(library, [str(write_snapshot(tmp_path / "s.json", 300))])
        assert library.catalog._db.execute("PRAGMA temp_store").fetchone()[0] == 2
        assert len(library) == 0
    assert catalog_schema(folder) == schema
    assert not reading_threads()
