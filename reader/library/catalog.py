"""The papers catalog: SQLite with an FTS5 index over title, abstract, authors, organization.

How a `Paper` maps to a row is `rows.py`'s; the rest of reader never sees SQLite rows.
Queries run on a second connection (`search.Searcher`), so a long search never blocks the
point reads that draw the visible rows.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reader.errors import StoreError
from reader.identity import (
    normalize_title,
)
from reader.library import recent
from reader.library.connection import Waiting, begin_write, connect, disk_is_full, open_message
from reader.library.merging import (
    KEPT_KEYS,
    ImportPlan,
    ImportResult,
    Known,
    Progress,
    plan_import,
)
from reader.library.rows import (
    COLUMN_COUNT,
    COLUMNS,
    FTS_COLUMNS,
    SELECT_PAPERS,
    SELECT_PAPERS_ROWID_NORM,
    category_rows,
    fts_values,
    iso,
    keys_by_rowid,
    paper_from_row,
    paper_row,
    resolve_key,
)
from reader.library.seen import Seen
from reader.model import Paper

SCHEMA_VERSION = 4

FTS_OPTIONS = "tokenize=\"unicode61 remove_diacritics 2\", prefix='2'"
"""The full-text index's tokenizer and prefix index (the benchmark's floor uses them too)."""

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS papers (
    rowid INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    title_norm TEXT NOT NULL,
    abstract TEXT NOT NULL DEFAULT '',
    authors TEXT NOT NULL DEFAULT '',
    author_count INTEGER,
    organization TEXT,
    published TEXT,
    upvotes INTEGER,
    arxiv_id TEXT,
    url TEXT,
    source TEXT NOT NULL DEFAULT '',
    added TEXT NOT NULL,
    featured TEXT,
    comments INTEGER,
    github TEXT,
    project_page TEXT,
    doi TEXT,
    categories TEXT NOT NULL DEFAULT '',
    primary_category TEXT
);
DROP INDEX IF EXISTS papers_title_norm;
CREATE INDEX IF NOT EXISTS papers_arxiv_id ON papers(arxiv_id) WHERE arxiv_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS papers_published ON papers(published);
-- DOIs compare case-insensitively (sql.py asks for lower(doi)).
CREATE INDEX IF NOT EXISTS papers_doi ON papers(lower(doi)) WHERE doi IS NOT NULL;
-- Each paper's arXiv categories, folded to lower case, one row each: `cat:cs.LG` is one
-- index probe and `cat:cs` one range (see sql.py).
CREATE TABLE IF NOT EXISTS paper_categories (
    category TEXT NOT NULL,
    paper INTEGER NOT NULL,
    PRIMARY KEY (category, paper)
) WITHOUT ROWID;
DROP INDEX IF EXISTS papers_upvotes;
DROP INDEX IF EXISTS papers_added;
-- One index per sort order (see sql.ORDER_BY, which these must match term for term):
-- the TUI reads each whole order in about 10 ms instead of sorting 100,000 rows.
CREATE INDEX IF NOT EXISTS papers_order_date
    ON papers(published IS NULL, published DESC, coalesce(upvotes, 0) DESC, key);
CREATE INDEX IF NOT EXISTS papers_order_upvotes
    ON papers(coalesce(upvotes, 0) DESC, published IS NULL, published DESC, key);
CREATE INDEX IF NOT EXISTS papers_order_title ON papers(title_norm, key);
CREATE INDEX IF NOT EXISTS papers_order_added ON papers(added DESC, key);
CREATE VIRTUAL TABLE IF NOT EXISTS papers_fts USING fts5(
    title, abstract, authors, organization,
    content='papers', content_rowid='rowid',
    {FTS_OPTIONS}
);
-- The newest papers' own small index, for a query's first page (see recent.py): the
-- papers published on or after `cutoff`. Contentless: it stores only the postings.
CREATE VIRTUAL TABLE IF NOT EXISTS papers_recent_fts USING fts5(
    title, abstract, authors, organization, content='', {FTS_OPTIONS}
);
CREATE TABLE IF NOT EXISTS papers_recent (cutoff TEXT NOT NULL);
-- The index is kept up to date by Catalog._write_plan in bulk: one statement per
-- import is twice as fast as a trigger per row.
DROP TRIGGER IF EXISTS papers_ai;
DROP TRIGGER IF EXISTS papers_ad;
DROP TRIGGER IF EXISTS papers_au;
"""

# Columns added after version 1 and 2, for catalogs made before them.
_ADDED_IN_2 = ("featured TEXT", "comments INTEGER", "github TEXT", "project_page TEXT")
_ADDED_IN_3 = ("doi TEXT", "categories TEXT NOT NULL DEFAULT ''", "primary_category TEXT")
_INDEX_CHUNK = 10_000
"""New rows indexed per statement when an import reports its progress as it indexes."""
FTS_GROUP_ROWS = 40_000
"""New rows indexed by one statement while a streamed import goes on, at most. FTS5 writes
out the index it has gathered in memory at every statement that indexes many rows (its
statement savepoint), so indexing each batch of 5,000 as it came wrote a segment per batch,
whatever `FTS_HASH_BYTES` allowed: 11 segments left at 100,000 papers after merging, 3 in
groups. About 40,000 papers' worth of index fills `FTS_HASH_BYTES` once."""
_DEFERRED_INDEXES = (
    "papers_published",
    "papers_order_date",
    "papers_order_upvotes",
    "papers_order_added",
)
"""Indexes no import looks papers up by: built after the rows when a catalog is filled."""
CACHE_KIB = 65_536
"""The page cache of the catalog's connection."""
IMPORT_CACHE_KIB = 131_072
"""The page cache while an import writes, for the key and title indexes that rows land at
random places in. Measured at a million papers: 128 MB imports as fast as 384 MB (357 s
and 349 s) with a peak of 383 MB instead of 2 GB."""
SORT_CACHE_KIB = 16_384
"""The page cache while the indexes deferred by an import are built (see `_sorting`)."""
FTS_HASH_BYTES = 64 * 1024 * 1024
"""How much new index FTS5 gathers in memory before writing it out as a segment (its
default is 1 MB). Fewer, larger segments need less merging: a large import builds the
index about a fifth faster. Memory grows this much only during a large import."""

Aside = Callable[[], AbstractContextManager[None]]
"""Entered around the statements SQLite runs long on its own (no Python in them): the
import's reading thread may read meanwhile (`pipeline.Turns.lent`)."""
Written = Callable[[list[tuple[int, str, str]]], None]
"""Told (row id, title, abstract) of the papers an import stored or whose text it changed."""


class Catalog:
    """The papers of one library, in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # The TUI queries from worker threads; this lock serializes use of the connection.
        self._lock = threading.RLock()
        self._db, self.writable = connect(path, cache_kib=CACHE_KIB)
        """False when the disk is full: the catalog is then read as an immutable file."""
        try:
            self._create_schema()
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise StoreError(open_message(path, error)) from None
        except BaseException:
            self._db.close()
            raise

    def _create_schema(self) -> None:
        """Create or upgrade the tables, taking the write lock only when that is needed.

        Opening an up-to-date catalog writes nothing, so `reader list` never waits for an
        import that holds the write lock.
        """
        version = self._user_version()
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the catalog {self.path} was written by a newer reader; please upgrade"
            )
        if not self.writable:
            raise StoreError(f"the disk holding {self.path} is full: free some space first")
        begin_write(self._db, self.path, None)
        try:
            version = self._user_version()  # another process may have just done it
            if version < SCHEMA_VERSION:
                if 0 < version < 2:
                    for column in _ADDED_IN_2:
                        self._db.execute(f"ALTER TABLE papers ADD COLUMN {column}")
                if 0 < version < 3:
                    for column in _ADDED_IN_3:
                        self._db.execute(f"ALTER TABLE papers ADD COLUMN {column}")
                for statement in _statements(_SCHEMA):
                    self._db.execute(statement)
                if version < 4:
                    # In the same transaction: a kill leaves the catalog as it was.
                    recent.rebuild(self._db)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _user_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    # --- writing ----------------------------------------------------------------------

    class _Transaction:
        def __init__(self, catalog: Catalog, waiting: Waiting | None) -> None:
            self._catalog, self._waiting = catalog, waiting
            self._db, self._lock = catalog._db, catalog._lock

        def __enter__(self) -> None:
            if not self._catalog.writable:
                raise StoreError(
                    f"the disk holding {self._catalog.path} is full: nothing can be imported"
                    " until some space is free"
                )
            self._lock.acquire()
            try:
                begin_write(self._db, self._catalog.path, self._waiting)
            except BaseException:
                self._lock.release()
                raise

        def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
            try:
                self._db.execute("COMMIT" if kind is None else "ROLLBACK")
            finally:
                self._lock.release()

    def _transaction(self, waiting: Waiting | None = None) -> Catalog._Transaction:
        return Catalog._Transaction(self, waiting)

    def upsert(
        self,
        papers: Iterable[Paper],
        now: datetime | None = None,
        progress: Progress | None = None,
        waiting: Waiting | None = None,
        claimed: frozenset[str] = frozenset(),
        written: Written | None = None,
    ) -> ImportResult:
        """Add new papers and refresh known ones, all in one transaction.

        A paper is known when its arXiv id, key or normalized title is already in the
        catalog; it then keeps its key (so the user's state stays attached) and gains
        every value the new copy knows (see `merging.merge`). `progress` is called with
        (done, total) as the import goes: matching counts for one half, indexing for
        the other. `written` is told, inside the transaction, the row id and text of every
        paper whose title or abstract was stored or changed (for the ranking's vectors).
        """
        incoming = list(papers)
        total = 2 * len(incoming)
        return self.upsert_batches(
            [(incoming, claimed)],
            now=now,
            progress=progress,
            waiting=waiting,
            total=total,
            written=written,
        )

    def upsert_batches(
        self,
        batches: Iterable[tuple[Sequence[Paper], frozenset[str]]],
        now: datetime | None = None,
        progress: Progress | None = None,
        waiting: Waiting | None = None,
        total: int = 0,
        resolved: Callable[[list[str]], None] | None = None,
        written: Written | None = None,
        aside: Aside = nullcontext,
    ) -> ImportResult:
        """`upsert` for an input read in batches, all in ONE transaction, in memory that
        does not grow with the input: each batch (its papers, and the keys it names
        itself) is matched against the catalog as it stands, earlier batches included,
        written, and dropped. New papers reach the full-text index `FTS_GROUP_ROWS` at a
        time (and all before the commit).

        `resolved` is told, for each batch, the key each of its papers was stored under.
        `progress` gets (papers done, `total`) after each batch when `total` is 0 (unknown),
        else the per-batch progress of `upsert`. `written` as in `upsert`. `aside` is
        entered around each statement that indexes a group of papers. The whole import
        is all or nothing.
        """
        added = now or datetime.now(UTC).replace(microsecond=0)
        result = ImportResult()
        try:
            with self._lock, self._cache(IMPORT_CACHE_KIB), self._transaction(waiting):
                self._gather_index_in_memory()
                last_old = self._max_rowid()
                deferred = self._defer_indexes() if last_old == 0 else []
                counter = _Counter(last_old, result)
                done = 0
                indexed = last_old  # rows above it wait for the full-text index
                # An empty catalog will hold only this import's papers: what it never
                # stored cannot be found there (see `seen.py`). One batch (`total`)
                # has nothing before it to find.
                seen = Seen() if last_old == 0 and not total else None
                for number, (papers, claimed) in enumerate(batches):
                    known = self._known(papers, seen)
                    per_batch = progress if total else None
                    plan = plan_import(papers, known, added, per_batch, total, claimed)
                    if seen is not None:
                        seen.add(_identities(plan))
                    top = self._write_plan(plan, per_batch, total, written, last_old, indexed)
                    if total:  # one batch, its progress reported as it is indexed
                        self._index_new(indexed, top, progress, total)
                        indexed = top
                    elif top - indexed >= FTS_GROUP_ROWS:
                        with aside():
                            self._index_new(indexed, top)
                        indexed = top
                    counter.count(plan, known)
                    if resolved is not None:
                        resolved(plan.result.resolved)
                    result.resolved = plan.result.resolved if number == 0 else []
                    done += len(papers)
                    if progress is not None and not total:
                        progress(done, 0)
                self._index_new(indexed, self._max_rowid())
                if deferred:
                    with self._sorting():
                        for statement in deferred:
                            self._db.execute(statement)
                recent.refresh(self._db, last_old)
        except sqlite3.DatabaseError as error:
            if disk_is_full(self.path):
                raise StoreError(
                    f"the import was not saved: the disk holding {self.path} is full;"
                    " the catalog is unchanged"
                ) from None
            raise StoreError(
                f"the import was not saved ({error}); the catalog is unchanged"
            ) from None
        return result

    @contextlib.contextmanager
    def _cache(self, kib: int) -> Iterator[None]:
        """A larger page cache for a while (pages are only taken as they are used)."""
        self._db.execute(f"PRAGMA cache_size = -{kib}")
        try:
            yield
        finally:
            self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._db.execute("PRAGMA shrink_memory")

    @contextlib.contextmanager
    def _sorting(self) -> Iterator[None]:
        """While the deferred indexes are built: a small page cache and sorted runs in a
        temporary file. SQLite's sorter keeps as much in memory as the page cache may hold
        before it writes a sorted run out, and with `temp_store = MEMORY` the runs stay in
        memory too: building the indexes of a million rows took 100 MB above the rest of
        the import (the whole of its growth from 100,000 papers)."""
        (store,) = self._db.execute("PRAGMA temp_store").fetchone()
        self._db.execute(f"PRAGMA cache_size = -{SORT_CACHE_KIB}")
        self._db.execute("PRAGMA temp_store = FILE")
        try:
            yield
        finally:
            # Never in the way of the error being raised, if any: the settings only
            # weigh on memory.
            with contextlib.suppress(sqlite3.Error):
                self._db.execute(f"PRAGMA temp_store = {int(store)}")
                self._db.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")

    def _defer_indexes(self) -> list[str]:
        """Drop the sort orders' indexes while an empty catalog is filled; returns the
        statements that build them again (in the same transaction: sorting all rows once
        is much faster than inserting each row into each index)."""
        statements = [
            statement
            for statement in _statements(_SCHEMA)
            if any(re.search(rf"EXISTS {name}\s", statement) for name in _DEFERRED_INDEXES)
        ]
        for name in _DEFERRED_INDEXES:
            self._db.execute(f"DROP INDEX IF EXISTS {name}")
        return statements

    def _gather_index_in_memory(self) -> None:
        """Let FTS5 gather `FTS_HASH_BYTES` of new index before it writes (once per file)."""
        row = self._db.execute("SELECT v FROM papers_fts_config WHERE k = 'hashsize'").fetchone()
        if row is None or row[0] != FTS_HASH_BYTES:
            self._db.execute(
                "INSERT INTO papers_fts(papers_fts, rank) VALUES ('hashsize', ?)",
                (FTS_HASH_BYTES,),
            )

    def planned_keys(self, papers: Sequence[Paper]) -> list[str]:
        """The key each paper would be stored under by `upsert`, without writing."""
        with self._lock:
            known = self._known(papers)
        return plan_import(papers, known, datetime.now(UTC)).result.resolved

    def _max_rowid(self) -> int:
        return int(self._db.execute("SELECT coalesce(max(rowid), 0) FROM papers").fetchone()[0])

    def _known(self, papers: Sequence[Paper], seen: Seen | None = None) -> Known:
        """Every catalog paper that shares an arXiv id, key or title with `papers`, and a
        way to ask whether a key is held (`Known.holds`). With `seen` (everything the
        catalog holds is in it), only values it may hold are looked up."""
        by_arxiv: dict[str, Paper] = {}
        by_key: dict[str, Paper] = {}
        by_title: dict[str, list[Paper]] = {}
        rowids: dict[str, int] = {}
        if not self._db.execute("SELECT 1 FROM papers LIMIT 1").fetchone():
            return Known(by_arxiv, by_key, by_title)  # an empty catalog knows nothing
        lookups = (
            ("arxiv_id", {paper.arxiv_id for paper in papers if paper.arxiv_id}),
            ("key", {paper.key for paper in papers}),
            ("title_norm", {normalize_title(paper.title) for paper in papers}),
        )
        for column, values in lookups:
            wanted = list(values) if seen is None else seen.which(list(values))
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                sql = f"{SELECT_PAPERS_ROWID_NORM} WHERE p.{column} IN ({marks})"
                for row in self._db.execute(sql, chunk):
                    paper = paper_from_row(row[2:])
                    if paper.key in by_key:
                        continue
                    by_key[paper.key] = paper
                    rowids[paper.key] = int(str(row[0]))
                    if paper.arxiv_id:
                        by_arxiv[paper.arxiv_id] = paper
                    by_title.setdefault(str(row[1]), []).append(paper)
        return Known(by_arxiv, by_key, by_title, rowids, self._holder(seen))

    def _holder(self, seen: Seen | None) -> Callable[[str], bool]:
        """`Known.holds`: whether a paper has this key. One indexed lookup, asked only of
        the numbered key a second work of a title is about to take (not a value `seen`
        never saw: the import never stored it, and nothing else is in the catalog)."""

        def holds(key: str) -> bool:
            if seen is not None and key not in seen:
                return False
            return bool(self._db.execute("SELECT 1 FROM papers WHERE key = ?", (key,)).fetchone())

        return holds

    def _write_plan(
        self,
        plan: ImportPlan,
        progress: Progress | None,
        total: int,
        written: Written | None,
        last_old: int,
        indexed: int,
    ) -> int:
        """Write the plan: insert and update; tell `written` the texts stored. Returns the
        largest row id. The new papers are left for `_index_new`; papers above `indexed`
        wait for it too (an update does not touch their index), and papers above
        `last_old` (this import's) reach the recent index at its end."""
        last_rowid = self._max_rowid()
        added = iso(plan.added)  # once: most papers carry no time of their own
        self._db.executemany(
            f"INSERT INTO papers (title_norm, {COLUMNS}) VALUES (?{', ?' * COLUMN_COUNT})",
            ((title, *paper_row(paper, added)) for paper, title in plan.new.values()),
        )
        # An INTEGER PRIMARY KEY takes the next row id: the new rows follow the old maximum.
        self._db.executemany(
            "INSERT OR IGNORE INTO paper_categories (category, paper) VALUES (?, ?)",
            (
                (category, last_rowid + number)
                for number, (paper, _) in enumerate(plan.new.values(), start=1)
                if paper.categories
                for category in category_rows(paper)
            ),
        )
        texts: list[tuple[int, str, str]] = []
        if written is not None:
            texts = [
                (last_rowid + number, paper.title, paper.abstract)
                for number, (paper, _) in enumerate(plan.new.values(), start=1)
            ]
        for old, merged, title in plan.changed.values():
            rowid = self._update(old, merged, title, last_old, indexed)
            if (old.title, old.abstract) != (merged.title, merged.abstract):
                texts.append((rowid, merged.title, merged.abstract))
        if written is not None and texts:
            written(texts)
        return last_rowid + len(plan.new)

    def _index_new(
        self, indexed: int, top: int, progress: Progress | None = None, total: int = 0
    ) -> None:
        """Index the rows above `indexed` up to `top` (new rows follow the old maximum),
        with their text as it stands: one statement that SQLite runs without Python, or,
        reporting `progress` (the second half of `total`), one per `_INDEX_CHUNK` rows."""
        step = _INDEX_CHUNK if progress else max(top - indexed, 1)
        done = total // 2
        count = top - indexed
        for start in range(indexed, top, step):
            self._db.execute(
                f"INSERT INTO papers_fts(rowid, {FTS_COLUMNS}) SELECT rowid, {FTS_COLUMNS}"
                " FROM papers WHERE rowid > ? AND rowid <= ?",
                (start, min(start + step, top)),
            )
            if progress:
                finished = min(start + step, top) - indexed
                progress(done + finished * (total - done) // max(count, 1), total)

    def _update(
        self, old: Paper, paper: Paper, title_norm: str, last_old: int, indexed: int
    ) -> int:
        rowid = self._db.execute("SELECT rowid FROM papers WHERE key = ?", (old.key,)).fetchone()[0]
        text_changed = fts_values(old) != fts_values(paper)
        in_recent = rowid <= last_old and (text_changed or old.published != paper.published)
        # A row of this import that waits for `_index_new` is indexed with its text then.
        reindex = text_changed and rowid <= indexed
        if in_recent:
            recent.forget_row(self._db, rowid)
        if reindex:
            # An external-content FTS5 index forgets a row only when told its old text.
            self._db.execute(
                f"INSERT INTO papers_fts(papers_fts, rowid, {FTS_COLUMNS})"
                " VALUES ('delete', ?,?,?,?,?)",
                (rowid, *fts_values(old)),
            )
        values = paper_row(paper)
        self._db.execute(
            "UPDATE papers SET title_norm = ?, title = ?, abstract = ?, authors = ?,"
            " author_count = ?, organization = ?, published = ?, upvotes = ?, arxiv_id = ?,"
            " url = ?, source = ?, added = ?, featured = ?, comments = ?, github = ?,"
            " project_page = ?, doi = ?, categories = ?, primary_category = ? WHERE rowid = ?",
            (title_norm, *values[1:], rowid),
        )
        if category_rows(old) != category_rows(paper):
            self._db.execute("DELETE FROM paper_categories WHERE paper = ?", (rowid,))
            self._db.executemany(
                "INSERT OR IGNORE INTO paper_categories (category, paper) VALUES (?, ?)",
                ((category, rowid) for category in category_rows(paper)),
            )
        if reindex:
            self._db.execute(
                f"INSERT INTO papers_fts(rowid, {FTS_COLUMNS}) VALUES (?,?,?,?,?)",
                (rowid, *fts_values(paper)),
            )
        if in_recent:
            recent.index_row(self._db, rowid)
        return int(rowid)

    # --- reading ------------------------------------------------------------------------

    def keys_of(self, rowids: Sequence[int]) -> dict[int, str]:
        """The keys of the papers with these row ids."""
        with self._lock:
            return keys_by_rowid(self._db, rowids)

    def rowid_of(self, key: str) -> int | None:
        """The row id of the paper with this key, or None."""
        with self._lock:
            row = self._db.execute("SELECT rowid FROM papers WHERE key = ?", (key,)).fetchone()
        return int(row[0]) if row else None

    def papers_after(self, rowid: int) -> tuple[list[Paper], int]:
        """The papers with row ids above `rowid` (added since), and the highest row id."""
        with self._lock:
            rows = self._db.execute(
                f"{SELECT_PAPERS} WHERE p.rowid > ? ORDER BY p.rowid", (rowid,)
            ).fetchall()
            (top,) = self._db.execute("SELECT coalesce(max(rowid), 0) FROM papers").fetchone()
        return [paper_from_row(row) for row in rows], max(int(top), rowid)

    def data_version(self) -> int:
        """A number that changes whenever another connection commits to the catalog."""
        with self._lock:
            return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM papers").fetchone()[0])

    def size_hint(self) -> int:
        """The number of papers at once, without counting them: the largest row id. A
        paper is never removed from the catalog, and new papers take the next row ids,
        so it is the count; it is 0 exactly when the catalog is empty. Counting reads a
        whole index: 100-160 ms in a new process at a million papers."""
        with self._lock:
            return self._max_rowid()

    def get(self, key: str) -> Paper | None:
        """The paper with exactly this key, or None."""
        with self._lock:
            row = self._db.execute(f"{SELECT_PAPERS} WHERE p.key = ?", (key,)).fetchone()
        return paper_from_row(row) if row else None

    def get_many(self, keys: Sequence[str]) -> dict[str, Paper]:
        """The papers with these keys (missing keys are left out)."""
        found: dict[str, Paper] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(f"{SELECT_PAPERS} WHERE p.key IN ({marks})", chunk):
                    paper = paper_from_row(row)
                    found[paper.key] = paper
        return found

    def missing_keys(self, keys: Sequence[str]) -> list[str]:
        """The keys of `keys` that no paper has (in order): cheap even for 100,000 keys."""
        found: set[str] = set()
        with self._lock:
            for start in range(0, len(keys), 900):
                chunk = keys[start : start + 900]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(f"SELECT key FROM papers WHERE key IN ({marks})", chunk)
                found.update(str(row[0]) for row in rows)
        return [key for key in keys if key not in found]

    def resolve(self, text: str) -> str:
        """The key a user means by `text`: a key, an arXiv id or URL, a DOI (`10.1038/...`,
        `doi:...`, `https://doi.org/...`), or a unique key prefix."""
        with self._lock:
            return resolve_key(self._db, text)

    def stats(self) -> CatalogStats:
        """Counts for `reader stats`: papers, with ids, with dates, date range, sources."""
        with self._lock:
            total, with_id, dated, first, last = self._db.execute(
                "SELECT count(*), count(arxiv_id), count(published), min(published),"
                " max(published) FROM papers"
            ).fetchone()
            sources = dict(
                self._db.execute(
                    "SELECT source, count(*) FROM papers GROUP BY source ORDER BY 2 DESC"
                ).fetchall()
            )
        return CatalogStats(
            papers=int(total),
            with_arxiv_id=int(with_id),
            with_date=int(dated),
            first_date=first,
            last_date=last,
            sources={str(name): int(count) for name, count in sources.items()},
        )


@dataclass(frozen=True, slots=True)
class CatalogStats:
    """Counts of the catalog's papers."""

    papers: int
    with_arxiv_id: int
    with_date: int
    first_date: str | None
    """The earliest publication date (YYYY-MM-DD), or None when no paper has one."""
    last_date: str | None
    sources: dict[str, int]
    """Papers by where they came from ("hf-page", "jsonl", ...), most first."""


def _identities(plan: ImportPlan) -> Iterator[str | None]:
    """The values `_known` looks papers up by, of every paper the plan stores."""
    for paper, title in plan.new.values():
        yield from (paper.key, paper.arxiv_id, title)
    for _, paper, title in plan.changed.values():
        yield from (paper.key, paper.arxiv_id, title)


def _statements(script: str) -> list[str]:
    """The SQL statements of a script, one by one (to run them inside a transaction)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return statements


class _Counter:
    """Counts distinct papers over the batches of one import, in memory that does not grow
    with the number of papers: a bit per row id of the catalog as it was, and the rows
    the import added are those above its old largest row id."""

    def __init__(self, last_old_rowid: int, result: ImportResult) -> None:
        self._last_old = last_old_rowid
        self._touched = bytearray((last_old_rowid >> 3) + 1)
        self._changed = bytearray((last_old_rowid >> 3) + 1)
        self._result = result

    def count(self, plan: ImportPlan, known: Known) -> None:
        """Add one batch's plan to the result."""
        result = self._result
        result.merged_by_title += plan.result.merged_by_title
        for key in plan.result.keys:
            if key in plan.new:
                result.new += 1
                self._keep(key)
                continue
            rowid = known.rowids[key]
            if rowid > self._last_old:
                continue  # added by an earlier batch of this import: counted there
            byte, bit = rowid >> 3, 1 << (rowid & 7)
            first_touch = not self._touched[byte] & bit
            self._touched[byte] |= bit
            if key in plan.changed and not self._changed[byte] & bit:
                self._changed[byte] |= bit
                result.updated += 1
                if not first_touch:
                    result.unchanged -= 1  # seen unchanged before, changed now
            elif first_touch:
                result.unchanged += 1
            if first_touch:
                self._keep(key)

    def _keep(self, key: str) -> None:
        if len(self._result.keys) < KEPT_KEYS:
            self._result.keys.append(key)
