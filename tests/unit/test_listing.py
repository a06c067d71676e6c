"""`reader list` reads only what its lines show (`Library.listing`) and prints them in one
write: the output is exactly what it was when every paper was loaded whole (`list_rows`
of `Library.entries`), and the fast paths of the text helpers give what the slow ones do."""

from __future__ import annotations

import contextlib
import io
from datetime import date
from itertools import accumulate

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.cli import main
from reader.library import Library
from reader.model import Incoming, Paper
from reader.render import _cells, list_rows, listed_rows
from reader.text import cell_width, cut_to_width, one_line, printable

QUERIES = ["", "model", "-model", "is:starred", "tag:later", "year:2025", "zzzz", "vision OR audio"]
SORTS = ["date", "upvotes", "title", "added", "relevance"]
HOSTILE = [
    Paper(
        key="k\x1b[31m-red", title="Red \x1b[31mtitle\x07 \u202eevil", published=date(2025, 1, 2)
    ),
    Paper(key="wide-鍵", title="全角 タイトル and\tTabs\nnewline", upvotes=12),
    Paper(key="plain", title="A plain title " * 12, published=date(2024, 5, 6), upvotes=0),
    Paper(key="café-é", title="Combining e\u0301 and ZWJ \u200d here", published=date(2023, 1, 1)),
]


@pytest.fixture
def listed_library(sample_library: Library) -> Library:
    sample_library.import_papers([Incoming(paper) for paper in HOSTILE])
    keys = sample_library.keys()
    sample_library.set_starred(keys[::3], True)
    sample_library.set_read(keys[::4], True)
    sample_library.set_tags(keys[1], ["later", "wide-タグ", "\x1b[2Jclear"])
    sample_library.set_tags("wide-鍵", ["later"])
    return sample_library


@pytest.mark.parametrize("sort", SORTS)
def test_listing_prints_what_whole_papers_printed(listed_library: Library, sort: str) -> None:
    for query in QUERIES:
        for limit in (None, 0, 3):
            whole = listed_library.entries(query, sort, limit)
            listed = listed_library.listing(query, sort, limit)
            for width in (None, 1, 30, 80, 300):
                assert listed_rows(listed, width) == list_rows(whole, width), (query, width)


def run_list(library: Library, *args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["list", *args, "--library", str(library.folder)]) == 0
    return out.getvalue()


def test_the_command_prints_the_same_lines_in_one_write(listed_library: Library) -> None:
    for args, query, sort in [
        ((), "", "date"),
        (("--sort", "title", "model"), "model", "title"),
        (("--reverse", "--limit", "5"), "", "date"),
    ]:
        expected = list_rows(listed_library.entries(query, sort), None)
        if "--reverse" in args:
            expected = expected[::-1][:5]
        printed = run_list(listed_library, *args)
        assert printed == "".join(printable(row) + "\n" for row in expected)
    assert run_list(listed_library, "zzzz") == ""  # nothing matches: not even an empty line


def reference_cut(text: str, width: int) -> str:
    """What `cut_to_width` must give, from each character's cells (the oracle)."""
    cells = [cell_width(char) for char in text]
    if sum(cells) <= width:
        return text
    if width <= 0:
        return ""
    kept = sum(1 for total in accumulate(cells) if total <= width - 1)
    return text[:kept] + "…"


texts = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x7F), max_size=40),
)


@settings(max_examples=300)
@given(text=texts, width=st.integers(-2, 45))
def test_fast_paths_equal_the_slow_ones(text: str, width: int) -> None:
    assert one_line(text) == printable(" ".join(text.split()))
    assert _cells(text) == sum(cell_width(char) for char in text)
    assert cut_to_width(text, width) == reference_cut(text, width)
