"""Regenerate screenshots/browser.png: the app served by `reader serve`, in headless
Chromium (the system's browser, driven over the DevTools protocol), on the sample papers.

Usage: python scripts/browser_screenshot.py   (needs Chromium; see tests/browser.py)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reader import importing  # noqa: E402
from reader.library import Library  # noqa: E402
from tests.browser import app_in_browser, find_browser  # noqa: E402

OUTPUT = ROOT / "screenshots" / "browser.png"


async def shoot(binary: str, folder: Path) -> None:
    library = folder / "library"
    with Library(library) as opened:
        opened.import_papers(importing.sample_items())
        first = opened.entries("", limit=1)[0].paper
    ready = [first.title[:20], "93 of 93 papers"]
    async with app_in_browser(binary, library, folder / "profile", ready) as browser:
        for key in "jsj":
            await browser.press(key)
        await browser.wait_for("Starred")
        await asyncio.sleep(1)  # the page fades the terminal in
        await browser.screenshot(OUTPUT)


def main() -> int:
    binary = find_browser()
    if binary is None:
        print("no Chromium found (install chromium, or set READER_CHROMIUM)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="reader-browser-") as folder:
        # The served app reads the settings of a fresh config folder, not yours.
        import os

        os.environ["READER_CONFIG"] = str(Path(folder) / "config")
        asyncio.run(shoot(binary, Path(folder)))
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
