"""How good the "for you" order is, on real papers with real topic labels.

The papers are 3,397 real arXiv abstracts of May 2025 in mathematics with their subject
classes (`benchmarks/data`, see SOURCES.md there). For each of the largest classes and
several random draws, a user stars 5 papers of that class and either

- marks 5 papers of other classes read ("read"), or
- dismisses the 5 papers of other classes that the order ranked highest after the stars
  alone (what a user does on the first screen of "for you": "dismissed").

The rest of the papers (all but those 10) are ranked, and a paper counts as relevant when
it is listed in the class (as its primary class or a cross-list). Reported: ROC AUC (the
chance that a relevant paper ranks above an irrelevant one) and precision at 20 (the share
of relevant papers on the first screen), for reader's order (a real library, through
`Library`) and for the method of arxiv-sanity-lite in the same run: TF-IDF of title and
abstract with its settings, and a linear SVM (scikit-learn's `LinearSVC`, class-balanced,
C = 0.01) trained with the starred papers as positives and every other paper as negative
(it has no notion of read or dismissed). In the "dismissed" scenario reader is also run
with the same 5 papers marked read instead, to show what dismissing adds.
"""

from __future__ import annotations

import gzip
import json
import statistics
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from reader.library import Library
from reader.model import Incoming, Paper

DATA = Path(__file__).resolve().parent / "data" / "arxiv-math-2025-05.jsonl.gz"
STARS = 5
NEGATIVES = 5
TOP = 20


@dataclass(frozen=True, slots=True)
class Record:
    """One real paper."""

    id: str
    title: str
    abstract: str
    categories: tuple[str, ...]


def load(path: Path = DATA) -> list[Record]:
    """The benchmark's papers."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [
            Record(item["id"], item["title"], item["abstract"], tuple(item["categories"]))
            for item in map(json.loads, lines)
        ]


@dataclass(slots=True)
class Scores:
    """ROC AUC and precision@20 of one method over the trials."""

    auc: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)

    def add(self, relevant: npt.NDArray[np.bool_], scores: npt.NDArray[np.float64]) -> None:
        """Score one ranking of the rest."""
        from sklearn.metrics import roc_auc_score

        self.auc.append(float(roc_auc_score(relevant, scores)))
        top = np.argsort(-scores, kind="stable")[:TOP]
        self.precision.append(float(relevant[top].mean()))

    def summary(self) -> dict[str, float]:
        """Means over the trials."""
        return {
            "auc": statistics.mean(self.auc),
            "precision_at_20": statistics.mean(self.precision),
        }


class Baseline:
    """arxiv-sanity-lite's ranking: TF-IDF (its settings) and a linear SVM per user."""

    def __init__(self, papers: list[Record]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(
            input="content",
            encoding="utf-8",
            decode_error="replace",
            strip_accents="unicode",
            lowercase=True,
            analyzer="word",
            stop_words="english",
            token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
            ngram_range=(1, 2),
            max_features=10_000,
            norm="l2",
            use_idf=True,
            smooth_idf=True,
            sublinear_tf=True,
            max_df=0.5,
            min_df=5,
        )
        self.features = vectorizer.fit_transform(
            [f"{paper.title} {paper.abstract}" for paper in papers]
        ).astype(np.float32)

    def scores(self, starred: list[int]) -> npt.NDArray[np.float64]:
        """Every paper's score for these starred papers (every other paper a negative)."""
        from sklearn.svm import LinearSVC

        target = np.zeros(self.features.shape[0])
        target[starred] = 1
        model = LinearSVC(class_weight="balanced", max_iter=10_000, tol=1e-6, C=0.01)
        model.fit(self.features, target)
        return np.asarray(model.decision_function(self.features), dtype=np.float64)


class Reader:
    """reader's own order, from a real library holding the papers."""

    def __init__(self, papers: list[Record], folder: Path) -> None:
        self.library = Library(folder)
        self.keys = [paper.id for paper in papers]
        self.library.import_papers(
            [
                Incoming(Paper(key=p.id, title=p.title, abstract=p.abstract, arxiv_id=p.id))
                for p in papers
            ]
        )
        rowids = self.library.ranking.rowids_of(self.keys)
        self.rowids = np.array([rowids[key] for key in self.keys], dtype=np.int64)

    def close(self) -> None:
        """Close the library."""
        self.library.close()

    def scores(
        self, starred: list[int], read: list[int] = (), dismissed: list[int] = ()
    ) -> npt.NDArray[np.float64]:
        """Every paper's relevance with these labels (all others cleared)."""
        keys = self.keys
        library = self.library
        try:
            library.set_starred([keys[i] for i in starred], True)
            library.set_read([keys[i] for i in read], True)
            library.set_dismissed([keys[i] for i in dismissed], True)
            ranked = library.relevance()
            assert ranked is not None
            by_rowid = np.full(int(ranked.rowids.max()) + 1, -np.inf)
            by_rowid[ranked.rowids] = ranked.scores
            return by_rowid[self.rowids]
        finally:
            library.set_starred([keys[i] for i in starred], False)
            library.set_read([keys[i] for i in [*read, *dismissed]], False)
            library.set_dismissed([keys[i] for i in dismissed], False)


def run(categories: int = 10, draws: int = 5, seed: int = 0) -> dict[str, Any]:
    """The whole section; returns its results (means over categories and draws)."""
    papers = load()
    primary = [paper.categories[0] for paper in papers]
    chosen = [name for name, _ in Counter(primary).most_common(categories)]
    baseline = Baseline(papers)
    results: dict[str, dict[str, Scores]] = {
        "read": {"reader": Scores(), "baseline": Scores()},
        "dismissed": {"reader": Scores(), "reader_as_read": Scores(), "baseline": Scores()},
    }
    everyone = np.arange(len(papers))
    with tempfile.TemporaryDirectory(prefix="reader-quality-") as folder:
        reader = Reader(papers, Path(folder))
        try:
            for number, category in enumerate(chosen):
                listed = np.array([category in paper.categories for paper in papers])
                members = np.flatnonzero(np.array(primary) == category)
                others = np.flatnonzero(~listed)
                for draw in range(draws):
                    rng = np.random.default_rng([seed, number, draw])
                    starred = sorted(rng.choice(members, STARS, replace=False).tolist())
                    baseline_scores = baseline.scores(starred)
                    # "read": five random papers of other classes.
                    read = sorted(rng.choice(others, NEGATIVES, replace=False).tolist())
                    rest = np.setdiff1d(everyone, starred + read)
                    scores = results["read"]
                    scores["reader"].add(listed[rest], reader.scores(starred, read)[rest])
                    scores["baseline"].add(listed[rest], baseline_scores[rest])
                    # "dismissed": the five best-ranked papers of other classes after the
                    # stars alone.
                    first = reader.scores(starred)
                    ranked = [int(i) for i in np.argsort(-first, kind="stable")]
                    wrong = [i for i in ranked if not listed[i] and i not in starred]
                    dismissed = sorted(wrong[:NEGATIVES])
                    rest = np.setdiff1d(everyone, starred + dismissed)
                    scores = results["dismissed"]
                    scores["reader"].add(
                        listed[rest], reader.scores(starred, dismissed=dismissed)[rest]
                    )
                    scores["reader_as_read"].add(
                        listed[rest], reader.scores(starred, read=dismissed)[rest]
                    )
                    scores["baseline"].add(listed[rest], baseline_scores[rest])
        finally:
            reader.close()
    return {
        "papers": len(papers),
        "categories": chosen,
        "draws": draws,
        "scenarios": {
            scenario: {method: score.summary() for method, score in methods.items()}
            for scenario, methods in results.items()
        },
    }


def table(results: dict[str, Any]) -> str:
    """The section as an aligned table, with a verdict per scenario."""
    names = {
        "reader": "reader",
        "reader_as_read": "reader, the same 5 marked read instead",
        "baseline": "arxiv-sanity-lite (TF-IDF + linear SVM)",
    }
    rows = [("scenario", "method", "ROC AUC", "precision@20", "")]
    for scenario, methods in results["scenarios"].items():
        base = methods["baseline"]
        for method, values in methods.items():
            verdict = ""
            if method == "reader":
                better = (
                    values["auc"] >= base["auc"]
                    and values["precision_at_20"] >= base["precision_at_20"]
                )
                verdict = "✓ ≥ baseline on both" if better else "✗ below baseline"
            label = {
                "read": f"{STARS} starred + {NEGATIVES} read",
                "dismissed": f"{STARS} starred + {NEGATIVES} dismissed",
            }[scenario]
            rows.append(
                (
                    label,
                    names[method],
                    f"{values['auc']:.3f}",
                    f"{values['precision_at_20']:.3f}",
                    verdict,
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    count = len(results["categories"]) * results["draws"]
    lines.append(
        f"({results['papers']:,} real arXiv papers; {len(results['categories'])} subject classes"
        f" x {results['draws']} draws = {count} users; relevant = listed in the class)"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    found = run()
    print(table(found))
