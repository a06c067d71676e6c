"""An import into an empty catalog matches each batch against what it stored so far
without asking the catalog for values it never stored (`reader.library.seen`).

- The filter never forgets a value it was given; it is wrong the other way about as
  rarely as its size says.
- Papers seen again in later batches (by arXiv id, by key, by title, by a title the paper
  took on in a merge) are joined exactly as when every value is looked up.
- A page without repeats, imported into an empty catalog, looks nothing up; into a
  catalog that holds papers, everything is looked up as before.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from benchmarks.corpus import generate_papers, write_records
from reader import importing
from reader.identity import title_key
from reader.library import Library, catalog
from reader.library.seen import Seen
from reader.model import Paper

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def test_the_filter_never_forgets_and_is_rarely_wrong() -> None:
    rng = random.Random(4)
    stored = [f"t-{rng.getrandbits(48):012x}" for _ in range(30_000)]
    seen = Seen(1 << 20)
    seen.add([*stored[:10_000], None])
    seen.add(stored[10_000:])
    assert all(value in seen for value in stored[:100])
    assert seen.which(stored) == stored
    others = [f"t-{rng.getrandbits(48):012x}" for _ in range(30_000)]
    wrong = len(seen.which(others))
    # Two bits per value, 30,000 values in 2**20 bits: about 1 in 300.
    assert wrong < 300, wrong
    assert Seen().which(stored) == []
    with pytest.raises(ValueError):
        Seen(1000)


def paper(title: str, number: int, **fields: object) -> Paper:
    values: dict[str, object] = {
        "key": title_key(title),
        "title": title,
        "abstract": f"abstract {number}",
        "published": date(2024, 1, 1 + number % 28),
        "source": "arxiv-api",
    }
    values.update(fields)
    return Paper(**values)  # type: ignore[arg-type]


def batches_with_repeats() -> list[list[Paper]]:
    """Six batches; later ones bring back papers of earlier ones in every way."""
    batches = [
        [paper(f"Paper {batch}-{index}", index) for index in range(50)] for batch in range(6)
    ]
    batches[0][0] = paper("With an id", 1, key="2401.00001", arxiv_id="2401.00001")
    batches[0][1] = paper("Renamed later", 2, key="2401.00002", arxiv_id="2401.00002")
    batches[1][3] = paper("Has an id too", 9, key="2401.00004", arxiv_id="2401.00004")
    batches[2][5] = paper("Another title, same id", 3, key="x", arxiv_id="2401.00001")
    batches[3][6] = paper("Paper 0-7", 4)  # the same title, its key from the title
    batches[3][7] = paper("Paper 1-8", 5, abstract="a longer abstract, the same paper")
    batches[4][8] = paper("A new name", 6, key="2401.00002", arxiv_id="2401.00002")
    batches[5][9] = paper("A new name", 7)  # the title the paper took on in batch 4
    batches[5][10] = paper("Has an id too", 8, key="kept-apart", arxiv_id="2401.00003")
    return batches


def import_batches(folder: Path, batches: Iterable[list[Paper]]) -> tuple[list[object], int]:
    """Import the batches in one streamed import; the catalog's rows and the new count."""
    with Library(folder) as library:
        result = library.catalog.upsert_batches(
            ((batch, frozenset()) for batch in batches), now=NOW
        )
    with sqlite3.connect(folder / "catalog.sqlite3") as db:
        rows = db.execute("SELECT * FROM papers ORDER BY rowid").fetchall()
    return rows, result.new


class SeesEverything(Seen):
    """A filter that says every value may be stored: every value is looked up."""

    def which(self, values: Sequence[str]) -> list[str]:
        return list(values)


def test_repeats_are_joined_as_when_every_value_is_looked_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows, new = import_batches(tmp_path / "filtered", batches_with_repeats())
    assert new == 300 - 5  # the second "Has an id too" is another work: its own arXiv id
    monkeypatch.setattr(catalog, "Seen", SeesEverything)
    assert import_batches(tmp_path / "looked-up", batches_with_repeats()) == (rows, new)


def lookups_of(library: Library) -> Callable[[], int]:
    """Count the catalog's lookups of papers by identity from now on."""
    statements: list[str] = []
    library.catalog._db.set_trace_callback(statements.append)
    return lambda: sum(" IN (" in sql and "p.title_norm" in sql for sql in statements)


def test_an_import_into_an_empty_catalog_looks_up_only_what_it_may_find(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "STREAM_PAGE_BYTES", 0)
    monkeypatch.setattr(importing, "STREAM_BATCH", 100)
    page = write_records(tmp_path / "page.txt", generate_papers(1_000, seed=2))
    with Library(tmp_path / "library") as library:
        lookups = lookups_of(library)
        assert importing.import_files(library, [str(page)]).result.new == 1_000
        assert lookups() == 0  # nothing of a batch was stored before it
        more = write_records(tmp_path / "more.txt", generate_papers(1_500, seed=2))
        assert importing.import_files(library, [str(more)]).result.new == 500
        assert lookups() >= 15  # the catalog held papers: each batch is looked up
        assert len(library) == 1_500
