"""Shared fixtures: every test runs against a temporary library, never the user's."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from reader import importing
from reader.cli import main
from reader.library import Library

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "reader" / "data" / "samples"
SEED_NAMES = sorted(path.name for path in SAMPLES.glob("*.txt"))
FORMATS = REPO / "tests" / "fixtures" / "formats"
"""Captured feed payloads from public repositories (where each came from: SOURCES.md there)."""


# Property tests explore new random cases on every local run; in CI they replay a fixed
# sequence, so a red build always means a change broke something.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "default")


class Run:
    """Runs `reader` in-process against one library folder."""

    def __init__(self, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.folder, self.capsys = folder, capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        """Run `reader ARGS --library FOLDER`; (exit status, stdout, stderr)."""
        self.capsys.readouterr()
        code = main([*args, "--library", str(self.folder)])
        out, err = self.capsys.readouterr()
        return code, out, err


def seed_path(number: int) -> Path:
    """The bundled copy of seed page 000..003."""
    return next(SAMPLES.glob(f"{number:03d}_*.txt"))


def seed_text(number: int) -> str:
    """The text of seed page 000..003."""
    return seed_path(number).read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Even a test that forgets --library must not touch the real user data, config or
    # cache folders.
    monkeypatch.setenv("READER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("READER_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    return tmp_path / "library"


@pytest.fixture
def library(library_dir: Path) -> Iterator[Library]:
    with Library(library_dir) as opened:
        yield opened


def library_template(
    factory: pytest.TempPathFactory, name: str, fill: Callable[[Library], None]
) -> Path:
    """A library folder filled once per test process, for tests to copy.

    Importing the seed pages took a quarter of a second for each of several hundred tests;
    copying the closed folder takes a millisecond and gives the same files.
    """
    folder = factory.mktemp(name) / "library"
    home = folder.parent
    with pytest.MonkeyPatch.context() as patch:  # never the user's settings, even here
        for variable in ("READER_HOME", "READER_CONFIG", "READER_CACHE"):
            patch.setenv(variable, str(home / variable.lower()))
        with Library(folder) as library:
            fill(library)
    return folder


def copy_library(template: Path, folder: Path) -> Path:
    """A fresh copy of a template library at `folder`."""
    shutil.copytree(template, folder)
    return folder


def import_seed_pages(library: Library) -> None:
    """The four seed pages (93 papers), through the one entry point for inputs."""
    library.import_papers(importing.read_files([str(seed_path(n)) for n in range(4)]))


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return library_template(tmp_path_factory, "seeded", import_seed_pages)


@pytest.fixture
def sample_library(library_dir: Path, _seeded_template: Path) -> Iterator[Library]:
    """A library holding the 93 papers of the four seed pages."""
    with Library(copy_library(_seeded_template, library_dir)) as opened:
        yield opened


# --- a real full filesystem -----------------------------------------------------------------


def _mount_tmpfs(folder: Path, size: str) -> bool:
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("mount"):
        return False
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB filesystem of its own, unmounted afterwards."""
    folder = tmp_path / "disk"
    if not _mount_tmpfs(folder, "4m"):
        pytest.skip("needs root and `mount -t tmpfs` to make a real full filesystem")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill the filesystem until only about `leave` bytes are free; returns the filler."""
    filler = disk / "filler"
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    with open(filler, "ab") as stream:
        with contextlib.suppress(OSError):
            stream.write(b"\0" * max(free - leave, 0))
            stream.flush()
        with contextlib.suppress(OSError):
            while True:  # tmpfs counts in pages: take what is left, byte by byte if need be
                if os.statvfs(disk).f_bavail * stat.f_frsize <= leave:
                    break
                stream.write(b"\0" * 4096)
                stream.flush()
    return filler


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest tests first, the rest in their usual order.

    pytest-xdist hands tests to its workers in this order; a minute-long test collected
    last (the benchmark's quick run is in the last folder) kept one worker busy alone
    while the other had finished.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
