"""`reader import` on the inputs nobody here wrote: what it says, what it keeps.

The skipped-lines report and `--verbose`, `--filter`, the arXiv mail and snapshot, feeds
without papers in a multi-file import, lists of DOIs, DOIs wherever keys are accepted,
and the new export formats from the command line.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from reader.cli import build_parser
from reader.sources.detect import FORMAT_LIST
from tests.cli import test_fetch_cli
from tests.conftest import FORMATS, Run, seed_path
from tests.unit.page_variants import VARIANTS, sample_pages

INPUTS = Path(__file__).resolve().parents[1] / "fixtures" / "inputs"
routes = test_fetch_cli.routes
"""The local server of `test_fetch_cli`, serving the real arXiv samples."""


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    return Run(tmp_path / "library", capsys)


def test_import_help_names_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["import", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for fmt in FORMAT_LIST:
        assert f"({fmt.name})" in text
        assert " ".join(fmt.label.split()) in text


def test_skipped_lines_are_reported_and_listed_with_verbose(run: Run, tmp_path: Path) -> None:
    page = sample_pages()[2]
    copy = VARIANTS["everything_at_once"](page, random.Random(1))
    path = tmp_path / "page.txt"
    path.write_text(copy.text, encoding="utf-8")
    code, out, err = run("import", str(path))
    assert code == 0, err
    count = len(copy.chrome)
    assert out.startswith("Imported 40 papers: 40 new")
    assert f"skipped {count} lines that are not papers (first: 'Hugging Face')" in out
    assert err == ""
    code, out, err = run("import", str(path), "--verbose")
    listed = [line for line in err.splitlines() if line.startswith("skipped in ")]
    assert len(listed) == count
    assert listed[0] == f"skipped in {path}: Hugging Face"


def test_a_clean_page_reports_nothing_skipped(run: Run) -> None:
    code, out, _ = run("import", str(seed_path(3)))
    assert code == 0 and "skipped 0" not in out and "not papers" not in out


def test_the_digest_and_the_snapshot_import_from_the_command_line(run: Run) -> None:
    digests = sorted(str(path) for path in INPUTS.glob("arxiv_digest_*.txt"))
    code, out, err = run("import", *digests)
    assert code == 0, err
    assert out.startswith("Imported 5 papers: 5 new")
    code, out, err = run("import", str(INPUTS / "arxiv-metadata-oai-snapshot.sample.json"))
    assert code == 0, err
    assert out.startswith("Imported 3 papers: 3 new")
    code, out, _ = run("list", "cat:hep*", "--json")
    assert sorted(paper["key"] for paper in json.loads(out)) == ["0704.0001", "hep-th/9608091"]
    first = next(paper for paper in json.loads(out) if paper["key"] == "0704.0001")
    assert first["doi"] == "10.1103/PhysRevD.76.013009"
    assert first["categories"] == ["hep-ph"] and first["primary_category"] == "hep-ph"


def test_a_filter_selects_during_the_import(run: Run) -> None:
    snapshot = str(INPUTS / "arxiv-metadata-oai-snapshot.sample.json")
    code, out, err = run("import", snapshot, "--filter", "cat:hep-th OR cat:math.*")
    assert code == 0, err
    assert out == (
        "Imported 2 papers: 2 new, 0 updated, 0 skipped (unchanged);"
        " 1 paper left out by the filter.\n"
    )


def test_a_filter_may_name_a_saved_search(run: Run) -> None:
    snapshot = str(INPUTS / "arxiv-metadata-oai-snapshot.sample.json")
    assert run("saved", "add", "theory", "cat:hep-th OR cat:math.*")[0] == 0
    code, out, err = run("import", snapshot, "--filter", "saved:theory")
    assert code == 0, err
    assert out.startswith("Imported 2 papers: 2 new") and "1 paper left out" in out


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("is:read", "reading state"),
        ("cat:", '"cat:" needs a value'),
        ("cat:#x", "arXiv category"),
        ("similar:0704.0001", "the papers of your library"),
    ],
)
def test_a_bad_filter_is_one_error_line(run: Run, query: str, message: str) -> None:
    code, out, err = run("import", str(seed_path(0)), "--filter", query)
    assert code == 1 and out == ""
    assert err.startswith("reader: error: ") and message in err and err.count("\n") == 1


def test_an_empty_feed_among_other_files_is_a_warning(run: Run) -> None:
    code, out, err = run(
        "import", str(FORMATS / "arxiv_rss_empty.xml"), str(INPUTS / "dblp_acl.bib")
    )
    assert code == 0, err
    assert "3 new" in out
    assert "warning: " in out and "holds no papers (an empty arXiv RSS listing)" in out


def test_an_empty_feed_alone_imports_nothing_and_says_why(run: Run) -> None:
    code, out, err = run("import", str(FORMATS / "arxiv_rss_empty.xml"))
    assert code == 0, err
    assert out.startswith("Imported 0 papers") and "holds no papers" in out


def test_a_list_of_dois_fetches_the_arxiv_ones(
    run: Run, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    server: test_fetch_cli.Routes = request.getfixturevalue("routes")
    ids = tmp_path / "ids.txt"
    ids.write_text(
        "# from a reading list\n10.48550/arXiv.2606.13677\nhttps://doi.org/10.1063/1.4944470\n",
        encoding="utf-8",
    )
    code, out, err = run("import", str(ids))
    assert code == 0, err
    assert [params["id_list"] for path, params in server.seen if path == "/api/query"] == [
        "2606.13677"
    ]
    assert "1 DOI that arXiv cannot look up (first: 10.1063/1.4944470)" in out


def test_dois_work_wherever_keys_do(run: Run) -> None:
    run("import", str(FORMATS / "arxiv_api_legacy_doi.atom.xml"))
    for given in (
        "10.1063/1.4944470",
        "doi:10.1063/1.4944470",
        "https://doi.org/10.1063/1.4944470",
    ):
        code, out, err = run("show", given)
        assert code == 0, err
        assert "DOI:" in out and "10.1063/1.4944470" in out
        assert "Categories: cond-mat.mes-hall (primary)" in out
    code, out, err = run("mark", "https://doi.org/10.1063/1.4944470", "--star")
    assert code == 0, err
    code, out, _ = run("list", "is:starred doi:10.1063/1.4944470")
    assert out.startswith("1601.00001")
    code, _, err = run("show", "10.9999/unknown")
    assert code == 1 and "no paper" in err


def test_ris_and_csl_json_from_the_command_line(run: Run, tmp_path: Path) -> None:
    run("import", str(FORMATS / "arxiv_api_legacy_doi.atom.xml"))
    code, _, err = run("export", "--all", "-o", str(tmp_path / "refs.ris"))
    assert code == 0 and "(RIS)" in err
    assert "DO  - 10.1063/1.4944470" in (tmp_path / "refs.ris").read_text(encoding="utf-8")
    code, _, err = run("export", "--all", "-o", str(tmp_path / "refs.csl.json"))
    assert code == 0 and "(CSL-JSON)" in err
    data = json.loads((tmp_path / "refs.csl.json").read_text(encoding="utf-8"))
    assert data[0]["DOI"] == "10.1063/1.4944470"
