"""Sync in the app: a note's conflict copy is shown in the preview, and with `sync_dir`
set the app syncs on start (what other devices changed appears) and on quit (what was
changed in the app reaches them)."""

from __future__ import annotations

from pathlib import Path

from reader.library import Library
from reader.sync.engine import sync
from tests.tui.conftest import settle

SIZE = (140, 40)


def _preview_text(app: object) -> str:
    conflicts = app.main.preview.part("conflicts")  # type: ignore[attr-defined]
    return "" if conflicts is None else conflicts.plain


async def test_a_conflict_copy_of_a_note_is_shown_in_the_preview(
    make_app, sample_dir: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    with Library(sample_dir) as here, Library(tmp_path / "there") as there:
        key = here.keys()[0]  # the newest paper: the one under the cursor at start
        sync(here, shared)
        sync(there, shared)
        here.set_note(key, "my reading of it")
        there.set_note(key, "the other machine's \x1b[2J reading")
        sync(here, shared)
        sync(there, shared)
        sync(here, shared)
        assert here.note_conflicts(key)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        preview = app.main.preview
        assert preview.entry is not None and preview.entry.key == key
        text = _preview_text(app)
        assert "Conflict copy of the note (from " in text
        assert ("my reading of it" in text) != ("reading" in text and "other machine" in text)
        assert "\x1b" not in text
        # The next paper has none: the copy is hidden.
        await pilot.press("j")
        await settle(pilot)
        assert preview.part("conflicts") is None


async def test_the_app_syncs_on_start_and_on_quit(
    make_app, sample_dir: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "config.toml").write_text(f'sync_dir = "{shared}"\n')
    with Library(sample_dir) as here:
        first, second = here.keys()[:2]
    with Library(tmp_path / "there") as there:
        there.import_papers([])
        sync(there, shared)
    with Library(sample_dir) as here:
        sync(here, shared)
    with Library(tmp_path / "there") as there:
        sync(there, shared)
        there.set_starred([first], True)
        sync(there, shared)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.main.library.state_of(first).starred, "the start did not sync"
        assert "Synced" in app.main.last_action
        await pilot.press("j", "s")
        await settle(pilot)
        assert app.main.library.state_of(second).starred
        await pilot.press("q")
        await settle(pilot)
    with Library(tmp_path / "there") as there:
        sync(there, shared)
        assert there.state_of(second).starred, "the quit did not sync"
