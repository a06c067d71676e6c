"""How a `Paper` is stored in the catalog's `papers` table, and read back.

The catalog (`catalog.py`) writes these rows and the searcher (`search.py`) reads them;
this is the one place that knows the columns, so the two never disagree.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime

from reader.errors import NotFoundError
from reader.identity import arxiv_id_of_doi, doi_key, normalize_arxiv_id, normalize_doi
from reader.model import Paper

COLUMNS = (
    "key, title, abstract, authors, author_count, organization, published, upvotes,"
    " arxiv_id, url, source, added, featured, comments, github, project_page,"
    " doi, categories, primary_category"
)
"""The `papers` columns a `Paper` is stored in, in `paper_row`'s order (besides the
catalog's own `title_norm` and row id)."""

COLUMN_COUNT = len(COLUMNS.split(","))
SELECT_PAPERS = f"SELECT p.{COLUMNS.replace(', ', ', p.')} FROM papers p"
"""Every stored column of `papers p`, in the order `paper_from_row` reads them."""
SELECT_PAPERS_ROWID_NORM = SELECT_PAPERS.replace("SELECT ", "SELECT p.rowid, p.title_norm, ", 1)
"""`SELECT_PAPERS` with the row id and the folded title first."""
FTS_COLUMNS = "title, abstract, authors, organization"
"""The columns of the full-text index (`papers_fts`), as `fts_values` gives them."""

Row = tuple[object, ...]
"""A row of `SELECT_PAPERS`."""


def fts_values(paper: Paper) -> tuple[object, ...]:
    """The indexed columns, exactly as `paper_row` stores them."""
    row = paper_row(paper)
    return (row[1], row[2], row[3], row[5])


def paper_row(paper: Paper, added: str | None = None) -> tuple[object, ...]:
    """The column values of `paper` (`added`, an ISO time, stands in when it has none)."""
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
        iso(paper.added) if paper.added else added,
        paper.featured.isoformat() if paper.featured else None,
        paper.comments,
        paper.github,
        paper.project_page,
        paper.doi,
        " ".join(paper.categories),
        paper.primary_category,
    )


def category_rows(paper: Paper) -> list[str]:
    """The `paper_categories` values of a paper: its categories, folded, once each."""
    return list(dict.fromkeys(category.lower() for category in paper.categories))


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def paper_from_row(row: Row) -> Paper:
    """Build a `Paper` from a row of `SELECT_PAPERS`."""
    (key, title, abstract, authors, author_count, organization, published, upvotes) = row[:8]
    (arxiv_id, url, source, added, featured, comments, github, project_page) = row[8:16]
    (doi, categories, primary_category) = row[16:]
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
        featured=date.fromisoformat(str(featured)) if featured else None,
        comments=comments,  # type: ignore[arg-type]
        github=github,  # type: ignore[arg-type]
        project_page=project_page,  # type: ignore[arg-type]
        doi=doi,  # type: ignore[arg-type]
        categories=tuple(str(categories).split()) if categories else (),
        primary_category=primary_category,  # type: ignore[arg-type]
    )


def _parse_added(text: str) -> datetime:
    return datetime.fromisoformat(text)


def keys_by_rowid(db: sqlite3.Connection, rowids: Sequence[int]) -> dict[int, str]:
    """The keys of the papers with these row ids, looked up on `db` in chunks (SQLite
    limits the parameters of one statement)."""
    found: dict[int, str] = {}
    for start in range(0, len(rowids), 900):
        chunk = list(rowids[start : start + 900])
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT rowid, key FROM papers WHERE rowid IN ({marks})"
        found.update((int(rowid), str(key)) for rowid, key in db.execute(sql, chunk))
    return found


def resolve_key(db: sqlite3.Connection, text: str) -> str:
    """The key a user means by `text` (see `Catalog.resolve`), looked up on `db`."""
    text = text.strip()
    if db.execute("SELECT 1 FROM papers WHERE key = ?", (text,)).fetchone():
        return text
    doi = normalize_doi(text)
    arxiv_id = normalize_arxiv_id(text) or arxiv_id_of_doi(doi)
    if arxiv_id:
        row = db.execute("SELECT key FROM papers WHERE arxiv_id = ?", (arxiv_id,)).fetchone()
        if row:
            return str(row[0])
    if doi:
        rows = db.execute(
            "SELECT key FROM papers WHERE doi IS NOT NULL AND lower(doi) = ? LIMIT 2",
            (doi_key(doi),),
        ).fetchall()
        if len(rows) == 1:
            return str(rows[0][0])
        if rows:
            raise NotFoundError(f"the DOI {doi} names several papers; give a key")
    if len(text) >= 4:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = db.execute(
            "SELECT key FROM papers WHERE key LIKE ? ESCAPE '\\' LIMIT 2", (escaped + "%",)
        ).fetchall()
        if len(rows) == 1:
            return str(rows[0][0])
        if len(rows) > 1:
            raise NotFoundError(f"{text!r} matches several papers; give more of the key")
    raise NotFoundError(f"no paper with key {text!r} in the library")
