"""Pilot tests of the modal screens, the suggesters and the preview and welcome widgets."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console
from textual.app import App, ComposeResult
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Input, Markdown, Static, TextArea

from reader.model import Entry, Paper, PaperState
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.help import FILTER_SYNTAX, HelpScreen
from reader.tui.screens.note_editor import NoteEditor
from reader.tui.screens.paste import PasteScreen
from reader.tui.screens.prompt import PromptScreen
from reader.tui.screens.tag_editor import TagEditor, parse_tags
from reader.tui.suggesters import PathSuggester, TagSuggester
from reader.tui.widgets.footer import KeyFooter
from reader.tui.widgets.preview import MATCH_STYLE, PreviewPane, match_spans
from reader.tui.widgets.welcome import WelcomeView

NO_RESULT = object()


class Host(App[None]):
    """Pushes one screen on mount and records what it is dismissed with."""

    def __init__(self, make_screen: Callable[[], Screen]) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.results: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), self.results.append)

    @property
    def result(self) -> object:
        return self.results[-1] if self.results else NO_RESULT


def static_text(widget: Static) -> str:
    content = widget.content
    assert isinstance(content, Content), f"expected Content, got {type(content)}"
    return content.plain


def part(pane: PreviewPane, name: str) -> Content:
    """A part of the preview that must be shown."""
    content = pane.part(name)
    assert content is not None, f"the preview shows no {name}"
    return content


def screen_text(screen: Screen) -> str:
    return "\n".join(
        widget.content.plain
        for widget in screen.query(Static)
        if isinstance(widget.content, Content)
    )


# --- ConfirmScreen -------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "expected"), [("y", True), ("enter", True), ("n", False)])
async def test_confirm_keys(key: str, expected: bool) -> None:
    app = Host(lambda: ConfirmScreen("Delete [bold]it[/]?"))
    async with app.run_test() as pilot:
        assert "Delete [bold]it[/]?" in screen_text(app.screen)
        await pilot.press(key)
        assert app.result is expected
        assert not isinstance(app.screen, ConfirmScreen)


async def test_confirm_escape_is_no() -> None:
    app = Host(lambda: ConfirmScreen("Sure?"))
    async with app.run_test() as pilot:
        await pilot.press("escape")
        assert app.result is False


async def test_confirm_buttons_are_clickable_and_labelled() -> None:
    app = Host(lambda: ConfirmScreen("Sure?", yes="Discard", no="Keep"))
    async with app.run_test() as pilot:
        labels = [str(button.label) for button in app.screen.query(Button)]
        assert labels == ["Discard", "Keep"]
        await pilot.click("#confirm-no")
        assert app.result is False

    app = Host(lambda: ConfirmScreen("Sure?"))
    async with app.run_test() as pilot:
        await pilot.click("#confirm-yes")
        assert app.result is True


# --- NoteEditor ----------------------------------------------------------------------------


async def test_note_editor_saves_edited_text_without_trailing_space() -> None:
    app = Host(lambda: NoteEditor("A [red]title[/]\nwith a newline", "First line"))
    async with app.run_test() as pilot:
        text_area = app.screen.query_one(TextArea)
        assert text_area.has_focus
        assert text_area.soft_wrap
        assert text_area.cursor_location == (0, len("First line"))
        assert static_text(app.screen.query_one("#note-title", Static)) == (
            "A [red]title[/] with a newline"
        )
        assert "Markdown" in str(app.screen.query_one(".dialog-hint", Static).content)
        # The dialog's own keys are in the footer under it.
        assert app.screen.query(KeyFooter)
        assert {"ctrl+s", "escape"} <= set(app.screen.active_bindings)
        await pilot.press("!", "enter", "enter", "x", "space", "enter")
        assert text_area.text == "First line!\n\nx \n"
        await pilot.press("ctrl+s")
        assert app.result == "First line!\n\nx"


async def test_note_editor_escape_without_changes_cancels_at_once() -> None:
    app = Host(lambda: NoteEditor("T", "note"))
    async with app.run_test() as pilot:
        await pilot.press("escape")
        assert app.result is None
        assert not isinstance(app.screen, NoteEditor | ConfirmScreen)


async def test_note_editor_escape_with_changes_asks_first() -> None:
    app = Host(lambda: NoteEditor("T", "note"))
    async with app.run_test() as pilot:
        await pilot.press("s")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Discard your changes to this note?" in screen_text(app.screen)
        await pilot.press("n")
        # Still editing, the text intact, nothing dismissed.
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one(TextArea).text == "notes"
        assert app.result is NO_RESULT

        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        assert app.result is None
        assert not isinstance(app.screen, NoteEditor | ConfirmScreen)


async def test_note_editor_sanitizes_control_characters() -> None:
    app = Host(lambda: NoteEditor("T", "a\x1b[31mred\r\nline"))
    async with app.run_test() as pilot:
        assert app.screen.query_one(TextArea).text == "a\ufffd[31mred\nline"
        # Opening a note and cancelling is not a change, even after the clean-up.
        await pilot.press("escape")
        assert app.result is None


# --- TagEditor -----------------------------------------------------------------------------


def test_parse_tags() -> None:
    assert parse_tags("  #Causal, vla,,causal  #  VLA x ") == ("Causal", "vla", "x")
    assert parse_tags("") == ()


async def test_tag_suggester_completes_last_word() -> None:
    suggester = TagSuggester(["Causal", "vision", "caching"])
    assert await suggester.get_suggestion("ca") == "causal"
    assert await suggester.get_suggestion("vla CA") == "vla CAusal"
    assert await suggester.get_suggestion("vla,#vi") == "vla,#vision"
    # Tags already typed are not offered again; a complete tag needs no completion.
    assert await suggester.get_suggestion("causal ca") == "causal caching"
    assert await suggester.get_suggestion("causal") is None
    assert await suggester.get_suggestion("vla ") is None
    assert await suggester.get_suggestion("zz") is None


async def test_tag_editor_completes_and_returns_tags() -> None:
    app = Host(lambda: TagEditor("Paper", ["vla"], ["causal", "vla", "driving"]))
    async with app.run_test() as pilot:
        tag_input = app.screen.query_one(Input)
        assert tag_input.has_focus
        assert tag_input.value == "vla "
        assert tag_input.cursor_position == len("vla ")
        assert "#causal #vla #driving" in static_text(app.screen.query_one("#tags-known", Static))
        await pilot.press("c", "a")
        await pilot.pause()
        await pilot.press("tab")
        assert tag_input.value == "vla causal"
        await pilot.press("space", "#", "d", "r")
        await pilot.pause()
        await pilot.press("right")
        assert tag_input.value == "vla causal #driving"
        await pilot.press("space", "V", "L", "A", "enter")
        assert app.result == ("vla", "causal", "driving")


async def test_tag_editor_escape_returns_none() -> None:
    app = Host(lambda: TagEditor("Paper", ["vla"], []))
    async with app.run_test() as pilot:
        assert "No tags in use yet." in screen_text(app.screen)
        await pilot.press("x", "escape")  # a tag was typed: asks first
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        assert app.result is None


async def test_tag_editor_lists_at_most_twenty_known_tags() -> None:
    known = [f"t{number}" for number in range(25)]
    app = Host(lambda: TagEditor("Paper", [], known))
    async with app.run_test():
        line = static_text(app.screen.query_one("#tags-known", Static))
        assert "#t19" in line
        assert "#t20" not in line
        assert "(+5 more)" in line


# --- PromptScreen and PathSuggester --------------------------------------------------------


async def test_prompt_returns_stripped_value() -> None:
    app = Host(lambda: PromptScreen("Export to", value="old", hint="A [b]hint[/]"))
    async with app.run_test() as pilot:
        prompt_input = app.screen.query_one(Input)
        assert prompt_input.has_focus
        assert prompt_input.selected_text == "old"
        assert "A [b]hint[/]" in screen_text(app.screen)
        # The selected text is replaced by what is typed.
        await pilot.press("space", "n", "e", "w", "space", "enter")
        assert app.result == "new"


@pytest.mark.parametrize("keys", [["space", "enter"], ["a", "escape"]])
async def test_prompt_blank_or_escape_returns_none(keys: list[str]) -> None:
    app = Host(lambda: PromptScreen("Name"))
    async with app.run_test() as pilot:
        await pilot.press(*keys)
        assert app.results == [None]


async def test_path_suggester(tmp_path: Path) -> None:
    (tmp_path / "papers-2025.txt").write_text("x")
    (tmp_path / "papers-2024.txt").write_text("x")
    (tmp_path / "pages").mkdir()
    (tmp_path / ".hidden").write_text("x")
    suggester = PathSuggester()
    base = f"{tmp_path}/"
    assert await suggester.get_suggestion(base + "pap") == base + "papers-2024.txt"
    assert await suggester.get_suggestion(base + "pa") == base + "pages/"
    assert await suggester.get_suggestion(base + "pages") == base + "pages/"
    assert await suggester.get_suggestion(base + "Pap") is None  # case-sensitive
    assert await suggester.get_suggestion(base) == base + "pages/"  # hidden files skipped
    assert await suggester.get_suggestion(base + ".h") == base + ".hidden"
    assert await suggester.get_suggestion(base + "papers-2024.txt") is None
    assert await suggester.get_suggestion(base + "missing/x") is None
    assert await suggester.get_suggestion("") is None


async def test_path_suggester_expands_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "Downloads").mkdir()
    assert await PathSuggester().get_suggestion("~/Dow") == "~/Downloads/"


async def test_path_suggester_survives_unreadable_directory(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inside").write_text("x")
    locked.chmod(0)
    try:
        assert await PathSuggester().get_suggestion(f"{locked}/in") in (None, f"{locked}/inside")
    finally:
        locked.chmod(0o755)


async def test_prompt_completes_paths(tmp_path: Path) -> None:
    (tmp_path / "daily-papers.txt").write_text("x")
    start = f"{tmp_path}/da"
    app = Host(lambda: PromptScreen("Import file", value=start, complete_paths=True))
    async with app.run_test() as pilot:
        prompt_input = app.screen.query_one(Input)
        await pilot.press("end", "i")
        await pilot.pause()
        await pilot.press("tab")
        assert prompt_input.value == f"{tmp_path}/daily-papers.txt"
        await pilot.press("enter")
        assert app.result == f"{tmp_path}/daily-papers.txt"


# --- PasteScreen ---------------------------------------------------------------------------


async def test_paste_screen_returns_pasted_text() -> None:
    app = Host(lambda: PasteScreen("Paste a page", "Use your terminal's paste"))
    async with app.run_test() as pilot:
        assert "Use your terminal's paste" in screen_text(app.screen)
        text_area = app.screen.query_one(TextArea)
        assert text_area.has_focus
        text_area.insert("Title one\nAbstract")
        await pilot.press("ctrl+s")
        assert app.result == "Title one\nAbstract"


@pytest.mark.parametrize("keys", [["space", "enter", "ctrl+s"], ["x", "escape"]])
async def test_paste_screen_blank_or_escape_returns_none(keys: list[str]) -> None:
    app = Host(lambda: PasteScreen("Paste", ""))
    async with app.run_test() as pilot:
        await pilot.press(*keys)
        assert app.results == [None]


# --- HelpScreen ----------------------------------------------------------------------------


SECTIONS = [
    ("Moving", [("j / ↓", "next paper"), ("k / ↑", "previous paper")]),
    ("Paper [b]x[/]", [("s", "star [red]or[/] unstar")]),
]


@pytest.mark.parametrize("key", ["escape", "q", "question_mark"])
async def test_help_lists_sections_and_closes(key: str) -> None:
    app = Host(lambda: HelpScreen(SECTIONS))
    async with app.run_test(size=(120, 60)) as pilot:
        shown = _screen_lines(app)
        assert "Paper [b]x[/]" in shown
        assert "star [red]or[/] unstar" in shown
        assert "next paper" in shown
        assert "Filter syntax" in shown
        assert "title:causal" in shown
        await pilot.press(key)
        assert app.results == [None]


def test_help_filter_syntax_covers_every_field() -> None:
    queries = " ".join(query for query, _ in FILTER_SYNTAX)
    for field in ("is:", "has:", "tag:", "year:", "after:", "before:", "upvotes:", "author:"):
        assert field in queries
    assert "org:" in queries
    assert "title:" in queries


def _screen_lines(app: App[None]) -> str:
    """What the screen shows, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


# --- PreviewPane ---------------------------------------------------------------------------


class PreviewHost(App[None]):
    def compose(self) -> ComposeResult:
        yield PreviewPane()


PAPER = Paper(
    key="2501.00001",
    title="Sparse [bold]Causal[/] coding\x1b[31m",
    abstract="Causal models of causality.\nBecause caus\x1b]0;x\x07 is here: sparse coding!",
    authors=("Ada [i]Lovelace[/i]", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"),
    author_count=4,
    published=date(2025, 6, 1),
    upvotes=12,
    arxiv_id="2501.00001",
    url="https://arxiv.org/abs/2501.00001",
    source="hf-page",
)


def _entry(paper: Paper = PAPER, **state: object) -> Entry:
    return Entry(paper, PaperState(key=paper.key, **state))  # type: ignore[arg-type]


def _highlighted(content: Content) -> list[str]:
    return [content.plain[span.start : span.end] for span in content.spans]


async def test_preview_shows_paper_as_plain_text() -> None:
    app = PreviewHost()
    async with app.run_test(size=(100, 50)) as pilot:
        pane = app.query_one(PreviewPane)
        pane.show(_entry(read=True, starred=True, tags=("vla", "[x]")))
        await pilot.pause()
        title = part(pane, "title").plain
        assert title == "Sparse [bold]Causal[/] coding\ufffd[31m"
        assert "\x1b" not in title
        meta = part(pane, "meta").plain
        assert "Ada [i]Lovelace[/i], Alan Turing, Grace Hopper, Edsger Dijkstra" in meta
        assert "2025-06-01 · 12 upvotes" in meta
        assert "2501.00001" in meta
        assert "hf-page" in meta
        assert "✓ read · ★ starred" in meta
        assert "https://arxiv.org/abs/2501.00001" in part(pane, "link").plain
        assert part(pane, "tags").plain == "#vla #[x]"
        abstract = part(pane, "abstract").plain
        assert "\x1b" not in abstract
        assert "\x07" not in abstract
        # Not interpreted as markup on screen either.
        assert "Sparse [bold]Causal[/] coding" in _screen_lines(app)


async def test_preview_shows_the_doi_and_categories_as_plain_text() -> None:
    paper = replace(
        PAPER,
        doi="10.1103/PhysRevD.76.[red]013009",
        categories=("hep-ph", "cs.LG\x1b[2J"),
        primary_category="hep-ph",
    )
    app = PreviewHost()
    async with app.run_test(size=(100, 50)) as pilot:
        pane = app.query_one(PreviewPane)
        pane.show(_entry(paper))
        await pilot.pause()
        meta = part(pane, "meta").plain
        assert "10.1103/PhysRevD.76.[red]013009" in meta
        assert "hep-ph (primary), cs.LG\ufffd[2J" in meta
        assert "\x1b" not in meta


async def test_preview_highlights_terms_as_word_prefixes() -> None:
    app = PreviewHost()
    async with app.run_test() as pilot:
        pane = app.query_one(PreviewPane)
        pane.show(_entry(), ["caus", "sparse coding", "here"])
        await pilot.pause()
        content = part(pane, "abstract")
        # "Because" contains "caus" but not at a word start.
        assert _highlighted(content) == ["Caus", "caus", "caus", "here", "sparse coding"]
        assert all(span.style == MATCH_STYLE for span in content.spans)
        style = pane.get_visual_style("preview-pane--match", partial=True)
        assert style.bold
        # On screen, a match stands out from the text around it.
        row = next(s for s in app.screen._compositor.render_strips() if "Causal models" in s.text)
        segments = {segment.text: segment.style for segment in row}
        assert segments["Caus"].bgcolor != segments["al models of "].bgcolor
        assert segments["Caus"].bold

        pane.show(_entry(), [])
        await pilot.pause()
        assert part(pane, "abstract").spans == []


def test_match_spans_ignore_case_and_accents() -> None:
    text = "Résumé of ÉCOLE work; Straße"
    assert [text[s:e] for s, e in match_spans(text, ["resume", "ecole", "STRASSE"])] == [
        "Résumé",
        "ÉCOLE",
        "Straße",
    ]
    decomposed = "Cafe\u0301 society"
    assert [decomposed[s:e] for s, e in match_spans(decomposed, ["cafe"])] == ["Cafe\u0301"]
    assert match_spans("anything", ["", "  ", "&"]) == []
    # Punctuation inside a term matches any separator, as the full-text index does.
    assert match_spans("self supervised", ["self-supervised"]) == [(0, 15)]


async def test_preview_note_is_markdown_and_hidden_when_empty() -> None:
    app = PreviewHost()
    async with app.run_test() as pilot:
        pane = app.query_one(PreviewPane)
        assert not pane.query("#preview-note")  # created on the first note, not at start-up
        pane.show(_entry(note="Compare with *CoC*.\x1b[2J"))
        await pilot.pause()
        note = pane.query_one("#preview-note", Markdown)
        assert note.display
        assert note.source == "Compare with *CoC*.\ufffd[2J"
        assert part(pane, "note-heading").plain == "Note"

        pane.show(_entry(note=""))
        await pilot.pause()
        assert not note.display
        assert pane.part("note-heading") is None


async def test_preview_placeholder_and_missing_parts() -> None:
    app = PreviewHost()
    async with app.run_test() as pilot:
        pane = app.query_one(PreviewPane)
        assert "No paper selected" in _screen_lines(app)
        assert pane.part("title") is None

        bare = Paper(key="t-1", title="Bare", organization="Sony", url="javascript:alert(1)")
        pane.show(_entry(bare))
        await pilot.pause()
        assert "No paper selected" not in _screen_lines(app)
        meta = part(pane, "meta").plain
        assert "Sony" in meta
        assert "unread" in meta
        assert pane.part("tags") is None
        link = part(pane, "link")
        # Shown, but never as a clickable link.
        assert all(not getattr(span.style, "link", None) for span in link.spans)
        assert "No abstract." in part(pane, "abstract").plain

        pane.show(_entry(Paper(key="t-2", title="Counted", author_count=3)))
        await pilot.pause()
        assert "3 authors" in part(pane, "meta").plain
        assert pane.part("link") is None

        pane.show(None)
        await pilot.pause()
        assert "No paper selected" in _screen_lines(app)
        assert pane.part("title") is None


async def test_preview_web_link_is_clickable() -> None:
    app = PreviewHost()
    async with app.run_test() as pilot:
        pane = app.query_one(PreviewPane)
        pane.show(_entry())
        await pilot.pause()
        link = part(pane, "link")
        assert any(getattr(span.style, "link", None) == PAPER.url for span in link.spans)


async def test_preview_show_before_mount_is_applied() -> None:
    pane = PreviewPane()
    pane.show(_entry(note="*early*"))

    class EarlyHost(App[None]):
        def compose(self) -> ComposeResult:
            yield pane

    async with EarlyHost().run_test() as pilot:
        await pilot.pause()
        assert part(pane, "title").plain.startswith("Sparse")
        assert pane.query_one("#preview-note", Markdown).source == "*early*"


# --- WelcomeView ---------------------------------------------------------------------------


async def test_welcome_view_explains_how_to_import() -> None:
    class WelcomeHost(App[None]):
        def compose(self) -> ComposeResult:
            yield WelcomeView()

    app = WelcomeHost()
    async with app.run_test(size=(120, 30)):
        text = static_text(app.query_one(WelcomeView))
        assert "Press i to import a file, I to paste a copied Daily Papers page" in text
        assert "reader import FILE" in text
        assert "Press d to load the bundled sample papers" in text
        assert "Press d to load the bundled sample papers" in _screen_lines(app)


async def _help_text(pilot) -> str:
    """Open the help and return the text of its tables, as the terminal shows it."""
    await pilot.press("question_mark")
    await pilot.pause()
    console = Console(width=200, record=True, file=io.StringIO())
    for static in pilot.app.screen.query(".help-table").results(Static):
        console.print(static.content)
    return console.export_text()


async def test_every_key_of_the_app_is_in_the_help(make_app):
    """The help is built from the bindings: every binding of every scope appears in it."""
    from reader.tui.widgets.paper_list import PaperList

    app = make_app()
    async with app.run_test(size=(140, 60)) as pilot:
        shown = await _help_text(pilot)
        bindings = [*app.BINDINGS, *app.main.BINDINGS, *PaperList.BINDINGS]
        assert len(bindings) >= 25
        for binding in bindings:
            assert binding.tooltip and binding.tooltip in shown, binding.key


async def test_every_query_field_is_in_the_filter_help(make_app):
    from reader.query import FIELDS

    app = make_app()
    async with app.run_test(size=(140, 60)) as pilot:
        shown = await _help_text(pilot)
        for name in FIELDS:
            assert f"{name}:" in shown, name


def test_the_readme_lists_every_key_as_the_app_declares_it():
    """The README's table of keys is made from the key table (`scripts/keys_table.py`)."""
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "scripts" / "keys_table.py"
    spec = importlib.util.spec_from_file_location("keys_table", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = module.README.read_text(encoding="utf-8")
    assert f"{module.START}\n{module.table()}\n{module.END}" in readme
