"""The library's own JSON Lines and JSON formats: parsing, sniffing and export round trips."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from reader.errors import InputError
from reader.export.jsonl import to_json, to_jsonl
from reader.model import Entry, Incoming, Paper, PaperState
from reader.sources.jsonl import looks_like_json, looks_like_jsonl, parse_json, parse_jsonl


def make_entries() -> list[Entry]:
    tricky = Paper(
        key="2606.09290",
        # Characters JSON allows raw but line-based readers split on, quotes, backslashes and
        # non-ASCII. (A lone surrogate cannot be stored, so it is refused on reading: see
        # test_hostile_input.py; the exports still escape one, below.)
        title='Line\u2028separator, NEL\x85, para\u2029 "quoted" \\ back Ünïcødé 🚀',
        abstract="Two\nlines\r\nand a tab\t.",
        authors=("Zhao-Heng Yin", "C. Karen Liu"),
        published=date(2026, 6, 11),
        upvotes=0,
        arxiv_id="2606.09290",
        source="arxiv-api",
        added=datetime(2026, 11, 21, 5, 30, tzinfo=UTC),
    )
    plain = Paper(key="t-0123456789ab", title="No id here", organization="Lab", source="bibtex")
    return [
        Entry(tricky, PaperState(key=tricky.key, starred=True, note="a\n\nb", tags=("x",))),
        Entry(plain, PaperState(key=plain.key)),
    ]


def as_pairs(items: list[Incoming]) -> list[tuple[Paper, PaperState | None]]:
    return [(item.paper, item.state) for item in items]


def test_parse_jsonl_reads_each_non_blank_line() -> None:
    text = (
        "\ufeff"  # editors on Windows like to add a BOM
        '{"title": "First", "arxiv_id": "2606.11409", "upvotes": 3}\r\n'
        "\n"
        "   \n"
        '{"title": "Second", "source": "hf-page", "added": "2026-01-02T03:04:05+00:00"}\n'
    )
    first, second = parse_jsonl(text)
    assert first.paper == Paper(
        key="2606.11409", title="First", arxiv_id="2606.11409", upvotes=3, source="jsonl"
    )
    assert first.state is None
    assert second.paper.source == "hf-page"
    assert second.paper.added == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_parse_jsonl_uses_the_given_source_for_papers_without_one() -> None:
    (item,) = parse_jsonl('{"title": "T"}', source="clipboard")
    assert item.paper.source == "clipboard"


def test_parse_jsonl_keeps_raw_unicode_line_separators_inside_strings() -> None:
    # Other tools write these unescaped; JSON allows it, so they must not end a record.
    title = "A\u2028B\x85C\u2029D"
    text = json.dumps({"title": title}, ensure_ascii=False) + "\n"
    assert "\u2028" in text
    (item,) = parse_jsonl(text)
    assert item.paper.title == title


def test_parse_jsonl_reports_the_line_number_of_broken_json() -> None:
    text = '{"title": "ok"}\n\n{"title": "broken",\n'
    with pytest.raises(InputError, match=r"^line 3: not valid JSON \("):
        parse_jsonl(text)


def test_parse_jsonl_reports_the_line_number_of_a_bad_field() -> None:
    text = '{"title": "ok"}\n{"title": "bad", "upvotes": "many"}\n'
    with pytest.raises(InputError, match=r"^line 2: 'upvotes' must be a non-negative integer"):
        parse_jsonl(text)


def test_parse_jsonl_rejects_a_line_that_is_not_an_object() -> None:
    with pytest.raises(InputError, match=r"^line 1: expected a JSON object, got an array"):
        parse_jsonl('["title"]\n')


def test_parse_jsonl_rejects_absurd_nesting_with_a_clear_error() -> None:
    with pytest.raises(InputError, match=r"^line 1: not valid JSON \(nested too deeply\)"):
        parse_jsonl("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize("text", ["", "\n\n", "  \n\t\n", "\ufeff"])
def test_parse_jsonl_without_papers_is_an_error(text: str) -> None:
    with pytest.raises(InputError, match=r"^no papers found"):
        parse_jsonl(text)


def test_parse_json_reads_an_array() -> None:
    text = json.dumps([{"title": "A"}, {"title": "B", "source": "hf-page", "read": True}])
    first, second = parse_json(text)
    assert (first.paper.title, first.paper.source, first.state) == ("A", "json", None)
    assert second.paper.source == "hf-page"
    assert second.state == PaperState(key=second.paper.key, read=True)


def test_parse_json_accepts_an_object_with_a_papers_array() -> None:
    items = parse_json('{"papers": [{"title": "A"}, {"title": "B"}]}', source="x")
    assert [(item.paper.title, item.paper.source) for item in items] == [("A", "x"), ("B", "x")]


def test_parse_json_accepts_one_pretty_printed_paper() -> None:
    (item,) = parse_json('{\n  "title": "Solo",\n  "upvotes": 2\n}\n')
    assert (item.paper.title, item.paper.upvotes) == ("Solo", 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[", r"^not valid JSON \(Expecting value at line 1, column 2\)"),
        ('{"title": "A",\n  oops}', r"^not valid JSON \(.* at line 2, column 3\)"),
        ("[]", "^no papers found"),
        ('{"papers": []}', "^no papers found"),
        ('{"papers": {"title": "A"}}', "^'papers' must be an array"),
        ('"just a string"', "^expected a JSON array of papers"),
        ('{"name": "not a paper"}', "^expected a JSON array of papers"),
        ('[{"title": "A"}, {"title": ""}]', "^paper 2: missing or empty 'title'"),
        ('[{"title": "A"}, 7]', "^paper 2: expected a JSON object, got the number 7"),
    ],
)
def test_parse_json_errors(text: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        parse_json(text)


def test_to_jsonl_round_trips_exactly_through_parse_jsonl() -> None:
    entries = make_entries()
    text = to_jsonl(entries)
    # One record per line even for tools that split on every Unicode line break.
    assert len(text.splitlines()) == len(entries)
    assert text.endswith("}\n")
    assert "Ünïcødé 🚀" in text  # ensure_ascii=False keeps text readable
    assert as_pairs(parse_jsonl(text)) == [(entry.paper, entry.state) for entry in entries]


def test_to_json_round_trips_exactly_through_parse_json() -> None:
    entries = make_entries()
    text = to_json(entries)
    assert text.startswith('[\n  {\n    "key": "2606.09290",\n')
    assert text.endswith("]\n")
    assert "Ünïcødé 🚀" in text
    assert as_pairs(parse_json(text)) == [(entry.paper, entry.state) for entry in entries]


def test_exports_are_valid_utf8_even_with_a_lone_surrogate() -> None:
    tricky, plain = make_entries()
    entries = [replace(tricky, paper=replace(tricky.paper, title="lone \ud800")), plain]
    for text in (to_json(entries), to_jsonl(entries)):
        assert "\ud800" not in text
        text.encode("utf-8")  # would raise UnicodeEncodeError if a surrogate slipped through


def test_to_jsonl_of_nothing_is_empty_and_to_json_is_an_empty_array() -> None:
    assert to_jsonl([]) == ""
    assert to_json([]) == "[]\n"


def test_to_jsonl_lines_are_compact() -> None:
    line = to_jsonl([Entry(Paper(key="k", title="T"))])
    assert line.startswith('{"key":"k","title":"T","abstract":"",')


JSONL_SAMPLES = [
    '{"title": "one"}',
    '{"title": "one"}\n{"title": "two"}\n',
    '\ufeff  \n {"title": "after a BOM and blank lines"}\n',
    '{"title": "first line is whole"}\n{"broken": \n',
]
JSON_SAMPLES = [
    '[{"title": "one"}]',
    "[]",
    '[\n  {\n    "title": "pretty"\n  }\n]\n',
    '\ufeff\n  [ {"title": "a"} ]',
    '{\n  "papers": []\n}',
    '{\n  "title": "one pretty paper"\n}',
]
NEITHER_SAMPLES = [
    "",
    "   \n",
    "[Papers](https://huggingface.co/papers)\nSome text",
    "@misc{vaswani2023attentionneed,\n  title={Attention Is All You Need},\n}",
    "Daily Papers\nby AK and the research community",
    "{not json at all}",
    "[1, 2, 3]",
    '"a string"',
]


@pytest.mark.parametrize("text", JSONL_SAMPLES)
def test_sniffing_recognises_jsonl(text: str) -> None:
    assert looks_like_jsonl(text)
    assert not looks_like_json(text)


@pytest.mark.parametrize("text", JSON_SAMPLES)
def test_sniffing_recognises_json(text: str) -> None:
    assert looks_like_json(text)
    assert not looks_like_jsonl(text)


@pytest.mark.parametrize("text", NEITHER_SAMPLES)
def test_sniffing_rejects_other_text(text: str) -> None:
    assert not looks_like_jsonl(text)
    assert not looks_like_json(text)


def test_sniffing_recognises_the_exporters_output() -> None:
    entries = make_entries()
    assert looks_like_jsonl(to_jsonl(entries)) and not looks_like_json(to_jsonl(entries))
    assert looks_like_json(to_json(entries)) and not looks_like_jsonl(to_json(entries))
    assert looks_like_json(to_json(entries[:1]))
