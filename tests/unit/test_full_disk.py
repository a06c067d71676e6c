"""A real full filesystem: a small tmpfs, filled up. Nothing acknowledged is lost on it.

Faked `OSError`s (see test_state_store.py) cannot show what a real full disk does: a
write that stores only part of its bytes. These tests mount a tmpfs of a few MB, which
needs root (CI runs as root); elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from reader.cli import main
from reader.library import Library
from reader.library.storage import decode_journal
from tests.conftest import Run, fill, seed_path


@pytest.fixture
def run_on(disk: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    library = disk / "library"
    assert main(["import", str(seed_path(0)), "--library", str(library)]) == 0
    return Run(library, capsys)


def _note_from_stdin(run: Run, key: str, text: str, monkeypatch: pytest.MonkeyPatch) -> tuple:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode()), "utf-8"))
    return run("note", key, "-")


def test_a_note_that_does_not_fit_is_refused_and_the_old_one_kept(
    run_on: Run, disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = run_on("list", "--json")[1].split('"key": "')[1].split('"')[0]
    assert run_on("note", key, "the first note")[0] == 0
    filler = fill(disk, leave=64 * 1024)
    big = "a 300 KB note. " * 20_000
    code, out, err = _note_from_stdin(run_on, key, big, monkeypatch)
    assert code == 1, "a note that was not saved must not say so"
    assert "Note saved" not in out
    assert err.startswith("reader: error:") and "No space left" in err and err.count("\n") == 1
    # The journal ends on a whole line: nothing half-written waits to be cut later.
    journal = run_on.folder / "state.json.journal"
    raw = journal.read_bytes() if journal.exists() else b""
    assert raw == b"" or raw.endswith(b"\n")
    assert decode_journal(raw)[1] is None
    filler.unlink()
    with Library(run_on.folder) as library:
        assert library.state_of(key).note == "the first note"
    # Once there is room again, the same note is saved and survives a compaction.
    assert _note_from_stdin(run_on, key, big, monkeypatch)[0] == 0
    with Library(run_on.folder) as library:
        assert library.state_of(key).note == big.strip("\n")
    with Library(run_on.folder) as library:
        assert library.state_of(key).note == big.strip("\n")


def test_every_small_change_on_a_filling_disk_is_kept_or_refused(run_on: Run, disk: Path) -> None:
    keys = [line.split()[0] for line in run_on("list")[1].splitlines()]
    fill(disk, leave=16 * 1024)
    acknowledged: dict[str, str] = {}
    refused = 0
    for number in range(400):
        key = keys[number % len(keys)]
        text = f"note {number} " + "x" * 200
        code, out, _ = run_on("note", key, text)
        if code == 0:
            assert "Note saved" in out
            acknowledged[key] = text
        else:
            refused += 1
    assert refused, "the disk never filled up: the test proves nothing"
    (disk / "filler").unlink()
    with Library(run_on.folder) as library:
        for key, text in acknowledged.items():
            assert library.state_of(key).note == text


def test_list_and_export_still_work_on_a_full_disk(run_on: Run, disk: Path) -> None:
    key = run_on("list", "--json")[1].split('"key": "')[1].split('"')[0]
    assert run_on("mark", key, "--star")[0] == 0
    with Library(run_on.folder):
        pass  # a clean close: the catalog's write-ahead log is folded in
    fill(disk)
    code, out, err = run_on("list")
    assert code == 0, err
    assert len(out.splitlines()) == 9
    code, out, err = run_on("export")
    assert code == 0, err
    assert "# Starred papers" in out
    code, out, err = run_on("export", "--all", "--format", "jsonl")
    assert code == 0, err
    assert len(out.splitlines()) == 9
    # A change cannot be saved: one clear line, and the star is still there.
    code, _, err = run_on("mark", key, "--unstar")
    assert code == 1 and "No space left" in err
    assert '"starred": true' in run_on("list", "is:starred", "--json")[1]
