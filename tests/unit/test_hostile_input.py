"""Hostile and broken input: bad files, hostile text, unsafe links, a hostile environment.

Every bad input must give one clear line on stderr and exit 1, change nothing in the library,
and never let an escape sequence reach the terminal.
"""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import webbrowser
from collections.abc import Callable
from pathlib import Path

import pyperclip
import pytest

from reader import browser, clipboard, fileio
from reader.errors import ReaderError
from reader.export.jsonl import to_jsonl
from reader.library import Library
from reader.model import Entry, Paper
from reader.render import list_rows
from reader.sources.jsonl import parse_jsonl
from tests.conftest import REPO, Run, seed_path

# ESC, CSI/OSC introducers, every C0/C1 control but newline, and DEL: none may reach stdout.
TERMINAL_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")

HOSTILE_TITLES = {
    "markup": "[bold red]Loud[/] and [link=https://evil.example]click[/link] me",
    "ansi": "Clear \x1b[2J screen \x1b[31mred\x1b[0m title",
    "osc52": "Steal \x1b]52;c;ZWNobyBwd25lZA==\x07 the clipboard",
    "c1": "C1 \x9b31m CSI and \x9d0;title\x9c and \x85 NEL",
    "controls": "Bell\x07 backspace\x08 tab\t cr\r del\x7f nul-free",
    "bidi": "Invoice \u202egpj.exe\u202c and \u2066isolate\u2069",
    "rtl": "שלום עולם — مرحبا بالعالم",
    "combining": "Ze\u0301ro-shot Z\u0335\u0321a\u0336lgo\u0337 te\u0301xt",
    "emoji": "🚀 Rockets 👩🏽‍🔬 and flags 🇺🇦",
    "long": "Long " + "word " * 2000,
}
ABSTRACT = "Abstract with [italic]markup[/italic], \x1b[1mbold\x1b[0m and \x9b2J in it."


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """A `reader` runner on a library already holding seed page 1 (32 papers)."""
    runner = Run(tmp_path / "lib", capsys)
    code, _, _ = runner("import", str(seed_path(1)))
    assert code == 0
    return runner


def paper_count(folder: Path) -> int:
    """How many papers the library in `folder` holds."""
    with Library(folder) as library:
        return len(library)


def assert_one_error_line(err: str, *words: str) -> None:
    """`err` is exactly one `reader: error:` line mentioning every one of `words`."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("reader: error: ")
    for word in words:
        assert word in lines[0]


# --- files -----------------------------------------------------------------------------------


def _empty(folder: Path) -> Path:
    path = folder / "empty.txt"
    path.write_bytes(b"")
    return path


def _blank(folder: Path) -> Path:
    path = folder / "blank.txt"
    path.write_bytes(b" \n\t\r\n  \n")
    return path


def _binary(folder: Path) -> Path:
    path = folder / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    return path


def _latin1(folder: Path) -> Path:
    path = folder / "latin1.txt"
    path.write_bytes("Café au lait: a study\nDéjà vu in neural networks.\n".encode("latin-1"))
    return path


def _no_papers(folder: Path) -> Path:
    path = folder / "notes.txt"
    path.write_text("Shopping list\nmilk\neggs\n", encoding="utf-8")
    return path


def _wrong_json_array(folder: Path) -> Path:
    path = folder / "numbers.json"
    path.write_text("[1, 2, 3]\n", encoding="utf-8")
    return path


def _wrong_json_object(folder: Path) -> Path:
    path = folder / "config.json"
    path.write_text('{\n  "name": "not papers",\n  "version": 2\n}\n', encoding="utf-8")
    return path


def _wrong_json_papers(folder: Path) -> Path:
    path = folder / "papers.json"
    path.write_text('{"papers": {"title": "not an array"}}\n', encoding="utf-8")
    return path


def _papers_without_titles(folder: Path) -> Path:
    path = folder / "untitled.json"
    path.write_text('[{"abstract": "no title here"}]\n', encoding="utf-8")
    return path


def _directory(folder: Path) -> Path:
    path = folder / "a-folder"
    path.mkdir()
    return path


def _missing(folder: Path) -> Path:
    return folder / "missing.txt"


BAD_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "empty": (_empty, "is empty"),
    "blank": (_blank, "is empty"),
    "binary": (_binary, "binary file"),
    "non-utf8": (_latin1, "not UTF-8"),
    "no papers": (_no_papers, "no papers found"),
    "json array of numbers": (_wrong_json_array, "no papers found"),
    "json object of another shape": (_wrong_json_object, "papers"),
    "json papers not an array": (_wrong_json_papers, "array"),
    "json papers without titles": (_papers_without_titles, "title"),
    "directory": (_directory, "folder"),
    "missing": (_missing, "no such file"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_file_gives_one_line_and_imports_nothing(run: Run, tmp_path: Path, kind: str) -> None:
    make, words = BAD_FILES[kind]
    bad = make(tmp_path)
    before = paper_count(run.folder)
    code, out, err = run("import", str(bad))
    assert code == 1
    assert out == ""
    assert_one_error_line(err, bad.name, words)
    assert paper_count(run.folder) == before


@pytest.mark.parametrize("kind", ["binary", "non-utf8", "json papers without titles"])
def test_bad_file_after_good_one_imports_nothing(run: Run, tmp_path: Path, kind: str) -> None:
    # Every input is read before anything is written: the good file is not half-imported.
    make, _ = BAD_FILES[kind]
    bad = make(tmp_path)
    before = paper_count(run.folder)
    code, _, err = run("import", str(seed_path(2)), str(bad))
    assert code == 1
    assert_one_error_line(err, bad.name)
    assert paper_count(run.folder) == before


def test_bad_file_in_a_real_process(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    binary = _binary(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "reader", "import", str(binary), "--library", str(folder)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert_one_error_line(done.stderr, "binary file")
    assert paper_count(folder) == 0


def test_reading_bad_input_directly_raises_reader_errors(tmp_path: Path) -> None:
    from reader.sources.detect import parse_text

    for name, (make, _) in BAD_FILES.items():
        folder = tmp_path / name.replace(" ", "-")
        folder.mkdir()
        path = make(folder)
        with pytest.raises(ReaderError):
            parse_text(fileio.read_text_input(str(path)), where=path.name)


@pytest.mark.slow
def test_huge_page_imports_with_bounded_memory(tmp_path: Path) -> None:
    """A ~100 MB page text: imported whole, and the process stays far below 1.5 GB."""
    from benchmarks.corpus import write_page

    page = write_page(tmp_path / "huge.txt", 75_000)
    size = page.stat().st_size
    assert size > 95_000_000
    folder = tmp_path / "lib"
    code = (
        "import resource, sys\n"
        "from reader.cli import main\n"
        f"status = main(['import', {str(page)!r}, '--library', {str(folder)!r}])\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(f'peak-kb {peak}', file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Imported 75,000 papers: 75,000 new" in done.stdout
    peak_kb = int(re.search(r"peak-kb (\d+)", done.stderr).group(1))  # type: ignore[union-attr]
    # The text itself is 100 MB; a few working copies are fine, unbounded growth is not.
    assert peak_kb * 1024 < 1.5 * 1024**3, f"peak memory {peak_kb // 1024} MB"
    assert paper_count(folder) == 75_000


# --- text ------------------------------------------------------------------------------------


def hostile_entries() -> list[Entry]:
    """One paper per hostile title, each with the hostile abstract."""
    return [
        Entry(Paper(key=f"hostile-{name}", title=title, abstract=ABSTRACT, source="jsonl"))
        for name, title in HOSTILE_TITLES.items()
    ]


@pytest.fixture
def hostile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """A library holding only the hostile papers, imported from JSON Lines by the CLI."""
    path = tmp_path / "hostile.jsonl"
    path.write_text(to_jsonl(hostile_entries()), encoding="utf-8")
    runner = Run(tmp_path / "hostile-lib", capsys)
    code, out, err = runner("import", str(path))
    assert code == 0, err
    assert f"{len(HOSTILE_TITLES)} new" in out
    return runner


def test_hostile_text_is_stored_faithfully(hostile: Run, tmp_path: Path) -> None:
    with Library(hostile.folder) as library:
        for name, title in HOSTILE_TITLES.items():
            paper = library.entry(f"hostile-{name}").paper
            assert paper.title == title
            assert paper.abstract == ABSTRACT


def test_hostile_text_round_trips_through_jsonl_export(hostile: Run, tmp_path: Path) -> None:
    out_file = tmp_path / "out.jsonl"
    code, _, err = hostile("export", "--all", "--format", "jsonl", "-o", str(out_file))
    assert code == 0, err
    text = out_file.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x9b" not in text  # escaped by JSON, not raw
    papers = {item.paper.key: item.paper for item in parse_jsonl(text)}
    for name, title in HOSTILE_TITLES.items():
        assert papers[f"hostile-{name}"].title == title
        assert papers[f"hostile-{name}"].abstract == ABSTRACT


def test_list_prints_hostile_text_as_plain_text(hostile: Run) -> None:
    code, out, _ = hostile("list")
    assert code == 0
    assert not TERMINAL_CONTROL.search(out), repr(TERMINAL_CONTROL.search(out))
    assert "\u202e" not in out and "\u2066" not in out
    assert "[bold red]Loud[/] and [link=https://evil.example]click[/link] me" in out
    assert "שלום עולם — مرحبا بالعالم" in out
    assert "🚀 Rockets 👩🏽‍🔬 and flags 🇺🇦" in out
    assert "Ze\u0301ro-shot" in out
    assert len(out.splitlines()) == len(HOSTILE_TITLES)


def test_list_json_escapes_control_characters(hostile: Run) -> None:
    code, out, _ = hostile("list", "--json")
    assert code == 0
    assert not TERMINAL_CONTROL.search(out.replace("\n", ""))
    titles = {item["key"]: item["title"] for item in json.loads(out)}
    assert titles["hostile-osc52"] == HOSTILE_TITLES["osc52"]


@pytest.mark.parametrize("name", list(HOSTILE_TITLES))
def test_show_prints_hostile_text_as_plain_text(hostile: Run, name: str) -> None:
    code, out, _ = hostile("show", f"hostile-{name}")
    assert code == 0
    assert not TERMINAL_CONTROL.search(out), repr(out[:200])
    assert "\u202e" not in out
    assert "[italic]markup[/italic]" in out


def test_list_rows_are_cut_to_the_terminal_width() -> None:
    rows = list_rows(hostile_entries(), 80)
    for row in rows:
        assert "\n" not in row
        assert cell_width(row) <= 80, row
    assert rows[-1].endswith("…")


@pytest.mark.parametrize("width", [20, 41, 80])
def test_wide_and_combining_titles_are_cut_by_cells(width: int) -> None:
    titles = ["🚀" * 100, "漢字" * 60, "e\u0301" * 200, "👩🏽‍🔬 " * 50]
    entries = [Entry(Paper(key=f"k{n}", title=title)) for n, title in enumerate(titles)]
    for row in list_rows(entries, width):
        assert cell_width(row) <= width, row
        assert row.endswith("…")


def cell_width(text: str) -> int:
    """Terminal cells `text` takes, as Rich (the TUI's renderer) counts them."""
    from rich.cells import cell_len

    return cell_len(text)


# --- links -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        " javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "ftp://example.com/paper.pdf",
        "//evil.example/path",
        "",
    ],
)
def test_only_web_links_are_opened(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "get", lambda *args: opened.append("get"))
    with pytest.raises(ReaderError, match="only http and https"):
        browser.open_in_browser(url)
    assert opened == []


def test_web_link_opens_in_a_new_tab(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[tuple[str, int]] = []

    class Fake:
        name = "firefox"

        def open(self, url: str, new: int = 0) -> bool:
            opened.append((url, new))
            return True

    monkeypatch.setattr(webbrowser, "get", lambda *args: Fake())
    browser.open_in_browser("https://arxiv.org/abs/2111.14820")
    assert opened == [("https://arxiv.org/abs/2111.14820", 2)]


def test_no_browser_gives_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_browser(*args: object) -> object:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", no_browser)
    with pytest.raises(
        ReaderError, match=re.escape("no web browser found; the link is https://x.org")
    ):
        browser.open_in_browser("https://x.org")


# --- environment -----------------------------------------------------------------------------


def test_no_system_clipboard_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*args: object) -> None:
        raise pyperclip.PyperclipException("could not find a copy/paste mechanism")

    monkeypatch.setattr(pyperclip, "copy", missing)
    monkeypatch.setattr(pyperclip, "paste", missing)
    assert clipboard.copy_to_system("text") is False
    assert clipboard.paste_from_system() is None


def test_read_only_library_refuses_changes_in_one_line(run: Run) -> None:
    key = next(iter(run("list")[1].split()))
    os.chmod(run.folder, 0o500)
    try:
        if os.access(run.folder, os.W_OK):
            pytest.skip("running as root: a read-only folder is still writable")
        code, out, err = run("mark", key, "--star")
        assert code == 1
        assert out == ""
        assert_one_error_line(err)
    finally:
        os.chmod(run.folder, 0o700)
    with Library(run.folder) as library:
        assert not library.state_of(key).starred


def test_an_unwritable_library_refuses_changes_in_one_line(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a read-only folder does to a process that is not root (CI runs as root, where
    # chmod cannot take write access away): every attempt to create or open for writing
    # inside the library fails with EACCES.
    key = next(iter(run("list")[1].split()))
    real_open = os.open

    def read_only(path: object, flags: int, *args: object) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and str(run.folder) in str(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only)
    code, out, err = run("mark", key, "--star")
    monkeypatch.undo()
    assert code == 1
    assert out == ""
    assert_one_error_line(err, "Permission denied")
    with Library(run.folder) as library:
        assert not library.state_of(key).starred


def test_export_to_a_full_disk_keeps_the_old_file(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "export.md"
    target.write_text("my earlier export\n", encoding="utf-8")

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    code, _, err = run("export", "--all", "-o", str(target), "--force")
    assert code == 1
    assert_one_error_line(err, "cannot write", "No space left on device")
    assert target.read_text(encoding="utf-8") == "my earlier export\n"
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".export")] == []


def test_write_atomic_on_full_disk_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full)
    target = tmp_path / "new.jsonl"
    with pytest.raises(ReaderError, match="No space left on device"):
        fileio.write_text_atomic(target, "data\n")
    assert list(tmp_path.iterdir()) == []


def test_mark_on_a_full_disk_loses_nothing(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = run("list")[1].split("\n")
    first, second = keys[0].split()[0], keys[1].split()[0]
    assert run("mark", first, "--star")[0] == 0

    def full(*args: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    monkeypatch.setattr(os, "write", full)
    code, out, err = run("mark", second, "--star")
    monkeypatch.undo()
    assert code == 1
    assert out == ""
    assert_one_error_line(err)
    with Library(run.folder) as library:
        assert library.state_of(first).starred  # the earlier, acknowledged change survives
        assert not library.state_of(second).starred


# --- values the library cannot store -------------------------------------------------------

UNSTORABLE = {
    "huge upvotes": ('{"title": "T", "upvotes": 99999999999999999999}', "upvotes"),
    "2**63 comments": ('{"title": "T", "comments": 9223372036854775808}', "comments"),
    "huge author count": ('{"title": "T", "author_count": 1' + "0" * 30 + "}", "author_count"),
    "5000-digit number": ('{"title": "T", "upvotes": 1' + "0" * 5000 + "}", "digits"),
    "lone surrogate title": ('{"title": "\\ud800"}', "title"),
    "lone surrogate key": ('{"title": "T", "key": "k\\udfff"}', "key"),
    "lone surrogate author": ('{"title": "T", "authors": ["A", "\\udc80"]}', "authors"),
    "lone surrogate tag": ('{"title": "T", "tags": ["\\ud83d"]}', "tags"),
    "lone surrogate note": ('{"title": "T", "note": "x\\ud800y"}', "note"),
    "added before year 1": ('{"title": "T", "added": "0001-01-01T00:00:00+14:00"}', "added"),
    "added after 9999": ('{"title": "T", "added": "9999-12-31T23:59:59-23:59"}', "added"),
    "read_at before year 1": ('{"title": "T", "read_at": "0001-01-01T00:00:00+01:00"}', "read_at"),
    "tags_at after 9999": ('{"title": "T", "tags_at": "9999-12-31T23:00:00-01:00"}', "tags_at"),
}


@pytest.mark.parametrize("kind", list(UNSTORABLE))
@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_values_the_library_cannot_store_are_one_clear_line(
    run: Run, tmp_path: Path, kind: str, fmt: str
) -> None:
    line, field = UNSTORABLE[kind]
    path = tmp_path / f"bad.{fmt}"
    good = '{"title": "A good paper"}'
    # The bad paper comes second: the error must name its line (or position).
    path.write_text(f"{good}\n{line}\n" if fmt == "jsonl" else f"[{good},\n{line}]\n")
    before = paper_count(run.folder)
    code, out, err = run("import", str(path))
    assert code == 1
    assert out == ""
    assert_one_error_line(err, path.name, "line 2" if fmt == "jsonl" else "paper 2", field)
    assert paper_count(run.folder) == before


def test_the_largest_storable_count_is_accepted(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_text('{"title": "T", "key": "big", "upvotes": 9223372036854775807}\n')
    code, _, err = run("import", str(path))
    assert code == 0, err
    with Library(run.folder) as library:
        assert library.entry("big").paper.upvotes == 2**63 - 1


def test_bibtex_with_hostile_values_imports_and_prints_safely(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "hostile.bib"
    path.write_text(
        "@misc{x,\n  title={Evil \x1b[2J \x9b31m title},\n  year={99999999999999999999},\n"
        "  month={99999999999999999999},\n  author={Doe\x07, Jane}\n}\n",
        encoding="utf-8",
    )
    code, _, err = run("import", str(path))
    assert code == 0, err
    code, out, err = run("list", "Evil")
    assert code == 0
    assert "Evil" in out
    assert not TERMINAL_CONTROL.search(out + err)


# --- inputs without end: devices, pipes, huge files --------------------------------------------

ONE_MIB = 1024 * 1024


def limited_reader(
    folder: Path, *args: str, limit: int = ONE_MIB, stdin: int | None = None
) -> subprocess.CompletedProcess[str]:
    """`reader ARGS` in a real process whose input limit is `limit` and whose memory is capped
    at 2 GiB, so that a reader that reads without bound fails instead of exhausting the host."""
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))\n"
        "from reader import fileio\n"
        f"fileio.MAX_INPUT_BYTES = {limit}\n"
        "from reader.cli import main\n"
        f"sys.exit(main([*{list(args)!r}, '--library', {str(folder)!r}]))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        stdin=stdin,
        timeout=60,
        env={**os.environ, "READER_DEBUG": ""},
    )


def test_a_device_is_refused_at_once(tmp_path: Path) -> None:
    done = limited_reader(tmp_path / "lib", "import", "/dev/zero")
    assert done.returncode == 1, done.stderr[-500:]
    assert_one_error_line(done.stderr, "/dev/zero is not a regular file")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    try:
        done = limited_reader(tmp_path / "lib", "import", str(fifo))
    except subprocess.TimeoutExpired:
        pytest.fail("reading a FIFO with no writer hung")
    assert done.returncode == 1
    assert_one_error_line(done.stderr, str(fifo), "is not a regular file")


def test_a_socket_is_refused(run: Run, tmp_path: Path) -> None:
    import socket

    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        code, out, err = run("import", str(path))
    assert code == 1
    assert out == ""
    assert_one_error_line(err, str(path), "is not a regular file")


def test_endless_standard_input_stops_at_the_limit(tmp_path: Path) -> None:
    # `yes` never ends, and never writes a NUL byte that would make it look binary.
    with subprocess.Popen(["yes", "Endless Daily Papers"], stdout=subprocess.PIPE) as endless:
        try:
            done = limited_reader(tmp_path / "lib", "import", "-", stdin=endless.stdout.fileno())  # type: ignore[union-attr]
        finally:
            endless.kill()
    assert done.returncode == 1, done.stderr[-500:]
    assert_one_error_line(done.stderr, "standard input is larger than 1 MiB")


def test_dev_zero_on_standard_input_ends_with_one_line(tmp_path: Path) -> None:
    with open("/dev/zero", "rb") as zeros:
        done = limited_reader(tmp_path / "lib", "import", "-", stdin=zeros.fileno())
    assert done.returncode == 1, done.stderr[-500:]
    assert_one_error_line(done.stderr, "standard input")


def test_a_file_over_the_limit_is_refused(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fileio, "MAX_INPUT_BYTES", ONE_MIB)
    big = tmp_path / "big.jsonl"
    line = json.dumps({"title": "A paper " + "x" * 100}) + "\n"
    big.write_text(line * (ONE_MIB // len(line) + 10), encoding="utf-8")
    before = paper_count(run.folder)
    code, out, err = run("import", str(big))
    assert code == 1
    assert out == ""
    assert_one_error_line(err, str(big), "is larger than 1 MiB")
    assert paper_count(run.folder) == before


def test_a_file_growing_past_the_limit_while_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The size is checked up front, and again while reading: a file can grow in between.
    path = tmp_path / "growing.txt"
    path.write_text("title\n", encoding="utf-8")
    monkeypatch.setattr(fileio, "MAX_INPUT_BYTES", ONE_MIB)
    with fileio.TextInput(str(path)) as opened:
        with path.open("ab") as file:
            file.write(b"y" * (2 * ONE_MIB))
        with pytest.raises(ReaderError, match="is larger than 1 MiB"):
            opened.text()


def test_a_file_at_the_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fileio, "MAX_INPUT_BYTES", ONE_MIB)
    path = tmp_path / "exact.txt"
    path.write_bytes(b"a" * ONE_MIB)
    assert len(fileio.read_text_input(str(path))) == ONE_MIB


def test_a_file_name_with_a_nul_byte_is_one_line(run: Run) -> None:
    code, _, err = run("import", "bad\x00name.txt")
    assert code == 1
    assert_one_error_line(err, "name")
