"""`reader fetch` and id-list imports against a local server serving the real samples."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from reader.cli import main
from reader.identity import title_key
from reader.library import Library
from tests.conftest import FORMATS, seed_path

MOTION = "Towards Robust and Adaptive Motion Forecasting: A Causal Representation Perspective"


def hf_items(first_title: str | None = None) -> bytes:
    items = json.loads((FORMATS / "hf_daily_papers.json").read_text(encoding="utf-8"))
    if first_title:
        items[0]["paper"]["title"] = items[0]["title"] = first_title
    return json.dumps(items).encode()


class Routes:
    """What the local server answers, by path; records the query parameters it saw."""

    def __init__(self) -> None:
        self.hf = hf_items()
        self.seen: list[tuple[str, dict[str, str]]] = []


@pytest.fixture
def routes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Routes]:
    state = Routes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = {key: values[-1] for key, values in parse_qs(parts.query).items()}
            state.seen.append((parts.path, params))
            if parts.path == "/api/daily_papers":
                body = state.hf if params.get("p", "0") == "0" else b"[]"
            elif parts.path == "/api/query":
                body = (FORMATS / "arxiv_api.atom.xml").read_bytes()
            elif parts.path == "/rss/cs.LG":
                body = (FORMATS / "arxiv_rss.xml").read_bytes()
            elif parts.path == "/rss/math.AG":
                body = (FORMATS / "arxiv_rss_empty.xml").read_bytes()
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("READER_HF_URL", base)
    monkeypatch.setenv("READER_ARXIV_API_URL", base + "/api/query")
    monkeypatch.setenv("READER_ARXIV_RSS_URL", base + "/rss")
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def run(folder: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([*args, "--library", str(folder)])
    out, err = capsys.readouterr()
    return code, out, err


def test_fetch_hf_for_a_day(routes: Routes, tmp_path: Path, capsys):
    code, out, err = run(tmp_path, capsys, "fetch", "hf", "--date", "2026-06-12")
    assert code == 0, err
    assert "3 new" in out
    assert ("/api/daily_papers", {"date": "2026-06-12", "limit": "100", "p": "0"}) in routes.seen
    with Library(tmp_path) as library:
        paper = library.entry("2606.11409").paper
        assert paper.url == "https://arxiv.org/abs/2606.11409"
        assert paper.authors and paper.upvotes is not None
        assert paper.featured is not None and paper.featured.isoformat() == "2026-06-12"
        assert paper.github and paper.github.startswith("https://github.com/")
        linked = library.entry("2606.08063").paper
        assert linked.project_page and linked.project_page.startswith("http")
        assert linked.comments is not None
    code, out, _ = run(tmp_path, capsys, "show", "2606.11409")
    assert "2026-06-12 on Hugging Face" in out and "Code:" in out


def test_fetch_hf_bad_date_is_one_line(routes: Routes, tmp_path: Path, capsys):
    code, _, err = run(tmp_path, capsys, "fetch", "hf", "--date", "12/06/2026")
    assert code == 1 and err.count("\n") == 1 and err.startswith("reader: error:")


def test_a_title_only_paper_gains_its_id_and_keeps_its_state(routes, tmp_path: Path, capsys):
    assert run(tmp_path, capsys, "import", str(seed_path(1)))[0] == 0
    key = title_key(MOTION)
    assert run(tmp_path, capsys, "mark", key, "--star")[0] == 0
    routes.hf = hf_items(first_title=MOTION.upper())
    code, out, _ = run(tmp_path, capsys, "fetch", "hf")
    assert code == 0 and "2 new, 1 updated" in out
    with Library(tmp_path) as library:
        entry = library.entry(key)
        assert entry.paper.arxiv_id == "2606.11409"
        assert entry.paper.url == "https://arxiv.org/abs/2606.11409"
        assert len(entry.paper.authors) > 1
        assert entry.state.starred
        assert library.resolve("arXiv:2606.11409v2") == key


def test_fetch_arxiv_search_and_rss(routes: Routes, tmp_path: Path, capsys):
    code, out, err = run(
        tmp_path, capsys, "fetch", "arxiv", "cat:cs.LG AND abs:causal", "--max", "3"
    )
    assert code == 0, err
    assert "new" in out
    _path, params = next(item for item in routes.seen if item[0] == "/api/query")
    assert params["search_query"] == "cat:cs.LG AND abs:causal"
    code, out, err = run(tmp_path, capsys, "fetch", "arxiv", "--rss", "cs.LG")
    assert code == 0, err
    assert out.startswith("Fetched")
    code, out, _ = run(tmp_path, capsys, "fetch", "arxiv", "--rss", "math.AG")
    assert code == 0 and out.startswith("Nothing new")


def test_import_a_list_of_arxiv_ids(routes: Routes, tmp_path: Path, capsys):
    ids = tmp_path / "ids.txt"
    ids.write_text("arXiv:2606.11409v2\nhttps://arxiv.org/abs/2606.09290\n\n2606.08063\n")
    code, _out, err = run(tmp_path / "lib", capsys, "import", str(ids))
    assert code == 0, err
    _path, params = next(item for item in routes.seen if item[0] == "/api/query")
    assert params["id_list"].split(",") == ["2606.11409", "2606.09290", "2606.08063"]


def test_offline_is_one_clear_line(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("READER_HF_URL", "http://127.0.0.1:9")  # nothing listens there
    code, out, err = run(tmp_path, capsys, "fetch", "hf")
    assert code == 1 and out == ""
    assert err.startswith("reader: error: cannot reach") and err.count("\n") == 1
