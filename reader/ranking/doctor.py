"""`reader doctor` for the ranking's vectors: derived data, so checked and rebuilt freely.

A file SQLite cannot read is set aside (never deleted) and built again from the catalog;
vectors that are stale (the paper's text changed) or left over (the catalog was rebuilt)
are brought in step. Vectors not made yet (a streamed import leaves them to the ranking's
next use, which catches up) are not a fault.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from reader.errors import StoreError
from reader.library.connection import is_damage
from reader.ranking.ranker import Ranker
from reader.ranking.store import RANKING_FILE
from reader.text import plural


@dataclass(frozen=True, slots=True)
class RankingFinding:
    """What the check of the vectors found."""

    line: str
    repair: bool
    """The vectors need rebuilding (in part or whole)."""
    unreadable: bool = False
    """The file itself cannot be read: it is set aside and built anew."""
    unchecked: bool = False
    """The file could not be checked now (a full disk, a lock): nothing to repair, and
    not in order either."""


def examine_ranking(folder: Path, catalog: Path) -> RankingFinding:
    """Compare the vectors with every paper of the catalog, writing nothing."""
    path = folder / RANKING_FILE
    if not path.exists():
        # Normal after a streamed import (the snapshot, a large page): built at first use.
        return RankingFinding(
            f"ranking vectors {path}: not built yet (made when the ranking is first used)",
            repair=False,
        )
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            rows = db.execute("PRAGMA integrity_check").fetchall()
            problems = [str(row[0]) for row in rows if row[0] != "ok"]
            if problems:
                raise sqlite3.DatabaseError(problems[0])
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            # A full disk (no room for the read's shared-memory file), a lock: the file
            # may be sound, and setting it aside would throw good vectors away.
            return RankingFinding(
                f"ranking vectors {path}: could not be checked ({error}); run"
                " `reader doctor` again once there is room on the disk",
                repair=False,
                unchecked=True,
            )
        return RankingFinding(
            f"ranking vectors {path}: DAMAGED ({error})", repair=True, unreadable=True
        )
    ranker = Ranker(folder, catalog, list)
    try:
        checked = ranker.check(fix=False)
    except StoreError as error:
        return RankingFinding(f"ranking vectors {path}: DAMAGED ({error})", True, True)
    finally:
        ranker.close()
    if checked.healthy:
        return RankingFinding(
            f"ranking vectors {path}: ok ({plural(checked.papers, 'paper')})", repair=False
        )
    if not checked.stale and not checked.extra:
        # Only papers not vectorized yet: what a streamed import leaves for the ranking's
        # next use, which catches up. Nothing is wrong.
        return RankingFinding(
            f"ranking vectors {path}: ok ({plural(checked.papers, 'paper')};"
            f" {checked.missing:,} not made yet: made when the ranking is next used)",
            repair=False,
        )
    parts = [
        f"{count} {what}"
        for count, what in (
            (checked.missing, "missing"),
            (checked.stale, "stale"),
            (checked.extra, "left over"),
        )
        if count
    ]
    return RankingFinding(f"ranking vectors {path}: OUT OF STEP ({', '.join(parts)})", True)


def rebuild_ranking(folder: Path, catalog: Path) -> None:
    """Bring the vectors in step with the catalog (an unreadable file must be moved away
    first: doctor keeps it)."""
    ranker = Ranker(folder, catalog, list)
    try:
        ranker.check(fix=True)
    finally:
        ranker.close()
