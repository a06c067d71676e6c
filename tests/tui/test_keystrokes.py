"""No keystroke is ever routed to a widget the user did not see focused.

The keys are sent in one burst (all queued before the app handles the first), as a paste,
a fast typist or a terminal sending a whole word at once does.
"""

from __future__ import annotations

from pathlib import Path

from reader.tui.screens.note_editor import NoteEditor
from reader.tui.screens.prompt import PromptScreen
from reader.tui.screens.tag_editor import TagEditor
from tests.tui.conftest import burst, settle, status_text, stored_state

SIZE = (120, 40)


async def test_a_query_typed_right_after_slash_goes_to_the_filter(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Every letter of "sparse use" is a command in the list: s stars, e exports, u undoes.
        await burst(pilot, "/sparse use")
        assert app.main.query_one("#filter").value == "sparse use"
        assert app.screen is app.main and not isinstance(app.screen, PromptScreen)
        assert not stored_state(sample_dir), "a letter of the query ran as a command"
        assert "Starred" not in status_text(app) and "Export" not in status_text(app)


async def test_a_pasted_query_with_commands_in_it(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, ["slash", *'tag:x OR "bed quiet" -yes', "enter"])
        assert app.main.query_one("#filter").value == 'tag:x OR "bed quiet" -yes'
        assert app.main.paper_list.has_focus
        assert not stored_state(sample_dir)
        assert app.is_running  # the q of "quiet" did not quit


async def test_tags_typed_right_after_t_go_to_the_tag_editor(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "tsurvey quick")
        assert isinstance(app.screen, TagEditor)
        assert app.screen.query_one("#tags-input").value == "survey quick"
        await burst(pilot, ["enter"])
        (record,) = stored_state(sample_dir).values()
        assert record["tags"] == ["survey", "quick"]
        assert not record.get("starred") and app.is_running


async def test_a_note_typed_right_after_n_goes_to_the_note(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "nsee appendix; quote it")
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.text == "see appendix; quote it"
        await burst(pilot, ["ctrl+s"])
        (record,) = stored_state(sample_dir).values()
        assert record["note"] == "see appendix; quote it"
        assert not record.get("starred") and not record.get("read")


async def test_commands_in_a_burst_still_run_in_order(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Outside a text field, letters are commands, and a burst of them runs in order.
        await burst(pilot, "sjsju")
        states = stored_state(sample_dir)
        starred = [key for key, record in states.items() if record.get("starred")]
        assert len(starred) == 1, "the second star was undone, the first kept"


async def test_keys_typed_right_after_enter_go_where_enter_leads(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Enter leaves the filter; the s after it stars the first match (a command again).
        await burst(pilot, ["slash", *"sparse", "enter", "s"])
        assert app.main.query_one("#filter").value == "sparse"
        starred = [key for key, record in stored_state(sample_dir).items() if record["starred"]]
        assert starred == [app.main.paper_list.current_entry.key]


async def test_a_dialog_closed_by_enter_hands_the_next_keys_back(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Tags, Enter, then u: the tags are saved and the u undoes them, in order.
        await burst(pilot, ["t", *"deep read", "enter", "u"])
        assert app.screen is app.main
        assert all(not record["tags"] for record in stored_state(sample_dir).values())
        assert "Undone: Tags #deep #read" in status_text(app)


async def test_held_keys_wait_then_go_in_order_and_a_hold_never_swallows_them():
    from textual import events
    from textual.widget import Widget

    from reader.tui.keyroute import KeyGate

    sent: list[str] = []
    target = Widget()
    gate: KeyGate

    async def send(event: events.Key) -> Widget:
        sent.append(event.key)
        return target

    gate = KeyGate(send)
    target.post_message = lambda message: True  # type: ignore[method-assign]
    gate.hold()
    for key in "abc":
        await gate.receive(events.Key(key, key))
    assert sent == []  # held: nothing reaches a widget
    await gate.resume()
    assert sent == ["a"]  # one at a time again: the next after "a" is handled
    await gate.handled(gate.serial)
    await gate.handled(gate.serial)
    assert sent == ["a", "b", "c"]


async def test_keys_held_for_a_search_all_go_when_it_is_listed(
    make_app, sample_dir: Path, monkeypatch
):
    # Enter while the search is under way holds the next keys; the screen releases them
    # when the result is listed. The first released key's "handled" stopped at the screen
    # (it was sent from the screen's context), so every key after it waited for good.
    import threading
    import time

    from reader.library import Library

    real = Library.first_page

    def slow(self, *args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            time.sleep(0.2)  # still searching when Enter comes
        return real(self, *args, **kwargs)

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(Library, "first_page", slow)
        matching = app.main.library.keys("causal", sort="date")
        await burst(pilot, ["slash", *"causal", "enter", "j", "j", "s"])
        for _ in range(300):
            if not app._keys.busy:
                break
            await pilot.pause(0.01)
        starred = [key for key, record in stored_state(sample_dir).items() if record["starred"]]
        assert starred == [matching[2]]
        assert not app._keys.busy and not app._keys.held
