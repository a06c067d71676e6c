"""Deciding what an import does, before anything is written.

`plan_import` matches each incoming paper against the papers already known (looked up in
bulk by the catalog) and against the papers earlier in the same import, and merges their
metadata. The catalog then writes the plan in one transaction with a few bulk statements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from reader.identity import normalize_title
from reader.model import Paper

Progress = Callable[[int, int], None]
"""Called with (papers done, papers in all) as an import goes."""


@dataclass(slots=True)
class ImportResult:
    """What an import did, counted over distinct papers."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    keys: list[str] = field(default_factory=list)
    """The keys of every distinct paper the import touched, in input order."""
    resolved: list[str] = field(default_factory=list)
    """For each input paper, in order, the key it was stored under."""

    def summary(self) -> str:
        """One line for the user: "3 new, 1 updated, 5 skipped (unchanged)"."""
        return f"{self.new:,} new, {self.updated:,} updated, {self.unchanged:,} skipped (unchanged)"


@dataclass(slots=True)
class Known:
    """The catalog's papers that incoming papers may match, by each identity."""

    by_arxiv: Mapping[str, Paper]
    by_key: Mapping[str, Paper]
    """Every looked-up paper, whichever identity found it."""
    by_title: Mapping[str, Sequence[Paper]]


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


def merge(old: Paper, new: Paper) -> Paper:
    """`old` refreshed with what `new` knows; a known value is never replaced by an unknown.

    Upvotes only grow on Hugging Face, so the larger count is the newer one, whatever
    order pages are imported in.
    """
    upvotes = old.upvotes if new.upvotes is None else new.upvotes
    if old.upvotes is not None and new.upvotes is not None:
        upvotes = max(old.upvotes, new.upvotes)
    authors = new.authors or old.authors
    author_count = new.author_count if new.author_count is not None else old.author_count
    if authors and author_count is None:
        author_count = len(authors)
    merged = replace(
        old,
        title=new.title or old.title,
        abstract=new.abstract or old.abstract,
        authors=authors,
        author_count=author_count,
        organization=new.organization or old.organization,
        published=new.published or old.published,
        upvotes=upvotes,
        arxiv_id=old.arxiv_id or new.arxiv_id,
        url=new.url or old.url,
        featured=new.featured or old.featured,
        comments=old.comments if new.comments is None else new.comments,
        github=new.github or old.github,
        project_page=new.project_page or old.project_page,
    )
    return old if merged == old else merged


def plan_import(
    papers: Iterable[Paper],
    known: Known,
    added: datetime,
    progress: Progress | None = None,
    total: int = 0,
    claimed: frozenset[str] = frozenset(),
) -> ImportPlan:
    """Match, merge and count; the catalog is not touched.

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
    for done, paper in enumerate(papers, start=1):
        title = normalize_title(paper.title)
        key = _match(paper, title, known, current, batch_arxiv, batch_titles, claimed)
        if key is None:
            key = paper.key
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
) -> str | None:
    if paper.arxiv_id:
        if paper.arxiv_id in batch_arxiv:
            return batch_arxiv[paper.arxiv_id]
        if paper.arxiv_id in known.by_arxiv:
            return known.by_arxiv[paper.arxiv_id].key
    if paper.key in current:
        return paper.key
    if paper.key in known.by_key:
        return paper.key
    if not title:
        # A title of punctuation only says nothing about which paper it is.
        return None
    own = paper.key in claimed
    # The same title with two different arXiv ids is two papers; so are two papers the
    # input itself keeps apart under two keys.
    for key in batch_titles.get(title, ()):
        if not (paper.arxiv_id and current[key].arxiv_id) and not (own and key in claimed):
            return key
    for candidate in known.by_title.get(title, ()):
        if not (paper.arxiv_id and candidate.arxiv_id) and not (own and candidate.key in claimed):
            return candidate.key
    return None
