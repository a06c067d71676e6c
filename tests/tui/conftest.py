"""Fixtures for driving the app with Textual's Pilot against temporary libraries."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot

from reader.library import Library
from reader.library.storage import AtomicJSONStorage
from reader.model import Incoming, Paper
from reader.tui import app as tui_app
from reader.tui.app import ReaderApp
from tests.cli.daily_server import feeds  # noqa: F401 - the loopback feeds
from tests.conftest import copy_library, import_seed_pages, library_template
from tests.unit.test_feeds import server  # noqa: F401 - the fake server under `feeds`

LINKED = Paper(
    key="2111.14820",
    title="Towards Robust and Adaptive Motion Forecasting: A Causal Representation Perspective",
    arxiv_id="2111.14820",
    url="https://arxiv.org/abs/2111.14820",
    authors=("Yuejiang Liu", "Riccardo Cadei", "Jonas Schweizer"),
)


def fill(library: Library) -> None:
    """The four seed pages (93 papers), one of them enriched with an arXiv id."""
    import_seed_pages(library)
    library.import_papers([Incoming(LINKED)])


@pytest.fixture(scope="session")
def _sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return library_template(tmp_path_factory, "sample", fill)


@pytest.fixture
def sample_dir(tmp_path: Path, _sample_template: Path) -> Path:
    """A library folder holding `fill`'s papers, made afresh for each test."""
    return copy_library(_sample_template, tmp_path / "library")


@pytest.fixture
def make_app(sample_dir: Path) -> Callable[..., ReaderApp]:
    opened: list[Library] = []

    def build(folder: Path | None = None) -> ReaderApp:
        library = Library(folder or sample_dir)
        opened.append(library)
        return tui_app.make_app(library)

    yield build
    for library in opened:
        library.close()


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait (in the event loop, so workers and messages go on) until `condition()` holds."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


async def settle(pilot: Pilot) -> None:
    """Let workers finish and their messages be handled."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def stored_state(folder: Path) -> dict[str, dict]:
    """The state file as it is on disk, by paper key (what survives a kill)."""
    # A fresh storage reads the files (snapshot and journal) exactly as a restart would.
    data = AtomicJSONStorage(folder / "state.json").read() or {}
    return {document["key"]: document for document in data.get("state", {}).values()}


def list_lines(app: ReaderApp) -> list[str]:
    """The visible rows of the paper list, as plain text."""
    paper_list = app.main.paper_list
    height = paper_list.scrollable_content_region.height
    lines = ["".join(segment.text for segment in paper_list.render_line(y)) for y in range(height)]
    return [line.rstrip() for line in lines if line.strip()]


def status_text(app: ReaderApp) -> str:
    """The status line, as plain text."""
    return str(app.main.query_one("#status").render())  # a rich Text: its plain string


async def burst(pilot: Pilot, keys: str | list[str]) -> None:
    """Send keys as one burst, as a paste or a fast typist does: all of them are queued
    before the app handles the first (Pilot's `press` waits between keys)."""
    app = pilot.app
    names = {"/": "slash", " ": "space", "?": "question_mark", "\n": "enter"}
    for key in keys:
        name = names.get(key, key)
        char = key if len(key) == 1 else None
        event = events.Key(name, char)
        event.set_sender(app)
        app._driver.send_message(event)  # type: ignore[union-attr]
    await settle(pilot)
