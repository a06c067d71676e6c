"""The newest papers' own small full-text index: the first page of a query, at once.

At a million papers, FTS5 reads a common word's whole posting list (hundreds of thousands
of row ids) before the list can show a single match, and the list shows the newest papers
first. So the catalog keeps a second FTS5 index, `papers_recent_fts`, of the newest papers
only: exactly those published on or after a cutoff date (`papers_recent.cutoff`). In the
date order (`sql.ORDER_BY["date"]`: dated papers first, newest first) every such paper
comes before every other, so the recent papers are the first R papers of that order, and
a query's matches among them are the first matches of the whole result, in the same
order. When they fill a page, that page is exactly the result's first page, found in
about a hundredth of the time (see `Searcher.early_page`); the whole result follows.

The cutoff keeps the recent papers near `share` of the catalog (`RECENT_SHARE`, at least
`RECENT_MIN` of them): a query with fewer matches than a page among them has few matches
in all, which the whole index answers quickly anyway.

The index is contentless (it stores no text, only the postings and row ids), kept in step
by the catalog's writes in the same transaction (`catalog.py`), and checked and rebuilt by
`reader doctor`. Everything here runs inside the caller's transaction.
"""

from __future__ import annotations

import sqlite3

RECENT_SHARE = 100
"""The recent papers are about one in this many of the catalog..."""
RECENT_MIN = 2_000
"""... and at least this many (all of them in a smaller catalog)."""

_TEXT = "title, abstract, authors, organization"
_IN_RECENT = "published >= (SELECT cutoff FROM papers_recent)"


def cutoff(db: sqlite3.Connection) -> str | None:
    """The recent index's cutoff date ('' when every dated paper is recent), or None when
    the catalog has no recent index (one made before it, read without upgrading)."""
    try:
        row = db.execute("SELECT cutoff FROM papers_recent").fetchone()
    except sqlite3.OperationalError:
        return None
    return None if row is None else str(row[0])


def wanted_cutoff(db: sqlite3.Connection) -> str:
    """The date that makes about `RECENT_SHARE`-th of the papers recent: the date of the
    paper at that place in the date order (all of that day are in), or '' for all."""
    (total,) = db.execute("SELECT count(*) FROM papers").fetchone()
    size = max(RECENT_MIN, int(total) // RECENT_SHARE)
    row = db.execute(
        "SELECT published FROM papers WHERE published IS NOT NULL"
        " ORDER BY published DESC LIMIT 1 OFFSET ?",
        (size - 1,),
    ).fetchone()
    return "" if row is None else str(row[0])


def _index(db: sqlite3.Connection, where: str, params: tuple[object, ...] = ()) -> None:
    db.execute(
        f"INSERT INTO papers_recent_fts(rowid, {_TEXT}) SELECT rowid, {_TEXT} FROM papers"
        f" WHERE published IS NOT NULL AND {where}",
        params,
    )


def _forget(db: sqlite3.Connection, where: str, params: tuple[object, ...] = ()) -> None:
    # A contentless index forgets a row only when told the text it indexed: the row's
    # text as it stands (the catalog changes it only after `forget_row`).
    db.execute(
        f"INSERT INTO papers_recent_fts(papers_recent_fts, rowid, {_TEXT})"
        f" SELECT 'delete', rowid, {_TEXT} FROM papers WHERE published IS NOT NULL AND {where}",
        params,
    )


def rebuild(db: sqlite3.Connection) -> None:
    """Index the recent papers from scratch (a new or upgraded catalog, or a repair)."""
    db.execute("INSERT INTO papers_recent_fts(papers_recent_fts) VALUES ('delete-all')")
    date = wanted_cutoff(db)
    db.execute("DELETE FROM papers_recent")
    db.execute("INSERT INTO papers_recent (cutoff) VALUES (?)", (date,))
    _index(db, "published >= ?", (date,))


def forget_row(db: sqlite3.Connection, rowid: int) -> None:
    """Before a paper's text or date changes: take it out if it is recent."""
    _forget(db, f"rowid = ? AND {_IN_RECENT}", (rowid,))


def index_row(db: sqlite3.Connection, rowid: int) -> None:
    """After a paper's text or date changed: put it in if it is recent now."""
    _index(db, f"rowid = ? AND {_IN_RECENT}", (rowid,))


def refresh(db: sqlite3.Connection, last_old_rowid: int) -> None:
    """At the end of an import: index the new papers (row ids above `last_old_rowid`) that
    are recent, and move the cutoff so the recent papers stay about their share (the older
    papers it leaves behind are taken out, or those it reaches put in). Papers that were
    there before and changed were kept in step by `forget_row` and `index_row`."""
    old = cutoff(db)
    if old is None:
        rebuild(db)
        return
    new = wanted_cutoff(db)
    if new > old:
        _forget(db, "rowid <= ? AND published >= ? AND published < ?", (last_old_rowid, old, new))
    elif new < old:
        _index(db, "rowid <= ? AND published >= ? AND published < ?", (last_old_rowid, new, old))
    _index(db, "rowid > ? AND published >= ?", (last_old_rowid, new))
    db.execute("UPDATE papers_recent SET cutoff = ?", (new,))


def problem(db: sqlite3.Connection) -> str | None:
    """What is wrong with the recent index, or None (also when the catalog has none yet):
    its own structure, and whether it holds exactly the papers on or after its cutoff.
    (A contentless index keeps no text, so the words of each row are not compared; it is
    rebuilt with the full-text index, whenever `reader doctor` rebuilds that.)"""
    date = cutoff(db)
    if date is None:
        return None  # not made yet: opening the catalog makes it
    try:
        db.execute(
            "INSERT INTO papers_recent_fts(papers_recent_fts, rank) VALUES ('integrity-check', 0)"
        )
    except sqlite3.DatabaseError as error:
        return str(error)
    recent = "SELECT rowid FROM papers WHERE published IS NOT NULL AND published >= ?"
    (extra,) = db.execute(
        f"SELECT count(*) FROM (SELECT rowid FROM papers_recent_fts EXCEPT {recent})", (date,)
    ).fetchone()
    (missing,) = db.execute(
        f"SELECT count(*) FROM ({recent} EXCEPT SELECT rowid FROM papers_recent_fts)", (date,)
    ).fetchone()
    if extra or missing:
        return f"{missing} recent papers missing, {extra} others in it"
    return None
