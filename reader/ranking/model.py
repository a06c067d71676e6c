"""What the user likes, learned from their own state, and the scores it gives each paper.

Labels: starred, tagged and annotated papers are positive; papers read without any of
that are (weak) negatives; dismissed papers are stronger negatives. Every other paper is
unlabeled: a sample of them counts as a very weak negative, as arxiv-sanity-lite counts
every untagged paper, which keeps a handful of stars from ranking "everything but what I
read" first.

With at least `MIN_LABELS` positives and as many negatives, a linear model is trained:
an L2-regularized squared-hinge loss (the loss of a linear SVM, as scikit-learn's
`LinearSVC` minimizes it) with per-paper weights, solved by scipy's L-BFGS. Imported on
first use: it costs a fraction of scikit-learn's import time and memory, which matters
for `reader list`. With fewer labels, a paper's score is its similarity to the nearest
positive paper; with no positive at all there is nothing to rank by.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from reader.ranking.labels import Labels

if TYPE_CHECKING:
    from reader.ranking.matrix import TermMatrix

UNLABELED_SAMPLE = 1000
"""Unlabeled papers drawn as very weak negatives."""
WEIGHT_READ = 0.1
WEIGHT_DISMISSED = 0.2
WEIGHT_UNLABELED = 0.005
C = 0.1
"""The inverse regularization strength (tuned on real arXiv listings, see the benchmark)."""
SEED = 12
"""Of the draw of unlabeled papers."""
TOLERANCE = 1e-6
"""Relative change of the loss at which training stops: far finer than changes the order."""


@dataclass(frozen=True, slots=True)
class Scores:
    """A score per matrix row (higher: more relevant), and how it was made."""

    values: npt.NDArray[np.float32]
    mode: str
    """"model" (a trained model), "nearest" (similarity to the nearest positive)."""
    sparse_weights: npt.NDArray[np.float32] | None = None
    """The model's weight per term column (for explanations)."""


def score(matrix: TermMatrix, labels: Labels) -> Scores | None:
    """Every paper's score, or None when nothing is liked yet."""
    positives = matrix.positions(sorted(labels.positive))
    positives = positives[positives >= 0]
    if len(positives) == 0:
        return None
    if not labels.trainable:
        nearest = matrix.similarity(positives).max(axis=1)
        return Scores(np.asarray(nearest, dtype=np.float32), "nearest")
    weights, dense_weights, bias = _train(matrix, labels, positives)
    values = matrix.weights @ weights + bias
    if dense_weights is not None and matrix.dense is not None:
        values = values + matrix.dense @ dense_weights
    return Scores(np.asarray(values, dtype=np.float32), "model", weights)


def _train(
    matrix: TermMatrix, labels: Labels, positives: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32] | None, float]:
    # Imported only to train: `reader list` uses cached scores without scipy.
    from scipy import sparse
    from scipy.optimize import minimize

    read = matrix.positions(sorted(labels.read))
    dismissed = matrix.positions(sorted(labels.dismissed))
    read, dismissed = read[read >= 0], dismissed[dismissed >= 0]
    labeled = np.zeros(len(matrix), dtype=bool)
    labeled[positives] = labeled[read] = labeled[dismissed] = True
    unlabeled = np.flatnonzero(~labeled)
    if len(unlabeled) > UNLABELED_SAMPLE:
        # Always the same draw for the same papers: a new star does not reshuffle the
        # whole order, and the same labels always give the same order.
        unlabeled = np.random.default_rng(SEED).choice(unlabeled, UNLABELED_SAMPLE, replace=False)
    rows = np.concatenate([positives, read, dismissed, unlabeled])
    target = np.concatenate([np.ones(len(positives)), -np.ones(len(rows) - len(positives))])
    weight = np.concatenate(
        [
            np.ones(len(positives)),
            np.full(len(read), WEIGHT_READ),
            np.full(len(dismissed), WEIGHT_DISMISSED),
            np.full(len(unlabeled), WEIGHT_UNLABELED),
        ]
    )
    # Balanced classes: the positives weigh as much, together, as all the negatives.
    weight[: len(positives)] *= weight[len(positives) :].sum() / len(positives)

    features = matrix.rows(rows)
    columns = np.unique(features.indices)
    compact = features[:, columns].tocsr()
    if matrix.dense is not None:
        compact = sparse.hstack([compact, sparse.csr_matrix(matrix.dense[rows])]).tocsr()
    compact = compact.astype(np.float64)
    transposed = compact.T.tocsr()
    scaled = C * weight

    def objective(point: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        coefficients, bias = point[:-1], point[-1]
        margin = target * (compact @ coefficients + bias)
        slack = np.maximum(0.0, 1.0 - margin)
        loss = 0.5 * coefficients @ coefficients + scaled @ (slack * slack)
        pull = -2.0 * scaled * slack * target
        gradient = np.empty_like(point)
        gradient[:-1] = coefficients + transposed @ pull
        gradient[-1] = pull.sum()
        return float(loss), gradient

    start = np.zeros(compact.shape[1] + 1)
    found = minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 500, "ftol": TOLERANCE},
    )
    point = found.x
    sparse_part = len(columns)
    weights = np.zeros(matrix.weights.shape[1], dtype=np.float32)
    weights[columns] = point[:sparse_part]
    dense_weights = None
    if matrix.dense is not None:
        dense_weights = point[sparse_part:-1].astype(np.float32)
    return weights, dense_weights, float(point[-1])


def nearest_positive(
    matrix: TermMatrix, rows: npt.NDArray[np.int64], positives: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """For each paper at `rows`: the position of the most similar other positive, and how
    similar (-1 and -inf when there is none)."""
    if len(rows) == 0 or len(positives) == 0:
        return np.full(len(rows), -1, dtype=np.int64), np.zeros(len(rows), dtype=np.float32)
    similarity = matrix.similarity_between(rows, positives)
    similarity[rows[:, None] == positives[None, :]] = -np.inf  # never a paper itself
    best = similarity.argmax(axis=1)
    value = similarity[np.arange(len(rows)), best]
    return np.where(np.isfinite(value), positives[best], -1), value
