"""`reader saved`, `saved:NAME` in queries, and `reader digest` (Markdown, text, safe HTML)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from reader.library import Library
from reader.model import Incoming, Paper
from reader.settings import Settings
from reader.subscriptions import ProgressFile
from tests.cli.daily_server import Feeds, day_id
from tests.conftest import Run, seed_path


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    return Run(tmp_path / "library", capsys)


@pytest.fixture
def imported(run: Run) -> Run:
    assert run("import", *(str(seed_path(n)) for n in range(4)))[0] == 0
    return run


def one_error_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("reader: error: "), err
    return err


def keys(run: Run, *query: str) -> list[str]:
    code, out, err = run("list", *query, "--json")
    assert code == 0, err
    return [paper["key"] for paper in json.loads(out)]


# --- saved searches --------------------------------------------------------------------------


def test_saved_add_list_remove(imported: Run):
    code, out, _ = imported("saved", "add", "causal", "causal -survey")
    assert code == 0 and out == "Saved the saved search causal: causal -survey\n"
    assert imported("saved", "add", "vision", "vision", "--watch")[0] == 0
    causal = keys(imported, "causal", "-survey")
    assert causal and keys(imported, "saved:causal") == causal
    assert keys(imported, "SAVED:Causal") == causal  # names in any case
    assert keys(imported, "-saved:causal", "saved:vision") == keys(
        imported, "vision", "-(causal -survey)"
    )
    imported("mark", causal[0], "--read")
    code, out, _ = imported("saved", "list")
    assert out.splitlines()[0] == f"causal  {len(causal) - 1} unread  causal -survey"
    assert out.splitlines()[1].startswith("vision (watch)  ")
    data = json.loads(imported("saved", "list", "--json")[1])
    assert data["schema_version"] == 1
    assert data["saved"][0] == {
        "name": "causal",
        "query": "causal -survey",
        "watch": False,
        "unread": len(causal) - 1,
        "error": None,
    }
    assert imported("saved", "remove", "causal")[0] == 0
    code, _, err = imported("list", "saved:causal")
    assert code == 1 and 'no saved search "causal" (saved: vision)' in one_error_line(err)


def test_saved_searches_work_in_mark_and_export(imported: Run):
    assert imported("saved", "add", "causal", "causal")[0] == 0
    code, out, _ = imported("mark", "--query", "saved:causal", "--star")
    assert code == 0 and f"Marked {len(keys(imported, 'causal'))} papers starred" in out
    code, out, _ = imported("export", "saved:causal", "--format", "jsonl")
    assert code == 0 and len(out.splitlines()) == len(keys(imported, "causal"))


def test_saved_searches_may_use_saved_searches_but_not_in_a_loop(imported: Run):
    assert imported("saved", "add", "a", "causal")[0] == 0
    assert imported("saved", "add", "b", "saved:a -survey")[0] == 0
    assert keys(imported, "saved:b") == keys(imported, "causal", "-survey")
    code, _, err = imported("saved", "add", "a", "saved:b")
    assert code == 1 and "uses itself: b → a → b" in one_error_line(err)
    # A loop written by hand in the settings file is one error line too, never a hang.
    Settings().set_entry("saved", "a", {"query": "saved:b"})
    code, _, err = imported("list", "saved:a")
    assert code == 1 and "uses itself" in one_error_line(err)
    code, out, _ = imported("saved", "list")
    assert code == 0 and "a  error: " in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("saved", "add", "x", "-"), "matches every paper"),
        (("saved", "add", "bad name", "x"), "a saved search's name"),
        (("saved", "add", "x", "(causal"), "unbalanced"),
        (("saved", "add", "x", "saved:nope"), 'no saved search "nope"'),
        (("saved", "remove", "nope"), 'no saved search "nope"'),
    ],
)
def test_saved_refuses_what_cannot_work_in_one_line(run: Run, args, message):
    code, _, err = run(*args)
    assert code == 1 and message in one_error_line(err)


def test_saved_add_replaces_and_says_so(run: Run):
    assert run("saved", "add", "x", "causal")[0] == 0
    code, out, _ = run("saved", "add", "X", "vision", "--watch")
    assert code == 0 and out.startswith("Replaced the watch list X")
    assert Settings().table("saved") == {"X": {"query": "vision", "watch": True}}


def test_removing_a_saved_search_others_use_says_which(run: Run):
    assert run("saved", "add", "a", "causal")[0] == 0
    assert run("saved", "add", "b", "saved:a x")[0] == 0
    code, out, _ = run("saved", "remove", "a")
    assert code == 0 and "Note: b used it" in out


# --- the digest ----------------------------------------------------------------------------------


def test_digest_since_last_remembers_where_it_ended(imported: Run, feeds: Feeds):
    assert imported("saved", "add", "causal", "causal")[0] == 0
    code, out, _ = imported("digest")  # the first: the last day, so every paper just imported
    assert code == 0
    assert out.startswith("# Papers digest\n\n_93 new papers, ")
    assert "\n## causal (" in out and "\n## Other new papers (" in out
    mark = ProgressFile(imported.folder).digest_mark()
    assert mark is not None
    code, out, _ = imported("digest")
    assert code == 0 and "_0 new papers" in out and "_Nothing new._" in out
    # New papers arrive: only they are in the next digest.
    assert imported("fetch", "hf", "--date", "2026-06-12")[0] == 0
    code, out, _ = imported("digest", "--format", "text")
    assert code == 0 and out.startswith("Papers digest: 3 new papers, ")
    assert f"https://arxiv.org/abs/{day_id('2026-06-12', 0)}" in out
    assert "  Adversarial robustness evaluations of large language models" in out


def test_digest_since_a_date_keeps_the_mark(imported: Run):
    assert imported("digest")[0] == 0
    mark = ProgressFile(imported.folder).digest_mark()
    code, out, _ = imported("digest", "--since", "2000-01-01")
    assert code == 0 and "_93 new papers, 2000\\-01\\-01 00:00 to " in out
    code, out, _ = imported("digest", "--since", "2000-01-01", "--saved-only")
    assert code == 0 and "_0 new papers" in out  # no saved search: no group
    assert ProgressFile(imported.folder).digest_mark() == mark
    code, _, err = imported("digest", "--since", "yesterday")
    assert code == 1 and "--since takes last" in one_error_line(err)


def test_papers_stored_while_a_digest_was_made_are_in_the_next(run: Run):
    with Library(run.folder) as library:
        library.import_papers([Incoming(Paper(key="k1", title="First"))])
    assert "First" in run("digest")[1]
    # Stored after the digest looked: one stamped in the very second it ended, one stamped
    # minutes before (an import is stamped when it starts, and may take a while).
    mark = ProgressFile(run.folder).digest_mark() or {}
    end = datetime.fromisoformat(str(mark["until"]))
    with Library(run.folder) as library:
        library.import_papers(
            [
                Incoming(Paper(key="k2", title="Same second", added=end)),
                Incoming(Paper(key="k3", title="Long import", added=end - timedelta(minutes=9))),
            ]
        )
    out = run("digest")[1]
    assert "Same second" in out and "Long import" in out and "First" not in out
    assert "_0 new papers" in run("digest")[1]


HOSTILE = Paper(
    key="evil",
    title='<script>alert("x")</script> [click](javascript:alert(1)) \x1b[31m',
    abstract='"><img src=x onerror=alert(1)>. Second sentence! Third one.',
    authors=("<b>Mallory</b>", "O'Brien & Co"),
    url="javascript:alert(1)",
    upvotes=3,
)
SAFE = Paper(key="2606.00001", title="Fine", arxiv_id="2606.00001", added=None)


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [value or "" for name, value in attrs if name in ("href", "src")]
        assert not any(name.startswith("on") for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_html_digest_escapes_everything_and_links_only_the_web(run: Run, tmp_path: Path):
    with Library(run.folder) as library:
        library.import_papers([Incoming(HOSTILE), Incoming(SAFE)])
    target = tmp_path / "digest.html"
    code, _, err = run("digest", "-o", str(target))  # the suffix picks HTML
    assert code == 0 and "Wrote a digest of 2 papers" in err
    page = target.read_text(encoding="utf-8")
    parsed = _Collect()
    parsed.feed(page)
    assert set(parsed.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "h2"} | {
        "h3",
        "p",
        "em",
        "a",
        "code",
    }
    assert parsed.links == ["https://arxiv.org/abs/2606.00001"]
    text = "".join(parsed.text)
    assert '<script>alert("x")</script>' in text and "<b>Mallory</b>, O'Brien & Co" in text
    assert "\x1b" not in page
    assert '"><img src=x onerror=alert(1)>. Second sentence!' in text
    assert "Third one" not in text  # the first two sentences only
    code, _, err = run("digest", "-o", str(target))
    assert code == 1 and "already exists" in one_error_line(err)


def test_the_markdown_digest_renders_no_html_and_no_foreign_link(run: Run):
    with Library(run.folder) as library:
        library.import_papers([Incoming(HOSTILE), Incoming(SAFE)])
    code, out, _ = run("digest", "--format", "markdown")
    assert code == 0
    tokens = MarkdownIt("commonmark").parse(out)
    kinds = {token.type for token in tokens} | {
        child.type for token in tokens for child in token.children or ()
    }
    assert not kinds & {"html_inline", "html_block", "image"}
    links = [
        child.attrs["href"]
        for token in tokens
        for child in token.children or ()
        if child.type == "link_open"
    ]
    assert links == ["https://arxiv.org/abs/2606.00001"]


def test_the_digest_ranks_for_you_once_a_paper_is_liked(imported: Run):
    from reader import digest

    with Library(imported.folder) as library:
        span = digest.window("2000-01-01", None)

        def order() -> list[str]:
            found = digest.collect(library, [], span)
            assert len(found.groups) == 1 and found.count == 93
            return [entry.key for entry in found.groups[0].entries]

        assert order() == library.keys("", "upvotes")  # nothing liked: most upvoted first
        causal = library.keys("causal")[:3]
        library.set_starred(causal, True)
        ranked = order()
        assert ranked == library.keys("", "relevance")
        assert ranked != library.keys("", "upvotes")
        # What was starred and what is most like it come first.
        assert set(ranked[:3]) == set(causal)


def test_a_broken_saved_search_is_left_out_and_the_digest_still_goes_out(imported: Run):
    assert imported("saved", "add", "base", "causal")[0] == 0
    assert imported("saved", "add", "uses", "saved:base robot")[0] == 0
    assert imported("saved", "add", "good", "sparse")[0] == 0
    assert imported("saved", "remove", "base")[0] == 0  # "uses" now names nothing
    code, out, err = imported("digest", "--since", "2000-01-01", "--format", "text")
    assert code == 0
    assert err.startswith("reader: the saved search uses is left out of the digest: ")
    assert err.count("\n") == 1
    assert "Papers digest: 93 new papers" in out  # every paper is still in it
    assert out.splitlines()[2] == "good (21)"  # the working search keeps its group


@pytest.mark.parametrize(
    "since",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01", "1969-12-31"],
)
def test_a_since_out_of_the_calendar_is_one_line(imported: Run, since: str):
    code, out, err = imported("digest", "--since", since)
    assert code == 1 and out == ""
    assert f"--since {since!r} is out of range" in one_error_line(err)


@pytest.mark.parametrize(
    "until", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59-14:00", "junk", 5]
)
def test_a_hand_edited_digest_mark_starts_over(imported: Run, until: object):
    (imported.folder / "progress.json").write_text(json.dumps({"digest": {"until": until}}))
    code, out, err = imported("digest", "--format", "text")
    assert code == 0, err
    assert out.startswith("Papers digest: ")  # the last day, as a first digest
