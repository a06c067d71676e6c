"""The papers catalog: SQLite with an FTS5 index over title, abstract, authors, organization.

SQLite rows become `Paper` objects here (and in `search.py`) and nowhere else. Queries run
on a second connection (`search.Searcher`), so a long search never blocks the point
reads that draw the visible rows.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from reader.errors import NotFoundError, StoreError
from reader.identity import normalize_arxiv_id, normalize_title
from reader.model import Paper

SCHEMA_VERSION = 1
PROGRESS_EVERY = 1000

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

_COLUMNS = (
    "key, title, abstract, authors, author_count, organization, published, upvotes,"
    " arxiv_id, url, source, added"
)
SELECT_PAPERS = f"SELECT p.{_COLUMNS.replace(', ', ', p.')} FROM papers p"

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

    def upsert(
        self,
        papers: Iterable[Paper],
        now: datetime | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportResult:
        """Add new papers and refresh known ones, all in one transaction.

        A paper is known when its arXiv id, or else its normalized title, is already
        in the catalog; it then keeps its key (so the user's state stays attached) and
        gains every value the new copy knows (see `merge`). `progress` is called with
        the number of papers done, every `PROGRESS_EVERY` papers.
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
                    if progress and len(result.resolved) % PROGRESS_EVERY == 0:
                        progress(len(result.resolved))
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
            row = self._db.execute(
                f"{SELECT_PAPERS} WHERE p.arxiv_id = ?", (paper.arxiv_id,)
            ).fetchone()
            if row:
                return paper_from_row(row)
        row = self._db.execute(f"{SELECT_PAPERS} WHERE p.key = ?", (paper.key,)).fetchone()
        if row:
            return paper_from_row(row)
        for row in self._db.execute(
            f"{SELECT_PAPERS} WHERE p.title_norm = ?", (normalize_title(paper.title),)
        ):
            candidate = paper_from_row(row)
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

    # --- reading ------------------------------------------------------------------------

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM papers").fetchone()[0])

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


def paper_from_row(row: Row) -> Paper:
    """Build a `Paper` from a row of `SELECT_PAPERS`."""
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
