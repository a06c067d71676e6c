"""The plain data objects everything above the storage layer works with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper in the catalog: metadata only, never the user's own state.

    Unknown values are `None` (or empty for `authors`/`abstract`), so that a merge can
    tell "unknown" from "known to be zero".
    """

    key: str
    """Stable identity: the arXiv id when known at first import, else a title-derived key."""
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    author_count: int | None = None
    organization: str | None = None
    published: date | None = None
    upvotes: int | None = None
    arxiv_id: str | None = None
    url: str | None = None
    source: str = ""
    """Where the paper came from: "hf-page", "jsonl", "json", ..."""
    added: datetime | None = None
    """When the paper entered this library (UTC); set by the library on first import."""
    featured: date | None = None
    """When Hugging Face featured it on Daily Papers."""
    comments: int | None = None
    """Comments on its Hugging Face page."""
    github: str | None = None
    """Its code repository, when known."""
    project_page: str | None = None
    """Its project page, when known."""
    doi: str | None = None
    """Its DOI as written ("10.1103/PhysRevD.76.013009"), without a `doi:` or URL prefix."""
    categories: tuple[str, ...] = ()
    """Its arXiv categories ("cs.LG", "stat.ML"), the primary one first when known."""
    primary_category: str | None = None
    """Its primary arXiv category, when known."""

    @property
    def byline(self) -> str:
        """Authors when known, else the organization, else the author count."""
        if self.authors:
            if len(self.authors) <= 3:
                return ", ".join(self.authors)
            return f"{self.authors[0]} et al."
        if self.organization:
            return self.organization
        if self.author_count:
            return f"{self.author_count} author{'s' if self.author_count != 1 else ''}"
        return ""


@dataclass(frozen=True, slots=True)
class PaperState:
    """The user's own state for one paper. Only papers the user touched have one."""

    key: str
    read: bool = False
    starred: bool = False
    note: str = ""
    tags: tuple[str, ...] = ()
    dismissed: bool = False
    """"Not interested": a strong negative signal for the "for you" order."""
    read_at: str | None = None
    """ISO timestamp (UTC) of the last change of `read`; likewise for the others."""
    starred_at: str | None = None
    note_at: str | None = None
    tags_at: str | None = None
    dismissed_at: str | None = None


STATE_FIELDS = ("read", "starred", "note", "tags", "dismissed")
"""The user's fields of a `PaperState`; each has a `<name>_at` timestamp beside it."""

STATE_DEFAULTS: dict[str, object] = {
    "read": False,
    "starred": False,
    "note": "",
    "tags": (),
    "dismissed": False,
}
"""The value of each field for a paper the user never touched."""


@dataclass(frozen=True, slots=True)
class Change:
    """One field of several papers set to one value: what a triage action did.

    `before` holds, for each paper that really changed, the value the field had; papers
    that already held `value` are not in it. Undo sets those values back.
    """

    name: str
    """The field: "read", "starred", "note", "tags" or "dismissed"."""
    value: object
    before: dict[str, object] = field(default_factory=dict)
    after: dict[str, object] | None = None
    """Each paper's new value, when they differ (tags added to several papers); else
    every paper got `value`."""

    @property
    def keys(self) -> list[str]:
        """The papers the change touched."""
        return list(self.before)


@dataclass(frozen=True, slots=True)
class Entry:
    """A paper together with the user's state for it: what lists and exports show."""

    paper: Paper
    state: PaperState = field(default_factory=lambda: PaperState(key=""))

    @property
    def key(self) -> str:
        """The paper's key."""
        return self.paper.key


Listed = tuple[str, str, "date | None", "int | None", PaperState]
"""What one line of `reader list` shows of a paper: key, title, date, upvotes, and the
user's state (`Library.listing`)."""


@dataclass(frozen=True, slots=True)
class Incoming:
    """One paper read from an input, with the user state the input carried (if any).

    Only the library's own formats (JSON Lines, JSON) carry state; page text never does.
    """

    paper: Paper
    state: PaperState | None = None
    keyed: bool = False
    """True when the input named the paper's key (the library's own formats): the key is
    then its identity, and it is never merged by title into another paper of the input."""
