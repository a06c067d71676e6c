"""The user's signals, by catalog row id: what the "for you" order learns from (light:
no numpy, so a cached order is found without loading the engine)."""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from reader.model import PaperState

MIN_LABELS = 5
"""Positives and negatives (each) needed before a model is trained."""
MODEL_VERSION = 2
"""Part of every cache fingerprint: bump when scores change meaning."""


@dataclass(frozen=True, slots=True)
class Labels:
    """The user's signals, by catalog row id."""

    positive: dict[int, str] = field(default_factory=dict)
    """Positive papers, each with why: "starred", "tagged" or "noted"."""
    read: frozenset[int] = frozenset()
    """Read, and neither starred, tagged, noted nor dismissed."""
    dismissed: frozenset[int] = frozenset()

    @property
    def negatives(self) -> int:
        """How many negative papers there are."""
        return len(self.read) + len(self.dismissed)

    @property
    def trainable(self) -> bool:
        """Enough labels for a model (else: nearest positive)."""
        return len(self.positive) >= MIN_LABELS and self.negatives >= MIN_LABELS

    def fingerprint(self) -> str:
        """Changes whenever any label does."""
        digest = hashlib.blake2b(digest_size=16)
        for name, rowids in (
            ("p", sorted(self.positive)),
            ("r", sorted(self.read)),
            ("d", sorted(self.dismissed)),
        ):
            digest.update(name.encode())
            digest.update(array("q", rowids).tobytes())
        return f"{MODEL_VERSION}:{digest.hexdigest()}"


def why_positive(state: PaperState) -> str | None:
    """Why a paper counts as liked, or None."""
    if state.starred:
        return "starred"
    if state.tags:
        return "tagged"
    if state.note.strip():
        return "noted"
    return None


def labels_from(states: Iterable[PaperState], rowid_of: Mapping[str, int]) -> Labels:
    """The labels of these states (`rowid_of` maps keys to catalog row ids)."""
    positive: dict[int, str] = {}
    read: set[int] = set()
    dismissed: set[int] = set()
    for state in states:
        rowid = rowid_of.get(state.key)
        if rowid is None:
            continue
        why = why_positive(state)
        if why is not None:
            positive[rowid] = why
        elif state.dismissed:
            dismissed.add(rowid)
        elif state.read:
            read.add(rowid)
    return Labels(positive, frozenset(read), frozenset(dismissed))
