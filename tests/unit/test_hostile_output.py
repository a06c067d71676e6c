"""Hostile text never reaches the terminal: everything printed goes through one sanitizer.

A paper imported from a JSON Lines file can carry escape sequences in every field, its key
included. Whatever a command prints (stdout and stderr, errors included) must be free of C0/C1
control characters (newline and tab aside), DEL and bidirectional controls. The formats that
must round-trip (JSON, JSON Lines) escape such characters instead, so they read back exactly.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.export.bibtex import to_bibtex
from reader.export.jsonl import to_json, to_jsonl
from reader.export.markdown import to_markdown
from reader.library import Library
from reader.model import Entry, Paper, PaperState
from reader.render import json_text
from reader.sources.jsonl import parse_jsonl
from reader.text import json_safe, printable
from tests.conftest import Run

# What must never be printed: C0 controls but tab and newline, DEL, C1 controls (U+009B is
# CSI, U+009D OSC on some terminals), bidirectional controls, and lone surrogates.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# In JSON, the escaped forms are fine but these must not appear raw either.
JSON_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

HOSTILE_PIECES = [
    "\x1b[2J",  # clear the screen
    "\x1b[31m",
    "\x1b]52;c;ZWNobyBwd25lZA==\x07",  # OSC 52: write the clipboard
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x9b31m",  # C1 CSI
    "\x9d0;title\x9c",  # C1 OSC ... ST
    "\x85",  # NEL
    "\x07",  # BEL
    "\x08",
    "\x7f",
    "\x00",
    "\r",  # a lone CR overwrites the line so far
    "\u202e",  # right-to-left override
    "\u2066",
    "\u2069",
    "\u200f",
    "\u2028",
    "\u2029",
    "\t",
    "\n",
    "★",
    "#",
    "[bold]",
]
# Anything but lone surrogates (which JSON input may hold but the import refuses, see
# test_hostile_input.py).
ANY_CHAR = st.characters(blacklist_categories=("Cs",))


def hostile_text() -> st.SearchStrategy[str]:
    """Short text built from escape sequences, controls, bidi overrides and any characters."""
    piece = st.sampled_from(HOSTILE_PIECES) | st.text(ANY_CHAR, min_size=1, max_size=4)
    return st.lists(piece, min_size=1, max_size=6).map("".join)


@st.composite
def hostile_records(draw: st.DrawFn) -> list[dict[str, object]]:
    """Three papers in the dict form with hostile text in every string field."""

    def text() -> str:
        return draw(hostile_text())

    return [
        {
            # The key is bracketed by plain characters: `reader show KEY` trims its argument.
            "key": f"k{number}-{text()}-z",
            "title": f"T{number} {text()} t",
            "abstract": text(),
            "authors": [text(), text()],
            "organization": text(),
            "url": text(),
            "source": text(),
            "github": text(),
            "project_page": text(),
            "arxiv_id": f"2606.1140{number}",
            "date": "2026-06-12",
            "note": f"N {text()} n",
            "tags": [f"t{text()}x"],
            "read": True,
        }
        for number in range(3)
    ]


def assert_clean(*outputs: str) -> None:
    """None of `outputs` holds a character that can act on a terminal."""
    for output in outputs:
        found = FORBIDDEN.search(output)
        assert found is None, f"{found.group()!r} in {output[:300]!r}"  # type: ignore[union-attr]


PAPER_FIELDS = ("key", "title", "abstract", "authors", "organization", "url", "source")
PAPER_FIELDS += ("github", "project_page", "note", "tags")


# Each example runs ~25 commands (~60 ms each, mostly opening the library and building the
# argument parser): a few examples of three hostile papers each keep it to a few seconds.
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(records=hostile_records(), extra=hostile_text())
def test_nothing_printed_carries_terminal_controls(
    records: list[dict[str, object]], extra: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        run = Run(Path(folder) / "lib", capsys)
        source = Path(folder) / "hostile.jsonl"
        source.write_text("".join(json.dumps(record) + "\n" for record in records), "utf-8")
        code, out, err = run("import", str(source))
        assert code == 0, err
        assert_clean(out, err)
        expected = {}
        with Library(run.folder) as library:
            assert len(library) == len(records)
            for record in records:
                stored = library.entry(str(record["key"]))
                fields = {name: record[name] for name in PAPER_FIELDS}
                # The library tidies these on import: authors' whitespace, tags split at spaces.
                fields["authors"] = list(stored.paper.authors)
                fields["tags"] = list(stored.state.tags)
                expected[record["key"]] = fields
        key = str(records[0]["key"])

        # Every command that prints, on the hostile papers.
        for args in (
            ("list",),
            ("show", key),
            ("stats",),
            ("tag", key),
            ("export", "--all", "--format", "markdown"),
            ("export", "--all", "--format", "bibtex"),
            ("export", "--all", "--format", "markdown", "--title", extra),
        ):
            code, out, err = run(*args)
            assert code == 0, (args, err)
            assert_clean(out, err)
            assert out.strip(), args

        # The formats that round-trip: escaped, and read back exactly.
        for args in (
            ("list", "--json"),
            ("export", "--all", "--format", "json"),
            ("export", "--all", "--format", "jsonl"),
        ):
            code, out, err = run(*args)
            assert code == 0
            assert_clean(out, err)
            assert not JSON_FORBIDDEN.search(out)
            papers = (
                json.loads(out)
                if "jsonl" not in args
                else list(map(json.loads, out.split("\n")[:-1]))
            )
            printed = {
                paper["key"]: {name: paper[name] for name in PAPER_FIELDS} for paper in papers
            }
            assert printed == expected

        # Commands that change state echo the key or the tags.
        for args in (
            ("mark", key, "--star"),
            ("note", key, f"x {extra} y"),
            ("tag", key, f"a{extra}b"),
        ):
            code, out, err = run(*args)
            assert code == 0, (args, err)
            assert_clean(out, err)

        # Error paths echo what the user (or the file) gave.
        bad = Path(folder) / "bad.jsonl"
        bad.write_text(json.dumps({"title": "x", "date": extra}) + "\n", encoding="utf-8")
        for args in (
            ("show", f"nope{extra}"),
            ("note", f"nope{extra}", "text"),
            ("list", extra),
            ("list", "--sort", extra),
            ("stats", extra),
            ("import", str(bad)),
            ("import", str(Path(folder) / f"missing{extra}.txt")),
            (extra,),
        ):
            out, err = attempt(run, *args)
            assert_clean(out, err)


def attempt(run: Run, *args: str) -> tuple[str, str]:
    """Run `reader ARGS` expecting it may fail, argparse's exits included; (stdout, stderr)."""
    try:
        _, out, err = run(*args)
    except SystemExit:
        out, err = run.capsys.readouterr()
    return out, err


# --- the sanitizer and the escapes, directly --------------------------------------------------


# `blacklist_categories=()` lets lone surrogates in too.
@given(st.text(st.characters(blacklist_categories=())))
def test_printable_never_leaves_a_terminal_control(text: str) -> None:
    assert not FORBIDDEN.search(printable(text))


def test_printable_keeps_layout_and_marks_what_it_replaced() -> None:
    assert printable("a\tb\nc") == "a\tb\nc"
    assert printable("red \x1b[31m\x9b1m\r") == "red \ufffd[31m\ufffd1m\ufffd"
    assert printable("\u202eevil\u2066") == "evil"
    assert printable("lone \ud800") == "lone \ufffd"


@given(st.text(st.characters(blacklist_categories=())))
def test_json_safe_text_reads_back_exactly(text: str) -> None:
    encoded = json_safe(json.dumps(text, ensure_ascii=False))
    assert not JSON_FORBIDDEN.search(encoded)
    assert json.loads(encoded) == text


def _entry(text: str) -> Entry:
    paper = Paper(
        key=f"k{text}",
        title=f"T{text}",
        abstract=text,
        authors=(text, f"Ann {text} Lee"),
        organization=text,
        url=f"https://example.org/{text}",
        source=text,
        github=text,
        project_page=text,
    )
    return Entry(paper, PaperState(key=paper.key, note=f"n{text}", tags=(f"t{text}",)))


HOSTILE = "".join(HOSTILE_PIECES)


def test_json_exports_escape_c1_and_bidi_and_read_back() -> None:
    entry = _entry(HOSTILE)
    for text in (to_json([entry]), to_jsonl([entry]), json_text([{"title": HOSTILE}])):
        assert not JSON_FORBIDDEN.search(text), text
        assert "\\u009b" in text and "\\u202e" in text and "\\u2066" in text
    (item,) = parse_jsonl(to_jsonl([entry]))
    assert item.paper == entry.paper
    assert item.state is not None and item.state.note == entry.state.note


def test_markdown_export_replaces_controls_in_notes() -> None:
    text = to_markdown([_entry(HOSTILE)], title=HOSTILE)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", text), text
    assert "\ufffd" in text  # the note's controls are shown as replaced, not silently gone


def test_bibtex_export_has_no_controls_even_in_urls() -> None:
    text = to_bibtex([_entry(HOSTILE)])
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", text), text
    assert "%C2%9B" in text  # the C1 CSI in the URL is percent-encoded
