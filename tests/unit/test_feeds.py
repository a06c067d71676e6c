"""Tests of the HTTP side against a local server on 127.0.0.1 that plays scripted answers.

No test touches the internet, and none really sleeps: the client's `sleep` and `clock` are
a fake that only records.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from reader import feeds
from reader.errors import ReaderError
from reader.feeds import (
    USER_AGENT,
    FeedClient,
    FeedConfig,
    fetch_arxiv,
    fetch_arxiv_ids,
    fetch_hf,
    fetch_rss,
)
from reader.settings import Settings
from tests.conftest import FORMATS, Run

HF_ITEMS = json.loads((FORMATS / "hf_daily_papers.json").read_text(encoding="utf-8"))
HF_KEYS = ["2606.11409", "2606.09290", "2606.08063"]
# C0 and C1 controls and DEL (ESC, CSI, OSC, BEL...): none may reach a message.
TERMINAL_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def sample_bytes(name: str) -> bytes:
    return (FORMATS / name).read_bytes()


@dataclass
class Reply:
    """One scripted answer. `status=0` drops the connection without answering."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    stall: float = 0.0
    """Seconds to wait before answering (cut short when the test ends)."""
    raw: bytes | None = None
    """The whole answer as bytes on the wire, status line and headers included."""
    drip: float = 0.0
    """Seconds between the bytes of `raw` from byte `drip_from` on (cut short at test end)."""
    drip_from: int = 0


def json_reply(data: object) -> Reply:
    return Reply(body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})


@dataclass
class Request:
    path: str
    params: dict[str, str]
    headers: dict[str, str]


Script = Reply | Callable[[dict[str, str]], Reply]


class FakeServer:
    """Answers each path from a queue of replies; the last one repeats. Records requests."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Script]] = {}
        self.requests: list[Request] = []
        self.release = threading.Event()
        self.url = ""

    def script(self, path: str, *replies: Script) -> None:
        self.routes[path] = list(replies)

    def next_reply(self, path: str, params: dict[str, str]) -> Reply:
        queue = self.routes.get(path)
        if not queue:
            return Reply(404, b"no such page")
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        return reply(params) if callable(reply) else reply

    def params_of(self, path: str) -> list[dict[str, str]]:
        return [request.params for request in self.requests if request.path == path]


def make_handler(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = {name: values[-1] for name, values in parse_qs(parts.query).items()}
            fake.requests.append(Request(parts.path, params, dict(self.headers)))
            reply = fake.next_reply(parts.path, params)
            if reply.stall:
                fake.release.wait(reply.stall)
            if reply.status == 0:
                return
            if reply.raw is not None:
                self.send_raw(reply)
                return
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # The client gave up (a timeout test): nothing left to tell it.

        def send_raw(self, reply: Reply) -> None:
            """Write `reply.raw`, one byte at a time after `drip_from` when it drips."""
            try:
                self.wfile.write(reply.raw[: reply.drip_from])
                for byte in reply.raw[reply.drip_from :]:
                    if fake.release.wait(reply.drip):
                        return  # The test is over.
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # The client gave up, as it should.
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass  # Keep test output clean.

    return Handler


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
    httpd.daemon_threads = True
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    # A short poll keeps shutdown (which waits for the next poll) quick.
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


class FakeTime:
    """A clock that only moves when told to, and a sleep that records instead of waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def config_for(server: FakeServer, **overrides: object) -> FeedConfig:
    values: dict[str, object] = {
        "hf_url": server.url,
        "arxiv_api_url": f"{server.url}/api/query",
        "arxiv_rss_url": f"{server.url}/rss",
        "timeout": 5.0,
    }
    values.update(overrides)
    return FeedConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
def client(server: FakeServer, fake_time: FakeTime) -> Iterator[FeedClient]:
    with FeedClient(config_for(server), sleep=fake_time.sleep, clock=fake_time.clock) as opened:
        yield opened


def atom_feed(ids: list[str]) -> bytes:
    entries = "".join(
        f"<entry><id>http://arxiv.org/abs/{arxiv_id}v1</id><title>Paper {arxiv_id}</title>"
        f"<published>2026-06-11T00:00:00Z</published><author><name>A. Author</name></author>"
        "<summary>An abstract.</summary></entry>"
        for arxiv_id in ids
    )
    return (f'<feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>').encode()


def numbered_ids(start: int, count: int) -> list[str]:
    return [f"2606.{number:05d}" for number in range(start, start + count)]


# --- Hugging Face --------------------------------------------------------------------------


def test_hf_pages_until_a_short_page(server, client, fake_time):
    server.script("/api/daily_papers", json_reply(HF_ITEMS[:2]), json_reply(HF_ITEMS[2:]))
    progress: list[int] = []
    papers = fetch_hf(
        client.config, date="2026-06-12", limit=2, progress=progress.append, client=client
    )
    assert [item.paper.key for item in papers] == HF_KEYS
    assert papers[0].paper.upvotes == 8
    assert papers[2].paper.github == "https://github.com/jqtangust/Robust-U1"
    assert server.params_of("/api/daily_papers") == [
        {"date": "2026-06-12", "limit": "2", "p": "0"},
        {"date": "2026-06-12", "limit": "2", "p": "1"},
    ]
    assert progress == [2, 3]
    assert fake_time.sleeps == []


def test_hf_full_last_page_is_followed_by_an_empty_one(server, client):
    server.script("/api/daily_papers", json_reply(HF_ITEMS), json_reply([]))
    papers = fetch_hf(client.config, week="2026-W24", limit=3, client=client)
    assert [item.paper.key for item in papers] == HF_KEYS
    assert [params["p"] for params in server.params_of("/api/daily_papers")] == ["0", "1"]
    assert server.params_of("/api/daily_papers")[0]["week"] == "2026-W24"


def test_hf_stops_when_the_server_ignores_paging(server, client):
    server.script("/api/daily_papers", json_reply(HF_ITEMS))
    papers = fetch_hf(client.config, month="2026-06", limit=3, client=client)
    assert [item.paper.key for item in papers] == HF_KEYS
    assert len(server.requests) == 2


def test_hf_defaults_to_today_and_sends_a_user_agent(server):
    server.script("/api/daily_papers", json_reply([]))
    before = date.today().isoformat()
    # No client given: the fetch opens and closes its own.
    assert fetch_hf(config_for(server)) == []
    after = date.today().isoformat()
    (request,) = server.requests
    assert request.params["date"] in (before, after)
    assert request.params["limit"] == "100"
    assert request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("reader/") and "(+paper triage)" in USER_AGENT


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"date": "2026-6-12"}, "date must look like 2025-03-31"),
        ({"date": "2026-02-30"}, "date must look like 2025-03-31"),
        ({"week": "2026-24"}, "week must look like 2025-W09"),
        ({"week": "2026-W54"}, "week must look like 2025-W09"),
        ({"week": "2025-W53"}, "week must look like 2025-W09"),
        ({"month": "2026-13"}, "month must look like 2025-03"),
        ({"date": "2026-06-12", "week": "2026-W24"}, "only one of date, week and month"),
        ({"limit": 0}, "limit must be between 1 and 100"),
        ({"limit": 101}, "limit must be between 1 and 100"),
    ],
)
def test_hf_bad_arguments_fail_before_any_request(server, client, arguments, message):
    with pytest.raises(ReaderError, match=message):
        fetch_hf(client.config, client=client, **arguments)
    assert server.requests == []


def test_hf_accepts_week_53_of_a_long_year(server, client):
    server.script("/api/daily_papers", json_reply([]))
    assert fetch_hf(client.config, week="2026-W53", client=client) == []
    assert server.requests[0].params["week"] == "2026-W53"


def test_429_is_retried_after_retry_after(server, client, fake_time):
    server.script(
        "/api/daily_papers",
        Reply(429, b"slow down", {"Retry-After": "7"}),
        json_reply(HF_ITEMS),
    )
    papers = fetch_hf(client.config, date="2026-06-12", client=client)
    assert [item.paper.key for item in papers] == HF_KEYS
    assert fake_time.sleeps == [7.0]
    assert len(server.requests) == 2


def test_retry_after_is_bounded(server, fake_time):
    server.script("/api/daily_papers", Reply(503, headers={"Retry-After": "86400"}), json_reply([]))
    config = config_for(server, max_retry_wait=30.0)
    with FeedClient(config, sleep=fake_time.sleep, clock=fake_time.clock) as client:
        assert fetch_hf(config, date="2026-06-12", client=client) == []
    assert fake_time.sleeps == [30.0]


def test_retry_after_as_an_http_date(server, client, fake_time):
    soon = datetime.now(UTC) + timedelta(seconds=20)
    server.script(
        "/api/daily_papers",
        Reply(503, headers={"Retry-After": format_datetime(soon, usegmt=True)}),
        json_reply([]),
    )
    fetch_hf(client.config, date="2026-06-12", client=client)
    (wait,) = fake_time.sleeps
    assert 15.0 <= wait <= 20.0


def test_500_is_retried_with_backoff_then_reported(server, client, fake_time):
    server.script("/api/daily_papers", Reply(500, b"oops"))
    with pytest.raises(ReaderError) as caught:
        fetch_hf(client.config, date="2026-06-12", client=client)
    host = server.url.removeprefix("http://")
    assert str(caught.value) == f"{host} answered 500 Internal Server Error (after 4 attempts)"
    assert len(server.requests) == 4
    assert fake_time.sleeps == [1.0, 2.0, 4.0]


def test_404_is_not_retried(server, client, fake_time):
    with pytest.raises(ReaderError) as caught:
        fetch_hf(client.config, date="2026-06-12", client=client)
    assert str(caught.value) == f"{server.url.removeprefix('http://')} answered 404 Not Found"
    assert len(server.requests) == 1
    assert fake_time.sleeps == []


def test_dropped_connection_is_retried(server, client, fake_time):
    server.script("/api/daily_papers", Reply(status=0), json_reply(HF_ITEMS[:1]))
    papers = fetch_hf(client.config, date="2026-06-12", client=client)
    assert [item.paper.key for item in papers] == HF_KEYS[:1]
    assert fake_time.sleeps == [1.0]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'[{"paper": ', "sent an unreadable answer: not valid JSON"),
        (b'{"papers": []}', "sent an unreadable answer: expected a JSON array"),
        (b"\xff\xfe[]", "sent an unreadable answer: not UTF-8 text"),
    ],
)
def test_malformed_json_is_a_clear_error(server, client, body, message):
    server.script("/api/daily_papers", Reply(body=body))
    with pytest.raises(ReaderError, match=message) as caught:
        fetch_hf(client.config, date="2026-06-12", client=client)
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(server.url.removeprefix("http://"))


def test_slow_answer_times_out(server, fake_time):
    server.script("/api/daily_papers", Reply(stall=10.0, body=b"[]"))
    config = config_for(server, timeout=0.5)
    started = time.monotonic()
    with (
        FeedClient(config, sleep=fake_time.sleep, clock=fake_time.clock) as client,
        pytest.raises(ReaderError) as caught,
    ):
        fetch_hf(config, date="2026-06-12", client=client)
    assert time.monotonic() - started < 3.0
    assert str(caught.value) == f"{server.url.removeprefix('http://')} did not answer within 0.5 s"
    # A timeout is not retried: the user has waited long enough.
    assert len(server.requests) == 1


def trickle(phase: str, every: float = 0.2) -> Reply:
    """A 200 answer sent one byte per `every` seconds from `phase` ("headers": the status
    line on; "body": the body only). In all it would take over a minute at 0.2 s a byte."""
    body = b"[" + b" " * 100 + b"]"
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: "
        + b"x" * 200
        + f"\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    )
    return Reply(raw=head + body, drip=every, drip_from=0 if phase == "headers" else len(head))


@pytest.mark.parametrize(
    "answer",
    [trickle("headers"), trickle("body"), trickle("body", every=60.0)],
    ids=["dripped-headers", "dripped-body", "silent-body"],
)
def test_the_deadline_ends_an_answer_that_never_finishes(server, fake_time, answer):
    server.script("/api/daily_papers", answer)
    # Each byte (or the silence of the last case) comes well within the 5 s read timeout, so
    # only the 1 s deadline can end it; its own message shows which limit fired.
    config = config_for(server, timeout=5.0, deadline=1.0)
    with (
        FeedClient(config, sleep=fake_time.sleep, clock=fake_time.clock) as client,
        pytest.raises(ReaderError) as caught,
    ):
        fetch_hf(config, date="2026-06-12", client=client)
    host = server.url.removeprefix("http://")
    assert str(caught.value) == f"{host} did not finish its answer within 1 s"
    # Running out of time is not retried: the user has waited long enough.
    assert len(server.requests) == 1
    assert fake_time.sleeps == []


def test_each_attempt_has_its_own_deadline_and_no_more(server, fake_time):
    # The documented bound: one attempt never outlives the deadline, a retry (after a 5xx)
    # starts a fresh one, and an attempt that ran out of time ends the request.
    server.script("/api/daily_papers", Reply(503), trickle("body"))
    config = config_for(server, timeout=5.0, deadline=1.0, retries=3)
    with (
        FeedClient(config, sleep=fake_time.sleep, clock=fake_time.clock) as client,
        pytest.raises(ReaderError, match="did not finish its answer within 1 s"),
    ):
        fetch_hf(config, date="2026-06-12", client=client)
    assert len(server.requests) == 2
    assert fake_time.sleeps == [1.0]


def test_the_deadline_counts_per_request_not_per_fetch(server, fake_time):
    # Three pages of 0.4 s each: the fetch takes longer than the deadline, no request does.
    pages = [json_reply(HF_ITEMS[index : index + 1]) for index in range(3)]
    server.script(
        "/api/daily_papers", *(replace(page, stall=0.4) for page in pages), json_reply([])
    )
    config = config_for(server, deadline=1.0)
    with FeedClient(config, sleep=fake_time.sleep, clock=fake_time.clock) as client:
        papers = fetch_hf(config, date="2026-06-12", limit=1, client=client)
    assert [item.paper.key for item in papers] == HF_KEYS


def test_proxies_from_the_environment_are_used_and_keep_the_deadline(
    server, fake_time, monkeypatch
):
    # As httpx does by default: HTTP_PROXY is honoured (here the local server plays the proxy).
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.url)
    server.script("/api/daily_papers", json_reply(HF_ITEMS), trickle("body"))
    config = FeedConfig(hf_url="http://papers.invalid", timeout=5.0, deadline=1.0)
    with FeedClient(config, sleep=fake_time.sleep, clock=fake_time.clock) as client:
        papers = fetch_hf(config, date="2026-06-12", client=client)
        with pytest.raises(ReaderError, match=r"papers\.invalid did not finish its answer"):
            fetch_hf(config, date="2026-06-12", client=client)
    assert [item.paper.key for item in papers] == HF_KEYS
    assert server.requests[0].headers["Host"] == "papers.invalid"


def test_connection_refused_is_a_clear_error(fake_time):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The port is closed again: nothing listens there.
    config = FeedConfig(hf_url=f"http://127.0.0.1:{port}", timeout=2.0)
    with FeedClient(config, sleep=fake_time.sleep) as client, pytest.raises(ReaderError) as caught:
        fetch_hf(config, date="2026-06-12", client=client)
    message = str(caught.value)
    assert message.startswith(f"cannot reach 127.0.0.1:{port}: ")
    assert "\n" not in message
    assert fake_time.sleeps == []


def test_oversized_answer_is_refused(server, client, monkeypatch):
    monkeypatch.setattr(feeds.client, "MAX_RESPONSE_BYTES", 1024)
    server.script("/api/daily_papers", Reply(body=b"[" + b" " * 5000 + b"]"))
    with pytest.raises(ReaderError, match="sent more than"):
        fetch_hf(client.config, date="2026-06-12", client=client)


@pytest.mark.parametrize(
    "reason",
    [b"\x1b[31mBOOM\x1b]0;pwned\x07", b"\x1b[2J" + b"Very long reason " * 300],
    ids=["escapes", "long"],
)
def test_a_hostile_status_text_is_shown_printable_and_short(server, client, reason):
    answer = b"HTTP/1.1 500 " + reason + b"\r\nContent-Length: 0\r\n\r\n"
    server.script("/api/daily_papers", Reply(raw=answer))
    with pytest.raises(ReaderError) as caught:
        fetch_hf(client.config, date="2026-06-12", client=client)
    message = str(caught.value)
    host = server.url.removeprefix("http://")
    assert message.startswith(f"{host} answered 500 ")
    assert message.endswith(" (after 4 attempts)")
    assert not TERMINAL_CONTROL.search(message)
    assert len(message) < 300
    assert ("BOOM" if b"BOOM" in reason else "Very long reason") in message


@pytest.mark.parametrize(
    ("path", "body", "fetch"),
    [
        (
            "/api/query",
            "<feed xmlns='http://www.w3.org/2005/Atom'><entry>"
            "<id>http://arxiv.org/api/errors#bad</id><title>Error</title>"
            "<summary>bad \u009b31mquery\u009b0m \u009d0;pwned\u009c&#x85;&#x9b;2J"
            + " and on" * 500
            + "</summary></entry></feed>",
            lambda config, client: fetch_arxiv(config, "all:x", client=client),
        ),
        (
            "/api/daily_papers",
            json.dumps({"error": "\x1b[2J\x1b]52;c;cHduZWQ=\x07 bad date \ud800" * 100}),
            lambda config, client: fetch_hf(config, date="2026-06-12", client=client),
        ),
        (
            "/api/daily_papers",
            json.dumps([{"paper": {"id": "\x1b]0;pwned\x07" * 100}}]),
            lambda config, client: fetch_hf(config, date="2026-06-12", client=client),
        ),
    ],
    ids=["atom-error-entry", "hf-error", "hf-item-id"],
)
def test_server_text_in_errors_is_printable_and_short(server, client, path, body, fetch):
    server.script(path, Reply(body=body.encode("utf-8", "surrogatepass")))
    with pytest.raises(ReaderError) as caught:
        fetch(client.config, client)
    message = str(caught.value)
    assert message.startswith(f"{server.url.removeprefix('http://')} sent an unreadable answer: ")
    assert not TERMINAL_CONTROL.search(message)
    assert not re.search("[\ud800-\udfff]", message)
    assert len(message) < 300


def test_reader_fetch_keeps_the_deadline_and_prints_one_clean_line(
    server, tmp_path, capsys, monkeypatch
):
    # End to end: the environment variable reaches the client, the error the terminal.
    run = Run(tmp_path / "library", capsys)
    monkeypatch.setenv("READER_HF_URL", server.url)
    monkeypatch.setenv("READER_FETCH_DEADLINE", "1")
    host = server.url.removeprefix("http://")
    server.script("/api/daily_papers", trickle("headers"))
    assert run("fetch", "hf", "--date", "2026-06-12") == (
        1,
        "",
        f"reader: error: {host} did not finish its answer within 1 s\n",
    )
    server.script("/api/daily_papers", Reply(raw=b"HTTP/1.1 404 \x1b]0;pwned\x07\x1b[2J\r\n\r\n"))
    code, out, err = run("fetch", "hf", "--date", "2026-06-12")
    assert (code, out) == (1, "")
    assert err.startswith(f"reader: error: {host} answered 404 ")
    assert err.count("\n") == 1 and not TERMINAL_CONTROL.search(err.removesuffix("\n"))


# --- arXiv API -----------------------------------------------------------------------------


def test_arxiv_search_pages_and_spaces_calls(server, client, fake_time):
    def page(params: dict[str, str]) -> Reply:
        start, size = int(params["start"]), int(params["max_results"])
        return Reply(body=atom_feed(numbered_ids(start, size)))

    server.script("/api/query", page)
    progress: list[int] = []

    def took_a_second(count: int) -> None:
        # Time spent between calls (here, by the caller) counts toward the spacing.
        progress.append(count)
        fake_time.now += 1.0

    papers = fetch_arxiv(
        client.config,
        "cat:cs.LG AND ti:diffusion",
        max_results=150,
        progress=took_a_second,
        client=client,
    )
    assert [item.paper.key for item in papers] == numbered_ids(0, 150)
    assert papers[0].paper.source == "arxiv-api"
    assert server.params_of("/api/query") == [
        {
            "search_query": "cat:cs.LG AND ti:diffusion",
            "start": "0",
            "max_results": "100",
            "sortBy": "submittedDate",
            "sortOrder": "descending",
        },
        {
            "search_query": "cat:cs.LG AND ti:diffusion",
            "start": "100",
            "max_results": "50",
            "sortBy": "submittedDate",
            "sortOrder": "descending",
        },
    ]
    assert progress == [100, 150]
    # 3 s from the end of one answer to the next call, of which 1 s had passed.
    assert fake_time.sleeps == [2.0]


def test_arxiv_search_stops_on_a_short_page(server, client, fake_time):
    server.script("/api/query", Reply(body=sample_bytes("arxiv_api.atom.xml")))
    papers = fetch_arxiv(client.config, "all:transformer", max_results=50, client=client)
    assert [item.paper.key for item in papers] == ["2606.13677", "2606.13568", "2606.13501"]
    assert len(server.requests) == 1
    assert fake_time.sleeps == []


def test_arxiv_spacing_holds_across_fetches_on_one_client(server, client, fake_time):
    server.script("/api/query", Reply(body=sample_bytes("arxiv_api.atom.xml")))
    fetch_arxiv(client.config, "all:transformer", client=client)
    fetch_arxiv(client.config, "all:diffusion", client=client)
    assert fake_time.sleeps == [3.0]


def test_arxiv_retry_waits_at_least_the_spacing(server, client, fake_time):
    server.script("/api/query", Reply(503), Reply(body=sample_bytes("arxiv_api.atom.xml")))
    assert len(fetch_arxiv(client.config, "all:transformer", client=client)) == 3
    assert fake_time.sleeps == [3.0]


def test_arxiv_bad_arguments(server, client):
    with pytest.raises(ReaderError, match="query is empty"):
        fetch_arxiv(client.config, "  ", client=client)
    with pytest.raises(ReaderError, match="max_results must be at least 1"):
        fetch_arxiv(client.config, "all:x", max_results=0, client=client)
    assert server.requests == []


def test_arxiv_ids_in_batches_of_100(server, client, fake_time):
    def by_id(params: dict[str, str]) -> Reply:
        return Reply(body=atom_feed(params["id_list"].split(",")))

    server.script("/api/query", by_id)
    wanted = numbered_ids(0, 150)
    asked = ["arXiv:2606.00000v2", "https://arxiv.org/abs/2606.00001", *wanted]
    papers = fetch_arxiv_ids(client.config, asked, client=client)
    assert [item.paper.key for item in papers] == wanted
    batches = [params["id_list"].split(",") for params in server.params_of("/api/query")]
    assert [len(batch) for batch in batches] == [100, 50]
    assert batches[0][:2] == ["2606.00000", "2606.00001"]
    assert server.params_of("/api/query")[1]["max_results"] == "50"
    assert fake_time.sleeps == [3.0]


def test_arxiv_ids_reject_a_non_id_before_asking(server, client):
    assert fetch_arxiv_ids(client.config, [], client=client) == []
    with pytest.raises(ReaderError, match="not an arXiv id: 'hello'"):
        fetch_arxiv_ids(client.config, ["2606.13677", "hello"], client=client)
    assert server.requests == []


def test_arxiv_error_entry_becomes_a_reader_error(server, client):
    error_feed = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        b"<id>http://arxiv.org/api/errors#incorrect_id_format_for_2606.1</id>"
        b"<title>Error</title><summary>incorrect id format for 2606.1</summary></entry></feed>"
    )
    server.script("/api/query", Reply(body=error_feed))
    with pytest.raises(ReaderError, match=r"arXiv API error: incorrect id format for 2606\.1"):
        fetch_arxiv(client.config, "id:2606.1", client=client)


def test_hostile_xml_from_the_server_is_refused(server, client):
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&b;</title></feed>'
    )
    server.script("/api/query", Reply(body=hostile))
    with pytest.raises(ReaderError, match="unreadable answer: refused unsafe XML"):
        fetch_arxiv(client.config, "all:x", client=client)


# --- arXiv RSS -----------------------------------------------------------------------------


def test_rss_listing(server, client):
    server.script("/rss/cs.LG", Reply(body=sample_bytes("arxiv_rss.xml")))
    papers = fetch_rss(client.config, "cs.LG", client=client)
    assert [item.paper.key for item in papers] == ["2411.17748", "2411.16552", "2410.11112"]
    assert papers[0].paper.abstract.startswith("Facing the thermal management")
    assert papers[0].paper.source == "arxiv-rss"


def test_rss_empty_listing_is_no_papers(server, client):
    server.script("/rss/cs.LG+stat.ML", Reply(body=sample_bytes("arxiv_rss_empty.xml")))
    assert fetch_rss(client.config, "cs.LG+stat.ML", client=client) == []
    assert server.requests[0].path == "/rss/cs.LG+stat.ML"


@pytest.mark.parametrize("category", ["cs LG", "../etc/passwd", "", "cs.LG/x"])
def test_rss_rejects_odd_categories(server, client, category):
    with pytest.raises(ReaderError, match="not an arXiv category"):
        fetch_rss(client.config, category, client=client)
    assert server.requests == []


# --- configuration -------------------------------------------------------------------------


def test_config_defaults():
    config = FeedConfig.load({})
    assert config.hf_url == "https://huggingface.co"
    assert config.arxiv_api_url == "http://export.arxiv.org/api/query"
    assert config.arxiv_rss_url == "https://rss.arxiv.org/rss"
    assert config.arxiv_spacing == 3.0
    assert config.timeout == 20
    assert config.retries == 3
    assert config.deadline == 60.0


def test_config_environment_over_settings_over_defaults(tmp_path):
    settings = Settings(tmp_path)
    settings.set("hf_url", "https://hf.example.org/")
    settings.set("arxiv_api_url", "https://api.example.org/query")
    settings.set("arxiv_spacing", 5)
    config = FeedConfig.load(
        {"READER_HF_URL": "http://127.0.0.1:8000/", "READER_ARXIV_RSS_URL": "http://rss.test/rss"},
        settings,
    )
    assert config.hf_url == "http://127.0.0.1:8000"
    assert config.arxiv_api_url == "https://api.example.org/query"
    assert config.arxiv_rss_url == "http://rss.test/rss"
    assert config.arxiv_spacing == 5.0


def test_fetch_deadline_from_the_environment_over_settings(tmp_path):
    settings = Settings(tmp_path)
    settings.set("fetch_deadline", 90)
    assert FeedConfig.load({}, settings).deadline == 90.0
    assert FeedConfig.load({"READER_FETCH_DEADLINE": " 2.5 "}, settings).deadline == 2.5


@pytest.mark.parametrize(
    ("environ", "setting", "message"),
    [
        ({"READER_HF_URL": "ftp://x"}, None, "READER_HF_URL must be an http"),
        ({}, ("arxiv_api_url", "not a url"), "arxiv_api_url must be an http"),
        ({}, ("arxiv_spacing", -1), "arxiv_spacing must be a number of seconds"),
        ({}, ("arxiv_spacing", "3"), "arxiv_spacing must be a number of seconds"),
        ({}, ("fetch_deadline", 0), "fetch_deadline must be a positive number of seconds"),
        ({}, ("fetch_deadline", "60"), "fetch_deadline must be a positive number of seconds"),
        ({}, ("fetch_deadline", True), "fetch_deadline must be a positive number of seconds"),
        ({}, ("fetch_deadline", 1e400), "fetch_deadline must be a positive number of seconds"),
        (
            {"READER_FETCH_DEADLINE": "soon"},
            None,
            "READER_FETCH_DEADLINE must be a positive number of seconds",
        ),
        (
            {"READER_FETCH_DEADLINE": "-5"},
            None,
            "READER_FETCH_DEADLINE must be a positive number of seconds",
        ),
        (
            {"READER_FETCH_DEADLINE": "nan"},
            None,
            "READER_FETCH_DEADLINE must be a positive number of seconds",
        ),
    ],
)
def test_config_rejects_values_that_cannot_work(tmp_path, environ, setting, message):
    settings = Settings(tmp_path)
    if setting:
        settings.set(*setting)
    with pytest.raises(ReaderError, match=message):
        FeedConfig.load(environ, settings)
