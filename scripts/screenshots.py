"""Regenerate screenshots/*.svg from the real app on the bundled sample papers.

Usage: python scripts/screenshots.py   (writes into screenshots/ next to this folder)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from reader import importing
from reader.library import Library
from reader.tui.app import make_app

SIZE = (130, 36)
OUTPUT = Path(__file__).resolve().parents[1] / "screenshots"

Scene = Callable[[Pilot], Awaitable[None]]


async def settle(pilot: Pilot) -> None:
    """Let the search workers finish and their results show."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def main_view(pilot: Pilot) -> None:
    await pilot.press("j", "s", "j", "j", "space", "k")


async def filtered_view(pilot: Pilot) -> None:
    await pilot.press("slash", *"sparse caus", "enter")
    await settle(pilot)
    await pilot.press("j")


async def note_editor(pilot: Pilot) -> None:
    await pilot.press("n", *"Compare with **CIP** (Feb 2025).", "enter", "enter")
    await pilot.press(*"- check the ablations in section 4", "enter", *"- code released?")


async def help_screen(pilot: Pilot) -> None:
    await pilot.press("question_mark")


async def reading_view(pilot: Pilot) -> None:
    await pilot.press("j", "j", "s", "enter")


async def selection(pilot: Pilot) -> None:
    await pilot.press("slash", *"causal", "enter")
    await settle(pilot)
    await pilot.press("m", "j", "m", "m", "j")


SCENES: dict[str, Scene] = {
    "main": main_view,
    "filtered": filtered_view,
    "reading": reading_view,
    "selection": selection,
    "note-editor": note_editor,
    "help": help_screen,
}


async def shoot(name: str, scene: Scene, folder: Path) -> Path:
    """Open the app on the sample library, play `scene`, save the screen as SVG."""
    with Library(folder) as library:
        app = make_app(library)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await scene(pilot)
            await settle(pilot)
            path = OUTPUT / f"{name}.svg"
            app.save_screenshot(filename=path.name, path=str(OUTPUT))
    return path


async def run() -> None:
    OUTPUT.mkdir(exist_ok=True)
    for name, scene in SCENES.items():
        # A fresh library each time: one scene's stars and notes don't leak into the next.
        with tempfile.TemporaryDirectory() as folder:
            with Library(Path(folder)) as library:
                library.import_papers(importing.sample_items())
            print(await shoot(name, scene, Path(folder)), file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(run())
