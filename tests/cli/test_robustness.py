"""Input that used to end in a traceback: one clear line instead.

Arguments that are not UTF-8, an output encoding that cannot show "★", JSON with numbers or
text the library cannot store, and any unexpected exception (one line, exit status 70).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.commands import papers
from reader.library import Library
from tests.conftest import REPO, Run, seed_path

# Never the internet: a fetch that got past the argument check would fail here, locally.
OFFLINE = {
    "READER_ARXIV_API_URL": "http://127.0.0.1:9/api",
    "READER_ARXIV_RSS_URL": "http://127.0.0.1:9/rss",
    "READER_HF_URL": "http://127.0.0.1:9/hf",
}


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """A runner on a library holding seed page 1."""
    runner = Run(tmp_path / "lib", capsys)
    assert runner("import", str(seed_path(1)))[0] == 0
    return runner


def first_key(run: Run) -> str:
    """The key of the first paper `reader list` shows."""
    return run("list")[1].split()[0]


def reader_process(
    *args: str | bytes, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m reader ARGS` in a real process; bytes arguments go through as bytes."""
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        capture_output=True,
        cwd=REPO,
        env={**os.environ, **OFFLINE, **(env or {})},
        input=stdin,
        timeout=60,
    )


def reader_session(
    folder: Path, commands: list[list[str]], *, env: dict[str, str] | None = None, shell: str = ""
) -> tuple[list[int], list[bytes], list[bytes]]:
    """Run several `reader` commands in ONE real process (fast): the exit status, stdout and
    stderr of each. `shell` is a redirection for the process, such as `>&-`."""
    marker = "\n@@ next command @@\n"
    statuses = folder.parent / "statuses.json"
    code = (
        "import json, sys\n"
        "from reader.cli import main\n"
        "codes = []\n"
        f"for args in {commands!r}:\n"
        f"    codes.append(main([*args, '--library', {str(folder)!r}]))\n"
        "    for stream in (sys.stdout, sys.stderr):\n"
        "        if stream is not None:\n"
        f"            stream.write({marker!r}); stream.flush()\n"
        f"open({str(statuses)!r}, 'w').write(json.dumps(codes))\n"
    )
    done = subprocess.run(
        ["sh", "-c", f'exec "$0" -c "$1" {shell}', sys.executable, code],
        capture_output=True,
        cwd=REPO,
        env={**os.environ, **OFFLINE, **(env or {})},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    split = marker.encode()
    outs, errs = done.stdout.split(split), done.stderr.split(split)
    return json.loads(statuses.read_text()), outs[: len(commands)], errs[: len(commands)]


def assert_one_line(stderr: str, start: str, *words: str) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(start), stderr
    for word in words:
        assert word in lines[0], stderr


# --- arguments that are not UTF-8 -------------------------------------------------------------

BAD_ARGUMENTS = [
    ["show", "\udcff"],
    ["tag", "KEY", "\udcff"],
    ["list", "\udcff"],
    ["mark", "\udcff", "--read"],
    ["fetch", "arxiv", "\udcff"],
    ["note", "KEY", "caf\udce9"],
    ["import", "caf\udce9.txt"],
    ["show", "\ud800"],  # not even from surrogateescape: only in-process callers can pass it
]


@pytest.mark.parametrize("args", BAD_ARGUMENTS, ids=lambda args: " ".join(args[:2]))
def test_arguments_that_are_not_utf8_are_refused_in_process(run: Run, args: list[str]) -> None:
    args = [first_key(run) if arg == "KEY" else arg for arg in args]
    code, out, err = run(*args)
    assert code == 1
    assert out == ""
    assert_one_line(err, "reader: error: ", "not valid UTF-8")


@pytest.mark.parametrize(
    "args",
    [
        [b"show", b"\xff"],
        [b"tag", b"2606.11409", b"\xff"],
        [b"list", b"\xff"],
        [b"mark", b"\xff", b"--read"],
        [b"fetch", b"arxiv", b"\xff"],
        [b"list", b"--library", b"/tmp/caf\xe9"],
    ],
    ids=lambda args: b" ".join(args[:2]).decode("ascii", "replace"),
)
def test_arguments_that_are_not_utf8_are_refused_in_a_real_process(
    tmp_path: Path, args: list[bytes]
) -> None:
    folder = tmp_path / "lib"
    done = reader_process(*args, "--library", str(folder))
    assert done.returncode == 1, done.stderr
    assert done.stdout == b""
    assert_one_line(done.stderr.decode(), "reader: error: ", "not valid UTF-8", "\\x")
    assert not folder.exists()  # refused before anything was opened


# --- an output encoding that cannot show everything -------------------------------------------


@pytest.mark.parametrize(
    "env",
    [{"PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": "latin-1"}],
    ids=["ascii", "latin-1"],
)
def test_a_narrow_output_encoding_does_not_crash(tmp_path: Path, env: dict[str, str]) -> None:
    folder = str(tmp_path / "lib")
    title = "Ünïcödé ★ 漢字 paper"
    source = tmp_path / "papers.jsonl"
    source.write_text(json.dumps({"title": title, "key": "k★"}) + "\n", encoding="utf-8")
    assert reader_process("import", str(source), "--library", folder).returncode == 0
    with Library(Path(folder)) as library:
        library.set_starred(["k★"], True)
    commands = [["list"], ["show", "k★"], ["tag", "k★", "étoile"], ["export"]]
    codes, outs, errs = reader_session(Path(folder), [*commands, ["show", "nothing★here"]], env=env)
    assert codes == [0, 0, 0, 0, 1], errs
    for out, err, shown in zip(outs, errs, (b"paper", b"paper", b"toile", b"paper"), strict=False):
        assert err.count(b"\n") <= 1 and b"Traceback" not in err
        assert shown in out
        assert b"?" in out  # "★" at least cannot be shown
    assert_one_line(errs[-1].decode("ascii"), "reader: error: ")


def test_the_c_locale_does_not_crash(tmp_path: Path) -> None:
    folder = str(tmp_path / "lib")
    env = {"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    assert reader_process("import", str(seed_path(1)), "--library", folder).returncode == 0
    with Library(Path(folder)) as library:
        library.set_starred(library.keys()[:1], True)  # "★" in the listing
    done = reader_process("list", "--library", folder, env=env)
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr
    assert len(done.stdout.splitlines()) == 32


# --- a last resort for the unexpected -----------------------------------------------------------


def test_an_unexpected_exception_is_one_line_and_status_70(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> int:
        raise ZeroDivisionError("division by zero\nsecond line \x1b[2J")

    monkeypatch.setattr(papers, "stats", broken)
    code, out, err = run("stats")
    assert code == 70
    assert out == ""
    assert_one_line(err, "reader: internal error: ", "ZeroDivisionError", "please report this")
    assert "\x1b" not in err


def test_reader_debug_shows_the_traceback(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> int:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(papers, "stats", broken)
    monkeypatch.setenv("READER_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        run("stats")


def test_keyboard_interrupt_is_still_status_130(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(papers, "stats", interrupted)
    assert run("stats")[0] == 130


def test_a_closed_pipe_is_not_an_error(tmp_path: Path) -> None:
    folder = str(tmp_path / "lib")
    assert reader_process("import", str(seed_path(1)), "--library", folder).returncode == 0
    code = (
        "import subprocess, sys\n"
        f"p = subprocess.Popen([sys.executable, '-m', 'reader', 'list', '--library', {folder!r}],"
        " stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
        "p.stdout.close()\n"
        "err = p.stderr.read()\n"
        "sys.exit(0 if p.wait() == 0 and b'Traceback' not in err else 1)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, timeout=60).returncode == 0


@pytest.mark.parametrize("closed", [">&-", "2>&-", ">&- 2>&-"])
def test_closed_output_streams_are_not_an_error(tmp_path: Path, closed: str) -> None:
    folder = str(tmp_path / "lib")
    commands = [["import", str(seed_path(1))], ["list"], ["export", "--all"], ["stats"]]
    codes, _, _ = reader_session(Path(folder), commands, shell=closed)
    assert codes == [0, 0, 0, 0]
