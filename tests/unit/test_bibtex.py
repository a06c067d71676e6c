"""BibTeX: reading arXiv/Zotero/JabRef exports, and exporting entries that read back the same."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path
from random import Random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.errors import InputError
from reader.export.bibtex import citation_keys, escape_latex, to_bibtex
from reader.identity import title_key
from reader.model import Entry, Paper, PaperState
from reader.sources.bibtex import looks_like_bibtex, parse_bibtex
from tests.conftest import FORMATS

ARXIV_BIB = FORMATS / "arxiv.bib"
ARXIV_DOI_BIB = FORMATS / "arxiv_doi.reconstructed.bib"

PALIGEMMA_AUTHORS = (
    "Lucas Beyer",
    "Andreas Steiner",
    "André Susano Pinto",
    "Alexander Kolesnikov",
    "Xiao Wang",
    "Daniel Salz",
    "Maxim Neumann",
    "Ibrahim Alabdulmohsin",
    "Michael Tschannen",
    "Emanuele Bugliarello",
    "Thomas Unterthiner",
    "Daniel Keysers",
    "Skanda Koppula",
    "Fangyu Liu",
    "Adam Grycner",
    "Alexey Gritsenko",
    "Neil Houlsby",
    "Manoj Kumar",
    "Keran Rong",
    "Julian Eisenschlos",
    "Rishabh Kabra",
    "Matthias Bauer",
    "Matko Bošnjak",
    "Xi Chen",
    "Matthias Minderer",
    "Paul Voigtlaender",
    "Ioana Bica",
    "Ivana Balazevic",
    "Joan Puigcerver",
    "Pinelopi Papalampidi",
    "Olivier Henaff",
    "Xi Xiong",
    "Radu Soricut",
    "Jeremiah Harmsen",
    "Xiaohua Zhai",
)

ZOTERO = r"""
@article{doe_uber_2025,
	TITLE = {{\"U}ber {Transformers}: {\'E}tude des R\'eseaux \& {Co}},
	AUTHOR = {Doe, Jane and Smith, J. and M{\"u}ller, J{\"o}rg and {van der Berg}, Jan},
	ABSTRACT = {We study   things.
	Across lines.},
	DATE = {2025-06-12},
	DOI = {10.48550/arXiv.2606.11409},
	URL = {http://arxiv.org/abs/2606.11409},
	NOTE = {arXiv:2606.11409 [cs]},
	KEYWORDS = {Computer Science - Machine Learning},
}

@inproceedings{Smith2024,
  Title                    = {Graph Networks},
  Author                   = {Smith, Alice and Brown, Bob},
  Year                     = {2024},
  Month                    = jun,
  Booktitle                = {Proceedings},
  Url                      = {https://example.org/graph_networks?x=1&y=2},
}
"""


def read(path: Path) -> list[Paper]:
    return [item.paper for item in parse_bibtex(path.read_text(encoding="utf-8"))]


def one(text: str) -> Paper:
    items = parse_bibtex(text)
    assert len(items) == 1
    return items[0].paper


def paper(title: str, **fields: Any) -> Paper:
    """A paper with a title-derived key unless `key` is given."""
    return Paper(key=fields.pop("key", title_key(title)), title=title, **fields)


# --- arXiv's own export ----------------------------------------------------------------


def test_arxiv_export_entries_read_exactly() -> None:
    attention, layer_norm, paligemma = read(ARXIV_BIB)

    assert attention.title == "Attention Is All You Need"
    assert attention.arxiv_id == attention.key == "1706.03762"
    assert attention.authors == (
        "Ashish Vaswani",
        "Noam Shazeer",
        "Niki Parmar",
        "Jakob Uszkoreit",
        "Llion Jones",
        "Aidan N. Gomez",
        "Lukasz Kaiser",
        "Illia Polosukhin",
    )
    assert attention.author_count == 8
    # arXiv's `year` is that of the latest version; only the year is known.
    assert attention.published == date(2023, 1, 1)
    assert attention.url == "https://arxiv.org/abs/1706.03762"
    assert attention.source == "bibtex"
    assert attention.abstract == ""

    assert layer_norm.title == "Layer Normalization"
    assert layer_norm.arxiv_id == layer_norm.key == "1607.06450"
    assert layer_norm.authors == ("Jimmy Lei Ba", "Jamie Ryan Kiros", "Geoffrey E. Hinton")
    assert layer_norm.published == date(2016, 1, 1)

    assert paligemma.title == "PaliGemma: A versatile 3B VLM for transfer"
    assert paligemma.arxiv_id == paligemma.key == "2407.07726"
    assert paligemma.authors == PALIGEMMA_AUTHORS
    assert paligemma.author_count == 35
    assert paligemma.published == date(2024, 1, 1)
    assert paligemma.url == "https://arxiv.org/abs/2407.07726"


def test_arxiv_export_with_doi_line() -> None:
    (kilgour,) = read(ARXIV_DOI_BIB)
    assert kilgour.title == (
        "Inelastic effects in molecular transport junctions: The probe technique at high bias"
    )
    assert kilgour.arxiv_id == kilgour.key == "1601.00001"
    assert kilgour.authors == ("Michael Kilgour", "Dvira Segal")
    assert kilgour.published == date(2015, 1, 1)
    # The `doi` is the journal's, not an arXiv DOI: the URL stays the arXiv one.
    assert kilgour.url == "https://arxiv.org/abs/1601.00001"


def test_source_name_is_passed_through() -> None:
    items = parse_bibtex(ARXIV_DOI_BIB.read_text(encoding="utf-8"), source="zotero")
    assert items[0].paper.source == "zotero"
    assert items[0].state is None


# --- Zotero, JabRef and hand-written files ----------------------------------------------


def test_zotero_style_entry() -> None:
    uber, graphs = (item.paper for item in parse_bibtex(ZOTERO))

    assert uber.title == "Über Transformers: Étude des Réseaux & Co"
    assert uber.authors == ("Jane Doe", "J. Smith", "Jörg Müller", "Jan van der Berg")
    assert uber.author_count == 4
    assert uber.abstract == "We study things. Across lines."
    assert uber.published == date(2025, 6, 12)
    assert uber.arxiv_id == uber.key == "2606.11409"
    assert uber.url == "http://arxiv.org/abs/2606.11409"

    assert graphs.title == "Graph Networks"
    assert graphs.authors == ("Alice Smith", "Bob Brown")
    assert graphs.published == date(2024, 6, 1)
    assert graphs.arxiv_id is None
    assert graphs.key.startswith("t-")
    # URLs are read verbatim: no LaTeX decoding of `_` or `&`.
    assert graphs.url == "https://example.org/graph_networks?x=1&y=2"


@pytest.mark.parametrize(
    ("fields", "arxiv_id"),
    [
        ("eprint = {2606.11409v2}, archivePrefix = {arXiv}", "2606.11409"),
        ("EPRINT = {2606.11409}, ARCHIVEPREFIX = {arXiv}", "2606.11409"),
        ("eprint = {2606.11409}, eprinttype = {arxiv}", "2606.11409"),
        ("eprint = {arXiv:hep-th/9901001}", "hep-th/9901001"),
        ("doi = {10.48550/arXiv.2606.11409}", "2606.11409"),
        ("doi = {https://doi.org/10.48550/ARXIV.2606.11409}", "2606.11409"),
        ("url = {https://arxiv.org/pdf/2606.11409v1.pdf}", "2606.11409"),
        ("journal = {arXiv preprint arXiv:2606.11409}", "2606.11409"),
        ("note = {arXiv:2606.11409 [cs]}", "2606.11409"),
        # Another archive's number is not an arXiv id.
        ("eprint = {2606.11409}, archivePrefix = {HAL}", None),
        ("doi = {10.1063/1.4944470}", None),
        ("journal = {Nature}", None),
    ],
)
def test_arxiv_id_sources(fields: str, arxiv_id: str | None) -> None:
    found = one(f"@misc{{k, title = {{T}}, {fields}}}")
    assert found.arxiv_id == arxiv_id
    if arxiv_id:
        assert found.key == arxiv_id


def test_eprint_is_the_identity_over_other_mentions() -> None:
    found = one(
        "@misc{k, title={T}, eprint={1706.03762}, archivePrefix={arXiv},"
        " url={https://arxiv.org/abs/2606.11409}, journal={arXiv preprint arXiv:2401.00001}}"
    )
    assert found.arxiv_id == "1706.03762"
    # The entry's own URL is kept as written.
    assert found.url == "https://arxiv.org/abs/2606.11409"


@pytest.mark.parametrize(
    ("fields", "published"),
    [
        ("year = {2025}, month = jun", date(2025, 6, 1)),
        ("year = 2025, month = {June}", date(2025, 6, 1)),
        ("year = {2025}, month = {6}", date(2025, 6, 1)),
        ("year = {2025}, month = {Sept.}", date(2025, 9, 1)),
        ("year = {2025}", date(2025, 1, 1)),
        ("year = {2025}, month = {13}", date(2025, 1, 1)),
        ("year = {circa 2019a}", date(2019, 1, 1)),
        ("date = {2025-06-12}", date(2025, 6, 12)),
        ("date = {2025-06}", date(2025, 6, 1)),
        ("date = {2025}", date(2025, 1, 1)),
        ("date = {2025-06-12/2025-06-14}", date(2025, 6, 12)),
        ("date = {2025-02-30}", date(2025, 2, 1)),
        # `date` is the more precise field and wins over `year`.
        ("date = {2025-06-12}, year = {2024}", date(2025, 6, 12)),
        ("date = {someday}, year = {2024}", date(2024, 1, 1)),
        ("month = jun", None),
        ("", None),
    ],
)
def test_published_dates(fields: str, published: date | None) -> None:
    assert one(f"@misc{{k, title = {{T}}, {fields}}}").published == published


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("url = {javascript:alert(1)}", None),
        ("url = {file:///etc/passwd}, eprint = {2606.11409}", "https://arxiv.org/abs/2606.11409"),
        ("url = {\\url{https://example.org/x}}", "https://example.org/x"),
        ("url = {  https://example.org/x  }", "https://example.org/x"),
    ],
)
def test_only_web_urls_are_kept(field: str, expected: str | None) -> None:
    assert one(f"@misc{{k, title = {{T}}, {field}}}").url == expected


@pytest.mark.parametrize(
    ("author", "names"),
    [
        ("Doe, Jane and Smith, J.", ("Jane Doe", "J. Smith")),
        ("Jane Doe AND John Roe", ("Jane Doe", "John Roe")),
        ("{Barnes and Noble} and Doe, J.", ("Barnes and Noble", "J. Doe")),
        ("{Doe, Inc.}", ("Doe, Inc.",)),
        ("King, Jr., Martin Luther", ("Martin Luther King Jr.",)),
        ("{\\v{S}}koda, Ale{\\v s} and Andr\\'{e} Pinto", ("Aleš Škoda", "André Pinto")),
        ("Ferdinand Sand and  Anders   Land", ("Ferdinand Sand", "Anders Land")),
        ("Doe, Jane and  and Roe, R.", ("Jane Doe", "R. Roe")),
    ],
)
def test_author_names(author: str, names: tuple[str, ...]) -> None:
    found = one(f"@misc{{k, title = {{T}}, author = {{{author}}}}}")
    assert found.authors == names
    assert found.author_count == len(names)


def test_and_others_leaves_the_count_unknown() -> None:
    found = one("@misc{k, title = {T}, author = {Doe, Jane and others}}")
    assert found.authors == ("Jane Doe",)
    assert found.author_count is None


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("{Attention Is All You Need}", "Attention Is All You Need"),
        ("  Spread \n   over\tlines ", "Spread over lines"),
        ("R\\&D at 100\\%", "R&D at 100%"),
        # Raw `&` and `%` are meant literally, not as a tab or a comment.
        ("R&D at 100% speed", "R&D at 100% speed"),
        ('Na{\\"i}ve {B}ayes', "Naïve Bayes"),
        ("The $\\alpha$-Net", "The $\\alpha$-Net"),
        ("Pre--training", "Pre–training"),
        ("Non~breaking", "Non breaking"),
        ('"Quoted" words', '"Quoted" words'),
    ],
)
def test_title_decoding(title: str, expected: str) -> None:
    assert one(f"@misc{{k, title = {{{title}}}}}").title == expected


def test_quoted_values_and_string_macros() -> None:
    found = one(
        '@string{conf = "NeurIPS"}\n'
        '@inproceedings{k, title = "A {Quoted} Title", booktitle = conf, year = "2024"}'
    )
    assert found.title == "A Quoted Title"
    assert found.published == date(2024, 1, 1)


def test_entries_without_title_are_skipped() -> None:
    items = parse_bibtex("@misc{a, author = {Doe, J.}}\n@misc{b, title = {Kept}}\n")
    assert [item.paper.title for item in items] == ["Kept"]


def test_duplicate_keys_and_fields_still_import() -> None:
    items = parse_bibtex(
        "@misc{same, title = {First}}\n"
        "@misc{same, title = {Second}}\n"
        "@misc{other, title = {{Braced}}, TITLE = {Again}, author = {{van der Berg}, Jan}}\n"
    )
    titles = [item.paper.title for item in items]
    assert titles == ["First", "Second", "Braced"]
    assert items[2].paper.authors == ("Jan van der Berg",)


def test_broken_entries_are_skipped_when_others_parse() -> None:
    text = (
        "@misc{good1, title = {Good One}}\n"
        "@misc{broken, title = {Never closed\n"
        "@misc{good2, title = {Good Two}}\n"
    )
    assert [item.paper.title for item in parse_bibtex(text)] == ["Good One", "Good Two"]


@pytest.mark.parametrize(
    "text",
    [
        "@misc{broken, title = {Never closed\n",
        "@misc{a, title = {x}\n@misc{b, title = {y}\n",
        "@misc{broken title = {No comma after key}}",
    ],
)
def test_nothing_usable_is_a_one_line_error(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_bibtex(text)
    message = str(caught.value)
    assert message.startswith("no papers found in the BibTeX")
    assert "\n" not in message


@pytest.mark.parametrize(
    "text",
    ["", "   \n", "% only a comment\n", "@comment{nothing here}", "@misc{a, author = {X}}"],
)
def test_no_entries_is_an_error(text: str) -> None:
    with pytest.raises(InputError, match="no papers found in the BibTeX"):
        parse_bibtex(text)


def test_byte_order_mark_is_ignored() -> None:
    assert one("\ufeff@misc{k, title = {T}}").title == "T"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ARXIV_BIB.read_text(encoding="utf-8"), True),
        (ZOTERO, True),
        ("% Encoding: UTF-8\n\n@Article{k,\n title={T}}", True),
        ("\ufeff  @misc(k, title = {T})", True),
        ("@ARTICLE {k, title = {T}}", True),
        ('{"title": "T"}', False),
        ("@someone said hi", False),
        # Text outside entries is legal BibTeX (Google Scholar, hand-kept files).
        ("Attention Is All You Need\n@misc{k, title={T}}", True),
        ("", False),
        ("% just a comment", False),
    ],
)
def test_looks_like_bibtex(text: str, expected: bool) -> None:
    assert looks_like_bibtex(text) is expected


def test_reading_bibtex_does_not_import_textual() -> None:
    code = (
        "import sys, reader.sources.bibtex as b, reader.export.bibtex as e\n"
        "b.parse_bibtex('@misc{k, title={T\\\\\"u}}')\n"
        "print(','.join(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


# --- export --------------------------------------------------------------------------------


def test_export_format() -> None:
    entry = Entry(
        Paper(
            key="2606.11409",
            title="Über Models: 100% {Fun}",
            abstract="Line one.\nLine two & more.",
            authors=("Jane Doe", "Jan van der Berg"),
            published=date(2026, 6, 12),
            arxiv_id="2606.11409",
            url="https://arxiv.org/abs/2606.11409",
            source="hf-page",
        ),
        PaperState(key="2606.11409", note="private thoughts", tags=("to_read", "llm")),
    )
    assert to_bibtex([entry]) == (
        "@misc{doe2026uber,\n"
        "      title={{Über Models: 100\\% \\textbraceleft{}Fun\\textbraceright{}}},\n"
        "      author={Doe, Jane and van der Berg, Jan},\n"
        "      year={2026},\n"
        "      month=jun,\n"
        "      eprint={2606.11409},\n"
        "      archivePrefix={arXiv},\n"
        "      url={https://arxiv.org/abs/2606.11409},\n"
        "      abstract={Line one. Line two \\& more.},\n"
        "      keywords={to\\_read, llm},\n"
        "}\n"
    )


def test_export_of_nothing_is_empty() -> None:
    assert to_bibtex([]) == ""


def test_export_leaves_out_unknowns_and_unsafe_urls() -> None:
    bare = paper("Bare", url="javascript:alert(1)")
    text = to_bibtex([Entry(bare)])
    assert text == "@misc{bare,\n      title={{Bare}},\n}\n"
    assert one(text).title == "Bare"


def test_export_year_only_dates_without_month() -> None:
    text = to_bibtex([Entry(paper("Dated", published=date(2023, 1, 1)))])
    assert "year={2023}" in text
    assert "month" not in text
    assert one(text).published == date(2023, 1, 1)


def test_export_url_stays_verbatim_and_balanced() -> None:
    odd = paper("Odd", url="https://example.org/a_b%20c?q={x}&y=\\z w")
    text = to_bibtex([Entry(odd)])
    assert "url={https://example.org/a_b%20c?q=%7Bx%7D&y=%5Cz%20w}," in text
    assert one(text).url == "https://example.org/a_b%20c?q=%7Bx%7D&y=%5Cz%20w"


def test_export_falls_back_to_the_arxiv_url() -> None:
    text = to_bibtex([Entry(paper("T", arxiv_id="2606.11409", key="2606.11409"))])
    assert "url={https://arxiv.org/abs/2606.11409}," in text


@pytest.mark.parametrize("path", [ARXIV_BIB, ARXIV_DOI_BIB])
def test_fixture_round_trip(path: Path) -> None:
    papers = read(path)
    back = [item.paper for item in parse_bibtex(to_bibtex([Entry(p) for p in papers]))]
    assert [p.title for p in back] == [p.title for p in papers]
    assert [p.authors for p in back] == [p.authors for p in papers]
    assert [p.arxiv_id for p in back] == [p.arxiv_id for p in papers]
    assert [p.key for p in back] == [p.key for p in papers]
    assert [p.published for p in back] == [p.published for p in papers]
    assert [p.url for p in back] == [p.url for p in papers]


HOSTILE_TITLES = [
    "Unbalanced } closing brace",
    "Unbalanced { opening brace",
    "}{ backwards }}}{{{",
    "100% sure % not a comment",
    "\\input{/etc/passwd} and \\include{x}",
    "\\end{document} \\def\\x{y}",
    "Math $x^2$ and \\(y\\) and $$z$$",
    "Specials & # _ ~ ^ \\ \\\\",
    "Ligatures -- --- `` '' !` ?` << >>",
    "Trailing backslash \\",
    "@misc{injected, title={x}}",
    "Über naïve Zoë — 日本語 🚀",
    '"Quotes" and \\"u escapes',
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_titles_stay_literal(title: str) -> None:
    entry = Entry(paper(title, authors=(title, "Jane Doe")))
    text = to_bibtex([entry])
    assert_bibtex_balanced(text)
    # Nothing the title holds is left for LaTeX to run.
    assert "\\input" not in text
    assert "\\end{" not in text
    found = one(text)
    assert found.title == title
    assert found.authors == (title, "Jane Doe")


def assert_bibtex_balanced(text: str) -> None:
    """Braces balance the way BibTeX counts them: every brace, backslash or not."""
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


def test_escape_latex_collapses_whitespace_and_drops_controls() -> None:
    assert escape_latex("  a\n\tb\x00c\x0cd\x85e ") == "a bc d e"


# --- citation keys -------------------------------------------------------------------------


def test_citation_keys_from_author_year_and_title_word() -> None:
    papers = read(ARXIV_BIB) + read(ARXIV_DOI_BIB)
    assert citation_keys(papers) == [
        "vaswani2023attention",
        "ba2016layer",
        "beyer2024paligemma",
        "kilgour2015inelastic",
    ]


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"title": "The Art of Towards", "authors": ("Matko Bošnjak",)}, "bosnjak2024art"),
        ({"title": "Ça va?", "authors": ("Zoë O'Brien-Smith",)}, "obriensmith2024ca"),
        ({"title": "On the Of", "authors": ("King Jr.",)}, "king2024on"),
        ({"title": "A Study", "authors": ("Martin Luther King Jr.",)}, "king2024study"),
        ({"title": "A Study", "authors": ("Jan van der Berg",)}, "berg2024study"),
        ({"title": "Deep Nets"}, "2024deep"),
    ],
)
def test_citation_key_parts(kwargs: dict[str, Any], key: str) -> None:
    assert citation_keys([paper(published=date(2024, 5, 1), **kwargs)]) == [key]


def test_citation_key_fallbacks() -> None:
    chinese = paper("深度学习", key="2606.11409", arxiv_id="2606.11409")
    old = paper("量子", key="hep-th/9901001", arxiv_id="hep-th/9901001")
    untitled = paper("日本語", key="t-0123456789ab")
    assert citation_keys([chinese, old, untitled]) == [
        "2606.11409",
        "hep-th-9901001",
        "t-0123456789ab",
    ]


def test_colliding_keys_get_suffixes_independent_of_order() -> None:
    papers = [
        paper("Deep Learning", key="2401.00003", authors=("Ann Li",), published=date(2024, 3, 1)),
        paper("Deep Nets", key="2401.00001", authors=("Bo Li",), published=date(2024, 1, 5)),
        paper("Deep Dive", key="2401.00002", authors=("Cy Li",), published=date(2024, 1, 5)),
        paper("Wide Nets", key="2401.00004", authors=("Di Li",), published=date(2024, 1, 5)),
    ]
    keys = dict(zip((p.key for p in papers), citation_keys(papers), strict=True))
    assert keys == {
        "2401.00001": "li2024deepa",
        "2401.00002": "li2024deepb",
        "2401.00003": "li2024deepc",
        "2401.00004": "li2024wide",
    }
    reordered = list(reversed(papers))
    assert dict(zip((p.key for p in reordered), citation_keys(reordered), strict=True)) == keys


def test_suffixed_keys_never_clash_with_plain_ones() -> None:
    papers = [
        paper("Deep", key="k1", authors=("A Li",), published=date(2024, 1, 1)),
        paper("Deep", key="k2", authors=("A Li",), published=date(2024, 1, 1)),
        paper("Deepa", key="k3", authors=("A Li",), published=date(2024, 1, 1)),
    ]
    keys = citation_keys(papers)
    assert keys[2] == "li2024deepa"
    assert keys[:2] == ["li2024deepb", "li2024deepc"]


def test_many_collisions_run_past_z() -> None:
    papers = [paper("Same", key=f"k{i:03d}", authors=("A Li",)) for i in range(30)]
    keys = citation_keys(papers)
    assert len(set(keys)) == 30
    assert keys[0] == "lisamea"
    assert keys[25] == "lisamez"
    assert keys[26] == "lisameaa"


def test_exported_keys_are_the_entry_keys() -> None:
    import bibtexparser

    papers = read(ARXIV_BIB)
    library = bibtexparser.parse_string(to_bibtex([Entry(p) for p in papers]))
    assert [entry.key for entry in library.entries] == citation_keys(papers)
    assert not library.failed_blocks


# --- properties ----------------------------------------------------------------------------

# Text biased towards what BibTeX and LaTeX treat specially, plus any other printable Unicode.
_SPECIAL_CHARS = [*"\\{}~^%&$#_`'\"-!?@,.;()[]<>= \t\n", "and", " and ", "others", "\u00a0"]
_TEXT = st.lists(
    st.one_of(
        st.sampled_from(_SPECIAL_CHARS),
        st.characters(exclude_categories=("Cs", "Cc")),
    ),
    max_size=40,
).map("".join)
_TITLES = _TEXT.filter(lambda text: text.strip() != "")
_NAMES = _TEXT.filter(lambda text: text.strip() != "")
_DATES = st.none() | st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))
_IDS = st.none() | st.from_regex(r"\A(0[7-9]|1\d|2[0-6])(0[1-9]|1[0-2])\.\d{5}\Z")


def collapse(text: str) -> str:
    return " ".join(text.split())


@st.composite
def _papers(draw: st.DrawFn) -> Paper:
    arxiv_id = draw(_IDS)
    title = draw(_TITLES)
    return Paper(
        key=arxiv_id or f"t-{draw(st.integers(0, 10**12)):012d}",
        title=title,
        abstract=draw(_TEXT),
        authors=tuple(draw(st.lists(_NAMES, max_size=4))),
        published=draw(_DATES),
        arxiv_id=arxiv_id,
    )


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(_papers(), min_size=1, max_size=4))
def test_export_round_trip_property(papers: list[Paper]) -> None:
    text = to_bibtex([Entry(p) for p in papers])
    assert_bibtex_balanced(text)
    back = [item.paper for item in parse_bibtex(text)]
    assert [p.title for p in back] == [collapse(p.title) for p in papers]
    assert [p.authors for p in back] == [tuple(collapse(a) for a in p.authors) for p in papers]
    assert [p.abstract for p in back] == [collapse(p.abstract) for p in papers]
    assert [p.arxiv_id for p in back] == [p.arxiv_id for p in papers]
    assert [p.published.year if p.published else None for p in back] == [
        p.published.year if p.published else None for p in papers
    ]


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.lists(_papers(), max_size=12, unique_by=lambda p: p.key), st.randoms())
def test_citation_keys_unique_and_order_independent(papers: list[Paper], random: Random) -> None:
    keys = citation_keys(papers)
    assert len(set(keys)) == len(keys)
    for key in keys:
        assert key
        assert all(char.isascii() and (char.isalnum() or char in "_.:-") for char in key)
    shuffled = list(papers)
    random.shuffle(shuffled)
    by_paper = dict(zip((p.key for p in papers), keys, strict=True))
    assert dict(zip((p.key for p in shuffled), citation_keys(shuffled), strict=True)) == by_paper
