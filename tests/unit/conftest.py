"""Fixtures and helpers shared by the unit tests of the "for you" ranking."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import ranking_quality
from reader.library import Library
from reader.model import Incoming, Paper
from tests.conftest import REPO


def printed_by_processes(code: str) -> list[str]:
    """What Python `code` prints in two processes with different string hashes (Python
    randomizes them per process: what must be the same everywhere must not depend on it)."""
    return [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=REPO,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
            check=True,
        ).stdout.strip()
        for seed in ("1", "2")
    ]


@pytest.fixture
def arxiv(tmp_path: Path) -> Iterator[tuple[Library, list[ranking_quality.Record]]]:
    """A library of 240 real arXiv abstracts: 80 of each of three subject classes."""
    wanted = {"math.NT": 80, "math.PR": 80, "math.OC": 80}
    picked = []
    for record in ranking_quality.load():
        name = record.categories[0]
        if wanted.get(name, 0) > 0:
            wanted[name] -= 1
            picked.append(record)
    library = Library(tmp_path / "arxiv")
    library.import_papers(
        [Incoming(Paper(key=r.id, title=r.title, abstract=r.abstract)) for r in picked]
    )
    yield library, picked
    library.close()
