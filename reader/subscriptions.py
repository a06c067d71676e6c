"""Subscriptions: the fetches made every day, saved, each resuming where it stopped.

A subscription is a saved `FetchRequest` (`[subscriptions.NAME]` in the settings file:
what the user follows, whatever library it goes to) plus its progress in one library
(`progress.json` in the library folder: how far that library has got). `fetch_all` runs
every subscription from where it last stopped:

- Hugging Face Daily Papers: every day from the last one fetched (fetched again, as it
  may have been today and still growing) through today, at most `hf_days` days back;
- an arXiv search: the papers submitted on or after the newest one seen;
- an arXiv daily listing: today's listing.

A subscription that fails never stops the others; its progress advances only over what
was fetched and stored, so the next run picks up from there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from reader.config import ConfigError
from reader.defaults import ARXIV_SUBSCRIPTION_MAX
from reader.errors import NotFoundError, ReaderError
from reader.feeds.arxiv import valid_category
from reader.feeds.client import FeedClient, FeedConfig, open_client
from reader.feeds.requests import FetchRequest, fetch
from reader.fileio import file_lock, write_text_atomic
from reader.library import ImportResult, Library
from reader.library.connection import Waiting
from reader.model import Incoming
from reader.settings import Settings

TABLE = "subscriptions"
SOURCES = ("hf", "arxiv", "rss")
"""The feed sources one can subscribe to (arXiv ids are a one-off, not a habit)."""
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,39}")
HF_DAYS = 7
"""How many days back `reader fetch` catches up on Hugging Face by default (`hf_days`)."""
MAX_HF_DAYS = 366
PROGRESS_FILE = "progress.json"


@dataclass(frozen=True, slots=True)
class Subscription:
    """A saved fetch, by name."""

    name: str
    request: FetchRequest

    @property
    def label(self) -> str:
        """What it fetches, as messages say it."""
        if self.request.source == "hf":
            return "Hugging Face Daily Papers"
        return self.request.label

    @property
    def identity(self) -> str:
        """What the progress belongs to: a subscription changed in the file starts over."""
        return f"{self.request.source}:{self.request.value}"


def load(settings: Settings) -> list[Subscription]:
    """The subscriptions, in the order of the settings file; `ConfigError` names a
    malformed one."""
    found: list[Subscription] = []
    for name, entry in settings.table(TABLE).items():
        where = f"{settings.path}: [subscriptions.{name}]"
        if not NAME.fullmatch(name):
            raise ConfigError(f"{where}: a name is letters, digits, '.', '_', '+' and '-'")
        if not isinstance(entry, dict) or entry.get("source") not in SOURCES:
            raise ConfigError(f'{where} needs a source = "hf", "arxiv" or "rss"')
        value = entry.get("value", "")
        maximum = entry.get("max_results", ARXIV_SUBSCRIPTION_MAX)
        if not isinstance(value, str):
            raise ConfigError(f"{where}: value must be text")
        if isinstance(maximum, bool) or not isinstance(maximum, int) or not 1 <= maximum <= 2000:
            raise ConfigError(f"{where}: max_results must be a whole number from 1 to 2000")
        request = FetchRequest(entry["source"], value.strip(), max_results=maximum)
        try:
            check(request)
        except ReaderError as error:
            raise ConfigError(f"{where}: {error}") from None
        found.append(Subscription(name, request))
    return found


def check(request: FetchRequest) -> None:
    """`ReaderError` when a request cannot be a subscription."""
    if request.source not in SOURCES:
        raise ReaderError(f"cannot subscribe to {request.source!r} (only to {', '.join(SOURCES)})")
    if request.source == "hf" and request.value:
        raise ReaderError("a Hugging Face subscription fetches every day: give it no date")
    if request.source == "rss" and not valid_category(request.value):
        raise ReaderError(f"not an arXiv category: {request.value!r} (try cs.LG)")
    if request.source == "arxiv" and not request.value:
        raise ReaderError("an arXiv subscription needs a search query")


def default_name(request: FetchRequest) -> str:
    """The name `reader subscribe` gives: hf, the category, or the query's words."""
    if request.source == "hf":
        return "hf"
    if request.source == "rss":
        return request.value[:40]
    words = re.findall(r"[A-Za-z0-9]+", request.value)
    skipped = {"and", "or", "not", "all", "abs", "ti", "au", "cat", "co", "jr", "rn", "id"}
    kept = [word.lower() for word in words if word.lower() not in skipped] or ["arxiv"]
    return "-".join(kept)[:40].strip("-") or "arxiv"


def add(settings: Settings, request: FetchRequest, name: str | None = None) -> Subscription:
    """Save a subscription; refuses a name in use and a fetch already subscribed to."""
    check(request)
    name = name or default_name(request)
    if not NAME.fullmatch(name):
        raise ReaderError(
            f"a subscription's name is 1 to 40 letters, digits, '.', '_', '+' and '-'"
            f" (starting with a letter or digit), not {name!r}"
        )
    subscription = Subscription(name, request)
    for known in load(settings):
        if known.name.casefold() == name.casefold():
            raise ReaderError(f"there is a subscription named {known.name} already; use --name")
        if known.identity == subscription.identity:
            raise ReaderError(f"already subscribed, as {known.name}")
    entry: dict[str, Any] = {"source": request.source, "value": request.value or None}
    if request.source == "arxiv":
        entry["max_results"] = request.max_results
    settings.set_entry(TABLE, name, entry)
    return subscription


def remove(settings: Settings, name: str) -> Subscription:
    """Forget a subscription (the papers it brought stay); returns it."""
    subscriptions = load(settings)
    for subscription in subscriptions:
        if subscription.name.casefold() == name.casefold():
            settings.set_entry(TABLE, subscription.name, None)
            return subscription
    known = ", ".join(sub.name for sub in subscriptions) or "none yet"
    raise NotFoundError(f"no subscription named {name!r} (subscriptions: {known})")


def hf_days(settings: Settings) -> int:
    """The `hf_days` setting: how many days back Hugging Face is caught up."""
    days = settings.get("hf_days", HF_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_HF_DAYS:
        raise ConfigError(f"setting hf_days must be a whole number from 1 to {MAX_HF_DAYS}")
    return days


# --- progress, per library ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a subscription has got in one library."""

    identity: str = ""
    fetched_at: str | None = None
    """When it was last fetched (ISO 8601, UTC), successfully or not."""
    papers: int = 0
    """The papers the last fetch brought (new, updated or unchanged)."""
    new: int = 0
    """Of them, the papers new to the library."""
    total_new: int = 0
    """New papers it brought in all."""
    through: str | None = None
    """Hugging Face: the last day fetched; arXiv: the newest submission day seen."""
    error: str | None = None
    """Why the last fetch failed, or None."""


class ProgressFile:
    """`progress.json` of a library: each subscription's `Progress` and the digest's
    mark. Changes re-read the file under a lock, so concurrent runs lose nothing."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / PROGRESS_FILE
        self._lock = folder / (PROGRESS_FILE + ".lock")

    def read(self) -> dict[str, Any]:
        """The whole file; {} when missing or unreadable (progress can be rebuilt: the
        next fetch starts from today)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}
        return data if isinstance(data, dict) else {}

    def update(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Apply `change` to the file as it is on disk now, and write it back."""
        with file_lock(self._lock):
            data = self.read()
            change(data)
            text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
            write_text_atomic(self.path, text, force=True)

    def progress(self, subscription: Subscription) -> Progress:
        """The subscription's progress (blank when new or changed since)."""
        entries = self.read().get("subscriptions")
        entry = entries.get(subscription.name) if isinstance(entries, dict) else None
        if not isinstance(entry, dict) or entry.get("identity") != subscription.identity:
            return Progress(identity=subscription.identity)
        known = {name: entry[name] for name in Progress.__slots__ if name in entry}
        try:
            progress = Progress(**known)
        except TypeError:  # pragma: no cover - slots are the fields
            return Progress(identity=subscription.identity)
        return progress if _sound(progress) else Progress(identity=subscription.identity)

    def record(self, name: str, progress: Progress) -> None:
        """Store a subscription's progress; `through` never moves back (another run may
        have got further meanwhile)."""

        def change(data: dict[str, Any]) -> None:
            entries = data.get("subscriptions")
            if not isinstance(entries, dict):
                entries = data["subscriptions"] = {}
            stored = entries.get(name)
            through = progress.through
            if (
                isinstance(stored, dict)
                and stored.get("identity") == progress.identity
                and isinstance(stored.get("through"), str)
                and (through is None or stored["through"] > through)
            ):
                through = stored["through"]
            entries[name] = asdict(replace(progress, through=through))

        self.update(change)

    def digest_mark(self) -> dict[str, object] | None:
        """What the previous digest left for the next (see `reader.digest.Window`)."""
        mark = self.read().get("digest")
        return mark if isinstance(mark, dict) else None

    def set_digest_mark(self, mark: dict[str, object]) -> None:
        """Remember where this digest ended."""
        self.update(lambda data: data.update(digest=mark))


def _sound(progress: Progress) -> bool:
    """Whether a stored progress holds what it should (a hand-edited file may not)."""
    counts = (progress.papers, progress.new, progress.total_new)
    if not all(isinstance(count, int) and not isinstance(count, bool) for count in counts):
        return False
    if progress.through is not None:
        try:
            date.fromisoformat(progress.through)
        except (TypeError, ValueError):
            return False
    texts = (progress.fetched_at, progress.error)
    return all(text is None or isinstance(text, str) for text in texts)


# --- fetching ------------------------------------------------------------------------------


def plan(subscription: Subscription, progress: Progress, today: date, days: int) -> list[Request]:
    """The requests that bring a subscription up to date, in order."""
    request = subscription.request
    through = date.fromisoformat(progress.through) if progress.through else None
    if request.source == "hf":
        first = max(through or today, today - timedelta(days=days - 1))
        first = min(first, today)
        count = (today - first).days + 1
        return [
            Request(FetchRequest("hf", (first + timedelta(days=n)).isoformat()), n + 1, count)
            for n in range(count)
        ]
    if request.source == "arxiv":
        # A mark past today (written by an earlier version from a misdated entry) would
        # ask only for papers of the future.
        since = None if through is None else min(through, today)
        return [Request(replace(request, since=since))]
    return [Request(request)]


@dataclass(frozen=True, slots=True)
class Request:
    """One request of a subscription's run: the `n`-th of `of`."""

    fetch: FetchRequest
    n: int = 1
    of: int = 1


@dataclass(slots=True)
class Outcome:
    """What fetching one subscription did."""

    subscription: Subscription
    fetched: int = 0
    """Papers fetched (before storing)."""
    result: ImportResult | None = None
    error: str | None = None
    span: str = ""
    """What was fetched: the days, or the day the search resumed from."""
    progress: Progress = field(default_factory=Progress)

    @property
    def ok(self) -> bool:
        """Whether the source answered every request and everything was stored."""
        return self.error is None

    def summary(self) -> str:
        """One line: what came in, or that nothing did, and the failure if any."""
        name, label = self.subscription.name, self.subscription.label
        where = f"{label}, {self.span}" if self.span else label
        if self.result is not None and self.result.keys:
            papers = self.result.papers
            line = f"{name}: {papers} paper{'s' if papers != 1 else ''} from {where}: "
            line += self.result.summary()
        elif self.error is None:
            line = f"{name}: nothing new from {where}"
        else:
            line = f"{name}: failed"
        if self.error is not None:
            line += f"{'; then failed' if self.result and self.result.keys else ''}: {self.error}"
        return line + ("" if line.endswith(".") else ".")


Told = Callable[[Subscription, Request, int], None]
"""Told, as a subscription's run goes, the request under way and the papers so far."""


def fetch_all(
    library: Library,
    subscriptions: list[Subscription],
    config: FeedConfig,
    *,
    days: int = HF_DAYS,
    today: date | None = None,
    progress: Told | None = None,
    waiting: Waiting | None = None,
    client: FeedClient | None = None,
) -> Iterator[Outcome]:
    """Fetch every subscription into `library`, one after the other, each stored as it
    ends; yields each `Outcome` then. A failure is in its outcome, never raised.

    One HTTP client serves them all, so arXiv's spacing holds across subscriptions.
    """
    store = ProgressFile(library.folder)
    with open_client(config, client) as session:
        for subscription in subscriptions:
            yield fetch_one(
                library,
                subscription,
                config,
                store=store,
                days=days,
                today=today or date.today(),
                progress=progress,
                waiting=waiting,
                client=session,
            )


def fetch_one(
    library: Library,
    subscription: Subscription,
    config: FeedConfig,
    *,
    store: ProgressFile,
    days: int,
    today: date,
    progress: Told | None = None,
    waiting: Waiting | None = None,
    client: FeedClient | None = None,
) -> Outcome:
    """Bring one subscription up to date from where it stopped; see `fetch_all`."""
    before = store.progress(subscription)
    requests = plan(subscription, before, today, days)
    outcome = Outcome(subscription, span=_span(subscription, requests))
    items: list[Incoming] = []
    through = before.through
    for request in requests:
        done = len(items)

        def told(count: int, request: Request = request, done: int = done) -> None:
            if progress is not None:
                progress(subscription, request, done + count)

        told(0)
        try:
            fetched = fetch(config, request.fetch, told, client=client)
        except ReaderError as error:
            outcome.error = str(error)
            break
        items.extend(fetched)
        through = _advance(request.fetch, fetched, through, today)
    outcome.fetched = len(items)
    if items:
        try:
            outcome.result = library.import_papers(items, waiting=waiting)
        except ReaderError as error:
            outcome.error, through = str(error), before.through
    result = outcome.result or ImportResult()
    outcome.progress = replace(
        before,
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        papers=result.papers,
        new=result.new,
        total_new=before.total_new + result.new,
        through=through,
        error=outcome.error,
    )
    try:
        store.record(subscription.name, outcome.progress)
    except ReaderError as error:
        outcome.error = outcome.error or f"its progress could not be saved: {error}"
    return outcome


def _advance(
    request: FetchRequest, fetched: list[Incoming], through: str | None, today: date
) -> str | None:
    """The progress mark after a request succeeded."""
    if request.source == "hf":
        return request.value
    if request.source == "arxiv":
        # The newest submission day seen; inclusive next time, since arXiv announces a
        # day's later submissions the day after. Nothing found leaves the mark alone. A
        # date past today (a feed's mistake) must not carry the mark into the future,
        # where no paper would ever be asked for again.
        days = [
            item.paper.published
            for item in fetched
            if item.paper.published is not None and item.paper.published <= today
        ]
        newest = max(days, default=None)
        if newest is None:
            return through
        return max(through or "", newest.isoformat())
    return today.isoformat()


def _span(subscription: Subscription, requests: list[Request]) -> str:
    """What a run fetches, for its summary line."""
    first, last = requests[0].fetch, requests[-1].fetch
    if subscription.request.source == "hf":
        return first.value if first is last else f"{first.value} to {last.value}"
    if first.since is not None:
        return f"since {first.since.isoformat()}"
    return ""
