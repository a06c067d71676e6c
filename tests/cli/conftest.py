"""Fixtures of the command-line tests: a library folder to run `reader` against, and the
loopback feeds of the daily routine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.daily_server import feeds  # noqa: F401 - the loopback feeds
from tests.conftest import Run, seed_path
from tests.unit.test_feeds import server  # noqa: F401 - the fake server under `feeds`


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    return Run(tmp_path / "lib", capsys)


@pytest.fixture
def imported(run: Run) -> Run:
    """A library holding the four seed pages (93 papers)."""
    code, out, _ = run("import", *(str(seed_path(n)) for n in range(4)))
    assert code == 0, out
    return run
