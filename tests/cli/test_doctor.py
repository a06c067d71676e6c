"""`reader doctor`: finds damage, says so one line at a time, repairs only when allowed."""

from __future__ import annotations

import io
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from reader import importing
from reader.cli import main
from reader.errors import StoreError
from reader.library import Library
from reader.library.state import StateStore, doc_id_for
from reader.model import PaperState
from reader.ranking.doctor import examine_ranking
from tests.conftest import fill, seed_path
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


@pytest.mark.parametrize(
    "bad",
    [
        b'{"table": "state", "patch": {"%d": {"key": "b", "tags": "x"}}}',
        b'{"table": "state", "bulk": {"fields": {"tags": {"x": 1}}, "ids": {"%d": "b"}}}',
    ],
    ids=["patch", "bulk"],
)
def test_a_journal_line_with_tags_that_are_not_a_list_is_found_and_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: bytes
) -> None:
    # The app refuses such a line when it opens the library: doctor must see it too (it
    # said "Everything is in order" while the app would not open), and salvage it.
    state = tmp_path / "state.json"
    store = StateStore(state)
    put(store, [PaperState("a", read=True)])
    journal = tmp_path / "state.json.journal"
    journal.write_bytes(journal.read_bytes() + bad % doc_id_for("b") + b"\n")
    with pytest.raises(StoreError, match="line 2 is unreadable"):
        StateStore(state)
    code, out = _doctor(tmp_path, capsys, "--yes")
    assert "DAMAGED (line 2 is unreadable); 1 readable change" in out
    assert "Kept 1 change; dropped 1 unreadable line" in out and code == 0
    assert sorted(StateStore(state).all()) == ["a"]


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


@pytest.mark.parametrize(
    "damage",
    [
        # A date changed behind the index's back: a paper it should hold is missing.
        "UPDATE papers SET published = '2030-01-01' WHERE rowid = 1",
        # A paper the index should not hold (an older one) put in.
        "INSERT INTO papers_recent_fts(rowid, title) VALUES (999999, 'stray')",
    ],
)
def test_a_damaged_recent_papers_index_is_rebuilt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    _library_with_backup(tmp_path)
    assert "recent papers' index: ok" in _doctor(tmp_path, capsys)[1]
    with sqlite3.connect(tmp_path / "catalog.sqlite3") as db:
        db.execute(damage)
    db.close()
    code, out = _doctor(tmp_path, capsys)
    assert "recent papers' index: DAMAGED" in out and "Rebuilt the full-text index." in out
    assert code == 0
    assert "recent papers' index: ok" in _doctor(tmp_path, capsys)[1]


def _line(key: str) -> bytes:
    """One journal line storing a starred state for `key`, as the app writes it."""
    document = {"key": key, "starred": True}
    change = {"table": "state", "documents": {str(doc_id_for(key)): document}}
    return json.dumps(change).encode() + b"\n"


def test_salvage_keeps_every_readable_line_not_only_those_before_the_first_bad_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = tmp_path / "state.json.journal"
    readable = [_line("a"), _line("b"), _line("c")]
    # Two kinds of bad line (not JSON; JSON but not a change), then a crash's unfinished one.
    original = readable[0] + b"not json\n" + readable[1] + b"[1]\n" + readable[2] + b'{"tab'
    journal.write_bytes(original)
    code, out = _doctor(tmp_path, capsys, "--yes")
    assert code == 0
    assert "DAMAGED (lines 2 and 4 are unreadable); 3 readable changes" in out
    assert "Kept 3 changes; dropped 2 unreadable lines and an unfinished last line" in out
    # Byte for byte and in order: the readable lines are the app's own.
    assert journal.read_bytes() == b"".join(readable)
    (aside,) = tmp_path.glob("state.json.journal.damaged-*")
    assert aside.read_bytes() == original
    assert sorted(StateStore(tmp_path / "state.json").all()) == ["a", "b", "c"]
    assert out.rstrip().endswith("Everything is in order.")


_DEEP = 100_000


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"[" * _DEEP + b"]" * _DEEP, "nested too deeply"),
        (b'{"a":' * _DEEP + b"1" + b"}" * _DEEP, "nested too deeply"),
        (b'{"state": {"abc": {"key": "a"}}}', "record id 'abc' is not a whole number"),
        (b'{"state": {"-1": {"key": "a"}}}', "record id '-1' is not a whole number"),
        (
            b'{"state": {"%s": {"key": "a"}}}' % (b"1" * 5000),
            f"record id {'1' * 20}... has too many digits",
        ),
        (b'{"state": {"1": {"read": true}}}', "record 1 has no valid key"),
        (b'{"state": {"1": {"key": 5}}}', "record 1 has no valid key"),
        (b'{"state": {"1": {"key": "a", "tags": "x"}}}', "record 1 has tags that are not a list"),
    ],
    ids=[
        "deep-list",
        "deep-object",
        "id-abc",
        "id-negative",
        "id-long",
        "no-key",
        "key-not-text",
        "tags",
    ],
)
def test_a_hostile_state_file_is_reported_damaged_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, reason: str
) -> None:
    state = tmp_path / "state.json"
    state.write_bytes(content)
    code, out = _doctor(tmp_path, capsys)
    assert code == 1
    assert f"state file {state}: DAMAGED ({reason})\n" in out
    assert "Traceback" not in out and "Everything is in order" not in out
    assert state.read_bytes() == content


def test_a_hostile_backup_and_journal_are_reported_not_crashed_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "state.json").write_bytes(b"[" * _DEEP)
    (tmp_path / "state.json.bak").write_bytes(b'{"state": {"x": {"key": "a"}}}')
    deep_line = b'{"table": "state", "documents": ' + b"[" * _DEEP + b"\n"
    (tmp_path / "state.json.journal").write_bytes(_line("a") + deep_line + _line("b"))
    code, out = _doctor(tmp_path, capsys, "--yes")
    assert code == 1
    assert "DAMAGED (nested too deeply)" in out
    assert "backup" in out and "DAMAGED, not usable" in out and "No usable backup" in out
    assert "DAMAGED (line 2 is unreadable); 2 readable changes" in out
    assert "Kept 2 changes; dropped 1 unreadable line" in out


def test_a_missing_state_file_next_to_a_good_backup_is_restored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # What an interrupted restore of older versions left: the app would start empty and
    # its next two writes would replace the backup.
    _library_with_backup(tmp_path)
    (tmp_path / "state.json").unlink()
    code, out = _doctor(tmp_path, capsys, "--yes")
    assert f"state file {tmp_path / 'state.json'}: MISSING, but a backup exists" in out
    assert code == 0 and "Restored the state from the backup" in out
    assert plain(StateStore(tmp_path / "state.json").get("a")) == PaperState("a", starred=True)


def test_a_full_disk_is_not_reported_as_damage_and_nothing_is_set_aside(
    disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # On a full disk SQLite cannot make the read's shared-memory file for the ranking's
    # vectors: doctor called the sound file DAMAGED and set it aside, then could not
    # rebuild it. A file that cannot be checked now is said so, and left alone.
    folder = disk / "library"
    with Library(folder) as library:
        library.import_papers(importing.read_files([str(seed_path(0))]))
        library.ranking.warm()
    ranking = folder / "ranking.sqlite3"
    assert ranking.exists()
    before = ranking.read_bytes()
    fill(disk)
    code, out = _doctor(folder, capsys, "--yes")
    assert code == 1, out
    assert "DAMAGED" not in out and "Everything is in order" not in out
    assert "could not be checked" in out
    assert ranking.read_bytes() == before
    assert not list(folder.glob("ranking.sqlite3.damaged-*"))
    # The vectors on their own (doctor checks them once the catalog checks out).
    found = examine_ranking(folder, folder / "catalog.sqlite3")
    assert found.unchecked and not found.unreadable and not found.repair, found.line
