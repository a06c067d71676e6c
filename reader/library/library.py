"""The library facade: one folder holding the catalog and the user's state.

Everything the CLI and the TUI do to a library goes through `Library`; neither sees
SQLite rows or TinyDB documents.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from reader.errors import NotFoundError, StoreError
from reader.library.catalog import Aside, Catalog, CatalogStats, Written
from reader.library.connection import Waiting
from reader.library.merging import ImportResult, Progress
from reader.library.search import Searcher
from reader.library.state import StateStore
from reader.model import Change, Entry, Incoming, Listed, Paper, PaperState
from reader.query import Query, normalize_tag, parse_query
from reader.ranking import Ranked, Ranking, Reason
from reader.sync.conflicts import ConflictCopies, NoteConflict
from reader.text import plural

CATALOG_FILE = "catalog.sqlite3"
STATE_FILE = "state.json"


def now_stamp() -> str:
    """The current time as stored in state records: ISO 8601, UTC, seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Library:
    """A reader library: papers (SQLite catalog) plus the user's state (TinyDB)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"cannot create the library folder {folder}: {error.strerror}"
            ) from None
        self.catalog = Catalog(folder / CATALOG_FILE)
        try:
            self.searcher = Searcher(folder / CATALOG_FILE)
            self.state = StateStore(folder / STATE_FILE)
        except BaseException:
            self.catalog.close()
            raise
        self.searcher.mirror_all(self.state.all)
        self._mirrored = self.state.generation
        self._catalog_version = self.catalog.data_version()
        self.saved_searches: Callable[[], Mapping[str, str]] = dict
        """The saved searches `saved:NAME` may name (query by case-folded name), asked for
        only when a query uses one. The CLI and the app set it from the settings."""
        self.ranking = Ranking(folder, folder / CATALOG_FILE, self._states)
        """The "for you" order and similar papers (opens its files on first use)."""
        self.searcher.ranking = self.ranking
        self._conflicts = ConflictCopies(folder)
        self.ranking_problem = ""
        """Why the last import could not update the ranking's vectors (they are caught up
        from the catalog later), or ""."""

    def parse(self, text: str) -> Query:
        """`text` parsed as a query, with `saved:NAME` taken from `saved_searches`."""
        uses_saved = "saved:" in text.casefold()
        return parse_query(text, self.saved_searches() if uses_saved else None)

    def _states(self) -> list[PaperState]:
        return list(self.state.all().values())

    def close(self) -> None:
        """Close both stores."""
        self.ranking.close()
        self.searcher.close()
        self.catalog.close()
        self.state.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- importing -------------------------------------------------------------------------

    def import_papers(
        self,
        items: Sequence[Incoming],
        progress: Progress | None = None,
        waiting: Waiting | None = None,
    ) -> ImportResult:
        """Add or refresh these papers in one transaction.

        The user's state is never changed by a re-import. State carried by the input
        (the library's own JSON formats) is applied after the catalog is committed, and
        only to fields the user never changed in this library: an import that fails or
        is killed changes no state. `waiting` is told when another process's import makes
        this one wait for it.
        """
        # The ranking's vectors are computed beside the import (numpy releases the GIL while
        # SQLite builds its indexes) and stored once the catalog has committed.
        prepared = self.ranking.prepare([(item.paper.title, item.paper.abstract) for item in items])
        written: list[tuple[int, str, str]] = []
        result = self._import([items], progress, waiting, 2 * len(items), written.extend)
        self.ranking_problem = ""
        try:
            self.ranking.add(written, prepared)
        except StoreError as error:
            # Derived data: the catalog is committed, and the next ranking catches up.
            self.ranking_problem = str(error)
        return result

    def import_stream(
        self,
        batches: Iterable[Sequence[Incoming]],
        progress: Progress | None = None,
        waiting: Waiting | None = None,
        aside: Aside = nullcontext,
    ) -> ImportResult:
        """`import_papers` for an input too large to hold: papers come in batches (of any
        size; a few thousand is right), and each batch is matched, written and forgotten
        before the next is read, so memory does not grow with the input. It is still ONE
        transaction: all or nothing, whatever the number of batches.

        `progress` is called after each batch with (papers so far, 0). The result's `keys`
        holds the first `merging.KEPT_KEYS` keys only, and `resolved` stays empty. The
        ranking's vectors are not kept in memory meanwhile: the ranking catches up from the
        catalog when it is next used (`Ranking.sync`). `aside` is entered while SQLite
        indexes a group of papers (see `Catalog.upsert_batches`).
        """
        return self._import(batches, progress, waiting, 0, None, aside)

    def _import(
        self,
        batches: Iterable[Sequence[Incoming]],
        progress: Progress | None,
        waiting: Waiting | None,
        total: int,
        written: Written | None,
        aside: Aside = nullcontext,
    ) -> ImportResult:
        carried: list[PaperState] = []
        batch: Sequence[Incoming] = ()

        def papers() -> Iterator[tuple[list[Paper], frozenset[str]]]:
            nonlocal batch
            for batch in batches:
                claimed = frozenset(item.paper.key for item in batch if item.keyed)
                yield [item.paper for item in batch], claimed

        def resolved(keys: list[str]) -> None:
            carried.extend(
                replace(item.state, key=key)
                for item, key in zip(batch, keys, strict=True)
                if item.state is not None
            )

        result = self.catalog.upsert_batches(
            papers(),
            progress=progress,
            waiting=waiting,
            total=total,
            resolved=resolved,
            written=written,
            aside=aside,
        )
        if carried:
            before = self.state.adopt(carried, now_stamp())
            self._mirror(before)
        return result

    # --- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.catalog)

    def size_hint(self) -> int:
        """The number of papers without counting them (see `Catalog.size_hint`)."""
        return self.catalog.size_hint()

    def resolve(self, text: str) -> str:
        """The key a user means: a key, an arXiv id or URL, a DOI, or a unique key prefix."""
        return self.catalog.resolve(text)

    def rowid_of(self, key: str) -> int | None:
        """The row id of a paper (for the app's list), or None when it is not here."""
        return self.catalog.rowid_of(key)

    def next_unread(self, rowids: Sequence[int], start: int, step: int) -> int | None:
        """The index of the first unread paper in `rowids` from `start` on, going by `step`
        (1 or -1), or None: for the app's next-unread keys.

        Walks from `start` in batches that double (64 papers, then 128, ...), looking up
        only their keys: the next unread paper is usually near, and a list of 100,000
        papers is never read whole for it.
        """
        index, batch = start, 64
        while 0 <= index < len(rowids):
            end = min(index + batch, len(rowids)) if step > 0 else max(index - batch, -1)
            indexes = range(index, end, step)
            keys = self.catalog.keys_of([rowids[at] for at in indexes])
            for at in indexes:
                key = keys.get(rowids[at])
                state = self.state.get(key) if key is not None else None
                if key is not None and (state is None or not state.read):
                    return at
            index, batch = end, batch * 2
        return None

    def state_of(self, key: str) -> PaperState:
        """The user's state for a paper (a blank one when never touched)."""
        return self.state.get(key) or PaperState(key=key)

    def entry(self, key: str) -> Entry:
        """One paper with its state; `NotFoundError` for an unknown key."""
        paper = self.catalog.get(key)
        if paper is None:
            raise NotFoundError(f"no paper with key {key!r} in the library")
        return Entry(paper, self.state_of(key))

    def entries(
        self, query: Query | str = "", sort: str = "date", limit: int | None = None
    ) -> list[Entry]:
        """The papers matching `query` with their states, in `sort` order (the first
        `limit` of them, when given)."""
        parsed = self.parse(query) if isinstance(query, str) else query
        return [
            Entry(paper, self.state_of(paper.key))
            for paper in self.searcher.search(parsed, sort, limit)
        ]

    def listing(
        self, query: Query | str = "", sort: str = "date", limit: int | None = None
    ) -> list[Listed]:
        """What `reader list` shows of the matching papers, in order (the first `limit`):
        (key, title, published, upvotes, state). Reads only those columns, and makes no
        `Paper`: at a million papers a common word lists tens of thousands."""
        parsed = self.parse(query) if isinstance(query, str) else query
        rows = self.searcher.listing(parsed, sort, limit)
        if rows is None:
            return [
                (e.key, e.paper.title, e.paper.published, e.paper.upvotes, e.state)
                for e in self.entries(parsed, sort, limit)
            ]
        states = self.state.all()
        return [
            (
                key,
                title,
                date.fromisoformat(published) if published else None,
                upvotes,
                states.get(key) or PaperState(key=key),
            )
            for key, title, published, upvotes in rows
        ]

    def keys(self, query: Query | str = "", sort: str = "date") -> list[str]:
        """Only the keys of the matching papers, in order."""
        parsed = self.parse(query) if isinstance(query, str) else query
        return self.searcher.search_keys(parsed, sort)

    def rowids(self, query: Query | str = "", sort: str = "date") -> array[int]:
        """The row ids of the matching papers, in order, packed (for the TUI's list)."""
        parsed = self.parse(query) if isinstance(query, str) else query
        return self.searcher.search_rowids(parsed, sort)

    def rowids_at_hand(
        self,
        query: Query | str = "",
        sort: str = "date",
        stop: Callable[[], bool] | None = None,
    ) -> array[int] | None:
        """`rowids(query, sort)` when it is cheap (the sort's order of the catalog is
        cached), else None: the TUI then shows `first_page` first. `stop` may end it
        early (`SearchStopped`): see `Searcher.rowids_at_hand`."""
        parsed = self.parse(query) if isinstance(query, str) else query
        return self.searcher.rowids_at_hand(parsed, sort, stop)

    def early_page(self, query: Query | str, sort: str, limit: int) -> array[int] | None:
        """The first matching row ids in order, from the newest papers' index, when they
        are at least `limit` (exactly the whole result's first); else None. See
        `Searcher.early_page`."""
        parsed = self.parse(query) if isinstance(query, str) else query
        return self.searcher.early_page(parsed, sort, limit)

    def first_page(
        self, query: Query | str = "", sort: str = "date", limit: int = 200
    ) -> tuple[array[int], int]:
        """The first `limit` matching row ids in order, and the number of matches."""
        parsed = self.parse(query) if isinstance(query, str) else query
        return self.searcher.first_page(parsed, sort, limit)

    def opening_page(self, sort: str, limit: int) -> array[int] | None:
        """The first `limit` papers in `sort` order, with no filter and no count, when
        that is cheap enough to do before the app's first frame (see
        `Searcher.opening_page`); else None."""
        return self.searcher.opening_page(sort, limit)

    def rows(self, rowids: Sequence[int]) -> dict[int, Entry]:
        """The entries for these row ids (as `rowids` returns them)."""
        return {
            rowid: Entry(paper, self.state_of(paper.key))
            for rowid, paper in self.searcher.get_rows(rowids).items()
        }

    def count(self, query: Query | str = "") -> int:
        """How many papers match."""
        parsed = self.parse(query) if isinstance(query, str) else query
        return self.searcher.count(parsed)

    # --- changing the user's state -----------------------------------------------------------

    def set_read(self, keys: Iterable[str], read: bool) -> Change:
        """Mark papers read or unread; the `Change` says which changed and how (for undo)."""
        return self._set("read", keys, read)

    def mark_matching_read(self, query: Query) -> Change:
        """Mark every paper matching `query` read (the app's `A`), in one durable write.

        The papers come from the catalog at this moment, so their keys need no check; for
        100,000 papers the whole change takes a fraction of a second (one compact journal
        line, one SQL statement for the search mirror)."""
        keys = self.searcher.search_keys(query)
        return Change("read", True, self._set_field(keys, "read", True))

    def set_starred(self, keys: Iterable[str], starred: bool) -> Change:
        """Star or unstar papers."""
        return self._set("starred", keys, starred)

    def set_dismissed(self, keys: Iterable[str], dismissed: bool) -> list[Change]:
        """Dismiss papers ("not interested", a negative signal for the "for you" order), or
        take that back. Dismissing also marks them read, in the same write; the changes
        (dismissed, and read) undo together. Undismissing leaves them read."""
        if dismissed:
            return self._set_fields(keys, {"dismissed": True, "read": True})
        return self._set_fields(keys, {"dismissed": False})

    def set_note(self, key: str, note: str) -> Change:
        """Replace a paper's note (an empty note removes it)."""
        return self._set("note", [key], note)

    def set_tags(self, key: str, tags: Iterable[str]) -> Change:
        """Replace a paper's tags."""
        return self._set("tags", [key], clean_tags(tags))

    def add_tags(self, keys: Iterable[str], tags: Iterable[str]) -> Change:
        """Add tags to several papers, each keeping the tags it has (as on disk now)."""
        added = clean_tags(tags)
        wanted = list(dict.fromkeys(keys))
        missing = self.catalog.missing_keys(wanted)
        if missing:
            raise NotFoundError(f"no paper with key {missing[0]!r} in the library")

        def plan(state: PaperState) -> Mapping[str, object]:
            # The tags it has as they are: one an import brought ("machine learning")
            # is not split as if typed.
            return {"tags": with_tags(state.tags, added)}

        before = self.state.update_fields(wanted, plan, now_stamp())
        self._mirror(before)
        after: dict[str, object] = {key: self.state_of(key).tags for key in before}
        return Change("tags", added, {key: b["tags"] for key, b in before.items()}, after)

    def revert(self, change: Change) -> list[str]:
        """Undo a change: its papers get back the values they had, as a new change.

        Only the changed field is touched, so whatever was written to other fields since
        (here or by another process) stays. Returns the keys that changed.
        """
        values = set(change.before.values())
        if len(values) == 1:
            # Every paper goes back to one value (undoing a bulk change): the fast path.
            (value,) = values
            return list(self._set_field(change.before.keys(), change.name, value))
        before = self.state.set_fields(
            {key: {change.name: value} for key, value in change.before.items()}, now_stamp()
        )
        self._mirror(before)
        return list(before)

    def reapply(self, change: Change) -> Change:
        """Redo a change that was undone."""
        if change.after is not None:
            before = self.state.set_fields(
                {key: {change.name: value} for key, value in change.after.items()}, now_stamp()
            )
            self._mirror(before)
            return change
        return self._set(change.name, change.keys, change.value)

    def merge_fields(
        self, keys: Iterable[str], plan: Callable[[PaperState], dict[str, tuple[object, str]]]
    ) -> list[str]:
        """Take fields merged from other devices (`reader.sync`): `plan(state)` gives each
        paper's fields to set with their own times, from its state on disk now. Returns
        the keys that changed."""
        before = self.state.merge_fields(keys, plan)  # type: ignore[arg-type]
        self._mirror(before)
        return list(before)

    def note_conflicts(self, key: str) -> list[NoteConflict]:
        """Versions of a paper's note that lost to a change made on another device without
        seeing them (see `reader.sync`), oldest first; [] when there are none."""
        return self._conflicts.get(key)

    def all_tags(self) -> list[str]:
        """Every tag in use, sorted, for completion."""
        # A list first, made at once: a worker may add states while this loops.
        states = list(self.state.all().values())
        return sorted({tag for state in states for tag in state.tags})

    def refresh(self) -> bool:
        """Pick up state changes other processes wrote; True when there were some."""
        if not self.state.refresh():
            return False
        self.ranking.state_version += 1
        self._mirrored = self.state.generation
        self.searcher.mirror_all(self.state.all)
        return True

    def changes_on_disk(self) -> tuple[bool, bool]:
        """(state, catalog): what other processes changed since the last look.

        Cheap (two `stat` calls and one pragma): the app asks about once a second. The
        state is re-read here when it changed; the catalog's readers see new rows by
        themselves, so the caller only has to search again.
        """
        state = self.state.changed_on_disk() and self.refresh()
        version = self.catalog.data_version()
        catalog = version != self._catalog_version
        self._catalog_version = version
        return state, catalog

    def _set(self, name: str, keys: Iterable[str], value: object) -> Change:
        (change,) = self._set_fields(keys, {name: value})
        return change

    def _set_fields(self, keys: Iterable[str], values: dict[str, object]) -> list[Change]:
        """Set several fields of papers in one durable write: one `Change` per field."""
        wanted = list(dict.fromkeys(keys))
        missing = self.catalog.missing_keys(wanted)
        if missing:
            raise NotFoundError(f"no paper with key {missing[0]!r} in the library")
        if len(values) == 1:
            ((name, value),) = values.items()
            return [Change(name, value, self._set_field(wanted, name, value))]
        before = self.state.set_fields({key: dict(values) for key in wanted}, now_stamp())
        self._mirror(before)
        return [
            Change(
                name,
                value,
                {key: fields[name] for key, fields in before.items() if name in fields},
            )
            for name, value in values.items()
        ]

    def _set_field(self, keys: Iterable[str], name: str, value: object) -> dict[str, object]:
        """One field of many papers set to one value (the store's bulk path), mirrored for
        search; returns what the field held before, for each paper that changed."""
        before = self.state.set_field(keys, name, value, now_stamp())
        if self.state.generation != self._mirrored or name == "tags":
            self._mirror(before)  # another process wrote meanwhile: mirror everything
        else:
            self.ranking.state_version += 1
            self.searcher.mirror_field(before.keys(), name, value)
        return before

    def _mirror(self, changed: Iterable[str]) -> None:
        """Bring the search mirror up to date after a write (which may have re-read disk)."""
        self.ranking.state_version += 1
        if self.state.generation != self._mirrored:
            # The store re-read another process's changes: mirror all of them for search.
            self._mirrored = self.state.generation
            self.searcher.mirror_all(self.state.all)
        else:
            self.searcher.mirror_states(self.state_of(key) for key in changed)

    # --- "for you" ---------------------------------------------------------------------------

    def relevance(self) -> Ranked | None:
        """Every paper's relevance score (by row id), or None when nothing is liked yet."""
        return self.ranking.relevance()

    def scores(self, keys: Sequence[str]) -> dict[str, float]:
        """The relevance score of each of these papers (those with one)."""
        ranked = self.relevance()
        if ranked is None:
            return {}
        rowids = self.ranking.rowids_of(keys)
        by_rowid = dict(zip(ranked.rowids.tolist(), ranked.scores.tolist(), strict=True))
        return {key: by_rowid[rowid] for key, rowid in rowids.items() if rowid in by_rowid}

    def reasons(self, keys: Sequence[str], terms: int = 0) -> dict[str, Reason]:
        """For each of these papers, the liked paper it is most like (with `terms`: and the
        words that weighed most); papers with none are left out."""
        rowids = self.ranking.rowids_of(keys)
        found = self.ranking.reasons(list(rowids.values()), terms=terms)
        return {key: found[rowid] for key, rowid in rowids.items() if rowid in found}

    def relevance_note(self) -> str:
        """What the "for you" order rests on, in one line for the user."""
        labels = self.ranking.labels()
        if not labels.positive:
            return "nothing to rank by yet: star, tag or note papers you like; newest first"
        liked = plural(len(labels.positive), "liked paper")
        if not labels.trainable:
            return f"by similarity to your {liked}; a model needs 5 liked and 5 read or dismissed"
        return f"learned from {liked} and {plural(labels.negatives, 'read or dismissed paper')}"

    # --- summaries ---------------------------------------------------------------------------

    def stats(self) -> LibraryStats:
        """Counts of papers and of the user's state, for `reader stats`."""
        states = list(self.state.all().values())  # made at once, as in `all_tags`
        return LibraryStats(
            papers=self.catalog.stats(),
            read=sum(state.read for state in states),
            starred=sum(state.starred for state in states),
            notes=sum(bool(state.note) for state in states),
            tagged=sum(bool(state.tags) for state in states),
            tags=len(self.all_tags()),
        )


@dataclass(frozen=True, slots=True)
class LibraryStats:
    """What `reader stats` shows: the catalog's counts and the user's."""

    papers: CatalogStats
    read: int
    starred: int
    notes: int
    tagged: int
    """Papers with at least one tag."""
    tags: int
    """Distinct tags."""


def with_tags(tags: Iterable[str], added: Iterable[str]) -> tuple[str, ...]:
    """`tags` as they are, then each of `added` (already clean) not among them in any case."""
    kept = tuple(tags)
    known = {normalize_tag(tag) for tag in kept}
    return kept + tuple(tag for tag in added if normalize_tag(tag) not in known)


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as the user typed them, trimmed, without `#`, de-duplicated case-insensitively."""
    seen: dict[str, str] = {}
    for tag in tags:
        for part in tag.replace(",", " ").split():
            text = part.strip().lstrip("#")
            if text and normalize_tag(text) not in seen:
                seen[normalize_tag(text)] = text
    return tuple(seen.values())
