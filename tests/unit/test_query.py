from datetime import date

import pytest

from reader.errors import QueryError
from reader.identity import title_key
from reader.library import Library
from reader.model import Paper
from reader.query import parse_query
from reader.sources import Incoming

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
