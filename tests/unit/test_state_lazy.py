"""A state store builds each paper's state at its first use (`StateStore._unbuilt`).

Opening a library with 10,000 stars used to build all 10,000 states before the first
painted list, which shows forty. These tests check the lazy store against one that
builds every state at once, through any sequence of reads, writes, bulk changes and
other processes' writes; that opening builds nothing; and that threads reading and
writing at once never see a paper missing or a half-made view.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.errors import StoreError
from reader.library import Library
from reader.library import state as state_module
from reader.library.state import StateStore, doc_id_for
from reader.model import PaperState

KEYS = [f"2401.{number:05d}" for number in range(12)]
STAMP = "2026-01-01T00:00:00+00:00"


def _write_snapshot(path: Path, documents: list[dict[str, Any]]) -> None:
    table = {str(doc_id_for(document["key"])): document for document in documents}
    path.write_text(json.dumps({"state": table}), encoding="utf-8")


@st.composite
def records(draw: st.DrawFn) -> list[dict[str, Any]]:
    keys = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=len(KEYS)))
    found = []
    for key in keys:
        document: dict[str, Any] = {"key": key}
        for name in ("read", "starred", "dismissed"):
            if draw(st.booleans()):
                document[name], document[f"{name}_at"] = draw(st.booleans()), STAMP
        if draw(st.booleans()):
            document["note"], document["note_at"] = draw(st.text(max_size=6)), STAMP
        if draw(st.booleans()):
            tags = draw(st.lists(st.sampled_from("abc"), unique=True, max_size=2))
            document["tags"], document["tags_at"] = tags, STAMP
        found.append(document)
    return found


_key = st.sampled_from(KEYS)
_flag = st.sampled_from(("read", "starred", "dismissed"))
operations = st.lists(
    st.one_of(
        st.tuples(st.just("get"), _key),
        st.tuples(st.just("all")),
        st.tuples(st.just("len")),
        st.tuples(st.just("set"), _key, _flag, st.booleans()),
        st.tuples(st.just("note"), _key, st.text(max_size=4)),
        st.tuples(st.just("bulk"), st.lists(_key, max_size=6), _flag, st.booleans()),
        st.tuples(st.just("other"), _key, _flag, st.booleans()),
        st.tuples(st.just("refresh")),
    ),
    max_size=14,
)


class _Pair:
    """The same files twice: one store left lazy, one made to build every state at once."""

    def __init__(self, folder: Path, documents: list[dict[str, Any]]) -> None:
        self.paths = [folder / "lazy.json", folder / "eager.json"]
        for path in self.paths:
            _write_snapshot(path, documents)
        self.lazy, self.eager = (StateStore(path) for path in self.paths)
        self.eager.all()
        self.clock = 0

    def stamp(self) -> str:
        self.clock += 1
        return f"2026-02-01T00:00:{self.clock:02d}+00:00"

    def apply(self, operation: tuple[Any, ...]) -> None:
        kind, *args = operation
        stamp = self.stamp()
        for store in (self.lazy, self.eager):
            if kind == "set":
                key, name, value = args
                store.set_fields({key: {name: value}}, stamp)
            elif kind == "note":
                key, text = args
                store.set_fields({key: {"note": text}}, stamp)
            elif kind == "bulk":
                keys, name, value = args
                store.set_field(keys, name, value, stamp)
            elif kind == "refresh":
                store.refresh()
        if kind == "other":
            key, name, value = args
            for path in self.paths:  # another process writes to each file
                StateStore(path).set_fields({key: {name: value}}, stamp)
        if kind == "refresh":
            self.eager.all()  # the reference builds everything it re-read at once

    def check(self, operation: tuple[Any, ...]) -> None:
        kind, *args = operation
        if kind == "get":
            assert self.lazy.get(args[0]) == self.eager.get(args[0])
        elif kind == "all":
            assert dict(self.lazy.all()) == dict(self.eager.all())
        elif kind == "len":
            assert len(self.lazy) == len(self.eager)


@settings(max_examples=120, deadline=None)
@given(records(), operations)
def test_a_lazy_store_gives_what_building_every_state_at_once_gives(
    tmp_path_factory: pytest.TempPathFactory,
    documents: list[dict[str, Any]],
    steps: list[tuple[Any, ...]],
) -> None:
    pair = _Pair(tmp_path_factory.mktemp("pair"), documents)
    for operation in steps:
        pair.apply(operation)
        pair.check(operation)
    for key in KEYS:
        assert pair.lazy.get(key) == pair.eager.get(key)
    assert dict(pair.lazy.all()) == dict(pair.eager.all())
    assert dict(StateStore(pair.paths[0]).all()) == dict(StateStore(pair.paths[1]).all())


class _Counted:
    """Counts the states the store builds, one by one and all at once."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.one_by_one = 0
        self.together = 0
        one, many = state_module._from_document, state_module.states_from_documents

        def counted_one(document: Any, path: Path) -> PaperState:
            self.one_by_one += 1
            return one(document, path)

        def counted_many(documents: list[Any], path: Path) -> list[PaperState]:
            self.together += len(documents)
            return many(documents, path)

        monkeypatch.setattr(state_module, "_from_document", counted_one)
        monkeypatch.setattr(state_module, "states_from_documents", counted_many)


def test_opening_builds_no_state_and_a_read_builds_only_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    keys = [f"2401.{number:05d}" for number in range(1000)]
    StateStore(path).set_field(keys, "starred", True, STAMP)
    built = _Counted(monkeypatch)
    store = StateStore(path)
    assert (built.one_by_one, built.together) == (0, 0)
    assert len(store) == 1000
    assert [store.get(key).starred for key in keys[:3]] == [True, True, True]  # type: ignore[union-attr]
    assert store.get("not.a.paper") is None
    assert (built.one_by_one, built.together) == (3, 0)
    assert all(state.starred for state in store.all().values())
    assert (built.one_by_one, built.together) == (3, 997)
    store.all()
    store.get(keys[500])
    assert (built.one_by_one, built.together) == (3, 997)  # nothing is built twice


def test_a_damaged_record_is_still_refused_when_the_store_opens(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    _write_snapshot(path, [{"key": "2401.00001", "starred": True, "tags": "not a list"}])
    with pytest.raises(StoreError, match="tags that are not a list"):
        StateStore(path)


def _race(store: StateStore, keys: list[str]) -> list[str]:
    """Two threads reading states, one asking for them all, one writing, started at
    once on a store just opened; what any of them found wrong."""
    problems: list[str] = []
    start = threading.Barrier(4)

    def read(seed: int) -> None:
        start.wait()
        for key in random.Random(seed).sample(keys, len(keys) // 2):
            found = store.get(key)
            if found is None or not found.starred:
                problems.append(f"{key}: {found}")

    def everything() -> None:
        start.wait()
        if len(store.all()) != len(keys):
            problems.append("all() is missing papers")

    def write() -> None:
        start.wait()
        for key in keys[:50]:
            store.set_fields({key: {"read": True}}, STAMP)

    threads = [threading.Thread(target=read, args=(seed,)) for seed in range(2)]
    threads += [threading.Thread(target=everything), threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return problems


def test_threads_reading_and_writing_at_once_never_miss_a_paper(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    keys = [f"2401.{number:05d}" for number in range(3000)]
    StateStore(path).set_field(keys, "starred", True, STAMP)
    for _ in range(5):
        store = StateStore(path)
        assert _race(store, keys) == []
        assert all(store.get(key).read for key in keys[:50])  # type: ignore[union-attr]
        assert sum(state.starred for state in store.all().values()) == len(keys)


def test_starred_papers_are_found_by_search_right_after_opening(
    sample_library: Library,
) -> None:
    # The search mirror asks for every state only when a query needs them (`mirror_all`).
    keys = sample_library.keys(sort="date")
    sample_library.set_starred(keys[:7], True)
    sample_library.set_read(keys[3:10], True)
    folder = sample_library.folder
    sample_library.close()
    with Library(folder) as reopened:
        assert reopened.count("is:starred") == 7
        assert reopened.count("is:starred -is:read") == 3
        StateStore(folder / "state.json").set_fields({keys[20]: {"starred": True}}, STAMP)
        assert reopened.refresh()
        assert set(reopened.keys("is:starred")) == {*keys[:7], keys[20]}


@pytest.mark.parametrize("again", ["refresh", "set"])
def test_a_state_built_before_another_process_wrote_is_not_kept(tmp_path: Path, again: str) -> None:
    documents = [{"key": KEYS[0], "starred": True, "starred_at": STAMP}, {"key": KEYS[1]}]
    pair = _Pair(tmp_path, documents)
    steps = [("get", KEYS[0]), ("other", KEYS[0], "starred", False), (again, KEYS[1], "read", True)]
    for operation in steps:
        pair.apply(operation)
    assert pair.lazy.get(KEYS[0]) == pair.eager.get(KEYS[0])
    assert not pair.lazy.get(KEYS[0]).starred  # type: ignore[union-attr]


class _MissThenBuild(dict):  # type: ignore[type-arg]
    """A store's built states that, at the first look-up finding none, let another
    thread build every state before the look-up returns (the worst moment for it)."""

    def __init__(self, store: StateStore, states: dict[str, PaperState]) -> None:
        super().__init__(states)
        self.store, self.fired = store, False

    def get(self, key: str, default: Any = None) -> Any:
        found = super().get(key, default)
        if found is None and not self.fired:
            self.fired = True
            builder = threading.Thread(target=self.store.all)
            builder.start()
            builder.join(5)
        return found


def test_a_read_while_another_thread_builds_every_state_still_finds_the_paper(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.json"
    StateStore(path).set_field(KEYS, "starred", True, STAMP)
    store = StateStore(path)
    store._states = _MissThenBuild(store, store._states)
    found = store.get(KEYS[5])
    assert store._states.fired  # the other thread built them all meanwhile
    assert found is not None and found.starred


class _PausedSwap(StateStore):
    """A store whose rebuild (`refresh`), once `armed`, stops just after it replaced its
    built states, until `go` is set: another thread reads it at that moment."""

    armed = False

    def __setattr__(self, name: str, value: object) -> None:
        super().__setattr__(name, value)
        if name == "_states" and self.armed:
            self.armed = False
            self.reached.set()
            self.go.wait(5)


def test_reads_while_another_thread_refreshes_never_miss_a_paper(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    StateStore(path).set_field(KEYS, "starred", True, STAMP)
    store = _PausedSwap(path)
    store.reached, store.go = threading.Event(), threading.Event()
    assert len(store.all()) == len(KEYS)  # every state built
    StateStore(path).set_fields({KEYS[0]: {"note": "from another process"}}, STAMP)
    store.armed = True
    refreshing = threading.Thread(target=store.refresh)
    refreshing.start()
    assert store.reached.wait(5)
    seen: dict[str, Any] = {}

    def read() -> None:  # the UI thread, drawing the list meanwhile
        seen["get"] = store.get(KEYS[3])
        seen["all"] = len(store.all())

    reading = threading.Thread(target=read)
    reading.start()
    reading.join(0.5)  # it may wait for the refresh: then it goes on when that ends
    store.go.set()
    refreshing.join(5)
    reading.join(5)
    assert seen["get"] == PaperState(key=KEYS[3], starred=True, starred_at=STAMP)
    assert seen["all"] == len(KEYS)
    assert store.get(KEYS[0]).note == "from another process"  # type: ignore[union-attr]


def test_a_record_another_process_dropped_leaves_the_search_mirror_too(
    sample_library: Library,
) -> None:
    keys = sample_library.keys(sort="date")
    sample_library.set_starred(keys[:3], True)
    sample_library.add_tags(keys[:3], ["x"])
    assert sample_library.count("is:starred tag:x") == 3
    other = StateStore(sample_library.folder / "state.json")
    other.set_fields({keys[0]: {"starred": False, "tags": ()}}, "2030-01-01T00:00:00+00:00")
    other.close()  # its compaction drops the record it left blank
    assert sample_library.refresh()
    assert sample_library.state.get(keys[0]) is None
    assert set(sample_library.keys("is:starred")) == set(keys[1:3])
    assert set(sample_library.keys("tag:x")) == set(keys[1:3])
    assert set(sample_library.keys("has:tags")) == set(keys[1:3])


@pytest.mark.parametrize("rolled_back", [False, True], ids=["failed", "sqlite-rolled-back"])
def test_state_changes_the_mirror_failed_to_take_are_taken_by_the_next_query(
    sample_library: Library, monkeypatch: pytest.MonkeyPatch, rolled_back: bool
) -> None:
    # With `rolled_back`, SQLite ended the transaction itself (as on some errors): the
    # mirror's own ROLLBACK then has nothing to end, and must not lose the queue.
    keys = sample_library.keys(sort="date")
    sample_library.set_starred(keys[:4], True)
    searcher = sample_library.searcher
    real = searcher._mirror_states
    failures: list[str] = []

    def failing_once(states: list[PaperState]) -> None:
        if not failures:
            failures.append("disk I/O error")
            if rolled_back:
                searcher._db.execute("ROLLBACK")
            raise sqlite3.OperationalError("disk I/O error")
        real(states)

    monkeypatch.setattr(searcher, "_mirror_states", failing_once)
    with pytest.raises((StoreError, sqlite3.Error)):
        sample_library.count("is:starred")
    assert sample_library.count("is:starred") == 4  # the queued states were not dropped
    assert set(sample_library.keys("is:starred")) == set(keys[:4])


def test_a_tag_sqlite_cannot_store_leaves_every_query_working(sample_library: Library) -> None:
    # A lone surrogate is text JSON (the state file, a sync log) can hold and UTF-8 cannot:
    # mirroring it failed, and the failed changes, queued again, failed every later query.
    keys = sample_library.keys(sort="date")
    other = StateStore(sample_library.folder / "state.json")
    other.set_fields(
        {keys[0]: {"tags": ("ok\ud800", "x")}, keys[1]: {"starred": True}},
        "2030-01-01T00:00:00+00:00",
    )
    other.close()
    assert sample_library.refresh()
    for _ in range(2):
        assert sample_library.keys("is:starred") == [keys[1]]
        assert sample_library.keys("tag:x") == [keys[0]]
        assert len(sample_library.rowids("")) == len(keys)  # the app's list
