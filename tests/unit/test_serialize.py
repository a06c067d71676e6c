"""The dict form of an entry: exact keys, exact round trip, clear errors on bad input."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.errors import InputError
from reader.identity import title_key
from reader.model import Entry, Paper, PaperState
from reader.serialize import entry_to_dict, incoming_from_dict

KEYS = [
    "key",
    "title",
    "abstract",
    "authors",
    "author_count",
    "organization",
    "date",
    "upvotes",
    "arxiv_id",
    "url",
    "source",
    "added",
    "featured",
    "comments",
    "github",
    "project_page",
    "doi",
    "categories",
    "primary_category",
    "read",
    "starred",
    "note",
    "tags",
    "dismissed",
    "read_at",
    "starred_at",
    "note_at",
    "tags_at",
    "dismissed_at",
]


def full_entry() -> Entry:
    paper = Paper(
        key="2606.11409",
        title="Risk Under Pressure: Compute-Aware Evaluation",
        abstract="Adversarial robustness evaluations ...",
        authors=("Malikeh Ehghaghi", "Boglárka Ecsedi"),
        author_count=2,
        organization="r-three",
        published=date(2026, 6, 9),
        upvotes=8,
        arxiv_id="2606.11409",
        url="https://arxiv.org/abs/2606.11409",
        source="hf-page",
        added=datetime(2026, 11, 21, 5, 30, tzinfo=UTC),
        featured=date(2026, 6, 12),
        comments=3,
        github="https://github.com/example/repo",
        project_page="https://example.org/project",
        doi="10.1103/PhysRevD.76.013009",
        categories=("cs.LG", "stat.ML"),
        primary_category="cs.LG",
    )
    state = PaperState(
        key=paper.key,
        read=True,
        starred=True,
        note="Compare with *last week's* paper.\n\nSee §3.",
        tags=("robustness", "llm"),
        dismissed=True,
        read_at="2026-11-21T05:31:00+00:00",
        starred_at="2026-11-21T05:32:00+00:00",
        note_at="2026-11-21T05:33:00.123456+00:00",
        tags_at="2026-11-21T05:34:00+00:00",
        dismissed_at="2026-11-21T05:35:00+00:00",
    )
    return Entry(paper=paper, state=state)


def round_trip(entry: Entry) -> tuple[Paper, PaperState | None]:
    # Through real JSON text, as the exporters and parsers use it.
    incoming = incoming_from_dict(json.loads(json.dumps(entry_to_dict(entry))), "line 1")
    return incoming.paper, incoming.state


def test_keys_are_exactly_the_documented_ones_in_order() -> None:
    assert list(entry_to_dict(full_entry())) == KEYS
    assert list(entry_to_dict(Entry(Paper(key="k", title="T")))) == KEYS


def test_values_are_plain_json_types() -> None:
    data = entry_to_dict(full_entry())
    assert data["date"] == "2026-06-09"
    assert data["added"] == "2026-11-21T05:30:00+00:00"
    assert data["authors"] == ["Malikeh Ehghaghi", "Boglárka Ecsedi"]
    assert data["tags"] == ["robustness", "llm"]
    assert data["read"] is True and data["starred"] is True
    assert data["note_at"] == "2026-11-21T05:33:00.123456+00:00"


def test_unknown_values_are_null_and_blank_state_is_false() -> None:
    data = entry_to_dict(Entry(Paper(key="t-abc", title="T")))
    assert data["date"] is None
    assert data["added"] is None
    assert data["upvotes"] is None
    assert data["author_count"] is None
    assert data["authors"] == []
    assert data["read"] is False and data["note"] == "" and data["tags"] == []


def test_added_is_written_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    aware = Entry(Paper(key="k", title="T", added=datetime(2026, 11, 21, 7, 30, tzinfo=plus_two)))
    naive = Entry(Paper(key="k", title="T", added=datetime(2026, 11, 21, 5, 30)))
    assert entry_to_dict(aware)["added"] == "2026-11-21T05:30:00+00:00"
    assert entry_to_dict(naive)["added"] == "2026-11-21T05:30:00+00:00"


def test_full_entry_round_trips_exactly() -> None:
    entry = full_entry()
    assert round_trip(entry) == (entry.paper, entry.state)


def test_minimal_entry_round_trips_exactly() -> None:
    paper = Paper(key=title_key("A title"), title="A title")
    entry = Entry(paper=paper, state=PaperState(key=paper.key))
    assert round_trip(entry) == (paper, entry.state)


def test_old_style_arxiv_id_round_trips() -> None:
    paper = Paper(key="hep-th/9901001", title="Old", arxiv_id="hep-th/9901001")
    assert round_trip(Entry(paper, PaperState(key=paper.key)))[0] == paper


_text = st.text(max_size=30)
_moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@st.composite
def entries(draw: st.DrawFn) -> Entry:
    title = draw(_text.filter(str.strip))
    arxiv_id = draw(st.none() | st.sampled_from(["2606.11409", "1706.03762", "math/0211159"]))
    paper = Paper(
        key=draw(st.none() | _text.filter(str.strip)) or arxiv_id or title_key(title),
        title=title,
        abstract=draw(_text),
        authors=tuple(draw(st.lists(_text, max_size=4))),
        author_count=draw(st.none() | st.integers(min_value=0, max_value=5000)),
        organization=draw(st.none() | _text),
        published=draw(st.none() | st.dates(min_value=date(1000, 1, 1))),
        upvotes=draw(st.none() | st.integers(min_value=0, max_value=10**6)),
        arxiv_id=arxiv_id,
        url=draw(st.none() | _text),
        source=draw(_text.filter(bool)),
        added=draw(st.none() | _moments),
    )
    stamp = st.none() | _moments.map(datetime.isoformat)
    state = PaperState(
        key=paper.key,
        read=draw(st.booleans()),
        starred=draw(st.booleans()),
        note=draw(_text),
        tags=tuple(draw(st.lists(_text, max_size=3))),
        read_at=draw(stamp),
        starred_at=draw(stamp),
        note_at=draw(stamp),
        tags_at=draw(stamp),
    )
    return Entry(paper=paper, state=state)


@given(entries())
def test_any_entry_round_trips_exactly(entry: Entry) -> None:
    assert round_trip(entry) == (entry.paper, entry.state)


def test_only_title_is_required() -> None:
    incoming = incoming_from_dict({"title": "Layer Normalization"}, "line 1")
    assert incoming.paper == Paper(
        key=title_key("Layer Normalization"), title="Layer Normalization"
    )
    assert incoming.state is None


def test_key_defaults_to_the_normalized_arxiv_id() -> None:
    incoming = incoming_from_dict(
        {"title": "Attention", "arxiv_id": "https://arxiv.org/abs/1706.03762v7"}, "line 1"
    )
    assert incoming.paper.arxiv_id == "1706.03762"
    assert incoming.paper.key == "1706.03762"


def test_given_key_is_kept() -> None:
    incoming = incoming_from_dict({"title": "T", "key": "custom", "arxiv_id": "1706.03762"}, "x")
    assert incoming.paper.key == "custom"


@pytest.mark.parametrize(
    ("field", "value"),
    [("read", False), ("starred", True), ("note", "hm"), ("tags", [])],
)
def test_any_state_field_makes_a_state(field: str, value: object) -> None:
    incoming = incoming_from_dict({"title": "T", "key": "k", field: value}, "line 1")
    assert incoming.state is not None
    assert incoming.state.key == "k"
    assert getattr(incoming.state, field) == (tuple(value) if isinstance(value, list) else value)


def test_nulls_count_as_absent() -> None:
    data = dict.fromkeys(KEYS)
    data["title"] = "T"
    incoming = incoming_from_dict(data, "line 1")
    assert incoming.paper == Paper(key=title_key("T"), title="T")
    assert incoming.state is None


def test_unknown_fields_are_ignored() -> None:
    incoming = incoming_from_dict({"title": "T", "github_stars": 12, "extra": {}}, "line 1")
    assert incoming.paper.title == "T"


def test_default_source_only_fills_a_missing_source() -> None:
    assert incoming_from_dict({"title": "T"}, "x", default_source="jsonl").paper.source == "jsonl"
    given_source = incoming_from_dict({"title": "T", "source": "hf-page"}, "x", default_source="j")
    assert given_source.paper.source == "hf-page"


def test_added_in_another_zone_is_read_as_utc() -> None:
    incoming = incoming_from_dict({"title": "T", "added": "2026-11-21T07:30:00+02:00"}, "x")
    assert incoming.paper.added == datetime(2026, 11, 21, 5, 30, tzinfo=UTC)
    assert incoming.paper.added is not None and incoming.paper.added.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (["title", "T"], "expected a JSON object, got an array"),
        ("T", "expected a JSON object, got the string 'T'"),
        (None, "expected a JSON object, got null"),
        ({}, "missing or empty 'title'"),
        ({"title": "   "}, "missing or empty 'title'"),
        ({"title": 42}, "'title' must be a string, got the number 42"),
        ({"title": "T", "abstract": ["a"]}, "'abstract' must be a string, got an array"),
        ({"title": "T", "authors": "A, B"}, "'authors' must be a list of strings"),
        ({"title": "T", "authors": ["A", 3]}, "got an array holding the number 3"),
        ({"title": "T", "upvotes": "5"}, "'upvotes' must be a non-negative integer"),
        ({"title": "T", "upvotes": True}, "'upvotes' must be a non-negative integer, got true"),
        ({"title": "T", "upvotes": 2.5}, "'upvotes' must be a non-negative integer"),
        ({"title": "T", "author_count": -1}, "'author_count' must be a non-negative integer"),
        ({"title": "T", "date": "2026/06/09"}, "'date' must be a date as YYYY-MM-DD"),
        ({"title": "T", "date": "2026-02-30"}, "'date' must be a date as YYYY-MM-DD"),
        ({"title": "T", "date": "20260609"}, "'date' must be a date as YYYY-MM-DD"),
        ({"title": "T", "date": 2026}, "'date' must be a string"),
        ({"title": "T", "arxiv_id": "not-an-id"}, "'arxiv_id' is not an arXiv id: 'not-an-id'"),
        ({"title": "T", "key": ""}, "'key' must not be empty"),
        ({"title": "T", "added": "yesterday"}, "'added' must be an ISO 8601 timestamp"),
        ({"title": "T", "read": "yes"}, "'read' must be true or false"),
        ({"title": "T", "starred": 1}, "'starred' must be true or false"),
        ({"title": "T", "tags": "a,b"}, "'tags' must be a list of strings"),
        ({"title": "T", "note": 5}, "'note' must be a string"),
        ({"title": "T", "read_at": "soon"}, "'read_at' must be an ISO 8601 timestamp"),
    ],
)
def test_bad_input_gives_a_one_line_error_naming_where(data: object, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        incoming_from_dict(data, "line 7")
    message = str(caught.value)
    assert message.startswith("line 7: ")
    assert expected in message
    assert "\n" not in message
