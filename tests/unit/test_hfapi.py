"""Tests of the Hugging Face API reader against real captured responses."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from reader.errors import InputError
from reader.sources.hfapi import looks_like_hf_api, parse_daily_papers, parse_paper
from tests.conftest import FORMATS


def sample(name: str) -> str:
    return (FORMATS / name).read_text(encoding="utf-8")


def test_current_daily_papers_fields():
    papers = parse_daily_papers(sample("hf_daily_papers.json"))
    assert [item.paper.key for item in papers] == ["2606.11409", "2606.09290", "2606.08063"]
    first = papers[0].paper
    assert first.title == (
        "Risk Under Pressure: Compute-Aware Evaluation of Adversarial Robustness in Language Models"
    )
    assert first.arxiv_id == "2606.11409"
    assert first.url == "https://arxiv.org/abs/2606.11409"
    assert first.authors == (
        "Malikeh Ehghaghi",
        "Boglárka Ecsedi",
        "Marsha Chechik",
        "Colin Raffel",
    )
    assert first.author_count == 4
    assert first.organization == "r-three"
    # paper.publishedAt (the arXiv day), not the top-level publishedAt 4 hours earlier.
    assert first.published == date(2026, 6, 9)
    assert first.upvotes == 8
    assert first.source == "hf-api"
    assert first.abstract.startswith("Adversarial robustness evaluations of large language models")
    assert papers[0].state is None
    assert first.featured == date(2026, 6, 12)
    assert first.comments == 3
    assert first.github == "https://github.com/r-three/risk-under-pressure"
    assert first.project_page is None


def test_minimal_and_project_page_items():
    papers = parse_daily_papers(sample("hf_daily_papers.json"))
    minimal = papers[1].paper
    assert minimal.organization is None
    assert minimal.published == date(2026, 6, 8)
    assert minimal.upvotes == 7
    # The author with a linked HF user is listed by display name, not the username.
    assert "Zizhao Tong" in minimal.authors
    assert "zizhaotong" not in minimal.authors
    assert minimal.github is None
    assert minimal.project_page is None
    rich = papers[2].paper
    assert rich.upvotes == 74
    assert rich.project_page == "https://huggingface.co/spaces/Jiaqi-hkust/Robust-U1"
    assert rich.github == "https://github.com/jqtangust/Robust-U1"


def test_legacy_schema_collapses_wrapped_title_and_abstract():
    papers = parse_daily_papers(sample("hf_daily_papers_2024-10_legacy.json"), source="hf-archive")
    (item,) = papers
    paper = item.paper
    assert paper.key == "2410.17243"
    assert paper.title == (
        "Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss"
    )
    assert "\n" not in paper.abstract
    assert paper.abstract.startswith("Contrastive loss is a powerful approach for representation")
    assert "learning, where larger batch" in paper.abstract
    assert paper.upvotes == 64
    assert paper.published == date(2024, 10, 22)
    assert paper.organization is None
    assert paper.author_count == 9
    assert paper.authors[-1] == "Lidong Bing"
    assert paper.source == "hf-archive"
    # No submittedOnDailyAt in 2024: the item's own publishedAt was the submission time.
    assert (paper.featured, paper.comments) == (date(2024, 10, 25), 3)
    assert (paper.github, paper.project_page) == (None, None)


def test_paper_detail():
    item = parse_paper(sample("hf_paper.json"))
    paper = item.paper
    assert paper.key == "2608.09888"
    assert paper.title == "BDH-CQ: In-Context Learning with Recurrent Latent Reasoning"
    assert paper.authors[0] == "Björn Engdahl"
    assert paper.authors[4] == "Przemysław Uznański"
    assert paper.author_count == 9
    assert paper.upvotes == 782
    assert paper.organization == "Pathway"
    assert paper.published == date(2026, 8, 10)
    # The TeX-ish backslash is the paper's own text and stays.
    assert "\\$0.0007" in paper.abstract
    assert paper.featured == date(2026, 8, 11)
    assert paper.comments is None
    assert paper.github == "https://github.com/pathwaycom/arc-task-gen"
    assert paper.project_page is not None and paper.project_page.startswith("https://pathway.com/")
    assert parse_paper(json.loads(sample("hf_paper.json"))).paper == paper


def test_hidden_authors_are_skipped():
    data = json.loads(sample("hf_daily_papers.json"))
    data[0]["paper"]["authors"][1]["hidden"] = True
    (paper, *_rest) = parse_daily_papers(data)
    assert paper.paper.authors == ("Malikeh Ehghaghi", "Marsha Chechik", "Colin Raffel")
    assert paper.paper.author_count == 3


def test_top_level_organization_is_a_fallback():
    data = json.loads(sample("hf_daily_papers.json"))
    del data[0]["paper"]["organization"]
    data[0]["organization"] = {"name": "acme-ai", "fullname": "Acme AI Lab"}
    assert parse_daily_papers(data)[0].paper.organization == "Acme AI Lab"
    data[0]["organization"] = {"name": "acme-ai"}
    assert parse_daily_papers(data)[0].paper.organization == "acme-ai"


def test_empty_array_is_no_papers_not_an_error():
    assert parse_daily_papers("[]") == []


def test_duplicate_items_are_kept_once():
    data = json.loads(sample("hf_daily_papers.json"))
    papers = parse_daily_papers([*data, data[0]])
    assert [item.paper.key for item in papers] == ["2606.11409", "2606.09290", "2606.08063"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"paper": {"id": "2606.11409"', "not valid JSON"),
        ('{"papers": []}', "expected a JSON array"),
        ("[1, 2]", 'item 1: expected an object with a "paper" object'),
        ('[{"paper": {"title": "No id"}}]', 'item 1: the paper has no "id"'),
        ('[{"paper": {"id": "2606.11409"}}]', "item 1: paper 2606.11409 has no title"),
        ('{"error": "Invalid date\\nformat"}', "Hugging Face API error: Invalid date format"),
    ],
)
def test_malformed_input_raises_one_line_input_error(text, message):
    with pytest.raises(InputError) as caught:
        parse_daily_papers(text)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"error": "\x1b]52;c;cHduZWQ=\x07\u009b2J \ud800 bad" * 200}),
        json.dumps([{"paper": {"id": "\x1b[2J\x1b]0;pwned\x07\ud800" * 200, "title": 5}}]),
    ],
    ids=["api-error", "item-id"],
)
def test_server_words_in_errors_are_printable_and_short(text):
    # Such messages end up on the terminal (reader import, reader fetch, the app's status line).
    with pytest.raises(InputError) as caught:
        parse_daily_papers(text)
    message = str(caught.value)
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]", message)
    assert len(message) < 300


def test_paper_detail_wrong_shape():
    with pytest.raises(InputError, match="expected a JSON object"):
        parse_paper("[]")


def test_sniffer():
    assert looks_like_hf_api(sample("hf_daily_papers.json"))
    assert looks_like_hf_api(sample("hf_daily_papers_2024-10_legacy.json"))
    assert looks_like_hf_api(json.dumps(json.loads(sample("hf_daily_papers.json")), indent=2))
    # The detail endpoint is a bare object; the library's own JSON has no "paper" wrapper.
    assert not looks_like_hf_api(sample("hf_paper.json"))
    assert not looks_like_hf_api('[{"key": "2606.11409", "title": "A paper"}]')
    assert not looks_like_hf_api('[{"paper": {"title": "no id"}}]')
    assert not looks_like_hf_api('[{"paper": {"id": "2606.11409"')
    assert not looks_like_hf_api("[]")
    assert not looks_like_hf_api("Daily Papers\nSome title")


# --- hostile values ------------------------------------------------------------------------


def one_item(paper: dict[str, object], **item: object) -> str:
    """A Daily Papers answer of one item, the paper's other fields from the first sample."""
    base = json.loads(sample("hf_daily_papers.json"))[0]
    return json.dumps([{**base, **item, "paper": {**base["paper"], **paper}}])


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("99999999999999999999999", None),
        (str(2**63), None),
        (str(2**63 - 1), 2**63 - 1),
        ("1e400", None),
        ("-3", None),
        ("9" * 5000, None),
        ("-" + "9" * 5000, None),
        ("12", 12),
    ],
    ids=["huge", "2**63", "2**63-1", "1e400", "negative", "5000-digits", "-5000-digits", "12"],
)
def test_a_count_that_cannot_be_stored_is_unknown_and_the_paper_kept(library, raw, kept):
    text = one_item({"upvotes": "@upvotes@"}, numComments="@comments@")
    text = text.replace('"@upvotes@"', raw).replace('"@comments@"', raw)
    (item,) = parse_daily_papers(text)
    assert (item.paper.upvotes, item.paper.comments) == (kept, kept)
    library.import_papers([item])
    stored = library.entry(item.paper.key).paper
    assert (stored.upvotes, stored.comments) == (kept, kept)


def test_a_huge_number_does_not_break_the_sniffer():
    assert looks_like_hf_api(one_item({"upvotes": "@"}).replace('"@"', "9" * 5000))


def test_lone_surrogates_become_replacement_characters(library):
    text = one_item(
        {
            "title": "Lone \ud800 surrogate",
            "summary": "An abstract \udfff here",
            "authors": [{"name": "A. \udc00uthor"}],
            "organization": {"fullname": "Org \ud83d"},
            "githubRepo": "https://github.com/\ud800",
        }
    )
    # json.dumps wrote the escapes as text; make them JSON escapes again.
    text = text.replace("\\\\u", "\\u")
    (item,) = parse_daily_papers(text)
    paper = item.paper
    assert paper.title == "Lone \ufffd surrogate"
    assert paper.abstract == "An abstract \ufffd here"
    assert paper.authors == ("A. \ufffduthor",)
    assert paper.organization == "Org \ufffd"
    assert paper.github == "https://github.com/\ufffd"
    library.import_papers([item])
    assert library.entry(paper.key).paper.title == "Lone \ufffd surrogate"


def test_a_lone_surrogate_in_an_id_without_arxiv_id_is_replaced(library):
    text = json.dumps([{"paper": {"id": "x", "title": "No arXiv id"}}]).replace('"x"', '"\\ud800"')
    (item,) = parse_daily_papers(text)
    assert item.paper.url == "https://huggingface.co/papers/\ufffd"
    library.import_papers([item])
    assert library.entry(item.paper.key).paper.url == item.paper.url


@pytest.mark.parametrize(
    "stamp",
    ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00", "2026-02-30T00:00:00Z", "soon"],
)
def test_a_timestamp_that_names_no_real_instant_is_unknown(library, stamp):
    (item,) = parse_daily_papers(one_item({"publishedAt": stamp, "submittedOnDailyAt": stamp}))
    assert (item.paper.published, item.paper.featured) == (None, None)
    library.import_papers([item])


def test_extreme_but_real_timestamps_are_kept():
    (item,) = parse_daily_papers(
        one_item({"publishedAt": "9999-12-31T23:59:59Z", "submittedOnDailyAt": "0001-01-01"})
    )
    assert (item.paper.published, item.paper.featured) == (date(9999, 12, 31), date(1, 1, 1))


@pytest.mark.parametrize("title", ["5", "null", "[]", '{"text": "A title"}', "true"])
def test_a_title_that_is_no_string_falls_back_to_the_item_title_or_refuses(title):
    text = one_item({"title": "@"}).replace('"@"', title)
    (item,) = parse_daily_papers(text)
    assert item.paper.title.startswith("Risk Under Pressure")  # The item's own title.
    text = one_item({"title": "@"}, title="@").replace('"@"', title)
    with pytest.raises(InputError, match=r"item 1: paper 2606\.11409 has no title"):
        parse_daily_papers(text)


def test_deeply_nested_json_is_refused():
    text = one_item({"authors": "@"}).replace('"@"', "[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match="nested too deeply"):
        parse_daily_papers(text)
