"""Query results ordered by numpy through the cached order of the catalog (`ordering`)
are exactly the order SQL gives, on random catalogs, queries and sorts."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.library import Library
from reader.library.ordering import MASK_SHARE, Ordering, fetch_rowids, index_of, packed
from reader.library.sql import ORDER_BY
from reader.model import Incoming, Paper

WORDS = ("causal", "sparse", "dense", "retrieval", "video", "graph")
QUERIES = (
    "",
    "causal",
    "-causal",
    "ca",
    "sparse dense",
    "causal OR video",
    '"sparse dense"',
    "is:starred",
    "-is:starred",
    "is:read causal",
    "year:2024",
    "upvotes:>=2",
    "title:graph -video",
    "tag:keep",
    "zzz",
)
SQL_SORTS = tuple(ORDER_BY)
DATES = [date(2024, 1, 1), date(2024, 6, 1), date(2025, 1, 1)]
Row = tuple[list[str], date | None, int | None, str]

papers = st.lists(
    st.tuples(
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
        # Few dates and vote counts, some missing: many ties, which the key must break.
        st.one_of(
            st.none(), st.sampled_from([date(2024, 1, 1), date(2024, 6, 1), date(2025, 1, 1)])
        ),
        st.one_of(st.none(), st.integers(0, 3)),
        st.sampled_from(["", "starred", "read", "tagged"]),
    ),
    min_size=0,
    max_size=40,
)


def make_library(
    folder: Path, rows: list[tuple[list[str], date | None, int | None, str]]
) -> Library:
    library = Library(folder)
    made = [
        Paper(
            key=f"p-{index:03d}",
            # Titles must differ: an import takes the same title for the same paper.
            title=" ".join(words) + f" number{index}",
            abstract=" ".join(reversed(words)),
            published=published,
            upvotes=upvotes,
        )
        for index, (words, published, upvotes, _) in enumerate(rows)
    ]
    library.import_papers([Incoming(paper) for paper in made])
    marked = {
        state: [p.key for p, row in zip(made, rows, strict=True) if row[3] == state]
        for state in ("starred", "read", "tagged")
    }
    library.set_starred(marked["starred"], True)
    library.set_read(marked["read"], True)
    for key in marked["tagged"]:
        library.set_tags(key, ["keep"])
    return library


def listed_keys(library: Library, rowids: object) -> list[str]:
    ids = list(rowids)  # type: ignore[call-overload]
    rows = library.rows(ids)
    return [rows[rowid].paper.key for rowid in ids]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=papers, query=st.sampled_from(QUERIES), sort=st.sampled_from(SQL_SORTS))
def test_numpy_order_is_the_order_sql_gives(rows, query: str, sort: str) -> None:
    with tempfile.TemporaryDirectory() as folder, make_library(Path(folder), rows) as library:
        expected = library.keys(query, sort)  # ORDER BY in SQL, no cached order
        # Before the order of the catalog is cached, nothing is "at hand".
        assert library.rowids_at_hand(query, sort) is None
        page, count = library.first_page(query, sort, limit=3)
        whole = library.rowids(query, sort)
        assert listed_keys(library, whole) == expected
        assert count == len(expected) == library.count(query)
        assert page.tolist() == whole[:3].tolist()
        # Once cached, the whole result comes at once, the same as the eager one.
        at_hand = library.rowids_at_hand(query, sort)
        assert at_hand is not None and at_hand.tolist() == whole.tolist()


def test_an_import_makes_the_cached_order_stale(library: Library) -> None:
    library.import_papers([Incoming(Paper(key="old", title="Old", published=date(2020, 1, 1)))])
    library.rowids("", "date")
    assert library.rowids_at_hand("", "date") is not None
    library.import_papers([Incoming(Paper(key="new", title="New", published=date(2026, 1, 1)))])
    assert library.rowids_at_hand("", "date") is None
    assert listed_keys(library, library.rowids("", "date")) == ["new", "old"]


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    size=st.integers(0, 300),
)
def test_arrange_orders_any_subset_by_place(data: st.DataObject, size: int) -> None:
    # Row ids with gaps (deleted papers), in a random order.
    rowids = data.draw(st.permutations([1 + 3 * n for n in range(size)]))
    ordering = Ordering.of(np.array(rowids, dtype=np.int64))
    assert ordering.order.tolist() == rowids
    chosen = data.draw(st.sets(st.sampled_from(rowids)) if rowids else st.just(set()))
    # Row ids outside the catalog (never returned by a query) are ignored, not a crash.
    strays = data.draw(st.sets(st.integers(-5, 3 * size + 10)))
    matched = np.array(sorted(chosen | (strays - set(rowids))), dtype=np.int64)
    wanted = [rowid for rowid in rowids if rowid in chosen]
    assert ordering.arrange(matched).tolist() == wanted
    assert ordering.arrange(matched, negated=True).tolist() == [
        rowid for rowid in rowids if rowid not in chosen
    ]


@pytest.mark.parametrize("share", [1, MASK_SHARE - 1, MASK_SHARE, MASK_SHARE + 1, 1000])
def test_both_ways_of_arranging_agree(share: int) -> None:
    generator = np.random.default_rng(share)
    order = generator.permutation(np.arange(1, 5001, dtype=np.int64))
    ordering = Ordering.of(order)
    matched = generator.choice(order, size=len(order) // share, replace=False)
    wanted = set(matched.tolist())
    assert ordering.arrange(matched).tolist() == [r for r in order.tolist() if r in wanted]


def test_row_ids_travel_out_of_sqlite_exactly(library: Library) -> None:
    db = library.searcher._db  # the searcher's own connection
    values = [1, 255, 256, 2**31, 2**40 + 7, 2**63 - 1]
    select = " UNION ALL ".join(f"SELECT {value} AS value" for value in values)
    assert fetch_rowids(db, select).tolist() == values
    assert fetch_rowids(db, "SELECT 1 AS value WHERE 0").tolist() == []
    assert packed(np.array(values, dtype=np.int64)).tolist() == values


@given(st.lists(st.integers(1, 50), max_size=60), st.integers(0, 51))
def test_index_of_is_array_index(values: list[int], wanted: int) -> None:
    rowids = packed(np.array(values, dtype=np.int64))
    expected = values.index(wanted) if wanted in values else None
    assert index_of(rowids, wanted) == expected
