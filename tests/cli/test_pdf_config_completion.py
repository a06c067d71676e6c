"""`reader pdf`, `reader config`, the settings migration, `reader completion`, `--version`,
`--json` and the exit codes."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from reader.cli import build_parser
from reader.library import Library
from reader.model import Incoming, Paper
from reader.pdf import pdf_path
from reader.saved import load as saved_load
from reader.settings import Settings
from tests.cli.daily_server import PDF, Feeds
from tests.conftest import REPO, Run, seed_path

ARXIV_PAPER = Paper(key="2606.11409", title="Risk Under Pressure", arxiv_id="2606.11409")


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    runner = Run(tmp_path / "library", capsys)
    with Library(runner.folder) as library:
        library.import_papers([Incoming(ARXIV_PAPER), Incoming(Paper(key="t-1", title="No id"))])
    return runner


def one_error_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("reader: error: "), err
    return err


def viewer_script(tmp_path: Path) -> tuple[str, Path]:
    """A stand-in PDF viewer that writes the path it was given to a file."""
    record = tmp_path / "opened.txt"
    script = tmp_path / "viewer.py"
    script.write_text(
        f"import sys, pathlib\npathlib.Path({str(record)!r}).write_text(sys.argv[1])\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}", record


# --- PDFs ----------------------------------------------------------------------------------


def test_pdf_downloads_once_into_the_cache(run: Run, feeds: Feeds, tmp_path: Path):
    code, out, err = run("pdf", "2606.11409")
    assert code == 0, err
    path = Path(out.strip())
    assert path == pdf_path("2606.11409", tmp_path / "cache")
    assert path.read_bytes() == PDF
    asked = len(feeds.server.params_of("/pdf/2606.11409"))
    assert run("pdf", "https://arxiv.org/abs/2606.11409v2")[1] == out  # any form of the id
    assert len(feeds.server.params_of("/pdf/2606.11409")) == asked == 1


def test_pdf_open_uses_the_viewer_of_the_environment(
    run: Run, feeds: Feeds, tmp_path: Path, monkeypatch
):
    command, record = viewer_script(tmp_path)
    monkeypatch.setenv("READER_PDF_VIEWER", command)
    code, out, _ = run("pdf", "2606.11409", "--open")
    assert code == 0 and out.startswith("Opened ")
    for _ in range(500):  # the viewer runs detached: wait for it (at most ~10 s)
        if record.exists():
            break
        subprocess.run([sys.executable, "-c", "import time; time.sleep(0.02)"], check=False)
    assert record.read_text() == str(pdf_path("2606.11409", tmp_path / "cache"))


def test_pdf_refuses_a_missing_viewer_in_one_line(run: Run, feeds: Feeds, monkeypatch):
    monkeypatch.setenv("READER_PDF_VIEWER", "no-such-viewer-here --flag")
    code, _, err = run("pdf", "2606.11409", "--open")
    assert code == 1 and "no 'no-such-viewer-here' command" in one_error_line(err)


def test_pdf_size_cap(run: Run, feeds: Feeds, tmp_path: Path):
    Settings().set("pdf_max_mb", 1)
    feeds.pdf = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
    code, _, err = run("pdf", "2606.11409")
    assert code == 1 and "sent more than 1 MB" in one_error_line(err)
    assert not pdf_path("2606.11409", tmp_path / "cache").exists()
    assert not list((tmp_path / "cache").rglob("*.part"))


def test_pdf_that_is_not_a_pdf_is_refused(run: Run, feeds: Feeds, tmp_path: Path):
    feeds.pdf = b"<html>This paper has been withdrawn</html>"
    code, _, err = run("pdf", "2606.11409")
    assert code == 1 and "is not a PDF" in one_error_line(err)
    assert not pdf_path("2606.11409", tmp_path / "cache").exists()


def test_pdf_offline_is_one_clear_line(run: Run, monkeypatch):
    monkeypatch.setenv("READER_ARXIV_PDF_URL", "http://127.0.0.1:1/pdf")
    code, _, err = run("pdf", "2606.11409")
    assert code == 1
    assert "cannot get the PDF of 2606.11409: cannot reach 127.0.0.1:1" in one_error_line(err)


def test_pdf_of_a_paper_without_an_arxiv_id(run: Run):
    code, _, err = run("pdf", "t-1")
    assert code == 1 and "t-1 has no arXiv id" in one_error_line(err)


# --- configuration ---------------------------------------------------------------------------


def test_config_path_and_edit(run: Run, tmp_path: Path, monkeypatch):
    code, out, _ = run("config", "path")
    assert code == 0 and out.strip() == str(tmp_path / "config" / "config.toml")
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\nopen(sys.argv[1], 'a').write('theme = \"nord\"\\n')\n", encoding="utf-8"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    code, out, _ = run("config", "edit")
    assert code == 0 and "Settings saved" in out
    text = (tmp_path / "config" / "config.toml").read_text(encoding="utf-8")
    assert text.startswith("# reader's settings (TOML).")  # the commented template
    assert Settings().get("theme") == "nord"


def test_config_edit_that_breaks_the_file_says_where(run: Run, tmp_path: Path, monkeypatch):
    Settings().set("theme", "nord")
    before = Settings().path.read_text(encoding="utf-8")
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\nopen(sys.argv[1], 'a').write('theme = \\n')\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    code, _, err = run("config", "edit")
    line = before.count("\n") + 1  # the editor's line, after the file's own
    assert code == 1 and "is not valid TOML" in one_error_line(err) and f"line {line}," in err
    # A broken edit never replaces the working file; the edit is kept to fix.
    (draft,) = Settings().path.parent.glob("config.editing-*.toml")
    assert f"is unchanged: fix the edit in {draft}" in err
    assert draft.read_text(encoding="utf-8").endswith("theme = \n")
    assert Settings().path.read_text(encoding="utf-8") == before
    assert run("saved", "add", "x", "causal")[0] == 0  # the settings still work


def test_config_edit_never_undoes_another_process_s_change(run: Run, tmp_path: Path, monkeypatch):
    # The editor is open while another process saves a search: when the editor saves,
    # the search must still be there (the edit is refused and kept, not applied over it).
    assert run("saved", "add", "first", "causal")[0] == 0
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import subprocess, sys\n"
        f"subprocess.run([sys.executable, '-m', 'reader', 'saved', 'add', 'second', 'robot',"
        f" '--library', {str(run.folder)!r}], check=True)\n"
        "open(sys.argv[1], 'a').write('theme = \"nord\"\\n')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    code, _, err = run("config", "edit")
    assert code == 1 and "was changed by another reader process" in one_error_line(err)
    names = [search.name for search in saved_load(Settings())]
    assert names == ["first", "second"]
    assert Settings().get("theme") is None
    (draft,) = Settings().path.parent.glob("config.editing-*.toml")
    assert draft.read_text(encoding="utf-8").endswith('theme = "nord"\n')


def test_a_kept_edit_is_never_overwritten_by_the_next(run: Run, tmp_path: Path, monkeypatch):
    broken = tmp_path / "broken.py"
    broken.write_text("import sys\nopen(sys.argv[1], 'a').write('precious = \\n')\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {broken}")
    assert run("config", "edit")[0] == 1
    (kept,) = Settings().path.parent.glob("config.editing-*.toml")
    good = tmp_path / "good.py"
    good.write_text("import sys\nopen(sys.argv[1], 'a').write('theme = \"nord\"\\n')\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {good}")
    code, out, err = run("config", "edit")
    assert code == 0 and "Settings saved" in out, err
    assert kept.read_text(encoding="utf-8").endswith("precious = \n")  # still there to fix


@pytest.mark.parametrize("start", [b"\xef\xbb\xbf", b""], ids=["bom", "plain"])
def test_a_settings_file_with_crlf_or_a_bom_can_be_edited(
    run: Run, tmp_path: Path, monkeypatch, start: bytes
):
    path = Settings().path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(start + b'sort = "title"\r\n')
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\nopen(sys.argv[1], 'a').write('theme = \"nord\"\\n')\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    code, out, err = run("config", "edit")
    assert code == 0 and "Settings saved" in out, err
    assert Settings().get("theme") == "nord" and Settings().get("sort") == "title"


def test_config_edit_checks_the_feed_and_pdf_settings(run: Run, tmp_path: Path, monkeypatch):
    for line, problem in (
        ("arxiv_spacing = inf", "arxiv_spacing must be a number of seconds from 0 to 600"),
        ("arxiv_spacing = nan", "arxiv_spacing must be a number of seconds from 0 to 600"),
        ("arxiv_spacing = 100000", "arxiv_spacing must be a number of seconds from 0 to 600"),
        ('hf_url = "ftp://x"', "hf_url"),
        ("pdf_max_mb = 0", "pdf_max_mb must be a number of megabytes"),
    ):
        editor = tmp_path / "editor.py"
        editor.write_text(f"import sys\nopen(sys.argv[1], 'a').write({line + chr(10)!r})\n")
        monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
        code, _, err = run("config", "edit")
        assert code == 1 and problem in one_error_line(err), (line, err)
        assert Settings().get("arxiv_spacing") is None


def test_a_change_that_would_make_the_settings_file_unreadable_is_refused(run: Run):
    big = "a" * 120_000
    for number in range(12):
        code, _, err = run("subscribe", "arxiv", f"abs:{big}{number}", "--name", f"big{number}")
        if code:
            assert "would grow past 1024 KiB" in one_error_line(err)
            break
    else:
        raise AssertionError("the settings file grew past what reading accepts")
    # Everything written so far still reads, and can be undone with reader itself.
    assert run("unsubscribe", "big0")[0] == 0
    assert run("subscriptions")[0] == 0


def test_an_old_settings_json_moves_into_the_config_file(run: Run, tmp_path: Path):
    old = run.folder / "settings.json"
    old.write_text(json.dumps({"theme": "dracula", "sort": "title", "nothing": None}))
    Settings().set("sort", "upvotes")  # set in the new file already: it wins
    assert run("config", "path")[0] == 0
    assert not old.exists()
    assert json.loads((run.folder / "settings.json.migrated").read_text())["theme"] == "dracula"
    settings = Settings()
    assert settings.get("theme") == "dracula" and settings.get("sort") == "upvotes"
    text = settings.path.read_text(encoding="utf-8")
    assert '#   sort = "title"' in text  # the other value is kept, as a comment


def test_editor_that_fails_is_reported(run: Run, monkeypatch):
    monkeypatch.setenv("EDITOR", f"{sys.executable} -c 'raise SystemExit(3)'")
    monkeypatch.delenv("VISUAL", raising=False)
    code, _, err = run("config", "edit")
    assert code == 1 and "ended with status 3" in one_error_line(err)


# --- completion, version, JSON, exit codes -----------------------------------------------------


def every_command() -> set[str]:
    parser = build_parser()
    for action in parser._actions:
        if action.dest == "command":
            return set(action.choices)
    raise AssertionError("no commands")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_are_valid_and_name_every_command(run: Run, shell: str):
    code, out, _ = run("completion", shell)
    assert code == 0
    for command in every_command():
        assert command in out
    assert "since" in out and "watch" in out
    program = shutil.which(shell)
    if program is None:
        pytest.skip(f"{shell} is not installed here to check the syntax")
    checked = subprocess.run([program, "-n"], input=out.encode(), capture_output=True)
    assert checked.returncode == 0, checked.stderr


def test_fish_completion_offers_subcommands_and_choices(run: Run):
    out = run("completion", "fish")[1]
    assert (
        "complete -c reader -n '__fish_seen_subcommand_from saved; and not"
        " __fish_seen_subcommand_from add list remove' -a 'add'"
    ) in out
    assert "-l 'format' -x -a 'markdown text html'" in out
    assert "-s 'o' -l 'output' -r -F" in out


@pytest.mark.slow
def test_version_names_python_textual_and_sqlite_without_importing_textual():
    code = (
        "import sys\nfrom reader.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit as done:\n    status = done.code\n"
        "print('textual' in sys.modules, status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[0].startswith("reader ") and lines[1].startswith("Python 3.")
    assert lines[2].startswith("Textual ") and lines[3].startswith("SQLite 3.")
    assert lines[4] == "False 0"


def test_show_and_stats_json_carry_a_schema_version(run: Run):
    assert run("import", str(seed_path(0)))[0] == 0
    shown = json.loads(run("show", "2606.11409", "--json")[1])
    assert shown["schema_version"] == 1 and shown["paper"]["arxiv_id"] == "2606.11409"
    stats = json.loads(run("stats", "--json")[1])
    assert stats["schema_version"] == 1
    assert stats["papers"] >= 2 and stats["with_arxiv_id"] == 1
    assert {"read", "starred", "notes", "tagged", "tags", "sources", "library"} <= set(stats)


def test_exit_codes_ok_error_usage(run: Run, capsys):
    assert run("list")[0] == 0
    assert run("show", "nope")[0] == 1
    with pytest.raises(SystemExit) as usage:
        run("list", "--sort", "sideways")
    assert usage.value.code == 2


def test_the_config_file_keeps_its_mode_through_changes(tmp_path: Path):
    path = Settings().path
    path.parent.mkdir(parents=True)
    path.write_text("# mine\n", encoding="utf-8")
    path.chmod(0o600)
    Settings().set("theme", "nord")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_every_command_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in every_command():
        assert f"reader {command}" in readme, command
