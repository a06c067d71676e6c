"""What the ranking answers: plain results, importable without numpy or scipy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Ranked:
    """A score for each of some papers, by catalog row id, and how they were made."""

    rowids: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float32]
    mode: str
    """"model", "nearest" (few labels: similarity to the nearest liked paper)."""


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a paper ranks where it does: the liked paper it is most like, and key terms."""

    key: str
    title: str
    why: str
    """How that paper came to be liked: "starred", "tagged" or "noted"."""
    terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Checked:
    """What `Ranker.check` found (and repaired)."""

    papers: int
    missing: int
    stale: int
    extra: int

    @property
    def healthy(self) -> bool:
        """Nothing was missing, stale or left over."""
        return not (self.missing or self.stale or self.extra)
