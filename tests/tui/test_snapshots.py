"""Snapshot tests of the main screens (pytest-textual-snapshot).

Run `pytest tests/tui/test_snapshots.py --snapshot-update` after a deliberate change of
the look, and review the new SVGs.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from reader.library import Library
from reader.tui.app import ReaderApp, make_app
from tests.tui.conftest import settle

SIZE = (120, 34)


def app_on(folder: Path) -> ReaderApp:
    return make_app(Library(folder))


async def _ready(pilot: Pilot) -> None:
    await settle(pilot)


def test_main_screen(snap_compare, sample_dir: Path):
    assert snap_compare(app_on(sample_dir), terminal_size=SIZE, run_before=_ready)


def test_filtered_list_with_highlights(snap_compare, sample_dir: Path):
    async def filtered(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("slash", *"sparse caus", "enter")
        await settle(pilot)

    assert snap_compare(app_on(sample_dir), terminal_size=SIZE, run_before=filtered)


def test_note_editor(snap_compare, sample_dir: Path):
    async def editing(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("n")
        # A blinking cursor would make the picture depend on the moment it is taken.
        pilot.app.screen.query_one("TextArea").cursor_blink = False
        await pilot.press(*"Compare with **CIP**;", "enter", *"- check the ablations")
        await pilot.pause()

    assert snap_compare(app_on(sample_dir), terminal_size=SIZE, run_before=editing)


def test_help_screen(snap_compare, sample_dir: Path):
    async def helping(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app_on(sample_dir), terminal_size=SIZE, run_before=helping)


def test_welcome_view(snap_compare, tmp_path: Path):
    assert snap_compare(app_on(tmp_path / "empty"), terminal_size=SIZE, run_before=_ready)


def test_narrow_layout(snap_compare, sample_dir: Path):
    async def starred(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("s", "j", "space")

    assert snap_compare(app_on(sample_dir), terminal_size=(80, 34), run_before=starred)


def test_reading_view(snap_compare, sample_dir: Path):
    async def reading(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)

    assert snap_compare(app_on(sample_dir), terminal_size=SIZE, run_before=reading)


def test_multi_selection(snap_compare, sample_dir: Path):
    async def selecting(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("m", "j", "m", "m")
        await settle(pilot)

    assert snap_compare(app_on(sample_dir), terminal_size=SIZE, run_before=selecting)
