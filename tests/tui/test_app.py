"""The app driven by keys, as a user drives it; every check looks at the screen and the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.library import Library
from reader.model import Incoming, Paper
from reader.settings import Settings
from reader.tui import importing, sharing
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.note_editor import NoteEditor
from reader.tui.screens.paste import PasteScreen
from reader.tui.screens.prompt import PromptScreen
from reader.tui.screens.tag_editor import TagEditor
from reader.tui.widgets.preview import PreviewPane
from tests.conftest import fill, seed_path, seed_text
from tests.tui.conftest import LINKED, list_lines, settle, status_text, stored_state

SIZE = (140, 40)


async def test_opens_on_the_list_with_status_and_preview(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.main.paper_list.row_count == 93
        assert status_text(app).startswith("93 of 93 papers · sorted by date")
        lines = list_lines(app)
        assert "Attention Is Not What You Need" in lines[0]  # the newest paper first
        assert "2025-12-22" in lines[0]
        assert app.main.paper_list.has_focus
        assert app.query_one("#welcome").display is False


async def test_movement_keys(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper_list = app.main.paper_list
        await pilot.press("j", "j", "down")
        assert paper_list.cursor == 3
        await pilot.press("k", "up")
        assert paper_list.cursor == 1
        await pilot.press("G")
        assert paper_list.cursor == 92
        assert paper_list.scroll_offset.y > 0  # the cursor row is on screen
        await pilot.press("g")
        assert paper_list.cursor == 0 and paper_list.scroll_offset.y == 0
        await pilot.press("pagedown")
        assert paper_list.cursor > 20
        await pilot.press("pageup")
        assert paper_list.cursor == 0
        await pilot.click(paper_list, offset=(5, 4))
        assert paper_list.cursor == 4
        # The preview follows the cursor.
        title = paper_list.current_entry.paper.title
        shown = app.query_one(PreviewPane).part("title")
        assert shown is not None and title in shown.plain


async def test_star_is_written_to_the_store_and_filter_shows_it(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = app.main.paper_list.current_entry.key
        await pilot.press("s", "j", "j", "s")
        third = app.main.paper_list.current_entry.key
        state = stored_state(sample_dir)
        assert state[first]["starred"] and state[third]["starred"]
        assert "★" in list_lines(app)[0]

        await pilot.press("slash")
        assert app.query_one("#filter").has_focus
        await pilot.press(*"is:starred")
        await settle(pilot)
        assert app.main.paper_list.row_count == 2
        assert sorted(app.main.paper_list.rowids.tolist()) == sorted(
            app.library.rowids("is:starred").tolist()
        )
        assert status_text(app).startswith("2 of 93 papers")
        assert len(list_lines(app)) == 2


async def test_space_toggles_read_and_moves_on(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = app.main.paper_list.current_entry.key
        await pilot.press("space")
        assert stored_state(sample_dir)[first]["read"] is True
        assert app.main.paper_list.cursor == 1
        assert list_lines(app)[0][1:].startswith("  ")  # no unread dot any more
        await pilot.press("k", "space")
        assert stored_state(sample_dir)[first]["read"] is False
        assert list_lines(app)[0][1:].startswith("●")


async def test_note_editor_saves_and_undo_removes_it_from_the_store(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = app.main.paper_list.current_entry.key
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"Read later", "enter", *"**key** idea")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NoteEditor)
        assert stored_state(sample_dir)[key]["note"] == "Read later\n**key** idea"
        assert "Note saved" in status_text(app)

        await pilot.press("u")
        assert stored_state(sample_dir)[key]["note"] == ""
        assert "Undone: Note saved" in status_text(app)
        await pilot.press("ctrl+r")
        assert stored_state(sample_dir)[key]["note"] == "Read later\n**key** idea"


async def test_note_editor_escape_asks_before_discarding(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = app.main.paper_list.current_entry.key
        await pilot.press("n", *"draft", "escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep editing
        assert isinstance(app.screen, NoteEditor)
        await pilot.press("escape", "y")
        assert not isinstance(app.screen, NoteEditor | ConfirmScreen)
        assert key not in stored_state(sample_dir)


async def test_tags_with_completion(make_app, sample_dir: Path):
    app = make_app()
    app.library.set_tags(app.library.keys()[5], ["causality", "vision"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = app.main.paper_list.current_entry.key
        await pilot.press("t")
        assert isinstance(app.screen, TagEditor)
        await pilot.press(*"cau", "right", "space", *"to-read", "enter")
        await settle(pilot)
        assert stored_state(sample_dir)[key]["tags"] == ["causality", "to-read"]
        assert "#causality" in list_lines(app)[0]  # the tags column, cut to fit
        await pilot.press("slash", *"tag:to-read")
        await settle(pilot)
        assert app.main.paper_list.row_count == 1


async def test_undo_and_redo_several_steps(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = app.main.paper_list.current_entry.key
        await pilot.press("s")  # star
        await pilot.press("space")  # read (moves down)
        await pilot.press("k")
        await pilot.press("u", "u")
        state = stored_state(sample_dir)[key]
        assert state["starred"] is False and state["read"] is False
        await pilot.press("u")
        assert "Nothing to undo" in status_text(app)
        await pilot.press("ctrl+r")
        assert stored_state(sample_dir)[key]["starred"] is True
        assert stored_state(sample_dir)[key]["read"] is False


async def test_mark_all_matching_read_confirms_and_undoes_in_one_step(make_app, sample_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"sparse", "enter")
        await settle(pilot)
        count = app.main.paper_list.row_count
        assert 5 < count < 93
        await pilot.press("A")
        assert isinstance(app.screen, ConfirmScreen)
        assert f"Mark all {count} matching papers as read?" in app.screen.question
        await pilot.press("y")
        assert sum(s["read"] for s in stored_state(sample_dir).values()) == count
        await pilot.press("u")
        assert sum(s["read"] for s in stored_state(sample_dir).values()) == 0
        await pilot.press("A", "n")
        assert sum(s["read"] for s in stored_state(sample_dir).values()) == 0


async def test_open_link_only_for_papers_with_one(make_app, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr(sharing, "open_in_browser", opened.append)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")  # the newest sample paper has no arXiv id
        assert opened == []
        assert "has no link" in status_text(app)
        await pilot.press("slash", *"title:adaptive motion", "enter")
        await settle(pilot)
        await pilot.press("o")
        assert opened == ["https://arxiv.org/abs/2111.14820"]


async def test_copy_uses_the_system_clipboard_or_falls_back_to_osc52(make_app, monkeypatch):
    copied: list[str] = []
    monkeypatch.setattr(
        sharing.clipboard, "copy_to_system", lambda text: copied.append(text) or True
    )
    app = make_app()
    terminal: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", terminal.append)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"title:adaptive motion", "enter")
        await settle(pilot)
        await pilot.press("y")
        assert copied == [f"{LINKED.title} https://arxiv.org/abs/2111.14820"]
        assert "Copied title and link to the clipboard" in status_text(app)
        await pilot.press("Y")
        assert copied[1] == (
            "Yuejiang Liu, Riccardo Cadei, Jonas Schweizer (2021). Towards Robust and Adaptive "
            "Motion Forecasting: A Causal Representation Perspective. arXiv:2111.14820. "
            "https://arxiv.org/abs/2111.14820"
        )
        monkeypatch.setattr(sharing.clipboard, "copy_to_system", lambda text: False)
        await pilot.press("y")
        assert terminal == [copied[0]]
        assert "through the terminal (OSC 52" in status_text(app)


async def test_export_starred_to_markdown_then_copy(make_app, tmp_path: Path, monkeypatch):
    copied: list[str] = []
    monkeypatch.setattr(
        sharing.clipboard, "copy_to_system", lambda text: copied.append(text) or True
    )
    target = tmp_path / "out.md"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert "No starred papers" in status_text(app)
        await pilot.press("s", "j", "s", "e")
        assert isinstance(app.screen, PromptScreen)
        prompt_input = app.screen.query_one("Input")
        assert prompt_input.value.endswith(".md")
        prompt_input.value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        text = target.read_text(encoding="utf-8")
        assert text.startswith("# Starred papers")
        assert text.count("\n## ") == 2
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        assert copied == [text]
        # Exporting again over the same file asks first.
        await pilot.press("e")
        app.screen.query_one("Input").value = str(target)
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmScreen) and "exists" in app.screen.question
        await pilot.press("n")
        assert "Export cancelled" in status_text(app)


async def test_import_a_file_in_a_worker(tmp_path: Path, make_app):
    folder = tmp_path / "fresh"
    Library(folder).close()
    app = make_app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.query_one("#welcome").display is True
        await pilot.press("i")
        app.screen.query_one("Input").value = str(seed_path(2))
        await pilot.press("enter")
        await settle(pilot)
        assert "40 new, 0 updated" in status_text(app)
        assert app.main.paper_list.row_count == 40
        assert app.query_one("#welcome").display is False
        await pilot.press("i")
        app.screen.query_one("Input").value = str(tmp_path / "missing.txt")
        await pilot.press("enter")
        await settle(pilot)
        assert "no such file" in status_text(app)
        assert app.main.paper_list.row_count == 40


async def test_import_from_the_clipboard_or_a_paste_box(tmp_path: Path, make_app, monkeypatch):
    folder = tmp_path / "fresh"
    app = make_app(folder)
    monkeypatch.setattr(importing.clipboard, "paste_from_system", lambda: seed_text(0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("I")
        await settle(pilot)
        assert app.main.paper_list.row_count == 9
        assert "9 new" in status_text(app)

        monkeypatch.setattr(importing.clipboard, "paste_from_system", lambda: None)
        await pilot.press("I")
        assert isinstance(app.screen, PasteScreen)
        from textual.widgets import TextArea

        app.screen.query_one(TextArea).text = seed_text(3)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.main.paper_list.row_count == len(app.library) > 40
        assert "Imported the pasted text:" in status_text(app)


async def test_empty_library_welcome_loads_samples_with_one_key(tmp_path: Path, make_app):
    app = make_app(tmp_path / "empty")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        welcome = app.query_one("#welcome")
        assert welcome.display is True
        assert app.query_one("#body").display is False
        text = str(welcome.render()) if hasattr(welcome, "render") else ""
        assert "import" in text.lower() or welcome.query("Static")
        await pilot.press("d")
        await settle(pilot)
        assert app.main.paper_list.row_count == 93
        assert welcome.display is False


async def test_sort_cycle_preview_toggle_and_help(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert "sorted by upvotes" in status_text(app)
        top = app.library.rows(app.main.paper_list.rowids[:1])[app.main.paper_list.rowids[0]].paper
        assert top.upvotes == max(e.paper.upvotes or 0 for e in app.library.entries())
        await pilot.press("S", "S", "S")
        await settle(pilot)
        # The fifth sort ranks for you; with nothing liked yet it says so, newest first.
        assert "sorted for you (nothing to rank by yet" in status_text(app)
        assert Settings(sample_dir).get("sort") == "relevance"
        assert app.main.paper_list.rowids.tolist() == app.library.rowids("", "date").tolist()
        await pilot.press("S")
        await settle(pilot)
        assert "sorted by date" in status_text(app)
        assert Settings(sample_dir).get("sort") == "date"

        preview = app.query_one(PreviewPane)
        assert preview.display
        await pilot.press("p")
        assert not preview.display
        await pilot.press("p")
        assert preview.display

        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_escape_leaves_then_clears_the_filter(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"sparse")
        await settle(pilot)
        assert app.main.paper_list.row_count < 93
        await pilot.press("escape")
        assert app.main.paper_list.has_focus
        assert app.query_one("#filter").value == "sparse"
        await pilot.press("escape")
        await settle(pilot)
        assert app.query_one("#filter").value == ""
        assert app.main.paper_list.row_count == 93


async def test_a_bad_query_lists_nothing_and_bulk_actions_refuse(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"sparse")
        await settle(pilot)
        matches = app.main.paper_list.row_count
        app.query_one("#filter").value = "sparse upvotes:lots"
        await settle(pilot)
        status = status_text(app)
        assert '"upvotes:" expects a whole number' in status
        # The whole error is shown, wrapped, even at 80 columns.
        assert "got 'lots'" in status
        assert app.main.paper_list.row_count == 0, "never the previous result"
        await pilot.press("escape", "A", "b")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen | PromptScreen)
        assert "not a valid query" in status_text(app)
        assert not stored_state(sample_dir)
        await pilot.press("slash", "backspace", *"5")  # "upvotes:lot5" is still wrong
        await settle(pilot)
        app.query_one("#filter").value = "sparse upvotes:>=2"
        await settle(pilot)
        assert "expects" not in status_text(app)
        assert 0 < app.main.paper_list.row_count < matches


async def test_narrow_terminal_puts_the_preview_below(make_app):
    app = make_app()
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        papers, preview = app.main.query_one("#list-pane").region, app.query_one(PreviewPane).region
        assert preview.y > papers.y and preview.x == papers.x
        assert all(len(line) <= 80 for line in list_lines(app))
    wide = make_app()
    async with wide.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        papers, preview = (
            wide.main.query_one("#list-pane").region,
            wide.query_one(PreviewPane).region,
        )
        assert preview.x > papers.x and preview.y == papers.y


async def test_markup_and_escapes_in_titles_are_shown_as_text(tmp_path: Path, make_app):
    folder = tmp_path / "hostile"
    with Library(folder) as library:
        library.import_papers(
            [
                Incoming(
                    Paper(
                        key="t-hostile",
                        title="[bold]Loud[/] \x1b[31mred\x1b[0m title",
                        abstract="[link=https://evil.example]click[/link]",
                    )
                )
            ]
        )
    app = make_app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        line = list_lines(app)[0]
        assert "[bold]Loud[/]" in line
        assert "\x1b" not in line


async def test_theme_is_remembered(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "textual-light"
        await pilot.pause()
    assert Settings(sample_dir).get("theme") == "textual-light"
    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        assert again.theme == "textual-light"


async def test_every_action_is_in_the_command_palette(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for name in ["Star", "Note", "Tags", "Undo", "Redo", "All read", "Open", "Copy", "Cite",
                     "Export", "Import", "Paste", "Sort", "Preview", "Help", "Filter"]:  # fmt: skip
            assert any(title.startswith(name) for title in titles), name


async def test_quit(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app._exit


async def test_actions_on_an_empty_match_list_say_so(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"nosuchwordanywhere", "enter")
        await settle(pilot)
        assert app.main.paper_list.row_count == 0
        assert [line.strip() for line in list_lines(app)] == ["No papers match the filter."]
        # One session for every key (a fresh app each costs seconds, and proves no more).
        for key in ["space", "s", "n", "t", "o", "y", "Y", "A"]:
            app.main.set_status("")
            await pilot.press(key)
            assert app.screen is app.main, key  # no dialog for a paper that is not there
            assert "No paper" in status_text(app), key
        assert not stored_state(sample_dir)


async def test_footer_shows_the_keys_that_matter_now(tmp_path: Path, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.main.check_action("toggle_star", ()) is True
        # A real library gets no samples from a stray d, and is told why.
        await pilot.press("d")
        await settle(pilot)
        assert "only in an empty library" in status_text(app)
        assert app.main.total == 93
        await pilot.press("slash")
        assert app.main.check_action("toggle_star", ()) is False  # typing a filter
        await pilot.press("enter")
        assert app.main.check_action("toggle_star", ()) is True
    empty = make_app(tmp_path / "empty")
    async with empty.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert empty.main.check_action("load_samples", ()) is True
        assert empty.main.check_action("toggle_read", ()) is False
        await pilot.press("s", "space")
        assert not stored_state(tmp_path / "empty")


async def test_the_footer_is_rebuilt_only_when_its_keys_change(make_app, monkeypatch):
    from reader.tui.widgets.footer import KeyFooter

    # Textual's footer rebuilt all its keys on every focus change and every key that
    # refreshed the bindings: most of the work of opening the app and of each key.
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rebuilds: list[str] = []
        original = KeyFooter.recompose

        async def counted(self: KeyFooter) -> None:
            rebuilds.append(type(self.screen).__name__)
            await original(self)

        monkeypatch.setattr(KeyFooter, "recompose", counted)
        await pilot.press("j", "j", "k", "s", "s", "space", "space")
        await settle(pilot)
        assert rebuilds == []
        await pilot.press("slash")  # typing a filter hides the paper keys: a real change
        await settle(pilot)
        assert rebuilds == ["MainScreen"]
        footer = app.main.query_one(KeyFooter)
        assert "Star" not in {key.description for key in footer.keys}
        await pilot.press("escape")
        await settle(pilot)
        assert rebuilds == ["MainScreen", "MainScreen"]
        await pilot.resize_terminal(80, 30)  # another width may fit other keys
        await settle(pilot)
        assert len(rebuilds) == 3


async def test_fetch_dialog_runs_in_a_worker(make_app, monkeypatch, sample_dir: Path):
    from reader.feeds import requests
    from reader.tui.screens.fetch import FetchScreen

    calls: list[tuple[str, dict]] = []

    def fake_hf(config, progress=None, client=None, **kwargs):
        calls.append(("hf", {name: value for name, value in kwargs.items() if value}))
        return [Incoming(LINKED)]

    def fake_rss(config, category, client=None):
        calls.append(("rss", {"category": category}))
        return []

    monkeypatch.setattr(requests, "fetch_hf", fake_hf)
    monkeypatch.setattr(requests, "fetch_rss", fake_rss)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        assert isinstance(app.screen, FetchScreen)
        app.screen.query_one("Input").value = "2026-W24"
        await pilot.press("enter")
        await settle(pilot)
        assert calls == [("hf", {"week": "2026-W24"})]
        # The fixture library already holds this paper: nothing changes.
        assert "(2026-W24): 0 new, 0 updated, 1 skipped" in status_text(app)
        await pilot.press("f", "down", "down")  # from Hugging Face to the arXiv daily listing
        await pilot.pause()
        app.screen.query_one("Input").value = "cs.LG"
        await pilot.press("enter")
        await settle(pilot)
        assert calls[-1] == ("rss", {"category": "cs.LG"})
        assert "Nothing new from the arXiv listing of cs.LG" in status_text(app)


async def test_export_matching_papers_as_bibtex(make_app, tmp_path: Path, monkeypatch):
    from reader.sources.bibtex import parse_bibtex

    monkeypatch.setattr(sharing.clipboard, "copy_to_system", lambda text: True)
    target = tmp_path / "out.bib"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"sparse caus", "enter")
        await settle(pilot)
        count = app.main.paper_list.row_count
        await pilot.press("b")
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one("Input").value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)  # the clipboard, once it is written
        await pilot.press("n")
        papers = parse_bibtex(target.read_text(encoding="utf-8"))
        assert len(papers) == count
        assert {item.paper.title for item in papers} == {
            entry.paper.title for entry in app.library.entries("sparse caus")
        }
        # Another suffix, another format: the registry decides.
        other = tmp_path / "out.jsonl"
        await pilot.press("b")
        app.screen.query_one("Input").value = str(other)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("n")
        assert len(other.read_text(encoding="utf-8").splitlines()) == count
        assert "(JSON Lines)" in status_text(app)


async def test_the_app_keeps_working_on_a_full_disk(
    tmp_path: Path, disk: Path, make_app, monkeypatch: pytest.MonkeyPatch
):
    folder = disk / "library"
    monkeypatch.setenv("READER_CONFIG", str(disk / "config"))  # the settings file too
    with Library(folder) as library:
        library.import_papers(
            [Incoming(Paper(key=f"k{n}", title=f"Paper {n}", abstract="x")) for n in range(5)]
        )
    fill(disk)
    app = make_app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")  # the sort is remembered in config.toml: no room for it
        await settle(pilot)
        assert app.is_running
        assert app.main.sort == "upvotes"
        assert "Not remembered" in status_text(app) and "No space left" in status_text(app)
        await pilot.press("s")  # a star cannot be saved either: said, not lost silently
        await settle(pilot)
        assert app.is_running and "No space left" in status_text(app)
        assert len(list_lines(app)) == 5


async def test_a_pasted_query_nested_a_thousand_deep_is_an_error_line(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        app.main.query_one("#filter").value = "(" * 1000 + "causal" + ")" * 1000
        await settle(pilot)
        assert app.is_running
        assert "nest" in status_text(app)
        assert app.main.paper_list.row_count == 0


async def test_an_unreadable_paste_is_explained_without_command_line_options(make_app, monkeypatch):
    from reader.tui import importing

    monkeypatch.setattr(importing.clipboard, "paste_from_system", lambda: "x\ny\n")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("I")
        await settle(pilot)
        assert "no papers found" in status_text(app)
        assert "--format" not in status_text(app)
