"""Tags a file brought in as they were (a JSON Lines backup, another tool's export) stay
as they were when the user adds a tag: "machine learning" is one tag, never two."""

from __future__ import annotations

import json
from pathlib import Path

from reader.library import Library
from tests.conftest import Run


def _import_one_with_tags(run: Run, tmp_path: Path, tags: list[str]) -> None:
    line = {"key": "k1", "title": "Paper one", "abstract": "x", "tags": tags}
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(line) + "\n")
    assert run("import", str(source))[0] == 0


def test_adding_a_tag_keeps_an_imported_tag_with_a_space_whole(run: Run, tmp_path: Path) -> None:
    _import_one_with_tags(run, tmp_path, ["machine learning", "a,b"])
    with Library(run.folder) as library:
        library.add_tags(["k1"], ["new", "#Machine"])
        assert library.state_of("k1").tags == ("machine learning", "a,b", "new", "Machine")


def test_the_tag_command_keeps_an_imported_tag_with_a_space_whole(run: Run, tmp_path: Path) -> None:
    _import_one_with_tags(run, tmp_path, ["machine learning"])
    code, out, _ = run("tag", "k1", "new")
    assert (code, out.strip()) == (0, "k1: #machine learning #new")
