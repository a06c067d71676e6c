"""Tests of the Hugging Face "Daily Papers" page reader against real copied pages."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.errors import InputError
from reader.identity import normalize_title, paper_key
from reader.model import Paper
from reader.sources.hfpage import _has_letter, looks_like_page, page_date, parse_page

REPO = Path(__file__).resolve().parents[2]
# A fixed "today" keeps the year inference independent of when the tests run.
TODAY = date(2026, 11, 21)
HEADER = [
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
]
ABSTRACT = "We study a problem at length. " * 10


def seed_dir() -> Path:
    """The bundled samples when the repo has them, else the shared seed folder."""
    bundled = REPO / "reader" / "data" / "samples"
    if bundled.is_dir() and any(bundled.glob("00[0-3]_*.txt")):
        return bundled
    return REPO.parent / "shared" / "seeds"


@cache
def seed(number: int) -> str:
    (path,) = seed_dir().glob(f"{number:03d}_*.txt")
    return path.read_text(encoding="utf-8")


def papers(text: str, **kwargs) -> list[Paper]:
    kwargs.setdefault("today", TODAY)
    return [incoming.paper for incoming in parse_page(text, **kwargs)]


def by_title(found: list[Paper], start: str) -> Paper:
    (match,) = [paper for paper in found if paper.title.startswith(start)]
    return match


def page(*lines: str) -> str:
    return "\n\n".join(lines) + "\n"


# --- counts and the shape of every result -------------------------------------------------


@pytest.mark.parametrize(("number", "expected"), [(0, 9), (1, 32), (2, 40), (3, 40)])
def test_seed_paper_counts(number: int, expected: int) -> None:
    assert len(papers(seed(number))) == expected


def test_all_seeds_together_hold_93_distinct_papers() -> None:
    titles = {normalize_title(p.title) for number in range(4) for p in papers(seed(number))}
    assert len(titles) == 93


@pytest.mark.parametrize("number", range(4))
def test_incoming_fields_for_page_papers(number: int) -> None:
    for incoming in parse_page(seed(number), today=TODAY):
        paper = incoming.paper
        assert incoming.state is None
        assert paper.key == paper_key(None, paper.title)
        assert paper.key.startswith("t-")
        assert (paper.arxiv_id, paper.url, paper.added, paper.authors) == (None, None, None, ())
        assert paper.source == "hf-page"
        assert paper.title == " ".join(paper.title.split())
        assert paper.title not in HEADER
        assert len(paper.abstract) > 100


def test_source_name_is_passed_through() -> None:
    assert {p.source for p in papers(seed(2), source="clipboard")} == {"clipboard"}


# --- seed 000: no metadata at all -----------------------------------------------------------


def test_seed_000_papers_have_no_metadata() -> None:
    found = papers(seed(0))
    assert found[0].title == (
        "Towards Robust and Adaptive Motion Forecasting: A Causal Representation Perspective"
    )
    assert found[0].abstract.startswith("Learning behavioral patterns from observational data")
    assert found[0].abstract.endswith("out-of-distribution generalization and low-shot transfer.")
    assert (
        found[-1].title == "Mechanistic interpretability for steering vision-language-action models"
    )
    for paper in found:
        assert (paper.author_count, paper.organization, paper.published, paper.upvotes) == (
            None,
            None,
            None,
            None,
        )


def test_seed_000_page_date_has_todays_year() -> None:
    assert page_date(seed(0), today=TODAY) == date(2026, 9, 9)


# --- seed 001: author counts, explicit years --------------------------------------------------


def test_seed_001_page_order_and_metadata() -> None:
    found = papers(seed(1))
    assert found[0].title.startswith("Towards Robust and Adaptive Motion Forecasting")
    assert found[1].title == "Edit-A-Video: Single Video Editing with Object-Aware Consistency"
    assert found[-1].title == (
        "Which Invariance Should We Transfer? A Causal Minimax Learning Approach"
    )
    first = found[0]
    assert (first.author_count, first.published, first.upvotes) == (5, date(2021, 11, 29), 0)


def test_seed_001_date_with_year_and_upvotes() -> None:
    paper = by_title(papers(seed(1)), "Discovering Hierarchical Latent Capabilities")
    assert (paper.author_count, paper.published, paper.upvotes) == (4, date(2025, 6, 12), 2)
    assert paper.abstract.startswith("Faithful evaluation of language model capabilities")


def test_seed_001_author_counts() -> None:
    found = papers(seed(1))
    assert by_title(found, "Alpamayo-R1:").author_count == 43
    assert by_title(found, "Adaptive Sparse Allocation with Mutual Choice").author_count == 1
    assert by_title(found, "SparseByteNN:").author_count == 10
    assert all(p.organization is None for p in found)


# --- seed 002: yearless dates, organizations ------------------------------------------------


def test_seed_002_yearless_date_with_upvotes() -> None:
    paper = papers(seed(2))[0]
    assert paper.title == "MotionRAG: Motion Retrieval-Augmented Image-to-Video Generation"
    assert paper.abstract.startswith("Image-to-video generation has made remarkable progress")
    assert (paper.author_count, paper.published, paper.upvotes) == (5, date(2025, 9, 30), 2)


def test_seed_002_yearless_date_without_upvotes() -> None:
    paper = by_title(papers(seed(2)), "The Impossibility of Inverse Permutation Learning")
    assert (paper.published, paper.upvotes) == (date(2025, 9, 28), 0)


def test_seed_002_explicit_year_with_upvotes() -> None:
    paper = by_title(papers(seed(2)), "Mogo: RQ Hierarchical Causal Transformer")
    assert (paper.author_count, paper.published, paper.upvotes) == (1, date(2024, 12, 5), 2)


@pytest.mark.parametrize(
    ("start", "organization", "published", "upvotes"),
    [
        ("SoundReactor:", "Sony", date(2025, 10, 2), 2),
        ("KaLM-Embedding-V2:", "KaLM-Embedding", date(2025, 6, 25), 0),
        ("ADAM: An Embodied Causal Agent", "OpenCausaLab", date(2024, 10, 29), 0),
    ],
)
def test_seed_002_organizations(
    start: str, organization: str, published: date, upvotes: int
) -> None:
    paper = by_title(papers(seed(2)), start)
    assert paper.organization == organization
    assert paper.author_count is None
    assert (paper.published, paper.upvotes) == (published, upvotes)
    assert paper.byline == organization


def test_seed_002_page_date() -> None:
    assert page_date(seed(2), today=TODAY) == date(2025, 12, 9)


# --- seed 003 ---------------------------------------------------------------------------------


def test_seed_003_organization_with_handle() -> None:
    paper = by_title(papers(seed(3)), "Envision: Benchmarking Unified Understanding")
    assert paper.organization == "OpenDataLab"
    assert (paper.published, paper.upvotes) == (date(2025, 12, 1), 5)


def test_seed_003_paper_without_metadata_keeps_the_next_paper_intact() -> None:
    found = papers(seed(3))
    titles = [p.title for p in found]
    lost = by_title(found, "Approaching an unknown communication system")
    assert lost.title == (
        "Approaching an unknown communication system by latent space exploration and causal "
        "inference"
    )
    assert lost.abstract.startswith("This paper proposes a methodology for discovering")
    assert (lost.author_count, lost.organization, lost.published, lost.upvotes) == (
        None,
        None,
        None,
        None,
    )
    following = found[titles.index(lost.title) + 1]
    assert following.title.startswith("iReason: Multimodal Commonsense Reasoning")
    assert following.abstract.startswith("Causality knowledge is vital")
    assert (following.author_count, following.published) == (2, date(2021, 6, 24))


def test_seed_003_all_for_one() -> None:
    # The copied page does carry "• 4 authors" for this paper.
    paper = by_title(papers(seed(3)), "All for One: LLMs Solve Mental Math")
    assert paper.abstract.startswith("Large language models (LLMs) demonstrate proficiency")
    assert (paper.author_count, paper.published, paper.upvotes) == (4, date(2025, 9, 11), 0)


def test_seed_003_first_and_last() -> None:
    found = papers(seed(3))
    assert found[0].title == "Attention Is Not What You Need"
    assert (found[0].author_count, found[0].published) == (1, date(2025, 12, 22))
    last = found[-1]
    assert (
        last.title == "EasyControl: Adding Efficient and Flexible Control for Diffusion Transformer"
    )
    assert (last.published, last.upvotes) == (date(2025, 3, 10), 2)


def test_same_paper_gets_the_same_date_on_every_page() -> None:
    """Seed 002 shows "Apr 17", seed 003 "Apr 17, 2025": the year inference must agree."""
    start = "SHA256 at SemEval-2025 Task 4"
    assert by_title(papers(seed(2)), start).published == date(2025, 4, 17)
    assert by_title(papers(seed(3)), start).published == date(2025, 4, 17)
    dates: dict[str, set[date]] = {}
    for number in range(4):
        for paper in papers(seed(number)):
            if paper.published is not None:
                dates.setdefault(normalize_title(paper.title), set()).add(paper.published)
    assert all(len(seen) == 1 for seen in dates.values())
    assert sum(1 for seen in dates.values() if seen) > 60


# --- the year of yearless dates -----------------------------------------------------------------


def test_year_argument_overrides_the_capture_year() -> None:
    found = papers(seed(2), year=2023)
    assert found[0].published == date(2023, 9, 30)
    # Explicit years stay as written.
    assert by_title(found, "Mogo:").published == date(2024, 12, 5)
    assert page_date(seed(2), year=2023, today=TODAY) == date(2023, 12, 9)


def test_capture_year_is_never_after_today() -> None:
    text = page(*HEADER, "Jun 1", "A", ABSTRACT, "• 2 authors", "·", "Mar 3, 2024")
    text += page("B", ABSTRACT, "• 3 authors", "·", "May 2 7")
    found = papers(text, today=date(2024, 6, 2))
    assert found[1].published == date(2024, 5, 2)
    assert found[1].upvotes == 7
    # A year later the same page still follows its explicit years: 2024 + 1.
    assert papers(text, today=date(2027, 1, 1))[1].published == date(2025, 5, 2)


def test_yearless_date_after_the_header_date_is_from_the_year_before() -> None:
    entries = []
    for title, when in [("A", "Dec 20"), ("B", "Dec 9"), ("C", "Nov 30 4"), ("D", "Mar 1, 2023")]:
        entries += [title, ABSTRACT, "• 1 authors", "·", when]
    found = papers(page(*HEADER, "Dec 9", *entries))
    assert [p.published for p in found] == [
        date(2023, 12, 20),
        date(2024, 12, 9),
        date(2024, 11, 30),
        date(2023, 3, 1),
    ]
    assert found[2].upvotes == 4


def test_without_header_date_yearless_dates_compare_with_today() -> None:
    text = page("A", ABSTRACT, "• 1 authors", "·", "Feb 10", "B", ABSTRACT, "• 1 authors")
    text += page("·", "Dec 20 3")
    found = papers(text, today=date(2025, 3, 1))
    assert [p.published for p in found] == [date(2025, 2, 10), date(2024, 12, 20)]
    assert page_date(text, today=TODAY) is None


def test_page_without_explicit_years_uses_todays_year() -> None:
    text = page(*HEADER, "Oct 5", "A", ABSTRACT, "• 1 authors", "·", "Sep 30")
    assert papers(text, today=date(2025, 11, 1))[0].published == date(2025, 9, 30)
    assert page_date(text, today=date(2025, 11, 1)) == date(2025, 10, 5)


def test_impossible_day_gives_no_date_but_keeps_upvotes() -> None:
    text = page(*HEADER, "Mar 9", "A", ABSTRACT, "• 1 authors", "·", "Feb 30, 2024 3")
    paper = papers(text)[0]
    assert (paper.published, paper.upvotes, paper.author_count) == (None, 3, 1)


def test_dot_and_date_without_a_byline() -> None:
    text = page(*HEADER, "Mar 9", "A", ABSTRACT, "·", "Mar 2, 2024 6", "B", ABSTRACT)
    found = papers(text)
    assert [p.title for p in found] == ["A", "B"]
    assert (found[0].author_count, found[0].organization) == (None, None)
    assert (found[0].published, found[0].upvotes) == (date(2024, 3, 2), 6)
    assert found[1].published is None


def test_organization_display_name_with_spaces() -> None:
    text = page("A", ABSTRACT, "facebook AI at Meta", "·", "Jan 2, 2024")
    assert papers(text)[0].organization == "AI at Meta"


# --- deduplication ------------------------------------------------------------------------------


def test_repeated_paper_keeps_first_and_fills_unknowns() -> None:
    text = page(*HEADER, "Mar 9", "Edit-A-Video: Single Video", ABSTRACT, "Other", ABSTRACT)
    text += page("edit a video  single video", "later abstract " * 10, "• 5 authors", "·")
    text += page("Mar 1, 2024 3")
    found = papers(text)
    assert [p.title for p in found] == ["Edit-A-Video: Single Video", "Other"]
    merged = found[0]
    assert merged.abstract == ABSTRACT.strip()
    assert (merged.author_count, merged.published, merged.upvotes) == (5, date(2024, 3, 1), 3)
    assert merged.key == paper_key(None, "Edit-A-Video: Single Video")


def test_pasted_pages_keep_their_own_years() -> None:
    found = papers(seed(2) + "\n" + seed(3))  # seed 002 has no final newline
    expected = {normalize_title(p.title) for p in papers(seed(2)) + papers(seed(3))}
    assert {normalize_title(p.title) for p in found} == expected
    assert len(found) == len(expected)
    assert not {p.title for p in found} & set(HEADER)
    # MotionRAG's "Sep 30" belongs to seed 002's page (2025), not to seed 003's (2026).
    assert by_title(found, "MotionRAG:").published == date(2025, 9, 30)


# --- damaged copies ---------------------------------------------------------------------------


def _non_empty_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_blank_lines_lost_and_subscribe_run_into_first_title() -> None:
    lines = _non_empty_lines(seed(1))
    assert lines[2:6] == ["Subscribe", "Daily Papers", "byAK and the research community", "Jan 7"]
    damaged = [*lines[:2], "Subscribe" + lines[6], *lines[7:]]
    assert damaged[2].startswith("SubscribeTowards Robust")
    assert papers("\n".join(damaged)) == papers(seed(1))


@pytest.mark.parametrize(
    "glue",
    [
        ["new", "Get trending papers in your email inbox!", "SubscribeDaily Papers"],
        ["newGet trending papers in your email inbox!SubscribeDaily Papers"],
    ],
)
def test_header_words_run_together(glue: list[str]) -> None:
    lines = _non_empty_lines(seed(2))
    damaged = [*glue, "byAK and the research community" + lines[5] + lines[6], *lines[7:]]
    assert damaged[len(glue)].startswith("byAK and the research communityDec 9MotionRAG")
    assert papers("\n".join(damaged)) == papers(seed(2))
    assert page_date("\n".join(damaged), today=TODAY) == date(2025, 12, 9)


def test_run_in_is_only_stripped_in_the_header() -> None:
    text = page(*HEADER, "Mar 9", "A", ABSTRACT, "SubscribeX: a title", ABSTRACT)
    assert [p.title for p in papers(text)] == ["A", "SubscribeX: a title"]


def test_title_starting_with_new_is_not_a_run_in() -> None:
    text = page("newton's method revisited", ABSTRACT)
    assert papers(text)[0].title == "newton's method revisited"


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda t: t.replace("\n", "\r"), id="cr"),
        pytest.param(lambda t: "\ufeff" + t, id="bom"),
        pytest.param(lambda t: t.replace(" ", "\u00a0"), id="nbsp"),
        pytest.param(lambda t: t.replace(" ", "\u202f"), id="narrow-nbsp"),
        pytest.param(lambda t: t.replace("\n", " \t\n"), id="trailing-whitespace"),
        pytest.param(lambda t: "\ufeff" + t.replace("\n", "\u00a0\r\n"), id="all-together"),
    ],
)
@pytest.mark.parametrize("number", [1, 2, 3])
def test_encoding_variants_give_identical_papers(transform, number: int) -> None:
    assert papers(transform(seed(number))) == papers(seed(number))


def test_title_whitespace_is_collapsed() -> None:
    text = page("  Sparse \t  Attention\u00a0 Networks  ", ABSTRACT)
    assert papers(text)[0].title == "Sparse Attention Networks"


@pytest.mark.parametrize(
    "text", ["", "   \n\n  ", "\n".join(HEADER), page(*HEADER, "Sep 9"), "\ufeff\r\n"]
)
def test_no_papers_raises_input_error(text: str) -> None:
    with pytest.raises(InputError, match="no papers"):
        parse_page(text, today=TODAY)


# --- sniffing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("number", range(4))
def test_looks_like_page_for_seeds(number: int) -> None:
    assert looks_like_page(seed(number))


def test_looks_like_page_from_metadata_without_header() -> None:
    body = "\n".join(_non_empty_lines(seed(1))[6:])
    assert looks_like_page(body)
    assert looks_like_page(page("A", "short", "  • 3 authors"))


def test_looks_like_page_for_plain_title_abstract_text() -> None:
    body = "\n".join(_non_empty_lines(seed(0))[6:])
    assert looks_like_page(body)
    assert looks_like_page(page("A Title", ABSTRACT, "Another Title", ABSTRACT))


@pytest.mark.parametrize(
    "text",
    [
        '{"papers": [{"title": "Daily Papers"}]}',
        '\ufeff  \n[{"title": "A"}]',
        "@article{x,\n  title = {Daily Papers},\n}\n",
        "  @misc{y, title={A}}",
        "",
        "just a note\nwith two short lines\n",
        "A Title\nshort abstract\nAnother\nalso short\n",
        page(ABSTRACT, "A Title"),
        "title,abstract\n" + ABSTRACT,
        "title\tabstract\n" + ABSTRACT,
        "new\n" * 20_000,
    ],
)
def test_looks_like_page_rejects_other_text(text: str) -> None:
    assert not looks_like_page(text)


@given(st.text(max_size=40) | st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_a_line_has_a_letter_when_a_character_is_alphabetic(line: str) -> None:
    # ASCII lines take a shortcut (a regex instead of a loop over the characters).
    assert _has_letter(line) == any(char.isalpha() for char in line)
