"""The daily routine in the app (Pilot): saved searches on the number keys and in the
palette, unread counts in the status line, watch lists marked in the list, the PDF key,
and "all subscriptions" in the fetch dialog."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from textual.widgets import RadioButton

from reader.library import Library
from reader.pdf import pdf_path
from reader.settings import Settings
from tests.cli.daily_server import PDF, Feeds, Reply
from tests.tui.conftest import LINKED, list_lines, settle, status_text

SIZE = (140, 40)


def save(name: str, query: str, *, watch: bool = False) -> None:
    Settings().set_entry("saved", name, {"query": query, "watch": True if watch else None})


def count(folder: Path, query: str) -> int:
    with Library(folder) as library:
        library.saved_searches = lambda: {"causal": "causal", "vision": "vision"}
        return library.count(query)


async def test_number_keys_apply_saved_searches_and_the_status_counts_unread(
    make_app, sample_dir: Path
):
    save("causal", "causal")
    save("vision", "vision", watch=True)
    causal = count(sample_dir, "causal")
    vision = count(sample_dir, "vision is:unread")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert f"unread: 1 causal {causal}, 2 vision {vision}" in status_text(app)
        await pilot.press("1")
        await settle(pilot)
        assert app.main.query_one("#filter").value == "saved:causal"
        assert app.main.paper_list.row_count == causal
        assert app.main.paper_list.has_focus
        # Reading one of them: the count follows.
        await pilot.press("space")
        await settle(pilot)
        assert f"unread: 1 causal {causal - 1}, " in status_text(app)
        await pilot.press("u")
        await settle(pilot)
        assert f"unread: 1 causal {causal}, " in status_text(app)
        await pilot.press("2")
        await settle(pilot)
        assert app.main.paper_list.row_count == count(sample_dir, "vision")
        await pilot.press("9")
        await settle(pilot)
        assert "No saved search 9 (saved: 1 causal, 2 vision)" in status_text(app)


async def test_typing_a_number_in_the_filter_types_it(make_app):
    save("causal", "causal")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "2", "0", "2", "5")
        await settle(pilot)
        assert app.main.query_one("#filter").value == "2025"


async def test_saved_searches_are_in_the_command_palette(make_app, sample_dir: Path):
    save("causal", "causal -survey")
    save("vision", "vision", watch=True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        assert "Saved search: causal  (1)" in commands
        assert commands["Watch list: vision  (2)"].help == "vision"
        assert not any(title.startswith("Saved 1") for title in commands)  # not per number
        result = commands["Saved search: causal  (1)"].callback()
        if inspect.isawaitable(result):
            await result
        await settle(pilot)
        assert app.main.query_one("#filter").value == "saved:causal"
        assert app.main.paper_list.row_count == count(sample_dir, "causal -survey")


async def test_watch_lists_are_marked_in_the_list(make_app, sample_dir: Path):
    save("vision", "title:vision", watch=True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        watched = set(app.library.rowids("title:vision"))
        paper_list = app.main.paper_list
        lines = list_lines(app)
        shown = paper_list.rowids[: len(lines)]
        assert any(rowid in watched for rowid in shown)
        for rowid, line in zip(shown, lines, strict=True):
            # The fourth mark column: ◆ exactly on the watched papers.
            assert (line[3] == "◆") == (rowid in watched), line
        # No longer watched: the marks go.
        save("vision", "title:vision")
        await pilot.press("s")  # any change recounts
        await settle(pilot)
        assert not any("◆" in line for line in list_lines(app))


async def test_a_broken_watch_list_leaves_the_others_marked(make_app, sample_dir: Path):
    # "uses" names a saved search that was removed: it no longer parses, and must not
    # take the working watch list down with it.
    save("vision", "title:vision", watch=True)
    save("uses", "saved:removed robot", watch=True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        watched = set(app.library.rowids("title:vision"))
        assert watched and app.main.daily.counts.watched == frozenset(watched)


async def test_a_broken_settings_file_is_said_not_fatal(make_app):
    path = Settings().path
    path.parent.mkdir(parents=True, exist_ok=True)
    app = make_app()  # the file breaks after the start
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        path.write_text("[saved.x\n", encoding="utf-8")
        await pilot.press("1")
        await settle(pilot)
        assert app.is_running and "is not valid TOML" in status_text(app)


# --- PDFs --------------------------------------------------------------------------------------


def pdf_viewer(tmp_path: Path, monkeypatch) -> Path:
    record = tmp_path / "opened.txt"
    script = tmp_path / "viewer.py"
    script.write_text(
        f"import sys, pathlib\npathlib.Path({str(record)!r}).write_text(sys.argv[1])\n"
    )
    monkeypatch.setenv("READER_PDF_VIEWER", f"{sys.executable} {script}")
    return record


async def until(pilot, condition) -> None:
    for _ in range(200):
        if condition():
            return
        await pilot.pause(0.05)


async def test_the_pdf_key_downloads_then_opens(
    make_app, feeds: Feeds, tmp_path: Path, monkeypatch
):
    feeds.server.script(f"/pdf/{LINKED.arxiv_id}", lambda params: Reply(body=PDF))
    record = pdf_viewer(tmp_path, monkeypatch)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.main.query_one("#filter").value = "robust adaptive motion"
        await settle(pilot)
        assert app.main.paper_list.current_entry.paper.arxiv_id == LINKED.arxiv_id
        await pilot.press("O")
        await settle(pilot)
        cached = pdf_path(LINKED.arxiv_id or "", tmp_path / "cache")
        assert cached.read_bytes() == PDF
        assert f"Opened the PDF {cached}" in status_text(app)
        assert not app.main.query("#progress")
        await until(pilot, record.exists)
        assert record.read_text() == str(cached)
        await pilot.press("O")  # from the cache now: no second download
        await settle(pilot)
        assert len(feeds.server.params_of(f"/pdf/{LINKED.arxiv_id}")) == 1


async def test_the_pdf_key_says_why_there_is_none(make_app, feeds: Feeds, tmp_path, monkeypatch):
    pdf_viewer(tmp_path, monkeypatch)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("O")  # the first sample paper has no arXiv id
        await settle(pilot)
        assert "has no arXiv id" in status_text(app)
        feeds.server.script(
            f"/pdf/{LINKED.arxiv_id}",
            lambda params: Reply(body=b"<html>gone</html>"),
        )
        app.main.query_one("#filter").value = "robust adaptive motion"
        await settle(pilot)
        await pilot.press("O")
        await settle(pilot)
        assert "No PDF: no PDF for 2111.14820" in status_text(app)
        assert not app.main.query("#progress") and app.is_running


# --- all subscriptions -----------------------------------------------------------------------


async def test_the_fetch_dialog_offers_all_subscriptions_first(
    make_app, sample_dir: Path, feeds: Feeds
):
    Settings().set_entry("subscriptions", "hf", {"source": "hf"})
    Settings().set_entry("subscriptions", "cs.LG", {"source": "rss", "value": "cs.LG"})
    feeds.rss_status = 403
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.main.total
        await pilot.press("f")
        await pilot.pause()
        buttons = list(app.screen.query(RadioButton).results())
        assert str(buttons[0].label) == "All subscriptions (hf, cs.LG)" and buttons[0].value
        await pilot.press("enter")
        await settle(pilot)
        text = status_text(app)
        assert "Fetched 2 subscriptions: 3 new, 0 updated; failed: cs.LG (" in text
        assert app.main.total == before + 3
        assert not app.main.query("#progress")


async def test_without_subscriptions_the_dialog_starts_on_hugging_face(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        buttons = list(app.screen.query(RadioButton).results())
        assert buttons[0].name == "hf" and buttons[0].value
