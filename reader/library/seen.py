"""What an import into an empty catalog has stored so far, in a few megabytes.

Each batch of an import is matched against the catalog by arXiv id, key and normalized
title: three indexed lookups of every paper of the batch. When the catalog was empty at
the start, it holds only this import's papers, so a value this import never stored
cannot be found and need not be looked up. `Seen` is a Bloom filter of the values stored:
it may say a value was seen when it was not (about 1 in 140 after a million papers, each
costing one lookup more), never the reverse, and its size does not grow with the import.
"""

from __future__ import annotations

from collections.abc import Iterable

SEEN_BITS = 1 << 26
"""The filter's bits (8 MB): about 1 false "seen" in 140 lookups after a million papers
(three values each, two bits per value)."""


class Seen:
    """A Bloom filter of strings, two bits per value (from Python's own string hash)."""

    def __init__(self, bits: int = SEEN_BITS) -> None:
        if bits & (bits - 1) or bits < 8:
            raise ValueError("the filter's size must be a power of two, at least 8 bits")
        self._bits = bytearray(bits >> 3)
        self._mask = bits - 1

    def add(self, values: Iterable[str | None]) -> None:
        """Remember these values (None is left out)."""
        bits, mask = self._bits, self._mask
        for value in values:
            if value is None:
                continue
            code = hash(value)
            for place in (code & mask, (code >> 32) & mask):
                bits[place >> 3] |= 1 << (place & 7)

    def __contains__(self, value: str) -> bool:
        """False when `value` was never added; True when it was (or, rarely, was not)."""
        bits, mask = self._bits, self._mask
        code = hash(value)
        first, second = code & mask, (code >> 32) & mask
        return bool(bits[first >> 3] & 1 << (first & 7) and bits[second >> 3] & 1 << (second & 7))
