"""Works that share a title: the second and later take numbered keys that no paper holds.

A second work of a title whose key another work holds is stored under the key of the title
and a number (`merging._fresh_key`). That key must be free in the catalog, even when the
paper holding it can no longer be found by the title (its title changed in a merge) or was
never titled so (a work whose own title ends in the number). And a work titled with the
number is not joined to the numbered work by the key they share.

Random streams of such works (shared titles, renames by arXiv, random batches) import
whole: each work is one paper, with the same key whether the stream came in many imports,
one streamed import into an empty catalog (`seen.py`) or a streamed import into a catalog
that holds papers.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.identity import title_key
from reader.library import Library
from reader.model import Incoming, Paper


def bibtex(title: str, doi: str, arxiv_id: str | None = None) -> Incoming:
    """A BibTeX record: keyed by its arXiv id when it has one, else by its title."""
    key = arxiv_id or title_key(title)
    return Incoming(Paper(key=key, title=title, doi=doi, arxiv_id=arxiv_id, source="bibtex"))


def from_arxiv(arxiv_id: str, title: str) -> Incoming:
    """arXiv's own record: its title wins over a BibTeX one."""
    return Incoming(Paper(key=arxiv_id, title=title, arxiv_id=arxiv_id, source="arxiv-api"))


def renamed_second_work() -> list[list[Incoming]]:
    """Two works titled "Title X"; the second gains an arXiv id, which arXiv calls "Title Y";
    then a third work titled "Title X"."""
    return [
        [bibtex("Title X", "10.1000/a"), bibtex("Title X", "10.1000/b")],
        [bibtex("Title X", "10.1000/b", "2401.00002"), from_arxiv("2401.00002", "Title Y")],
        [bibtex("Title X", "10.1000/c")],
    ]


def titles_by_doi(library: Library, dois: Iterable[str]) -> dict[str, str]:
    """The title of the one paper with each DOI."""
    return {doi: library.catalog.get(library.resolve(doi)).title for doi in dois}  # type: ignore[union-attr]


def assert_renamed_second_work_stored(library: Library) -> None:
    assert len(library) == 3
    titles = titles_by_doi(library, ["10.1000/a", "10.1000/b", "10.1000/c"])
    assert titles == {"10.1000/a": "Title X", "10.1000/b": "Title Y", "10.1000/c": "Title X"}
    assert library.resolve("2401.00002") == library.resolve("10.1000/b")


def test_a_third_work_of_a_title_skips_the_key_of_a_renamed_second(tmp_path: Path) -> None:
    with Library(tmp_path) as library:
        first, second, third = renamed_second_work()
        library.import_papers(first)
        fresh = library.resolve("10.1000/b")
        assert fresh != title_key("Title X")
        library.import_papers(second)
        assert library.resolve("2401.00002") == fresh  # the key stays, the title changed
        result = library.import_papers(third)
        assert result.new == 1
        assert result.resolved[0] not in (title_key("Title X"), fresh)
        assert_renamed_second_work_stored(library)
        # Importing it again finds it again.
        assert library.import_papers(third).unchanged == 1
        assert len(library) == 3


def test_a_streamed_import_makes_and_avoids_the_collision_itself(tmp_path: Path) -> None:
    # Into an empty catalog: each batch looks up only what the import may have stored
    # (`seen.py`), and the numbered key was stored by the first batch.
    with Library(tmp_path) as library:
        result = library.import_stream(renamed_second_work())
        assert result.new == 3
        assert_renamed_second_work_stored(library)


def test_a_numbered_key_skips_a_work_whose_own_title_ends_in_the_number(
    tmp_path: Path,
) -> None:
    # "Title X" with a number folds to the same text as "Title X 2": its key is that title's.
    with Library(tmp_path) as library:
        library.import_papers([bibtex("Title X 2", "10.1000/sequel")])
        result = library.import_papers(
            [bibtex("Title X", "10.1000/a"), bibtex("Title X", "10.1000/b")]
        )
        assert result.new == 2
        assert len(set(result.resolved) | {library.resolve("10.1000/sequel")}) == 3
        assert titles_by_doi(library, ["10.1000/sequel", "10.1000/a", "10.1000/b"]) == {
            "10.1000/sequel": "Title X 2",
            "10.1000/a": "Title X",
            "10.1000/b": "Title X",
        }


def test_the_same_works_get_the_same_keys_whatever_the_batches(tmp_path: Path) -> None:
    batches = renamed_second_work()
    with Library(tmp_path / "imports") as library:
        for batch in batches:
            library.import_papers(batch)
        keys = {doi: library.resolve(doi) for doi in ("10.1000/a", "10.1000/b", "10.1000/c")}
    with Library(tmp_path / "stream") as library:
        library.import_stream(batches)
        assert {doi: library.resolve(doi) for doi in keys} == keys


def test_a_work_titled_with_the_number_is_not_joined_to_the_numbered_work(
    tmp_path: Path,
) -> None:
    # The second "Title X" holds the key of the title "Title X 2": that key, made from a
    # title, joins only what the title would join, and "Title X" is another title.
    sequel = Incoming(Paper(key=title_key("Title X 2"), title="Title X 2", source="bibtex"))
    works = [bibtex("Title X", "10.1000/a"), bibtex("Title X", "10.1000/b")]
    for number, batches in enumerate([[[*works, sequel]], [works, [sequel]]]):
        with Library(tmp_path / str(number)) as library:
            for batch in batches:
                library.import_papers(batch)
            assert len(library) == 3
            assert titles_by_doi(library, ["10.1000/a", "10.1000/b"]) == {
                "10.1000/a": "Title X",
                "10.1000/b": "Title X",
            }
            assert library.import_papers([sequel]).unchanged == 1  # found again, by title
            assert len(library) == 3


# --- random streams -------------------------------------------------------------------

TITLES = ("Shared Title", "Shared Title 2", "Shared Title 3", "Other Title", "Deep Learning")
"""Few titles, so that works share them; some are another's title with a number."""
FIRST_TITLES = ("Shared Title", "Shared Title", "Shared Title", "Shared Title 2")
"""The titles works are first imported with: most share one, so that some take numbers."""


@dataclass(frozen=True)
class Work:
    """One work of a random stream: every record of it carries its DOI or its arXiv id."""

    doi: str
    arxiv_id: str


@dataclass
class Stream:
    """Records of a few works in order, cut into batches, and what the catalog must hold."""

    batches: list[list[Incoming]]
    titles: dict[str, str]
    """The title each work must end with, by DOI."""
    arxiv_ids: dict[str, str | None]
    """The arXiv id each work must end with, by DOI."""
    again: list[Incoming]
    """A record of each work as it ends (its last title, its DOI and arXiv id, if any)."""


@st.composite
def streams(draw: st.DrawFn) -> Stream:
    """Records of works that share titles: BibTeX records by title, until a record gives
    a work its arXiv id (joined to it by title); from then on, arXiv and BibTeX records
    by arXiv id, arXiv's renaming the work (a BibTeX title never replaces arXiv's)."""
    count = draw(st.integers(3, 7))
    works = [Work(f"10.1000/w{n}", f"2401.{n:05d}") for n in range(count)]
    first_titles = [draw(st.sampled_from(FIRST_TITLES)) for _ in works]
    introduced: set[int] = set()
    best: dict[str, tuple[int, str]] = {}  # by DOI: (the best source's quality, its title)
    records: list[Incoming] = []
    for _ in range(draw(st.integers(1, 40))):
        # Works appear one after another, now and then: a later one may find an earlier
        # one renamed.
        appeared = len(best)
        if appeared < count and (not appeared or draw(st.integers(0, 4)) == 0):
            number = appeared
        else:
            number = draw(st.integers(0, appeared - 1))
        work, title = works[number], first_titles[number]
        if number not in introduced:
            # Mostly a BibTeX record by title first, and its arXiv id soon after.
            with_id = draw(st.integers(0, 3)) == 0 if work.doi not in best else draw(st.booleans())
            record = bibtex(title, work.doi, work.arxiv_id if with_id else None)
            if with_id:
                introduced.add(number)
            quality = 1
        elif draw(st.integers(0, 2)) > 0:
            record = from_arxiv(work.arxiv_id, title := draw(st.sampled_from(TITLES)))
            quality = 2
        else:
            record = bibtex(title := draw(st.sampled_from(TITLES)), work.doi, work.arxiv_id)
            quality = 1
        if quality >= best.get(work.doi, (0, ""))[0]:
            best[work.doi] = (quality, title)
        records.append(record)
    batches: list[list[Incoming]] = []
    while records:
        size = draw(st.integers(1, 6))
        batches.append(records[:size])
        records = records[size:]
    titles = {doi: title for doi, (_, title) in best.items()}
    arxiv_ids = {
        work.doi: work.arxiv_id if n in introduced else None
        for n, work in enumerate(works)
        if work.doi in best
    }
    again = [bibtex(titles[doi], doi, arxiv_id) for doi, arxiv_id in arxiv_ids.items()]
    return Stream(batches, titles, arxiv_ids, again)


def imported_keys(folder: Path, stream: Stream, how: str) -> dict[str, str]:
    """Import the stream (each batch on its own, in one streamed import, or the first
    batch on its own and the rest streamed into the catalog it made); check that each
    work is one paper with its last title and arXiv id; the key of each work by DOI."""
    with Library(folder) as library:
        if how == "imports":
            for batch in stream.batches:
                library.import_papers(batch)
        elif how == "stream":
            library.import_stream(stream.batches)
        else:
            library.import_papers(stream.batches[0])
            library.import_stream(stream.batches[1:])
        assert len(library) == len(stream.titles)
        keys = {doi: library.resolve(doi) for doi in stream.titles}  # one paper each
        papers = library.catalog.get_many(list(keys.values()))
        assert {doi: papers[key].title for doi, key in keys.items()} == stream.titles
        assert {doi: papers[key].arxiv_id for doi, key in keys.items()} == stream.arxiv_ids
        # Each work as it ends is found again (a BibTeX record of a work renamed since
        # can be a new paper: no paper is looked up by DOI).
        assert library.import_papers(stream.again).unchanged == len(stream.titles)
        assert len(library) == len(stream.titles)
        return keys


@pytest.mark.slow  # 15 s: 200 streams, each imported three ways
@settings(max_examples=200, deadline=None)
@given(streams())
def test_random_streams_of_works_sharing_titles_import_whole(stream: Stream) -> None:
    with tempfile.TemporaryDirectory() as folder:
        keys = imported_keys(Path(folder, "imports"), stream, "imports")
        assert len(set(keys.values())) == len(keys)
        # The same works in the same order get the same keys, however they are batched.
        assert imported_keys(Path(folder, "stream"), stream, "stream") == keys
        assert imported_keys(Path(folder, "mixed"), stream, "mixed") == keys
