"""The floor of an import: SQLite building the catalog's FTS5 index from texts that are
already split into its columns, in one transaction.

The import is reported as a ratio to this floor (issue 16): whatever reader does besides
indexing — reading and parsing the page, matching papers against the catalog, storing
their other columns and indexes — shows up as the ratio above 1.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from benchmarks.corpus import PaperRecord
from reader.library.catalog import FTS_OPTIONS

FLOOR_BATCH = 10_000
"""Texts handed to SQLite per `executemany` (the texts are generated on the fly)."""


def split_texts(papers: Iterable[PaperRecord]) -> Iterator[tuple[str, str, str, str]]:
    """The four indexed columns of each paper, as the import stores them from a page
    (a page names no authors; an organization line is "handle Display Name")."""
    for paper in papers:
        organization = paper["organization"]
        shown = organization.partition(" ")[2].strip() or organization if organization else ""
        yield paper["title"], paper["abstract"], "", shown


def fts5_floor(papers: Iterable[PaperRecord], work: Path) -> float:
    """Seconds SQLite takes to build the catalog's FTS5 index (same tokenizer, same prefix
    index, same page size, log and cache settings) over these papers' texts, from an empty
    file, in one transaction, committed and closed."""
    path = work / "fts5-floor.sqlite3"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA page_size = 8192")
    db.execute("PRAGMA cache_size = -65536")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    columns = "title, abstract, authors, organization"
    db.execute(f"CREATE VIRTUAL TABLE floor USING fts5({columns}, {FTS_OPTIONS})")
    texts = list(split_texts(papers))
    started = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    for start in range(0, len(texts), FLOOR_BATCH):
        db.executemany("INSERT INTO floor VALUES (?, ?, ?, ?)", texts[start : start + FLOOR_BATCH])
    db.execute("COMMIT")
    db.close()  # folds the write-ahead log into the file, as the import's process does
    elapsed = time.perf_counter() - started
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return elapsed
