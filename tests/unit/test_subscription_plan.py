"""Planning a subscription's catch-up, and its progress file."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.feeds import FetchRequest
from reader.subscriptions import Progress, ProgressFile, Subscription, default_name, plan

TODAY = date(2026, 6, 12)
HF = Subscription("hf", FetchRequest("hf"))


@settings(max_examples=200)
@given(
    back=st.one_of(st.none(), st.integers(min_value=-10, max_value=800)),
    days=st.integers(min_value=1, max_value=366),
)
def test_hugging_face_catches_up_day_by_day_within_the_limit(back: int | None, days: int):
    through = None if back is None else (TODAY - timedelta(days=back)).isoformat()
    requests = plan(HF, Progress(identity=HF.identity, through=through), TODAY, days)
    asked = [date.fromisoformat(request.fetch.value) for request in requests]
    assert asked[-1] == TODAY  # always up to today
    assert all(b - a == timedelta(days=1) for a, b in itertools.pairwise(asked))
    assert 1 <= len(asked) <= days
    if back is not None and 0 <= back < days:
        assert asked[0] == TODAY - timedelta(days=back)  # from the last day fetched
    assert [(request.n, request.of) for request in requests] == [
        (n, len(asked)) for n in range(1, len(asked) + 1)
    ]


def test_an_arxiv_search_resumes_from_its_newest_day():
    search = Subscription("s", FetchRequest("arxiv", "cat:cs.LG", max_results=80))
    (first,) = plan(search, Progress(identity=search.identity), TODAY, 7)
    assert first.fetch == FetchRequest("arxiv", "cat:cs.LG", max_results=80)
    (later,) = plan(search, Progress(identity=search.identity, through="2026-06-01"), TODAY, 7)
    assert later.fetch.since == date(2026, 6, 1) and later.fetch.max_results == 80


def test_default_names():
    assert default_name(FetchRequest("hf")) == "hf"
    assert default_name(FetchRequest("rss", "cs.LG+stat.ML")) == "cs.LG+stat.ML"
    assert default_name(FetchRequest("arxiv", 'abs:"causal discovery"')) == "causal-discovery"
    assert default_name(FetchRequest("arxiv", "cat:cs.LG AND ti:x")) == "cs-lg-x"
    assert default_name(FetchRequest("arxiv", "AND OR")) == "arxiv"


def test_progress_never_moves_back_and_belongs_to_one_request(tmp_path: Path):
    store = ProgressFile(tmp_path)
    store.record("hf", Progress(identity=HF.identity, through="2026-06-12", total_new=5))
    store.record("hf", Progress(identity=HF.identity, through="2026-06-10", total_new=6))
    assert store.progress(HF).through == "2026-06-12"  # an older run finishing later
    assert store.progress(HF).total_new == 6
    changed = Subscription("hf", FetchRequest("rss", "cs.LG"))
    assert store.progress(changed) == Progress(identity=changed.identity)


def test_a_damaged_progress_file_means_starting_over(tmp_path: Path):
    store = ProgressFile(tmp_path)
    for damaged in (
        "{not json",
        "[]",
        json.dumps({"subscriptions": []}),
        json.dumps({"subscriptions": {"hf": {"identity": "hf:", "through": "soon"}}}),
        json.dumps({"subscriptions": {"hf": {"identity": "hf:", "papers": "many"}}}),
        json.dumps({"subscriptions": {"hf": {"identity": "hf:", "unknown": 1}}}),
    ):
        store.path.write_text(damaged, encoding="utf-8")
        progress = store.progress(HF)
        assert progress.through is None and progress.papers == 0, damaged
    store.record("hf", Progress(identity=HF.identity, through="2026-06-12"))
    assert store.progress(HF).through == "2026-06-12"
