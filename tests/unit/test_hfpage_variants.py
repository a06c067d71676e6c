"""Copied pages made the ways users make them give exactly the sample page's papers.

Every variant of `page_variants` (chrome around the page, per-card "Upvote" and counts,
"Submitted by" lines, two halves with every kind of seam, the page twice, other line
ends) is applied to every sample page, under three seeds; a property test inserts random
chrome lines between cards. The skipped lines that look like text are reported.
"""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.sources.hfpage import read_page
from tests.unit.page_variants import CHROME, VARIANTS, join, sample_pages

TODAY = date(2026, 11, 21)
PAGES = sample_pages()


def papers_of(text: str) -> list[object]:
    return [item.paper for item in read_page(text, today=TODAY).items]


def assert_same_papers(found: list, expected: list) -> None:
    # Titles first: a failure then shows a short diff, not forty abstracts.
    assert [paper.title for paper in found] == [paper.title for paper in expected]
    assert found == expected


def test_there_are_sample_pages_and_variants() -> None:
    assert len(PAGES) >= 4
    assert len(VARIANTS) >= 12


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", sorted(VARIANTS))
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name[:3])
def test_every_variant_gives_exactly_the_pages_papers(page, name: str, seed: int) -> None:
    copy = VARIANTS[name](page, random.Random(seed))
    reading = read_page(copy.text, today=TODAY)
    assert_same_papers([item.paper for item in reading.items], papers_of(page.text))
    # Every line of text the variant added is reported, and nothing else.
    assert sorted(reading.skipped) == sorted(copy.chrome)


def test_the_sample_pages_themselves_skip_nothing() -> None:
    for page in PAGES:
        assert read_page(page.text, today=TODAY).skipped == []


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_chrome_between_cards_changes_no_paper(data: st.DataObject) -> None:
    page = data.draw(st.sampled_from(PAGES))
    lines = list(page.header)
    inserted: list[str] = []
    for card in page.cards:
        chrome = data.draw(st.lists(st.sampled_from(CHROME), max_size=3))
        lines += chrome + card
        inserted += chrome
    tail = data.draw(st.lists(st.sampled_from(CHROME), max_size=3))
    reading = read_page(join(lines + tail), today=TODAY)
    assert_same_papers([item.paper for item in reading.items], papers_of(page.text))
    texts = [line for line in inserted + tail if any(char.isalpha() for char in line)]
    assert sorted(reading.skipped) == sorted(texts)


def test_a_wrapped_abstract_joins_its_paper() -> None:
    page = PAGES[0]
    card = page.cards[2]
    cut = card[1].index(" ", len(card[1]) // 2)
    wrapped = [*card[:1], card[1][:cut], card[1][cut + 1 :], *card[2:]]
    lines = page.header + [ln for c in page.cards[:2] for ln in c] + wrapped
    lines += [ln for c in page.cards[3:] for ln in c]
    assert_same_papers(papers_of(join(lines)), papers_of(page.text))


def test_a_short_tail_of_a_wrapped_abstract_joins_it() -> None:
    page = PAGES[0]  # no metadata blocks: the tail sits right before the next title
    card = page.cards[0]
    cut = card[1].rindex(" ", 0, len(card[1]) - 5)
    lines = [*page.header, card[0], card[1][:cut], card[1][cut + 1 :]]
    lines += [ln for c in page.cards[1:] for ln in c]
    reading = read_page(join(lines), today=TODAY)
    assert_same_papers([item.paper for item in reading.items], papers_of(page.text))
    assert reading.skipped == []


def test_a_paper_needs_an_abstract_or_metadata() -> None:
    text = join(["A Title Alone", "Another Title", "We study a problem at length. " * 10])
    reading = read_page(text, today=TODAY)
    assert [item.paper.title for item in reading.items] == ["Another Title"]
    assert reading.skipped == ["A Title Alone"]
