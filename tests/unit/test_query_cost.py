"""A text term combined with a state filter costs what its parts cost, not their product.

`performance is:starred` took 11 s at 100,000 papers: with the state filter written on
the key and the text term on the row id, SQLite looked the key index up for every pair of
a starred key and a matching row id. The work is counted here in SQLite's own steps (its
progress handler), never in time: a combination may cost a few times its two parts, never
the product of their sizes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.library import Library
from reader.library.sql import to_sql
from reader.model import Incoming, Paper

COUNT = 3_000
STEP = 100
"""SQLite calls the handler every this many virtual machine instructions."""


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    folder: Path = tmp_path_factory.mktemp("cost")
    opened = Library(folder)
    papers = [
        Paper(
            key=f"p{number:05d}",
            title=f"Paper {number} {'performance' if number % 2 else 'other'} study",
            abstract="An abstract.",
        )
        for number in range(COUNT)
    ]
    opened.import_papers([Incoming(paper) for paper in papers])
    some = [paper.key for paper in papers[::5]]  # 600 papers with every kind of state
    opened.set_starred(some, True)
    opened.set_read(some, True)
    opened.set_dismissed(some[1::2], True)
    for key in some[:200]:
        opened.set_note(key, "a note")
        opened.set_tags(key, ["x"])
    yield opened  # type: ignore[misc]
    opened.close()


def _run(library: Library, text: str) -> tuple[set[int], int]:
    """The query's matches and the steps SQLite took for them (the searcher's SQL for a
    query that is not text alone)."""
    library.rowids(library.parse(text), "date")  # the state mirror and `similar` are ready
    where, params = to_sql(library.parse(text))
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    db = library.searcher._db
    db.set_progress_handler(count, STEP)
    try:
        rows = db.execute(f"SELECT p.rowid FROM papers p WHERE {where}", params).fetchall()
    finally:
        db.set_progress_handler(None, 0)
    return {row[0] for row in rows}, steps


@pytest.mark.parametrize(
    "state", ["is:starred", "is:read", "is:dismissed", "has:note", "has:tags", "tag:x"]
)
@pytest.mark.parametrize("text", ["performance", "perf", '"performance study"'])
def test_a_text_term_and_a_state_filter_cost_what_their_parts_cost(
    library: Library, state: str, text: str
):
    words, words_cost = _run(library, text)
    states, states_cost = _run(library, state)
    both, both_cost = _run(library, f"{text} {state}")
    assert both == words & states and both
    assert both_cost <= 3 * (words_cost + states_cost) + 10, (both_cost, words_cost, states_cost)
