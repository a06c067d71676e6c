import json
import os
from pathlib import Path

import pytest

from reader.errors import StoreError
from reader.library.state import StateStore
from reader.library.storage import AtomicJSONStorage
from reader.model import PaperState


def test_states_persist_across_reopen(tmp_path: Path):
    path = tmp_path / "state.json"
    store = StateStore(path)
    store.put([PaperState("a", starred=True, starred_at="2026-01-01T00:00:00+00:00")])
    store.put([PaperState("b", read=True, note="hi", tags=("ml", "to-read"))])
    store.put([PaperState("a", starred=False)])
    store.close()

    reopened = StateStore(path)
    assert reopened.get("a") == PaperState("a", starred=False)
    assert reopened.get("b") == PaperState("b", read=True, note="hi", tags=("ml", "to-read"))
    assert reopened.get("c") is None
    assert len(reopened) == 2
    # The file is plain JSON a person can read.
    documents = json.loads(path.read_text())["state"]
    assert sorted(doc["key"] for doc in documents.values()) == ["a", "b"]


def test_a_batch_of_states_is_one_file_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    store = StateStore(tmp_path / "state.json")
    store.put([PaperState("existing", read=True)])
    writes = []
    original = AtomicJSONStorage._write_file
    monkeypatch.setattr(
        AtomicJSONStorage,
        "_write_file",
        lambda self, data: (writes.append(1), original(self, data)),
    )
    store.put(
        [PaperState("existing", read=False)] + [PaperState(f"k{i}", read=True) for i in range(50)]
    )
    assert len(writes) == 1
    assert len(StateStore(tmp_path / "state.json")) == 51


def test_a_failed_write_leaves_the_old_file_and_memory_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "state.json"
    store = StateStore(path)
    store.put([PaperState("a", starred=True)])
    before = path.read_bytes()

    def refuse(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(StoreError, match="No space left on device"):
        store.put([PaperState("a", starred=False), PaperState("b", read=True)])
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert store.get("a") == PaperState("a", starred=True)
    assert store.get("b") is None
    assert not [p for p in tmp_path.iterdir() if p.name != "state.json"], "temp file left behind"
    # The store still works afterwards, and sees the file as it really is.
    store.put([PaperState("b", read=True)])
    assert StateStore(path).get("b") == PaperState("b", read=True)
    assert StateStore(path).get("a") == PaperState("a", starred=True)


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
    first.put([PaperState("a", read=True)])
    second = StateStore(path)
    second.put([PaperState("b", starred=True)])
    first.reload()
    assert first.get("b") == PaperState("b", starred=True)
