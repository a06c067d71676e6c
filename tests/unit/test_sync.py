"""Sync against what sync tools and machines do: files cut short, duplicated as "conflict
copies", clocks hours off, a device removed, two syncs at once, a full or read-only
shared folder; and the merge itself (clocks, note conflict copies, papers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader import importing
from reader.errors import ReaderError
from reader.library import Library
from reader.sync.clock import Stamp, tick
from reader.sync.engine import sync
from reader.sync.log import read_log
from reader.sync.merge import FieldChange, Knowledge
from reader.sync.status import status
from tests.conftest import REPO, fill
from tests.unit.sync_helpers import Clock, Device, deliver, deliver_all

KEY, OTHER = "2401.00001", "2401.00002"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def devices(tmp_path: Path, clock: Clock) -> Iterator[list[Device]]:
    made = [Device(tmp_path, name, clock) for name in ("laptop", "desk", "server")]
    yield made
    for device in made:
        device.close()


def _step(clock: Clock, seconds: int = 1) -> None:
    clock.seconds += seconds


# --- the clock and the merge -------------------------------------------------------------


def test_a_stamp_is_never_below_one_seen_whatever_the_wall_clock_says() -> None:
    seen = Stamp(5_000, 3, "b")
    assert tick(seen, 1_000, "a") == Stamp(5_000, 4, "a")
    assert tick(seen, 9_000, "a") == Stamp(9_000, 0, "a")
    assert Stamp(5_000, 4, "a") > seen
    # Ties of time and counter: the device id decides, the same way everywhere.
    assert Stamp(1, 0, "b") > Stamp(1, 0, "a")
    assert Stamp.parse(str(Stamp(1_800_000_000_123, 7, "x-1"))) == Stamp(
        1_800_000_000_123, 7, "x-1"
    )
    for bad in ("", "1.2", "1.2.dev/../x", "99999999999999999.0.a", None, 5):
        assert Stamp.parse(bad) is None


def test_merging_is_the_same_in_any_order_and_twice() -> None:
    changes = [
        FieldChange(KEY, "starred", True, Stamp(10, 0, "a")),
        FieldChange(KEY, "starred", False, Stamp(10, 0, "b")),
        FieldChange(KEY, "note", "mine", Stamp(11, 0, "a")),
        FieldChange(KEY, "note", "theirs", Stamp(12, 0, "b")),
    ]
    results = []
    for order in (changes, changes[::-1], changes + changes, changes[1::2] + changes[::2]):
        knowledge = Knowledge()
        knowledge.add_all(order)
        results.append(
            (
                {slot: c.value for slot, c in knowledge.winners.items()},
                [c.value for c in knowledge.conflicts(KEY)],
            )
        )
    assert all(result == results[0] for result in results)
    assert results[0][0][(KEY, "starred")] is False  # the tie went to device "b"
    assert results[0][1] == ["mine"], "the note that lost is kept as a conflict copy"


def test_an_edit_that_saw_the_copy_settles_it() -> None:
    knowledge = Knowledge()
    mine, theirs = Stamp(11, 0, "a"), Stamp(12, 0, "b")
    knowledge.add(FieldChange(KEY, "note", "mine", mine))
    knowledge.add(FieldChange(KEY, "note", "theirs", theirs))
    assert [c.value for c in knowledge.conflicts(KEY)] == ["mine"]
    knowledge.add(FieldChange(KEY, "note", "both", Stamp(13, 0, "a"), knowledge.seen_notes(KEY)))
    assert knowledge.conflicts(KEY) == []


# --- whole syncs -------------------------------------------------------------------------


def test_changes_and_papers_travel_and_notes_edited_on_both_keep_a_conflict_copy(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    with Library(tmp_path / "a") as a, Library(tmp_path / "b") as b:
        a.import_papers(importing.sample_items())
        key = a.keys()[0]
        a.set_starred([key], True)
        a.set_note(key, "first thoughts")
        sync(a, shared)
        report = sync(b, shared)
        assert report.papers_received == len(a), "the papers came without fetching"
        assert b.state_of(key).starred and b.state_of(key).note == "first thoughts"
        # Both edit the note before they sync again.
        a.set_note(key, "edited on a")
        b.set_note(key, "edited on b")
        sync(a, shared)
        sync(b, shared)
        sync(a, shared)
        assert a.state_of(key).note == b.state_of(key).note
        winner = a.state_of(key).note
        loser = ({"edited on a", "edited on b"} - {winner}).pop()
        assert [c.note for c in a.note_conflicts(key)] == [loser]
        assert [c.note for c in b.note_conflicts(key)] == [loser]
        # Editing the note on a device that shows the copy settles it, everywhere.
        b.set_note(key, "merged by hand")
        sync(b, shared)
        sync(a, shared)
        assert a.state_of(key).note == "merged by hand"
        assert a.note_conflicts(key) == [] and b.note_conflicts(key) == []
        # Papers that arrived are not sent back.
        assert sync(b, shared).papers_sent == 0


def test_a_log_file_cut_short_gives_its_whole_lines_then_the_rest(
    devices: list[Device], clock: Clock
) -> None:
    laptop, desk, _ = devices
    for number in range(40):
        _step(clock)
        laptop.set(f"2401.{number:05d}", "starred", True)
    laptop.sync()
    (log,) = [f for f in laptop.own_files() if f.name.startswith("changes")]
    half = deliver(laptop, desk, log, cut=log.stat().st_size // 2)
    assert not half.read_bytes().endswith(b"\n"), "the cut must fall mid-line"
    desk.sync()
    got = len(desk.state())
    assert 0 < got < 40, "the whole lines before the cut are merged"
    desk_status = status(desk.library, desk.view)
    assert desk_status.devices[0].incomplete == 1, "--status says a file is still arriving"
    deliver(laptop, desk, log)
    desk.sync()
    assert desk.state() == laptop.state()
    assert status(desk.library, desk.view).devices[0].incomplete == 0


def test_conflict_copies_of_files_change_nothing(devices: list[Device], clock: Clock) -> None:
    laptop, desk, _ = devices
    laptop.set(KEY, "note", "a note")
    laptop.set(OTHER, "tags", ("vla",))
    laptop.sync()
    (log,) = [f for f in laptop.own_files() if f.name.startswith("changes")]
    for name in (
        log.name.replace(".jsonl", ".sync-conflict-20261130-101010-ABCDEFG.jsonl"),  # Syncthing
        log.name.replace(".jsonl", " (desk's conflicted copy 2026-11-30).jsonl"),  # Dropbox
    ):
        deliver(laptop, desk, log).rename(desk.view / laptop.id / name)
    # A duplicate that is itself cut short, and the original arriving last.
    cut = deliver(laptop, desk, log, cut=50)
    cut.rename(cut.with_name(log.name.replace(".jsonl", " (1).jsonl")))
    deliver(laptop, desk, log)
    desk.sync()
    assert desk.state() == laptop.state()
    assert desk.library.note_conflicts(KEY) == [], "a duplicate is not a conflict"
    _step(clock)
    desk.set(KEY, "note", "changed on desk")
    desk.sync()
    deliver_all(devices)
    laptop.sync()
    assert laptop.state()[KEY][2] == "changed on desk"


def test_a_device_hours_behind_wins_with_a_change_made_after_seeing_the_other(
    tmp_path: Path, clock: Clock
) -> None:
    ahead = Device(tmp_path, "ahead", clock, skew_seconds=0)
    behind = Device(tmp_path, "behind", clock, skew_seconds=-5 * 3600)
    try:
        ahead.set(KEY, "starred", True)
        ahead.sync()
        deliver_all([ahead, behind])
        _step(clock, 60)
        behind.sync()
        assert behind.state()[KEY][1] is True
        # A minute later in real time, five hours earlier by its own clock.
        _step(clock, 60)
        behind.set(KEY, "starred", False)
        behind.sync()
        deliver_all([ahead, behind])
        ahead.sync()
        assert KEY not in ahead.state(), "the later change lost to a clock hours ahead"
        assert behind.state() == ahead.state()
    finally:
        ahead.close()
        behind.close()


def test_a_removed_device_keeps_its_changes_for_all_even_devices_joining_later(
    devices: list[Device], clock: Clock, tmp_path: Path
) -> None:
    laptop, desk, server = devices
    server.set(KEY, "note", "written on the server")
    server.set(OTHER, "read", True)
    for device in devices:
        device.sync()
    deliver_all(devices)
    for device in devices:
        _step(clock)
        device.sync()
    expected = server.state()
    # The server is retired: its folder is deleted from the shared folder everywhere.
    import shutil

    for device in (laptop, desk):
        shutil.rmtree(device.view / server.id)
    _step(clock)
    laptop.sync()
    assert laptop.state() == expected
    listed = status(laptop.library, laptop.view)
    assert [(d.device, d.present) for d in listed.devices if d.device == server.id] == [
        (server.id, False)
    ]
    # A new machine joins after the server is gone: it gets the server's changes too
    # (the laptop wrote a snapshot of everything when the server's folder vanished).
    newcomer = Device(tmp_path, "new", clock)
    try:
        (newcomer.view / laptop.id).parent.mkdir(exist_ok=True)
        shutil.copytree(laptop.view / laptop.id, newcomer.view / laptop.id)
        newcomer.sync()
        assert newcomer.state() == expected
    finally:
        newcomer.close()


def test_a_full_shared_folder_is_one_line_and_loses_nothing(disk: Path, tmp_path: Path) -> None:
    with Library(tmp_path / "a") as a, Library(tmp_path / "b") as b:
        a.import_papers(importing.sample_items())
        keys = a.keys()
        a.set_note(keys[0], "x" * 5000)
        filler = fill(disk, leave=0)
        with pytest.raises(ReaderError) as refused:
            sync(a, disk)
        message = str(refused.value)
        assert "No space left" in message and "nothing was lost" in message
        assert "\n" not in message
        assert a.state_of(keys[0]).note == "x" * 5000
        filler.unlink()
        sync(a, disk)
        sync(b, disk)
        assert b.state_of(keys[0]).note == "x" * 5000
        assert len(b) == len(a)


def test_a_read_only_shared_folder_is_one_line_and_loses_nothing(
    disk: Path, tmp_path: Path
) -> None:
    with Library(tmp_path / "a") as a:
        a.state.set_fields({KEY: {"starred": True}}, "2026-01-01T00:00:00+00:00")
        done = subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=False)
        if done.returncode:
            pytest.skip("cannot remount the test filesystem read-only")
        try:
            with pytest.raises(ReaderError) as refused:
                sync(a, disk)
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        assert "Read-only" in str(refused.value) and "\n" not in str(refused.value)
        assert a.state_of(KEY).starred
        assert sync(a, disk).sent == 1, "the change waited for the next sync"


def test_a_missing_shared_folder_is_refused_not_created(tmp_path: Path) -> None:
    with Library(tmp_path / "a") as a, pytest.raises(ReaderError, match="does not exist"):
        sync(a, tmp_path / "not-mounted")
    assert not (tmp_path / "not-mounted").exists()


def test_two_processes_syncing_one_library_at_once(tmp_path: Path) -> None:
    shared, folder = tmp_path / "shared", tmp_path / "library"
    shared.mkdir()
    with Library(folder) as library:
        library.import_papers(importing.sample_items())
        keys = library.keys()
        library.set_starred(keys[:20], True)
    command = [sys.executable, "-m", "reader", "sync", str(shared), "--library", str(folder)]
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    runs = [
        subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    marking = subprocess.run(
        [
            sys.executable,
            "-m",
            "reader",
            "note",
            keys[30],
            "during the syncs",
            "--library",
            str(folder),
        ],
        env=environment,
        capture_output=True,
        check=False,
    )
    results = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    assert marking.returncode == 0
    record = json.loads((folder / "sync.json").read_text())
    assert record["device"]
    with Library(folder) as library:
        assert library.state_of(keys[30]).note == "during the syncs"
        sync(library, shared)
    # Another device gets everything, each change once.
    with Library(tmp_path / "other") as other:
        sync(other, shared)
        assert sum(state.starred for state in other.state.all().values()) == 20
        assert other.state_of(keys[30]).note == "during the syncs"
    logs = [
        read_log(path.read_bytes()) for path in (shared / record["device"]).glob("changes-*.jsonl")
    ]
    assert all(log.complete for log in logs)
    starred = [c for log in logs for c in log.changes if c.name == "starred"]
    assert len(starred) == 20, "two syncs at once sent the changes twice"


def test_hostile_log_lines_are_skipped(devices: list[Device]) -> None:
    laptop, desk, _ = devices
    laptop.set(KEY, "starred", True)
    laptop.sync()
    folder = laptop.view / laptop.id  # a damaged file, as it reaches every device
    lines = [
        b'{"k": "x", "f": "starred", "v": "yes", "c": "1.0.a"}',  # wrong type
        b'{"k": "x", "f": "owner", "v": true, "c": "1.0.a"}',  # unknown field
        b'{"k": "", "f": "read", "v": true, "c": "1.0.a"}',  # no key
        b'{"k": "x", "f": "read", "v": true, "c": "1.0.../../a"}',  # bad stamp
        b"[" * 100_000,  # nested deep
        b"\xff\xfe not utf-8",
        b'{"keys": "abc", "f": "read", "v": true, "c": "1.0.a"}',
        b'{"k": "2401.00009", "f": "tags", "v": ["ok"], "c": "1.0.a"}',
    ]
    (folder / "changes-0000000000001-000000.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    deliver_all([laptop, desk])
    desk.sync()
    assert desk.state() == {
        KEY: laptop.state()[KEY],
        "2401.00009": (False, False, "", ("ok",), False),
    }


def test_a_change_made_during_a_sync_is_kept_and_sent_by_the_next(
    devices: list[Device], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.sync import engine
    from reader.sync.clock import ms_to_iso

    laptop, desk, _ = devices
    desk.set(KEY, "note", "from the desk")
    desk.sync()
    deliver_all(devices)
    receive = engine._Sync._receive

    def receive_while_another_process_writes(self: engine._Sync) -> list[str]:
        gone = receive(self)
        _step(clock)
        with Library(laptop.library.folder) as other:  # the app, say, in another process
            other.state.set_fields({KEY: {"note": "typed meanwhile"}}, ms_to_iso(laptop.now_ms()))
        return gone

    monkeypatch.setattr(engine._Sync, "_receive", receive_while_another_process_writes)
    laptop.sync()
    monkeypatch.undo()
    assert laptop.state()[KEY][2] == "typed meanwhile", "the sync overwrote a newer change"
    _step(clock)
    laptop.sync()
    deliver_all(devices)
    desk.sync()
    assert desk.state()[KEY][2] == "typed meanwhile"
    assert laptop.library.note_conflicts(KEY) == []


def test_a_change_made_while_a_sync_holds_the_files_waits_for_it_and_never_hangs(
    sample_library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The app syncs in a worker while the user stars a paper on the UI thread.
    library = sample_library
    shared = tmp_path / "shared"
    shared.mkdir()
    key = library.keys()[0]
    storage = library.state.storage
    real_refresh, real_locked = library.refresh, storage.locked
    syncing, writing = threading.Event(), threading.Event()

    def refresh() -> bool:
        if threading.current_thread() is syncer and not syncing.is_set():
            syncing.set()  # the sync holds the files now: the star comes at this moment
            writing.wait(1)
        return real_refresh()

    def locked() -> object:
        if threading.current_thread() is writer:
            writing.set()  # the star, its change planned, waits for the files
        return real_locked()

    monkeypatch.setattr(library, "refresh", refresh)
    monkeypatch.setattr(storage, "locked", locked)
    syncer = threading.Thread(target=sync, args=(library, shared), daemon=True)
    writer = threading.Thread(target=library.set_starred, args=([key], True), daemon=True)
    syncer.start()
    assert syncing.wait(5)
    writer.start()
    syncer.join(10)
    writer.join(10)
    assert not syncer.is_alive() and not writer.is_alive(), "each waits for the other"
    assert library.state_of(key).starred
