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

_SLICE = 1 << 20
"""Values computed at a time."""


class TermMatrix:
    """Every vectorized paper of a library, by catalog row id."""

    def __init__(self, stored: Stored, dense: npt.NDArray[np.float32] | None = None) -> None:
        self.rowids = stored.rowids
        """The catalog row ids, ascending; row i of the matrix is paper rowids[i]."""
        self.hashes = stored.hashes
        batch = stored.batch
        count = len(stored.rowids)
        # idf = log((1 + papers) / (1 + frequency)) + 1, in place over every column.
        idf = np.zeros(COLUMNS, dtype=np.float32)
        for start in range(0, len(batch.columns), _SLICE):
            # In slices: bincount copies its input to 64-bit integers first.
            idf += np.bincount(batch.columns[start : start + _SLICE], minlength=COLUMNS)
        single = idf < 2  # a term of one paper makes it like no other
        idf += 1
        np.divide(np.float32(1 + count), idf, out=idf)
        np.log(idf, out=idf)
        idf += 1
        idf[single] = 0
        del single
        # In place and in slices: the temporaries stay small next to 100,000 papers' vectors.
        # Zero weights stay in (filtering them out would copy every array).
        values = np.empty(len(batch.counts), dtype=np.float32)
        for start in range(0, len(values), _SLICE):
            part = slice(start, start + _SLICE)
            np.log(batch.counts[part], out=values[part], dtype=np.float32)
            values[part] += 1
            values[part] *= idf[batch.columns[part]]
        del idf
        _unit_rows(values, batch.indptr)
        self.weights = sparse.csr_matrix(
            (values, batch.columns, batch.indptr),
            shape=(count, COLUMNS),
            dtype=np.float32,
            copy=False,
        )
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


def _unit_rows(values: npt.NDArray[np.float32], indptr: npt.NDArray[np.int64]) -> None:
    """Scale each row of a compressed sparse row matrix to length 1, in place (a slice of
    rows at a time, so that no temporary is as large as `values`)."""
    rows = len(indptr) - 1
    step = max(1, _SLICE // 128)
    for first in range(0, rows, step):
        last = min(first + step, rows)
        low, high = int(indptr[first]), int(indptr[last])
        lengths = np.diff(indptr[first : last + 1])
        filled = np.flatnonzero(lengths)
        if not len(filled):
            continue
        squares = np.ones(last - first, dtype=np.float32)
        # Only rows with values: `reduceat` gives an empty row the next row's first value.
        squares[filled] = np.add.reduceat(
            np.square(values[low:high]), indptr[first:last][filled] - low
        )
        squares[squares <= 0] = 1.0
        values[low:high] *= np.repeat(1.0 / np.sqrt(squares), lengths)
