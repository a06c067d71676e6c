"""The digest: the papers that arrived since a moment, grouped by saved search, ranked
"for you" within each group once the user has liked papers (else most upvoted first).

Made for cron and mail, or pasting into notes: Markdown, plain text or HTML. Each paper
has its title, link, authors, upvotes and the first sentences of its abstract. Every
piece of paper data is escaped for the format (HTML: every character that means
something, and links only to http(s) URLs), so an imported title can never add markup, a
script or a link of its own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from reader.errors import ReaderError
from reader.export.markdown import escape_markdown
from reader.identity import arxiv_url
from reader.library import Library
from reader.links import web_url
from reader.model import Entry, Paper
from reader.query import And, Compare, Node, Query, parse_query
from reader.saved import SavedSearch, broken, queries
from reader.text import one_line, without_controls

FORMATS = ("markdown", "text", "html")
FIRST_DAY = timedelta(days=1)
"""How far back the first digest looks, when no previous one left a mark."""
ABSTRACT_SENTENCES = 2
ABSTRACT_LIMIT = 320
"""At most this many characters of the abstract (cut at a word, with an ellipsis)."""
OTHERS = "Other new papers"
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
"""No digest starts earlier (every paper was added to a library later than this)."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")


@dataclass(frozen=True, slots=True)
class Group:
    """The papers of one saved search (or of none) in a digest."""

    title: str
    query: str | None
    entries: list[Entry]


@dataclass(frozen=True, slots=True)
class Digest:
    """The papers added in (`since`, `until`], grouped."""

    since: datetime
    until: datetime
    groups: list[Group]
    left_out: dict[str, str] = field(default_factory=dict)
    """Saved searches that no longer work (by name, with why): their papers are in the
    other groups, and the digest still goes out."""

    @property
    def count(self) -> int:
        """How many papers the digest holds."""
        return sum(len(group.entries) for group in self.groups)


LOOKBACK = timedelta(hours=1)
"""How far before the previous digest's end the next one looks again. A paper's `added`
time is taken when its import starts, so an import running while a digest is made may
store papers stamped before that digest's end: they are in the next one, found by
looking back this far (an import takes seconds) and leaving out what was reported."""


@dataclass(frozen=True, slots=True)
class Window:
    """Which papers a digest holds: added after `start`, up to `until` (inclusive),
    but for the keys in `reported` (already in the previous digest)."""

    since: datetime
    """Where the digest says it starts (the previous one's end, or the date asked)."""
    start: datetime
    until: datetime
    reported: dict[str, str]
    """Keys the previous digest reported that were added near its end, with their
    `added` time."""

    def mark(self, digest: Digest) -> dict[str, object]:
        """What `--since last` keeps for the next digest: this one's end and the keys
        added near it that the next must not report again."""
        edge = _stamp(self.until - LOOKBACK)
        reported = dict(self.reported)
        for group in digest.groups:
            for entry in group.entries:
                if entry.paper.added is not None:
                    reported[entry.key] = _stamp(entry.paper.added)
        recent = {key: added for key, added in reported.items() if added > edge}
        return {"until": _stamp(self.until), "reported": recent}


def window(since: str, mark: dict[str, object] | None, now: datetime | None = None) -> Window:
    """The window of a digest made `now`: `since` is `last` (from the previous digest's
    `mark`, else the last day), a day YYYY-MM-DD (its local midnight) or an ISO time."""
    until = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    if since == "last":
        previous = _mark_time(mark)
        if previous is None:
            return Window(until - FIRST_DAY, until - FIRST_DAY, until, {})
        reported = mark.get("reported") if mark else None
        known = {
            str(key): str(added)
            for key, added in (reported.items() if isinstance(reported, dict) else ())
        }
        return Window(previous, min(previous - LOOKBACK, until), until, known)
    start = parse_since(since)
    return Window(start, start, until, {})


def _mark_time(mark: dict[str, object] | None) -> datetime | None:
    """The previous digest's end; None when the (disposable, perhaps hand-edited) progress
    file holds none that makes sense."""
    value = mark.get("until") if mark else None
    try:
        moment = _aware(datetime.fromisoformat(value)) if isinstance(value, str) else None
    except (ValueError, OverflowError):
        return None
    return moment if moment is not None and moment >= EARLIEST else None


def parse_since(text: str) -> datetime:
    """A day YYYY-MM-DD (its local midnight) or an ISO date and time, in UTC, from 1970 on."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            moment = datetime.combine(date.fromisoformat(text), time())
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise ReaderError(
            f"--since takes last, a day YYYY-MM-DD or a date and time, not {text!r}"
        ) from None
    try:
        aware = _aware(moment)
    except (ValueError, OverflowError):
        aware = None  # a time a zone's offset pushes out of the calendar
    if aware is None or aware < EARLIEST:
        raise ReaderError(
            f"--since {text!r} is out of range: give a time from 1970 to the year 9999"
        )
    return aware


def _aware(moment: datetime) -> datetime:
    """`moment` in UTC (a time without a zone is local)."""
    return (moment if moment.tzinfo else moment.astimezone()).astimezone(UTC)


def collect(
    library: Library,
    searches: list[SavedSearch],
    window: Window,
    *,
    saved_only: bool = False,
) -> Digest:
    """The papers of `window`, grouped by the first saved search that matches each (in
    the settings' order), the rest last; in each group "for you" first once something is
    liked (starred, tagged or annotated), else most upvoted first."""
    sort = order_of(library)
    bounds: tuple[Node, ...] = (
        Compare("added", ">", _stamp(window.start)),
        Compare("added", "<=", _stamp(window.until)),
    )
    taken: set[str] = set(window.reported)
    groups: list[Group] = []
    known = queries(searches)
    left_out = broken(searches)
    for search in searches:
        if search.name in left_out:
            continue
        parsed = parse_query(f"saved:{search.name}", known)
        assert parsed.root is not None  # a saved search is never empty
        query = Query(search.query, And((*bounds, parsed.root)))
        entries = [entry for entry in library.entries(query, sort) if entry.key not in taken]
        taken.update(entry.key for entry in entries)
        if entries:
            groups.append(Group(search.name, search.query, entries))
    if not saved_only:
        rest = library.entries(Query("", And(bounds)), sort)
        others = [entry for entry in rest if entry.key not in taken]
        if others:
            groups.append(Group(OTHERS, None, others))
    return Digest(window.since, window.until, groups, left_out)


def order_of(library: Library) -> str:
    """The digest's order: "relevance" (for you) once the user likes a paper, else upvotes."""
    try:
        liked = bool(library.ranking.labels().positive)
    except ReaderError:
        liked = False  # vectors that cannot be read: the digest still goes out
    return "relevance" if liked else "upvotes"


def _stamp(moment: datetime) -> str:
    """A moment as the catalog stores `added` (ISO 8601, UTC, seconds)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def first_sentences(text: str, count: int = ABSTRACT_SENTENCES, limit: int = ABSTRACT_LIMIT) -> str:
    """The first `count` sentences of `text` on one line, at most `limit` characters."""
    flat = one_line(text)
    sentences = _SENTENCE_END.split(flat)
    shown = " ".join(sentences[:count])
    if len(shown) > limit:
        cut = shown[: limit - 1].rsplit(" ", 1)[0] if " " in shown[: limit - 1] else shown
        shown = cut[: limit - 1].rstrip(" ,;:") + "…"
    return shown


def link(paper: Paper) -> str | None:
    """The paper's page: its arXiv page when known, else its own http(s) link."""
    if paper.arxiv_id:
        return web_url(arxiv_url(paper.arxiv_id))
    return web_url(paper.url)


def _authors(paper: Paper) -> str:
    if paper.authors:
        names = ", ".join(paper.authors[:5])
        return names + (f" and {len(paper.authors) - 5} more" if len(paper.authors) > 5 else "")
    return paper.byline


def _details(paper: Paper) -> str:
    parts = [_authors(paper)]
    if paper.upvotes is not None:
        parts.append(f"{paper.upvotes} upvote{'s' if paper.upvotes != 1 else ''}")
    return " · ".join(one_line(part) for part in parts if part)


def _heading(digest: Digest) -> tuple[str, str]:
    """The title and the line under it."""
    since = digest.since.astimezone().strftime("%Y-%m-%d %H:%M")
    until = digest.until.astimezone().strftime("%Y-%m-%d %H:%M")
    count = digest.count
    return "Papers digest", f"{count} new paper{'s' if count != 1 else ''}, {since} to {until}"


def to_markdown(digest: Digest) -> str:
    """The digest as Markdown: paper data escaped, only http(s) links."""
    title, subtitle = _heading(digest)
    lines = [f"# {title}", "", f"_{escape_markdown(subtitle)}_"]
    for group in digest.groups:
        lines += ["", f"## {escape_markdown(group.title)} ({len(group.entries)})"]
        if group.query:
            lines += ["", f"`saved:{group.title}` · {escape_markdown(group.query)}"]
        for entry in group.entries:
            paper = entry.paper
            name = escape_markdown(paper.title) or "\\(untitled\\)"
            url = link(paper)
            lines += ["", f"### [{name}]({_markdown_url(url)})" if url else f"### {name}"]
            details = escape_markdown(_details(paper))
            if details:
                lines += ["", details]
            abstract = escape_markdown(first_sentences(paper.abstract))
            if abstract:
                lines += ["", f"> {abstract}"]
    if not digest.groups:
        lines += ["", "_Nothing new._"]
    return without_controls("\n".join(lines)) + "\n"


def _markdown_url(url: str) -> str:
    """A URL that cannot end a Markdown link destination early."""
    return url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def to_text(digest: Digest) -> str:
    """The digest as plain text, for a terminal or a plain mail."""
    title, subtitle = _heading(digest)
    lines = [f"{title}: {subtitle}"]
    for group in digest.groups:
        heading = f"{one_line(group.title)} ({len(group.entries)})"
        lines += ["", heading, "=" * len(heading)]
        for entry in group.entries:
            paper = entry.paper
            lines += ["", f"* {one_line(paper.title)}"]
            for extra in (link(paper), _details(paper), first_sentences(paper.abstract)):
                if extra:
                    lines.append(f"  {one_line(extra)}")
    if not digest.groups:
        lines += ["", "Nothing new."]
    return "\n".join(lines) + "\n"


_STYLE = (
    "body{font-family:sans-serif;max-width:48em;margin:auto;line-height:1.4}"
    "h3{margin-bottom:.2em}.meta{color:#555}.abstract{color:#333}"
)


def to_html(digest: Digest) -> str:
    """The digest as one HTML document: every text escaped, only http(s) links, no
    scripts, no remote resources."""
    title, subtitle = _heading(digest)
    out = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8">',
        f"<title>{_h(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_h(title)}</h1>",
        f"<p><em>{_h(subtitle)}</em></p>",
    ]
    for group in digest.groups:
        out.append(f"<h2>{_h(group.title)} ({len(group.entries)})</h2>")
        if group.query:
            out.append(f'<p class="meta"><code>{_h(group.query)}</code></p>')
        for entry in group.entries:
            paper = entry.paper
            name = _h(one_line(paper.title)) or "(untitled)"
            url = link(paper)
            if url:
                name = f'<a href="{_h(url)}" rel="noopener noreferrer">{name}</a>'
            out.append(f"<h3>{name}</h3>")
            details = _details(paper)
            if details:
                out.append(f'<p class="meta">{_h(details)}</p>')
            abstract = first_sentences(paper.abstract)
            if abstract:
                out.append(f'<p class="abstract">{_h(abstract)}</p>')
    if not digest.groups:
        out.append("<p>Nothing new.</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _h(text: str) -> str:
    """Text escaped for HTML, quotes too (safe in text and in attribute values)."""
    return html.escape(without_controls(text), quote=True)


RENDER: dict[str, Callable[[Digest], str]] = {
    "markdown": to_markdown,
    "text": to_text,
    "html": to_html,
}
"""How each format of `FORMATS` is written."""
