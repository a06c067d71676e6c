"""The papers as TF-IDF vectors in memory: one sparse row per paper, unit length.

Built from the stored term counts (`store.Stored`) with numpy and scipy: sublinear term
frequency (1 + log count) times inverse document frequency, terms found in a single paper
dropped (they make papers look alike to nothing), each row scaled to length 1 so that a
dot product is the cosine similarity.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse

from reader.ranking.features import COLUMNS
from reader.ranking.store import Stored

Vector = npt.NDArray[np.float32]


class TermMatrix:
    """Every vectorized paper of a library, by catalog row id."""

    def __init__(self, stored: Stored, dense: npt.NDArray[np.float32] | None = None) -> None:
        self.rowids = stored.rowids
        """The catalog row ids, ascending; row i of the matrix is paper rowids[i]."""
        self.hashes = stored.hashes
        batch = stored.batch
        count = len(stored.rowids)
        columns = batch.columns.astype(np.int32)  # a copy: scipy may edit it in place
        frequency = np.bincount(columns, minlength=COLUMNS) if len(columns) else np.zeros(1)
        idf = (np.log((1.0 + count) / (1.0 + frequency)) + 1.0).astype(np.float32)
        idf[frequency < 2] = 0.0
        values = (1.0 + np.log(batch.counts.astype(np.float32))) * idf[columns]
        weights = sparse.csr_matrix(
            (values, columns, batch.indptr), shape=(count, COLUMNS), dtype=np.float32
        )
        weights.eliminate_zeros()
        self.weights = _unit_rows(weights)
        self.dense = dense
        """Optional semantic embeddings, one unit row per paper (see `semantic`)."""

    def __len__(self) -> int:
        return len(self.rowids)

    def positions(self, rowids: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """The matrix row of each catalog row id (-1 for papers not vectorized)."""
        wanted = np.asarray(rowids, dtype=np.int64)
        at = np.searchsorted(self.rowids, wanted)
        at = np.minimum(at, max(len(self.rowids) - 1, 0))
        found = (self.rowids[at] == wanted) if len(self.rowids) else np.zeros(len(wanted), bool)
        return np.where(found, at, -1)

    def rows(self, positions: npt.NDArray[np.int64]) -> sparse.csr_matrix:
        """The sparse rows at these positions."""
        return self.weights[positions]

    def similarity(self, positions: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """The cosine similarity of every paper to each paper at `positions` (papers x k)."""
        result = (self.weights @ self.weights[positions].T).toarray()
        if self.dense is not None:
            result = (result + self.dense @ self.dense[positions].T) / 2
        return np.asarray(result, dtype=np.float32)

    def similarity_between(
        self, rows: npt.NDArray[np.int64], others: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float32]:
        """Cosine similarities of the papers at `rows` to those at `others` (rows x others)."""
        result = (self.weights[rows] @ self.weights[others].T).toarray()
        if self.dense is not None:
            result = (result + self.dense[rows] @ self.dense[others].T) / 2
        return np.asarray(result, dtype=np.float32)


def _unit_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    scale = np.repeat((1.0 / norms).astype(np.float32), np.diff(matrix.indptr))
    matrix.data *= scale
    return matrix
