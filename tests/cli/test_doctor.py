"""`reader doctor`: finds damage, says so one line at a time, repairs only when allowed."""

from __future__ import annotations

import io
import sqlite3
import sys
from pathlib import Path

import pytest

from reader.cli import main
from reader.library import Library
from reader.library.state import StateStore
from reader.model import PaperState
from tests.conftest import seed_path
from tests.unit.state_helpers import plain, put


def _doctor(folder: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["doctor", "--library", str(folder), *args])
    out, err = capsys.readouterr()
    return code, out + err


def _library_with_backup(folder: Path) -> None:
    """A library whose state was snapshotted twice, so a backup exists."""
    assert main(["import", str(seed_path(0)), "--library", str(folder)]) == 0
    for key in ("a", "b"):
        store = StateStore(folder / "state.json")
        put(store, [PaperState(key, starred=True)])
        store.close()


def test_a_healthy_library_is_reported_healthy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _library_with_backup(tmp_path)
    code, out = _doctor(tmp_path, capsys)
    assert code == 0
    assert f"state file {tmp_path / 'state.json'}: ok (2 records)" in out
    assert "backup" in out and "catalog" in out and "full-text index: ok" in out
    assert out.rstrip().endswith("Everything is in order.")


def test_a_damaged_state_file_is_restored_only_when_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _library_with_backup(tmp_path)
    state = tmp_path / "state.json"
    state.write_bytes(b'{"state": {"1": ')
    # Opening the library refuses, in one line naming the file and the backup.
    capsys.readouterr()
    assert main(["list", "--library", str(tmp_path)]) == 1
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and str(state) in error and f"{state}.bak" in error

    # No terminal and no --yes: nothing changes, and the output says how to go on.
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out = _doctor(tmp_path, capsys)
    assert code == 1 and "DAMAGED (not valid JSON)" in out and "reader doctor --yes" in out
    assert state.read_bytes() == b'{"state": {"1": '

    code, out = _doctor(tmp_path, capsys, "--yes")
    assert code == 0 and "Restored the state from the backup" in out
    (aside,) = tmp_path.glob("state.json.damaged-*")
    assert aside.read_bytes() == b'{"state": {"1": '
    assert plain(StateStore(state).get("a")) == PaperState("a", starred=True)
    assert _doctor(tmp_path, capsys)[0] == 0


def test_the_question_is_asked_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _library_with_backup(tmp_path)
    (tmp_path / "state.json").write_bytes(b"[]")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("n\n"))
    code, out = _doctor(tmp_path, capsys)
    assert code == 1 and "Restore the state from the backup of" in out and "[y/N]" in out
    assert (tmp_path / "state.json").read_bytes() == b"[]"
    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
    assert _doctor(tmp_path, capsys)[0] == 0
    assert len(StateStore(tmp_path / "state.json")) == 1


def test_a_damaged_journal_keeps_its_readable_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state.json"
    store = StateStore(state)
    put(store, [PaperState("a", read=True)])
    put(store, [PaperState("b", read=True)])
    journal = tmp_path / "state.json.journal"
    journal.write_bytes(journal.read_bytes() + b"not json\n")
    code, out = _doctor(tmp_path, capsys, "--yes")
    assert code == 0 and "2 readable changes" in out and "Kept 2 changes" in out
    assert sorted(StateStore(state).all()) == ["a", "b"]
    assert list(tmp_path.glob("state.json.journal.damaged-*"))


def test_a_corrupt_catalog_is_rebuilt_on_request_and_the_state_survives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _library_with_backup(tmp_path)
    catalog = tmp_path / "catalog.sqlite3"
    with Library(tmp_path):
        pass  # checkpoints the WAL into the file before it is damaged
    catalog.write_bytes(b"this is not a database" * 100)
    capsys.readouterr()
    assert main(["list", "--library", str(tmp_path)]) == 1
    assert "run `reader doctor`" in capsys.readouterr().err

    code, out = _doctor(tmp_path, capsys)
    assert code == 1 and "DAMAGED" in out and "reader doctor --rebuild-catalog" in out
    code, out = _doctor(tmp_path, capsys, "--rebuild-catalog")
    assert code == 0 and "re-import" in out
    assert list(tmp_path.glob("catalog.sqlite3.damaged-*"))
    with Library(tmp_path) as library:
        assert len(library) == 0
        assert plain(library.state_of("a")) == PaperState("a", starred=True)


def test_a_damaged_search_index_is_rebuilt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _library_with_backup(tmp_path)
    with sqlite3.connect(tmp_path / "catalog.sqlite3") as db:
        # Change a title behind the index's back: the table itself is still sound.
        db.execute("UPDATE papers SET title = 'zzz' WHERE rowid = 1")
    code, out = _doctor(tmp_path, capsys)
    assert "full-text index: DAMAGED" in out and "Rebuilt the full-text index." in out
    assert code == 0
    assert "full-text index: ok" in _doctor(tmp_path, capsys)[1]
