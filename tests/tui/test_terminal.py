"""The app in a real terminal (tmux), driven as a person types: a word sent in one write.

Pilot runs the app inside the test's own event loop; here the app is its own process
reading a real pseudo-terminal, so the keys arrive as the terminal delivers them.
CI installs tmux (`.ci/run`); elsewhere these tests are skipped when it is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.cli import main

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (CI installs it)"),
    pytest.mark.slow,
]


class Terminal:
    """One tmux session running `reader` on a library."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.name = f"reader-test-{uuid.uuid4().hex[:8]}"
        env = {
            "PYTHONPATH": str(REPO),
            "READER_HOME": str(folder),
            "TERM": "xterm-256color",
            "HOME": os.environ.get("HOME", "/root"),
            "PATH": os.environ.get("PATH", ""),
            "LANG": "C.UTF-8",
        }
        exports = " ".join(f"{key}={value!r}" for key, value in env.items())
        command = f"env -i {exports} {sys.executable} -m reader --library {folder}"
        self._tmux("new-session", "-d", "-s", self.name, "-x", "120", "-y", "40", command)

    def _tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", *args], capture_output=True, text=True, check=True, timeout=30
        ).stdout

    def screen(self) -> str:
        """The visible text of the terminal."""
        return self._tmux("capture-pane", "-p", "-t", self.name)

    def wait_until_closed(self, timeout: float = 30) -> None:
        """Wait until the app has quit (its tmux session ends with it; bounded)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            alive = subprocess.run(["tmux", "has-session", "-t", self.name], capture_output=True)
            if alive.returncode != 0:
                return
            time.sleep(0.1)
        raise AssertionError(f"the app did not quit; the screen:\n{self.screen()}")

    def wait_for(self, text: str, timeout: float = 30) -> str:
        """Wait until `text` is on screen (bounded; not a timing assertion)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen:\n{self.screen()}")

    def type(self, text: str) -> None:
        """Send `text` in one write, literally (as a paste or a fast typist)."""
        self._tmux("send-keys", "-t", self.name, "-l", text)

    def press(self, *keys: str) -> None:
        """Send named keys (Enter, Escape, C-s)."""
        self._tmux("send-keys", "-t", self.name, *keys)

    def close(self) -> None:
        """End the session (the app, if still running, with it)."""
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    assert main(["import", "--sample", "--library", str(tmp_path)]) == 0
    session = Terminal(tmp_path)
    try:
        session.wait_for("sorted by")
        yield session
    finally:
        session.close()


def _state(folder: Path) -> dict[str, dict]:
    done = subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(folder), "list", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=True,
    )
    return {paper["key"]: paper for paper in json.loads(done.stdout)}


def test_a_word_typed_after_slash_in_one_write_is_the_query(terminal: Terminal) -> None:
    # s stars, e exports, u undoes: none of them may run.
    terminal.type("/sparse use")
    shown = terminal.wait_for("sparse use")
    assert "Export" not in shown.split("sparse use")[1].splitlines()[0]
    terminal.press("Enter")
    terminal.type("q")
    # The app quitting ends the session: the screen cannot be read after it.
    terminal.wait_until_closed()
    papers = _state(terminal.folder)
    assert not [key for key, paper in papers.items() if paper["starred"]]


def test_tags_typed_after_t_in_one_write_reach_the_tag_editor(terminal: Terminal) -> None:
    terminal.type("tsurvey quick")
    terminal.wait_for("survey quick")
    terminal.press("Enter")
    terminal.wait_for("#survey #quick")
    terminal.type("q")
    tagged = [paper for paper in _state(terminal.folder).values() if paper["tags"]]
    assert [paper["tags"] for paper in tagged] == [["survey", "quick"]]
    assert not tagged[0]["starred"]
