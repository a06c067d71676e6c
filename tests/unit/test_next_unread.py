"""The next-unread keys: `Library.next_unread` finds what a walk over the whole list finds.

It looks up keys in doubling batches from the cursor instead of the whole list (100,000
papers at every press before), so the batch edges are where it could go wrong: the lists
here are long enough for several batches, in both directions, with papers that are no
longer in the catalog.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.library import Library
from reader.model import Incoming, Paper

COUNT = 400


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    folder: Path = tmp_path_factory.mktemp("unread")
    opened = Library(folder)
    opened.import_papers(
        [Incoming(Paper(key=f"p{number:04d}", title=f"Paper {number}")) for number in range(COUNT)]
    )
    yield opened  # type: ignore[misc]
    opened.close()


def _walk(rowids: list[int], unread: set[int], start: int, step: int) -> int | None:
    index = start
    while 0 <= index < len(rowids):
        if rowids[index] in unread:
            return index
        index += step
    return None


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    read=st.sets(st.integers(0, COUNT - 1)),
    gone=st.sets(st.integers(COUNT, COUNT + 50), max_size=5),
    shuffle=st.randoms(use_true_random=False),
    start=st.integers(-2, COUNT + 8),
    step=st.sampled_from([1, -1]),
)
def test_next_unread_finds_what_walking_the_whole_list_finds(
    library: Library, read: set[int], gone: set[int], shuffle, start: int, step: int
):
    keys = [f"p{number:04d}" for number in range(COUNT)]
    rowid = {key: library.rowid_of(key) for key in keys}
    library.set_read(keys, False)
    library.set_read([keys[number] for number in read], True)
    # The list as the app has it: some order, and row ids the catalog no longer has.
    rowids = [rowid[key] for key in keys] + [10_000 + number for number in gone]
    shuffle.shuffle(rowids)
    unread = {rowid[keys[number]] for number in range(COUNT) if number not in read}
    assert library.next_unread(rowids, start, step) == _walk(rowids, unread, start, step)


def test_the_last_and_first_papers_are_found_and_none_past_them(library: Library):
    keys = [f"p{number:04d}" for number in range(COUNT)]
    rowids = [library.rowid_of(key) for key in keys]
    library.set_read(keys, True)
    library.set_read([keys[-1], keys[0]], False)
    assert library.next_unread(rowids, 1, 1) == COUNT - 1
    assert library.next_unread(rowids, COUNT - 2, -1) == 0
    assert library.next_unread(rowids, COUNT, 1) is None
    assert library.next_unread(rowids, -1, -1) is None
    assert library.next_unread([], 0, 1) is None
