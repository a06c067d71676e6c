""" "For you" on the command line: --sort relevance, mark --dismiss, similar:KEY, the
`score` and `because` of --json, and `reader doctor` on the vectors."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from reader.library import Library
from reader.ranking.store import RANKING_FILE
from tests.conftest import REPO, Run


def keys(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def test_relevance_with_nothing_liked_says_so_and_lists_newest_first(imported: Run):
    code, out, err = imported("list", "--sort", "relevance", "--limit", "5")
    assert code == 0
    assert "reader: nothing to rank by yet: star, tag or note papers you like" in err
    _, newest, _ = imported("list", "--limit", "5")
    assert keys(out) == keys(newest)


def test_relevance_json_gives_score_and_because(imported: Run):
    _, out, _ = imported("list", "causal", "--limit", "4")
    liked = keys(out)[:2]
    assert imported("mark", *liked, "--star")[0] == 0
    assert imported("tag", keys(out)[2], "favourite")[0] == 0
    code, out, err = imported("list", "--sort", "relevance", "--json", "--limit", "10")
    assert code == 0 and "nothing to rank" not in err
    items = json.loads(out)
    assert len(items) == 10
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True)
    assert {item["key"] for item in items[:3]} == {*liked, keys(out)[2]} or items[0]["key"] in liked
    for item in items:
        because = item["because"]
        assert because["key"] != item["key"]
        assert because["why"] in ("starred", "tagged")
        assert because["title"]
    # The text listing shows the same order.
    _, text, _ = imported("list", "--sort", "relevance", "--limit", "10")
    assert keys(text) == [item["key"] for item in items]
    # Other sorts carry no score.
    _, plain, _ = imported("list", "--json", "--limit", "1")
    assert "score" not in json.loads(plain)[0]


def test_mark_dismiss_and_undismiss(imported: Run):
    _, out, _ = imported("list", "--limit", "2")
    first, second = keys(out)
    code, out, _ = imported("mark", first, second, "--dismiss")
    assert code == 0 and out.strip() == "Marked 2 papers dismissed (2 changed)."
    code, out, _ = imported("list", "is:dismissed", "--json")
    items = json.loads(out)
    assert sorted(item["key"] for item in items) == sorted([first, second])
    assert all(item["dismissed"] and item["read"] and item["dismissed_at"] for item in items)
    code, out, _ = imported("show", first)
    assert "read, dismissed" in out
    code, out, _ = imported("mark", first, "--undismiss")
    assert code == 0 and "undismissed (1 changed)" in out
    _, out, _ = imported("list", "is:dismissed")
    assert keys(out) == [second]
    _, out, _ = imported("list", "is:read", "--json")
    assert first in [item["key"] for item in json.loads(out)]  # still read


def test_dismiss_with_unread_is_refused_and_changes_nothing(imported: Run):
    _, out, _ = imported("list", "--limit", "1")
    (first,) = keys(out)
    code, out, err = imported("mark", first, "--dismiss", "--unread")
    assert code == 1 and out == ""
    assert err == "reader: error: --dismiss marks papers read: it cannot go with --unread\n"
    _, out, _ = imported("list", "is:dismissed OR is:read")
    assert keys(out) == []


def test_mark_says_what_it_can_mark(imported: Run):
    code, _, err = imported("mark", "t-50c2")
    assert code == 1
    assert "--dismiss or --undismiss" in err
    with pytest.raises(SystemExit) as exited:  # argparse: mutually exclusive
        imported("mark", "t-50c2", "--dismiss", "--undismiss")
    assert exited.value.code == 2


def test_similar_lists_most_similar_first_unless_sorted(imported: Run):
    _, out, _ = imported("list", "--limit", "1")
    (anchor,) = keys(out)
    code, out, _ = imported("list", f"similar:{anchor}")
    assert code == 0
    similar = keys(out)
    assert 0 < len(similar) <= 50 and anchor not in similar
    code, dated, _ = imported("list", f"similar:{anchor}", "--sort", "date")
    assert sorted(keys(dated)) == sorted(similar)
    _, everything, _ = imported("list", "--sort", "date")
    assert keys(dated) == [key for key in keys(everything) if key in set(similar)]
    code, _, err = imported("list", "similar:nope-nope")
    assert code == 1
    assert err.strip() == "reader: error: no paper with key 'nope-nope' in the library"
    code, _, err = imported("list", "similar:")
    assert code == 1 and '"similar:" needs a value' in err


def test_export_jsonl_carries_dismissed(imported: Run, tmp_path: Path):
    _, out, _ = imported("list", "--limit", "1")
    (key,) = keys(out)
    imported("mark", key, "--dismiss")
    backup = tmp_path / "backup.jsonl"
    assert imported("export", "--all", "-o", str(backup))[0] == 0
    line = next(json.loads(text) for text in backup.read_text().splitlines() if key in text)
    assert line["dismissed"] is True
    restored = Run(tmp_path / "restored", imported.capsys)
    assert restored("import", str(backup))[0] == 0
    assert keys(restored("list", "is:dismissed")[1]) == [key]


def test_doctor_checks_and_rebuilds_the_vectors(imported: Run):
    folder = imported.folder
    code, out, _ = imported("doctor")
    assert code == 0
    assert f"ranking vectors {folder / RANKING_FILE}: ok (93 papers)" in out
    # Stale: the catalog's text changed behind the vectors' back.
    with sqlite3.connect(folder / "catalog.sqlite3") as db:
        db.execute("UPDATE papers SET abstract = 'changed' WHERE rowid <= 3")
    code, out, _ = imported("doctor")
    assert "OUT OF STEP (3 stale)" in out and "Rebuilt the ranking vectors." in out
    assert "Everything is in order." in out
    # Damaged: set aside (kept), rebuilt.
    for path in folder.glob(RANKING_FILE + "*"):
        path.unlink()
    (folder / RANKING_FILE).write_bytes(b"garbage" * 1000)
    code, out, _ = imported("doctor")
    assert code == 0
    assert "DAMAGED" in out and "the damaged file is now" in out
    assert list(folder.glob(RANKING_FILE + ".damaged-*"))
    assert "Everything is in order." in out
    with Library(folder) as library:
        library.set_starred(library.keys()[:1], True)
        assert library.relevance() is not None


def test_a_damaged_vectors_file_is_one_line_and_the_catalog_still_imports(
    imported: Run, tmp_path: Path
):
    folder = imported.folder
    for path in folder.glob(RANKING_FILE + "*"):
        path.unlink()
    (folder / RANKING_FILE).write_bytes(b"garbage" * 1000)
    new = tmp_path / "new.jsonl"
    new.write_text('{"title": "A brand new paper", "abstract": "On new words."}\n')
    code, out, err = imported("import", str(new))
    assert code == 0 and "Imported" in out
    assert "run `reader doctor`" in err and "the papers are imported" in err
    # The other sorts work; "for you" says, in one line, what to do.
    assert imported("list", "--limit", "3")[0] == 0
    imported("mark", "t-50c2", "--star")
    code, _, err = imported("list", "--sort", "relevance")
    assert code == 1
    assert err.startswith("reader: error: the ranking file") and "reader doctor" in err
    assert len(err.strip().splitlines()) == 1


def test_vectors_a_streamed_import_leaves_for_later_are_no_fault(run: Run):
    # The snapshot is streamed: its vectors are made when the ranking is next used, and
    # doctor must not call a normal import a fault (nor "repair" it).
    snapshot = REPO / "tests" / "fixtures" / "inputs" / "arxiv-metadata-oai-snapshot.sample.json"
    assert run("import", str(snapshot))[0] == 0
    code, out, _ = run("doctor")
    assert code == 0 and "OUT OF STEP" not in out and "Rebuilt" not in out
    assert "made when the ranking" in out and "Everything is in order." in out
    assert run("list", "--sort", "relevance")[0] == 0  # the ranking catches up on use
