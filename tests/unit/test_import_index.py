"""A streamed import indexes its papers a group at a time (`catalog.FTS_GROUP_ROWS`), not
batch by batch: FTS5 writes out what it gathered in memory at the start of every statement
that indexes many rows, so a statement per batch left a segment per batch.

- The index is written in few segments: one per group, not one per batch.
- A paper changed by a later batch while it waits for the index is indexed with its last
  text (and one indexed in an earlier group is re-indexed): the index agrees with the
  papers (FTS5's own check, `reader doctor`) and queries give what indexing every batch
  as it is written gives (groups of one row).
- A failure after some groups were indexed changes nothing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from benchmarks.corpus import PaperRecord, generate_papers, write_records
from reader import importing
from reader.errors import StoreError
from reader.library import Library, catalog
from reader.library.doctor import Doctor

BATCH = 100
QUERIES = ("learning", "le", '"language model"', "model -learning", "zzfirst", "zzlast")


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page file is streamed, in batches of `BATCH` papers."""
    monkeypatch.setattr(importing, "STREAM_PAGE_BYTES", 0)
    monkeypatch.setattr(importing, "STREAM_BATCH", BATCH)


def segments(folder: Path) -> int:
    """How many segments the full-text index is made of."""
    with sqlite3.connect(folder / "catalog.sqlite3") as db:
        return int(db.execute("SELECT count(DISTINCT segid) FROM papers_fts_idx").fetchone()[0])


def papers_with_a_repeat(count: int, first: int, again: int) -> list[PaperRecord]:
    """Generated papers where paper `again` is paper `first` seen again with another
    abstract (the same title: the same paper, whose text the later copy replaces)."""
    papers = generate_papers(count, seed=11)
    papers[first]["abstract"] = "zzfirst words of the first copy " + papers[first]["abstract"]
    papers[again] = {
        **papers[first],
        "abstract": "zzlast words of the later copy " + papers[again]["abstract"],
    }
    return papers


def test_a_streamed_import_writes_few_segments(tmp_path: Path, streamed: None) -> None:
    page = write_records(tmp_path / "page.txt", generate_papers(2_000, seed=3))
    with Library(tmp_path / "library") as library:
        importing.import_files(library, [str(page)])
    # 20 batches, all indexed by one statement at the end (a statement per batch left 7).
    assert segments(tmp_path / "library") == 1


def import_grouped(folder: Path, page: Path, group: int) -> dict[str, list[str]]:
    """Import `page` indexing `group` rows at a time; what each query finds then."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalog, "FTS_GROUP_ROWS", group)
        with Library(folder) as library:
            done = importing.import_files(library, [str(page)])
            assert (done.result.new, len(library)) == (999, 999)
            found = {query: library.keys(query) for query in QUERIES}
    assert len(found["zzlast"]) == 1 and found["zzfirst"] == []
    assert Doctor(folder).examine().healthy  # FTS5 compares its index with the papers
    return found


@pytest.mark.parametrize("group", [250, 40_000])
def test_a_paper_changed_while_it_waits_is_indexed_with_its_last_text(
    tmp_path: Path, streamed: None, group: int
) -> None:
    """Paper 30 comes again as paper 570 (batch 6) with another abstract: with groups of
    250 it was indexed in the first group and is indexed again, with groups of 40,000 it
    still waits; groups of 1 index each batch as it is written."""
    page = write_records(tmp_path / "page.txt", papers_with_a_repeat(1_000, 30, 570))
    found = import_grouped(tmp_path / "grouped", page, group)
    if group == 250:
        assert 1 < segments(tmp_path / "grouped") < 10  # fewer than the batches
    else:
        assert segments(tmp_path / "grouped") == 1
    assert import_grouped(tmp_path / "each", page, 1) == found


def test_a_failure_after_some_groups_changes_nothing(
    tmp_path: Path, streamed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog, "FTS_GROUP_ROWS", 300)
    folder = tmp_path / "library"
    with Library(folder) as library:
        importing.import_files(
            library, [str(write_records(tmp_path / "a.txt", generate_papers(150)))]
        )
        with sqlite3.connect(folder / "catalog.sqlite3") as db:
            before = db.execute("SELECT * FROM papers ORDER BY rowid").fetchall()
        found = library.keys("learning")
        indexed: list[int] = []
        real = catalog.Catalog._index_new

        def failing(self: catalog.Catalog, first: int, top: int, *rest: object) -> None:
            indexed.append(top)
            if len(indexed) == 3:
                raise sqlite3.OperationalError("disk I/O error")
            real(self, first, top, *rest)  # type: ignore[arg-type]

        monkeypatch.setattr(catalog.Catalog, "_index_new", failing)
        page = write_records(tmp_path / "b.txt", generate_papers(1_200, seed=4))
        with pytest.raises(StoreError, match="unchanged"):
            importing.import_files(library, [str(page)])
        assert len(indexed) == 3 and 150 < indexed[0] < indexed[1] < 1_200  # two groups indexed
        with sqlite3.connect(folder / "catalog.sqlite3") as db:
            assert db.execute("SELECT * FROM papers ORDER BY rowid").fetchall() == before
        assert library.keys("learning") == found
    assert Doctor(folder).examine().healthy
