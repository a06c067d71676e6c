"""Copies of a Daily Papers page made the ways users make them, for the page parser's tests.

A sample page is cut into its header and its cards (one per paper: title, abstract,
metadata); a variant puts it back together with what browsers and people add: the site's
chrome around it, an "Upvote" button and a count on every card, "Submitted by" lines, the
page copied in two halves (a clean seam, a seam in the middle of an abstract, halves that
overlap), the page pasted twice, other line ends and spacing.

A new variant is one function registered with `@variant`: it gets the `Page` and a seeded
`random.Random`, and returns the text plus the text lines it added that are not papers
(which the parser must report as skipped).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reader.sources.hfpage import parse_page

REPO = Path(__file__).resolve().parents[2]
SAMPLE_FOLDERS = (REPO / "reader" / "data" / "samples", REPO.parent / "shared" / "seeds")

SITE_TOP = [
    "Hugging Face",
    "Models",
    "Datasets",
    "Spaces",
    "Community",
    "Docs",
    "Enterprise",
    "Pricing",
    "Log In",
    "Sign Up",
]
SITE_BOTTOM = [
    "Previous",
    "1",
    "2",
    "3",
    "…",
    "8",
    "Next",
    "View all papers",
    "System theme",
    "Company",
    "TOS",
    "Privacy",
    "About",
    "Jobs",
    "Website",
    "Models",
    "Datasets",
    "Spaces",
    "Pricing",
    "Docs",
]
PERIODS = ["Daily", "Weekly", "Monthly"]
USERS = ["akhaliq", "taesiri", "nielsr", "Jiaqi-hkust", "daniel-123"]
CHROME = [
    "Upvote",
    "42",
    "7",
    "Submitted by",
    "akhaliq",
    "Submitted by nielsr",
    "View all papers",
    "Previous",
    "Next",
    "Daily",
    "Weekly",
    "Monthly",
    "Get trending papers in your email inbox once a day!",
    "Join the discussion",
    "·3 comments",
]
"""Lines a card or the page around it can hold that are not papers."""


@dataclass(frozen=True)
class Page:
    """A sample page cut into its header lines and its cards."""

    name: str
    text: str
    header: list[str]
    cards: list[list[str]]

    def lines(self) -> list[str]:
        return self.header + [line for card in self.cards for line in card]


@dataclass(frozen=True)
class Copy:
    """A variant's text, and the text lines it added that are not papers."""

    text: str
    chrome: list[str]


Variant = Callable[[Page, random.Random], Copy]
VARIANTS: dict[str, Variant] = {}


def variant(function: Variant) -> Variant:
    """Register a variant under its function's name."""
    VARIANTS[function.__name__] = function
    return function


def sample_pages() -> list[Page]:
    """Every sample page (bundled, and the shared seeds when they are there), once each."""
    seen: set[str] = set()
    pages: list[Page] = []
    for folder in SAMPLE_FOLDERS:
        for path in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
            text = path.read_text(encoding="utf-8")
            if text not in seen:
                seen.add(text)
                pages.append(cut(path.name, text))
    return pages


def cut(name: str, text: str) -> Page:
    """The page's header and cards, found from the titles the parser reads in it."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    titles = {item.paper.title for item in parse_page(text)}
    starts = [index for index, line in enumerate(lines) if " ".join(line.split()) in titles]
    header = lines[: starts[0]]
    cards = [lines[start:end] for start, end in zip(starts, [*starts[1:], len(lines)], strict=True)]
    return Page(name, text, header, cards)


def join(lines: list[str]) -> str:
    """Lines as a browser copies them: blank lines between."""
    return "\n\n".join(lines) + "\n"


def _text_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if any(char.isalpha() for char in line)]


# --- the variants ------------------------------------------------------------------------


@variant
def site_chrome_around(page: Page, rng: random.Random) -> Copy:
    """The site's navigation before the page, the periods after its header, pagination
    and the footer after it."""
    added = SITE_TOP + PERIODS + SITE_BOTTOM
    lines = SITE_TOP + page.header + PERIODS + [ln for card in page.cards for ln in card]
    return Copy(join(lines + SITE_BOTTOM), _text_lines(added))


@variant
def upvote_and_count_per_card(page: Page, rng: random.Random) -> Copy:
    """An "Upvote" button and its count before every card's title."""
    lines = list(page.header)
    added: list[str] = []
    for card in page.cards:
        chrome = ["Upvote", str(rng.randint(0, 300))]
        lines += chrome + card
        added += chrome
    return Copy(join(lines), _text_lines(added))


@variant
def count_only_per_card(page: Page, rng: random.Random) -> Copy:
    """A bare count line before every title (no "Upvote" word)."""
    lines = list(page.header)
    for card in page.cards:
        lines += [str(rng.randint(0, 300)), *card]
    return Copy(join(lines), [])


@variant
def submitted_by_per_card(page: Page, rng: random.Random) -> Copy:
    """ "Submitted by" and a user name after every card, on one line or two."""
    lines = list(page.header)
    added: list[str] = []
    for card in page.cards:
        user = rng.choice(USERS)
        chrome = ["Submitted by", user] if rng.random() < 0.5 else [f"Submitted by {user}"]
        lines += card + chrome
        added += chrome
    return Copy(join(lines), _text_lines(added))


@variant
def banner_worded_differently(page: Page, rng: random.Random) -> Copy:
    """The site changed its banner's words."""
    banner = "Get trending papers in your email inbox once a day!"
    header = [
        banner if line == "Get trending papers in your email inbox!" else line
        for line in page.header
    ]
    lines = header + [line for card in page.cards for line in card]
    return Copy(join(lines), [banner])


def _halves(page: Page, rng: random.Random) -> int:
    """Where to cut: a card in the middle."""
    return max(1, min(len(page.cards) - 1, len(page.cards) // 2 + rng.randint(-2, 2)))


@variant
def two_halves_clean_seam(page: Page, rng: random.Random) -> Copy:
    """The page copied in two selections that meet between two cards."""
    k = _halves(page, rng)
    first = page.header + [line for card in page.cards[:k] for line in card]
    second = [line for card in page.cards[k:] for line in card]
    return Copy(join(first) + join(second), [])


def _abstract_index(card: list[str]) -> int | None:
    """The index of the card's abstract line, or None for a card without one."""
    if len(card) > 1 and len(card[1]) >= 100:
        return 1
    return None


def _cut_mid_sentence(text: str, rng: random.Random) -> int:
    """A cut at a space inside a sentence of `text`, away from both ends, before a word in
    lower case (a cut before a capitalized word reads as a title and its abstract)."""
    spaces = [
        index
        for index, char in enumerate(text)
        if char == " "
        and 40 < index < len(text) - 40
        and text[index - 1] not in ".!?"
        and text[index + 1].islower()
    ]
    return rng.choice(spaces)


@variant
def two_halves_seam_mid_abstract(page: Page, rng: random.Random) -> Copy:
    """The two selections meet inside an abstract: its two pieces are two lines."""
    k = _halves(page, rng)
    while _abstract_index(page.cards[k]) is None:
        k = (k + 1) % len(page.cards)
    card = page.cards[k]
    abstract = card[1]
    at = _cut_mid_sentence(abstract, rng)
    first = page.header + [ln for c in page.cards[:k] for ln in c] + [card[0], abstract[:at]]
    second = [abstract[at + 1 :], *card[2:]] + [ln for c in page.cards[k + 1 :] for ln in c]
    return Copy(join(first) + join(second), [])


@variant
def two_halves_overlapping(page: Page, rng: random.Random) -> Copy:
    """The first selection ends inside an abstract; the second starts a few lines above
    that point, so the lines between are there twice."""
    k = _halves(page, rng)
    while _abstract_index(page.cards[k]) is None or k == 0:
        k = (k + 1) % len(page.cards)
    card = page.cards[k]
    at = _cut_mid_sentence(card[1], rng)
    first = page.header + [ln for c in page.cards[:k] for ln in c] + [card[0], card[1][:at]]
    # Start the second one at a whole line: a title, an abstract or a metadata line.
    before = [ln for c in page.cards[:k] for ln in c]
    back = rng.randint(1, min(len(before), 6))
    second = before[-back:] + [ln for c in page.cards[k:] for ln in c]
    return Copy(join(first) + join(second), [])


@variant
def the_page_twice(page: Page, rng: random.Random) -> Copy:
    """The same page pasted twice."""
    return Copy(page.text + "\n" + page.text, [])


@variant
def cr_only(page: Page, rng: random.Random) -> Copy:
    """Line ends of old Macs and some clipboards."""
    return Copy(page.text.replace("\n", "\r"), [])


@variant
def crlf_and_bom(page: Page, rng: random.Random) -> Copy:
    """A Windows editor's save."""
    return Copy("\ufeff" + page.text.replace("\n", "\r\n"), [])


@variant
def tabs_and_trailing_spaces(page: Page, rng: random.Random) -> Copy:
    """Indentation and trailing white space of a rich-text paste."""
    lines = [f"\t{line}  \t" if rng.random() < 0.5 else f"  {line} " for line in page.lines()]
    return Copy("\n".join(lines) + "\n", [])


@variant
def no_blank_lines(page: Page, rng: random.Random) -> Copy:
    """A browser that keeps no blank lines."""
    return Copy("\n".join(page.lines()) + "\n", [])


@variant
def everything_at_once(page: Page, rng: random.Random) -> Copy:
    """Chrome around it, an upvote per card, submitted-by lines, CRLF, no blank lines."""
    added: list[str] = []
    lines = SITE_TOP + page.header + PERIODS
    added += SITE_TOP + PERIODS
    for card in page.cards:
        user = rng.choice(USERS)
        chrome_before = ["Upvote", str(rng.randint(1, 99))]
        chrome_after = ["Submitted by", user]
        lines += chrome_before + card + chrome_after
        added += chrome_before + chrome_after
    lines += SITE_BOTTOM
    added += SITE_BOTTOM
    return Copy("\r\n".join(lines) + "\r\n", _text_lines(added))
