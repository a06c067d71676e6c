"""The "for you" order, papers like this one, and why: the ranking of one library.

The `Library` owns one `Ranker`. It keeps the vectors file in step with the catalog (new
papers are vectorized during their import; anything missed is caught up from the catalog
the next time a ranking is asked for), loads the vectors lazily, and retrains only when
the user's labels or the papers changed. Everything is computed on this machine.

Thread-safe: the app asks from its search worker while the UI thread writes state.
"""

from __future__ import annotations

import sqlite3
import threading
from array import array
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from reader.errors import NotFoundError, StoreError
from reader.model import PaperState
from reader.query import SIMILAR_LIMIT
from reader.ranking.labels import Labels, labels_from, why_positive
from reader.ranking.results import Checked, Ranked, Reason
from reader.ranking.store import RANKING_FILE, VectorStore
from reader.ranking.texts import paper_text, text_hash

# numpy and scipy are imported inside the functions that compute: a ranking that nothing
# changed since the last one is read from the cache without them (`reader list` starts
# faster by the time numpy takes to import).
if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from reader.ranking.features import Batch
    from reader.ranking.matrix import TermMatrix
    from reader.ranking.model import Scores, Trained
    from reader.ranking.semantic import Embed

Order = tuple["array[int]", "array[int]"]
"""Every row id in order, and each row id's place in it (indexed by row id)."""

States = Callable[[], Iterable[PaperState]]
"""The user's states as they are now."""

CATCH_UP_CHUNK = 10_000
"""Papers read from the catalog and vectorized at a time when catching up."""
SAMPLE = 8
"""Stored rows whose text is compared with the catalog's on every sync (a cheap check that
the catalog is still the one the vectors were made from)."""


class Prepared:
    """Vectors computed in a background thread for papers an import is about to store."""

    def __init__(self, texts: Sequence[tuple[str, str]]) -> None:
        self._texts = list(texts)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reader-vectors")
        self._future: Future[tuple[dict[tuple[str, str], int], Batch]] = self._pool.submit(
            self._work
        )
        self._pool.shutdown(wait=False)

    def _work(self) -> tuple[dict[tuple[str, str], int], Batch]:
        from reader.ranking.features import vectorize

        rows = {pair: index for index, pair in enumerate(self._texts)}
        return rows, vectorize(_PaperTexts(self._texts))

    def result(self) -> tuple[dict[tuple[str, str], int], Batch]:
        """The vectors (waiting for them), with the row of each (title, abstract)."""
        return self._future.result()


class _PaperTexts(Sequence[str]):
    """The texts of (title, abstract) pairs, made one at a time as they are read."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self._pairs = pairs

    def __len__(self) -> int:
        return len(self._pairs)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        return paper_text(*self._pairs[index])


class Ranker:
    """The ranking of the library in `folder` (see the module docstring)."""

    def __init__(
        self,
        folder: Path,
        catalog_path: Path,
        states: States,
        state_version: Callable[[], int] = lambda: 0,
    ) -> None:
        self.store = VectorStore(folder / RANKING_FILE)
        self._state_version = state_version
        self._catalog_path = catalog_path
        self._states = states
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        self._synced_version: int | None = None
        self._matrix: TermMatrix | None = None
        self._matrix_generation = -1
        self._labels: Labels | None = None
        self._labels_version = -1
        self._rowids: dict[str, int] = {}
        self._scores: tuple[str, Scores | None] | None = None
        self._trained: Trained | None = None
        """The last model trained: the next training starts from it (see `model.score`)."""
        self._order: tuple[str, Order] | None = None
        """The last relevance order, with the fingerprint of what it was made from."""
        self._unsaved = False
        """Whether `_order` was computed here and is not in the cache yet (see `save`)."""
        self._size: tuple[int, int] | None = None
        """(catalog version, papers in the catalog), as last counted."""
        self._folder = folder
        self._semantic: tuple[str, Embed] | bool | None = False
        """The optional embedding of texts (see `reader.ranking.semantic`): False until
        looked up, then None or (the model's folder, the function)."""

    def close(self) -> None:
        """Keep the last order in the cache, and close the files."""
        with self._lock:
            self.save()
            self.store.close()
            if self._db is not None:
                self._db.close()
                self._db = None

    # --- the catalog, read on a connection of our own -------------------------------------

    def _catalog(self) -> sqlite3.Connection:
        # Imported here: `reader.library` imports this module.
        from reader.library.connection import connect

        if self._db is None:
            self._db, _ = connect(self._catalog_path, cache_kib=2048)
        return self._db

    def _catalog_version(self) -> int:
        return int(self._catalog().execute("PRAGMA data_version").fetchone()[0])

    def rowids_of(self, keys: Iterable[str]) -> dict[str, int]:
        """The catalog row id of each of these keys (unknown keys are left out)."""
        keys = list(keys)
        wanted = [key for key in keys if key not in self._rowids]
        db = self._catalog()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, rowid in db.execute(
                f"SELECT key, rowid FROM papers WHERE key IN ({marks})", chunk
            ):
                self._rowids[str(key)] = int(rowid)
        return {key: self._rowids[key] for key in keys if key in self._rowids}

    def _texts(self, rowids: Sequence[int]) -> list[tuple[int, str, str]]:
        found: list[tuple[int, str, str]] = []
        db = self._catalog()
        for start in range(0, len(rowids), 500):
            chunk = [int(rowid) for rowid in rowids[start : start + 500]]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT rowid, title, abstract FROM papers WHERE rowid IN ({marks})"
            found.extend(db.execute(sql, chunk))
        return found

    # --- keeping the vectors in step with the catalog ---------------------------------------

    def prepare(self, texts: Sequence[tuple[str, str]]) -> Prepared:
        """Start vectorizing (title, abstract) pairs an import is about to store."""
        return Prepared(texts)

    def add(self, written: Sequence[tuple[int, str, str]], prepared: Prepared | None) -> None:
        """Store the vectors of papers an import wrote: (row id, title, abstract) each."""
        if not written:
            return
        from reader.ranking.features import vectorize

        hashes = [text_hash(title, abstract) for _, title, abstract in written]
        ready: dict[tuple[str, str], int] = {}
        batch: Batch | None = None
        if prepared is not None:
            ready, batch = prepared.result()
        rows = [ready.get((title, abstract), -1) for _, title, abstract in written]
        missing = [index for index, row in enumerate(rows) if row < 0 or batch is None]
        if missing:
            extra = vectorize([paper_text(written[i][1], written[i][2]) for i in missing])
            batch, offset = _concatenate(batch, extra)
            for number, index in enumerate(missing):
                rows[index] = offset + number
        assert batch is not None
        with self._lock:
            self.store.put([rowid for rowid, _, _ in written], hashes, _take(batch, rows))

    def sync(self) -> None:
        """Vectorize what the catalog holds and the vectors file lacks (and forget the rest).

        Cheap when nothing changed; run before every use of the vectors.
        """
        with self._lock:
            version = self._catalog_version()
            if version == self._synced_version:
                return
            db = self._catalog()
            (count,) = db.execute("SELECT count(*) FROM papers").fetchone()
            stored, _ = self.store.coverage()
            if stored != count or not self._sample_matches():
                self._repair(full=False)
            self._synced_version = version

    def _sample_matches(self) -> bool:
        count, largest = self.store.coverage()
        if count == 0:
            return True
        picks = sorted({1 + (largest - 1) * i // max(SAMPLE - 1, 1) for i in range(SAMPLE)})
        kept = self.store.hashes_of(picks)
        texts = {r: (t, a) for r, t, a in self._texts(list(kept))}
        for rowid, fingerprint in kept.items():
            text = texts.get(rowid)
            if text is None or text_hash(*text) != fingerprint:
                return False
        return True

    def _repair(self, *, full: bool, fix: bool = True) -> Checked:
        """Compare the vectors with the catalog (every text when `full`) and, with `fix`,
        bring them in step."""
        db = self._catalog()
        (joined,) = db.execute("SELECT group_concat(rowid) FROM papers").fetchone()
        catalog = set(map(int, joined.split(","))) if joined else set()
        hashes = self.store.hashes()
        missing = sorted(catalog - hashes.keys())
        extra = sorted(hashes.keys() - catalog)
        stale: list[int] = []
        if full or not self._sample_matches():
            known = sorted(catalog & hashes.keys())
            for start in range(0, len(known), CATCH_UP_CHUNK):
                for rowid, title, abstract in self._texts(known[start : start + CATCH_UP_CHUNK]):
                    if hashes[rowid] != text_hash(title, abstract):
                        stale.append(rowid)
        if not fix:
            return Checked(len(catalog), len(missing), len(stale), len(extra))
        if extra:
            self.store.delete(extra)
        todo = missing + stale
        for start in range(0, len(todo), CATCH_UP_CHUNK):
            self.add(self._texts(todo[start : start + CATCH_UP_CHUNK]), None)
        return Checked(len(catalog), len(missing), len(stale), len(extra))

    def check(self, *, fix: bool = True) -> Checked:
        """Compare every stored vector with the catalog's text; with `fix`, rebuild what
        differs (what was found is returned either way)."""
        with self._lock:
            checked = self._repair(full=True, fix=fix)
            self._synced_version = None
            return checked

    # --- loading --------------------------------------------------------------------------

    def matrix(self) -> TermMatrix:
        """The vectors of every paper, in memory (loaded again when they changed)."""
        from reader.ranking.matrix import TermMatrix  # scipy: only when a ranking is used

        with self._lock:
            self.sync()
            generation = self.store.generation()
            if self._matrix is None or generation != self._matrix_generation:
                stored = self.store.frequencies()
                dense = self._embeddings(stored.rowids.tolist(), generation)
                self._matrix = None  # the old vectors go before the new ones come
                self._matrix = TermMatrix(stored, dense)
                del stored
                self._matrix_generation = generation
            return self._matrix

    def warm(self) -> None:
        """Load what a new ranking needs (the vectors, the optimizer), so that the next
        change of labels re-ranks at once; the app calls it after showing a cached order."""
        import scipy.optimize  # noqa: F401 - imported for its side effect: loaded now

        with self._lock:
            self.matrix()
            self.save()

    def save(self) -> None:
        """Keep the last order computed in the cache, for the next process (see
        `relevance_order`); best effort, and nothing to do when it is kept already."""
        with self._lock:
            if self._unsaved and self._order is not None:
                self._unsaved = False
                fingerprint, order = self._order
                self.store.remember("order", fingerprint, _pack_order(order))

    def semantic(self) -> tuple[str, Embed] | None:
        """The semantic backend the user configured (loaded once), or None."""
        if self._semantic is False:
            from reader.ranking import semantic

            path = semantic.configured(self._folder)
            self._semantic = None if path is None else (str(path), semantic.load(path))
        assert self._semantic is not True
        return self._semantic

    def _embeddings(self, rowids: list[int], generation: int) -> npt.NDArray[np.float32] | None:
        """Every paper's semantic embedding, by `rowids` (kept in the cache until the
        papers change), or None without a semantic backend."""
        import numpy as np

        backend = self.semantic()
        if backend is None:
            return None
        name, embed = backend
        fingerprint = f"{name}|{generation}"
        cached = self.store.cached("semantic", fingerprint)
        if cached is not None:
            return np.frombuffer(cached, dtype=np.float32).reshape(len(rowids), -1).copy()
        texts = {r: (t, a) for r, t, a in self._texts(rowids)}
        dense = embed([paper_text(*texts.get(r, ("", ""))) for r in rowids])
        self.store.remember("semantic", fingerprint, dense.tobytes())
        return dense

    def labels(self) -> Labels:
        """The user's labels as they are now."""
        with self._lock:
            if self._labels is None or self._labels_version != self._state_version():
                version = self._state_version()
                states = [
                    state
                    for state in self._states()
                    if why_positive(state) or state.read or state.dismissed
                ]
                rowids = self.rowids_of(state.key for state in states)
                self._labels = labels_from(states, rowids)
                self._labels_version = version
            return self._labels

    # --- ranking --------------------------------------------------------------------------

    def version(self) -> tuple[int, int, int]:
        """Changes whenever the relevance order may have changed."""
        with self._lock:
            return (self._state_version(), self._catalog_version(), self.store.generation())

    def _fingerprint(self, labels: Labels) -> str:
        backend = self.semantic()
        name = "terms" if backend is None else backend[0]
        return f"{labels.fingerprint()}|{self.store.generation()}|{name}"

    def relevance(self) -> Ranked | None:
        """Every vectorized paper's relevance score, or None when nothing is liked yet."""
        with self._lock:
            self.sync()
            labels = self.labels()
            if not labels.positive:
                return None
            scores = self._score(labels, self._fingerprint(labels))
            if scores is None:
                return None
            return Ranked(self.matrix().rowids, scores.values, scores.mode)

    def relevance_order(self, *, compute: bool = True) -> Order | None:
        """Every paper of the catalog by relevance (see `ordered`), or None when nothing is
        liked yet (or, without `compute`, when the order is not at hand: it would have to
        be learned). The order is kept in the vectors file (see `save`) until the labels
        or the papers change, so the next process reads it back without numpy."""
        with self._lock:
            self.sync()
            labels = self.labels()
            if not labels.positive:
                return None
            fingerprint = f"{self._fingerprint(labels)}|{self._catalog_size()}"
            if self._order is not None and self._order[0] == fingerprint:
                return self._order[1]
            cached = self.store.cached("order", fingerprint)
            if cached is not None:
                self._order, self._unsaved = (fingerprint, _unpack_order(cached)), False
                return self._order[1]
            if not compute:
                return None
            ranked = self.relevance()
            if ranked is None:
                return None
            # Written to the cache later (`save`: when the app's worker has shown the
            # order, or when the library closes), not while the user waits for it.
            self._order, self._unsaved = (fingerprint, self.ordered(ranked)), True
            return self._order[1]

    def order_at_hand(self) -> bool:
        """Whether `relevance_order` costs no learning: the order is in memory or in the
        cache, or nothing is liked yet (then there is no order to learn)."""
        with self._lock:
            return self.relevance_order(compute=False) is not None or not self.labels().positive

    def relevance_page(self, count: int) -> array[int] | None:
        """The first `count` row ids of `relevance_order`, without ordering every paper
        (see `highest`): what a re-ranked list shows first, while the whole order is made.
        None when nothing is liked yet, or when fewer papers than `count` have a score
        (the page would hold papers without one: `relevance_order` then)."""
        with self._lock:
            at_hand = self.relevance_order(compute=False)
            if at_hand is not None:
                return at_hand[0][:count]
            ranked = self.relevance()
            if ranked is None or len(ranked.scores) < count:
                return None
            return _packed(ranked.rowids[highest(ranked.scores, count)].astype("int64"))

    def similar_order(self, text: str) -> Order:
        """Every paper by similarity to the one `text` names (that one last)."""
        with self._lock:
            return self.ordered(self.similar(text, limit=0))

    def ordered(self, ranked: Ranked) -> Order:
        """The papers by descending score, ties latest added first; papers without a score
        (not vectorized yet) follow, newest first."""
        import numpy as np

        from reader.library.sql import ORDER_BY

        scored = ranked.rowids.astype(np.int64)
        order = scored[descending(ranked.scores)]
        if len(scored) < self._catalog_size():
            (joined,) = (
                self._catalog()
                .execute(
                    "SELECT group_concat(rowid) FROM"
                    f" (SELECT p.rowid FROM papers p ORDER BY {ORDER_BY['date']})"
                )
                .fetchone()
            )
            rest = np.array([int(r) for r in joined.split(",")] if joined else [], np.int64)
            known = np.zeros(int(max(rest.max(initial=0), scored.max(initial=0))) + 1, bool)
            known[scored] = True
            order = np.concatenate([order, rest[~known[rest]]])
        position = np.zeros(int(order.max(initial=0)) + 1, dtype=np.int64)
        position[order] = np.arange(len(order))
        return _packed(order), _packed(position)

    def _catalog_size(self) -> int:
        version = self._catalog_version()
        if self._size is None or self._size[0] != version:
            (count,) = self._catalog().execute("SELECT count(*) FROM papers").fetchone()
            self._size = (version, int(count))
        return self._size[1]

    def _score(self, labels: Labels, fingerprint: str) -> Scores | None:
        from reader.ranking.model import score

        if self._scores is not None and self._scores[0] == fingerprint:
            return self._scores[1]
        scores = score(self.matrix(), labels, self._trained)
        if scores is not None and scores.trained is not None:
            self._trained = scores.trained
        self._scores = (fingerprint, scores)
        return scores

    def similar(self, text: str, limit: int = SIMILAR_LIMIT) -> Ranked:
        import numpy as np

        """The papers most like the one `text` names (a key, arXiv id or key prefix), most
        similar first: the `limit` most similar (with some word in common) without that
        paper itself; with no `limit`, every paper (that one last)."""
        from reader.library.rows import resolve_key

        with self._lock:
            key = resolve_key(self._catalog(), text)
            (rowid,) = self.rowids_of([key]).values()
            matrix = self.matrix()
            (position,) = matrix.positions([rowid])
            if position < 0:
                raise NotFoundError(f"{key} has no title or abstract to compare")
            similarity = matrix.similarity(np.array([position]))[:, 0]
            similarity[position] = -np.inf
            order = np.argsort(-similarity, kind="stable")
            if limit:
                order = order[:limit]
                order = order[similarity[order] > 0]
            return Ranked(matrix.rowids[order], similarity[order], "similar")

    def reasons(self, rowids: Sequence[int], *, terms: int = 0) -> dict[int, Reason]:
        """For each of these papers, the liked paper it is most like (and, with `terms`,
        the words that weighed most for it); papers with no such paper are left out."""
        import numpy as np

        from reader.ranking.model import nearest_positive

        with self._lock:
            labels = self.labels()
            if not labels.positive or not rowids:
                return {}
            matrix = self.matrix()
            liked = matrix.positions(sorted(labels.positive))
            liked = liked[liked >= 0]
            rows = matrix.positions(list(rowids))
            present = rows >= 0
            nearest, _ = nearest_positive(matrix, rows[present], liked)
            wanted = [int(r) for r in np.asarray(rowids)[present]]
            titles = self._titles(
                [int(matrix.rowids[n]) for n in nearest if n >= 0] + (wanted if terms else [])
            )
            scores = self._score(labels, self._fingerprint(labels)) if terms else None
            found: dict[int, Reason] = {}
            for rowid, row, near in zip(wanted, rows[present], nearest, strict=True):
                if near < 0:
                    continue
                near_rowid = int(matrix.rowids[near])
                key, title = titles[near_rowid][:2]
                words: tuple[str, ...] = ()
                if terms:
                    words = _top_terms(matrix, int(row), int(near), scores, titles[rowid], terms)
                found[rowid] = Reason(key, title, labels.positive[near_rowid], words)
            return found

    def _titles(self, rowids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
        found: dict[int, tuple[str, str, str]] = {}
        db = self._catalog()
        unique = sorted(set(rowids))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for rowid, key, title, abstract in db.execute(
                f"SELECT rowid, key, title, abstract FROM papers WHERE rowid IN ({marks})", chunk
            ):
                found[int(rowid)] = (str(key), str(title), str(abstract))
        return found


def _top_terms(
    matrix: TermMatrix,
    row: int,
    near: int,
    scores: Scores | None,
    text: tuple[str, str, str],
    count: int,
) -> tuple[str, ...]:
    """The words of the paper at `row` that weighed most: for the model, by weight times
    presence; else the words it shares most with the liked paper at `near`."""
    import numpy as np

    from reader.ranking.features import terms

    vector = matrix.weights[row]
    columns, values = vector.indices, vector.data
    if scores is not None and scores.sparse_weights is not None:
        contribution = values * scores.sparse_weights[columns]
    else:
        contribution = values * matrix.weights[near].toarray().ravel()[columns]
    words = terms(paper_text(text[1], text[2]))
    picked: list[str] = []
    for index in np.argsort(-contribution, kind="stable"):
        if contribution[index] <= 0 or len(picked) >= count:
            break
        word = words.get(int(matrix.columns[columns[index]]))
        if word and word not in picked:
            picked.append(word)
    return tuple(picked)


def descending(scores: npt.NDArray[np.float32]) -> npt.NDArray[np.int64]:
    """The positions of `scores` from the highest to the lowest; equal scores latest
    position (latest added) first.

    One sort of 64-bit keys (the score's bits made to sort as the number, then the
    position), several times faster than a stable argsort of the scores.
    """
    return highest(scores, len(scores))


def highest(scores: npt.NDArray[np.float32], count: int) -> npt.NDArray[np.int64]:
    """`descending(scores)[:count]`, without sorting every score: the `count` largest
    keys are picked by a partition (linear) and only they are sorted. The keys are
    unique (each holds its position), so ties across the cut fall as in `descending`."""
    import numpy as np

    keys = _sort_keys(scores)
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    if count < len(keys):
        keys = np.partition(keys, len(keys) - count)[len(keys) - count :]
    keys.sort()
    return (keys[::-1] & np.uint64(0xFFFFFFFF)).astype(np.int64)


def _sort_keys(scores: npt.NDArray[np.float32]) -> npt.NDArray[np.uint64]:
    """One 64-bit key per score that sorts as (score, position): the score's bits made
    to sort as the number, in the high half; the position in the low half."""
    import numpy as np

    bits = (np.asarray(scores, dtype=np.float32) + np.float32(0)).view(np.uint32)  # -0 is 0
    # A float's bits sort as the float once negative ones are inverted and positive ones
    # get the sign bit set.
    negative = bits >> np.uint32(31) == 1
    ordered = np.where(negative, ~bits, bits | np.uint32(1 << 31)).astype(np.uint64)
    return (ordered << np.uint64(32)) | np.arange(len(bits), dtype=np.uint64)


def _concatenate(first: Batch | None, second: Batch) -> tuple[Batch, int]:
    """`second` appended to `first`, and the row at which it starts."""
    import numpy as np

    from reader.ranking.features import Batch

    if first is None:
        return second, 0
    indptr = np.concatenate([first.indptr, second.indptr[1:] + first.indptr[-1]])
    batch = Batch(
        indptr,
        np.concatenate([first.columns, second.columns]),
        np.concatenate([first.counts, second.counts]),
    )
    return batch, len(first)


def _take(batch: Batch, rows: Sequence[int]) -> Batch:
    """The rows of `batch` at these indexes, in this order."""
    import numpy as np

    from reader.ranking.features import Batch

    picked = np.asarray(rows, dtype=np.int64)
    starts = batch.indptr[picked]
    lengths = batch.indptr[picked + 1] - starts
    indptr = np.zeros(len(picked) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    # Each output position's source: its row's start plus its offset within the row.
    source = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1])
    return Batch(indptr, batch.columns[source], batch.counts[source])


def _packed(values: npt.NDArray[np.int64]) -> array[int]:
    packed = array("q")
    packed.frombytes(values.astype("int64").tobytes())
    return packed


def _pack_order(order: Order) -> bytes:
    rowids, position = order
    return len(rowids).to_bytes(8, "little") + rowids.tobytes() + position.tobytes()


def _unpack_order(data: bytes) -> Order:
    count = int.from_bytes(data[:8], "little")
    rowids, position = array("q"), array("q")
    if len(data) < 8 + 8 * count or (len(data) - 8) % 8:
        raise StoreError("the ranking file holds a damaged cache; run `reader doctor`")
    rowids.frombytes(data[8 : 8 + 8 * count])
    position.frombytes(data[8 + 8 * count :])
    return rowids, position
