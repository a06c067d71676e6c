"""The app in a real browser: `reader serve`, and headless Chromium opening the page,
seeing the paper list, filtering and starring with keys; the star is in the library on
disk. Skipped (with the reason) only where no Chromium is installed; CI installs
Debian's `chromium` (.ci/run), and there a missing browser fails the test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reader import importing
from reader.library import Library
from tests.browser import app_in_browser, find_browser
from tests.tui.conftest import stored_state

pytestmark = pytest.mark.slow


@pytest.fixture
def browser_binary() -> str:
    binary = find_browser()
    if binary is None:
        reason = "no Chromium found (install Debian's chromium, or set READER_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI must run the browser test")
        pytest.skip(reason)
    return binary


async def test_the_served_app_filters_and_stars_in_a_real_browser(
    browser_binary: str, tmp_path: Path
) -> None:
    library = tmp_path / "library"
    with Library(library) as opened:
        opened.import_papers(importing.sample_items())
        first = opened.entries("", limit=1)[0].paper
        robot = opened.entries("robot")[0].paper
    assert first.key != robot.key
    # The list, as the served app drew it in the browser's terminal.
    ready = [first.title[:20], "93 of 93 papers"]
    async with app_in_browser(browser_binary, library, tmp_path / "profile", ready) as browser:
        await browser.press("/")
        await browser.type("robot")
        await browser.press("Enter")
        await browser.wait_for("2 of 93")  # the status line: "2 of 93 papers"
        await browser.press("s")
        await browser.wait_for("Starred")
    state = stored_state(library)
    assert state[robot.key]["starred"] is True
    assert not state.get(first.key, {}).get("starred")
