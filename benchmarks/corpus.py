"""A seeded generator of realistic "Daily Papers" page text, for benchmarks.

The text has the exact shape of a page copied from huggingface.co/papers (see the bundled
samples in `reader/data/samples/`): the page header, then one block per paper:

    Title                         (~80 characters, unique)

    Abstract                      (one line, ~1,200 characters)

      • 7 authors                 (or an organization line "handle Display Name")
    ·
    Jun 12, 2025 7                (always with the year; the upvote count when above 0)

Words are drawn from a fixed vocabulary (`benchmarks.vocabulary`: English function words,
real machine-learning words and phrases, pronounceable pseudo-words) with Zipf weights
(1/rank), so that common words match most papers and the long tail matches few, as in real
abstracts. The vocabulary never depends on the seed; the seed only drives the sampling, so
the same seed always gives the same text, and the papers of a smaller page are the first
papers of a larger one. Dates are spread over 2019-2025 and always carry their year, so
nothing depends on the day the text is generated or parsed.

Speed matters (100,000 papers in a few seconds): words are drawn by indexing a sampling
table with random bytes read as 16-bit numbers, so no Python code runs per word.
"""

from __future__ import annotations

import math
import random
from array import array
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from itertools import accumulate
from operator import itemgetter
from pathlib import Path
from typing import TypedDict

from benchmarks import vocabulary
from reader.identity import normalize_title

HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
    "byAK and the research community\n\n"
)
"""The page header as copied, up to the page date."""

BATCH = 10_000
"""Papers generated per batch; part of the sampling order, so changing it changes the text."""

FIRST_DAY = date(2019, 1, 1)
LAST_DAY = date(2025, 12, 31)
YEAR_WEIGHTS = {2019: 1, 2020: 1.5, 2021: 2, 2022: 3, 2023: 5, 2024: 7, 2025: 9}
"""More papers in recent years, as on the real site."""

ABSTRACT_CHARS = (700, 1_700)
"""Abstract lengths are drawn uniformly from this range (mean ~1,200 characters)."""
TITLE_CHARS = (55, 100)
"""Title lengths aim at a length drawn uniformly from this range (mean ~80 characters)."""
ORGANIZATION_SHARE = 0.08
"""The share of papers shown with an organization line instead of an author count."""

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_TOKEN_CONSONANTS = "bdfgklmnprstvz"
_TOKEN_VOWELS = "aeiou"
_TOKEN_SYLLABLES = tuple(c + v for c in _TOKEN_CONSONANTS for v in _TOKEN_VOWELS)
_TOKEN_BASE = len(_TOKEN_SYLLABLES)
_TOKEN_MULTIPLIER = 7919
"""Coprime with the base, so scrambling the index stays a bijection at every width."""

_NUMBER_WORDS = ["Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine"]


class PaperRecord(TypedDict):
    """One generated paper, as the page shows it (and as the TinyDB baseline stores it)."""

    title: str
    abstract: str
    author_count: int | None
    organization: str | None
    """The organization line as shown ("handle Display Name"), or None."""
    published: str
    """ISO date, YYYY-MM-DD."""
    upvotes: int


# --- papers -------------------------------------------------------------------------------


def distinguishing_token(index: int) -> str:
    """A capitalized pseudo-name unique to `index` ("Kobatu"), scrambled so that
    neighbouring papers do not look numbered."""
    width = 3
    while index >= _TOKEN_BASE**width:
        index -= _TOKEN_BASE**width
        width += 1
    value = (index * _TOKEN_MULTIPLIER) % _TOKEN_BASE**width
    syllables = []
    for _ in range(width):
        value, digit = divmod(value, _TOKEN_BASE)
        syllables.append(_TOKEN_SYLLABLES[digit])
    return "".join(syllables).capitalize()


def _sample(rng: random.Random, table: tuple[str, ...], count: int) -> list[str]:
    """`count` words from a sampling table, without a Python loop per word."""
    if count <= 0:
        return []
    indices = array("H", rng.randbytes(2 * count))
    picked = itemgetter(*indices)(table)
    return [picked] if count == 1 else list(picked)


def _title(rng: random.Random, index: int) -> str:
    target = rng.randint(*TITLE_CHARS)
    words = _sample(rng, vocabulary.title_table(), 16)
    token = distinguishing_token(index)
    named = rng.random() < 0.6
    parts: list[str] = [f"{token}:"] if named else []
    # What the token adds: "Token: " in front, or " with Token" at the end.
    length = len(token) + 2 if named else len(token) + 5
    connector_at = rng.randint(2, 4)
    for position, word in enumerate(words):
        if length >= target:
            break
        if position == connector_at:
            connector = vocabulary.CONNECTORS[rng.randrange(len(vocabulary.CONNECTORS))]
            parts.append(connector)
            length += len(connector) + 1
        parts.append(word)
        length += len(word) + 1
    if not named:
        parts.extend(("with", token))
    return " ".join(parts)


def _abstract(rng: random.Random, word_length: float) -> str:
    target = rng.randint(*ABSTRACT_CHARS)
    words = _sample(rng, vocabulary.abstract_table(), max(8, round(target / word_length)))
    words[0] = vocabulary.OPENERS[rng.randrange(len(vocabulary.OPENERS))] + " " + words[0]
    lengths = rng.randbytes(len(words) // 10 + 1)
    position = 0
    for sentence in lengths:
        end = position + 10 + sentence % 20
        if end >= len(words) - 4:
            break
        if sentence & 1:
            middle = position + (end - position) // 2
            words[middle] += ","
        words[end - 1] += "."
        words[end] = words[end][:1].upper() + words[end][1:]
        position = end
    words[-1] += "."
    return " ".join(words)


def _calendar() -> tuple[list[date], list[float]]:
    """Every day from 2019 through 2025 with cumulative weights (more papers lately)."""
    days: list[date] = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        days.append(day)
        day += timedelta(days=1)
    cumulative = list(accumulate(YEAR_WEIGHTS[day.year] for day in days))
    return days, cumulative


def _upvotes(rng: random.Random, count: int) -> list[int]:
    """Skewed counts: about half are 0, most are under 10, a few reach 500."""
    return [min(500, int(rng.paretovariate(1.1)) - 1) for _ in range(count)]


def _author_counts(rng: random.Random, count: int) -> list[int]:
    sizes = list(range(1, 41))
    # Log-normal around 5 authors: mostly 2-10, with a tail of large collaborations.
    weights = (math.exp(-((math.log(size / 5)) ** 2) / 0.98) / size for size in sizes)
    cumulative = list(accumulate(weights))
    return rng.choices(sizes, cum_weights=cumulative, k=count)


def iter_papers(n: int, seed: int = 0) -> Iterator[PaperRecord]:
    """Generate `n` papers, in page order; the same `seed` gives the same papers."""
    rng = random.Random(seed)
    days, cumulative_days = _calendar()
    word_length = vocabulary.mean_word_length()
    seen: set[str] = set()
    for start in range(0, n, BATCH):
        count = min(BATCH, n - start)
        # Whole batches are drawn even for a shorter last one, so that the papers of a
        # smaller page are exactly the first papers of a larger one.
        published = rng.choices(days, cum_weights=cumulative_days, k=BATCH)
        upvotes = _upvotes(rng, BATCH)
        authors = _author_counts(rng, BATCH)
        organization_picks = [
            vocabulary.ORGANIZATIONS[rng.randrange(len(vocabulary.ORGANIZATIONS))]
            if rng.random() < ORGANIZATION_SHARE
            else None
            for _ in range(BATCH)
        ]
        for offset in range(count):
            index = start + offset
            title = _title(rng, index)
            folded = normalize_title(title)
            extra = 0
            while folded in seen:  # practically never: the token is unique per index
                title += " " + _NUMBER_WORDS[extra % 10]
                folded = normalize_title(title)
                extra += 1
            seen.add(folded)
            organization = organization_picks[offset]
            yield PaperRecord(
                title=title,
                abstract=_abstract(rng, word_length),
                author_count=None if organization else authors[offset],
                organization=" ".join(part for part in organization if part)
                if organization
                else None,
                published=published[offset].isoformat(),
                upvotes=upvotes[offset],
            )


def generate_papers(n: int, seed: int = 0) -> list[PaperRecord]:
    """`n` generated papers as dicts (the same ones `generate_page(n, seed)` shows)."""
    return list(iter_papers(n, seed))


def format_date(iso: str, upvotes: int) -> str:
    """A page's date line: "Jun 12, 2025" plus the upvote count when above 0."""
    year, month, day = iso.split("-")
    line = f"{_MONTHS[int(month) - 1]} {int(day)}, {year}"
    return f"{line} {upvotes}" if upvotes else line


def format_paper(paper: PaperRecord) -> str:
    """One paper's block of page text, ending with a blank line."""
    byline = (
        paper["organization"]
        if paper["organization"] is not None
        else f"  • {paper['author_count']} authors"
    )
    date_line = format_date(paper["published"], paper["upvotes"])
    return f"{paper['title']}\n\n{paper['abstract']}\n\n{byline}\n·\n{date_line}\n\n"


def page_header(seed: int = 0) -> str:
    """The page header, ending with a page date (without a year, as the site shows it)."""
    month, day = divmod(seed % 336, 28)
    return f"{HEADER}{_MONTHS[month]} {day + 1}\n\n"


def render_page(papers: Iterable[PaperRecord], seed: int = 0) -> Iterator[str]:
    """The page text showing these papers, in pieces (the header, then one per paper)."""
    yield page_header(seed)
    for paper in papers:
        yield format_paper(paper)


def iter_page(n: int, seed: int = 0) -> Iterator[str]:
    """The text of `generate_page(n, seed)`, in pieces."""
    return render_page(iter_papers(n, seed), seed)


def generate_page(n: int, seed: int = 0) -> str:
    """The text of a copied Daily Papers page with `n` generated papers."""
    return "".join(iter_page(n, seed))


def write_page(path: Path, n: int, seed: int = 0) -> Path:
    """Write `generate_page(n, seed)` to `path` (UTF-8), streaming; returns `path`."""
    return write_records(path, iter_papers(n, seed), seed)


def write_records(path: Path, papers: Iterable[PaperRecord], seed: int = 0) -> Path:
    """Write the page text showing `papers` to `path` (UTF-8), streaming; returns `path`."""
    with path.open("w", encoding="utf-8", newline="\n") as stream:
        pieces: list[str] = []
        for piece in render_page(papers, seed):
            pieces.append(piece)
            if len(pieces) >= 2_000:
                stream.write("".join(pieces))
                pieces.clear()
        stream.write("".join(pieces))
    return path


def words_with_share(low: float, high: float) -> list[str]:
    """Real single words whose share of abstract words lies in [low, high], most frequent
    first, leaving out words that prefix another vocabulary word (a query for "model"
    would also find "models"): a benchmark can then predict how many papers match."""
    tokens = {
        part.lower()
        for entry in vocabulary.vocabulary()
        for part in entry.replace("-", " ").split()
    }
    found: list[str] = []
    for word in vocabulary.ML_WORDS:
        lowered = word.lower()
        if not lowered.isalpha() or any(
            token != lowered and token.startswith(lowered) for token in tokens
        ):
            continue
        if low <= vocabulary.word_share(word) <= high:
            found.append(word)
    return sorted(found, key=vocabulary.word_share, reverse=True)


def expected_share_of_papers(word: str) -> float:
    """The expected share of papers whose abstract contains `word` at least once."""
    words = (ABSTRACT_CHARS[0] + ABSTRACT_CHARS[1]) / 2 / vocabulary.mean_word_length()
    return 1.0 - (1.0 - vocabulary.word_share(word)) ** words


def word_for_share(share: float) -> str:
    """The real word (see `words_with_share`) whose expected share of papers is closest
    to `share`; the same on every run."""
    candidates = words_with_share(0.0, 1.0)
    return min(candidates, key=lambda word: abs(expected_share_of_papers(word) - share))
