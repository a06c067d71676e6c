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

from reader.ranking.features import COLUMNS
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
"""Of the draw of unlabeled papers (see `unlabeled_sample`)."""
TOLERANCE = 1e-8
"""Relative change of the loss at which training stops: fine enough that a warm start
(see `score`) and a cold start give the same order but for papers of equal scores (at
1e-6, two papers 2e-6 apart could swap), at the cost of a step or two."""


@dataclass(frozen=True, slots=True)
class Trained:
    """A trained model: a weight per matrix column (and per semantic dimension), a bias."""

    weights: npt.NDArray[np.float32]
    dense_weights: npt.NDArray[np.float32] | None
    bias: float
    columns: npt.NDArray[np.int32]
    """The hashed column of each weight (`TermMatrix.columns` of the matrix trained on)."""
    steps: int = 0
    """The solver's iterations."""


@dataclass(frozen=True, slots=True)
class Scores:
    """A score per matrix row (higher: more relevant), and how it was made."""

    values: npt.NDArray[np.float32]
    mode: str
    """"model" (a trained model), "nearest" (similarity to the nearest positive)."""
    trained: Trained | None = None
    """The model (when `mode` is "model"): for explanations, and to start the next
    training from."""

    @property
    def sparse_weights(self) -> npt.NDArray[np.float32] | None:
        """The model's weight per matrix column (for explanations)."""
        return None if self.trained is None else self.trained.weights


def score(matrix: TermMatrix, labels: Labels, start: Trained | None = None) -> Scores | None:
    """Every paper's score, or None when nothing is liked yet.

    `start`: a model trained before on (nearly) the same labels, from which training
    starts (a warm start): after one more star it is a few steps from the new optimum
    instead of many. It changes how soon training ends, not where: the order is the same
    as a cold start's up to the solver's tolerance.
    """
    positives = matrix.positions(sorted(labels.positive))
    positives = positives[positives >= 0]
    if len(positives) == 0:
        return None
    if not labels.trainable:
        nearest = matrix.similarity(positives).max(axis=1)
        return Scores(np.asarray(nearest, dtype=np.float32), "nearest")
    trained = _train(matrix, labels, positives, start)
    values = matrix.weights @ trained.weights
    values += np.float32(trained.bias)
    if trained.dense_weights is not None and matrix.dense is not None:
        values += matrix.dense @ trained.dense_weights
    return Scores(np.asarray(values, dtype=np.float32), "model", trained)


def unlabeled_sample(matrix: TermMatrix, labeled: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """The positions of the unlabeled papers drawn as very weak negatives (ascending).

    The papers come in a fixed pseudo-random order of their catalog row ids (see
    `TermMatrix.draw_order`), and the first `UNLABELED_SAMPLE` unlabeled ones are drawn:
    the same labels always draw the same papers, in any process, and one more label
    changes the draw by one paper at most (the order and a warm start stay close).
    """
    order = matrix.draw_order(SEED)
    wanted = UNLABELED_SAMPLE + int(labeled.sum())
    candidates = order[:wanted]
    return np.sort(candidates[~labeled[candidates]][:UNLABELED_SAMPLE])


def _train(
    matrix: TermMatrix,
    labels: Labels,
    positives: npt.NDArray[np.int64],
    start: Trained | None = None,
) -> Trained:
    # Imported only to train: `reader list` uses cached scores without scipy.
    from scipy import sparse
    from scipy.optimize import minimize

    from reader.ranking.threads import one_blas_thread

    one_blas_thread()
    read = matrix.positions(sorted(labels.read))
    dismissed = matrix.positions(sorted(labels.dismissed))
    read, dismissed = read[read >= 0], dismissed[dismissed >= 0]
    labeled = np.zeros(len(matrix), dtype=bool)
    labeled[positives] = labeled[read] = labeled[dismissed] = True
    unlabeled = unlabeled_sample(matrix, labeled)
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

    # Only the columns these papers use, numbered anew (cheaper than slicing columns, or
    # than sorting to find them).
    features = matrix.rows(rows)
    used = np.zeros(matrix.weights.shape[1], dtype=bool)
    used[features.indices] = True
    columns = np.flatnonzero(used)
    number = np.cumsum(used, dtype=np.int32) - 1
    compact = sparse.csr_matrix(
        (features.data.astype(np.float64), number[features.indices], features.indptr),
        shape=(len(rows), len(columns)),
    )
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

    found = minimize(
        objective,
        _start_point(matrix, start, columns, compact.shape[1]),
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
    return Trained(weights, dense_weights, float(point[-1]), matrix.columns, int(found.nit))


def _start_point(
    matrix: TermMatrix,
    start: Trained | None,
    columns: npt.NDArray[np.int64],
    size: int,
) -> npt.NDArray[np.float64]:
    """Where training starts: the earlier model's weights of these matrix columns (of
    their terms, when the matrix was loaded anew since), or zero."""
    point = np.zeros(size + 1)
    if start is None:
        return point
    previous = start.weights
    if start.columns is not matrix.columns:
        spread = np.zeros(COLUMNS, dtype=np.float32)
        spread[start.columns] = start.weights
        previous = spread[matrix.columns]
    point[: len(columns)] = previous[columns]
    dense = start.dense_weights
    if matrix.dense is not None and dense is not None and len(dense) == size - len(columns):
        point[len(columns) : size] = dense
    point[-1] = start.bias
    return point


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
