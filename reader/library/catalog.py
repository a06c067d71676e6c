"""The papers catalog: SQLite with an FTS5 index over title, abstract, authors, organization.

SQLite rows become `Paper` objects here and nowhere else. The user's state lives in
TinyDB (see `state.py`); a copy of the few fields the query language needs is mirrored
into TEMP tables of this connection so one SQL statement answers any query.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from reader.errors import NotFoundError, StoreError
from reader.identity import normalize_arxiv_id, normalize_title
from reader.model import Paper, PaperState
from reader.query import SORTS, Query, normalize_tag

SCHEMA_VERSION = 1

_SCHEMA = """
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
    added TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS papers_title_norm ON papers(title_norm);
CREATE INDEX IF NOT EXISTS papers_arxiv_id ON papers(arxiv_id) WHERE arxiv_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS papers_published ON papers(published);
CREATE INDEX IF NOT EXISTS papers_upvotes ON papers(upvotes);
CREATE INDEX IF NOT EXISTS papers_added ON papers(added);
CREATE VIRTUAL TABLE IF NOT EXISTS papers_fts USING fts5(
    title, abstract, authors, organization,
    content='papers', content_rowid='rowid',
    tokenize="unicode61 remove_diacritics 2", prefix='2 3'
);
CREATE TRIGGER IF NOT EXISTS papers_ai AFTER INSERT ON papers BEGIN
    INSERT INTO papers_fts(rowid, title, abstract, authors, organization)
    VALUES (new.rowid, new.title, new.abstract, new.authors, new.organization);
END;
CREATE TRIGGER IF NOT EXISTS papers_ad AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, title, abstract, authors, organization)
    VALUES ('delete', old.rowid, old.title, old.abstract, old.authors, old.organization);
END;
CREATE TRIGGER IF NOT EXISTS papers_au AFTER UPDATE OF title, abstract, authors, organization
ON papers BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, title, abstract, authors, organization)
    VALUES ('delete', old.rowid, old.title, old.abstract, old.authors, old.organization);
    INSERT INTO papers_fts(rowid, title, abstract, authors, organization)
    VALUES (new.rowid, new.title, new.abstract, new.authors, new.organization);
END;
"""

_STATE_MIRROR = """
CREATE TEMP TABLE IF NOT EXISTS user_state (
    key TEXT PRIMARY KEY, read INTEGER, starred INTEGER, has_note INTEGER
) WITHOUT ROWID;
CREATE TEMP TABLE IF NOT EXISTS user_tag (
    key TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (key, tag)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS temp.user_tag_by_tag ON user_tag(tag, key);
"""

_COLUMNS = (
    "key, title, abstract, authors, author_count, organization, published, upvotes,"
    " arxiv_id, url, source, added"
)
_SELECT = f"SELECT p.{_COLUMNS.replace(', ', ', p.')} FROM papers p"
_FROM_WITH_STATE = "FROM papers p LEFT JOIN temp.user_state s ON s.key = p.key"

Row = tuple[object, ...]


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
        return f"{self.new} new, {self.updated} updated, {self.unchanged} skipped (unchanged)"


class Catalog:
    """The papers of one library, in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # The TUI queries from worker threads; this lock serializes use of the connection.
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout = 5000")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA temp_store = MEMORY")
            self._create_schema()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"the catalog {path} cannot be opened: {error}") from None

    def _create_schema(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the catalog {self.path} was written by a newer reader; please upgrade"
            )
        # executescript() commits any open transaction first, so the script brings its own.
        self._db.executescript(
            f"BEGIN IMMEDIATE; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
        )
        self._db.executescript(_STATE_MIRROR)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    # --- writing ----------------------------------------------------------------------

    class _Transaction:
        def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
            self._db, self._lock = db, lock

        def __enter__(self) -> None:
            self._lock.acquire()
            self._db.execute("BEGIN IMMEDIATE")

        def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
            try:
                self._db.execute("COMMIT" if kind is None else "ROLLBACK")
            finally:
                self._lock.release()

    def _transaction(self) -> Catalog._Transaction:
        return Catalog._Transaction(self._db, self._lock)

    def upsert(self, papers: Iterable[Paper], now: datetime | None = None) -> ImportResult:
        """Add new papers and refresh known ones, all in one transaction.

        A paper is known when its arXiv id, or else its normalized title, is already
        in the catalog; it then keeps its key (so the user's state stays attached) and
        gains every value the new copy knows (see `merge`).
        """
        added = now or datetime.now(UTC).replace(microsecond=0)
        result = ImportResult()
        created: set[str] = set()
        seen: set[str] = set()
        try:
            with self._transaction():
                for paper in papers:
                    existing = self._find_existing(paper)
                    if existing is None:
                        stored = replace(paper, added=paper.added or added)
                        self._insert(stored)
                        created.add(stored.key)
                        key = stored.key
                        if key not in seen:
                            result.new += 1
                    else:
                        key = existing.key
                        merged = merge(existing, paper)
                        if merged != existing:
                            self._update(merged)
                            if key not in created and key not in seen:
                                result.updated += 1
                        elif key not in created and key not in seen:
                            result.unchanged += 1
                    result.resolved.append(key)
                    if key not in seen:
                        seen.add(key)
                        result.keys.append(key)
        except sqlite3.DatabaseError as error:
            raise StoreError(
                f"the import was not saved ({error}); the catalog is unchanged"
            ) from None
        return result

    def planned_keys(self, papers: Sequence[Paper]) -> list[str]:
        """The key each paper would be stored under by `upsert`, without writing."""
        planned: list[str] = []
        batch: dict[str, str] = {}
        with self._lock:
            for paper in papers:
                title = "t:" + normalize_title(paper.title)
                arxiv = "a:" + paper.arxiv_id if paper.arxiv_id else None
                existing = self._find_existing(paper)
                key = existing.key if existing else batch.get(arxiv or "") or batch.get(title)
                key = key or paper.key
                batch.setdefault(title, key)
                if arxiv:
                    batch.setdefault(arxiv, key)
                planned.append(key)
        return planned

    def _find_existing(self, paper: Paper) -> Paper | None:
        if paper.arxiv_id:
            row = self._db.execute(f"{_SELECT} WHERE p.arxiv_id = ?", (paper.arxiv_id,)).fetchone()
            if row:
                return _paper(row)
        row = self._db.execute(f"{_SELECT} WHERE p.key = ?", (paper.key,)).fetchone()
        if row:
            return _paper(row)
        for row in self._db.execute(
            f"{_SELECT} WHERE p.title_norm = ?", (normalize_title(paper.title),)
        ):
            candidate = _paper(row)
            # The same title with two different arXiv ids is two papers.
            if not (candidate.arxiv_id and paper.arxiv_id):
                return candidate
        return None

    def _insert(self, paper: Paper) -> None:
        self._db.execute(
            f"INSERT INTO papers (title_norm, {_COLUMNS}) VALUES (?, ?,?,?,?,?,?,?,?,?,?,?,?)",
            (normalize_title(paper.title), *_row(paper)),
        )

    def _update(self, paper: Paper) -> None:
        values = _row(paper)
        self._db.execute(
            "UPDATE papers SET title_norm = ?, title = ?, abstract = ?, authors = ?,"
            " author_count = ?, organization = ?, published = ?, upvotes = ?, arxiv_id = ?,"
            " url = ?, source = ?, added = ? WHERE key = ?",
            (normalize_title(paper.title), *values[1:], paper.key),
        )

    # --- the state mirror ---------------------------------------------------------------

    def mirror_states(self, states: Iterable[PaperState]) -> None:
        """Copy the query-relevant part of these states into the TEMP tables."""
        rows = []
        tags = []
        keys = []
        for state in states:
            keys.append((state.key,))
            rows.append((state.key, int(state.read), int(state.starred), int(bool(state.note))))
            tags.extend((state.key, normalize_tag(tag)) for tag in state.tags)
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany("DELETE FROM temp.user_tag WHERE key = ?", keys)
                self._db.executemany(
                    "INSERT OR REPLACE INTO temp.user_state VALUES (?,?,?,?)", rows
                )
                self._db.executemany("INSERT OR IGNORE INTO temp.user_tag VALUES (?,?)", tags)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # --- reading ------------------------------------------------------------------------

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM papers").fetchone()[0])

    def get(self, key: str) -> Paper | None:
        """The paper with exactly this key, or None."""
        with self._lock:
            row = self._db.execute(f"{_SELECT} WHERE p.key = ?", (key,)).fetchone()
        return _paper(row) if row else None

    def get_many(self, keys: Sequence[str]) -> dict[str, Paper]:
        """The papers with these keys (missing keys are left out)."""
        found: dict[str, Paper] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(f"{_SELECT} WHERE p.key IN ({marks})", chunk):
                    paper = _paper(row)
                    found[paper.key] = paper
        return found

    def resolve(self, text: str) -> str:
        """The key a user means by `text`: a key, an arXiv id or URL, or a unique key prefix."""
        text = text.strip()
        with self._lock:
            if self._db.execute("SELECT 1 FROM papers WHERE key = ?", (text,)).fetchone():
                return text
            arxiv_id = normalize_arxiv_id(text)
            if arxiv_id:
                row = self._db.execute(
                    "SELECT key FROM papers WHERE arxiv_id = ?", (arxiv_id,)
                ).fetchone()
                if row:
                    return str(row[0])
            if len(text) >= 4:
                escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                rows = self._db.execute(
                    "SELECT key FROM papers WHERE key LIKE ? ESCAPE '\\' LIMIT 2", (escaped + "%",)
                ).fetchall()
                if len(rows) == 1:
                    return str(rows[0][0])
                if len(rows) > 1:
                    raise NotFoundError(f"{text!r} matches several papers; give more of the key")
        raise NotFoundError(f"no paper with key {text!r} in the library")

    def search(self, query: Query, sort: str = "date", limit: int | None = None) -> list[Paper]:
        """The papers matching `query`, in `sort` order."""
        where, params = query.to_sql()
        sql = f"{_SELECT} LEFT JOIN temp.user_state s ON s.key = p.key WHERE {where}"
        sql += f" ORDER BY {SORTS[sort]}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._lock:
            return [_paper(row) for row in self._execute(sql, params)]

    def search_keys(self, query: Query, sort: str = "date") -> list[str]:
        """Only the keys of the matching papers, in order: cheap even for 100,000 matches."""
        where, params = query.to_sql()
        sql = f"SELECT p.key {_FROM_WITH_STATE} WHERE {where} ORDER BY {SORTS[sort]}"
        with self._lock:
            return [row[0] for row in self._execute(sql, params)]

    def count(self, query: Query) -> int:
        """How many papers match `query`."""
        where, params = query.to_sql()
        with self._lock:
            rows = self._execute(f"SELECT count(*) {_FROM_WITH_STATE} WHERE {where}", params)
            return int(next(iter(rows))[0])

    def _execute(self, sql: str, params: Sequence[object]) -> Iterator[Row]:
        try:
            return iter(self._db.execute(sql, params).fetchall())
        except sqlite3.OperationalError as error:
            # FTS5 rejects a few inputs the query parser lets through; say so plainly.
            raise StoreError(f"the query could not be run: {error}") from None

    def stats(self) -> dict[str, object]:
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
        return {
            "papers": total,
            "with_arxiv_id": with_id,
            "with_date": dated,
            "first_date": first,
            "last_date": last,
            "sources": sources,
        }


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
    return replace(
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
    )


def _row(paper: Paper) -> tuple[object, ...]:
    return (
        paper.key,
        paper.title,
        paper.abstract,
        "\n".join(name.replace("\n", " ") for name in paper.authors),
        paper.author_count,
        paper.organization,
        paper.published.isoformat() if paper.published else None,
        paper.upvotes,
        paper.arxiv_id,
        paper.url,
        paper.source,
        paper.added.isoformat() if paper.added else None,
    )


def _paper(row: Row) -> Paper:
    (key, title, abstract, authors, author_count, organization, published, upvotes) = row[:8]
    (arxiv_id, url, source, added) = row[8:]
    return Paper(
        key=str(key),
        title=str(title),
        abstract=str(abstract),
        authors=tuple(str(authors).split("\n")) if authors else (),
        author_count=author_count,  # type: ignore[arg-type]
        organization=organization,  # type: ignore[arg-type]
        published=date.fromisoformat(str(published)) if published else None,
        upvotes=upvotes,  # type: ignore[arg-type]
        arxiv_id=arxiv_id,  # type: ignore[arg-type]
        url=url,  # type: ignore[arg-type]
        source=str(source),
        added=_parse_added(str(added)) if added else None,
    )


def _parse_added(text: str) -> datetime:
    return datetime.fromisoformat(text)
