"""Figure 6: one durable state change with 20,000 states stored, vs. TinyDB's `update`."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from tinydb import TinyDB

from benchmarks.report import TARGETS, Figure
from reader.library.state import StateStore

STATES = 20_000
"""How many states the store holds when one change is timed."""


def state_change_figure(work: Path, samples: int) -> Figure:
    """One star, written to disk, with `STATES` states stored: reader's store vs. TinyDB."""
    work.mkdir(parents=True, exist_ok=True)
    stamp = "2025-06-12T10:00:00+00:00"
    keys = [f"t-{index:012x}" for index in range(STATES)]
    store = StateStore(work / "state.json")
    store.set_fields({key: {"read": True} for key in keys}, stamp)
    reader_times = []
    for sample in range(samples):
        key = keys[(sample * 397) % STATES]
        current = store.get(key)
        assert current is not None
        started = time.perf_counter()
        store.set_fields({key: {"starred": not current.starred}}, stamp)
        reader_times.append(time.perf_counter() - started)
    store.close()

    database = TinyDB(work / "tinydb-state.json")
    table = database.table("state")
    ids = table.insert_multiple(
        {
            "key": key,
            "read": True,
            "starred": False,
            "note": "",
            "tags": [],
            "read_at": stamp,
            "starred_at": None,
            "note_at": None,
            "tags_at": None,
        }
        for key in keys
    )
    tinydb_times = []
    for sample in range(samples):
        doc_id = ids[(sample * 397) % STATES]
        started = time.perf_counter()
        table.update({"starred": sample % 2 == 0, "starred_at": stamp}, doc_ids=[doc_id])
        tinydb_times.append(time.perf_counter() - started)
    database.close()
    return Figure(
        "state_change",
        f"one durable state change, {STATES:,} states stored",
        "s",
        statistics.median(reader_times),
        statistics.median(tinydb_times),
        "TinyDB JSONStorage update",
        TARGETS["state_change"],
        note="reader's change is fsynced (durable); TinyDB's default storage never fsyncs",
        samples=samples,
    )
