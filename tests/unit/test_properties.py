"""Property-based tests: random input never raises anything but the project's own errors.

Each parser gets arbitrary text (and text built from its own syntax, which reaches deeper);
the only exception allowed out is a `ReaderError`, whose message is one line for the user.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from reader.errors import InputError, QueryError, ReaderError
from reader.export.jsonl import to_jsonl
from reader.library import Library
from reader.library.sql import to_sql
from reader.model import Entry, Paper, PaperState
from reader.query import SORTS, parse_query
from reader.sources import arxiv, bibtex, hfapi, hfpage, jsonl
from reader.sources.detect import parse_text
from tests.conftest import seed_text
from tests.unit.test_serialize import entries

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

PAGE_PIECES = [
    "new",
    "Daily Papers",
    "byAK and the research community",
    "Subscribe",
    "Get trending papers in your email inbox!",
    "Sep 9",
    "Feb 30",
    "Jun 12, 2025 2",
    "May 5G networks",
    "  • 5 authors",
    "•",
    "·",
    "org Some Org",
    "A Title",
    "An abstract " * 12,
    "\u00a0",
    "\ufeff",
    "\r",
    "",
]
QUERY_PIECES = [
    "is:read",
    "is:starred",
    "is:unread",
    "-",
    "not",
    "NOT",
    "or",
    "OR",
    "and",
    "(",
    ")",
    '"',
    "tag:",
    "#",
    "year:",
    "2025",
    "date:",
    ">",
    "<",
    "=",
    "..",
    "votes:",
    "upvotes:>=",
    "author:",
    "title:",
    "*",
    "causal",
    "NEAR",
    "^",
    ":",
    "'",
    "-(",
    '-"',
    "&",
    "upvotes:99999999999999999999",
    "year:0",
    "((((((((((",
    "----------",
]


def joined(pieces: list[str]) -> st.SearchStrategy[str]:
    """Text made of `pieces` and random bits, joined by spaces or newlines."""
    part = st.sampled_from(pieces) | st.text(max_size=12)
    return st.tuples(st.lists(part, max_size=25), st.sampled_from([" ", "\n", ""])).map(
        lambda parts_sep: parts_sep[1].join(parts_sep[0])
    )


def only_reader_errors(call: object, *args: object) -> None:
    """Call `call(*args)`; a `ReaderError` is fine, and must be one non-empty line."""
    try:
        call(*args)  # type: ignore[operator]
    except ReaderError as error:
        message = str(error)
        assert message.strip()
        assert "\n" not in message, message


# --- the Daily Papers page parser --------------------------------------------------------------


@SETTINGS
@given(st.text() | joined(PAGE_PIECES))
def test_page_parser_raises_only_input_error(text: str) -> None:
    try:
        papers = hfpage.parse_page(text, today=date(2026, 11, 21))
    except InputError as error:
        assert "\n" not in str(error)
        return
    assert papers
    for item in papers:
        assert item.paper.title.strip()
        assert item.paper.key


@SETTINGS
@given(st.integers(min_value=0, max_value=3), st.data())
def test_page_parser_survives_cut_seed_pages(number: int, data: st.DataObject) -> None:
    text = seed_text(number)
    start = data.draw(st.integers(min_value=0, max_value=len(text)))
    end = data.draw(st.integers(min_value=start, max_value=len(text)))
    only_reader_errors(hfpage.parse_page, text[start:end])
    only_reader_errors(parse_text, text[start:end])


# --- the query language ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A real library holding seed page 1, shared by the query examples."""
    folder: Path = tmp_path_factory.mktemp("query-library")
    with Library(folder) as library:
        library.import_papers(parse_text(seed_text(1), "hf-page"))
        library.set_starred(library.keys()[:3], True)
        yield library


@SETTINGS
@given(st.text(max_size=60) | joined(QUERY_PIECES), st.sampled_from(sorted(SORTS)))
def test_queries_parse_compile_and_run_or_raise_query_error(
    small_library: Library, text: str, sort: str
) -> None:
    try:
        query = parse_query(text)
        to_sql(query)
        query.highlight_terms()
        keys = small_library.keys(query, sort)
    except QueryError as error:
        assert str(error).strip()
        assert "\n" not in str(error)
        return
    assert len(keys) <= len(small_library)
    assert len(set(keys)) == len(keys)
    if query.matches_everything:
        assert len(keys) == len(small_library)
    if query.root is None:
        return
    # A negated group is the rest of the library, however the group was compiled.
    try:
        negated = set(small_library.keys(f"-({text})"))
        narrowed = set(small_library.keys(f"causal -({text})"))
    except QueryError as error:
        assert "nested more than" in str(error)  # one level more than the limit allows
        return
    assert negated == set(small_library.keys()) - set(keys)
    assert narrowed == set(small_library.keys("causal")) - set(keys)


# --- the JSON Lines round trip -----------------------------------------------------------------


@SETTINGS
@given(st.lists(entries(), max_size=6, unique_by=lambda entry: entry.key))
def test_jsonl_export_reads_back_identical(sample: list[Entry]) -> None:
    text = to_jsonl(sample)
    if not sample:
        assert text == ""
        return
    assert text.count("\n") == len(sample)  # one record a line, whatever the titles hold
    back = jsonl.parse_jsonl(text)
    assert [item.paper for item in back] == [entry.paper for entry in sample]
    assert [item.state for item in back] == [entry.state for entry in sample]


@pytest.mark.slow
@SETTINGS
@given(st.lists(entries(), min_size=1, max_size=4, unique_by=lambda entry: entry.key))
def test_jsonl_export_reimports_to_the_same_library(
    tmp_path_factory: pytest.TempPathFactory, sample: list[Entry]
) -> None:
    folder = tmp_path_factory.mktemp("round-trip")
    with Library(folder) as library:
        library.import_papers(jsonl.parse_jsonl(to_jsonl(sample)))
        exported = to_jsonl(library.entries(""))
    with Library(tmp_path_factory.mktemp("again")) as again:
        again.import_papers(jsonl.parse_jsonl(exported))
        # Papers of the same date may come in another order: compare the records.
        assert sorted(to_jsonl(again.entries("")).splitlines()) == sorted(exported.splitlines())


# --- the other parsers on random text ----------------------------------------------------------


@SETTINGS
@given(st.text() | joined(['{"', '"title":', '"papers":', "[", "]", "{", "}", ",", "null", "1"]))
def test_json_parsers_raise_only_input_error(text: str) -> None:
    only_reader_errors(jsonl.parse_jsonl, text)
    only_reader_errors(jsonl.parse_json, text)
    only_reader_errors(hfapi.parse_daily_papers, text)


@SETTINGS
@given(
    st.text()
    | joined(["@article{", "@misc{", "key,", "title = {", "}", '"', "author =", " and ", "\\'e"])
)
def test_bibtex_parser_raises_only_input_error(text: str) -> None:
    only_reader_errors(bibtex.parse_bibtex, text)


@SETTINGS
@given(
    st.text()
    | joined(
        [
            '<?xml version="1.0"?>',
            '<feed xmlns="http://www.w3.org/2005/Atom">',
            "</feed>",
            "<entry>",
            "</entry>",
            "<title>",
            "</title>",
            "<id>http://arxiv.org/abs/2111.14820v1</id>",
            "<rss>",
            "<item>",
            "<!DOCTYPE x [<!ENTITY a 'b'>]>",
            "&a;",
        ]
    )
)
def test_arxiv_parsers_raise_only_input_error(text: str) -> None:
    only_reader_errors(arxiv.parse_atom, text)
    only_reader_errors(arxiv.parse_rss, text)


@SETTINGS
@given(st.text() | st.binary().map(lambda raw: raw.decode("utf-8", "replace")))
def test_format_detection_and_parsing_raise_only_reader_errors(text: str) -> None:
    only_reader_errors(parse_text, text)


# --- restoring a backup keeps every paper apart ------------------------------------------------

_TITLES = ["Deep Learning", "deep  learning", "Online reference", "Attention Is All You Need"]
_IDS = ["2606.11409", "1706.03762", "math/0211159", "2401.00001"]


@st.composite
def libraries_with_shared_titles(draw: st.DrawFn) -> list[Entry]:
    """Papers of one library whose titles often collide: with and without arXiv ids."""
    count = draw(st.integers(min_value=2, max_value=6))
    ids = draw(st.permutations(_IDS))
    sample = []
    for number in range(count):
        title = draw(st.sampled_from(_TITLES))
        arxiv_id = ids[number] if number < len(ids) and draw(st.booleans()) else None
        key = arxiv_id or f"t-{number:012x}"
        paper = Paper(key=key, title=title, arxiv_id=arxiv_id, source="jsonl")
        note = f"note of {key}"
        sample.append(Entry(paper, PaperState(key, note=note, note_at="2026-01-01T00:00:00")))
    return sample


def _seeded_restore_test(number: int) -> object:
    # CI replays fixed examples; this property once failed only for some seeds, so CI
    # runs it under several.
    @seed(number)
    @settings(SETTINGS, max_examples=60)
    @given(libraries_with_shared_titles())
    def test(tmp_path_factory: pytest.TempPathFactory, sample: list[Entry]) -> None:
        _restored_apart_in(tmp_path_factory.mktemp("restored"), sample)

    return test


test_restoring_a_backup_never_merges_two_papers_seed_1 = _seeded_restore_test(1)
test_restoring_a_backup_never_merges_two_papers_seed_2 = _seeded_restore_test(2)
test_restoring_a_backup_never_merges_two_papers_seed_3 = _seeded_restore_test(3)


def test_two_papers_of_one_title_survive_an_export_and_import(tmp_path: Path) -> None:
    with_id = Paper(key="1706.03762", title="Deep Learning", arxiv_id="1706.03762")
    without = Paper(key="t-0123456789ab", title="Deep Learning")
    sample = [
        Entry(with_id, PaperState(with_id.key, note="the arXiv one", note_at="2026-01-01")),
        Entry(without, PaperState(without.key, note="the other one", note_at="2026-01-01")),
    ]
    for order in (sample, sample[::-1]):
        _restored_apart_in(tmp_path / str(id(order)), order)


def _restored_apart_in(folder: Path, sample: list[Entry]) -> None:
    with Library(folder) as library:
        library.import_papers(jsonl.parse_jsonl(to_jsonl(sample)))
        assert sorted(library.keys()) == sorted(entry.key for entry in sample)
        assert [library.state_of(e.key).note for e in sample] == [e.state.note for e in sample]
