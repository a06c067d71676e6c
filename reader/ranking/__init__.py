"""The "for you" order, papers like this one, and why (see `ranker`).

`Ranking` is what a library holds: it loads the engine (numpy, scipy) on first use, so a
command that ranks nothing never pays for them.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reader.model import PaperState
from reader.ranking.results import Checked, Ranked, Reason

if TYPE_CHECKING:
    from reader.ranking.model import Labels
    from reader.ranking.ranker import Prepared, Ranker

__all__ = ["Checked", "Ranked", "Ranking", "Reason"]


class Ranking:
    """The ranking of one library, loaded when first asked for."""

    def __init__(
        self, folder: Path, catalog_path: Path, states: Callable[[], Iterable[PaperState]]
    ) -> None:
        self._folder, self._catalog_path, self._states = folder, catalog_path, states
        self._engine: Ranker | None = None
        self.state_version = 0
        """Bumped by the library whenever the user's state changed."""

    @property
    def engine(self) -> Ranker:
        """The ranker itself (created on first use)."""
        if self._engine is None:
            from reader.ranking.memory import return_freed_memory
            from reader.ranking.ranker import Ranker

            return_freed_memory()
            self._engine = Ranker(
                self._folder, self._catalog_path, self._states, lambda: self.state_version
            )
        return self._engine

    def close(self) -> None:
        """Close its files, if they were opened."""
        if self._engine is not None:
            self._engine.close()

    def prepare(self, texts: Sequence[tuple[str, str]]) -> Prepared:
        """Start vectorizing what an import is about to store (see `Ranker.prepare`)."""
        return self.engine.prepare(texts)

    def add(self, written: Sequence[tuple[int, str, str]], prepared: Prepared | None) -> None:
        """Store the vectors of papers an import wrote (see `Ranker.add`)."""
        self.engine.add(written, prepared)

    def version(self) -> object:
        """Changes whenever the relevance order may have changed."""
        return self.engine.version()

    def relevance_order(self) -> tuple[array[int], array[int]] | None:
        """Every paper by relevance, and each row id's place (None: nothing liked yet)."""
        return self.engine.relevance_order()

    def relevance_page(self, count: int) -> array[int] | None:
        """The first `count` papers by relevance, before the whole order (see
        `Ranker.relevance_page`)."""
        return self.engine.relevance_page(count)

    def order_at_hand(self) -> bool:
        """Whether the relevance order costs no learning (see `Ranker.order_at_hand`)."""
        return self.engine.order_at_hand()

    def similar_order(self, text: str) -> tuple[array[int], array[int]]:
        """Every paper by similarity to the one `text` names (that one last)."""
        return self.engine.similar_order(text)

    def relevance(self) -> Ranked | None:
        """Every paper's relevance score, or None when nothing is liked yet."""
        return self.engine.relevance()

    def similar(self, text: str, limit: int | None = None) -> Ranked:
        """The papers most like the one `text` names (see `Ranker.similar`)."""
        if limit is None:
            return self.engine.similar(text)
        return self.engine.similar(text, limit)

    def reasons(self, rowids: Sequence[int], *, terms: int = 0) -> dict[int, Reason]:
        """Why each of these papers ranks high (see `Ranker.reasons`)."""
        return self.engine.reasons(rowids, terms=terms)

    def rowids_of(self, keys: Iterable[str]) -> dict[str, int]:
        """The catalog row id of each of these keys."""
        return self.engine.rowids_of(keys)

    def warm(self) -> None:
        """Load the vectors and the optimizer now (see `Ranker.warm`)."""
        self.engine.warm()

    def labels(self) -> Labels:
        """The user's labels as they are now."""
        return self.engine.labels()
