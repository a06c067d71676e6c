import sys
from collections.abc import Callable
from datetime import date

import pytest

from reader.errors import QueryError
from reader.identity import title_key
from reader.library import Library
from reader.library.sql import fts_only, to_sql
from reader.model import Incoming, Paper
from reader.query import parse_query

PAPERS = [
    Paper(
        key=title_key("Sparse Autoencoders for Causal Discovery"),
        title="Sparse Autoencoders for Causal Discovery",
        abstract="We study exact phrase matching in causal graphs.",
        authors=("Ada Lovelace", "Alan Turing"),
        published=date(2025, 6, 12),
        upvotes=7,
    ),
    Paper(
        key=title_key("Dense Retrieval at Scale"),
        title="Dense Retrieval at Scale",
        abstract="Retrieval with dense vectors; no phrase here: matching exact.",
        organization="Sony",
        published=date(2024, 3, 1),
        upvotes=2,
    ),
    Paper(
        key=title_key("Édition vidéo: Edit-A-Video"),
        title="Édition vidéo: Edit-A-Video",
        abstract="Video editing with sparse masks.",
        author_count=5,
        published=date(2025, 1, 5),
        upvotes=0,
    ),
    Paper(
        key=title_key("Undated causal note"),
        title="Undated causal note",
        abstract="An abstract about causality.",
    ),
]
SPARSE, DENSE, VIDEO, UNDATED = (paper.key for paper in PAPERS)


@pytest.fixture
def lib(library: Library) -> Library:
    library.import_papers([Incoming(paper) for paper in PAPERS])
    library.set_starred([DENSE, VIDEO], True)
    library.set_read([SPARSE], True)
    library.set_note(VIDEO, "look again")
    library.set_tags(DENSE, ["retrieval", "To-Read"])
    return library


def keys(lib: Library, query: str, sort: str = "date") -> list[str]:
    return lib.keys(query, sort)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {SPARSE, DENSE, VIDEO, UNDATED}),
        ("sparse caus", {SPARSE}),  # every word, by prefix
        ("SPARSE", {SPARSE, VIDEO}),  # title or abstract, any case
        ('"exact phrase"', {SPARSE}),
        ('"phrase matching"', {SPARSE}),
        ("phrase -dense", {SPARSE}),
        ("-caus", {DENSE, VIDEO}),
        ("sparse OR dense", {SPARSE, DENSE, VIDEO}),
        ("retrieval OR video edit", {VIDEO}),  # OR binds tighter: (retrieval OR video) edit
        ("edition", {VIDEO}),  # accents fold
        ("Edit-A-Video", {VIDEO}),
        ("is:read", {SPARSE}),
        ("is:unread", {DENSE, VIDEO, UNDATED}),
        ("is:starred", {DENSE, VIDEO}),
        ("is:unstarred", {SPARSE, UNDATED}),
        ("has:note", {VIDEO}),
        ("tag:to-read", {DENSE}),
        ("tag:#TO-READ", {DENSE}),
        ("-tag:retrieval", {SPARSE, VIDEO, UNDATED}),
        ("has:tags", {DENSE}),
        ("year:2025", {SPARSE, VIDEO}),
        ("year:2024..2025", {SPARSE, DENSE, VIDEO}),
        ("year:<2025", {DENSE}),
        ("after:2025-06-01", {SPARSE}),
        ("after:2025-06-12", {SPARSE}),  # inclusive
        ("before:2025-06-12", {DENSE, VIDEO}),  # exclusive
        ("after:2025-01 before:2025-02", {VIDEO}),
        ("upvotes:>=5", {SPARSE}),
        ("upvotes:2", {DENSE}),
        ("upvotes:<2", {VIDEO, UNDATED}),
        ("upvotes:1..7", {SPARSE, DENSE}),
        ("author:turing", {SPARSE}),
        ('author:"ada lovelace"', {SPARSE}),
        ("org:sony", {DENSE}),
        ("title:caus", {SPARSE, UNDATED}),
        ("title:phrase", set()),
        ("(is:starred OR is:read) -video", {SPARSE, DENSE}),
        ("is:starred sparse", {VIDEO}),
        ("nothingmatchesthis", set()),
        ("&", {SPARSE, DENSE, VIDEO, UNDATED}),
    ],
)
def test_query_matches(lib: Library, query: str, expected: set[str]):
    assert set(keys(lib, query)) == expected


def test_sorts(lib: Library):
    assert keys(lib, "", "date") == [SPARSE, VIDEO, DENSE, UNDATED]  # newest first, undated last
    assert keys(lib, "", "upvotes")[:2] == [SPARSE, DENSE]
    # A-Z on the folded title: "Édition" sorts with the e's.
    assert keys(lib, "", "title") == [DENSE, VIDEO, SPARSE, UNDATED]
    assert keys(lib, "", "added")[0] == UNDATED  # the last one added


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"unclosed', "unclosed quote"),
        ("a OR", "OR needs a term"),
        ("OR a", "OR needs a term"),
        ("(a", 'unbalanced "("'),
        ("a)", 'unbalanced ")"'),
        ("()", "empty"),
        ("foo:bar", 'unknown filter "foo:"'),
        ("is:happy", 'unknown filter "is:happy"'),
        ("tag:", '"tag:" needs a value'),
        ("upvotes:many", '"upvotes:" expects a whole number'),
        ("year:last", '"year:" expects a whole number'),
        ("after:yesterday", '"after:" expects a date'),
        ("before:2025-02-30", "impossible date"),
        ("NOT", "needs a term"),
    ],
)
def test_malformed_queries_name_the_problem(query: str, message: str):
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_query(query)


def test_highlight_terms_are_the_positive_words():
    assert parse_query('sparse "exact phrase" -dense is:read').highlight_terms() == [
        "sparse",
        "exact phrase",
    ]


@pytest.mark.parametrize(
    "query", ["", "sparse", "-caus", "is:starred", "year:2025", "upvotes:>=1", "caus OR dense"]
)
@pytest.mark.parametrize("sort", ["date", "upvotes", "title", "added"])
def test_first_page_is_the_start_of_the_full_order(lib: Library, query: str, sort: str):
    full = lib.rowids(query, sort)
    page, count = lib.first_page(query, sort, limit=2)
    assert count == len(full) == lib.count(query)
    assert page.tolist() == full[:2].tolist()
    assert [lib.rows([rowid])[rowid].key for rowid in full] == lib.keys(query, sort)


def test_orders_follow_new_imports_and_state_changes(lib: Library):
    assert lib.count("is:read") == 1
    lib.set_read([DENSE], True)
    assert lib.count("is:read") == 2
    assert DENSE in {lib.rows([r])[r].key for r in lib.rowids("is:read")}
    lib.import_papers([Incoming(Paper(key="t-new", title="Newest", published=date(2026, 1, 1)))])
    assert lib.rows(lib.rowids("")[:1])[lib.rowids("")[0]].key == "t-new"


# --- negation and set semantics on a real library ----------------------------------------


def matching(library: Library, query: str) -> set[str]:
    """The keys matching `query`, checked against the count the TUI shows for it."""
    found = set(library.keys(query))
    assert library.count(query) == len(found), query
    assert {library.rows([r])[r].key for r in library.rowids(query)} == found, query
    return found


@pytest.mark.parametrize("base", ["(causal OR video)", "learning", "has:date", "causal learning"])
@pytest.mark.parametrize("excluded", ["(language model)", '"language model"', "(video is:read)"])
def test_minus_before_a_group_or_phrase_excludes_it(
    sample_library: Library, base: str, excluded: str
):
    sample_library.set_read(sample_library.keys("video")[:4], True)
    everything = matching(sample_library, base)
    removed = matching(sample_library, excluded)
    assert everything & removed, "the example must exclude something"
    assert matching(sample_library, f"{base} -{excluded}") == everything - removed
    assert matching(sample_library, f"-{excluded} {base}") == everything - removed
    assert matching(sample_library, f"-{excluded}") == matching(sample_library, "") - removed


def test_minus_before_a_field_and_before_a_quoted_field(sample_library: Library):
    keys = sample_library.keys("causal")[:5]
    sample_library.set_tags(keys[0], ["to-read"])
    sample_library.set_tags(keys[1], ["later"])
    assert matching(sample_library, 'causal -tag:"to-read" -tag:later') == set(
        sample_library.keys("causal")
    ) - set(keys[:2])


def test_a_lone_minus_and_a_double_minus(sample_library: Library):
    every = matching(sample_library, "")
    causal = matching(sample_library, "causal")
    # "-" alone has nothing to search for, and "--x" negates twice.
    assert matching(sample_library, "causal - video") == causal & matching(sample_library, "video")
    assert matching(sample_library, "--causal") == causal
    assert matching(sample_library, "---causal") == every - causal
    assert matching(sample_library, "-(-causal)") == causal


def test_each_minus_removes_its_own_word(sample_library: Library):
    every = matching(sample_library, "")
    learning, causal, video = (matching(sample_library, w) for w in ("learning", "causal", "video"))
    assert matching(sample_library, "learning -causal -video") == learning - causal - video
    assert matching(sample_library, "-causal -video") == every - causal - video
    assert matching(sample_library, "-causal learning -video") == learning - causal - video


def test_many_negations(sample_library: Library):
    words = ["causal", "video", "diffusion", "reasoning", "agent", "survey", "language", "graph"]
    every = matching(sample_library, "")
    expected = matching(sample_library, "model")
    for word in words:
        expected -= matching(sample_library, word)
    query = "model " + " ".join(f"-{word}" for word in words)
    assert matching(sample_library, query) == expected
    assert matching(sample_library, query.replace("-", "NOT ")) == expected
    # Mixed with state and group negations, which cannot all be folded into one MATCH.
    sample_library.set_starred(sample_library.keys("model")[:10], True)
    starred = matching(sample_library, "is:starred")
    mixed = query + " -is:starred -(year:2024 OR year:2023)"
    old = matching(sample_library, "year:2024") | matching(sample_library, "year:2023")
    assert matching(sample_library, mixed) == expected - starred - old
    assert matching(sample_library, "-is:starred -causal") == every - starred - matching(
        sample_library, "causal"
    )


def _years(library: Library) -> dict[str, int | None]:
    return {
        entry.key: entry.paper.published.year if entry.paper.published else None
        for entry in library.entries("")
    }


@pytest.mark.parametrize("year", [2018, 2021, 2023, 2024, 2025, 2026])
def test_year_comparisons_against_real_dates(sample_library: Library, year: int):
    years = _years(sample_library)
    dated = {key: value for key, value in years.items() if value is not None}
    checks = {
        f"year:<={year}": lambda y: y <= year,
        f"year:<{year}": lambda y: y < year,
        f"year:>{year}": lambda y: y > year,
        f"year:>={year}": lambda y: y >= year,
        f"year:{year}": lambda y: y == year,
        f"year:{year - 1}..{year}": lambda y: year - 1 <= y <= year,
    }
    for query, keep in checks.items():
        expected = {key for key, value in dated.items() if keep(value)}
        assert matching(sample_library, query) == expected, query
    # The sample spans several years, so these checks are not vacuous.
    assert len(set(dated.values())) > 5 and len(dated) < len(years)


def test_year_bounds_at_the_ends_of_the_calendar(sample_library: Library):
    dated = {key for key, value in _years(sample_library).items() if value is not None}
    assert matching(sample_library, "year:<=9999") == dated
    assert matching(sample_library, "year:<9999") == dated
    assert matching(sample_library, "year:>9999") == set()
    assert matching(sample_library, "year:>=1") == dated
    assert matching(sample_library, "year:<1") == set()
    assert matching(sample_library, "year:1..9999") == dated


# --- numbers that do not fit -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("upvotes:99999999999999999999", '"upvotes:" 99999999999999999999 is too large'),
        ("upvotes:>=9223372036854775808", "is too large"),
        ("upvotes:1..99999999999999999999", "is too large"),
        ("upvotes:²", '"upvotes:" expects a whole number'),  # str.isdigit() says yes
        ("upvotes:٣", '"upvotes:" expects a whole number'),
        ("year:10000", '"year:" 10000 is out of range'),
        ("year:0", '"year:" 0 is out of range'),
        ("year:99999999999999999999", "out of range"),
        ("year:<=99999999999999999999", "out of range"),
        ("year:2020..10000", "out of range"),
        ("after:0000", "impossible date"),
        ("before:0000-01-01", "impossible date"),
        ("after:99999", '"after:" expects a date'),
    ],
)
def test_numbers_out_of_range_are_query_errors(lib: Library, query: str, message: str):
    with pytest.raises(QueryError, match=message.replace("(", r"\(")):
        parse_query(query)
    with pytest.raises(QueryError):
        lib.keys(query)


def test_the_largest_upvotes_number_runs(lib: Library):
    assert set(keys(lib, f"upvotes:<={2**63 - 1}")) == {SPARSE, DENSE, VIDEO, UNDATED}
    assert keys(lib, f"upvotes:{2**63 - 1}") == []


# --- nesting -----------------------------------------------------------------------------


SHAPES = {
    "brackets": lambda n: "(" * n + "a" + ")" * n,
    "minus signs": lambda n: "-" * n + "a",
    "NOTs": lambda n: "NOT " * n + "a",
    "negated brackets": lambda n: "-(" * n + "a" + ")" * n,
    "ORs in brackets": lambda n: "(a OR " * n + "b" + ")" * n,
    "unclosed brackets": lambda n: "(" * n + "a",
}


@pytest.mark.parametrize("depth", [101, 1_000, 10_000])
@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_deep_nesting_is_a_query_error(depth: int, shape: Callable[[int], str]):
    # A shape with a word a level has too many words first.
    with pytest.raises(QueryError, match=r"nested more than 100 deep|more than 300 words"):
        parse_query(shape(depth))


def _alternating(height: int, leaf: str = "caus") -> str:
    """A query whose groups alternate AND, NOT and OR `height` levels deep."""
    query = leaf
    for level in range(height):
        query = [f"(is:read b{level} {query})", f"-({query})", f"(is:read OR {query})"][level % 3]
    return query


def _frames() -> int:
    frame, count = sys._getframe(), 0
    while frame is not None:
        frame, count = frame.f_back, count + 1
    return count


def test_an_accepted_query_runs_in_a_bounded_stack(sample_library: Library):
    deepest = [
        shape(50 if name == "negated brackets" else 100)  # two levels each
        for name, shape in SHAPES.items()
        if name != "unclosed brackets"
    ]
    deepest += [_alternating(20, leaf) for leaf in ("caus", "is:starred", '"causal model"')]
    deepest += ["(x (y " * 50 + "caus" + "))" * 50]  # flattens to one AND
    with pytest.raises(QueryError, match="nested more than 20 deep"):
        parse_query(_alternating(21))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_frames() + 400)
    try:
        for text in deepest:
            query = parse_query(text)
            to_sql(query)
            query.highlight_terms()
            fts_only(query)
            # Every way the CLI and the app run a query (SQLite's parsers have fixed stacks).
            found = set(sample_library.keys(query))
            assert sample_library.count(query) == len(found)
            assert len(sample_library.rowids(query)) == len(found)
            sample_library.first_page(query, "date", 5)
    finally:
        sys.setrecursionlimit(limit)


def test_redundant_nesting_is_dropped(sample_library: Library):
    causal = matching(sample_library, "causal")
    every = matching(sample_library, "")
    assert matching(sample_library, "-" * 100 + "causal") == causal
    assert matching(sample_library, "NOT " * 99 + "causal") == every - causal
    assert matching(sample_library, "(" * 100 + "causal" + ")" * 100) == causal
    assert parse_query("-" * 100 + "causal").root == parse_query("causal").root
    assert parse_query("a (b (c d))").root == parse_query("a b c d").root
    assert parse_query("a OR (b OR c)").root == parse_query("a OR b OR c").root


def test_a_long_chain_of_minus_signs_is_read_in_linear_time():
    # Re-reading the rest of "-----...a" once per "-" took minutes for 100 KB.
    with pytest.raises(QueryError, match="nested"):
        parse_query("-" * 100_000 + "a")


LONG_QUERIES = {
    "words": "causal " * 15_000,
    "ORs": "caus OR " * 12_000 + "video",
    "negated words": "-caus " * 15_000,
    "flags": "is:read " * 12_000,
    "ORed flags": "is:read OR " * 10_000 + "is:starred",
    "groups": "(a b) " * 15_000,
    "tags": "tag:x " * 15_000,
    "brackets": "(" * 50_000 + "a" + ")" * 50_000,
}


@pytest.mark.parametrize("text", LONG_QUERIES.values(), ids=LONG_QUERIES.keys())
def test_a_100_kb_query_is_refused_in_one_line(lib: Library, text: str):
    # Before: seconds of work, or SQLite's "Expression tree is too large".
    assert len(text) >= 90_000
    with pytest.raises(QueryError, match=r"more than 300 words|nested more than 100") as error:
        lib.keys(text)
    assert "\n" not in str(error.value)


AT_THE_LIMIT = {
    "words": "causal " * 300,
    "flags": "is:read " * 300,
    "year ranges": "year:2020..2025 " * 300,  # two comparisons each
    "ORed groups": "(is:read year:2024) OR " * 149 + "(video model)",
    "negated words": "-a " * 300,
    "nested groups": _alternating(20, "is:starred year:2024 " * 140),
}


@pytest.mark.parametrize("text", AT_THE_LIMIT.values(), ids=AT_THE_LIMIT.keys())
def test_a_query_at_the_limits_runs(lib: Library, text: str):
    found = set(keys(lib, text))
    assert lib.count(text) == len(found) == len(lib.rowids(text))
    with pytest.raises(QueryError, match="more than 300 words"):
        parse_query(text + " x")


# --- queries that constrain nothing ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "   ", "-", "*", "AND", "&", '""', "- * &", "AND AND", "& OR causal", "--", "-(-&)"],
)
def test_a_query_without_constraint_matches_everything(sample_library: Library, text: str):
    query = parse_query(text)
    assert query.matches_everything
    assert matching(sample_library, text) == matching(sample_library, "")


@pytest.mark.parametrize(
    "text", ["causal", "-causal", "-&", "& causal", "is:unread", "year:2025", "tag:x", "-(&)"]
)
def test_a_query_with_a_constraint_does_not_match_everything(text: str):
    assert not parse_query(text).matches_everything


def test_negated_groups_and_phrases_are_not_highlighted():
    query = parse_query('sparse -(dense retrieval) -"exact phrase" --video')
    assert query.highlight_terms() == ["sparse", "video"]
