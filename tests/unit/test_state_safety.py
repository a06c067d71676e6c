"""The state store's safety nets: the rolling backup, refusing damaged files, ids per key,
and two processes writing the same store at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reader.errors import StoreError
from reader.library import storage
from reader.library.state import StateStore, doc_id_for
from reader.model import PaperState
from tests.unit.state_helpers import STAMP, plain, put

REPO = Path(__file__).resolve().parents[2]


def _compact(path: Path) -> None:
    """Write a snapshot (as `close` does once the journal has lines)."""
    StateStore(path).close()


def test_rewriting_the_snapshot_keeps_the_previous_one_as_backup(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    store = StateStore(path)
    put(store, [PaperState("a", starred=True)])
    store.close()
    first = path.read_bytes()
    assert not path.with_name("state.json.bak").exists(), "nothing to back up before"
    store = StateStore(path)
    put(store, [PaperState("b", read=True)])
    store.close()
    assert path.with_name("state.json.bak").read_bytes() == first
    assert len(json.loads(path.read_text())["state"]) == 2


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b'{"state": {"1": {"ke', "not valid JSON"), (b'{"state": [1]}', "unexpected structure")],
)
def test_a_damaged_file_names_itself_and_the_backup_and_is_kept(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "state.json"
    store = StateStore(path)
    put(store, [PaperState("a", starred=True)])
    store.close()
    store = StateStore(path)
    put(store, [PaperState("b", starred=True)])
    store.close()
    path.write_bytes(content)
    with pytest.raises(StoreError) as raised:
        StateStore(path)
    message = str(raised.value)
    assert "\n" not in message
    assert f"the state file {path} is damaged ({problem}); it was left as it is." in message
    assert f"is in {path}.bak: run `reader doctor` to restore it" in message
    assert path.read_bytes() == content


def test_a_damaged_file_without_a_backup_says_there_is_none(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b"\x00\x00")
    with pytest.raises(StoreError, match="There is no usable backup"):
        StateStore(path)


def test_a_damaged_journal_line_is_refused_but_a_cut_last_line_is_not(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    store = StateStore(path)
    put(store, [PaperState("a", read=True)])
    journal = path.with_name("state.json.journal")
    good = journal.read_bytes()
    journal.write_bytes(good + b'{"table": "st')  # a crash mid-append: never acknowledged
    assert sorted(StateStore(path).all()) == ["a"]
    journal.write_bytes(b"garbage\n" + good)  # a complete line that cannot be read
    with pytest.raises(StoreError, match=r"state journal .* is damaged \(line 1 is unreadable\)"):
        StateStore(path)
    assert journal.read_bytes() == b"garbage\n" + good


def test_an_unfinished_line_is_cut_before_the_next_append(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    put(StateStore(path), [PaperState("a", read=True)])
    journal = path.with_name("state.json.journal")
    good = journal.read_bytes()
    journal.write_bytes(good + b'{"table": "st')
    put(StateStore(path), [PaperState("b", read=True)])
    lines = journal.read_bytes().splitlines()
    assert lines[0] == good.rstrip(b"\n") and len(lines) == 2
    assert sorted(StateStore(path).all()) == ["a", "b"]


def test_document_ids_come_from_the_key(tmp_path: Path) -> None:
    assert doc_id_for("2501.00001") == doc_id_for("2501.00001")
    assert doc_id_for("2501.00001") != doc_id_for("2501.00002")
    assert 0 < doc_id_for("x") < 2**63
    path = tmp_path / "state.json"
    put(StateStore(path), [PaperState("a", read=True)])
    ids = json.loads(path.with_name("state.json.journal").read_text())["patch"]
    assert list(ids) == [str(doc_id_for("a"))]


def test_old_sequential_ids_are_kept_then_moved_to_key_ids(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"state": {"1": {"key": "a", "read": True}}}))
    store = StateStore(path)
    put(store, [PaperState("a", read=True, starred=True), PaperState("b", read=True)])
    journal = json.loads(path.with_name("state.json.journal").read_text())
    assert "1" in journal["patch"], "a paper of the first version keeps its id meanwhile"
    store.close()
    documents = json.loads(path.read_text())["state"]
    assert documents == {
        str(doc_id_for("a")): {
            "key": "a",
            "read": True,
            "starred": True,
            **_stamps("starred"),  # "read" did not change: no new time
        },
        str(doc_id_for("b")): {"key": "b", "read": True, **_stamps("read")},
    }


@pytest.mark.parametrize("legacy_first", [True, False])
def test_a_paper_with_two_records_is_changed_in_its_first_version_record(
    tmp_path: Path, legacy_first: bool
) -> None:
    # Until a compaction merges them, a paper may have a first-version record and a
    # key-derived one; in either order in the file, changes go to the first-version one.
    path = tmp_path / "state.json"
    records = [("7", {"key": "a", "read": True}), (str(doc_id_for("a")), {"key": "a"})]
    path.write_text(json.dumps({"state": dict(records if legacy_first else records[::-1])}))
    store = StateStore(path)
    put(store, [PaperState("a", read=True, starred=True)])
    store.set_field(["a"], "note", "why", STAMP)
    lines = path.with_name("state.json.journal").read_text().splitlines()
    written = [json.loads(line) for line in lines]
    assert [list(line.get("patch") or line["bulk"]["ids"]) for line in written] == [["7"], ["7"]]
    reopened = StateStore(path).get("a")
    assert reopened is not None and (reopened.read, reopened.starred, reopened.note) == (
        True,
        True,
        "why",
    )


def _stamps(*names: str) -> dict[str, str]:
    return {f"{name}_at": STAMP for name in names}


def test_two_records_of_one_paper_merge_field_by_field(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    older, newer = "2026-01-01T00:00:00+00:00", "2026-02-01T00:00:00+00:00"
    path.write_text(
        json.dumps(
            {
                "state": {
                    "1": {
                        "key": "a",
                        "read": True,
                        "read_at": newer,
                        "note": "old",
                        "note_at": older,
                    },
                    str(doc_id_for("a")): {
                        "key": "a",
                        "read": False,
                        "read_at": older,
                        "note": "new",
                        "note_at": newer,
                    },
                }
            }
        )
    )
    store = StateStore(path)
    assert plain(store.get("a")) == PaperState("a", read=True, note="new")
    put(store, [PaperState("b", read=True)])
    store.close()
    assert plain(StateStore(path).get("a")) == PaperState("a", read=True, note="new")


def test_two_stores_on_one_file_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    first, second = StateStore(path), StateStore(path)
    put(first, [PaperState("a", read=True)])
    put(second, [PaperState("b", starred=True)])
    # `put` notices the other's write first, so its view holds both.
    put(first, [PaperState("c", note="x")])
    assert sorted(first.all()) == ["a", "b", "c"]
    second.close()  # compacts: must include `c`, written after `second` last looked
    first.close()
    assert sorted(StateStore(path).all()) == ["a", "b", "c"]


def test_compaction_includes_every_other_process_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "COMPACT_AFTER", 4)
    path = tmp_path / "state.json"
    first, second = StateStore(path), StateStore(path)
    for number in range(20):
        put(first if number % 2 else second, [PaperState(f"k{number}", read=True)])
    assert len(StateStore(path)) == 20


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from reader.library.state import StateStore
    from reader.model import PaperState
    from tests.unit.state_helpers import put

    folder, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    store = StateStore(folder / "state.json")
    for number in range(count):
        # Every process also writes one paper they share: last writer wins there.
        key = f"{name}-{number}" if number % 5 else "shared"
        put(store, [PaperState(key, read=True, note=f"{name} {number}")])
        print(key, flush=True)
        if number % 50 == 49:
            store.close()  # compaction while the other process appends
    store.close()
    """
)


def test_two_real_processes_keep_each_others_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    count = 300
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(tmp_path), name, str(count)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for name in ("one", "two")
    ]
    reported = {
        name: process.communicate(timeout=120)[0].split()
        for name, process in zip(("one", "two"), processes, strict=True)
    }
    assert all(process.returncode == 0 for process in processes)
    store = StateStore(tmp_path / "state.json")
    for name, keys in reported.items():
        assert len(keys) == count
        for key in set(keys) - {"shared"}:
            number = key.split("-")[1]
            assert plain(store.get(key)) == PaperState(key, read=True, note=f"{name} {number}")
    assert store.get("shared") is not None
    assert len(store) == 2 * (count - count // 5) + 1


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"state": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001, "nested too deeply"),
        (b'{"state": {"abc": {"key": "a", "read": true}}}', "is not a whole number"),
        (b'{"state": {"1e3": {"key": "a"}}}', "is not a whole number"),
        (b'{"state": {"' + b"9" * 5000 + b'": {"key": "a"}}}', "has too many digits"),
        (b'{"state": {"1": {"read": true}}}', "has no valid key"),
        (b'{"state": {"1": {"key": 7}}}', "has no valid key"),
        (b'{"state": {"1": {"key": "a", "tags": "x"}}}', "has tags that are not a list"),
    ],
)
def test_hostile_state_files_are_refused_in_one_line(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(StoreError) as raised:
        StateStore(path)
    assert problem in str(raised.value) and "\n" not in str(raised.value)
    assert path.read_bytes() == content


@pytest.mark.parametrize(
    "line",
    [
        b'{"table": "state", "patch": {"1": {"read": true}}}',  # a new record without key
        b'{"table": "state", "patch": {"x": {"key": "a"}}}',
        b'{"table": "state", "bulk": {"fields": {"read": true}, "ids": {"1": 5}}}',
        b'{"table": "state", "documents": {"1": {"read": true}}}',
        b'{"table": "state", "patch": {"1": {"key": "a", "tags": "x"}}}',
        b'{"table": "state", "bulk": {"fields": {"tags": 3}, "ids": {"1": "a"}}}',
        b"[" * 100_000,
    ],
)
def test_hostile_journal_lines_are_refused_in_one_line(tmp_path: Path, line: bytes) -> None:
    path = tmp_path / "state.json"
    put(StateStore(path), [PaperState("a", read=True)])
    journal = path.with_name("state.json.journal")
    journal.write_bytes(journal.read_bytes() + line + b"\n")
    with pytest.raises(StoreError, match="damaged") as raised:
        StateStore(path)
    assert "\n" not in str(raised.value)


def test_a_symlinked_state_file_keeps_writing_to_its_target(tmp_path: Path) -> None:
    target_folder = tmp_path / "synced"
    target_folder.mkdir()
    target = target_folder / "state.json"
    put(StateStore(target), [PaperState("a", read=True)])
    StateStore(target).close()
    library = tmp_path / "library"
    library.mkdir()
    (library / "state.json").symlink_to(target)
    store = StateStore(library / "state.json")
    put(store, [PaperState("b", starred=True)])
    store.close()
    assert (library / "state.json").is_symlink(), "the link was replaced by a file"
    assert sorted(
        json.loads(target.read_text())["state"][k]["key"]
        for k in json.loads(target.read_text())["state"]
    ) == ["a", "b"]
    assert sorted(StateStore(library / "state.json").all()) == ["a", "b"]


def test_temporary_files_of_a_killed_compaction_are_removed_at_the_next_start(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.json"
    put(StateStore(path), [PaperState("a", read=True)])
    leftovers = [tmp_path / ".state.json.abc123", tmp_path / ".state.json.bak.4242.tmp"]
    for leftover in leftovers:
        leftover.write_bytes(b'{"state": {}}')
    keep = tmp_path / "notes.txt"
    keep.write_text("mine")
    store = StateStore(path)
    assert not any(leftover.exists() for leftover in leftovers)
    assert keep.read_text() == "mine" and sorted(store.all()) == ["a"]
