"""Another process writing the catalog never blocks readers, and a second writer waits.

A real second process holds the catalog's write lock, as a long import does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.cli import main
from tests.conftest import Run, seed_path

REPO = Path(__file__).resolve().parents[2]

_HOLDER = textwrap.dedent(
    """
    import sqlite3, sys, time
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("PRAGMA busy_timeout = 5000")
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE papers SET upvotes = upvotes")  # a write in progress, as an import
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    db.execute("ROLLBACK")
    """
)


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    assert main(["import", str(seed_path(0)), "--library", str(tmp_path)]) == 0
    return Run(tmp_path, capsys)


def _hold(folder: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(folder / "catalog.sqlite3"), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
    return holder


@pytest.fixture
def holder(run: Run) -> Iterator[subprocess.Popen[str]]:
    process = _hold(run.folder, 60)
    yield process
    process.kill()
    process.wait()


def test_readers_are_never_blocked_by_a_writer(run: Run, holder: subprocess.Popen[str]) -> None:
    code, out, err = run("list")
    assert code == 0, err
    assert len(out.splitlines()) == 9
    code, out, err = run("export", "--all", "--format", "jsonl")
    assert code == 0, err
    assert len(out.splitlines()) == 9
    # Changing your state never needs the catalog's write lock either.
    key = json.loads(out.splitlines()[0])["key"]
    assert run("mark", key, "--star")[0] == 0


def test_a_second_import_waits_and_says_so(run: Run) -> None:
    holder = _hold(run.folder, 2)
    code, out, err = run("import", str(seed_path(1)))
    holder.wait()
    assert code == 0, err
    assert "waiting for another import" in err
    assert "Imported" in out


def test_a_lock_held_too_long_says_busy_not_damaged(
    run: Run, holder: subprocess.Popen[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.library import connection

    monkeypatch.setattr(connection, "WRITE_WAIT_SECONDS", 0.5)
    code, _, err = run("import", str(seed_path(1)))
    assert code == 1
    assert "busy" in err and "doctor" not in err and "damaged" not in err
    assert err.count("\n") == 2  # the one "waiting" line, then the error
