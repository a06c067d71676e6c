"""A loopback server for the daily routine's tests: Hugging Face by day, arXiv search and
listing, arXiv PDFs; each route can be made to fail. Built on the feeds tests' fake."""

from __future__ import annotations

import copy
import json
import re
from datetime import date

import pytest

from reader.settings import Settings
from tests.conftest import FORMATS
from tests.unit.test_feeds import FakeServer, Reply, json_reply

HF_ITEMS = json.loads((FORMATS / "hf_daily_papers.json").read_text(encoding="utf-8"))
ATOM = (FORMATS / "arxiv_api.atom.xml").read_bytes()
RSS = (FORMATS / "arxiv_rss.xml").read_bytes()
PDF = b"%PDF-1.4\n% a tiny test file\n" + b"0" * 2000 + b"\n%%EOF\n"


def day_id(day: str, n: int) -> str:
    """The arXiv id of the n-th paper featured on `day` (unique per day)."""
    when = date.fromisoformat(day)
    return f"{when:%y%m}.{when.day:02d}{n:03d}"


def hf_day(day: str) -> list[dict]:
    """The sample Daily Papers answer, as if these were the papers of `day`."""
    items = copy.deepcopy(HF_ITEMS)
    for n, item in enumerate(items):
        item["paper"]["id"] = day_id(day, n)
        item["title"] = item["paper"]["title"] = f"{item['title']} (featured {day})"
        item["paper"]["submittedOnDailyAt"] = f"{day}T00:00:00.000Z"
    return items


def atom(days: list[str]) -> bytes:
    """The sample Atom answer with its entries published on these days, in order."""
    wanted = iter(days)
    text = re.sub(
        r"<published>\d{4}-\d{2}-\d{2}T",
        lambda match: f"<published>{next(wanted)}T",
        ATOM.decode("utf-8"),
    )
    return text.encode("utf-8")


class Feeds:
    """What the server answers; tests change these to break or shape a source."""

    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self.broken_days: set[str] = set()
        self.rss_status = 200
        self.atom_days = ["2026-06-11", "2026-06-10", "2026-06-09"]
        self.pdf: bytes = PDF

    def hf(self, params: dict[str, str]) -> Reply:
        day = params.get("date", "")
        if day in self.broken_days:
            return Reply(404, b"not found")
        return json_reply(hf_day(day) if params.get("p", "0") == "0" else [])

    def days_asked(self) -> list[str]:
        return [params["date"] for params in self.server.params_of("/api/daily_papers")]

    def searches(self) -> list[str]:
        return [params["search_query"] for params in self.server.params_of("/api/query")]


@pytest.fixture
def feeds(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> Feeds:
    """The loopback server, with the feeds' URLs pointing at it and no arXiv spacing."""
    state = Feeds(server)
    server.script("/api/daily_papers", state.hf)
    server.script("/api/query", lambda params: Reply(body=atom(state.atom_days)))
    server.script(
        "/rss/cs.LG",
        lambda params: Reply(body=RSS) if state.rss_status == 200 else Reply(state.rss_status),
    )
    server.script("/pdf/2606.11409", lambda params: Reply(body=state.pdf))
    monkeypatch.setenv("READER_HF_URL", server.url)
    monkeypatch.setenv("READER_ARXIV_API_URL", server.url + "/api/query")
    monkeypatch.setenv("READER_ARXIV_RSS_URL", server.url + "/rss")
    monkeypatch.setenv("READER_ARXIV_PDF_URL", server.url + "/pdf")
    Settings().set("arxiv_spacing", 0)
    return state
