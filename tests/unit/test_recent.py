"""The newest papers' own full-text index (`recent`): kept exactly in step with the
catalog through imports that add, change and re-date papers, and the first page it gives
(`Searcher.early_page`) is exactly the first page of the whole result, on random catalogs
and queries."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reader.library import Library, recent
from reader.model import Incoming, Paper
from tests.unit.test_ordering import QUERIES as ORDERING_QUERIES
from tests.unit.test_ordering import WORDS

# The ordering tests' words and queries, and mixes of text with the other filters.
QUERIES = (
    *(query for query in ORDERING_QUERIES if query),
    "causal -dense",
    "causal is:starred",
    "-causal is:starred",
    "video year:2025",
    "dense upvotes:>=2",
    "caus* OR -graph",
)
DATES = [None, date(2023, 5, 1), date(2024, 1, 1), date(2024, 6, 1), date(2025, 1, 1)]

paper_rows = st.tuples(
    st.integers(0, 30),  # which paper: the same number again is the same paper, changed
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
    st.sampled_from(DATES),  # few dates: many ties, which the key must break
    st.one_of(st.none(), st.integers(0, 3)),
)
imports = st.lists(st.lists(paper_rows, max_size=25), min_size=1, max_size=3)


@contextmanager
def small_recent(least: int, share: int) -> Iterator[None]:
    """A recent index of at least `least` papers, a `share`-th of them: small catalogs
    then move its cutoff as the benchmark's million papers do."""
    with (
        mock.patch.object(recent, "RECENT_MIN", least),
        mock.patch.object(recent, "RECENT_SHARE", share),
    ):
        yield


def made(number: int, words: list[str], published: date | None, upvotes: int | None) -> Paper:
    return Paper(
        key=f"p-{number:03d}",
        # Titles must differ between papers: an import takes the same title for the same
        # paper. The same number with other words is the same paper, its text changed.
        title=" ".join(words) + f" number{number}",
        abstract=" ".join(reversed(words)),
        published=published,
        upvotes=upvotes,
    )


def check_in_step(library: Library) -> None:
    """The recent index holds exactly the papers on or after its cutoff, and for each of
    them exactly the words the whole index holds (no word of an older text is left)."""
    db = library.catalog._db
    cutoff = recent.cutoff(db)
    assert cutoff is not None
    assert recent.problem(db) is None
    held = {
        row[0]
        for row in db.execute(
            "SELECT rowid FROM papers WHERE published IS NOT NULL AND published >= ?", (cutoff,)
        )
    }
    for word in (*WORDS, *(f"number{n}" for n in range(31))):
        found = "SELECT rowid FROM {0} WHERE {0} MATCH ?"
        whole = {row[0] for row in db.execute(found.format("papers_fts"), (word,))}
        recent_only = {row[0] for row in db.execute(found.format("papers_recent_fts"), (word,))}
        assert recent_only == whole & held, word


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=imports,
    queries=st.lists(st.sampled_from(QUERIES), min_size=1, max_size=4),
    least=st.integers(1, 8),
    share=st.integers(1, 4),
    limit=st.integers(1, 6),
)
def test_the_early_page_is_the_first_page_of_the_whole_result(
    batches: list[list[tuple[int, list[str], date | None, int | None]]],
    queries: list[str],
    least: int,
    share: int,
    limit: int,
) -> None:
    with (
        small_recent(least, share),
        tempfile.TemporaryDirectory() as folder,
        Library(Path(folder)) as library,
    ):
        for number, batch in enumerate(batches):
            papers = {row[0]: made(*row) for row in batch}  # one copy of a paper per import
            library.import_papers([Incoming(paper) for paper in papers.values()])
            library.set_starred([f"p-{n:03d}" for n in papers if n % 3 == number % 3], True)
            check_in_step(library)
            library.rowids("", "date")  # the date order at hand, as the app has it
            for query in queries:
                whole = library.rowids(query, "date").tolist()
                early = library.early_page(query, "date", limit)
                event("early page" if early is not None else "no early page")
                if early is not None:
                    assert len(early) >= limit
                    assert early.tolist() == whole[: len(early)]


def test_the_early_page_comes_from_the_newest_papers_only() -> None:
    with (
        small_recent(10, 1000),
        tempfile.TemporaryDirectory() as folder,
        Library(Path(folder)) as library,
    ):
        old = [made(n, ["causal", "video"], date(2020, 1, 1), n) for n in range(30)]
        new = [made(100 + n, ["causal"], date(2025, 1, 1 + n), 0) for n in range(12)]
        library.import_papers([Incoming(paper) for paper in old + new])
        db = library.catalog._db
        # The tenth newest paper's date: the ten newest papers and no other.
        assert recent.cutoff(db) == "2025-01-03"
        (held,) = db.execute("SELECT count(*) FROM papers_recent_fts").fetchone()
        assert held == 10
        # Nothing at hand before the date order is cached: the whole result is the way.
        assert library.early_page("causal", "date", 5) is None
        whole = library.rowids("causal", "date").tolist()
        early = library.early_page("causal", "date", 5)
        assert early is not None and early.tolist() == whole[:10]
        # Fewer matches among the newest than asked for, another sort, a query without
        # text: no early page.
        assert library.early_page("video", "date", 1) is None
        assert library.early_page("causal", "date", 11) is None
        assert library.early_page("causal", "upvotes", 5) is None
        assert library.early_page("year:2025", "date", 1) is None
        negated = library.early_page("-video", "date", 5)
        assert negated is not None and negated.tolist() == library.rowids("-video").tolist()[:10]


def test_newer_papers_move_the_cutoff_and_the_older_ones_leave() -> None:
    with (
        small_recent(5, 1000),
        tempfile.TemporaryDirectory() as folder,
        Library(Path(folder)) as library,
    ):
        library.import_papers(
            [Incoming(made(n, ["graph"], date(2024, 1, 1 + n), 0)) for n in range(8)]
        )
        db = library.catalog._db
        assert recent.cutoff(db) == "2024-01-04"
        library.import_papers(
            [Incoming(made(50 + n, ["video"], date(2025, 1, 1 + n), 0)) for n in range(6)]
        )
        assert recent.cutoff(db) == "2025-01-02"
        check_in_step(library)
        ids = {row[0] for row in db.execute("SELECT rowid FROM papers_recent_fts")}
        assert ids == {library.catalog.rowid_of(f"p-{50 + n:03d}") for n in range(1, 6)}
        # Re-dated into the past: the paper leaves the index in the same import.
        library.import_papers([Incoming(made(55, ["video"], date(2019, 1, 1), 0))])
        check_in_step(library)


def test_an_older_catalog_gains_the_index_when_opened(tmp_path: Path) -> None:
    with small_recent(3, 1000), Library(tmp_path) as library:
        library.import_papers(
            [Incoming(made(n, ["dense"], date(2024, 1, 1 + n), 0)) for n in range(6)]
        )
    # As reader wrote catalogs before the recent index (schema 3).
    with sqlite3.connect(tmp_path / "catalog.sqlite3") as db:
        db.execute("DROP TABLE papers_recent_fts")
        db.execute("DROP TABLE papers_recent")
        db.execute("PRAGMA user_version = 3")
    db.close()
    with small_recent(3, 1000), Library(tmp_path) as library:
        check_in_step(library)
        assert recent.cutoff(library.catalog._db) == "2024-01-04"
        library.rowids("", "date")
        early = library.early_page("dense", "date", 3)
        assert early is not None and early.tolist() == library.rowids("dense").tolist()[:3]


def test_a_failed_upgrade_leaves_the_older_catalog_as_it_was(tmp_path: Path) -> None:
    with Library(tmp_path) as library:
        library.import_papers([Incoming(made(1, ["dense"], date(2024, 1, 1), 0))])
    with sqlite3.connect(tmp_path / "catalog.sqlite3") as db:
        db.execute("DROP TABLE papers_recent_fts")
        db.execute("DROP TABLE papers_recent")
        db.execute("PRAGMA user_version = 3")
    db.close()

    def killed(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO papers_recent (cutoff) VALUES ('')")
        raise RuntimeError("killed")  # as a kill part way through the upgrade

    with mock.patch.object(recent, "rebuild", killed), pytest.raises(RuntimeError):
        Library(tmp_path)
    with sqlite3.connect(tmp_path / "catalog.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 3
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        assert "papers_recent" not in tables and "papers_recent_fts" not in tables
    db.close()
    with Library(tmp_path) as library:
        check_in_step(library)
        assert library.keys("dense") == ["p-001"]


def test_a_search_told_to_stop_ends_and_the_next_one_runs(library: Library) -> None:
    from reader.library import search

    library.import_papers(
        [Incoming(made(n, ["causal"], date(2024, 1, 1 + n % 28), n)) for n in range(30)]
    )
    library.rowids("", "date")
    parsed = library.parse("causal")
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return True

    with mock.patch.object(search, "STOP_EVERY", 1), pytest.raises(search.SearchStopped):
        library.rowids_at_hand(parsed, "date", stop)
    assert asked
    # The connection is as before: no leftover handler stops the next search.
    whole = library.rowids_at_hand(parsed, "date")
    assert whole is not None and len(whole) == 30
    assert library.rowids_at_hand(parsed, "date", lambda: False) == whole


def test_a_search_stopped_while_it_fills_in_similar_papers_says_so(library: Library) -> None:
    from reader.library import search

    library.import_papers(
        [Incoming(made(n, ["causal", "graph"], date(2024, 1, 1 + n), n)) for n in range(20)]
    )
    library.rowids("", "date")
    parsed = library.parse("similar:p-001 causal")
    with mock.patch.object(search, "STOP_EVERY", 1), pytest.raises(search.SearchStopped):
        library.rowids_at_hand(parsed, "date", lambda: True)
    assert library.rowids_at_hand(parsed, "date") == library.rowids(parsed, "date")
