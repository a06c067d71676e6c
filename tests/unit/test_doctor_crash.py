"""`reader doctor` interrupted at any moment loses nothing, and never races a writer.

After any interruption the state file holds either the damaged file or the complete
replacement, the backup is byte-identical, every readable journal line is in the journal
or in its set-aside copy, and the next `reader doctor` finishes the job. Interruptions come
two ways: in-process, instead of each change to the folder's entries in turn (every
link, rename and unlink); and as a real SIGKILL at random moments. The CI default is
short; `READER_CRASH_LOOPS=200` runs the long mode (each test is also bounded by
`READER_CRASH_SECONDS`, 30 by default), as in test_crash.py.
"""

from __future__ import annotations

import collections
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reader.cli import main
from reader.library.state import StateStore, doc_id_for
from reader.model import PaperState
from tests.conftest import seed_path
from tests.unit.state_helpers import put

REPO = Path(__file__).resolve().parents[2]
LOOPS = int(os.environ.get("READER_CRASH_LOOPS", "10"))
SECONDS = float(os.environ.get("READER_CRASH_SECONDS", "30"))

STATE, BACKUP, JOURNAL = "state.json", "state.json.bak", "state.json.journal"
CATALOG = "catalog.sqlite3"
DAMAGED_STATE = b'{"state": {"1": '
Fields = tuple[bool, bool, str]


def _line(key: str) -> bytes:
    """One journal line starring `key`, as the app writes it."""
    change = {"table": "state", "documents": {str(doc_id_for(key)): {"key": key, "starred": True}}}
    return json.dumps(change).encode() + b"\n"


READABLE = [_line("c"), _line("d"), _line("e")]


def _damaged_library(folder: Path) -> dict[str, bytes]:
    """A library with a damaged state file, a good backup, and a journal with a bad middle
    line (and an unfinished last one); returns the bytes of its state files."""
    assert main(["import", str(seed_path(0)), "--library", str(folder)]) == 0
    for key in ("a", "b"):
        store = StateStore(folder / STATE)
        put(store, [PaperState(key, starred=True)])
        store.close()
    (folder / STATE).write_bytes(DAMAGED_STATE)
    journal = READABLE[0] + READABLE[1] + b"not json\n" + READABLE[2] + b'{"table": "st'
    (folder / JOURNAL).write_bytes(journal)
    return {name: (folder / name).read_bytes() for name in (STATE, BACKUP, JOURNAL)}


def _lines(path: Path) -> set[bytes]:
    return {line + b"\n" for line in path.read_bytes().split(b"\n")[:-1]}


def _check_nothing_lost(folder: Path, original: dict[str, bytes]) -> None:
    """The promises that hold at every instant of a repair."""
    state = folder / STATE
    assert state.exists(), "the state file is missing: the app would start empty"
    assert state.read_bytes() in (original[STATE], original[BACKUP]), "a partial state file"
    assert (folder / BACKUP).read_bytes() == original[BACKUP], "a repair changed the backup"
    journal = folder / JOURNAL
    assert journal.exists(), "the journal is missing"
    assert journal.read_bytes() in (original[JOURNAL], b"".join(READABLE)), "a partial journal"
    journals = [folder / JOURNAL, *folder.glob(f"{JOURNAL}.damaged-*")]
    kept = set().union(*(_lines(path) for path in journals if path.exists()))
    assert set(READABLE) <= kept, "a readable journal line was lost"


def _expected(original: dict[str, bytes]) -> dict[str, Fields]:
    """The backup plus every readable journal line, in order."""
    documents = dict(json.loads(original[BACKUP])["state"])
    for line in READABLE:
        documents.update(json.loads(line)["documents"])
    return {doc["key"]: (doc.get("read", False), doc["starred"], "") for doc in documents.values()}


def _stored(folder: Path) -> dict[str, Fields]:
    store = StateStore(folder / STATE)
    return {key: (state.read, state.starred, state.note) for key, state in store.all().items()}


def _finish(folder: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run `reader doctor --yes` to the end; it must leave everything in order."""
    capsys.readouterr()
    code = main(["doctor", "--yes", "--library", str(folder), *args])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert out.rstrip().endswith("Everything is in order."), out + err
    return out


class Crash(BaseException):
    """Stands for the process dying: raised instead of a change, so nothing after it runs.

    A BaseException, like the signal it stands for, so no `except OSError` catches it.
    """


def _crash_at(patch: pytest.MonkeyPatch, step: int) -> None:
    """Make the `step`-th change to a folder's entries (1-based) crash instead of happening."""
    count = 0

    def interrupting(real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            nonlocal count
            count += 1
            if count == step:
                raise Crash
            return real(*args, **kwargs)

        return call

    for name in ("replace", "rename", "link", "unlink", "remove", "truncate"):
        patch.setattr(os, name, interrupting(getattr(os, name)))
    for name in ("copyfile", "copy", "copy2", "move"):
        patch.setattr(shutil, name, interrupting(getattr(shutil, name)))


def _interrupt_each_step(
    tmp_path: Path,
    base: Path,
    args: list[str],
    check: Callable[[Path], None],
    finish: Callable[[Path], None],
) -> int:
    """Run doctor on copies of `base`, crashing at step 1, 2, ... until it completes;
    after each crash, `check` the folder, then `finish` the repair. Returns the steps."""
    step = 0
    while True:
        step += 1
        assert step < 100, "the repair never completes"
        folder = tmp_path / f"step-{step}"
        shutil.copytree(base, folder)
        with pytest.MonkeyPatch.context() as patch:
            _crash_at(patch, step)
            try:
                main(["doctor", "--yes", "--library", str(folder), *args])
                completed = True
            except Crash:
                completed = False
        check(folder)
        finish(folder)
        if completed:
            return step


def test_a_state_repair_interrupted_at_any_step_loses_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = _damaged_library(tmp_path / "base")

    def finish(folder: Path) -> None:
        _finish(folder, capsys)
        _check_nothing_lost(folder, original)
        assert (folder / STATE).read_bytes() == original[BACKUP]
        assert _stored(folder) == _expected(original)

    steps = _interrupt_each_step(
        tmp_path, tmp_path / "base", [], lambda f: _check_nothing_lost(f, original), finish
    )
    assert steps > 4, "restore and salvage take several steps; each was interrupted once"


def _damaged_catalog(tmp_path: Path) -> tuple[Path, bytes, bytes]:
    """A library whose catalog is damaged while a writer's WAL still holds changes."""
    source, base = tmp_path / "source", tmp_path / "base"
    assert main(["import", str(seed_path(0)), "--library", str(source)]) == 0
    db = sqlite3.connect(source / CATALOG)
    try:
        db.execute("PRAGMA wal_autocheckpoint = 0")
        db.execute("UPDATE papers SET title = title || ' (revised)'")
        db.commit()
        # Copied while the writer is open: its changes are only in the -wal file.
        shutil.copytree(source, base)
    finally:
        db.close()
    wal = (base / f"{CATALOG}-wal").read_bytes()
    assert wal, "the WAL holds the writer's changes"
    damaged = b"this is not a database" * 400
    (base / CATALOG).write_bytes(damaged)
    return base, damaged, wal


def _opens_empty_and_sound(folder: Path, tmp_path: Path) -> bool:
    # On a copy: opening applies any -wal next to the catalog, which is what is checked.
    copy = tmp_path / "opened"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy)
    try:
        with sqlite3.connect(copy / CATALOG) as db:
            sound = db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            return sound and db.execute("SELECT count(*) FROM papers").fetchone()[0] == 0
    except sqlite3.DatabaseError:
        return False


def test_a_catalog_rebuild_interrupted_at_any_step_never_pairs_the_old_wal_with_the_new_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, damaged, wal = _damaged_catalog(tmp_path)
    catalog = CATALOG

    def check(folder: Path) -> None:
        assert (folder / catalog).exists(), "the catalog is missing"
        if (folder / catalog).read_bytes() != damaged:
            live_wal = folder / f"{catalog}-wal"
            assert not (live_wal.exists() and live_wal.read_bytes() == wal), (
                "the old WAL is next to the new catalog: SQLite would apply it"
            )
            assert _opens_empty_and_sound(folder, tmp_path)
        # The damaged file and its WAL are kept, in place or set aside, for the user.
        kept = [folder / catalog, *folder.glob(f"{catalog}.damaged-*")]
        assert any(path.read_bytes() == damaged for path in kept)
        wals = [folder / f"{catalog}-wal", *folder.glob(f"{catalog}.damaged-*-wal")]
        assert any(path.exists() and path.read_bytes() == wal for path in wals)

    def finish(folder: Path) -> None:
        _finish(folder, capsys, "--rebuild-catalog")
        check(folder)
        assert _opens_empty_and_sound(folder, tmp_path)

    steps = _interrupt_each_step(tmp_path, base, ["--rebuild-catalog"], check, finish)
    assert steps > 3, "a rebuild takes several steps; each was interrupted once"


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", **extra}


def _progress(folder: Path, original: dict[str, bytes]) -> str:
    """How far a killed doctor got: untouched, repaired, or in the middle."""
    asides = list(folder.glob("state.json*.damaged-*"))
    journal = (folder / JOURNAL).read_bytes()
    state = (folder / STATE).read_bytes()
    if state == original[STATE] and journal == original[JOURNAL] and not asides:
        return "untouched"
    if state == original[BACKUP] and journal == b"".join(READABLE):
        return "repaired"
    return "mid-repair"


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_doctor_killed_at_random_moments_loses_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = _damaged_library(tmp_path / "base")
    rng = random.Random(3)
    outcomes: collections.Counter[str] = collections.Counter()
    deadline = time.monotonic() + SECONDS
    for loop in range(LOOPS):
        if time.monotonic() > deadline:
            break
        folder = tmp_path / f"kill-{loop}"
        shutil.copytree(tmp_path / "base", folder)
        child = subprocess.Popen(
            [sys.executable, "-m", "reader", "--library", str(folder), "doctor", "--yes"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            # A repair takes well under a millisecond: the pause between its steps (a test
            # hook, see doctor.py) spreads it over ~60 ms so most kills land inside it.
            env=_env(READER_TEST_DOCTOR_PAUSE="0.01"),
        )
        assert child.stdout is not None
        # The findings are printed once the files are examined; the repairs come next.
        assert b"state file" in child.stdout.readline()
        time.sleep(rng.uniform(0, 0.05))
        child.send_signal(signal.SIGKILL)
        child.communicate()
        _check_nothing_lost(folder, original)
        outcomes[_progress(folder, original)] += 1
        _finish(folder, capsys)
        _check_nothing_lost(folder, original)
        assert _stored(folder) == _expected(original)
        shutil.rmtree(folder)
    assert sum(outcomes.values()) >= min(LOOPS, 5)
    assert outcomes["mid-repair"], f"no kill landed inside a repair: {dict(outcomes)}"


_HOLDER = textwrap.dedent(
    """
    import fcntl, os, sys
    from pathlib import Path

    folder = Path(sys.argv[1])
    descriptor = os.open(folder / "state.json.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    print("locked", flush=True)
    # When told to (or when the test goes away), append a change as `reader mark` does,
    # under the lock, then release it.
    sys.stdin.readline()
    with open(folder / "state.json.journal", "ab") as journal:
        journal.write(sys.argv[2].encode() + b"\\n")
        journal.flush()
        os.fsync(journal.fileno())
    os.close(descriptor)
    """
)


@pytest.mark.skipif(os.name != "posix", reason="the writers' lock is an flock")
def test_doctor_waits_for_a_writer_holding_the_lock(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    original = _damaged_library(folder)
    # The journal first loses its unfinished line, as a writer's append does.
    (folder / JOURNAL).write_bytes(original[JOURNAL].rsplit(b"\n", 1)[0] + b"\n")
    appended = _line("f")
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(folder), appended.decode().rstrip("\n")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    doctor = None
    try:
        assert holder.stdin is not None and holder.stdout is not None
        assert holder.stdout.readline() == "locked\n"
        doctor = subprocess.Popen(
            [sys.executable, "-m", "reader", "--library", str(folder), "doctor", "--yes"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        assert doctor.stderr is not None
        # Without the lock, doctor would finish here and this would read its end instead.
        assert "waiting for another reader process" in doctor.stderr.readline()
        assert (folder / STATE).read_bytes() == original[STATE], "repaired without the lock"
        assert not list(folder.glob("*.damaged-*"))
        holder.stdin.write("go\n")
        holder.stdin.close()
        assert holder.wait(timeout=30) == 0
        out, err = doctor.communicate(timeout=30)
        assert doctor.returncode == 0, out + err
    finally:
        for child in (holder, doctor):
            if child is not None and child.poll() is None:
                child.kill()
                child.wait()
    # The writer's change, appended while doctor waited, is kept with the others.
    assert "Kept 4 changes; dropped 1 unreadable line" in out
    assert (folder / JOURNAL).read_bytes() == b"".join([*READABLE, appended])
    assert (folder / STATE).read_bytes() == original[BACKUP]
    assert _stored(folder)["f"] == (False, True, "")
