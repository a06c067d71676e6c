"""The benchmarks cannot rot: the corpus generator makes valid pages, and the quick benchmark
runs end to end and reports every figure (never checked against time thresholds)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from benchmarks import corpus, vocabulary
from benchmarks.bench import FIGURE_IDS
from benchmarks.process_figures import measured_run
from reader.sources.detect import parse_text
from reader.sources.hfpage import looks_like_page, parse_page

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 21)


def test_same_seed_same_text_and_other_seed_other_text():
    assert corpus.generate_page(300, seed=7) == corpus.generate_page(300, seed=7)
    assert corpus.generate_page(300, seed=7) != corpus.generate_page(300, seed=8)


def test_a_smaller_page_is_the_start_of_a_larger_one():
    # Papers come in a fixed order, so a 100-paper page is the first 100 of a 200-paper one.
    assert corpus.generate_page(200, seed=3).startswith(corpus.generate_page(100, seed=3))


def test_written_page_is_the_generated_text(tmp_path):
    path = corpus.write_page(tmp_path / "page.txt", 2_500, seed=2)
    assert path.read_text(encoding="utf-8") == corpus.generate_page(2_500, seed=2)


def test_the_page_parses_back_to_exactly_the_generated_papers():
    count = 2_000
    text = corpus.generate_page(count, seed=1)
    assert looks_like_page(text)
    parsed = [item.paper for item in parse_page(text, today=TODAY)]
    expected = corpus.generate_papers(count, seed=1)
    assert len(parsed) == count
    assert len({paper.title for paper in parsed}) == count
    assert len({paper.key for paper in parsed}) == count
    for paper, record in zip(parsed, expected, strict=True):
        assert paper.title == record["title"]
        assert paper.abstract == record["abstract"]
        assert paper.published is not None
        assert paper.published.isoformat() == record["published"]
        assert paper.upvotes == record["upvotes"]
        assert paper.author_count == record["author_count"]
        if record["organization"] is None:
            assert paper.organization is None
        else:
            # The page shows "handle Display Name"; the paper keeps the display name.
            assert record["organization"].endswith(paper.organization)
    # Detected as a page by the import path too.
    assert len(parse_text(text, "auto")) == count


def test_lengths_dates_votes_and_bylines_look_like_the_real_site():
    papers = corpus.generate_papers(5_000, seed=0)
    assert 70 <= statistics.mean(len(paper["title"]) for paper in papers) <= 90
    assert 1_100 <= statistics.mean(len(paper["abstract"]) for paper in papers) <= 1_300
    assert all("\n" not in paper["title"] + paper["abstract"] for paper in papers)
    years = {paper["published"][:4] for paper in papers}
    assert years == {str(year) for year in range(2019, 2026)}
    votes = [paper["upvotes"] for paper in papers]
    assert statistics.median(votes) <= 10
    assert 0 < sum(vote >= 100 for vote in votes) < len(votes) // 20
    assert max(votes) <= 500
    organizations = sum(paper["organization"] is not None for paper in papers)
    assert 0.03 * len(papers) < organizations < 0.15 * len(papers)


def test_words_follow_a_zipf_like_curve():
    words = vocabulary.vocabulary()
    assert len(words) > 3_000
    assert len(set(words)) == len(words)
    shares = [vocabulary.word_share(word) for word in words[:10]]
    assert shares == sorted(shares, reverse=True)
    # Rank 1 is about ten times as frequent as rank 10.
    assert 7 < shares[0] / shares[9] < 13
    # The word the benchmark lists by matches a few percent of papers.
    word = corpus.word_for_share(0.03)
    papers = corpus.generate_papers(3_000, seed=0)
    share = sum(f" {word}" in " " + paper["abstract"].lower() for paper in papers) / len(papers)
    assert 0.01 < share < 0.08


@pytest.mark.parametrize("start", [0, 70**3 - 1_000, 70**3 + 70**4 - 1_000])
def test_distinguishing_tokens_are_unique_across_widths(start):
    tokens = [corpus.distinguishing_token(index) for index in range(start, start + 2_000)]
    assert len(set(tokens)) == len(tokens)
    assert all(token.isalpha() and token[0].isupper() for token in tokens)


def test_the_generated_snapshot_has_one_record_per_paper():
    """Every id once up to the real file's 2.7 million lines: a repeated id would turn the
    million-paper import into one that updates a tenth of its papers."""
    from benchmarks.inputs_corpus import snapshot_id
    from reader.identity import normalize_arxiv_id

    numbers = [*range(150_000), *range(900_000, 950_000), *range(2_650_000, 2_700_000)]
    ids = [snapshot_id(number) for number in numbers]
    assert len(set(ids)) == len(ids)
    assert all(normalize_arxiv_id(arxiv_id) == arxiv_id for arxiv_id in ids[::997])


def _quick_benchmark(output: Path, *options: str) -> tuple[str, dict[str, Any]]:
    """Run `benchmarks.bench --quick` with these options: its output and its JSON."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench", "--quick", f"--json={output}", *options],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,  # about a minute on an idle machine; a hang still ends
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads(output.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_quick_benchmark_reports_every_figure(tmp_path):
    stdout, results = _quick_benchmark(tmp_path / "bench.json")
    assert "ratio" in stdout and "1,000 papers" in stdout
    assert results["quick"] is True
    (size,) = results["sizes"]
    assert size["n"] == 1_000
    figures = {figure["id"]: figure for figure in size["figures"]}
    assert tuple(figures) == FIGURE_IDS
    for figure in [*figures.values(), results["state_change"]]:
        assert figure["reader"] > 0, figure
        assert figure["baseline"] > 0, figure
        assert figure["ratio"] > 0, figure
        assert figure["verdict"] is None  # quick mode judges nothing
    queries = size["filter_queries"]
    assert len(queries) == 9  # eight queries and clearing the filter
    for query in queries:
        assert query["reader_times"] and min(query["reader_times"]) > 0, query
        assert query["baseline_times"] and min(query["baseline_times"]) > 0, query
        # The baseline filters exactly like reader, or the comparison would be unfair.
        assert query["reader_rows"] == query["baseline_rows"], query
    assert max(query["reader_rows"] for query in queries) == 1_000


@pytest.mark.slow
def test_the_for_you_benchmark_alone_reports_its_figures(tmp_path):
    _, results = _quick_benchmark(tmp_path / "bench.json", "--only=foryou")
    (size,) = results["sizes"]
    figures = {figure["id"]: figure for figure in size["figures"]}
    assert tuple(figures) == FIGURE_IDS[FIGURE_IDS.index("import_vectors") :]
    for figure in figures.values():
        assert figure["reader"] > 0 and figure["baseline"] > 0, figure
    assert "state_change" not in results and "inputs" not in results
    assert set(results["ranking_quality"]["scenarios"]) == {"read", "dismissed"}


def test_a_command_s_peak_memory_is_its_own_not_the_benchmark_s(tmp_path):
    # The kernel carries a parent's high-water mark over `exec`: the benchmark, holding a
    # million generated papers (2 GB), reported every import it timed as 2 GB big.
    ballast = bytearray(300 << 20)
    ballast[:: 1 << 12] = b"\x01" * len(range(0, len(ballast), 1 << 12))  # touch every page
    env = dict(os.environ)
    _, small = measured_run([sys.executable, "-c", "pass"], env)
    _, large = measured_run(
        [sys.executable, "-c", "b = bytearray(200 << 20); b[:: 4096] = b'1' * len(b[:: 4096])"],
        env,
    )
    assert small < 100 << 10, small  # KB: the interpreter alone, not this 300 MB process
    assert 200 << 10 < large < 290 << 10, large
    assert len(ballast) == 300 << 20


def test_the_floor_ratio_script_alternates_imports_and_floors(tmp_path):
    page = tmp_path / "page.txt"
    output = tmp_path / "ratio.json"
    arguments = ["--size", "300", "--rounds", "2", "--page", str(page)]
    command = [sys.executable, "-m", "benchmarks.floor_ratio", *arguments, "--json", str(output)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr
    assert page.read_text(encoding="utf-8") == corpus.generate_page(300, seed=0)
    results = json.loads(output.read_text(encoding="utf-8"))
    assert [sample["round"] for sample in results["samples"]] == [1, 2]
    for sample in results["samples"]:
        assert sample["floor"] > 0 and sample["floor_cpu"] > 0
        (measured,) = sample["imports"].values()
        assert measured["seconds"] > 0 and measured["cpu"] > 0
        assert 10 << 10 < measured["max_rss_kb"] < 1 << 20  # KB: the import's own
    (summary,) = results["summary"].values()
    assert summary["median_ratio"] > 0 and len(summary["ratios"]) == 2
    assert "the floor" in done.stdout
    # The page is kept and reused: a second run does not write it again.
    written = page.stat().st_mtime_ns
    again = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    assert again.returncode == 0, again.stderr
    assert page.stat().st_mtime_ns == written
