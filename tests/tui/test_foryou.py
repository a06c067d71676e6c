""" "For you" in the app: the sort, starring re-ranks, x dismisses, m lists papers like
this one, and the preview says why (driven by keys, checked on the screen and the store)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from reader.library import Library
from reader.ranking import model
from reader.tui.screens import main as main_screen
from reader.tui.widgets.paper_list import PaperList
from tests.tui.conftest import list_lines, settle, status_text, stored_state

SIZE = (140, 40)


async def _sort_for_you(pilot) -> None:
    app = pilot.app
    while app.main.sort != "relevance":
        await pilot.press("S")
        await settle(pilot)


async def test_starring_re_ranks_the_list_for_you(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _sort_for_you(pilot)
        assert "sorted for you (nothing to rank by yet" in status_text(app)
        library = app.library
        assert app.main.paper_list.rowids.tolist() == library.rowids("", "date").tolist()

        # Star a paper well down the list: the list is learned again and re-ranked.
        app.main.paper_list.cursor = 40
        await pilot.pause()
        starred = app.main.paper_list.current_entry
        await pilot.press("s")
        await settle(pilot)
        assert stored_state(sample_dir)[starred.key]["starred"] is True
        shown = app.main.paper_list.rowids.tolist()
        assert shown == library.rowids("", "relevance").tolist()
        assert shown != library.rowids("", "date").tolist()
        assert "by similarity to your 1 liked paper" in status_text(app)
        # The starred paper is the most like itself; the next one is the most like it.
        rows = library.rows(shown[:2])
        assert rows[shown[0]].key == starred.key
        assert rows[shown[1]].key == library.keys(f"similar:{starred.key}", "similar")[0]

        # The preview of the second says why it ranks high.
        app.main.paper_list.cursor = 1
        await pilot.pause()
        await settle(pilot)
        reason = app.main.preview.part("reason")
        assert reason is not None
        assert reason.plain.startswith(f"Because you starred: {starred.paper.title[:30]}")

        # Undo takes the star back, and the order with it.
        await pilot.press("u")
        await settle(pilot)
        assert app.main.paper_list.rowids.tolist() == library.rowids("", "date").tolist()


async def test_x_dismisses_marks_read_and_undoes_in_one_step(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = app.main.paper_list.current_entry
        await pilot.press("x")
        await settle(pilot)
        state = stored_state(sample_dir)[first.key]
        assert state["dismissed"] is True and state["read"] is True
        assert app.main.paper_list.cursor == 1  # on to the next paper, as reading does
        assert "Not interested" in status_text(app)

        await pilot.press("slash", *"is:dismissed", "enter")
        await settle(pilot)
        assert app.main.paper_list.row_count == 1
        meta = app.main.preview.part("meta")
        assert meta is not None and "not interested" in meta.plain

        await pilot.press("u")
        await settle(pilot)
        state = stored_state(sample_dir)[first.key]
        assert state["dismissed"] is False and state["read"] is False
        assert "Undone: Not interested" in status_text(app)

        # Pressed on a dismissed paper, x takes the dismissal back (the paper stays read).
        await pilot.press("escape", "escape")
        await settle(pilot)
        app.main.paper_list.cursor = 0
        await pilot.press("x")
        app.main.paper_list.cursor = 0
        await pilot.press("x")
        await settle(pilot)
        state = stored_state(sample_dir)[first.key]
        assert state["dismissed"] is False and state["read"] is True
        assert "Interested again" in status_text(app)


async def test_l_lists_the_papers_like_this_one(make_app, sample_dir: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.main.paper_list.cursor = 7
        await pilot.pause()
        anchor = app.main.paper_list.current_entry
        await pilot.press("l")
        await settle(pilot)
        assert app.query_one("#filter").value == f"similar:{anchor.key}"
        library = app.library
        expected = library.rowids(f"similar:{anchor.key}", "similar").tolist()
        assert 0 < len(expected) <= 50
        assert app.main.paper_list.rowids.tolist() == expected
        assert "sorted by similarity" in status_text(app)
        assert anchor.key not in [line.split()[0] for line in list_lines(app)]

        # S goes back to the sort the user chose, with the same papers.
        await pilot.press("S")
        await settle(pilot)
        assert "sorted by date" in status_text(app)
        assert sorted(app.main.paper_list.rowids.tolist()) == sorted(expected)
        assert (
            app.main.paper_list.rowids.tolist()
            == library.rowids(f"similar:{anchor.key}", "date").tolist()
        )


async def test_a_similar_filter_for_an_unknown_paper_says_so(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"similar:no-such-paper")
        await settle(pilot)
        assert "no paper with key 'no-such-paper'" in status_text(app)


def _assert_rows_drawn_as_they_are(app) -> int:
    """Every visible row shows its own paper, with its star as stored now; returns how
    many rows were checked."""
    paper_list = app.main.paper_list
    top = int(paper_list.scroll_offset.y)
    lines = list_lines(app)
    rowids = list(paper_list.rowids[top : top + len(lines)])
    entries = app.library.rows(rowids)
    for line, rowid in zip(lines, rowids, strict=True):
        entry = entries[rowid]
        assert entry.paper.title[:20] in line
        assert (line[2] == "★") == entry.state.starred, line
    return len(lines)


async def test_re_ranked_rows_are_drawn_as_the_papers_are_now(make_app, sample_dir: Path):
    """Rows drawn before are kept across a new order (by paper, not by place); a changed
    paper is drawn anew."""
    with Library(sample_dir) as labelling:  # enough labels for a model
        keys = labelling.keys()
        labelling.set_starred(keys[:5], True)
        labelling.set_read(keys[20:25], True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        library = app.library
        await _sort_for_you(pilot)
        assert library.relevance().mode == "model"
        assert _assert_rows_drawn_as_they_are(app) > 10
        for row in (12, 3):  # a star, then an unstar: learned again, ordered anew
            app.main.paper_list.cursor = row
            await pilot.pause()
            before = app.main.paper_list.rowids
            await pilot.press("s")
            await settle(pilot)
            assert app.main.paper_list.rowids is not before
            assert app.main.paper_list.rowids.tolist() == library.rowids("", "relevance").tolist()
            _assert_rows_drawn_as_they_are(app)


# --- a star paints the re-ranked first page before the whole order ----------------------------


@contextlib.asynccontextmanager
async def _sorted_for_you_in_pages_of_20(
    make_app: Any, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Any, Any]]:
    """The sample library with a model's worth of labels, sorted for you, in an app whose
    re-ranks paint a first page of 20 papers first."""
    _label_for_a_model(sample_dir)
    monkeypatch.setattr(main_screen, "FIRST_PAGE", 20)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _sort_for_you(pilot)
        yield app, pilot


def _label_for_a_model(folder: Path) -> None:
    with Library(folder) as labelling:
        keys = labelling.keys()
        labelling.set_starred(keys[:5], True)
        labelling.set_read(keys[20:25], True)


def _spy_on_rows(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[int], int, str | None]]:
    """Every `set_rows` of the list: (its rows, its row count, the paper under the cursor
    right after)."""
    shown: list[tuple[list[int], int, str | None]] = []
    set_rows = PaperList.set_rows

    def spy(self: PaperList, rowids, **options) -> None:  # type: ignore[no-untyped-def]
        set_rows(self, rowids, **options)
        entry = self.current_entry
        shown.append((rowids.tolist(), self.row_count, None if entry is None else entry.key))

    monkeypatch.setattr(PaperList, "set_rows", spy)
    return shown


async def test_a_star_paints_the_first_page_of_the_new_order_first(
    make_app, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    """The first page comes before the whole order (which it then equals, at the top), it
    says how many papers are listed, and the cursor stays on the starred paper in both."""
    _label_for_a_model(sample_dir)
    monkeypatch.setattr(main_screen, "FIRST_PAGE", 20)  # the sample is smaller than 200
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        library = app.library
        await _sort_for_you(pilot)
        shown = _spy_on_rows(monkeypatch)
        paper_list = app.main.paper_list
        for row in (12, 15):  # ranked high already: a star keeps it on the first page
            paper_list.cursor = row
            await pilot.pause()
            starred = paper_list.current_entry.key
            assert not paper_list.current_entry.state.starred
            shown.clear()
            await pilot.press("s")
            await settle(pilot)
            whole = library.rowids("", "relevance").tolist()
            (first, first_count, first_at), (last, last_count, last_at) = shown
            assert len(first) == 20 < first_count == len(whole)
            assert first == whole[:20]
            assert last == whole and last_count == len(whole)
            assert first_at == last_at == starred == paper_list.current_entry.key
            _assert_rows_drawn_as_they_are(app)


async def test_a_star_during_a_re_rank_ends_in_the_order_of_both_stars(
    make_app, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    """A second star while the first is still being learned: the list ends in the order
    both stars give, on the paper starred last, and no page of the first order is left."""
    async with _sorted_for_you_in_pages_of_20(make_app, sample_dir, monkeypatch) as (app, pilot):
        library = app.library
        training, release = threading.Event(), threading.Event()
        learn = model.score

        def held(*args: Any, **options: Any) -> model.Scores | None:
            training.set()
            release.wait(30)
            return learn(*args, **options)

        monkeypatch.setattr(model, "score", held)
        shown = _spy_on_rows(monkeypatch)
        paper_list = app.main.paper_list
        paper_list.cursor = 12
        await pilot.pause()
        first = paper_list.current_entry.key
        assert not paper_list.current_entry.state.starred
        await pilot.press("s")
        for _ in range(3000):  # the first re-rank is learning
            if training.is_set():
                break
            await asyncio.sleep(0.01)
        assert training.is_set()
        paper_list.cursor = 3
        while paper_list.current_entry.state.starred:  # a paper not starred yet
            paper_list.cursor += 1
        await pilot.pause()
        second = paper_list.current_entry.key
        await pilot.press("s")  # waits for the first re-rank, which is stale by then
        release.set()
        await settle(pilot)
        state = stored_state(sample_dir)
        assert state[first]["starred"] is True and state[second]["starred"] is True
        whole = library.rowids("", "relevance").tolist()
        assert paper_list.rowids.tolist() == whole
        assert paper_list.current_entry.key == second
        # Only the newest labels' order was shown: its first page, then all of it.
        assert [rows for rows, _, _ in shown] in ([whole[:20], whole], [whole])
        _assert_rows_drawn_as_they_are(app)


@pytest.mark.parametrize("move_to", [3, 30])
async def test_moving_while_a_star_re_ranks_keeps_the_place_moved_to(
    make_app, sample_dir: Path, monkeypatch, move_to: int
):
    # The re-ranked first page is on screen (20 papers loaded, the rest of the rows not
    # yet) while the whole order is learned. Moving on meanwhile is kept: onto a loaded
    # paper (3) it stays on that paper; past the loaded rows (30) it stays on that row,
    # where it used to jump back to the starred paper.
    async with _sorted_for_you_in_pages_of_20(make_app, sample_dir, monkeypatch) as (app, pilot):
        library = app.library
        paper_list = app.main.paper_list
        paper_list.cursor = 12
        await pilot.pause()
        started, release = threading.Event(), threading.Event()
        whole_order = library.rowids

        def held(*args: object, **kwargs: object) -> object:
            started.set()
            release.wait(10)
            return whole_order(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(library, "rowids", held)
        await pilot.press("s")
        assert await asyncio.to_thread(started.wait, 10)
        await pilot.pause()
        assert len(paper_list.rowids) == 20 and paper_list.row_count > 30
        paper_list.cursor = move_to
        await pilot.pause()
        there = paper_list.current_rowid
        release.set()
        await settle(pilot)
        if there is not None:
            assert paper_list.current_rowid == there
        else:
            assert paper_list.cursor == move_to
