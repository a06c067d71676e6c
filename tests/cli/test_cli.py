"""The command line, run as the user runs it (in-process for speed, plus real processes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader.identity import title_key
from reader.library import Library
from tests.conftest import Run, seed_path

MOTION = "Towards Robust and Adaptive Motion Forecasting: A Causal Representation Perspective"


def test_import_reports_new_updated_skipped(run: Run):
    code, out, _ = run("import", str(seed_path(1)))
    assert code == 0
    assert out.strip() == "Imported 32 papers: 32 new, 0 updated, 0 skipped (unchanged)."
    code, out, _ = run("import", str(seed_path(0)), str(seed_path(1)))
    # Seven papers are on both pages: known only by their titles, they are joined by them.
    assert out.strip() == (
        "Imported 34 papers: 2 new, 0 updated, 32 skipped (unchanged); 7 merged by title."
    )


def test_import_from_standard_input(run: Run, monkeypatch: pytest.MonkeyPatch):
    import io

    data = seed_path(2).read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run("import", "-")
    assert code == 0 and "40 new" in out


def test_import_sample(run: Run):
    code, out, _ = run("import", "--sample")
    assert code == 0 and "93 new" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("Caf\u00e9 Daily Papers".encode("latin-1"), "not UTF-8"),
        (b"just a line of text", "no papers found"),
        (b'[{"no": "title"}]', "title"),
    ],
)
def test_bad_input_is_one_clear_line_and_changes_nothing(
    run: Run, tmp_path: Path, content: bytes | None, message: str
):
    run("import", str(seed_path(0)))
    bad = tmp_path / "bad.txt"
    if content is not None:
        bad.write_bytes(content)
    # The good file comes first: it must not be imported either.
    code, out, err = run("import", str(seed_path(1)), str(bad))
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("reader: error: ") and message in err
    with Library(run.folder) as library:
        assert len(library) == 9


def test_import_a_folder_is_refused(run: Run, tmp_path: Path):
    code, _, err = run("import", str(tmp_path))
    assert code == 1 and "is a folder" in err


def test_list_filters_and_sorts(imported: Run):
    code, out, err = imported("list", "sparse", "caus")
    assert code == 0
    titles = out.splitlines()
    assert len(titles) == 11
    assert all(MOTION not in row or title_key(MOTION) in row for row in titles)
    assert err.strip() == "11 of 93 papers"
    code, out, _ = imported("list", "--sort", "title", "--limit", "2")
    assert out.splitlines()[0].split("  ")[-1].startswith("A ")


def test_list_json_has_the_documented_fields(imported: Run):
    _, out, _ = imported("list", "title:alpamayo", "--json")
    data = json.loads(out)
    assert len(data) == 1
    paper = data[0]
    for name in [
        "key", "title", "abstract", "authors", "author_count", "organization", "date",
        "upvotes", "arxiv_id", "url", "read", "starred", "note", "tags",
    ]:  # fmt: skip
        assert name in paper
    assert paper["title"].startswith("Alpamayo-R1: Bridging Reasoning")
    assert paper["authors"] == [] and paper["author_count"] == 43
    assert paper["date"] == "2025-10-29"
    assert paper["read"] is False and paper["tags"] == []


def test_bad_query_is_a_clear_error(imported: Run):
    code, out, err = imported("list", "upvotes:lots")
    assert code == 1 and out == ""
    assert (
        err == "reader: error: \"upvotes:\" expects a whole number, as in upvotes:>=5; got 'lots'\n"
    )


def test_mark_note_tag_show(imported: Run):
    key = title_key(MOTION)
    assert imported("mark", key, "--star", "--read")[0] == 0
    assert imported("note", key[:8], "Read *section 3* first")[0] == 0
    code, out, _ = imported("tag", key, "causal", "#forecasting")
    assert out.strip() == f"{key}: #causal #forecasting"
    code, out, _ = imported("tag", key, "--remove", "CAUSAL")
    assert out.strip() == f"{key}: #forecasting"

    code, out, _ = imported("show", key)
    assert code == 0
    assert out.startswith(MOTION)
    assert "State:   read, starred" in out
    assert "Read *section 3* first" in out
    assert "Date:    2021-11-29" in out

    code, out, _ = imported("list", "is:starred", "--json")
    assert [paper["key"] for paper in json.loads(out)] == [key]
    assert imported("mark", key, "--unstar")[0] == 0
    assert json.loads(imported("list", "is:starred", "--json")[1]) == []
    assert imported("note", key, "")[1].startswith("Note removed")


def test_mark_by_query(imported: Run):
    code, out, _ = imported("mark", "--query", "sparse caus", "--read")
    assert code == 0 and "Marked 11 papers read (11 changed)" in out
    assert len(json.loads(imported("list", "is:read", "--json")[1])) == 11


def test_unknown_key_is_an_error(imported: Run):
    code, _, err = imported("show", "no-such-key")
    assert code == 1 and err == "reader: error: no paper with key 'no-such-key' in the library\n"
    code, _, err = imported("mark", "no-such-key", "--star")
    assert code == 1 and "no paper with key" in err


def test_export_markdown_to_stdout_and_file(imported: Run, tmp_path: Path):
    key = title_key(MOTION)
    imported("mark", key, "--star")
    imported("note", key, "Strong baseline.")
    code, out, _ = imported("export")
    assert code == 0
    assert out.startswith("# Starred papers")
    assert "Towards Robust and Adaptive Motion Forecasting" in out
    assert "> Strong baseline." in out

    target = tmp_path / "starred.md"
    assert imported("export", "-o", str(target))[0] == 0
    assert target.read_text(encoding="utf-8") == out
    # No silent overwrite.
    target.write_text("precious")
    code, _, err = imported("export", "-o", str(target))
    assert code == 1 and "already exists" in err and target.read_text() == "precious"
    assert imported("export", "-o", str(target), "--force")[0] == 0
    assert target.read_text(encoding="utf-8") == out


def test_jsonl_export_round_trips_exactly(imported: Run, tmp_path: Path, capsys):
    key = title_key(MOTION)
    imported("mark", key, "--star", "--read")
    imported("tag", key, "x")
    code, first, _ = imported("export", "--all", "--format", "jsonl")
    assert code == 0 and len(first.splitlines()) == 93
    backup = tmp_path / "backup.jsonl"
    backup.write_text(first, encoding="utf-8")

    other = Run(tmp_path / "other", capsys)
    code, out, _ = other("import", str(backup))
    assert code == 0 and "93 new" in out
    assert other("export", "--all", "--format", "jsonl")[1] == first


def test_stats(imported: Run):
    imported("mark", title_key(MOTION), "--star")
    code, out, _ = imported("stats")
    assert code == 0
    assert "Papers:   93" in out and "Starred:  1" in out


def _reader(*args: str, stdin: bytes | None = None, env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
    )


def test_real_process_library_before_or_after_the_command(tmp_path: Path):
    folder = str(tmp_path / "lib")
    done = _reader("--library", folder, "import", "-", stdin=seed_path(3).read_bytes())
    assert done.returncode == 0, done.stderr
    assert b"40 new" in done.stdout
    listed = _reader("list", "--library", folder, "--json")
    assert listed.returncode == 0
    assert len(json.loads(listed.stdout)) == 40


def test_real_process_reader_home(tmp_path: Path):
    import os

    env = {**os.environ, "READER_HOME": str(tmp_path / "home")}
    assert _reader("import", str(seed_path(0)), env=env).returncode == 0
    assert (tmp_path / "home" / "catalog.sqlite3").exists()
    assert (tmp_path / "home" / "state.json").exists() is False  # nothing touched yet


def test_real_process_errors_have_no_traceback(tmp_path: Path):
    done = _reader("--library", str(tmp_path / "lib"), "import", str(tmp_path / "missing.txt"))
    assert done.returncode == 1
    assert done.stderr.decode().count("\n") == 1
    assert b"Traceback" not in done.stderr


def test_the_app_needs_a_terminal_and_says_so(tmp_path: Path):
    import os

    env = {**os.environ, "READER_HOME": str(tmp_path / "home")}
    for args in (["demo"], []):
        done = _reader(*args, env=env)
        assert done.returncode == 1
        assert done.stderr.decode() == (
            "reader: error: the app needs a terminal; use `reader list` in scripts and pipes\n"
        )
    assert not (tmp_path / "home").exists()


@pytest.mark.parametrize(
    ("name", "label", "starts"),
    [
        ("out.bib", "BibTeX", "@"),
        ("out.jsonl", "JSON Lines", '{"key":'),
        ("out.json", "JSON", "["),
        ("out.md", "Markdown", "# Papers"),
        ("out.txt", "Markdown", "# Papers"),
    ],
)
def test_export_format_follows_the_file_name(
    imported: Run, tmp_path: Path, name: str, label: str, starts: str
):
    target = tmp_path / name
    code, _, err = imported("export", "sparse", "-o", str(target))
    assert code == 0 and f"({label})" in err
    assert target.read_text(encoding="utf-8").startswith(starts)
    # An explicit --format wins over the name.
    code, _, _ = imported("export", "sparse", "-o", str(target), "--force", "--format", "jsonl")
    assert code == 0 and target.read_text(encoding="utf-8").startswith('{"key":')


def test_export_all_with_a_query_is_refused(imported: Run):
    code, out, err = imported("export", "--all", "sparse")
    assert code == 1 and out == "" and "either a QUERY or --all" in err


def test_every_export_format_is_offered_by_the_cli():
    from reader.cli import build_parser
    from reader.export import FORMATS

    parser = build_parser()
    export = parser._subparsers._group_actions[0].choices["export"]  # type: ignore[union-attr]
    (action,) = [action for action in export._actions if action.dest == "format"]
    assert tuple(action.choices) == tuple(FORMATS)


def test_list_and_export_reverse_the_sort(imported: Run):
    forward = [line.split()[0] for line in imported("list")[1].splitlines()]
    backward = [line.split()[0] for line in imported("list", "--reverse")[1].splitlines()]
    assert backward == forward[::-1] and len(forward) == 93
    first = imported("list", "--reverse", "--limit", "1")[1].split()[0]
    assert first == forward[-1]
    exported = imported("export", "--all", "--reverse", "--format", "jsonl")[1].splitlines()
    assert [json.loads(line)["key"] for line in exported] == forward[::-1]


def test_an_unknown_format_names_the_option_to_force_one(run: Run, tmp_path: Path):
    odd = tmp_path / "odd.txt"
    odd.write_text("x\ny\n")
    code, _, err = run("import", str(odd))
    assert code == 1 and "use --format to force one" in err
