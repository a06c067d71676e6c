"""Several papers at once: select, then star, read, tag, export or copy them; one undo each."""

from __future__ import annotations

from pathlib import Path

from reader.settings import Settings
from reader.tui import sharing
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.tag_editor import TagEditor
from reader.tui.widgets.footer import KeyFooter
from tests.tui.conftest import list_lines, settle, status_text, stored_state

SIZE = (140, 40)


def _keys(app) -> list[str]:
    return [entry.key for entry in app.library.entries("")]


async def test_select_two_then_star_read_and_tag_them_one_undo_each(make_app, sample_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keys = _keys(app)
        await pilot.press("m", "j", "m")  # the first and third papers
        await settle(pilot)
        chosen = {keys[0], keys[2]}
        assert "2 selected" in status_text(app)
        assert [line[0] for line in list_lines(app)[:4]] == ["▌", " ", "▌", " "]
        await pilot.press("s")
        await settle(pilot)
        assert {k for k, r in stored_state(sample_dir).items() if r.get("starred")} == chosen
        await pilot.press("space")
        await settle(pilot)
        assert {k for k, r in stored_state(sample_dir).items() if r.get("read")} == chosen
        await pilot.press("t", *"survey", "enter")
        await settle(pilot)
        tagged = {k: r["tags"] for k, r in stored_state(sample_dir).items() if r.get("tags")}
        assert tagged == {key: ["survey"] for key in chosen}
        # One undo step per action, each covering both papers.
        await pilot.press("u")
        await settle(pilot)
        assert not any(r.get("tags") for r in stored_state(sample_dir).values())
        await pilot.press("u")
        await settle(pilot)
        assert not any(r.get("read") for r in stored_state(sample_dir).values())
        await pilot.press("u")
        await settle(pilot)
        assert not any(r.get("starred") for r in stored_state(sample_dir).values())


async def test_adding_tags_to_a_selection_keeps_each_paper_s_own(make_app, sample_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keys = _keys(app)
        app.library.set_tags(keys[1], ["mine"])
        await pilot.press("M")  # every paper
        await settle(pilot)
        assert "93 selected" in status_text(app)
        await pilot.press("t")
        assert isinstance(app.screen, TagEditor)
        await pilot.press(*"todo", "enter")
        await settle(pilot)
        state = stored_state(sample_dir)
        assert state[keys[1]]["tags"] == ["mine", "todo"]
        assert all("todo" in record["tags"] for record in state.values())
        assert len(state) == 93
        await pilot.press("escape")  # unselects
        await settle(pilot)
        assert "selected" not in status_text(app).split(" · ")[1]


async def test_copy_and_export_the_selection(make_app, tmp_path: Path, monkeypatch):
    from reader.sources.bibtex import parse_bibtex

    copied: list[str] = []
    monkeypatch.setattr(
        sharing.clipboard, "copy_to_system", lambda text: copied.append(text) or True
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")  # the paper under the cursor
        assert len(parse_bibtex(copied[-1])) == 1
        await pilot.press("m", "m", "m")
        await pilot.press("c")
        assert len(parse_bibtex(copied[-1])) == 3
        target = tmp_path / "three.bib"
        await pilot.press("b")
        app.screen.query_one("Input").value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert len(parse_bibtex(target.read_text(encoding="utf-8"))) == 3


async def test_reverse_sort_and_the_id_column(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        header = str(app.main.query_one("#list-header").render())
        assert "Date ▼" in header
        first = app.main.paper_list.current_entry.key
        await pilot.press("R")
        await settle(pilot)
        assert "Date ▲" in str(app.main.query_one("#list-header").render())
        assert app.main.paper_list.current_entry.key == first  # still on it, now last
        assert app.main.paper_list.cursor == app.main.paper_list.row_count - 1
        await pilot.press("number_sign")
        await settle(pilot)
        assert "arXiv id" in str(app.main.query_one("#list-header").render())
        assert any("2111.14820" in line for line in list_lines(app)) or app.main.paper_list.show_ids


async def test_long_titles_get_the_room_there_is(tmp_path: Path, make_app):
    from reader.library import Library
    from reader.model import Incoming, Paper

    title = "A Title of Sixty-Two Characters That Must Be Shown Whole Here"
    folder = tmp_path / "titles"
    with Library(folder) as library:
        library.import_papers([Incoming(Paper(key="k", title=title))])
        library.set_tags("k", ["thesis"])
    app = make_app(folder)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert title in list_lines(app)[0] and "#thesis" in list_lines(app)[0]
    narrow = make_app(folder)
    async with narrow.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        assert "#thesis" in list_lines(narrow)[0]  # tags still show at 80 columns
        footer = narrow.main.query_one(KeyFooter)
        keys = {key.key for key in footer.keys}
        assert {"question_mark", "q"} <= keys


async def test_the_keymap_of_the_settings_file(make_app, sample_dir: Path):
    Settings(sample_dir).set("keymap", {"star": "x", "nonsense": "z"})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "unknown key name 'nonsense'" in status_text(app)
        assert "'star' takes x from 'dismiss'" in status_text(app)  # x was dismiss's key
        await pilot.press("x")
        await settle(pilot)
        assert any(record.get("starred") for record in stored_state(sample_dir).values())
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = dict(app.screen.sections)["Triage"]
        assert ("x", "star / unstar") in rows


async def test_escape_in_the_tag_editor_asks_before_dropping_typed_tags(make_app, sample_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t", *"half typed", "escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep editing
        assert isinstance(app.screen, TagEditor)
        await pilot.press("escape", "y")
        await settle(pilot)
        assert app.screen is app.main and not stored_state(sample_dir)


async def test_copy_without_a_link_says_so(make_app, monkeypatch):
    monkeypatch.setattr(sharing.clipboard, "copy_to_system", lambda text: True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.main.paper_list.current_entry.paper.arxiv_id is None
        await pilot.press("y")
        assert "Copied title (no link known)" in status_text(app)


def test_a_keymap_value_that_is_no_key_is_said_not_silently_unbound():
    from reader.tui.keys import keymap_from

    keymap, problems = keymap_from(
        {"star": ",,,", "read": "\x1b[31m", "open": "", "sort": " f5 , ctrl+s", "undo": 7}
    )
    assert keymap == {"sort": "f5,ctrl+s"}
    assert [problem.split()[0] for problem in problems] == ["'star'", "'read'", "'open'", "'undo'"]
