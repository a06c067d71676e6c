"""`reader export -o FILE`: what may be replaced, how, and what is left behind.

Only regular files are replaced (with --force); a device, FIFO or socket is refused; a symbolic
link is written through (its target replaced, the link kept) unless it points nowhere. New
files get the usual permissions, replaced ones keep theirs, and the temporary files of a
killed export are removed by the next one.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader import fileio
from reader.errors import ReaderError
from reader.settings import Settings
from tests.conftest import REPO, Run, seed_path

TEMPORARY = re.compile(r"\..+\.\d+-[0-9a-f]{12}\.reader-tmp")


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """A runner on a library holding seed page 1, the first paper starred."""
    runner = Run(tmp_path / "lib", capsys)
    assert runner("import", str(seed_path(1)))[0] == 0
    key = runner("list")[1].split()[0]
    assert runner("mark", key, "--star")[0] == 0
    return runner


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def export_to(run: Run, target: Path, *options: str) -> tuple[int, str]:
    """`reader export -o TARGET OPTIONS`; (exit status, stderr)."""
    code, out, err = run("export", "-o", str(target), *options)
    assert out == ""
    return code, err


def assert_one_error_line(err: str, *words: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("reader: error: "), err
    for word in words:
        assert word in lines[0], err


def temporaries(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if TEMPORARY.fullmatch(path.name))


# --- what may be replaced --------------------------------------------------------------------


def test_a_fifo_is_never_replaced(run: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for options in ((), ("--force",)):
        code, err = export_to(run, fifo, *options)
        assert code == 1
        assert_one_error_line(err, str(fifo), "not a regular file")
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert temporaries(tmp_path) == []


def test_a_device_is_never_replaced(run: Run, tmp_path: Path) -> None:
    # A copy of /dev/null (a character device 1:3): what `-o /dev/null --force` as root hit.
    # Never the real one: a regression would replace the machine's /dev/null.
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root (or CAP_MKNOD)")
    code, err = export_to(run, null, "--force")
    assert code == 1
    assert_one_error_line(err, str(null), "not a regular file")
    assert stat.S_ISCHR(os.lstat(null).st_mode)


def test_a_socket_is_never_replaced(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        code, err = export_to(run, path, "--force")
    assert code == 1
    assert_one_error_line(err, "not a regular file")
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_a_symlink_is_written_through(run: Run, tmp_path: Path) -> None:
    real = tmp_path / "notes" / "papers.md"
    real.parent.mkdir()
    real.write_text("old export\n", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    code, err = export_to(run, link)
    assert code == 1
    assert_one_error_line(err, "already exists", "--force")
    code, err = export_to(run, link, "--force")
    assert code == 0, err
    assert link.is_symlink() and link.readlink() == real
    assert real.read_text(encoding="utf-8").startswith("# Starred papers")
    assert temporaries(real.parent) == [] and temporaries(tmp_path) == []


def test_a_relative_symlink_chain_is_written_through(run: Run, tmp_path: Path) -> None:
    (tmp_path / "real.md").write_text("old\n", encoding="utf-8")
    (tmp_path / "middle.md").symlink_to("real.md")
    (tmp_path / "link.md").symlink_to("middle.md")
    code, err = export_to(run, tmp_path / "link.md", "--force")
    assert code == 0, err
    assert (tmp_path / "link.md").is_symlink() and (tmp_path / "middle.md").is_symlink()
    assert (tmp_path / "real.md").read_text(encoding="utf-8").startswith("# Starred papers")


def test_a_symlink_to_a_fifo_is_refused(run: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    code, err = export_to(run, link, "--force")
    assert code == 1
    assert_one_error_line(err, "not a regular file")
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("options", [(), ("--force",)])
def test_a_dangling_symlink_is_refused(run: Run, tmp_path: Path, options: tuple[str]) -> None:
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "elsewhere" / "missing.md")
    code, err = export_to(run, link, *options)
    assert code == 1
    assert_one_error_line(err, str(link), "symbolic link", "missing.md")
    assert link.is_symlink()
    assert not (tmp_path / "elsewhere").exists()


# --- permissions -----------------------------------------------------------------------------


@pytest.mark.usefixtures("umask_022")
def test_a_new_export_gets_the_usual_permissions(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "new.md"
    code, err = export_to(run, target)
    assert code == 0, err
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # 0666 & ~022, not mkstemp's 0600


def test_a_new_export_follows_a_strict_umask(run: Run, tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        code, err = export_to(run, tmp_path / "private.md")
    finally:
        os.umask(old)
    assert code == 0, err
    assert stat.S_IMODE((tmp_path / "private.md").stat().st_mode) == 0o600


@pytest.mark.usefixtures("umask_022")
@pytest.mark.parametrize("mode", [0o640, 0o664, 0o600])
def test_a_replaced_export_keeps_its_mode(run: Run, tmp_path: Path, mode: int) -> None:
    target = tmp_path / "kept.md"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(mode)
    code, err = export_to(run, target, "--force")
    assert code == 0, err
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert target.read_text(encoding="utf-8").startswith("# Starred papers")


@pytest.mark.usefixtures("umask_022")
def test_the_settings_file_is_written_through_a_symlink(tmp_path: Path) -> None:
    # Dotfile managers keep settings in a repository and link them in.
    real = tmp_path / "dotfiles" / "reader.toml"
    real.parent.mkdir()
    real.write_text("# mine\n", encoding="utf-8")
    real.chmod(0o600)
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "config.toml").symlink_to(real)
    Settings(path=folder / "config.toml").set("theme", "dark")
    assert (folder / "config.toml").is_symlink()
    assert real.read_text(encoding="utf-8") == '# mine\ntheme = "dark"\n'
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


# --- temporary files -------------------------------------------------------------------------


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)


def test_a_killed_export_leaves_a_recognisable_temporary_that_the_next_removes(
    run: Run, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "papers.md"
    target.parent.mkdir()
    # A real process killed (SIGKILL) after writing its temporary file, before the rename.
    code = (
        "import os, signal, sys\n"
        "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from reader.cli import main\n"
        f"main(['export', '--all', '-o', {str(target)!r}, '--library', {str(run.folder)!r}])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, timeout=60)
    assert done.returncode == -signal.SIGKILL
    assert not target.exists()
    (left,) = temporaries(target.parent)
    assert left.startswith(".papers.md.")
    # The next export to that folder (any file in it) removes what the dead process left.
    code_, err = export_to(run, target.parent / "other.md")
    assert code_ == 0, err
    assert temporaries(target.parent) == []


def test_stale_temporaries_are_removed_and_live_ones_kept(run: Run, tmp_path: Path) -> None:
    mine = os.getpid()
    dead = f".a.md.{dead_pid()}-0123456789ab.reader-tmp"
    old = f".b.md.{mine}-0123456789ab.reader-tmp"
    live = f".c.md.{mine}-abcdef012345.reader-tmp"
    unrelated = [".d.md.x1y2z3", ".e.md.123-0123456789ab.tmp", "f.md.1-0123456789ab.reader-tmp"]
    for name in (dead, old, live, *unrelated):
        (tmp_path / name).write_text("partial", encoding="utf-8")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(tmp_path / old, (two_hours_ago, two_hours_ago))
    (tmp_path / "folder.md.1-0123456789ab.reader-tmp").mkdir()  # not a file: left alone
    code, err = export_to(run, tmp_path / "export.md")
    assert code == 0, err
    remaining = {path.name for path in tmp_path.iterdir()}
    assert dead not in remaining and old not in remaining
    assert live in remaining  # a writer still running (here: this process) keeps its file
    assert set(unrelated) <= remaining


def test_a_failed_write_removes_its_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fileio.write_text_atomic(tmp_path / "x.md", "text\n")
    assert list(tmp_path.iterdir()) == []


def test_a_very_long_name_still_gets_a_temporary(tmp_path: Path) -> None:
    target = tmp_path / ("é" * 120 + ".md")  # 244 bytes: the longest names leave no room
    fileio.write_text_atomic(target, "text\n")
    assert target.read_text(encoding="utf-8") == "text\n"
    assert temporaries(tmp_path) == []


def test_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match=r"cannot write .*No such file or directory"):
        fileio.write_text_atomic(tmp_path / "missing" / "x.md", "text\n")


def test_an_empty_output_name_is_refused(run: Run) -> None:
    code, out, err = run("export", "-o", "")
    assert code == 1
    assert out == ""  # not silently printed instead
    assert_one_error_line(err, "file name")
