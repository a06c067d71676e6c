"""Works that share a title: the second and later take numbered keys that no paper holds.

A second work of a title whose key another work holds is stored under the key of the title
and a number (`merging._fresh_key`). That key must be free in the catalog, even when the
paper holding it can no longer be found by the title (its title changed in a merge) or was
never titled so (a work whose own title ends in the number). And a work titled with the
number is not joined to the numbered work by the key they share.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

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
