"""Command lines that used to do the opposite of what they say, or worse, nothing visible.

Query words may start with "-" anywhere among the options; a query that constrains
nothing never marks the whole library by accident; an empty standard input never erases
a note; hostile queries end in one error line.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader.cli import main
from reader.identity import title_key
from reader.library import Library
from tests.conftest import Run, seed_path

MOTION = "Towards Robust and Adaptive Motion Forecasting: A Causal Representation Perspective"


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    runner = Run(tmp_path / "lib", capsys)
    code, out, _ = runner("import", *(str(seed_path(n)) for n in range(4)))
    assert code == 0, out
    return runner


def expected(run: Run, query: str, sort: str = "date") -> list[str]:
    """The keys the core finds for `query`, in `sort` order."""
    with Library(run.folder) as library:
        return library.keys(query, sort)


def listed(run: Run, *args: str) -> list[str]:
    """The keys `reader list ARGS --json` prints (it must succeed)."""
    code, out, err = run("list", *args, "--json")
    assert code == 0, err
    return [paper["key"] for paper in json.loads(out)]


def one_error_line(err: str, message: str) -> None:
    assert err.startswith("reader: error: ") and err.count("\n") == 1, err
    assert message in err, err


# --- query words that start with "-" -----------------------------------------------------


def test_list_a_negated_word(run: Run):
    keys = listed(run, "-survey")
    assert keys == expected(run, "-survey")
    assert 0 < len(keys) < 93  # "survey" is in 2 of the 93 papers
    # Groups, phrases and runs of "-" are words too: no option looks like them.
    for query in ("-(survey OR video)", '-"language model"', "---causal", "--(causal)"):
        assert listed(run, query) == expected(run, query), query


def test_list_a_negated_word_among_options(run: Run):
    keys = listed(run, "causal", "-language", "--sort", "title")
    assert keys == expected(run, "causal -language", "title")
    assert len(keys) < len(expected(run, "causal"))
    # Options before, between and after the words; --library is added last by `run`.
    assert (
        listed(run, "--limit", "5", "-survey", "--sort", "title", "causal")
        == (expected(run, "-survey causal", "title")[:5])
    )
    assert listed(run, "--so=title", "-survey", "causal") == expected(
        run, "-survey causal", "title"
    )


def test_list_keeps_the_order_of_the_words(run: Run):
    # `a -b OR c` is a AND (NOT b OR c): the words must not be regrouped around the options.
    query = ["causal", "-video", "OR", "diffusion"]
    keys = listed(run, query[0], "--sort", "title", *query[1:])
    assert keys == expected(run, " ".join(query), "title")
    assert set(keys) != set(expected(run, "causal OR diffusion -video"))


def test_list_after_a_double_dash(run: Run, capsys: pytest.CaptureFixture[str]):
    capsys.readouterr()
    code = main(["--library", str(run.folder), "list", "--json", "--", "-survey", "--sort"])
    out, err = capsys.readouterr()
    assert code == 0, err
    # After "--" every word is a query word, even one that looks like an option.
    assert [paper["key"] for paper in json.loads(out)] == expected(run, "-survey --sort")


def test_list_with_the_library_before_the_command(run: Run, capsys: pytest.CaptureFixture[str]):
    for argv in (
        ["--library", str(run.folder), "list", "-survey", "--json"],
        [f"--library={run.folder}", "list", "--json", "-survey"],
    ):
        capsys.readouterr()
        assert main(argv) == 0
        keys = [paper["key"] for paper in json.loads(capsys.readouterr().out)]
        assert keys == expected(run, "-survey")


def test_export_a_negated_word_to_a_file(run: Run, tmp_path: Path):
    target = tmp_path / "out.md"
    code, out, err = run("export", "-survey", "-o", str(target))
    assert code == 0 and out == "", err
    count = len(expected(run, "-survey"))
    assert err.strip() == f"Exported {count} papers to {target} (Markdown)."
    text = target.read_text(encoding="utf-8")
    assert text.count("\n## ") == count
    assert "survey" not in text.lower()


def test_a_short_option_is_only_itself(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # `-open` is the word "open" negated, not `-o pen` (which wrote a file named "pen").
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("export", "causal", "-open", "--format", "jsonl")
    assert code == 0
    assert not (tmp_path / "pen").exists()
    assert len(out.splitlines()) == len(expected(run, "causal -open"))


def test_mark_by_a_negated_query(run: Run):
    count = len(expected(run, "-survey"))
    code, out, err = run("mark", "--query", "-survey", "--read")
    assert code == 0, err
    assert out.strip() == f"Marked {count} papers read ({count} changed)."
    assert set(listed(run, "is:read")) == set(expected(run, "-survey"))
    code, out, _ = run("mark", "--read", "--que=-(survey)", "--star")
    assert code == 0 and f"Marked {count} papers read, starred" in out


def test_a_misspelt_option_is_still_an_error(run: Run, capsys: pytest.CaptureFixture[str]):
    for args, message in (
        (["list", "causal", "--sortt", "title"], "unrecognized arguments: --sortt"),
        (["export", "--f", "json"], "ambiguous option: --f could match --format, --force"),
        (["mark", "--query", "--read"], "argument --query: expected one argument"),
        (["list", "causal", "--sort"], "argument --sort: expected one argument"),
    ):
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_:
            main([*args, "--library", str(run.folder)])
        out, err = capsys.readouterr()
        assert exit_.value.code == 2 and out == ""
        errors = [line for line in err.splitlines() if "error:" in line]
        assert len(errors) == 1 and errors[0].endswith(message), err
        assert err.splitlines()[-1] == errors[0] and "Traceback" not in err


def test_help_is_still_help(run: Run, capsys: pytest.CaptureFixture[str]):
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(["list", "causal", "-h"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("usage: reader list")


# --- mark: a query that constrains nothing -----------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", "-", "*", "AND", "&", '""', "- &", "& OR causal"])
def test_mark_refuses_a_query_that_matches_every_paper(run: Run, query: str):
    code, out, err = run("mark", "--query", query, "--read")
    assert code == 1 and out == ""
    one_error_line(err, "the query matches every paper; add --all to mark them all")
    assert listed(run, "is:read") == []


def test_mark_by_a_query_that_matches_nothing(run: Run):
    code, _, err = run("mark", "--query", "-&", "--read")
    assert code == 1
    one_error_line(err, "no paper matches the --query; nothing marked")


def test_mark_all(run: Run):
    code, out, _ = run("mark", "--query", "", "--all", "--read")
    assert code == 0 and out.strip() == "Marked 93 papers read (93 changed)."
    code, out, _ = run("mark", "--all", "--star")
    assert code == 0 and out.strip() == "Marked 93 papers starred (93 changed)."
    assert len(listed(run, "is:starred is:read")) == 93


@pytest.mark.parametrize(
    "args",
    [["--all", "--query", "causal"], ["--all", title_key(MOTION)]],
)
def test_mark_all_with_something_narrower_is_refused(run: Run, args: list[str]):
    code, _, err = run("mark", *args, "--read")
    assert code == 1
    one_error_line(err, "--all marks every paper")
    assert listed(run, "is:read") == []


# --- note: standard input ----------------------------------------------------------------


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def _note(run: Run) -> str:
    with Library(run.folder) as library:
        return library.state_of(title_key(MOTION)).note


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "standard input is empty; the note of"),
        (b" \n\t\n", "standard input is empty; the note of"),
        (b"caf\xe9 au lait\n", "standard input is not UTF-8 text (bad byte at offset 3)"),
        (b"\xff\xfe\x00n\x00o\x00t\x00e", "standard input is a binary file"),
    ],
)
def test_note_from_bad_standard_input_keeps_the_note(
    run: Run, monkeypatch: pytest.MonkeyPatch, data: bytes, message: str
):
    key = title_key(MOTION)
    assert run("note", key, "Keep me.")[0] == 0
    _stdin(monkeypatch, data)
    code, out, err = run("note", key, "-")
    assert code == 1 and out == ""
    one_error_line(err, message)
    assert err.strip().endswith(f"the note of {key} is unchanged")
    assert _note(run) == "Keep me."


def test_note_without_standard_input_keeps_the_note(run: Run, monkeypatch: pytest.MonkeyPatch):
    key = title_key(MOTION)
    assert run("note", key, "Keep me.")[0] == 0
    monkeypatch.setattr(sys, "stdin", None)
    code, _, err = run("note", key, "-")
    assert code == 1
    one_error_line(err, f"there is no standard input; the note of {key} is unchanged")
    assert _note(run) == "Keep me."


def test_note_from_standard_input_and_removal(run: Run, monkeypatch: pytest.MonkeyPatch):
    key = title_key(MOTION)
    _stdin(monkeypatch, "Read *§3* first.\n\n".encode())
    code, out, _ = run("note", key, "-")
    assert code == 0 and out.strip() == f"Note saved for {key}."
    assert _note(run) == "Read *§3* first."
    code, out, _ = run("note", key, "")
    assert code == 0 and out.strip() == f"Note removed for {key}."
    assert _note(run) == ""


def test_real_process_note_from_empty_standard_input(run: Run):
    key = title_key(MOTION)
    assert run("note", key, "Keep me.")[0] == 0
    done = subprocess.run(
        [sys.executable, "-m", "reader", "note", key, "-", "--library", str(run.folder)],
        input=b"",
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stdout == b""
    one_error_line(done.stderr.decode(), "standard input is empty")
    assert _note(run) == "Keep me."


# --- hostile queries on the command line -------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("(" * 1_000 + "a" + ")" * 1_000, "nested more than 100 deep"),
        ("(" * 10_000 + "a" + ")" * 10_000, "nested more than 100 deep"),
        ("-" * 10_000 + "a", "nested more than 100 deep"),
        ("NOT " * 1_000 + "a", "nested more than 100 deep"),
        ("causal " * 15_000, "more than 300 words and filters"),
        ("upvotes:99999999999999999999", '"upvotes:" 99999999999999999999 is too large'),
        ("year:0", '"year:" 0 is out of range (1 to 9999)'),
    ],
    ids=["1000 brackets", "10000 brackets", "10000 minus", "1000 NOTs", "100 KB", "big", "year"],
)
def test_hostile_queries_are_one_error_line(run: Run, query: str, message: str):
    for command in (["list"], ["export"], ["mark", "--read", "--query"]):
        code, out, err = run(*command, query)
        assert code == 1 and out == ""
        one_error_line(err, message)
