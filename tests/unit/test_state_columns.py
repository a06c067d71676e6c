"""Every state at once is built column-wise (`states_from_documents`); these tests
check it gives exactly what the per-document conversion (`_from_document`, which
`reader doctor` uses) gives, and refuses the same damaged records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.errors import StoreError
from reader.library.state import StateStore, _from_document, states_from_documents

PATH = Path("state.json")

# What a JSON state file can hold in each field: the right type, or anything else a
# damaged or hand-edited file may carry.
_json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)
_FIELDS = ("read", "starred", "note", "tags", "dismissed")


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = {"key": draw(st.text(min_size=1, max_size=12))}
    for name in _FIELDS:
        if draw(st.booleans()):
            typical = {
                "read": st.booleans(),
                "starred": st.booleans(),
                "dismissed": st.booleans(),
                "note": st.text(max_size=20),
                "tags": st.lists(st.text(max_size=6), max_size=3),
            }[name]
            document[name] = draw(typical | _json_values)
        if draw(st.booleans()):
            document[f"{name}_at"] = draw(st.text(max_size=24) | _json_scalars)
    return document


def _one_by_one(docs: list[dict[str, Any]]) -> list[Any]:
    try:
        return [_from_document(document, PATH) for document in docs]
    except StoreError as error:
        return [str(error)]


def _column_wise(docs: list[dict[str, Any]]) -> list[Any]:
    try:
        return states_from_documents(docs, PATH)
    except StoreError as error:
        return [str(error)]


@given(st.lists(documents(), max_size=12))
def test_column_wise_states_are_the_per_document_states(docs: list[dict[str, Any]]) -> None:
    assert _column_wise(docs) == _one_by_one(docs)


@pytest.mark.parametrize(
    "damaged",
    [
        {"read": True},  # no key
        {"key": 7},
        {"key": None},
        {"key": "2401.00001", "tags": "not a list"},
        {"key": "2401.00001", "tags": {"a": 1}},
    ],
)
def test_a_damaged_record_is_refused_as_before(damaged: dict[str, Any]) -> None:
    docs = [{"key": "2401.00000", "starred": True}, damaged]
    with pytest.raises(StoreError, match="damaged"):
        states_from_documents(docs, PATH)


def test_a_store_opened_again_has_the_same_states(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.json")
    keys = [f"2401.{number:05d}" for number in range(50)]
    store.set_field(keys[:30], "starred", True, "2026-01-01T00:00:00Z")
    store.set_fields({keys[5]: {"note": "why", "tags": ("a", "b")}}, "2026-01-02T00:00:00Z")
    store.set_fields({keys[40]: {"read": True}}, "2026-01-03T00:00:00Z")
    reopened = StateStore(tmp_path / "state.json")
    assert dict(reopened.all()) == dict(store.all())
    assert reopened.get(keys[5]) is not None and reopened.get(keys[5]).tags == ("a", "b")
