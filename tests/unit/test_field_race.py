"""Several writers changing different fields of the same papers never erase each other.

A change is applied field by field to the record as it is on disk, under the lock, so a
process never writes back its stale copy of the fields it did not change. The real
multi-process test runs three processes, each owning one field (note, tags, star) of the
same three papers; `READER_RACE_CHANGES` makes it longer on the benchmark machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reader.library import Library
from reader.model import Incoming, Paper

REPO = Path(__file__).resolve().parents[2]
CHANGES = int(os.environ.get("READER_RACE_CHANGES", "150"))
KEYS = ("p-one", "p-two", "p-three")

_WRITER = textwrap.dedent(
    """
    import random, sys
    from pathlib import Path
    from reader.library import Library, storage

    # A short journal, so compactions run in the middle of the other writers' appends.
    storage.COMPACT_AFTER = 24
    folder, field, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    keys = sys.argv[4:]
    rng = random.Random(field)
    with Library(folder) as library:
        for number in range(count):
            key = rng.choice(keys)
            if field == "note":
                value = f"note {number}"
                library.set_note(key, value)
            elif field == "tags":
                value = f"t{number}"
                library.set_tags(key, [value])
            else:
                value = "1" if number % 2 else ""
                library.set_starred([key], bool(value))
            # Acknowledged: the change is on disk when the call returns.
            print(key, value or "-", flush=True)
    """
)


def _library_with(folder: Path, keys: tuple[str, ...]) -> None:
    with Library(folder) as library:
        library.import_papers(
            [Incoming(Paper(key=key, title=f"Paper {key}", abstract="x")) for key in keys]
        )


@pytest.mark.slow
def test_three_processes_owning_one_field_each_keep_every_last_value(tmp_path: Path) -> None:
    _library_with(tmp_path, KEYS)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    fields = ("note", "tags", "star")
    processes = {
        field: subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(tmp_path), field, str(CHANGES), *KEYS],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for field in fields
    }
    last: dict[tuple[str, str], str] = {}
    for field, process in processes.items():
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        lines = out.split("\n")[:-1]
        assert len(lines) == CHANGES
        for line in lines:
            key, value = line.split(" ", 1)
            last[(key, field)] = "" if value == "-" else value
    with Library(tmp_path) as library:
        for (key, field), value in last.items():
            state = library.state_of(key)
            if field == "note":
                assert state.note == value, (key, field)
            elif field == "tags":
                assert state.tags == (value,), (key, field)
            else:
                assert state.starred == bool(value), (key, field)


def test_a_bulk_change_keeps_what_another_instance_wrote_to_other_fields(
    tmp_path: Path,
) -> None:
    keys = tuple(f"k{number}" for number in range(30))
    _library_with(tmp_path, keys)
    with Library(tmp_path) as app, Library(tmp_path) as other:
        app.keys()  # the "app" has read everything before the other instance writes
        for key in keys[:10]:
            other.set_note(key, f"note of {key}")
            other.set_tags(key, ["kept"])
            other.set_starred([key], True)
        app.set_read(keys, True)  # `A`: mark everything read
    with Library(tmp_path) as library:
        for key in keys[:10]:
            state = library.state_of(key)
            assert (state.read, state.starred, state.note, state.tags) == (
                True,
                True,
                f"note of {key}",
                ("kept",),
            )
        assert all(library.state_of(key).read for key in keys)


def test_an_undo_restores_only_the_field_it_changed(tmp_path: Path) -> None:
    _library_with(tmp_path, KEYS)
    with Library(tmp_path) as app, Library(tmp_path) as other:
        change = app.set_starred([KEYS[0]], True)
        other.set_note(KEYS[0], "written meanwhile")
        app.revert(change)
    with Library(tmp_path) as library:
        state = library.state_of(KEYS[0])
        assert (state.starred, state.note) == (False, "written meanwhile")


def test_a_change_already_made_elsewhere_is_no_change(tmp_path: Path) -> None:
    _library_with(tmp_path, KEYS)
    with Library(tmp_path) as app, Library(tmp_path) as other:
        app.keys()
        other.set_starred([KEYS[1]], True)
        change = app.set_starred([KEYS[1]], True)
        assert not change.before, "the disk already said starred"
        assert app.state_of(KEYS[1]).starred
