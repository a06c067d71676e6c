import json
import os
from pathlib import Path

import pytest

from reader.errors import StoreError
from reader.library.state import StateStore
from reader.library.storage import AtomicJSONStorage
from reader.model import PaperState
from tests.unit.state_helpers import STAMP, plain, put


def test_states_persist_across_reopen(tmp_path: Path):
    path = tmp_path / "state.json"
    store = StateStore(path)
    put(store, [PaperState("a", starred=True)])
    put(store, [PaperState("b", read=True, note="hi", tags=("ml", "to-read"))])
    put(store, [PaperState("a", starred=False)])
    store.close()

    reopened = StateStore(path)
    # "a" is back to every default: its record says nothing and was left out.
    assert reopened.get("a") is None
    assert plain(reopened.get("b")) == PaperState("b", read=True, note="hi", tags=("ml", "to-read"))
    assert reopened.get("b").read_at == STAMP
    assert reopened.get("c") is None
    assert len(reopened) == 1
    # The file is plain JSON a person can read.
    documents = json.loads(path.read_text())["state"]
    assert sorted(doc["key"] for doc in documents.values()) == ["b"]


def test_a_batch_of_states_is_one_durable_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    store = StateStore(tmp_path / "state.json")
    put(store, [PaperState("existing", read=True)])
    writes = []
    for name in ("_append", "_write_snapshot"):
        original = getattr(AtomicJSONStorage, name)

        def counting(self, data, original=original):
            writes.append(1)
            return original(self, data)

        monkeypatch.setattr(AtomicJSONStorage, name, counting)
    batch = [PaperState(f"k{i}", read=True) for i in range(50)]
    put(store, [PaperState("existing", read=False), *batch])
    assert len(writes) == 1
    assert len(StateStore(tmp_path / "state.json")) == 51


def test_small_changes_go_to_the_journal_and_close_folds_it(tmp_path: Path):
    path = tmp_path / "state.json"
    store = StateStore(path)
    for number in range(5):
        put(store, [PaperState(f"k{number}", starred=True)])
    journal = path.with_name("state.json.journal")
    assert len(journal.read_text().splitlines()) == 5
    # Another process (or a restart after a kill) sees every change without a close.
    assert len(StateStore(path)) == 5
    store.close()
    assert not journal.exists()
    assert len(json.loads(path.read_text())["state"]) == 5
    assert plain(StateStore(path).get("k4")) == PaperState("k4", starred=True)


def test_a_journal_line_cut_short_by_a_crash_is_ignored(tmp_path: Path):
    path = tmp_path / "state.json"
    store = StateStore(path)
    put(store, [PaperState("a", read=True)])
    put(store, [PaperState("b", read=True)])
    journal = path.with_name("state.json.journal")
    journal.write_bytes(journal.read_bytes() + b'{"table": "state", "documents": {"3": {"ke')
    reopened = StateStore(path)
    assert sorted(reopened.all()) == ["a", "b"]
    put(reopened, [PaperState("c", starred=True)])
    assert sorted(StateStore(path).all()) == ["a", "b", "c"]


def test_a_long_journal_is_compacted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from reader.library import storage

    monkeypatch.setattr(storage, "COMPACT_AFTER", 10)
    path = tmp_path / "state.json"
    store = StateStore(path)
    for number in range(25):
        put(store, [PaperState(f"k{number}", read=True)])
    journal = path.with_name("state.json.journal")
    assert len(journal.read_text().splitlines()) < 10
    assert len(StateStore(path)) == 25


@pytest.mark.parametrize("failing", ["fsync", "write"])
def test_a_failed_write_is_an_error_and_memory_stays_as_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
):
    path = tmp_path / "state.json"
    store = StateStore(path)
    put(store, [PaperState("a", starred=True)])
    store.close()
    store = StateStore(path)
    before = path.read_bytes()

    def refuse(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    journal = path.with_name("state.json.journal")
    monkeypatch.setattr(os, failing, refuse)
    with pytest.raises(StoreError, match="No space left on device"):
        put(store, [PaperState("a", starred=False), PaperState("b", read=True)])
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert not journal.exists() or journal.read_bytes() == b"", "the line was taken back"
    assert plain(store.get("a")) == PaperState("a", starred=True)
    assert store.get("b") is None
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temp file left behind"
    # The store still works afterwards.
    put(store, [PaperState("b", read=True)])
    assert plain(StateStore(path).get("b")) == PaperState("b", read=True)


def test_a_failed_compaction_leaves_the_old_file_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "state.json"
    store = StateStore(path)
    put(store, [PaperState("a", starred=True)])
    store.close()
    store = StateStore(path)
    before = path.read_bytes()

    def refuse(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    from reader.library import storage

    monkeypatch.setattr(storage, "COMPACT_AFTER", 1)
    monkeypatch.setattr(os, "replace", refuse)
    # The change is journalled, then compacted; the compaction fails, but the change
    # was durable before it, so `put` succeeds and the next compaction tries again.
    put(store, [PaperState(f"k{i}", read=True) for i in range(1000)])
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert len(StateStore(path)) == 1001
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temp file left behind"
    store.close()
    assert len(json.loads(path.read_text())["state"]) == 1001


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"[1, 2]", b'{"state": []}', b"\xff\xfe", b'{"state": {"1": {"read": true}}}'],
)
def test_a_damaged_file_is_refused_not_overwritten(tmp_path: Path, content: bytes):
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="damaged"):
        StateStore(path)
    assert path.read_bytes() == content


def test_another_process_write_is_seen(tmp_path: Path):
    path = tmp_path / "state.json"
    first = StateStore(path)
    put(first, [PaperState("a", read=True)])
    second = StateStore(path)
    put(second, [PaperState("b", starred=True)])
    assert first.refresh()
    assert plain(first.get("b")) == PaperState("b", starred=True)


def test_a_store_with_no_file_yet_is_not_a_change_on_every_look(tmp_path: Path):
    # The app looks about once a second; a library nobody marked anything in yet has no
    # state file, and each look used to count as "another process wrote", so the app
    # searched again and repainted every second.
    path = tmp_path / "state.json"
    store = StateStore(path)
    assert not store.changed_on_disk()
    assert not store.refresh()
    assert not store.refresh()
    other = StateStore(path)
    put(other, [PaperState("b", starred=True)])  # now another process does write
    assert store.changed_on_disk()
    assert store.refresh()
    assert not store.changed_on_disk()


def test_a_bulk_change_is_one_compact_line_and_blank_records_are_dropped(tmp_path: Path):
    path = tmp_path / "state.json"
    store = StateStore(path)
    keys = [f"paper-{number:06d}" for number in range(20_000)]
    store.set_fields({key: {"read": True} for key in keys}, STAMP)
    journal = path.with_name("state.json.journal")
    (line,) = journal.read_bytes().splitlines()
    assert b'"bulk"' in line and line.count(b'"read"') == 1
    assert len(line) < 60 * len(keys)  # an id and a key each, the fields once
    store.set_fields({key: {"read": False} for key in keys}, STAMP)  # undo
    store.close()
    # Back to the defaults: nothing stays on disk, so the library opens as fast as before.
    assert json.loads(path.read_text()) == {"state": {}}
    assert len(StateStore(path)) == 0
