"""Bulk changes of the state: one field of many papers set to one value.

`StateStore.set_field` is the fast path behind `A` (mark every match read), its undo and
`reader mark`: it must give exactly what the general field patch gives, be one compact
journal line (all or nothing, durable once acknowledged, even under SIGKILL), keep what
other processes wrote to other fields, and keep the search mirror right.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.library import Library
from reader.library.sql import reads_state
from reader.library.state import StateStore, collection_paused
from reader.model import Incoming, Paper, PaperState
from reader.query import parse_query

REPO = Path(__file__).resolve().parents[2]
STAMP = "2025-01-02T03:04:05+00:00"
LATER = "2025-02-03T04:05:06+00:00"
KEYS = [f"k{number}" for number in range(6)]

_values = {
    "read": st.booleans(),
    "starred": st.booleans(),
    "dismissed": st.booleans(),
    "note": st.sampled_from(["", "a note", "ünïcode \u202e note"]),
    "tags": st.sampled_from([(), ("x",), ("x", "y")]),
}
_field_and_value = st.sampled_from(sorted(_values)).flatmap(
    lambda name: st.tuples(st.just(name), _values[name])
)
_initial = st.dictionaries(
    st.sampled_from(KEYS), st.fixed_dictionaries({}, optional=_values), max_size=len(KEYS)
)
"""Some papers with some fields set before the change."""


def _states(store: StateStore) -> dict[str, PaperState]:
    return dict(store.all())


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(initial=_initial, change=_field_and_value, keys=st.lists(st.sampled_from(KEYS)))
def test_set_field_gives_what_the_field_patch_gives(tmp_path_factory, initial, change, keys):
    name, value = change
    folder = tmp_path_factory.mktemp("bulk")
    fast, slow = StateStore(folder / "fast.json"), StateStore(folder / "slow.json")
    for store in (fast, slow):
        store.set_fields(initial, STAMP)

    before = fast.set_field(keys, name, value, LATER)
    expected = slow.set_fields({key: {name: value} for key in keys}, LATER)

    assert before == {key: fields[name] for key, fields in expected.items()}
    assert _states(fast) == _states(slow)
    fast.close()
    slow.close()
    # On disk too: what a restart reads is the same.
    assert _states(StateStore(folder / "fast.json")) == _states(StateStore(folder / "slow.json"))


def test_a_bulk_change_is_one_line_and_an_unchanged_paper_keeps_its_time(tmp_path: Path):
    store = StateStore(tmp_path / "state.json")
    store.set_fields({"k0": {"read": True}}, STAMP)
    before = store.set_field(KEYS, "read", True, LATER)
    assert before == {key: False for key in KEYS[1:]}, "k0 was read already"
    assert store.get("k0").read_at == STAMP  # type: ignore[union-attr]
    assert store.get("k1").read_at == LATER  # type: ignore[union-attr]
    lines = (tmp_path / "state.json.journal").read_bytes().splitlines()
    assert len(lines) == 2
    bulk = json.loads(lines[1])["bulk"]
    assert bulk["fields"] == {"read": True, "read_at": LATER}
    assert sorted(bulk["ids"].values()) == KEYS[1:]
    assert store.set_field(KEYS, "read", True, LATER) == {}, "nothing left to change"
    assert len((tmp_path / "state.json.journal").read_bytes().splitlines()) == 2


@pytest.mark.parametrize("many", ["set_field", "set_fields"])
def test_a_bulk_change_sets_off_no_garbage_collection_and_leaves_it_as_it_was(
    tmp_path: Path, many: str
):
    """A bulk change makes hundreds of thousands of objects, none of them garbage: each
    full collection on the way walks the app's whole heap for nothing (a third of `A`'s
    time at 100,000 papers). The collector is paused meanwhile, then left as it was."""
    store = StateStore(tmp_path / "state.json")
    keys = [f"p{number}" for number in range(20_000)]
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    updates = {
        value: {key: {"read": value, "starred": value} for key in keys} for value in (True, False)
    }
    # A full collection runs once ten young ones have run since the last: counted from
    # here, not from whatever the tests before this one left, none is due in time.
    gc.collect()
    gc.callbacks.append(count)
    try:
        for value in (True, False):
            if many == "set_field":
                store.set_field(keys, "read", value, STAMP)
            else:
                store.set_fields(updates[value], STAMP)
    finally:
        gc.callbacks.remove(count)
    assert collections.count(2) == 0, collections
    assert len(collections) <= 4, collections  # a young one as each change ends, at most
    assert gc.isenabled()
    starred_at = STAMP if many == "set_fields" else None
    assert store.get("p0") == PaperState(
        key="p0", read=False, read_at=STAMP, starred=False, starred_at=starred_at
    )
    gc.disable()
    try:
        store.set_field(keys, "read", True, LATER)
        assert not gc.isenabled(), "a collector the caller paused stays paused"
    finally:
        gc.enable()


def _library(folder: Path, count: int) -> list[str]:
    keys = [f"p{number:05d}" for number in range(count)]
    with Library(folder) as library:
        library.import_papers(
            [
                Incoming(Paper(key=key, title=f"Paper {key} about topic{number % 3}", abstract="x"))
                for number, key in enumerate(keys)
            ]
        )
    return keys


def test_marking_the_matches_read_and_undoing_it_keep_the_other_instances_fields(
    tmp_path: Path,
):
    keys = _library(tmp_path, 40)
    with Library(tmp_path) as app, Library(tmp_path) as other:
        app.keys()  # the app has read everything before the other instance writes
        for key in keys[:10]:
            other.set_note(key, f"note of {key}")
            other.set_tags(key, ["kept"])
            other.set_starred([key], True)
        other.set_read(keys[10:15], True)  # already read when the app marks them
        change = app.mark_matching_read(app.parse("topic0 OR topic1"))
        matching = {key for number, key in enumerate(keys) if number % 3 != 2}
        assert set(change.before) == matching - set(keys[10:15])
        assert app.count("is:unread") == len(keys) - len(matching | set(keys[10:15]))
        other.set_note(keys[0], "written after the change")
        app.revert(change)  # `u`
        assert app.count("is:read") == 5, "the five the other instance marked stay read"
    with Library(tmp_path) as library:
        for key in keys[1:10]:
            state = library.state_of(key)
            assert (state.starred, state.note, state.tags) == (True, f"note of {key}", ("kept",))
            assert not state.read
        assert library.state_of(keys[0]).note == "written after the change"
        assert [key for key in keys if library.state_of(key).read] == keys[10:15]


def test_the_search_mirror_follows_bulk_and_single_changes_in_order(tmp_path: Path):
    keys = _library(tmp_path, 30)
    rng = random.Random(7)
    with Library(tmp_path) as library:
        for _ in range(60):
            chosen = rng.sample(keys, rng.randint(1, len(keys)))
            match rng.randrange(5):
                case 0:
                    library.set_read(chosen, rng.random() < 0.5)  # one field: the bulk path
                case 1:
                    library.set_starred(chosen, rng.random() < 0.5)
                case 2:
                    library.set_dismissed(chosen, rng.random() < 0.5)  # two fields: a patch
                case 3:
                    library.set_note(chosen[0], rng.choice(["", "note"]))
                case _:
                    library.revert(library.set_read(chosen, True))
            for query, wanted in (
                ("is:read", lambda state: state.read),
                ("is:unread", lambda state: not state.read),
                ("is:starred", lambda state: state.starred),
                ("is:dismissed", lambda state: state.dismissed),
                ("has:note", lambda state: bool(state.note)),
            ):
                expected = {key for key in keys if wanted(library.state_of(key))}
                assert set(library.keys(query)) == expected, query


_MARKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from reader.library import Library

    with Library(Path(sys.argv[1])) as library:
        print("open", flush=True)
        change = library.mark_matching_read(library.parse(""))
        print("marked", len(change.before), flush=True)
        undone = library.revert(change) if sys.argv[2] == "undo" else []
        print("undone", len(undone), flush=True)
        sys.stdin.read()  # wait to be killed: nothing is closed or compacted
    """
)


def _run_and_kill(folder: Path, mode: str, wait_for: str | None, delay: float) -> list[str]:
    """Start the marker, kill it (SIGKILL) once it printed `wait_for` (else after
    `delay` seconds from opening); returns the lines it printed."""
    process = subprocess.Popen(
        [sys.executable, "-c", _MARKER, str(folder), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert process.stdout is not None
    lines = [process.stdout.readline().strip()]
    if wait_for is None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(delay)
    else:
        while not lines[-1].startswith(wait_for):
            lines.append(process.stdout.readline().strip())
            assert lines[-1], "the marker ended early"
    process.send_signal(signal.SIGKILL)
    out, _ = process.communicate(timeout=30)
    return [*lines, *out.splitlines()]


def test_an_acknowledged_bulk_change_survives_a_kill(tmp_path: Path):
    keys = _library(tmp_path, 3000)
    printed = _run_and_kill(tmp_path, "keep", "marked", 0)
    assert f"marked {len(keys)}" in printed
    with Library(tmp_path) as library:
        assert library.count("is:read") == len(keys)
    printed = _run_and_kill(tmp_path, "undo", "undone", 0)
    assert "marked 0" in printed and "undone 0" in printed, "all read already: no change"


def test_an_acknowledged_undo_survives_a_kill(tmp_path: Path):
    keys = _library(tmp_path, 3000)
    printed = _run_and_kill(tmp_path, "undo", "undone", 0)
    assert f"undone {len(keys)}" in printed
    with Library(tmp_path) as library:
        assert library.count("is:read") == 0
        assert all(library.state_of(key).read_at for key in keys[:50]), "the undo's own time"


@pytest.mark.slow
def test_a_bulk_change_killed_at_any_moment_is_all_or_nothing(tmp_path: Path):
    keys = _library(tmp_path, 3000)
    rng = random.Random(3)
    for round_number in range(6):
        mode = "undo" if round_number % 2 else "keep"
        printed = _run_and_kill(tmp_path, mode, None, rng.uniform(0.0, 0.6))
        with Library(tmp_path) as library:
            read = library.count("is:read")
            assert read in (0, len(keys)), f"a partial change: {read} read ({printed})"
            # Once said, done (a change written but killed before saying so may be either).
            if mode == "keep" and any(line.startswith("marked") for line in printed):
                assert read == len(keys)
            if mode == "undo" and any(line.startswith("undone") for line in printed):
                assert read == 0
            library.set_read(keys, False)  # the next round starts from nothing read


def test_only_filters_on_the_state_need_running_again_after_a_change():
    for text in ("is:unread", "tag:x", "has:note", "-is:starred", "word OR is:read"):
        assert reads_state(parse_query(text)), text
    for text in ("", "word", "has:link", "year:2024", "-has:date", '"a phrase"'):
        assert not reads_state(parse_query(text)), text


def test_a_library_without_state_is_not_seen_as_changed_at_every_look(tmp_path: Path):
    # The app asks about once a second; a library nobody has marked anything in yet was
    # reported changed every time (searched again, every row redrawn, every second).
    _library(tmp_path, 3)
    with Library(tmp_path) as app, Library(tmp_path) as other:
        assert app.changes_on_disk() == (False, False)
        assert app.changes_on_disk() == (False, False)
        other.set_starred(["p00001"], True)
        assert app.changes_on_disk() == (True, False)
        assert app.state_of("p00001").starred
        assert app.changes_on_disk() == (False, False)


@pytest.mark.parametrize("last", ["first", "second"])
def test_two_threads_pausing_the_collector_leave_it_on_only_when_both_are_done(last: str):
    # Two stores in one process (an API user, tests) may change papers on two threads at
    # once. The collector stays paused while either change runs, and is on once both end,
    # in whichever order they end.
    entered = {name: threading.Event() for name in ("first", "second")}
    leave = {name: threading.Event() for name in ("first", "second")}
    seen: dict[str, bool] = {}

    def change(name: str) -> None:
        with collection_paused():
            entered[name].set()
            leave[name].wait(10)
            seen[name] = gc.isenabled()

    threads = {name: threading.Thread(target=change, args=(name,)) for name in entered}
    threads["first"].start()
    assert entered["first"].wait(10)
    threads["second"].start()
    assert entered["second"].wait(10)
    first_out = "second" if last == "first" else "first"
    leave[first_out].set()
    threads[first_out].join(10)
    assert not gc.isenabled(), "one change still runs: the collector stays paused"
    leave[last].set()
    threads[last].join(10)
    assert seen == {"first": False, "second": False}
    assert gc.isenabled()
