"""Ranking again after a label changes: the draw of unlabeled papers, warm starts, the order
and its cache, and the term matrix they rest on (see `reader.ranking.model`)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from benchmarks.ranking_quality import Record
from reader.library import Library
from reader.model import Incoming, Paper
from reader.ranking import features, model
from reader.ranking.matrix import TermMatrix
from reader.ranking.ranker import descending, highest
from reader.ranking.store import Frequencies
from tests.unit.conftest import printed_by_processes

# --- the matrix -----------------------------------------------------------------------------


def _frequencies(texts: list[str], rowids: list[int]) -> Frequencies:
    batch = features.vectorize(texts)
    values = (1 + np.log(batch.counts.astype(np.float64))).astype(np.float32)
    return Frequencies(
        np.asarray(rowids, dtype=np.int64),
        np.zeros(len(rowids), dtype=np.int64),
        batch.indptr,
        batch.columns.copy(),
        values,
    )


TEXTS = [
    "causal models of causal graphs",
    "graph neural networks for molecules",
    "sparse coding of natural images",
    "causal discovery with neural networks",
    "images of molecules",
    "a unique word zyxwv",
]


def test_the_matrix_is_tf_idf_over_the_terms_most_frequent_first():
    """Row i, column j holds paper i's TF-IDF weight of the term hashed to `columns[j]`,
    computed here the plain way over every hashed column."""
    matrix = TermMatrix(_frequencies(TEXTS, [2, 3, 5, 8, 13, 21]))
    batch = features.vectorize(TEXTS)
    counts = np.zeros((len(TEXTS), features.COLUMNS))
    for row in range(len(TEXTS)):
        columns, numbers = batch.row(row)
        counts[row, columns] = numbers
    frequency = (counts > 0).sum(axis=0)
    idf = np.log((1 + len(TEXTS)) / (1 + frequency)) + 1
    idf[frequency < 2] = 0
    expected = np.where(counts > 0, 1 + np.log(np.maximum(counts, 1)), 0) * idf
    lengths = np.linalg.norm(expected, axis=1, keepdims=True)
    expected = expected / np.where(lengths > 0, lengths, 1)
    assert np.allclose(matrix.weights.toarray(), expected[:, matrix.columns], atol=1e-6)
    # Every term any paper uses has a column, the most frequent first.
    assert sorted(matrix.columns.tolist()) == np.flatnonzero(frequency).tolist()
    assert np.all(np.diff(frequency[matrix.columns]) <= 0)


def test_the_store_reads_frequencies_as_the_counts_say(sample_library: Library):
    store = sample_library.ranking.engine.store
    sample_library.ranking.engine.sync()
    stored = store.load()
    read = store.frequencies()
    assert read.rowids.tolist() == stored.rowids.tolist()
    assert read.indptr.tolist() == stored.batch.indptr.tolist()
    assert read.columns.tolist() == stored.batch.columns.tolist()
    assert np.allclose(read.values, 1 + np.log(stored.batch.counts.astype(np.float64)))


# --- the draw of unlabeled papers ---------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(1, 10**12), min_size=1, max_size=60), st.data())
def test_the_draw_depends_on_row_ids_only_and_new_papers_move_no_other(
    rowids: set[int], data: st.DataObject
):
    ordered = sorted(rowids)
    kept = data.draw(st.lists(st.sampled_from(ordered), unique=True, min_size=1))
    whole = TermMatrix(_frequencies(["paper"] * len(ordered), ordered))
    part = TermMatrix(_frequencies(["paper"] * len(kept), sorted(kept)))
    drawn = whole.rowids[whole.draw_order(model.SEED)].tolist()
    # The papers of the smaller library come in the same order within the larger one.
    assert [r for r in drawn if r in set(kept)] == part.rowids[part.draw_order(model.SEED)].tolist()
    assert sorted(drawn) == ordered


def test_the_draw_is_the_same_in_every_process():
    code = (
        "import numpy as np\n"
        "from tests.unit.test_reranking import _frequencies\n"
        "from reader.ranking.matrix import TermMatrix\n"
        "m = TermMatrix(_frequencies(['paper'] * 50, list(range(7, 57))))\n"
        "print(m.draw_order(12).tolist())\n"
    )
    first, second = printed_by_processes(code)
    assert first == second
    assert first != str(list(range(50)))  # drawn, not in row order


def test_one_more_label_changes_the_draw_by_one_paper_at_most(
    sample_library: Library, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(model, "UNLABELED_SAMPLE", 30)
    matrix = sample_library.ranking.engine.matrix()
    labeled = np.zeros(len(matrix), dtype=bool)
    labeled[[0, 5, 9]] = True
    before = model.unlabeled_sample(matrix, labeled)
    assert len(before) == 30 and not labeled[before].any()
    assert model.unlabeled_sample(matrix, labeled).tolist() == before.tolist()  # the same
    labeled[before[3]] = True  # a drawn paper is starred: the next paper in line comes in
    after = model.unlabeled_sample(matrix, labeled)
    assert len(after) == 30 and not labeled[after].any()
    assert len(set(before.tolist()) - set(after.tolist())) == 1
    labeled[:] = True
    assert len(model.unlabeled_sample(matrix, labeled)) == 0


# --- warm starts and the order after a star -----------------------------------------------


def _label(library: Library, papers: list[Record], count: int) -> tuple[list[str], list[str]]:
    theory = [p.id for p in papers if p.categories[0] == "math.NT"]
    control = [p.id for p in papers if p.categories[0] != "math.NT"]
    library.set_starred(theory[:count], True)
    library.set_read(control[:count], True)
    return theory, control


def test_a_warm_start_ranks_as_a_cold_start(arxiv):
    library, papers = arxiv
    theory, _ = _label(library, papers, 6)
    engine = library.ranking.engine
    matrix = engine.matrix()
    first = model.score(matrix, engine.labels())
    assert first is not None and first.trained is not None
    library.set_starred([theory[6]], True)  # one more star
    labels = engine.labels()
    cold = model.score(matrix, labels)
    warm = model.score(matrix, labels, first.trained)
    assert cold is not None and warm is not None
    assert cold.trained is not None and warm.trained is not None
    spread = float(np.ptp(cold.values))
    assert np.abs(cold.values - warm.values).max() < 1e-3 * spread
    # The same first page, but for papers of equal scores (up to the solver's tolerance).
    page, warm_page = descending(cold.values)[:20], descending(warm.values)[:20]
    assert np.allclose(cold.values[page], cold.values[warm_page], rtol=0, atol=1e-5 * spread)
    assert np.mean(page == warm_page) >= 0.9
    # Started from the answer itself, the solver has nothing left to do.
    again = model.score(matrix, labels, warm.trained)
    assert again is not None and again.trained is not None
    assert again.trained.steps <= 2 < cold.trained.steps


def test_a_warm_start_survives_a_matrix_loaded_anew(arxiv):
    """Weights are carried by term, not by the matrix's column numbers, which change when
    papers are added."""
    library, papers = arxiv
    _label(library, papers, 6)
    engine = library.ranking.engine
    trained = model.score(engine.matrix(), engine.labels())
    assert trained is not None and trained.trained is not None
    library.import_papers(
        [Incoming(Paper(key="new-1", title="Primes in progressions", abstract="Sieves."))]
    )
    matrix = engine.matrix()
    assert trained.trained.columns is not matrix.columns
    labels = engine.labels()
    cold = model.score(matrix, labels)
    warm = model.score(matrix, labels, trained.trained)
    assert cold is not None and warm is not None
    assert spearmanr(cold.values, warm.values).statistic > 0.9999


def test_the_order_after_stars_is_the_order_a_fresh_start_gives(arxiv):
    library, papers = arxiv
    theory, control = _label(library, papers, 5)
    library.keys("", "relevance")  # trained once: each training below starts from the last
    for key in theory[5:8]:
        library.set_starred([key], True)
        assert key in library.keys("", "relevance")[:40]  # a starred paper ranks high
    library.set_dismissed(control[5:7], True)
    after = library.keys("", "relevance")
    library.close()
    fresh = Library(library.folder)
    fresh.ranking.engine.store.remember("order", "-", b"")  # forget the order: train anew
    cold = fresh.keys("", "relevance")
    fresh.close()
    assert cold[:20] == after[:20]
    place = {key: index for index, key in enumerate(cold)}
    assert spearmanr(range(len(after)), [place[key] for key in after]).statistic > 0.9999


# --- the order and its cache --------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from([-np.inf, -2.5, -1.0, -0.0, 0.0, 1e-30, 0.5, 1.0, 3.25, np.inf]),
        max_size=40,
    )
)
def test_descending_is_highest_first_and_equal_scores_latest_first(values: list[float]):
    scores = np.asarray(values, dtype=np.float32)
    expected = np.argsort(-scores[::-1], kind="stable")
    expected = (len(scores) - 1 - expected).tolist()
    assert descending(scores).tolist() == expected


def test_an_order_is_kept_for_the_next_process_when_the_library_closes(
    sample_library: Library,
):
    library = sample_library
    keys = library.keys()
    library.set_starred(keys[:5], True)
    library.set_read(keys[10:15], True)
    order = library.keys("", "relevance")
    engine = library.ranking.engine
    # Not written while the user waits for the order...
    assert engine._unsaved
    assert library.keys("", "relevance") == order  # ...yet the same order meanwhile
    library.close()
    reopened = Library(library.folder)
    assert reopened.keys("", "relevance") == order
    assert reopened.ranking._engine is not None and reopened.ranking.engine._scores is None
    reopened.close()


def test_drawing_rows_never_waits_for_training(
    sample_library: Library, monkeypatch: pytest.MonkeyPatch
):
    """The app draws rows on its UI thread while its search worker learns the order: the
    rows must come at once, not when the training is done."""
    library = sample_library
    keys = library.keys()
    library.set_starred(keys[:5], True)
    library.set_read(keys[10:15], True)
    training, drawn, trained = threading.Event(), threading.Event(), threading.Event()
    learn = model.score

    def held_training(*args: Any, **options: Any) -> model.Scores | None:
        training.set()
        drawn.wait(30)  # the training goes on until the rows are drawn (or 30 s pass)
        try:
            return learn(*args, **options)
        finally:
            trained.set()

    monkeypatch.setattr(model, "score", held_training)
    worker = threading.Thread(target=library.rowids, args=("", "relevance"))
    worker.start()
    assert training.wait(30)
    rows = library.rows(list(library.rowids("", "date")[:10]))
    finished_first = trained.is_set()
    drawn.set()
    worker.join(60)
    assert len(rows) == 10
    assert not finished_first  # the rows came while the training was still going on


# --- the first page, before the whole order -------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.sampled_from([-np.inf, -2.5, -1.0, -0.0, 0.0, 1e-30, 0.5, 1.0, 3.25, np.inf]),
        max_size=40,
    ),
    st.integers(min_value=0, max_value=45),
)
def test_the_highest_scores_are_the_first_page_of_descending(values: list[float], count: int):
    """Picked by a partition, not a sort: the same papers in the same order, equal scores
    (many here) latest first, wherever the cut falls among them."""
    scores = np.asarray(values, dtype=np.float32)
    assert highest(scores, count).tolist() == descending(scores)[:count].tolist()


def test_the_first_page_of_a_re_rank_is_the_first_page_of_the_whole_order(arxiv):
    """What the app paints first after a star (`relevance_page`) is what the whole order
    then shows at the top, also with papers of equal scores across the page's end."""
    library, papers = arxiv
    theory, _ = _label(library, papers, 5)
    engine = library.ranking.engine
    top = library.keys("", "relevance")[0]
    paper = next(record for record in papers if record.id == top)
    # Copies of the top paper, added after it: their titles differ by stop words only (not
    # the same paper, for the import), so their vectors and scores are the same.
    library.import_papers(
        [
            Incoming(
                Paper(
                    key=f"copy-{n}",
                    title=f"{paper.title}{' the' * (n + 1)}",
                    abstract=paper.abstract,
                )
            )
            for n in range(4)
        ]
    )
    for star in theory[5:7]:
        library.set_starred([star], True)  # learned anew: no order at hand
        assert not engine.order_at_hand()
        pages = {count: engine.relevance_page(count) for count in range(1, 61)}
        assert not engine.order_at_hand()  # the page did not order every paper
        whole = library.rowids("", "relevance")
        assert engine.order_at_hand()
        for count, page in pages.items():
            assert page is not None
            assert page.tolist() == whole[:count].tolist()
    copies = library.ranking.rowids_of([top] + [f"copy-{n}" for n in range(4)])
    # The five equal scores are together, latest first, within the pages compared: pages
    # ending among them cut a tie.
    start = whole.tolist().index(max(copies.values()))
    assert start + 5 <= 60
    assert whole[start : start + 5].tolist() == sorted(copies.values(), reverse=True)
