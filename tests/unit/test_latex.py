"""TeX decoding: the fast path gives exactly pylatexenc's result; feeds decode accents alike."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.sources.latex import _fast, decode_accents, latex_to_text, slow_latex_to_text

# The pieces real BibTeX values are made of, and a few that must send the fast path away.
PIECES = [
    "a",
    "b",
    "e",
    "o",
    "I",
    "x",
    " ",
    "  ",
    "{",
    "}",
    "{}",
    "~",
    "-",
    "--",
    "---",
    "'",
    "''",
    "`",
    "``",
    "!",
    "?",
    ".",
    ",",
    "^",
    "_",
    "\\'",
    '\\"',
    "\\^",
    "\\~",
    "\\=",
    "\\.",
    "\\`",
    "\\u",
    "\\v",
    "\\H",
    "\\c",
    "\\k",
    "\\r",
    "\\d",
    "\\b",
    "\\i",
    "\\j",
    "\\ss",
    "\\o",
    "\\O",
    "\\l",
    "\\ae",
    "\\AA",
    "\\&",
    "\\%",
    "\\$",
    "\\#",
    "\\_",
    "\\{",
    "\\}",
    "$x$",
    "$\\mu$",
    "$\\H$",
    "$a{b}^2$",
    "$\\alpha$",
    "$",
    "\\emph",
    "\\url",
    "\\\\",
    "\\ ",
    "\\,",
    "&",
    "%",
    "ö",
    "é",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_the_fast_path_agrees_with_pylatexenc(pieces: list[str]) -> None:
    text = "".join(pieces)
    try:
        expected = slow_latex_to_text(text)
    except Exception:
        return  # pylatexenc itself refuses it; latex_to_text then keeps it raw
    assert latex_to_text(text) == expected


@pytest.mark.parametrize(
    "text",
    ["\\emph{a}", "x\\\\y", "$$x$$", "!`", "\\t{oo}", "\\'{ae}", '\\"\\ss', "x$a"],
)
def test_what_the_fast_path_does_not_know_goes_to_pylatexenc(text: str) -> None:
    assert _fast(text) is None
    assert latex_to_text(text) == slow_latex_to_text(text)


ACCENTED = [
    ('Schr\\"odinger', "Schrödinger"),
    ("Erd\\H{o}s", "Erdős"),
    ("R\\'{e}nyi", "Rényi"),
    ("{\\'E}cole", "École"),
    ("Fran\\c{c}a", "França"),
    ("Fran{\\c c}a", "França"),
    ("Sa\\v{s}a", "Saša"),
    ("Sol\\`a", "Solà"),
    ('na\\"{\\i}ve', "naïve"),
    ("{\\o}stergaard", "østergaard"),
    ("Gau\\ss{}", "Gauß"),
    ("\\L{}\\'od\\'z", "Łódź"),
]


@pytest.mark.parametrize(("tex", "text"), ACCENTED)
def test_feeds_decode_accents_as_bibtex_does(tex: str, text: str) -> None:
    assert decode_accents(tex) == text
    assert latex_to_text(tex) == text


ACCENT_PIECES = ["a", "o", "e", "i", " ", "x"] + [tex for tex, _ in ACCENTED]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ACCENT_PIECES), min_size=1, max_size=8))
def test_accent_decoding_is_the_bibtex_decoding_for_accent_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert " ".join(decode_accents(text).split()) == latex_to_text(text)


@pytest.mark.parametrize(
    "text",
    [
        'the $\\ddot{x}$ term, $\\"o$ stays',
        "a ~50% gain -- or more",
        "\\url{https://x.org/a_b}",
        "{Braces} kept around words",
        "no TeX at all",
    ],
)
def test_feeds_keep_everything_but_accents(text: str) -> None:
    assert decode_accents(text) == text


def test_accents_inside_math_stay_and_outside_decode() -> None:
    assert decode_accents('$\\"o$ and \\"o') == '$\\"o$ and ö'
