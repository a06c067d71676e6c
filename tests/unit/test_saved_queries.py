"""`saved:NAME` in the query language: expanded in place, bounded, never a loop."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.errors import QueryError
from reader.library import Library
from reader.query import FIELD_HELP, MAX_DEPTH, MAX_SAVED_DEPTH, MAX_TERMS, parse_query

WORDS = ("causal", "vision", "language", "model", "survey", "diffusion", "sparse")


def test_saved_is_a_documented_field():
    assert "saved" in FIELD_HELP and FIELD_HELP["saved"][0].startswith("saved:")


def test_without_saved_searches_the_error_says_how_to_add_one():
    with pytest.raises(QueryError, match=r'no saved search "x" \(saved: none yet\)'):
        parse_query("saved:x")


def test_an_empty_saved_search_is_an_error():
    with pytest.raises(QueryError, match='saved search "e" is empty'):
        parse_query("saved:e", {"e": "   "})


def test_a_mistake_inside_a_saved_search_names_it():
    with pytest.raises(QueryError, match='in saved search "bad": unbalanced'):
        parse_query("causal saved:bad", {"bad": "(x"})


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.lists(
        st.sampled_from(WORDS).map(lambda w: w[:4])
        | st.sampled_from(WORDS).map(lambda w: f"-{w}")
        | st.sampled_from(["is:unread", "is:starred", "year:2025", "OR"]),
        min_size=1,
        max_size=6,
    ).map(" ".join),
    prefix=st.sampled_from(["", "-", "vision "]),
)
def test_saved_name_matches_what_its_query_in_brackets_matches(
    sample_library: Library, query: str, prefix: str
):
    try:
        direct = sample_library.keys(f"{prefix}({query})")
    except QueryError:
        with pytest.raises(QueryError):
            sample_library.saved_searches = lambda: {"s": query}
            sample_library.keys(f"{prefix}saved:s")
        return
    sample_library.saved_searches = lambda: {"s": query}
    assert sample_library.keys(f"{prefix}saved:s") == direct


@settings(max_examples=80, deadline=None)
@given(
    graph=st.dictionaries(
        st.sampled_from("abcdef"),
        st.lists(st.sampled_from("abcdefgh") | st.sampled_from(WORDS), min_size=1, max_size=4),
        min_size=1,
    ),
    start=st.sampled_from("abcdef"),
)
def test_any_web_of_saved_searches_parses_or_says_why_never_loops(graph, start):
    saved = {
        name: " ".join(f"saved:{part}" if len(part) == 1 else part for part in parts)
        for name, parts in graph.items()
    }
    try:
        parsed = parse_query(f"saved:{start}", saved)
    except QueryError as error:
        assert "\n" not in str(error)
        assert any(
            words in str(error) for words in ("uses itself", "no saved search", "more than", "deep")
        ), error
    else:
        assert parsed.root is not None


def test_a_long_chain_of_saved_searches_is_bounded():
    chain = {f"n{i}": f"saved:n{i + 1}" for i in range(50)}
    chain["n50"] = "causal"
    with pytest.raises(QueryError, match=f"more than {MAX_SAVED_DEPTH} deep"):
        parse_query("saved:n0", chain)
    short = {f"n{i}": f"saved:n{i + 1}" for i in range(MAX_SAVED_DEPTH)}
    short[f"n{MAX_SAVED_DEPTH}"] = "causal"
    assert parse_query("saved:n1", short).root is not None


def test_saved_searches_that_multiply_are_stopped_by_the_term_limit():
    # Each level names the next four times: 4 ** 5 terms if expanded blindly.
    doubling = {f"n{i}": " ".join([f"saved:n{i + 1}"] * 4) for i in range(4)}
    doubling["n4"] = "causal"
    with pytest.raises(QueryError, match=f"more than {MAX_TERMS} words"):
        parse_query("saved:n0", doubling)


def test_brackets_count_across_saved_searches():
    inner = "(" * 60 + "causal" + ")" * 60
    with pytest.raises(QueryError, match=f"nested more than {MAX_DEPTH} deep"):
        parse_query("(" * 60 + "saved:deep" + ")" * 60, {"deep": inner})
    assert parse_query("(" * 30 + "saved:deep" + ")" * 30, {"deep": inner}).root is not None


def test_saved_words_are_highlighted_like_typed_ones():
    parsed = parse_query("saved:s -saved:t", {"s": 'causal "world model"', "t": "survey"})
    assert parsed.highlight_terms() == ["causal", "world model"]
