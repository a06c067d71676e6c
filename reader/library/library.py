"""The library facade: one folder holding the catalog and the user's state.

Everything the CLI and the TUI do to a library goes through `Library`; neither sees
SQLite rows or TinyDB documents.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from reader.errors import NotFoundError, StoreError
from reader.library.catalog import Catalog
from reader.library.merging import ImportResult, Progress
from reader.library.search import Searcher
from reader.library.state import StateStore
from reader.model import Entry, PaperState
from reader.query import Query, normalize_tag, parse_query
from reader.sources import Incoming

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
        self.searcher.mirror_states(self.state.all().values())
        self._mirrored = self.state.generation

    def close(self) -> None:
        """Close both stores."""
        self.searcher.close()
        self.catalog.close()
        self.state.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- importing -------------------------------------------------------------------------

    def import_papers(
        self, items: Sequence[Incoming], progress: Progress | None = None
    ) -> ImportResult:
        """Add or refresh these papers in one transaction.

        The user's state is never changed by a re-import. State carried by the input
        (the library's own JSON formats) is restored only for papers the user has not
        touched in this library.
        """
        carried = [(index, item.state) for index, item in enumerate(items) if item.state]
        restored: list[PaperState] = []
        # State first: if the catalog write then fails, an orphan state record is
        # harmless (it waits for its paper), whereas the reverse would drop the state.
        if carried:
            planned = self.catalog.planned_keys([item.paper for item in items])
            for index, state in carried:
                key = planned[index]
                if self.state.get(key) is None and state is not None:
                    restored.append(replace(state, key=key))
            self._store(restored)
        return self.catalog.upsert((item.paper for item in items), progress=progress)

    # --- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.catalog)

    def resolve(self, text: str) -> str:
        """The key a user means: a key, an arXiv id or URL, or a unique key prefix."""
        return self.catalog.resolve(text)

    def state_of(self, key: str) -> PaperState:
        """The user's state for a paper (a blank one when never touched)."""
        return self.state.get(key) or PaperState(key=key)

    def entry(self, key: str) -> Entry:
        """One paper with its state; `NotFoundError` for an unknown key."""
        paper = self.catalog.get(key)
        if paper is None:
            raise NotFoundError(f"no paper with key {key!r} in the library")
        return Entry(paper, self.state_of(key))

    def entries(self, query: Query | str = "", sort: str = "date") -> list[Entry]:
        """The papers matching `query` with their states, in `sort` order."""
        parsed = parse_query(query) if isinstance(query, str) else query
        return [
            Entry(paper, self.state_of(paper.key)) for paper in self.searcher.search(parsed, sort)
        ]

    def keys(self, query: Query | str = "", sort: str = "date") -> list[str]:
        """Only the keys of the matching papers, in order."""
        parsed = parse_query(query) if isinstance(query, str) else query
        return self.searcher.search_keys(parsed, sort)

    def rowids(self, query: Query | str = "", sort: str = "date") -> array[int]:
        """The row ids of the matching papers, in order, packed (for the TUI's list)."""
        parsed = parse_query(query) if isinstance(query, str) else query
        return self.searcher.search_rowids(parsed, sort)

    def first_page(
        self, query: Query | str = "", sort: str = "date", limit: int = 200
    ) -> tuple[array[int], int]:
        """The first `limit` matching row ids in order, and the number of matches."""
        parsed = parse_query(query) if isinstance(query, str) else query
        return self.searcher.first_page(parsed, sort, limit)

    def rows(self, rowids: Sequence[int]) -> dict[int, Entry]:
        """The entries for these row ids (as `rowids` returns them)."""
        return {
            rowid: Entry(paper, self.state_of(paper.key))
            for rowid, paper in self.searcher.get_rows(rowids).items()
        }

    def count(self, query: Query | str = "") -> int:
        """How many papers match."""
        parsed = parse_query(query) if isinstance(query, str) else query
        return self.searcher.count(parsed)

    # --- changing the user's state -----------------------------------------------------------

    def set_read(self, keys: Iterable[str], read: bool) -> list[PaperState]:
        """Mark papers read or unread; returns their states before the change (for undo)."""
        stamp = now_stamp()
        return self._change(keys, lambda s: replace(s, read=read, read_at=stamp), "read", read)

    def set_starred(self, keys: Iterable[str], starred: bool) -> list[PaperState]:
        """Star or unstar papers; returns their states before the change."""
        stamp = now_stamp()
        return self._change(
            keys, lambda s: replace(s, starred=starred, starred_at=stamp), "starred", starred
        )

    def set_note(self, key: str, note: str) -> list[PaperState]:
        """Replace a paper's note (an empty note removes it); returns the state before."""
        stamp = now_stamp()
        return self._change([key], lambda s: replace(s, note=note, note_at=stamp), "note", note)

    def set_tags(self, key: str, tags: Iterable[str]) -> list[PaperState]:
        """Replace a paper's tags; returns the state before."""
        cleaned = clean_tags(tags)
        stamp = now_stamp()
        return self._change(
            [key], lambda s: replace(s, tags=cleaned, tags_at=stamp), "tags", cleaned
        )

    def restore(self, states: Sequence[PaperState]) -> list[PaperState]:
        """Put these exact states back (undo/redo); returns the states they replace."""
        before = [self.state_of(state.key) for state in states]
        self._store(states)
        return before

    def all_tags(self) -> list[str]:
        """Every tag in use, sorted, for completion."""
        return sorted({tag for state in self.state.all().values() for tag in state.tags})

    def _change(
        self,
        keys: Iterable[str],
        change: Callable[[PaperState], PaperState],
        field_name: str,
        value: object,
    ) -> list[PaperState]:
        wanted = list(dict.fromkeys(keys))
        known = self.catalog.get_many(wanted)
        before: list[PaperState] = []
        after: list[PaperState] = []
        for key in wanted:
            if key not in known:
                raise NotFoundError(f"no paper with key {key!r} in the library")
            old = self.state_of(key)
            if getattr(old, field_name) == value:
                continue  # nothing changes: keep the old timestamp, write nothing
            before.append(old)
            after.append(change(old))
        self._store(after)
        return before

    def _store(self, states: Sequence[PaperState]) -> None:
        if not states:
            return
        self.state.put(states)
        if self.state.generation != self._mirrored:
            # The store re-read another process's changes: mirror all of them for search.
            self._mirrored = self.state.generation
            self.searcher.mirror_states(self.state.all().values())
        else:
            self.searcher.mirror_states(states)

    # --- summaries ---------------------------------------------------------------------------

    def stats(self) -> dict[str, object]:
        """Counts of papers and of the user's state, for `reader stats`."""
        states = self.state.all().values()
        summary = self.catalog.stats()
        summary.update(
            read=sum(state.read for state in states),
            starred=sum(state.starred for state in states),
            notes=sum(bool(state.note) for state in states),
            tagged=sum(bool(state.tags) for state in states),
            tags=len(self.all_tags()),
        )
        return summary


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as the user typed them, trimmed, without `#`, de-duplicated case-insensitively."""
    seen: dict[str, str] = {}
    for tag in tags:
        for part in tag.replace(",", " ").split():
            text = part.strip().lstrip("#")
            if text and normalize_tag(text) not in seen:
                seen[normalize_tag(text)] = text
    return tuple(seen.values())
