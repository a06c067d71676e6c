"""The "for you" ranking: the text representation, its store, the model, and the library's
use of them, on real papers (the bundled pages and real arXiv abstracts)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reader import importing
from reader.errors import NotFoundError, ReaderError, StoreError
from reader.export.jsonl import to_jsonl
from reader.history import History
from reader.library import Library
from reader.model import Incoming, Paper, PaperState
from reader.query import SIMILAR_LIMIT
from reader.ranking import features
from reader.ranking.labels import Labels, labels_from
from reader.ranking.store import RANKING_FILE, VectorStore
from reader.sources.jsonl import parse_jsonl
from tests.conftest import REPO, seed_path
from tests.unit.conftest import printed_by_processes

# --- the text representation ------------------------------------------------------------


def _columns(text: str) -> set[int]:
    columns, _ = features.vectorize([text]).row(0)
    return set(columns.tolist())


def test_terms_are_words_of_two_letters_or_more_without_stop_words_or_numbers():
    terms = set(features.terms("The 3D model, 2024: a café's Self-Supervised x y model").values())
    assert terms == {"model", "café", "self", "supervised"}
    assert _columns("The 3D model, 2024: a café's Self-Supervised x y model") == set(
        features.terms("model café self supervised")
    )


def test_counts_and_rows_of_a_batch():
    batch = features.vectorize(["causal causal model", "", "model"])
    assert len(batch) == 3
    _, counts = batch.row(0)
    assert sorted(counts.tolist()) == [1, 2]
    assert len(batch.row(1)[0]) == 0
    assert batch.row(2)[0].tolist() == [features.vectorize(["model"]).columns[0]]


def test_the_words_of_real_abstracts_are_the_columns_vectorized():
    papers = [item.paper for item in importing.read_files([str(seed_path(0))])]
    texts = [features.paper_text(paper.title, paper.abstract) for paper in papers]
    batch = features.vectorize(texts)
    for index, text in enumerate(texts):
        assert set(batch.row(index)[0].tolist()) == set(features.terms(text))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=6))
@example(texts=["\U0010c882"])  # hashes into a stop word's column
def test_vectorizing_a_batch_is_vectorizing_each_text(texts: list[str]):
    # Hostile text too: NUL characters, lone surrogates, any script, empty strings.
    batch = features.vectorize(texts)
    assert len(batch) == len(texts)
    for index, text in enumerate(texts):
        columns, counts = batch.row(index)
        alone, alone_counts = features.vectorize([text]).row(0)
        assert columns.tolist() == alone.tolist()
        assert counts.tolist() == alone_counts.tolist()
        assert set(columns.tolist()) == set(features.terms(text))
        assert all(count >= 1 for count in counts.tolist())


def test_large_inputs_are_hashed_in_slices_with_the_same_result(monkeypatch):
    papers = [item.paper for item in importing.read_files([str(seed_path(2))])]
    texts = [features.paper_text(paper.title, paper.abstract) for paper in papers]
    whole = features.vectorize(texts)
    monkeypatch.setattr(features, "CHUNK_BYTES", 3000)
    sliced = features.vectorize(texts)
    assert whole.indptr.tolist() == sliced.indptr.tolist()
    assert whole.columns.tolist() == sliced.columns.tolist()


def test_a_term_has_the_same_column_in_every_process():
    # Python randomizes str hashes per process; the columns must not depend on that.
    code = "from reader.ranking import features; print(sorted(features.terms('causal model')))"
    here = str(sorted(features.terms("causal model")))
    assert printed_by_processes(code) == [here, here]


# --- the store ---------------------------------------------------------------------------


def test_store_round_trip_and_replacement(tmp_path: Path):
    store = VectorStore(tmp_path / RANKING_FILE)
    batch = features.vectorize(["causal models", "sparse coding of images", ""])
    store.put([3, 7, 9], [11, 12, 13], batch)
    assert store.coverage() == (3, 9)
    loaded = store.load()
    assert loaded.rowids.tolist() == [3, 7, 9]
    assert loaded.hashes.tolist() == [11, 12, 13]
    assert loaded.batch.columns.tolist() == batch.columns.tolist()
    # A changed paper replaces its row; the generation says the vectors changed.
    generation = store.generation()
    store.put([7], [99], features.vectorize(["graph neural networks"]))
    assert store.generation() > generation
    assert store.hashes() == {3: 11, 7: 99, 9: 13}
    assert store.load([7]).batch.columns.tolist() == sorted(features.terms("graph neural networks"))
    store.close()


def test_a_damaged_store_is_one_clear_error(tmp_path: Path):
    (tmp_path / RANKING_FILE).write_bytes(b"not a database at all" * 100)
    store = VectorStore(tmp_path / RANKING_FILE)
    with pytest.raises(StoreError) as raised:
        store.coverage()
    assert "reader doctor" in str(raised.value) and "\n" not in str(raised.value)


# --- labels ----------------------------------------------------------------------------


def test_labels_from_the_users_state():
    states = [
        PaperState("s", starred=True, read=True),
        PaperState("t", tags=("x",)),
        PaperState("n", note="good"),
        PaperState("r", read=True),
        PaperState("d", read=True, dismissed=True),
        PaperState("sd", starred=True, dismissed=True),  # a star says more than a dismissal
        PaperState("blank", note="  "),
        PaperState("unknown", starred=True),
    ]
    rowids = {key: number for number, key in enumerate(["s", "t", "n", "r", "d", "sd", "blank"])}
    labels = labels_from(states, rowids)
    assert labels.positive == {0: "starred", 1: "tagged", 2: "noted", 5: "starred"}
    assert labels.read == frozenset({3})
    assert labels.dismissed == frozenset({4})
    assert not labels.trainable
    assert labels.fingerprint() != Labels().fingerprint()


# --- the library -------------------------------------------------------------------------


def _auc(ranked_keys: list[str], relevant: set[str]) -> float:
    positives = negatives_seen = wins = 0
    for key in reversed(ranked_keys):  # from the bottom: count negatives below each positive
        if key in relevant:
            wins += negatives_seen
            positives += 1
        else:
            negatives_seen += 1
    return wins / (positives * negatives_seen)


def test_starred_papers_of_one_class_rank_that_class_first(arxiv):
    library, papers = arxiv
    theory = [p.id for p in papers if p.categories[0] == "math.NT"]
    others = [p.id for p in papers if p.categories[0] != "math.NT"]
    assert library.relevance() is None  # nothing liked yet
    # Few labels: by similarity to the nearest starred paper.
    library.set_starred(theory[:3], True)
    nearest = library.relevance()
    assert nearest is not None and nearest.mode == "nearest"
    # Five of each: a model.
    library.set_starred(theory[3:5], True)
    library.set_read(others[:5], True)
    assert library.relevance().mode == "model"
    order = library.keys("", "relevance")
    labeled = set(theory[:5]) | set(others[:5])
    rest = [key for key in order if key not in labeled]
    assert _auc(rest, set(theory)) > 0.85
    assert sum(key in set(theory) for key in rest[:20]) >= 16


def test_dismissed_papers_and_their_like_sink(arxiv):
    library, papers = arxiv
    theory = {p.id for p in papers if p.categories[0] == "math.NT"}
    control = [p.id for p in papers if p.categories[0] == "math.OC"]
    library.set_starred(sorted(theory)[:5], True)
    library.set_read(control[:5], True)
    before = library.keys("", "relevance")
    # The user dismisses the five papers of other classes ranked highest...
    wrong = [key for key in before if key not in theory and key not in control[:5]][:20]
    changes = library.set_dismissed(wrong[:5], True)
    assert {change.name for change in changes} == {"dismissed", "read"}
    after = library.keys("", "relevance")
    # ...they sink, and so do the other papers that had ranked high with them.
    assert all(after.index(key) > before.index(key) for key in wrong[:5])
    assert np.mean([after.index(k) for k in wrong[5:]]) > np.mean(
        [before.index(k) for k in wrong[5:]]
    )
    assert sorted(library.keys("is:dismissed")) == sorted(wrong[:5])
    assert all(library.state_of(key).read for key in wrong[:5])


def test_dismiss_undoes_as_one_step_and_undismiss_keeps_read(sample_library: Library):
    library = sample_library
    key = library.keys()[0]
    history = History(library.revert, library.reapply)
    history.record("Not interested", library.set_dismissed([key], True))
    assert (library.state_of(key).read, library.state_of(key).dismissed) == (True, True)
    history.undo()
    assert (library.state_of(key).read, library.state_of(key).dismissed) == (False, False)
    history.redo()
    library.set_dismissed([key], False)
    assert (library.state_of(key).read, library.state_of(key).dismissed) == (True, False)
    with pytest.raises(NotFoundError):
        library.set_dismissed(["no-such-paper"], True)


def test_dismissed_survives_a_json_lines_backup(sample_library: Library, tmp_path: Path):
    key = sample_library.keys()[3]
    sample_library.set_dismissed([key], True)
    text = to_jsonl(sample_library.entries(""))
    assert '"dismissed":true' in text
    with Library(tmp_path / "restored") as restored:
        restored.import_papers(parse_jsonl(text))
        state = restored.state_of(key)
        assert state.dismissed and state.read and state.dismissed_at is not None
        assert restored.keys("is:dismissed") == [key]


def test_similar_papers(arxiv):
    library, papers = arxiv
    anchor = next(p for p in papers if p.categories[0] == "math.PR")
    found = library.keys(f"similar:{anchor.id}", "similar")
    assert 0 < len(found) <= SIMILAR_LIMIT
    assert anchor.id not in found
    classes = {p.id: p.categories[0] for p in papers}
    # A third of the library is of its class; far more of the ten most similar are.
    assert Counter(classes[key] for key in found[:10])["math.PR"] >= 5
    # Another sort keeps the same papers; a negation is the rest of the library.
    assert sorted(library.keys(f"similar:{anchor.id}", "title")) == sorted(found)
    assert library.count(f"-similar:{anchor.id}") == len(papers) - len(found)
    # A unique key prefix names the paper too.
    assert library.keys(f"similar:{anchor.id[:9]}", "similar") == found


def test_similar_names_an_unknown_paper_in_one_line(sample_library: Library):
    with pytest.raises(ReaderError) as raised:
        sample_library.keys("similar:nothing-like-it")
    assert "no paper with key" in str(raised.value)


def test_an_order_with_nothing_liked_is_newest_first(sample_library: Library):
    assert sample_library.keys("", "relevance") == sample_library.keys("", "date")
    assert sample_library.keys("caus", "relevance") == sample_library.keys("caus", "date")


def test_vectors_follow_the_catalog(sample_library: Library, tmp_path: Path):
    library = sample_library
    store = VectorStore(library.folder / RANKING_FILE)
    assert store.coverage()[0] == len(library)  # built by the import itself
    # A new abstract for a known paper: its vector is replaced.
    key = library.keys()[0]
    paper = library.entry(key).paper
    library.import_papers(
        [Incoming(Paper(key=key, title=paper.title, abstract="Entirely new words."), keyed=True)]
    )
    (rowid,) = library.ranking.rowids_of([key]).values()
    assert store.load([rowid]).batch.columns.tolist() == sorted(
        features.terms(features.paper_text(paper.title, "Entirely new words."))
    )
    # Vectors lost (or never made): caught up from the catalog when next needed.
    library.close()
    for path in library.folder.glob(RANKING_FILE + "*"):
        path.unlink()
    with Library(library.folder) as reopened:
        reopened.set_starred([key], True)
        assert reopened.relevance() is not None
        assert VectorStore(reopened.folder / RANKING_FILE).coverage()[0] == len(reopened)


def test_a_catalog_changed_behind_the_vectors_is_noticed(sample_library: Library):
    library = sample_library
    key = library.keys()[5]
    library.set_starred([key], True)
    before = library.keys("", "relevance")
    # Another program rewrites every abstract (as a rebuilt catalog would hold others).
    with sqlite3.connect(library.folder / "catalog.sqlite3") as db:
        db.execute("UPDATE papers SET abstract = 'quantum chromodynamics' || rowid")
    library.close()
    with Library(library.folder) as reopened:
        assert reopened.keys("", "relevance") != before
        checked = reopened.ranking.engine.check(fix=False)
        assert checked.healthy


def test_a_cached_order_is_read_without_loading_numpy_or_scipy(sample_library: Library):
    library = sample_library
    keys = library.keys()
    library.set_starred(keys[:5], True)
    library.set_read(keys[10:15], True)
    expected = library.keys("", "relevance")
    library.close()
    code = (
        "import sys; from pathlib import Path; from reader.library import Library\n"
        f"lib = Library(Path({str(library.folder)!r}))\n"
        "print(','.join(lib.keys('', 'relevance')))\n"
        "print(sorted(m for m in ('numpy', 'scipy') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    order, loaded = done.stdout.strip().splitlines()
    assert order.split(",") == expected
    assert loaded == "[]"


def test_reasons_name_the_nearest_liked_paper_and_words(arxiv):
    library, papers = arxiv
    theory = [p.id for p in papers if p.categories[0] == "math.NT"]
    library.set_starred(theory[:2], True)
    library.set_tags(theory[2], ["primes"])
    reasons = library.reasons(theory[3:8], terms=3)
    assert set(reasons) == set(theory[3:8])
    for reason in reasons.values():
        assert reason.key in theory[:3]
        assert reason.why in ("starred", "tagged")
        assert 1 <= len(reason.terms) <= 3
    # A liked paper is never its own reason.
    assert library.reasons([theory[0]])[theory[0]].key != theory[0]


@pytest.mark.slow
def test_the_trainer_finds_what_scikit_learn_finds(arxiv):
    """The model is a weighted squared-hinge linear SVM: scikit-learn's `LinearSVC` on the
    same weighted problem ranks the papers the same way."""
    from scipy.stats import spearmanr
    from sklearn.svm import LinearSVC

    from reader.ranking import model

    library, papers = arxiv
    theory = [p.id for p in papers if p.categories[0] == "math.NT"]
    control = [p.id for p in papers if p.categories[0] != "math.NT"]
    library.set_starred(theory[:6], True)
    library.set_read(control[:6], True)
    library.set_dismissed(control[6:9], True)
    engine = library.ranking.engine
    matrix = engine.matrix()
    labels = engine.labels()
    ours = model.score(matrix, labels)
    positives = matrix.positions(sorted(labels.positive))
    read = matrix.positions(sorted(labels.read))
    dismissed = matrix.positions(sorted(labels.dismissed))
    labeled = np.zeros(len(matrix), bool)
    labeled[np.concatenate([positives, read, dismissed])] = True
    unlabeled = np.flatnonzero(~labeled)  # fewer than the sample: all of them
    rows = np.concatenate([positives, read, dismissed, unlabeled])
    target = np.r_[np.ones(len(positives)), np.zeros(len(rows) - len(positives))]
    weight = np.r_[
        np.ones(len(positives)),
        np.full(len(read), model.WEIGHT_READ),
        np.full(len(dismissed), model.WEIGHT_DISMISSED),
        np.full(len(unlabeled), model.WEIGHT_UNLABELED),
    ]
    weight[: len(positives)] *= weight[len(positives) :].sum() / len(positives)
    reference = LinearSVC(C=model.C, tol=1e-8, max_iter=100_000, intercept_scaling=100)
    reference.fit(matrix.weights[rows], target, sample_weight=weight)
    theirs = reference.decision_function(matrix.weights)
    assert spearmanr(ours.values, theirs).statistic > 0.995
