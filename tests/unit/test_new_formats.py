"""The arXiv listing mail, the arXiv metadata snapshot (streamed), `--filter` during an
import, streamed imports in one transaction, and the RIS and CSL-JSON exports read back by
real parsers."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest

from reader import importing
from reader.errors import InputError, QueryError
from reader.export import FORMATS as EXPORTS
from reader.export import for_suffix
from reader.library import Library
from reader.matching import import_filter
from reader.model import Incoming, Paper
from reader.sources.arxiv_mail import looks_like_digest, parse_digest
from reader.sources.arxiv_snapshot import iter_snapshot, looks_like_snapshot, parse_snapshot
from reader.sources.detect import detect_format
from tests.conftest import seed_path

INPUTS = Path(__file__).resolve().parents[1] / "fixtures" / "inputs"
SNAPSHOT = INPUTS / "arxiv-metadata-oai-snapshot.sample.json"
DIGESTS = sorted(INPUTS.glob("arxiv_digest_*.txt"))


# --- the arXiv listing mail ----------------------------------------------------------------


@pytest.mark.parametrize("path", DIGESTS, ids=lambda path: path.stem)
def test_real_digests_are_detected(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert looks_like_digest(text)
    assert detect_format(text) == "arxiv-digest"


def test_the_2023_digest() -> None:
    papers = [item.paper for item in parse_digest(DIGESTS[0].read_text(encoding="utf-8"))]
    assert [paper.key for paper in papers] == ["2306.07353", "2306.07429", "2306.07464"]
    first, second, third = papers
    # Header fields continue on indented lines.
    assert first.title == (
        "HDDL 2.1: Towards Defining a Formalism and a Semantics for Temporal HTN Planning"
    )
    assert first.published == date(2023, 6, 12)
    assert first.authors == (
        "Damien Pellier",
        "Alexandre Albore",
        "Humbert Fiorino",
        "Rafael Bailon-Ruiz",
    )
    # An indented abstract line starts a paragraph; the hard wraps are undone.
    assert first.abstract.count("\n\n") == 1
    assert first.abstract.split("\n\n")[1].startswith("HDDL, a hierarchical extension")
    assert first.abstract.endswith("future HDDL 2.1 extension.")
    # " and " between names, and a TeX accent in one of them.
    assert second.authors == ("Varvara Guljajeva", "Mar Canet Solà", "Isaac Joseph Clarke")
    assert second.categories == ("cs.AI", "cs.CV", "cs.CY")
    assert second.primary_category == "cs.AI"
    assert third.url == "https://arxiv.org/abs/2306.07464"
    assert third.source == "arxiv-digest"


def test_the_2024_digest_with_doi_and_wrapped_authors() -> None:
    papers = [item.paper for item in parse_digest(DIGESTS[1].read_text(encoding="utf-8"))]
    amsnet, water = papers
    assert len(amsnet.authors) == 12 and amsnet.authors[5] == "Yaxing Wang"
    assert amsnet.title.endswith("Using Knowledge Graph RAG")
    assert water.doi == "10.1016/j.jenvman.2024.122526"
    assert water.authors[-2:] == ("Markel Flores", "Marco Quartulli")
    assert "($hm^3$)" in water.abstract


def test_digest_variants_of_mail_clients() -> None:
    text = DIGESTS[1].read_text(encoding="utf-8")
    expected = parse_digest(text)
    assert parse_digest(text.replace("\n", "\r\n")) == expected
    assert parse_digest(text.replace("\n  ", "\n\u00a0\u00a0")) == expected


def test_cross_lists_and_replacements_without_abstracts() -> None:
    text = (
        "\\\\\narXiv:2602.12181 (*cross-listing*)\n"
        "Date: Thu, 12 Feb 2026 17:11:20 GMT   (56kb)\n\n"
        "Title: Convex Markov Games and Beyond\nAuthors: Anas Barakat, Ioannis Panageas\n"
        "Categories: cs.GT cs.LG\n\\\\\n  An abstract.\n"
        "\\\\ ( https://arxiv.org/abs/2602.12181 ,  56kb)\n"
        "------------------------------------------------------------------------------\n"
        "\\\\\narXiv:2101.00001\n"
        "replaced with revised version Thu, 12 Feb 2026 17:11:20 GMT   (56kb)\n\n"
        "Title: A Replaced Paper\nAuthors: A. Author\nCategories: cs.LG\n"
        "\\\\ ( https://arxiv.org/abs/2101.00001 ,  56kb)\n"
    )
    papers = [item.paper for item in parse_digest(text)]
    assert [(p.key, p.title, p.abstract) for p in papers] == [
        ("2602.12181", "Convex Markov Games and Beyond", "An abstract."),
        ("2101.00001", "A Replaced Paper", ""),
    ]


def test_a_digest_entry_without_a_title_is_an_error() -> None:
    with pytest.raises(InputError, match=r"arXiv:2306\.07353"):
        parse_digest("\\\\\narXiv:2306.07353\nDate: Mon, 12 Jun 2023 18:21:23 GMT\n\\\\\n x\n")


# --- the arXiv metadata snapshot -------------------------------------------------------------


def test_real_snapshot_lines() -> None:
    text = SNAPSHOT.read_text(encoding="utf-8")
    assert looks_like_snapshot(text) and detect_format(text) == "arxiv-snapshot"
    first, second, old = [item.paper for item in parse_snapshot(text)]
    assert first.key == "0704.0001"
    assert first.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert first.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan")
    assert first.published == date(2007, 4, 2)  # the first version's day
    assert (first.doi, first.categories, first.primary_category) == (
        "10.1103/PhysRevD.76.013009",
        ("hep-ph",),
        "hep-ph",
    )
    assert first.abstract.startswith("A fully differential calculation")
    assert "\n" not in first.abstract  # hard wraps undone
    assert second.categories == ("math.CO", "cs.CG") and second.doi is None
    assert "$(k,\\ell)$" in second.abstract  # math as written
    assert old.key == "hep-th/9608091"
    assert old.authors[0] == "D. Fioravanti"  # affiliations left out
    assert old.source == "arxiv-snapshot"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 1: not valid JSON"),
        ("[1, 2]", "line 1: expected a JSON object"),
        ('{"id": "nonsense", "title": "T"}', "line 1: no arXiv id"),
        ('{"id": "0704.0001", "title": "  "}', "line 1: arXiv:0704.0001 has no title"),
    ],
)
def test_bad_snapshot_lines_are_named(line: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        list(iter_snapshot([line]))


def test_lone_surrogates_and_odd_values_become_unknown() -> None:
    line = (
        '{"id": "0704.0002", "title": "A \\ud800 title", "abstract": null, "authors": 5,'
        ' "categories": "cs.LG bad..cat", "versions": [{"created": "not a date"}],'
        ' "update_date": "2008-02-30"}'
    )
    paper = next(iter_snapshot([line])).paper
    assert paper.title == "A \ufffd title"
    assert (paper.abstract, paper.authors, paper.published) == ("", (), None)
    assert paper.categories == ("cs.LG",)


# --- streamed imports: one transaction, bounded memory ----------------------------------------


def write_snapshot(path: Path, count: int, *, extra: str = "") -> Path:
    from benchmarks.inputs_corpus import snapshot_lines

    with path.open("w", encoding="utf-8") as file:
        for line in snapshot_lines(count, seed=3):
            file.write(line + "\n")
        file.write(extra)
    return path


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 100 papers and 500 kept keys: the paths of a million-paper import, fast."""
    from reader.library import catalog

    monkeypatch.setattr(importing, "STREAM_BATCH", 100)
    monkeypatch.setattr(catalog, "KEPT_KEYS", 500)


def test_a_snapshot_is_imported_in_batches(tmp_path: Path, library: Library, small_batches) -> None:
    path = write_snapshot(tmp_path / "snapshot.json", 1_234)
    progress: list[tuple[int, int]] = []
    done = importing.import_files(
        library, [str(path)], progress=lambda done, total: progress.append((done, total))
    )
    assert done.result.new == 1_234 == len(library)
    assert len(done.result.keys) == 500  # the first ones only: memory stays flat
    assert len(progress) >= 12
    # Progress in bytes of the file, up to its size.
    assert progress[-1] == (path.stat().st_size, path.stat().st_size)
    assert all(done <= total for done, total in progress)
    again = importing.import_files(library, [str(path)]).result
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1_234)


def test_a_bad_line_at_the_end_of_a_snapshot_changes_nothing(
    tmp_path: Path, library: Library, small_batches
) -> None:
    importing.import_files(library, [str(seed_path(1))])
    before = sorted(library.keys())
    path = write_snapshot(tmp_path / "snapshot.json", 1_100, extra='{"id": "0704.0001", ')
    with pytest.raises(InputError, match=r"snapshot\.json: line 1101: not valid JSON"):
        importing.import_files(library, [str(path)])
    assert sorted(library.keys()) == before


def test_a_streamed_import_counts_each_paper_once_across_batches(library: Library) -> None:
    def batch(start: int, stop: int, upvotes: int | None = None) -> list[Incoming]:
        return [
            Incoming(
                Paper(
                    key=f"2601.{n:05d}",
                    title=f"Paper {n}",
                    arxiv_id=f"2601.{n:05d}",
                    upvotes=upvotes,
                )
            )
            for n in range(start, stop)
        ]

    library.import_papers(batch(0, 10))  # ten known before
    result = library.import_stream(
        [batch(5, 15), batch(10, 20), batch(0, 3, upvotes=4), batch(15, 25, upvotes=1)]
    )
    # New: 10..24 (15, 10..14 twice); touched known: 5..9 unchanged (5), then 0, 1, 2
    # changed (upvotes); 3 and 4 were never in the input.
    assert (result.new, result.updated, result.unchanged) == (15, 3, 5)
    assert result.papers == 23 and len(library) == 25
    assert library.entry("2601.00020").paper.upvotes == 1


def test_a_streamed_import_is_all_or_nothing(library: Library) -> None:
    def batches():
        yield [Incoming(Paper(key="2601.00001", title="A", arxiv_id="2601.00001"))]
        raise InputError("broken in the middle")

    with pytest.raises(InputError):
        library.import_stream(batches())
    assert len(library) == 0


# --- --filter during an import ----------------------------------------------------------------


def test_a_filter_takes_one_field_of_the_snapshot(
    tmp_path: Path, library: Library, small_batches
) -> None:
    path = write_snapshot(tmp_path / "snapshot.json", 1_000)
    keep = import_filter("cat:cs.*")
    done = importing.import_files(library, [str(path)], keep=keep)
    assert len(library) == library.count("cat:cs") == done.result.new > 0
    assert done.report.filtered == 1_000 - done.result.new
    assert f"{done.report.filtered} papers left out by the filter" in done.result.summary()


def test_the_filter_agrees_with_the_catalog(library: Library) -> None:
    items = parse_snapshot(SNAPSHOT.read_text(encoding="utf-8"))
    library.import_papers(items)
    rng = random.Random(5)
    queries = [
        "cat:hep",
        "cat:math.CO",
        "-cat:cs",
        "year:2007",
        "year:<2000",
        "after:2007-04-01",
        "doi:10.1103/PhysRevD.76.013009",
        "author:balazs",
        'author:"louis theran"',
        "title:sine",
        "diphoton OR pebble",
        '"pebble game"',
        "gluon -hadron",
        "spars",
        "has:date",
        "has:link",
        "upvotes:0",
        "org:none",
    ]
    for query in queries + [f"{rng.choice(queries)} {rng.choice(queries)}" for _ in range(20)]:
        keep = import_filter(query)
        expected = set(library.keys(query))
        assert {item.paper.key for item in items if keep(item.paper)} == expected, query


@pytest.mark.parametrize("query", ["is:read", "tag:x", "has:note", "-is:starred", "a OR tag:b"])
def test_a_filter_on_reading_state_is_refused(query: str) -> None:
    with pytest.raises(QueryError, match="reading state"):
        import_filter(query)


# --- RIS and CSL-JSON ---------------------------------------------------------------------


def exported_entries(library: Library):
    library.import_papers(parse_snapshot(SNAPSHOT.read_text(encoding="utf-8")))
    importing.import_files(library, [str(INPUTS / "dblp_acl.bib")])
    key = library.keys()[0]
    library.set_tags(key, ["to-read", "thesis"])
    return library.entries()


def test_ris_reads_back_with_rispy(library: Library) -> None:
    import rispy

    entries = exported_entries(library)
    text = EXPORTS["ris"].render(entries)
    records = rispy.loads(text)
    assert len(records) == len(entries)
    by_title = {record["title"]: record for record in records}
    balazs = by_title[entries_by_key(entries)["0704.0001"].paper.title]
    assert balazs["authors"][0] == "Balázs, C."
    assert balazs["doi"] == "10.1103/PhysRevD.76.013009"
    assert balazs["accession_number"] == "arXiv:0704.0001"
    assert balazs["type_of_reference"] == "UNPB"
    assert any(record.get("keywords") == ["to-read", "thesis"] for record in records)
    sennrich = next(r for r in records if r["title"].startswith("Neural Machine"))
    assert sennrich["urls"] == ["https://aclanthology.org/P16_1162"]
    assert all("\n" not in record["abstract"] for record in records if "abstract" in record)


def entries_by_key(entries):
    return {entry.key: entry for entry in entries}


def test_csl_json_reads_back_with_citeproc(library: Library) -> None:
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    entries = exported_entries(library)
    data = json.loads(EXPORTS["csl-json"].render(entries))
    assert [item["id"] for item in data] == sorted(
        [item["id"] for item in data], key=[item["id"] for item in data].index
    )
    source = CiteProcJSON(data)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in data:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(line) for line in bibliography.bibliography()]
    assert len(rendered) == len(entries)
    assert any("Balázs" in line and "2007" in line for line in rendered)
    first = next(item for item in data if item.get("number") == "0704.0001")
    assert first["author"][0] == {"family": "Balázs", "given": "C."}
    assert first["issued"] == {"date-parts": [[2007, 4, 2]]}
    assert first["DOI"] == "10.1103/PhysRevD.76.013009"


def test_the_file_name_picks_ris_and_csl_json() -> None:
    assert for_suffix("refs.ris").name == "ris"  # type: ignore[union-attr]
    assert for_suffix("refs.csl.json").name == "csl-json"  # type: ignore[union-attr]
    assert for_suffix("refs.json").name == "json"  # type: ignore[union-attr]


def test_a_filter_on_similar_papers_is_refused_in_words() -> None:
    with pytest.raises(QueryError) as raised:
        import_filter("similar:2401.00001")
    assert "similar:" in str(raised.value) and "Similar(" not in str(raised.value)
