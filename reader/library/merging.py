"""Deciding what an import does, before anything is written.

`plan_import` matches each incoming paper against the papers already known (looked up in
bulk by the catalog) and against the papers earlier in the same import, and merges their
metadata. The catalog then writes the plan in one transaction with a few bulk statements.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from reader.identity import arxiv_id_of_doi, doi_key, normalize_title, title_key
from reader.model import Paper

Progress = Callable[[int, int], None]
"""Called with (papers done, papers in all) as an import goes."""


KEPT_KEYS = 10_000
"""How many keys `ImportResult.keys` keeps: a streamed import of millions keeps no list of
them all, so that its memory stays flat."""


@dataclass(slots=True)
class ImportResult:
    """What an import did, counted over distinct papers."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    keys: list[str] = field(default_factory=list)
    """The keys of the distinct papers the import touched, in input order (the first
    `KEPT_KEYS` of them)."""
    resolved: list[str] = field(default_factory=list)
    """For each input paper, in order, the key it was stored under (for an import of one
    batch; a streamed import of several leaves it empty)."""
    merged_by_title: int = 0
    """Papers that were joined to another paper only because their titles are the same."""
    notes: list[str] = field(default_factory=list)
    """What else the user should hear about the import: lines of the input that were not
    papers, warnings about files without papers (see `reader.importing`)."""

    @property
    def papers(self) -> int:
        """How many distinct papers the import touched."""
        return self.new + self.updated + self.unchanged

    def summary(self) -> str:
        """One line for the user: "3 new, 1 updated, 5 skipped (unchanged)", then what
        was merged by title and the notes."""
        text = f"{self.new:,} new, {self.updated:,} updated, {self.unchanged:,} skipped (unchanged)"
        if self.merged_by_title:
            text += f"; {self.merged_by_title:,} merged by title"
        return "; ".join([text, *self.notes])


@dataclass(slots=True)
class Known:
    """The catalog's papers that incoming papers may match, by each identity."""

    by_arxiv: Mapping[str, Paper]
    by_key: Mapping[str, Paper]
    """Every looked-up paper, whichever identity found it."""
    by_title: Mapping[str, Sequence[Paper]]
    rowids: Mapping[str, int] = field(default_factory=dict)
    """The row id of each looked-up paper, by key."""
    holds: Callable[[str], bool] = field(default=lambda key: False)
    """Whether the catalog holds a paper under this key (the default: an empty catalog).
    Asked only of the numbered key a work is about to take (`_fresh_key`): the paper
    holding it may share nothing that the lookups by identity went by."""


@dataclass(slots=True)
class ImportPlan:
    """The writes an import needs: new papers, changed papers, and the result to report."""

    new: dict[str, tuple[Paper, str]] = field(default_factory=dict)
    """New papers by key, with their normalized titles, in input order."""
    changed: dict[str, tuple[Paper, Paper, str]] = field(default_factory=dict)
    """Known papers whose metadata changed: (as stored, merged, normalized title)."""
    result: ImportResult = field(default_factory=ImportResult)
    added: datetime | None = None
    """When the import happened: the `added` time of new papers that carry none."""


AUTHORITATIVE_SOURCES = frozenset(
    {"arxiv-api", "arxiv-rss", "arxiv-digest", "arxiv-snapshot", "hf-api"}
)
"""Sources whose metadata comes from arXiv or Hugging Face themselves."""
PAGE_SOURCES = frozenset({"hf-page"})
"""Sources that are text copied from a web page: they only fill gaps."""


def source_quality(source: str) -> int:
    """How far a source's title, abstract, date and authors can be trusted: 2 for arXiv
    and Hugging Face, 0 for a copied page, 1 for everything else (BibTeX, unknown)."""
    if source in AUTHORITATIVE_SOURCES:
        return 2
    return 0 if source in PAGE_SOURCES else 1


def merge(old: Paper, new: Paper) -> Paper:
    """`old` refreshed with what `new` knows; a known value is never replaced by an unknown.

    Title, abstract, date and authors come from the better source (`source_quality`): a
    copied page never replaces what arXiv or Hugging Face said, it only fills what they
    left unknown; the paper's `source` becomes the better of the two. Upvotes only grow
    on Hugging Face, so the larger count is the newer one, whatever order pages are
    imported in.
    """
    upvotes = old.upvotes if new.upvotes is None else new.upvotes
    if old.upvotes is not None and new.upvotes is not None:
        upvotes = max(old.upvotes, new.upvotes)
    # `first` wins the described fields, `second` only fills them.
    gain = source_quality(new.source) - source_quality(old.source)
    first, second = (old, new) if gain < 0 else (new, old)
    authors = first.authors or second.authors
    author_count = first.author_count if first.author_count is not None else second.author_count
    if authors and author_count is None:
        author_count = len(authors)
    merged = replace(
        old,
        title=first.title or second.title,
        abstract=first.abstract or second.abstract,
        authors=authors,
        author_count=author_count,
        organization=new.organization or old.organization,
        published=first.published or second.published,
        upvotes=upvotes,
        arxiv_id=old.arxiv_id or new.arxiv_id,
        url=new.url or old.url,
        source=new.source if gain > 0 else old.source,
        featured=new.featured or old.featured,
        comments=old.comments if new.comments is None else new.comments,
        github=new.github or old.github,
        project_page=new.project_page or old.project_page,
        doi=first.doi or second.doi,
        categories=first.categories or second.categories,
        primary_category=first.primary_category or second.primary_category,
    )
    return old if merged == old else merged


# Titles this short ("Deep Learning", "Online reference") name many works: they only join
# two papers that agree on something else too.
_GENERIC_TITLE_WORDS = 2
_NAME_TOKEN = re.compile(r"[a-z]{2,}")
_NUMBER = re.compile(r"[2-9]|[1-9][0-9]+")  # the numbers `_fresh_key` gives, as written


def distinct_works(a: Paper, b: Paper) -> bool:
    """True when two papers that share a title are shown by stronger evidence to be two
    works: different DOIs, different arXiv ids, different years with first authors who
    share no name, or a generic title ("Deep Learning", "Online reference") with a
    different year, first author or link (unless the first author and the year agree)."""
    # (An arXiv DOI and a journal DOI can name one work: arXiv ids decide those.)
    if (
        a.doi
        and b.doi
        and doi_key(a.doi) != doi_key(b.doi)
        and arxiv_id_of_doi(a.doi) is None
        and arxiv_id_of_doi(b.doi) is None
    ):
        return True
    if a.arxiv_id and b.arxiv_id and a.arxiv_id != b.arxiv_id:
        return True
    same_year = bool(a.published and b.published and a.published.year == b.published.year)
    years_differ = bool(a.published and b.published and not same_year)
    first_a, first_b = _name_tokens(a), _name_tokens(b)
    first_authors_differ = bool(first_a and first_b and not first_a & first_b)
    if years_differ and first_authors_differ:
        return True
    if len(normalize_title(a.title).split()) <= _GENERIC_TITLE_WORDS:
        # A generic title yields to any disagreement, unless the same first author in
        # the same year outweighs it.
        urls_differ = bool(a.url and b.url and a.url != b.url)
        agree = same_year and bool(first_a & first_b)
        return (years_differ or first_authors_differ or urls_differ) and not agree
    return False


def _name_tokens(paper: Paper) -> frozenset[str]:
    """The words of a paper's first author's name, folded (initials left out)."""
    if not paper.authors:
        return frozenset()
    folded = unicodedata.normalize("NFKD", paper.authors[0]).encode("ascii", "ignore")
    return frozenset(_NAME_TOKEN.findall(folded.decode("ascii").lower()))


def plan_import(
    papers: Iterable[Paper],
    known: Known,
    added: datetime,
    progress: Progress | None = None,
    total: int = 0,
    claimed: frozenset[str] = frozenset(),
) -> ImportPlan:
    """Match, merge and count; the catalog is not written, and only asked whether a key
    that a second work of a title is about to take is free (`Known.holds`).

    A paper is the same as another when their arXiv ids match, or their keys, or their
    normalized titles (unless both have different arXiv ids). It keeps the key it was
    first stored under, so the user's state stays attached.

    `claimed` are the keys the input named itself (a library's own export): two of them
    were two papers where they came from, so a title never joins a paper to another
    claimed key. Restoring a backup with two papers of one title (one with an arXiv id,
    one without) gives two papers again.
    """
    plan = ImportPlan(added=added)
    current: dict[str, Paper] = {}  # the latest version of every paper touched so far
    stored: dict[str, Paper] = {}  # known papers as they were before this import
    batch_arxiv: dict[str, str] = {}
    batch_titles: dict[str, list[str]] = {}
    numbers: dict[str, int] = {}  # the next number `_fresh_key` tries, by title
    for done, paper in enumerate(papers, start=1):
        title = normalize_title(paper.title)
        key, by_title = _match(paper, title, known, current, batch_arxiv, batch_titles, claimed)
        if by_title:
            plan.result.merged_by_title += 1
        if key is None:
            key = paper.key
            if key in current or key in known.by_key:
                # Another work of the same title holds the title's key.
                key = _fresh_key(title, current, known, numbers)
                paper = replace(paper, key=key)
            current[key] = paper
            plan.new[key] = (paper, title)
        else:
            if key not in current:
                stored[key] = known.by_key[key]
                current[key] = stored[key]
            current[key] = merge(current[key], paper)
            if key in plan.new:
                plan.new[key] = (current[key], normalize_title(current[key].title))
        if paper.arxiv_id:
            batch_arxiv.setdefault(paper.arxiv_id, key)
        keys_for_title = batch_titles.setdefault(title, [])
        if key not in keys_for_title:
            keys_for_title.append(key)
        plan.result.resolved.append(key)
        if progress and done % 1000 == 0:
            progress(done, total)
    seen: set[str] = set()
    for key in plan.result.resolved:
        if key in seen:
            continue
        seen.add(key)
        plan.result.keys.append(key)
        if key in plan.new:
            plan.result.new += 1
        elif current[key] != stored[key]:
            plan.result.updated += 1
            plan.changed[key] = (stored[key], current[key], normalize_title(current[key].title))
        else:
            plan.result.unchanged += 1
    return plan


def _match(
    paper: Paper,
    title: str,
    known: Known,
    current: Mapping[str, Paper],
    batch_arxiv: Mapping[str, str],
    batch_titles: Mapping[str, list[str]],
    claimed: frozenset[str],
) -> tuple[str | None, bool]:
    """The key of the paper `paper` is, and whether only its title said so."""
    if paper.arxiv_id:
        if paper.arxiv_id in batch_arxiv:
            return batch_arxiv[paper.arxiv_id], False
        if paper.arxiv_id in known.by_arxiv:
            return known.by_arxiv[paper.arxiv_id].key, False
    holder = current.get(paper.key) or known.by_key.get(paper.key)
    if holder is not None:
        if paper.key in claimed or paper.key != title_key(paper.title):
            return paper.key, False
        # A key made from the title is no more than the title: it joins only what a
        # title would join, and a merge within the input counts as one by title.
        if not distinct_works(paper, holder) and not _numbered(holder, title):
            return paper.key, paper.key in current
    if not title:
        # A title of punctuation only says nothing about which paper it is.
        return None, False
    own = paper.key in claimed
    # The same title is two papers when stronger evidence says so (two arXiv ids, two
    # DOIs, ...: see `distinct_works`), and when the input itself keeps them apart under
    # two keys.
    for key in batch_titles.get(title, ()):
        if not distinct_works(paper, current[key]) and not (own and key in claimed):
            return key, True
    for candidate in known.by_title.get(title, ()):
        if not distinct_works(paper, candidate) and not (own and candidate.key in claimed):
            # A stored paper keyed by this very title (`t-...`) is the same paper seen
            # again; one keyed otherwise (by its arXiv id) is joined by the title alone.
            return candidate.key, not candidate.key.startswith("t-")
    return None, False


def _numbered(holder: Paper, title: str) -> bool:
    """True when `holder` has the key of `title` as a numbered key of its own title (see
    `_fresh_key`): the second work titled "<title>" holds the key of "<title> 2", which
    is not its title. (Once a merge renamed the holder, this is no longer seen.)"""
    stem, _, number = title.rpartition(" ")
    return bool(_NUMBER.fullmatch(number)) and normalize_title(holder.title) == stem


def _fresh_key(
    title: str, current: Mapping[str, Paper], known: Known, numbers: dict[str, int]
) -> str:
    """A key for a work whose title's key another work of the same title holds: the key
    of the title and the first number from 2 on that no paper holds, in this import
    (`current`) or in the catalog (`known`).

    The catalog itself is asked (`Known.holds`): the paper that took a number earlier may
    no longer bear the title (a merge renamed it), and a work titled "<title> 2" has the
    key of the second work titled "<title>", so neither need be in `known.by_key`. A
    numbered key thus never collides, and the same works arriving in the same order into
    the same catalog get the same keys. `numbers` is the number to try next, by title
    (those below it are taken: nothing is removed while an import is planned).
    """
    number = numbers.get(title, 2)
    while True:
        key = title_key(f"{title}\n{number}")
        number += 1
        if key not in current and key not in known.by_key and not known.holds(key):
            numbers[title] = number
            return key
