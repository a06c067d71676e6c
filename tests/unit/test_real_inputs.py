"""BibTeX, feeds and identity on real-shaped files (tests/fixtures/inputs, SOURCES.md there).

Leading text before entries, DBLP's escaped URLs, TeX accents in feeds, distinct works that
share a title, DOIs and categories end to end, keys through an export and an import, and
which source's metadata wins.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from reader import importing
from reader.errors import InputError, QueryError
from reader.export import FORMATS as EXPORTS
from reader.identity import title_key
from reader.library import Library
from reader.library.catalog import SCHEMA_VERSION
from reader.library.merging import distinct_works, merge
from reader.model import Incoming, Paper
from reader.query import parse_query
from reader.sources.arxiv import parse_atom, parse_rss
from reader.sources.bibtex import looks_like_bibtex, parse_bibtex
from reader.sources.detect import detect_format, read_text
from tests.conftest import FORMATS, seed_path

INPUTS = Path(__file__).resolve().parents[1] / "fixtures" / "inputs"


def text_of(name: str) -> str:
    return (INPUTS / name).read_text(encoding="utf-8")


def import_names(library: Library, *names: str) -> importing.Imported:
    return importing.import_files(library, [str(INPUTS / name) for name in names])


# --- BibTeX with text outside entries --------------------------------------------------


def test_a_bib_file_starting_with_notes_is_bibtex() -> None:
    text = text_of("google_scholar_notes.bib")
    assert text.startswith("# Reading list")
    assert looks_like_bibtex(text)
    assert detect_format(text) == "bibtex"
    titles = [item.paper.title for item in parse_bibtex(text)]
    assert titles == ["Attention is all you need", "Layer normalization", "On random graphs I"]


def test_such_a_file_does_not_make_a_multi_file_import_refuse_everything(library: Library):
    done = import_names(library, "google_scholar_notes.bib", "dblp_acl.bib")
    assert done.result.new == 6
    assert library.count("") == 6


# --- DBLP and ACL escaped URLs ---------------------------------------------------------


def test_escaped_urls_are_stored_as_the_real_address(library: Library) -> None:
    import_names(library, "dblp_acl.bib")
    urls = {entry.paper.title[:20]: entry.paper.url for entry in library.entries()}
    assert urls["Neural Machine Trans"] == "https://aclanthology.org/P16_1162"
    assert urls["Neural Networks for "] == (
        "http://www.cs.toronto.edu/%7Etijmen/csc321/slides/lecture_slides_lec6.pdf"
    )


def test_escaped_urls_export_unchanged_and_read_back(library: Library) -> None:
    import_names(library, "dblp_acl.bib")
    entries = library.entries()
    text = EXPORTS["bibtex"].render(entries)
    assert "url={https://aclanthology.org/P16_1162}" in text
    assert "%7Etijmen" in text and "\\%" not in text
    assert {item.paper.url for item in parse_bibtex(text)} == {e.paper.url for e in entries}


# --- TeX accents in feeds, folded in search ---------------------------------------------

RSS_ACCENTS = (
    (FORMATS / "arxiv_rss.xml")
    .read_text(encoding="utf-8")
    .replace("<title>", '<title>Erd\\H{o}s meets Schr\\"odinger: ', 2)
)


def test_feed_titles_abstracts_and_names_decode_accents_as_bibtex_does() -> None:
    legacy = parse_atom((FORMATS / "arxiv_api_legacy_doi.atom.xml").read_text(encoding="utf-8"))
    assert "Landauer-Büttiker" in legacy[0].paper.abstract
    items = parse_rss(RSS_ACCENTS)
    assert items[0].paper.title.startswith("Erdős meets Schrödinger: ")
    names = [
        name
        for item in parse_rss(FORMATS.joinpath("arxiv_rss.xml").read_text())
        for name in item.paper.authors
    ]
    assert "Rémy" in " ".join(names)
    bib = parse_bibtex('@misc{k, title={Erd{\\H{o}}s meets Schr{\\"o}dinger: x}}')
    assert bib[0].paper.title == "Erdős meets Schrödinger: x"


def test_math_in_feed_text_stays_as_written() -> None:
    text = (FORMATS / "arxiv_api.atom.xml").read_text(encoding="utf-8")
    abstracts = " ".join(item.paper.abstract for item in parse_atom(text))
    assert "$" in abstracts  # the fixture's TeX math, kept


def test_accents_are_folded_in_search(library: Library) -> None:
    import_names(library, "google_scholar_notes.bib")
    library.import_papers(parse_rss(RSS_ACCENTS))
    assert library.count("erdos") == 2  # "Erdős" in a BibTeX author and an RSS title
    assert library.count("author:renyi") == 1
    assert library.count("schrodinger") == 1
    assert library.count("Schrödinger") == 1


# --- distinct works that share a title ----------------------------------------------------


def test_distinct_works_of_one_title_stay_apart(library: Library) -> None:
    done = import_names(library, "same_titles.bib")
    titles = sorted(entry.paper.title for entry in library.entries())
    assert titles.count("Online reference") == 3  # three software references
    assert {"Deep learning", "Deep Learning"} <= set(titles)  # LeCun 2015, Goodfellow 2016
    assert "The Art of Computer Programming, Volume 1" in titles
    assert "The Art of Computer Programming, Volume 2" in titles
    # The preprint and the journal version of one paper are one paper, merged by title.
    assert done.result.new == 8
    assert done.result.merged_by_title == 1
    assert "1 merged by title" in done.result.summary()
    merged = library.entries("molecules")[0].paper
    assert (merged.arxiv_id, merged.doi) == ("1912.00001", "10.1021/acs.jcim.0c00001")


def test_importing_the_same_file_again_changes_nothing(library: Library) -> None:
    import_names(library, "same_titles.bib")
    again = import_names(library, "same_titles.bib").result
    assert (again.new, again.updated, again.unchanged) == (0, 0, 8)
    assert again.merged_by_title == 0


def paper(title: str, **fields: object) -> Paper:
    return Paper(key=title_key(title), title=title, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("first", "second", "distinct"),
    [
        (
            paper("A Long Title Here", doi="10.1234/a"),
            paper("A Long Title Here", doi="10.1234/B"),
            True,
        ),
        (
            paper("A Long Title Here", doi="10.1234/a"),
            paper("A Long Title Here", doi="10.1234/A"),
            False,
        ),
        (
            paper("A Long Title Here", arxiv_id="2601.00001"),
            paper("A Long Title Here", arxiv_id="2601.00002"),
            True,
        ),
        (
            paper("A Long Title Here", authors=("Yann LeCun",), published=date(2015, 5, 1)),
            paper("A Long Title Here", authors=("Ian Goodfellow",), published=date(2016, 1, 1)),
            True,
        ),
        (
            paper("A Long Title Here", authors=("Yann LeCun",), published=date(2015, 5, 1)),
            paper("A Long Title Here", authors=("Y. LeCun",), published=date(2016, 1, 1)),
            False,  # a preprint and its journal version
        ),
        (paper("A Long Title Here"), paper("A Long Title Here", published=date(2016, 1, 1)), False),
        (
            paper("Online reference", url="https://a.org"),
            paper("Online reference", url="https://b.org"),
            True,
        ),
        (paper("Deep Learning"), paper("Deep Learning", doi="10.1038/nature14539"), False),
        (
            paper("A Long Title Here", doi="10.48550/arXiv.2601.00001"),
            paper("A Long Title Here", doi="10.1038/x"),
            False,  # an arXiv DOI and the journal's name one work
        ),
    ],
)
def test_title_identity_yields_to_stronger_evidence(first, second, distinct) -> None:
    assert distinct_works(first, second) is distinct
    assert distinct_works(second, first) is distinct


# --- DOIs ---------------------------------------------------------------------------------


def test_dois_are_stored_from_bibtex_and_feeds(library: Library) -> None:
    import_names(library, "dblp_acl.bib", "same_titles.bib")
    library.import_papers(parse_atom(FORMATS.joinpath("arxiv_api_legacy_doi.atom.xml").read_text()))
    assert library.count("doi:10.18653/v1/n19-1423") == 1  # case does not matter
    assert library.count("doi:10.1038/nature14539") == 1
    assert library.count("doi:https://doi.org/10.1063/1.4944470") == 1
    assert library.entries("doi:10.1063/1.4944470")[0].key == "1601.00001"


def test_an_arxiv_doi_is_the_arxiv_id_not_a_doi() -> None:
    item = parse_bibtex("@misc{k, title={T}, doi={10.48550/arXiv.2606.11409}}")[0]
    assert (item.paper.arxiv_id, item.paper.doi) == ("2606.11409", None)


@pytest.mark.parametrize(
    "given",
    [
        "10.1038/nature14539",
        "doi:10.1038/NATURE14539",
        "https://doi.org/10.1038/nature14539",
        "http://dx.doi.org/10.1038%2Fnature14539",
    ],
)
def test_dois_and_doi_urls_name_a_paper(library: Library, given: str) -> None:
    import_names(library, "same_titles.bib")
    assert library.resolve(given) == library.entries("doi:10.1038/nature14539")[0].key


def test_a_bad_doi_filter_is_one_clear_error() -> None:
    with pytest.raises(QueryError, match='"doi:" expects a DOI'):
        parse_query("doi:nature")


# --- categories -----------------------------------------------------------------------------


def test_categories_come_from_atom_and_rss_with_the_primary_one() -> None:
    atom = parse_atom(FORMATS.joinpath("arxiv_api.atom.xml").read_text())
    for item in atom:
        assert item.paper.categories and item.paper.primary_category == item.paper.categories[0]
    rss = parse_rss(FORMATS.joinpath("arxiv_rss.xml").read_text())
    assert all("cs.LG" in item.paper.categories for item in rss)


def test_category_and_archive_filters(library: Library) -> None:
    library.import_papers(parse_rss(FORMATS.joinpath("arxiv_rss.xml").read_text()))
    library.import_papers(parse_atom(FORMATS.joinpath("arxiv_api_legacy_doi.atom.xml").read_text()))
    assert library.count("cat:cs.LG") == 3
    assert library.count("cat:cs.lg") == 3
    assert library.count("cat:cond-mat.mes-hall") == 1
    assert library.count("cat:cond-mat") == 1 == library.count("cat:cond-mat.*")
    assert library.count("cat:cond*") == 1 == library.count("cat:cond-mat.mes*")
    assert library.count("cat:con") == 0  # an archive is a whole name
    assert library.count("cat:cs") == library.count("cat:cs.*") >= 3
    assert library.count("cat:math") == library.count("cat:math.*")
    assert library.count("-cat:cs") == len(library) - library.count("cat:cs")


def test_the_category_filter_uses_its_index(library: Library) -> None:
    from reader.library.sql import to_sql

    where, params = to_sql(parse_query("cat:cs"))
    db = sqlite3.connect(library.folder / "catalog.sqlite3")
    plan = " ".join(
        str(row[-1])
        for row in db.execute(f"EXPLAIN QUERY PLAN SELECT 1 FROM papers p WHERE {where}", params)
    )
    db.close()
    assert "paper_categories" in plan and "PRIMARY KEY" in plan, plan


def test_bibtex_export_carries_primary_class_and_doi(library: Library) -> None:
    library.import_papers(parse_atom(FORMATS.joinpath("arxiv_api_legacy_doi.atom.xml").read_text()))
    text = EXPORTS["bibtex"].render(library.entries())
    assert "primaryClass={cond-mat.mes-hall}" in text
    assert "doi={10.1063/1.4944470}" in text
    back = parse_bibtex(text)[0].paper
    assert (back.primary_category, back.doi) == ("cond-mat.mes-hall", "10.1063/1.4944470")


# --- keys through an export and an import ----------------------------------------------


def test_a_paper_first_seen_by_title_keeps_its_key_through_bibtex(tmp_path: Path) -> None:
    with Library(tmp_path / "one") as one:
        importing.import_files(one, [str(seed_path(2))])
        title = "Transformers in Time Series: A Survey"
        key = one.entries(f'title:"{title}"')[0].key
        assert key == title_key(title)
        # The paper gains an arXiv id later (here from a BibTeX entry naming its eprint).
        one.import_papers(parse_bibtex(f"@misc{{x, title={{{title}}}, eprint={{2202.07125}}}}"))
        entry = one.entry(key)
        assert entry.paper.arxiv_id == "2202.07125"
        exported = EXPORTS["bibtex"].render([entry])
        assert f"readerkey={{{key}}}" in exported
    with Library(tmp_path / "two") as two:
        two.import_papers(parse_bibtex(exported))
        assert [e.key for e in two.entries()] == [key]
        # and an arXiv-keyed paper needs no such field
        assert "readerkey" not in EXPORTS["bibtex"].render(
            [e for e in two.entries() if e.key == e.paper.arxiv_id]
        )


def test_every_key_survives_a_bibtex_round_trip(tmp_path: Path) -> None:
    with Library(tmp_path / "one") as one:
        import_names(one, "same_titles.bib", "dblp_acl.bib", "google_scholar_notes.bib")
        one.import_papers(parse_atom(FORMATS.joinpath("arxiv_api.atom.xml").read_text()))
        keys = sorted(one.keys())
        exported = EXPORTS["bibtex"].render(one.entries())
    with Library(tmp_path / "two") as two:
        two.import_papers(parse_bibtex(exported))
        assert sorted(two.keys()) == keys


# --- empty feeds and the RSS error channel ---------------------------------------------


def test_an_empty_feed_in_a_multi_file_import_is_a_warning(library: Library) -> None:
    done = importing.import_files(
        library, [str(FORMATS / "arxiv_rss_empty.xml"), str(INPUTS / "dblp_acl.bib")]
    )
    assert done.result.new == 3
    assert any("holds no papers (an empty arXiv RSS listing)" in note for note in done.result.notes)


def test_an_empty_atom_answer_is_a_warning_too() -> None:
    empty = (FORMATS / "arxiv_api.atom.xml").read_text(encoding="utf-8")
    head = empty[: empty.index("<entry>")] + "</feed>\n"
    reading = read_text(head, where="answer.xml")
    assert reading.items == [] and reading.warnings == [
        "answer.xml holds no papers (an empty arXiv API Atom feed)"
    ]


RSS_ERROR = """<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" version="2.0">
  <channel>
    <title>Feed error for query: https://rss.arxiv.org/rss/cs.XX</title>
    <link>https://rss.arxiv.org/rss/cs.XX</link>
    <description>Bad archive/category: cs.XX</description>
    <docs>http://www.rssboard.org/rss-specification</docs>
    <generator></generator>
    <language>en-us</language>
    <managingEditor>rss-help.arxiv.org</managingEditor>
  </channel>
</rss>
"""


def test_the_rss_error_channel_says_its_own_message() -> None:
    with pytest.raises(InputError, match=r"arXiv RSS error: Bad archive/category: cs\.XX"):
        parse_rss(RSS_ERROR)


# --- which source's metadata wins -------------------------------------------------------


def test_a_copied_page_never_replaces_arxiv_metadata(library: Library) -> None:
    arxiv = parse_atom(FORMATS.joinpath("arxiv_api.atom.xml").read_text())
    library.import_papers(arxiv)
    stored = library.entry(arxiv[0].paper.key).paper
    page = Paper(
        key=title_key(stored.title),
        title=stored.title,
        abstract="A page's shortened abstract.",
        author_count=99,
        published=date(2001, 1, 1),
        upvotes=12,
        organization="Some Lab",
        source="hf-page",
    )
    library.import_papers([Incoming(page)])
    after = library.entry(stored.key).paper
    assert (after.abstract, after.authors, after.published) == (
        stored.abstract,
        stored.authors,
        stored.published,
    )
    assert after.author_count == len(stored.authors)
    assert (after.upvotes, after.organization) == (12, "Some Lab")  # gaps the page fills
    assert after.source == "arxiv-api"


def test_arxiv_replaces_what_a_page_said() -> None:
    page = paper("T", abstract="page", published=date(2020, 1, 1), source="hf-page", upvotes=3)
    api = paper(
        "T", abstract="arXiv", published=date(2021, 2, 2), source="arxiv-api", authors=("A",)
    )
    merged = merge(page, api)
    assert (merged.abstract, merged.published, merged.source, merged.upvotes) == (
        "arXiv",
        date(2021, 2, 2),
        "arxiv-api",
        3,
    )
    assert merge(api, page).abstract == "arXiv"


# --- the catalog gains its new columns in place -------------------------------------------


def test_a_version_2_catalog_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE papers (rowid INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL, title_norm TEXT NOT NULL, abstract TEXT NOT NULL DEFAULT '',
            authors TEXT NOT NULL DEFAULT '', author_count INTEGER, organization TEXT,
            published TEXT, upvotes INTEGER, arxiv_id TEXT, url TEXT,
            source TEXT NOT NULL DEFAULT '', added TEXT NOT NULL, featured TEXT,
            comments INTEGER, github TEXT, project_page TEXT);
        INSERT INTO papers (key, title, title_norm, added, arxiv_id)
            VALUES ('2601.00001', 'Old Paper', 'old paper', '2026-01-01T00:00:00+00:00',
                    '2601.00001');
        PRAGMA user_version = 2;
        """
    )
    db.close()
    with Library(tmp_path) as library:
        assert library.entry("2601.00001").paper.title == "Old Paper"
        library.import_papers(
            [
                Incoming(
                    Paper(
                        key="2601.00001",
                        title="Old Paper",
                        arxiv_id="2601.00001",
                        doi="10.1234/x",
                        categories=("cs.LG",),
                        primary_category="cs.LG",
                    )
                )
            ]
        )
        assert library.count("cat:cs.LG doi:10.1234/x") == 1
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == SCHEMA_VERSION == 4


@pytest.mark.parametrize(
    "hostile", ["\x1b[31m", "\u202e", "\u200b", "\x00", "\x85", "\x07"], ids=repr
)
def test_a_doi_or_category_holding_controls_is_not_one(hostile: str) -> None:
    from reader.identity import arxiv_categories, normalize_doi
    from reader.serialize import incoming_from_dict

    assert normalize_doi(f"10.1234/ab{hostile}c") is None
    assert normalize_doi("10.1234/abc") == "10.1234/abc"
    assert arxiv_categories(["cs.LG", f"cs{hostile}.AI", "x" * 5000 + hostile]) == ("cs.LG",)
    with pytest.raises(InputError, match="is not an arXiv category"):
        incoming_from_dict({"title": "T", "categories": ["cs.LG", f"cs.{hostile}AI"]}, "line 1")
