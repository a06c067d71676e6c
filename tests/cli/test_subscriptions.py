"""`reader subscribe`, `subscriptions`, `unsubscribe` and `reader fetch` of them all, against
the loopback server: several days, a failing source among good ones, resumption."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from reader.library import Library
from reader.settings import Settings
from reader.subscriptions import Progress, ProgressFile, Subscription, load
from tests.cli.daily_server import Feeds, day_id
from tests.conftest import REPO, Run


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    return Run(tmp_path / "library", capsys)


def one_error_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("reader: error: "), err
    return err


def days_back(count: int, today: date) -> list[str]:
    return [(today - timedelta(days=n)).isoformat() for n in range(count, -1, -1)]


def set_progress(run: Run, name: str, through: str) -> None:
    """As if the subscription `name` had been fetched through `through`."""
    subscription = next(sub for sub in load(Settings()) if sub.name == name)
    ProgressFile(run.folder).record(name, Progress(identity=subscription.identity, through=through))


# --- subscribing -------------------------------------------------------------------------------


def test_subscribe_list_and_unsubscribe(run: Run):
    assert run("subscribe", "hf")[0] == 0
    assert run("subscribe", "arxiv", "--rss", "cs.LG")[0] == 0
    code, out, _ = run("subscribe", "arxiv", 'abs:"causal discovery"')
    assert code == 0 and "as causal-discovery" in out
    names = [sub.name for sub in load(Settings())]
    assert names == ["hf", "cs.LG", "causal-discovery"]
    code, out, _ = run("subscriptions")
    assert code == 0 and out.count("never fetched") == 3
    code, out, _ = run("subscriptions", "--json")
    data = json.loads(out)
    assert data["schema_version"] == 1
    assert [(s["name"], s["source"], s["value"]) for s in data["subscriptions"]] == [
        ("hf", "hf", ""),
        ("cs.LG", "rss", "cs.LG"),
        ("causal-discovery", "arxiv", 'abs:"causal discovery"'),
    ]
    assert data["subscriptions"][0]["fetched_at"] is None
    code, out, _ = run("unsubscribe", "CS.lg")  # names in any case
    assert code == 0 and "its papers stay" in out
    assert [sub.name for sub in load(Settings())] == ["hf", "causal-discovery"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("subscribe", "arxiv", "--rss", "cs.LG;rm"), "not an arXiv category"),
        (("subscribe", "arxiv"), "needs a search query"),
        (("subscribe", "arxiv", "x", "--rss", "cs.LG"), "not both"),
        (("subscribe", "arxiv", "x", "--max", "0"), "--max must be"),
        (("subscribe", "hf", "--name=-x"), "a subscription's name"),
        (("subscribe", "hf", "--name", "a b"), "a subscription's name"),
        (("unsubscribe", "nope"), "no subscription named 'nope'"),
    ],
)
def test_subscribe_refuses_what_cannot_work_in_one_line(run: Run, args, message):
    code, _, err = run(*args)
    assert code == 1 and message in one_error_line(err)


def test_the_same_subscription_or_name_twice_is_refused(run: Run):
    assert run("subscribe", "arxiv", "--rss", "cs.LG")[0] == 0
    code, _, err = run("subscribe", "arxiv", "--rss", "cs.LG", "--name", "other")
    assert code == 1 and "already subscribed, as cs.LG" in one_error_line(err)
    code, _, err = run("subscribe", "hf", "--name", "CS.LG")
    assert code == 1 and "named cs.LG already" in one_error_line(err)


def test_subscribing_keeps_the_comments_of_the_settings_file(run: Run):
    path = Settings().path
    path.parent.mkdir(parents=True)
    path.write_text('# my settings\ntheme = "nord"  # the best one\n', encoding="utf-8")
    assert run("subscribe", "hf")[0] == 0
    text = path.read_text(encoding="utf-8")
    assert text.startswith('# my settings\ntheme = "nord"  # the best one\n')
    assert "[subscriptions.hf]" in text
    assert run("unsubscribe", "hf")[0] == 0
    assert path.read_text(encoding="utf-8").startswith("# my settings\n")


# --- fetching every subscription -----------------------------------------------------------------


def test_fetch_without_subscriptions_says_how_to_add_one(run: Run):
    code, _, err = run("fetch")
    assert code == 1 and "reader subscribe hf" in one_error_line(err)


def test_fetch_catches_up_every_day_since_the_last_fetch(run: Run, feeds: Feeds):
    today = date.today()
    assert run("subscribe", "hf")[0] == 0
    set_progress(run, "hf", (today - timedelta(days=3)).isoformat())
    code, out, err = run("fetch")
    if date.today() != today:
        pytest.skip("the day changed during the test")
    assert code == 0, err
    # The last day fetched again (it may have been today, still growing), then each day since.
    assert feeds.days_asked() == days_back(3, today)
    assert out.count("\n") == 1 and out.startswith("hf: 12 papers from Hugging Face")
    assert f"{days_back(3, today)[0]} to {today.isoformat()}: 12 new" in out
    with Library(run.folder) as library:
        for day in days_back(3, today):
            assert library.entry(day_id(day, 0)).paper.featured == date.fromisoformat(day)
    progress = ProgressFile(run.folder).progress(load(Settings())[0])
    assert progress.through == today.isoformat() and progress.total_new == 12
    # The next run starts from today: nothing is fetched twice but the last day.
    code, out, _ = run("fetch")
    assert code == 0 and "0 new, 0 updated, 3 skipped" in out
    assert feeds.days_asked()[4:] == [today.isoformat()]
    code, out, _ = run("subscriptions")
    assert "3 papers (0 new), 12 new in all" in out


def test_fetch_goes_back_at_most_hf_days(run: Run, feeds: Feeds):
    today = date.today()
    Settings().set("hf_days", 2)
    assert run("subscribe", "hf")[0] == 0
    set_progress(run, "hf", (today - timedelta(days=40)).isoformat())
    code, _, err = run("fetch")
    if date.today() != today:
        pytest.skip("the day changed during the test")
    assert code == 0, err
    assert feeds.days_asked() == days_back(1, today)


def test_a_first_fetch_is_today_only(run: Run, feeds: Feeds):
    assert run("subscribe", "hf")[0] == 0
    assert run("fetch")[0] == 0
    assert len(feeds.days_asked()) == 1


def test_a_failing_source_never_stops_the_others(run: Run, feeds: Feeds):
    feeds.rss_status = 403
    assert run("subscribe", "hf")[0] == 0
    assert run("subscribe", "arxiv", "--rss", "cs.LG")[0] == 0
    assert run("subscribe", "arxiv", "causal")[0] == 0
    code, out, err = run("fetch")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("hf: 3 papers from Hugging Face") and "3 new" in lines[0]
    assert lines[1].startswith("causal: 3 papers from arXiv search 'causal'")
    assert len(lines) == 2
    failure, summary = err.splitlines()
    assert failure.startswith("cs.LG: failed: ") and "403" in failure
    assert summary == "reader: error: 1 of 3 subscriptions failed: cs.LG"
    with Library(run.folder) as library:
        assert len(library) == 6
    code, out, _ = run("subscriptions")
    assert "cs.LG  the arXiv listing of cs.LG  last fetched" in out and "failed: " in out


def test_an_unreachable_source_is_named(run: Run, feeds: Feeds, monkeypatch):
    monkeypatch.setenv("READER_ARXIV_RSS_URL", "http://127.0.0.1:1/rss")  # nothing listens
    assert run("subscribe", "arxiv", "--rss", "cs.LG")[0] == 0
    assert run("subscribe", "hf")[0] == 0
    code, out, err = run("fetch")
    assert code == 1 and out.startswith("hf: 3 papers")
    assert "cs.LG: failed: cannot reach 127.0.0.1:1" in err
    assert err.endswith("reader: error: 1 of 2 subscriptions failed: cs.LG\n")


def test_a_failure_midway_resumes_where_it_stopped(run: Run, feeds: Feeds):
    today = date.today()
    days = days_back(3, today)
    assert run("subscribe", "hf")[0] == 0
    set_progress(run, "hf", days[0])
    feeds.broken_days = {days[2]}
    code, out, err = run("fetch")
    if date.today() != today:
        pytest.skip("the day changed during the test")
    assert code == 1
    # What came before the failure is kept; the days after it are not asked for.
    assert feeds.days_asked() == days[:3]
    assert out == ""
    assert err.startswith(f"hf: 6 papers from Hugging Face Daily Papers, {days[0]} to {today}")
    assert "6 new, 0 updated" in err and "; then failed: " in err
    progress = ProgressFile(run.folder).progress(load(Settings())[0])
    assert progress.through == days[1] and progress.error and "404" in progress.error
    feeds.broken_days = set()
    code, out, err = run("fetch")
    assert code == 0, err
    assert feeds.days_asked()[3:] == days[1:]
    assert "9 papers" in out and "6 new, 0 updated, 3 skipped" in out
    with Library(run.folder) as library:
        assert len(library) == 12


def test_an_arxiv_search_resumes_after_the_newest_paper_seen(run: Run, feeds: Feeds):
    assert run("subscribe", "arxiv", "cat:cs.LG", "--name", "lg")[0] == 0
    code, out, err = run("fetch")
    assert code == 0, err
    assert feeds.searches() == ["cat:cs.LG"]
    assert "3 new" in out
    # Newer papers appeared: the next search asks for those from the newest day seen on.
    feeds.atom_days = ["2026-06-12", "2026-06-11", "2026-06-08"]
    code, out, err = run("fetch")
    assert code == 0, err
    assert feeds.searches()[1].startswith("(cat:cs.LG) AND submittedDate:[202606110000 TO ")
    # The paper published before the newest day seen is dropped (arXiv would not send it).
    assert "lg: 2 papers from arXiv search 'cat:cs.LG', since 2026-06-11: 0 new" in out
    sub = Subscription("lg", load(Settings())[0].request)
    assert ProgressFile(run.folder).progress(sub).through == "2026-06-12"


def test_a_changed_subscription_starts_over(run: Run, feeds: Feeds):
    assert run("subscribe", "arxiv", "cat:cs.LG", "--name", "lg")[0] == 0
    assert run("fetch")[0] == 0
    Settings().set_entry("subscriptions", "lg", {"source": "arxiv", "value": "cat:cs.AI"})
    assert run("fetch")[0] == 0
    assert feeds.searches() == ["cat:cs.LG", "cat:cs.AI"]


def test_fetch_of_a_source_still_works_beside_subscriptions(run: Run, feeds: Feeds):
    assert run("subscribe", "arxiv", "--rss", "cs.LG")[0] == 0
    code, out, _ = run("fetch", "hf", "--date", "2026-06-12")
    assert code == 0 and out.startswith("Fetched 3 papers from Hugging Face")
    assert feeds.days_asked() == ["2026-06-12"]


def test_a_broken_subscription_in_the_file_is_named(run: Run):
    path = Settings().path
    path.parent.mkdir(parents=True)
    path.write_text('[subscriptions.x]\nsource = "ftp"\n', encoding="utf-8")
    code, _, err = run("fetch")
    assert code == 1 and "[subscriptions.x] needs a source" in one_error_line(err)


@pytest.mark.slow
def test_fetch_from_cron_no_terminal_no_prompt(tmp_path: Path, feeds: Feeds):
    """As cron runs it: no terminal, standard input closed, nothing but the summaries."""
    library = tmp_path / "library"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "reader", "--library", str(library)]
    subscribe = subprocess.run([*command, "subscribe", "hf"], capture_output=True, env=env)
    assert subscribe.returncode == 0
    done = subprocess.run(
        [*command, "fetch"], stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    assert done.stdout.decode().startswith("hf: 3 papers from Hugging Face Daily Papers")
    feeds.broken_days = {date.today().isoformat()}
    failed = subprocess.run(
        [*command, "fetch"], stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=60
    )
    assert failed.returncode == 1
    assert failed.stderr.decode().splitlines()[-1] == (
        "reader: error: 1 of 1 subscription failed: hf"
    )


def test_a_misdated_entry_never_carries_the_mark_into_the_future(run: Run, feeds: Feeds):
    # A feed entry dated in year 9999 (or in 2030) must not make every later run ask
    # only for papers of the future, nor crash, nor stop the subscriptions after it.
    assert run("subscribe", "arxiv", "cat:cs.LG", "--name", "lg")[0] == 0
    assert run("subscribe", "hf")[0] == 0
    feeds.atom_days = ["9999-12-31", "2030-01-01", "2026-06-08"]
    for _ in range(2):
        code, _, err = run("fetch")
        assert code == 0, err
        assert "internal error" not in err
    sub = Subscription("lg", load(Settings())[0].request)
    assert ProgressFile(run.folder).progress(sub).through == "2026-06-08"
    assert feeds.searches()[1].startswith("(cat:cs.LG) AND submittedDate:[202606080000 TO ")
    assert len(feeds.days_asked()) >= 2  # Hugging Face was asked on both runs


def test_a_mark_in_the_future_from_an_earlier_version_is_brought_back(run: Run, feeds: Feeds):
    assert run("subscribe", "arxiv", "cat:cs.LG", "--name", "lg")[0] == 0
    sub = Subscription("lg", load(Settings())[0].request)
    ProgressFile(run.folder).record("lg", Progress(identity=sub.identity, through="9999-12-31"))
    code, _, err = run("fetch")
    assert code == 0, err
    assert f"submittedDate:[{date.today():%Y%m%d}0000 TO " in feeds.searches()[0]
