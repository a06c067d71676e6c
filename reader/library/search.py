"""Running queries: a connection of its own, with a mirror of the user's state.

The query language filters on state (`is:starred`, `tag:x`) as well as on text, so the
few state fields it needs are mirrored into TEMP tables of this connection and one SQL
statement answers any query. State changes are queued and applied just before the next
search, so marking a paper never waits for a search that is running in a worker.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from reader.errors import StoreError
from reader.library import recent
from reader.library.connection import connect
from reader.library.ordering import Ordering, fetch_rowids
from reader.library.rows import SELECT_PAPERS, keys_by_rowid, paper_from_row
from reader.library.sql import ORDER_BY, fts_only, negated_fts, reads_state, to_sql, to_sql_in
from reader.model import Paper, PaperState
from reader.query import (
    SIMILARITY,
    Not,
    Query,
    normalize_tag,
    similar_anchor,
    similar_anchors,
)
from reader.text import storable

if TYPE_CHECKING:
    from reader.library.ordering import Rowids
    from reader.ranking import Ranking

_STATE_MIRROR = """
CREATE TEMP TABLE IF NOT EXISTS user_state (
    key TEXT PRIMARY KEY, read INTEGER, starred INTEGER, has_note INTEGER, dismissed INTEGER
) WITHOUT ROWID;
CREATE TEMP TABLE IF NOT EXISTS user_tag (
    key TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (key, tag)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS temp.user_tag_by_tag ON user_tag(tag, key);
CREATE TEMP TABLE IF NOT EXISTS similar (
    anchor TEXT NOT NULL, rowid INTEGER NOT NULL, PRIMARY KEY (anchor, rowid)
) WITHOUT ROWID;
"""

_FROM = "FROM papers p"

_MIRROR_COLUMNS = {
    "read": "read",
    "starred": "starred",
    "note": "has_note",
    "dismissed": "dismissed",
}
"""The mirror's column for each state field but tags (a table of their own)."""
_MIRROR_ORDER = ("read", "starred", "has_note", "dismissed")
"""The columns of `user_state` after its key."""


@dataclass(frozen=True, slots=True)
class _FieldChange:
    """One field of many papers set to one value (a bulk change), queued for the mirror."""

    keys: list[str]
    column: str
    flag: int

    def sql(self) -> str:
        """One statement for all the papers: their keys come as one JSON array."""
        others = ", ".join("?" if column == self.column else "0" for column in _MIRROR_ORDER)
        return (
            f"INSERT INTO temp.user_state (key, {', '.join(_MIRROR_ORDER)})"
            f" SELECT value, {others} FROM json_each(?) WHERE true"
            f" ON CONFLICT (key) DO UPDATE SET {self.column} = excluded.{self.column}"
        )


@dataclass(frozen=True, slots=True)
class _AllStates:
    """Every state, as `states()` gives them when the mirror is brought up to date."""

    states: Callable[[], Mapping[str, PaperState]]


class SearchStopped(Exception):
    """A search ended early because its `stop` said so (a newer query came)."""


STOP_EVERY = 20_000
"""SQLite's steps between two questions to a search's `stop`."""


class Searcher:
    """Answers queries over one catalog file."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._pending_lock = threading.Lock()
        self._pending: list[dict[str, PaperState] | _FieldChange | _AllStates] = []
        """State changes not mirrored yet, in order: whole states by key, bulk changes of
        one field, and every state (asked for when they are mirrored)."""
        self._orders: dict[str, Ordering] = {}
        self._ranked: dict[str, tuple[object, Ordering]] = {}
        self._similar: dict[str, object] = {}
        self._data_version = -1
        self._stop: Callable[[], bool] | None = None
        """What ends the running search early (see `_stoppable`), if anything."""
        self._recent: tuple[int, tuple[str, int] | None] | None = None
        """The recent index's cutoff and size, and the data version they are of."""
        self.ranking: Ranking | None = None
        """Scores for the orders that are not SQL ("relevance", by similarity) and the
        papers of `similar:` terms; set by the library."""
        self._db, _ = connect(path)
        try:
            self._db.executescript(_STATE_MIRROR)
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise StoreError(f"the catalog {path} cannot be opened: {error}") from None

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    def mirror_states(self, states: Iterable[PaperState]) -> None:
        """Queue these states for the mirror; cheap, never waits for a running search."""
        with self._pending_lock:
            latest = self._pending[-1] if self._pending else None
            if not isinstance(latest, dict):
                latest = {}
                self._pending.append(latest)
            for state in states:
                latest[state.key] = state

    def mirror_all(self, states: Callable[[], Mapping[str, PaperState]]) -> None:
        """Queue every state for the mirror, to be asked of `states()` when it is brought
        up to date: by the search worker, once the first page is painted, so that opening
        a library builds no state the first screen does not show. States asked for later
        than queued are as new or newer; every change after this one queues its own."""
        with self._pending_lock:
            if not (self._pending and isinstance(self._pending[-1], _AllStates)):
                self._pending.append(_AllStates(states))

    def mirror_field(self, keys: Collection[str], name: str, value: object) -> None:
        """Queue one field of many papers set to one value (not tags: `mirror_states`
        takes those); applied in one SQL statement, however many papers."""
        if not keys:
            return
        change = _FieldChange(list(keys), _MIRROR_COLUMNS[name], int(bool(value)))
        with self._pending_lock:
            self._pending.append(change)

    def get_rows(self, rowids: Sequence[int]) -> dict[int, Paper]:
        """The papers with these row ids (as returned by `search_rowids`).

        Served by this connection so that drawing rows never waits for an import,
        which holds the catalog's own connection for its whole transaction.
        """
        found: dict[int, Paper] = {}
        columns = SELECT_PAPERS.removeprefix("SELECT ")
        with self._lock:
            for start in range(0, len(rowids), 500):
                chunk = list(rowids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT p.rowid, {columns} WHERE p.rowid IN ({marks})"
                for row in self._db.execute(sql, chunk):
                    found[int(row[0])] = paper_from_row(row[1:])
        return found

    def search(self, query: Query, sort: str = "date", limit: int | None = None) -> list[Paper]:
        """The papers matching `query`, in `sort` order."""
        if sort not in ORDER_BY:
            rowids = self.search_rowids(query, sort)
            if limit is not None:
                rowids = rowids[: max(int(limit), 0)]
            rows = self.get_rows(rowids)
            return [rows[rowid] for rowid in rowids if rowid in rows]
        where, params = to_sql(query)
        sql = f"{SELECT_PAPERS} WHERE {where}"
        sql += f" ORDER BY {ORDER_BY[sort]}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [paper_from_row(row) for row in self._fetch(sql, params, query)]

    def listing(
        self, query: Query, sort: str, limit: int | None = None
    ) -> list[tuple[str, str, str | None, int | None]] | None:
        """(key, title, published, upvotes) of the matching papers in `sort` order (the
        first `limit`): what `reader list` prints, without reading the rest of each row.
        None for a sort that is not SQL's (`search` serves those)."""
        if sort not in ORDER_BY:
            return None
        where, params = to_sql(query)
        sql = f"SELECT p.key, p.title, p.published, p.upvotes {_FROM} WHERE {where}"
        sql += f" ORDER BY {ORDER_BY[sort]}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._fetch(sql, params, query)  # type: ignore[return-value]

    def search_keys(self, query: Query, sort: str = "date") -> list[str]:
        """Only the keys of the matching papers, in order."""
        if sort not in ORDER_BY:
            rowids = self.search_rowids(query, sort)
            with self._lock:
                keys = keys_by_rowid(self._db, rowids)
            return [keys[rowid] for rowid in rowids if rowid in keys]
        where, params = to_sql(query)
        sql = f"SELECT p.key {_FROM} WHERE {where} ORDER BY {ORDER_BY[sort]}"
        return [str(row[0]) for row in self._fetch(sql, params, query)]

    def search_rowids(self, query: Query, sort: str = "date") -> array[int]:
        """The row ids of the matching papers, in order, packed in a compact array.

        This is the TUI's hot path, run on every keystroke in the filter. SQL finds the
        matches without sorting them; the order comes from a cached ordering of the
        whole catalog per sort key (see `ordering`), so a query never sorts the papers.
        """
        self._rank_ahead(sort)
        with self._lock:
            # Always here: this is the step that comes after the first page is painted
            # (see `first_page`), where the mirror costs no one any waiting.
            self._apply_pending(query, always=True)
            ordering = self._ordering(sort, query)
            return self._arrange(ordering, query)

    def rowids_at_hand(
        self, query: Query, sort: str = "date", stop: Callable[[], bool] | None = None
    ) -> array[int] | None:
        """The whole ordered result, when the sort's order of the catalog is already at
        hand (cached and current): then it costs about what a first page does. None
        otherwise: `first_page` is then the cheap way to something on screen.

        `stop`, asked now and then while SQLite reads the matches, ends the search early
        with `SearchStopped` when it says so (a newer query was typed)."""
        if sort == "relevance" and self.ranking is not None and not self.ranking.order_at_hand():
            return None  # the order must be learned: `first_page` shows its top first
        self._rank_ahead(sort)
        with self._lock:
            self._apply_pending(query)
            if sort in ORDER_BY:
                if not self._is_ordered(sort):
                    return None
                ordering = self._orders[sort]
            else:
                ordering = self._ordering(sort, query)
            with self._stoppable(stop):
                return self._arrange(ordering, query)

    def _arrange(self, ordering: Ordering, query: Query) -> array[int]:
        """The matches of `query` in `ordering` (under the lock)."""
        if query.root is None:
            return ordering.order
        self._prepare(query)
        expression = fts_only(query)
        negated = negated_fts(query)
        if expression is not None or negated is not None:
            sql = "SELECT rowid AS value FROM papers_fts WHERE papers_fts MATCH ?"
            params: list[object] = [expression or negated]
        else:
            where, params = to_sql(query)
            sql = f"SELECT p.rowid AS value {_FROM} WHERE {where}"
        matched = self._matched(sql, params)
        # `-word`: every paper but those the index finds for the word.
        return ordering.arrange(matched, negated=negated is not None)

    def _matched(self, sql: str, params: Sequence[object]) -> Rowids:
        """`fetch_rowids` under the lock, its errors said plainly."""
        try:
            return fetch_rowids(self._db, sql, params)
        except sqlite3.OperationalError as error:
            # Stopped wherever SQLite was (even opening the FTS5 table: its own error).
            if self._stop is not None and self._stop():
                raise SearchStopped() from None
            raise StoreError(f"the query could not be run: {error}") from None

    @contextlib.contextmanager
    def _stoppable(self, stop: Callable[[], bool] | None) -> Iterator[None]:
        """While SQLite runs the statements inside, end them when `stop()` says so."""
        if stop is None:
            yield
            return
        self._stop = stop
        self._db.set_progress_handler(lambda: 1 if stop() else 0, STOP_EVERY)
        try:
            yield
        except sqlite3.OperationalError:
            # Stopped in another statement of the search (`similar:` papers filled in).
            if stop():
                raise SearchStopped() from None
            raise
        finally:
            self._db.set_progress_handler(None, 0)
            self._stop = None

    # --- the first page from the newest papers' index (see `recent`) ---------------------

    def early_page(self, query: Query, sort: str, limit: int) -> array[int] | None:
        """The first matches of `query` in `sort` order, from the newest papers' small
        index, when there are at least `limit` of them: exactly the first of the whole
        result (see `recent`), in about a hundredth of its time at a million papers.

        None when that does not apply (a sort other than by date, its order not at hand,
        a query without text, a catalog without the index) or finds fewer: the whole
        result (`rowids_at_hand`) is then the way.
        """
        if sort != "date" or query.root is None:
            return None
        with self._lock:
            self._apply_pending(query)
            if not self._is_ordered(sort):
                return None
            head = self._recent_head()
            if head is None:
                return None
            cutoff, size = head
            ordering = self._orders[sort]
            expression, negated = fts_only(query), negated_fts(query)
            index = "SELECT rowid AS value FROM papers_recent_fts WHERE papers_recent_fts MATCH ?"
            if expression is not None:
                page = ordering.first(self._matched(index, [expression]), size)
            elif negated is not None:
                page = ordering.first(self._matched(index, [negated]), size, negated=True)
            else:
                where, params = to_sql_in(query, "papers_recent_fts")
                if "papers_recent_fts" not in where:
                    return None  # no text term: SQL's own indexes answer it whole, as fast
                self._prepare(query)
                sql = f"SELECT p.rowid AS value {_FROM} WHERE p.published >= ? AND ({where})"
                page = ordering.first(self._matched(sql, [cutoff, *params]), size)
        return page if len(page) >= limit else None

    def _recent_head(self) -> tuple[str, int] | None:
        """The recent index's cutoff and how many papers it holds (the first papers of the
        date order), for the current data version (under the lock; the order is current)."""
        if self._recent is None or self._recent[0] != self._data_version:
            cutoff = recent.cutoff(self._db)
            if cutoff is None:
                self._recent = (self._data_version, None)
            else:
                (size,) = self._db.execute(
                    "SELECT count(*) FROM papers WHERE published >= ?", (cutoff,)
                ).fetchone()
                self._recent = (self._data_version, (cutoff, int(size)))
        return self._recent[1]

    def first_page(self, query: Query, sort: str, limit: int) -> tuple[array[int], int]:
        """The first `limit` matches in order, and how many match in all.

        Cheap even when most of 100,000 papers match: SQLite walks the sort order's index
        and stops after `limit` matches, and the count never leaves SQLite. The TUI
        paints this at once and fetches the whole order (`search_rowids`) after.
        """
        if sort == "relevance" and query.root is None and self.ranking is not None:
            # Learned anew after a star: the top scores, before every paper is ordered.
            page = self.ranking.relevance_page(limit)
            if page is not None:
                with self._lock:
                    return page, self._count(query)
        if sort not in ORDER_BY:
            # Orders that are not SQL have no index to walk: the whole order is cheap anyway.
            rowids = self.search_rowids(query, sort)
            return rowids[:limit], len(rowids)
        with self._lock:
            self._apply_pending(query)
            if query.root is None and self._is_ordered(sort):
                order = self._orders[sort].order
                return order[:limit], len(order)
            self._prepare(query)
            where, params = to_sql(query)
            sql = (
                f"SELECT p.rowid FROM papers p INDEXED BY papers_order_{sort}"
                f" WHERE {where} ORDER BY {ORDER_BY[sort]} LIMIT {int(limit)}"
            )
            try:
                page = array("q", (row[0] for row in self._db.execute(sql, params)))
                return page, self._count(query)
            except sqlite3.OperationalError as error:
                raise StoreError(f"the query could not be run: {error}") from None

    def opening_page(self, sort: str, limit: int) -> array[int] | None:
        """The first `limit` papers of the whole catalog in `sort` order, without counting
        them; None for an order that is not SQL's, or when the catalog cannot be read (a
        search then says why).

        SQLite walks the sort's index and stops: a few pages read, a few milliseconds at a
        million papers. Cheap enough for the app to list them before its first frame,
        instead of a worker that competes with the UI for the interpreter while the
        screen is laid out.
        """
        if sort not in ORDER_BY:
            return None
        sql = (
            f"SELECT p.rowid FROM papers p INDEXED BY papers_order_{sort}"
            f" ORDER BY {ORDER_BY[sort]} LIMIT {int(limit)}"
        )
        with self._lock:
            try:
                return array("q", (row[0] for row in self._db.execute(sql)))
            except sqlite3.Error:
                return None

    def _is_ordered(self, sort: str) -> bool:
        """True when the whole order for `sort` is cached and still current."""
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        return version == self._data_version and sort in self._orders

    def _count(self, query: Query) -> int:
        params: list[object]
        expression = fts_only(query)
        if expression is not None:
            # Counting in the full-text index alone: no row of `papers` is touched.
            sql, params = "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?", [expression]
        elif isinstance(query.root, Not) and (negated := negated_fts(query)) is not None:
            (matched,) = self._db.execute(
                "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?", (negated,)
            ).fetchone()
            (total,) = self._db.execute("SELECT count(*) FROM papers").fetchone()
            return int(total) - int(matched)
        elif query.root is None:
            # Without a WHERE clause SQLite counts the smallest index: several times faster.
            sql, params = "SELECT count(*) FROM papers", []
        else:
            where, params = to_sql(query)
            sql = f"SELECT count(*) FROM papers p WHERE {where}"
        return int(self._db.execute(sql, params).fetchone()[0])

    def _ordering(self, sort: str, query: Query | None = None) -> Ordering:
        """Every row id in `sort` order, and each row id's place in it (cached)."""
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._orders.clear()
            self._ranked.clear()
            self._similar.clear()
            self._data_version = version
        if sort not in ORDER_BY:
            return self._ranked_ordering(sort, query)
        if sort not in self._orders:
            ordered = f"SELECT p.rowid AS value {_FROM} ORDER BY {ORDER_BY[sort]}"
            self._orders[sort] = Ordering.of(fetch_rowids(self._db, ordered))
        return self._orders[sort]

    def _rank_ahead(self, sort: str) -> None:
        """Learn the "for you" order, when it must be learned again, before taking this
        connection's lock: training takes a while, and drawing rows (`get_rows`, on the UI
        thread) must not wait for it. The order is then ready for `_ranked_ordering`."""
        if sort != "relevance" or self.ranking is None:
            return
        cached = self._ranked.get(sort)
        if cached is None or cached[0] != self.ranking.version():
            self.ranking.relevance_order()

    def _ranked_ordering(self, sort: str, query: Query | None) -> Ordering:
        """The whole order by relevance, or by similarity to the first `similar:` paper of
        `query`: by the ranking's scores (see `_by_score`); newest first when nothing is
        liked yet."""
        anchor = similar_anchor(query) if query is not None else None
        if self.ranking is None or (sort == SIMILARITY and anchor is None):
            return self._ordering("date")
        name = f"{SIMILARITY}:{anchor}" if sort == SIMILARITY else sort
        version = self.ranking.version()
        cached = self._ranked.get(name)
        if cached is not None and cached[0] == version:
            return cached[1]
        if sort == SIMILARITY:
            assert anchor is not None
            ordering = Ordering(*self.ranking.similar_order(anchor))
        elif sort == "relevance":
            found = self.ranking.relevance_order()
            ordering = self._ordering("date") if found is None else Ordering(*found)
        else:
            raise StoreError(f"unknown sort {sort!r}")
        self._ranked[name] = (version, ordering)
        return ordering

    def _prepare(self, query: Query) -> None:
        """Fill the papers of the query's `similar:` terms in (see `sql._compile`)."""
        anchors = similar_anchors(query)
        if not anchors:
            return
        version = self.ranking.version() if self.ranking is not None else None
        for anchor in dict.fromkeys(anchors):
            if self._similar.get(anchor) == version and version is not None:
                continue
            rowids = [] if self.ranking is None else self.ranking.similar(anchor).rowids.tolist()
            self._db.execute("BEGIN")
            try:
                self._db.execute("DELETE FROM temp.similar WHERE anchor = ?", (anchor,))
                self._db.executemany(
                    "INSERT INTO temp.similar VALUES (?,?)", [(anchor, int(r)) for r in rowids]
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._similar[anchor] = version

    def count(self, query: Query) -> int:
        """How many papers match `query`."""
        with self._lock:
            self._apply_pending(query)
            self._prepare(query)
            try:
                return self._count(query)
            except sqlite3.OperationalError as error:
                raise StoreError(f"the query could not be run: {error}") from None

    def _fetch(self, sql: str, params: Sequence[object], query: Query) -> list[tuple[object, ...]]:
        with self._lock:
            self._apply_pending(query)
            self._prepare(query)
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.OperationalError as error:
                # FTS5 rejects a few inputs the query parser lets through; say so plainly.
                raise StoreError(f"the query could not be run: {error}") from None

    def _apply_pending(self, query: Query, *, always: bool = False) -> None:
        """Bring the state mirror up to date, if `query` reads it (or `always`): a quick
        first page that does not leaves the queued states for later. Opening a million
        papers with 10,000 states, mirroring them was a good part of the first paint."""
        if not (always or reads_state(query)):
            return
        with self._pending_lock:
            pending, self._pending = self._pending, []
        if not pending:
            return
        self._db.execute("BEGIN")
        try:
            for change in pending:
                if isinstance(change, _FieldChange):
                    self._db.execute(change.sql(), (change.flag, json.dumps(change.keys)))
                elif isinstance(change, _AllStates):
                    # Every state there is: a paper without one now (its blank record was
                    # dropped by another process's compaction) has none in the mirror.
                    self._db.execute("DELETE FROM temp.user_state")
                    self._db.execute("DELETE FROM temp.user_tag")
                    self._mirror_states(list(change.states().values()))
                else:
                    self._mirror_states(list(change.values()))
            self._db.execute("COMMIT")
        except BaseException:
            with self._pending_lock:
                # Not mirrored: they go first again, before any change queued since.
                self._pending[:0] = pending
            # SQLite may have rolled back already (out of memory, a full temporary store):
            # then there is no transaction left to end, and the queue is what matters.
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def _mirror_states(self, states: list[PaperState]) -> None:
        try:
            self._write_states(states)
        except UnicodeEncodeError:
            # A lone surrogate in a key or tag: JSON (the state file, a sync log) holds it,
            # UTF-8 cannot. Failing here failed every later query (the changes stay queued).
            self._write_states([_storable(state) for state in states])

    def _write_states(self, states: list[PaperState]) -> None:
        keys = [(state.key,) for state in states]
        rows = [
            (s.key, int(s.read), int(s.starred), int(bool(s.note)), int(s.dismissed))
            for s in states
        ]
        tags = [(s.key, normalize_tag(tag)) for s in states for tag in s.tags]
        self._db.executemany("DELETE FROM temp.user_tag WHERE key = ?", keys)
        self._db.executemany("INSERT OR REPLACE INTO temp.user_state VALUES (?,?,?,?,?)", rows)
        self._db.executemany("INSERT OR IGNORE INTO temp.user_tag VALUES (?,?)", tags)


def _storable(state: PaperState) -> PaperState:
    """`state` with each lone surrogate of its key and tags as U+FFFD, as SQLite can store."""
    return replace(state, key=storable(state.key), tags=tuple(map(storable, state.tags)))
