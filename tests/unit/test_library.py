from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from reader.errors import NotFoundError, StoreError
from reader.identity import title_key
from reader.library import Library
from reader.model import Change, Incoming, Paper, PaperState
from reader.sources.detect import parse_text
from tests.conftest import seed_text

MOTION = "Towards Robust and Adaptive Motion Forecasting: A Causal Representation Perspective"


def page(number: int) -> list[Incoming]:
    return parse_text(seed_text(number), "hf-page")


def paper(title: str, **values: object) -> Incoming:
    return Incoming(Paper(key=title_key(title), title=title, **values))  # type: ignore[arg-type]


def test_all_four_seeds_give_93_distinct_papers(library: Library):
    counts = [library.import_papers(page(number)) for number in range(4)]
    assert len(library) == 93
    assert counts[0].new == 9 and counts[0].updated == 0
    assert sum(result.new for result in counts) == 93


def test_reimport_keeps_known_values_and_counts_as_unchanged(library: Library):
    library.import_papers(page(1))
    before = library.entry(title_key(MOTION)).paper
    assert before.published == date(2021, 11, 29) and before.author_count == 5

    # Seed 000 has the same paper without any metadata: nothing known may be lost.
    result = library.import_papers(page(0))
    after = library.entry(title_key(MOTION)).paper
    assert after.published == date(2021, 11, 29)
    assert after.author_count == 5
    assert after.added == before.added
    assert result.new == 2  # the seven others were on page 001 already
    assert result.unchanged == 7 and result.updated == 0

    again = library.import_papers(page(1))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 32)


def test_reimport_refreshes_metadata_but_never_user_state(library: Library):
    library.import_papers([paper("A Paper", upvotes=2, abstract="old")])
    key = title_key("A Paper")
    library.set_starred([key], True)
    library.set_note(key, "keep me")

    result = library.import_papers(
        [paper("a paper!", upvotes=7, abstract="new", published=date(2025, 1, 2))]
    )
    assert (result.new, result.updated) == (0, 1)
    entry = library.entry(key)
    assert entry.paper.upvotes == 7
    assert entry.paper.abstract == "new"
    assert entry.paper.published == date(2025, 1, 2)
    assert entry.state.starred and entry.state.note == "keep me"
    # An older page seen later does not lower the upvote count.
    library.import_papers([paper("A Paper", upvotes=3)])
    assert library.entry(key).paper.upvotes == 7


def test_pages_agree_on_shared_papers(library: Library):
    library.import_papers(page(2))
    library.import_papers(page(3))
    matches = library.entries('title:"SHA256 at SemEval-2025 Task 4"')
    assert len(matches) == 1
    assert matches[0].paper.published == date(2025, 4, 17)


def test_a_failed_import_changes_nothing(library: Library):
    library.import_papers([paper("Kept")])

    def items():
        yield paper("First new").paper
        yield paper("Second new").paper
        raise RuntimeError("the input broke midway")

    with pytest.raises(RuntimeError):
        library.catalog.upsert(items())
    assert len(library) == 1
    assert library.keys() == [title_key("Kept")]


def test_catalog_write_failure_is_a_clear_error(library: Library, monkeypatch):
    bad = Incoming(Paper(key=None, title="x"))  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="catalog is unchanged"):
        library.import_papers([paper("one"), bad])
    assert len(library) == 0


def test_state_changes_persist_and_return_the_previous_state(library_dir: Path):
    with Library(library_dir) as library:
        library.import_papers(page(1))
        key = title_key(MOTION)
        change = library.set_starred([key], True)
        assert change == Change("starred", True, {key: False})
        journal = library_dir / "state.json.journal"
        size = journal.stat().st_size
        assert library.set_starred([key], True).before == {}  # no change, nothing written
        assert journal.stat().st_size == size
        library.set_read([key], True)
        library.set_note(key, "# Why\nGood *baseline*")
        library.set_tags(key, ["#causal", "Causal", "to-read"])

    with Library(library_dir) as library:
        state = library.state_of(key)
        assert state.starred and state.read
        assert state.note == "# Why\nGood *baseline*"
        assert state.tags == ("causal", "to-read")
        assert state.starred_at and state.read_at and state.note_at
        assert library.keys("is:starred") == [key]
        assert library.keys("tag:CAUSAL") == [key]


def test_revert_undoes_a_bulk_change_and_reapply_redoes_it(sample_library: Library):
    keys = sample_library.keys("sparse")
    sample_library.set_read(keys[:2], True)
    change = sample_library.set_read(keys, True)
    assert sorted(change.keys) == sorted(keys[2:]), "papers already read are not in it"
    assert sample_library.count("is:read") == len(keys) > 5
    assert sorted(sample_library.revert(change)) == sorted(keys[2:])
    assert sorted(sample_library.keys("is:read")) == sorted(keys[:2])
    sample_library.reapply(change)
    assert sample_library.count("is:read") == len(keys)


def test_unknown_keys_are_refused(library: Library):
    with pytest.raises(NotFoundError):
        library.set_starred(["nope"], True)
    with pytest.raises(NotFoundError):
        library.resolve("nope")


def test_resolve_accepts_ids_urls_and_prefixes(library: Library):
    library.import_papers(
        [Incoming(Paper(key="2606.11409", title="With id", arxiv_id="2606.11409"))]
    )
    library.import_papers([paper("Only a title")])
    assert library.resolve("arXiv:2606.11409v2") == "2606.11409"
    assert library.resolve("https://arxiv.org/abs/2606.11409") == "2606.11409"
    key = title_key("Only a title")
    assert library.resolve(key[:6]) == key
    assert library.resolve(key) == key


def test_an_arxiv_id_joins_a_title_only_paper(library: Library):
    library.import_papers(page(1))
    key = title_key(MOTION)
    library.set_starred([key], True)
    library.import_papers(
        [
            Incoming(
                Paper(
                    key="2111.14820",
                    title=MOTION.upper(),
                    arxiv_id="2111.14820",
                    url="https://arxiv.org/abs/2111.14820",
                    authors=("Yuejiang Liu", "Riccardo Cadei"),
                )
            )
        ]
    )
    entry = library.entry(key)
    assert entry.paper.arxiv_id == "2111.14820"
    assert entry.paper.authors == ("Yuejiang Liu", "Riccardo Cadei")
    assert entry.state.starred
    assert library.resolve("2111.14820") == key


def test_jsonl_state_is_restored_only_for_untouched_papers(library: Library):
    library.import_papers([paper("Touched"), paper("Fresh")])
    library.set_note(title_key("Touched"), "mine")
    incoming = [
        Incoming(paper("Touched").paper, PaperState(title_key("Touched"), note="theirs")),
        Incoming(paper("FRESH").paper, PaperState("other-key", starred=True)),
    ]
    library.import_papers(incoming)
    assert library.state_of(title_key("Touched")).note == "mine"
    assert library.state_of(title_key("Fresh")).starred


def test_added_time_is_set_on_first_import(library: Library):
    start = datetime.now(UTC).replace(microsecond=0)
    library.import_papers([paper("New")])
    added = library.entry(title_key("New")).paper.added
    assert added is not None and added >= start


def test_stats(sample_library: Library):
    sample_library.set_starred(sample_library.keys("sparse")[:3], True)
    stats = sample_library.stats()
    assert stats.papers.papers == 93
    assert stats.starred == 3
    assert stats.papers.sources == {"hf-page": 93}


def test_a_version_1_catalog_is_upgraded_in_place(tmp_path: Path):
    import sqlite3

    folder = tmp_path / "old"
    folder.mkdir()
    # The first schema, as reader 0.1 wrote it, with one paper in it.
    db = sqlite3.connect(folder / "catalog.sqlite3")
    db.executescript(
        """
        CREATE TABLE papers (rowid INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL, title_norm TEXT NOT NULL, abstract TEXT NOT NULL DEFAULT '',
            authors TEXT NOT NULL DEFAULT '', author_count INTEGER, organization TEXT,
            published TEXT, upvotes INTEGER, arxiv_id TEXT, url TEXT,
            source TEXT NOT NULL DEFAULT '', added TEXT NOT NULL);
        INSERT INTO papers (key, title, title_norm, added)
            VALUES ('t-1', 'Old paper', 'old paper', '2026-01-01T00:00:00+00:00');
        PRAGMA user_version = 1;
        """
    )
    db.close()
    with Library(folder) as library:
        assert library.entry("t-1").paper.title == "Old paper"
        assert library.entry("t-1").paper.featured is None
        library.import_papers([paper("New one", comments=2)])
        assert library.entry(title_key("New one")).paper.comments == 2


def test_search_sees_another_instances_changes_after_its_next_write(library_dir: Path):
    with Library(library_dir) as first:
        first.import_papers(page(0))
        keys = first.keys()
        with Library(library_dir) as second:
            second.set_starred([keys[0]], True)
        # The first instance learns of it on its next write, and its filter follows.
        first.set_starred([keys[1]], True)
        assert set(first.keys("is:starred")) == {keys[0], keys[1]}


def test_titles_of_punctuation_only_are_not_one_paper(library: Library):
    # Found by hypothesis: "{" and ":" both fold to an empty title.
    library.import_papers(
        [
            Incoming(Paper(key="t-a", title="{")),
            Incoming(Paper(key="t-b", title=":")),
        ]
    )
    assert sorted(library.keys()) == ["t-a", "t-b"]


def test_a_failed_import_changes_no_state(library: Library, monkeypatch: pytest.MonkeyPatch):
    import sqlite3

    from reader.library.catalog import Catalog

    carried = [Incoming(paper("Carried").paper, PaperState(title_key("Carried"), starred=True))]

    def broken(*_args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(Catalog, "_write_plan", broken)
    with pytest.raises(StoreError, match="the catalog is unchanged"):
        library.import_papers(carried)
    monkeypatch.undo()
    assert len(library) == 0
    assert library.state_of(title_key("Carried")) == PaperState(title_key("Carried"))
    assert not (library.folder / "state.json.journal").exists()
    # The same import, once it can be written, brings its state along.
    library.import_papers(carried)
    assert library.state_of(title_key("Carried")).starred


def test_the_same_title_with_different_arxiv_ids_stays_two_papers(library: Library):
    first = Paper(key="2401.00001", title="Deep Learning", arxiv_id="2401.00001")
    second = Paper(key="2501.00002", title="Deep  learning", arxiv_id="2501.00002")
    library.import_papers([Incoming(first), Incoming(second)])
    assert sorted(library.keys()) == ["2401.00001", "2501.00002"]
    # Also across imports, and a title-only copy joins neither by guessing.
    library.import_papers(
        [Incoming(Paper(key="2601.00003", title="DEEP LEARNING", arxiv_id="2601.00003"))]
    )
    assert len(library) == 3


def test_a_settings_file_nested_too_deeply_falls_back_to_the_defaults(tmp_path: Path):
    from reader.settings import Settings

    (tmp_path / "settings.json").write_text("[" * 100_000 + "]" * 100_000)
    settings = Settings(tmp_path)
    assert settings.get("sort", "date") == "date"
    settings.set("sort", "title")  # and the next change replaces it with a good file
    assert Settings(tmp_path).get("sort") == "title"
