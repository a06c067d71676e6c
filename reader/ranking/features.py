"""Papers as bags of words: hashed term counts of the title and abstract.

A term is a run of letters and digits (lower-cased; any non-ASCII letter counts as a
letter) of two or more characters that starts with a letter, minus common English words.
Each term is hashed to one of `COLUMNS` columns (the "hashing trick"), so there is no
vocabulary to store, grow or lock: two processes importing at once give every term the
same column, and a paper's vector never changes when others are added.

Tokenizing 100,000 abstracts with Python's `re` takes several seconds; this is done with
numpy on the UTF-8 bytes of many papers at once (a polynomial hash over each run of word
bytes, from prefix sums), which releases the GIL, so the import's own work goes on beside
it. `terms` recovers the words of one paper for explanations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from reader.ranking.texts import paper_text, text_hash

__all__ = ["Batch", "paper_text", "terms", "text_hash", "vectorize"]

BITS = 20
"""log2 of the number of columns: a million (scikit-learn's default for hashed features): few
terms share one, and a model's weights fit in the processor's cache."""
COLUMNS = 1 << BITS

CHUNK_BYTES = 1 << 20
"""Text hashed per numpy pass (bounds the temporary arrays to some tens of megabytes)."""

_STOP_WORDS = """
about above across after again against all almost along already also although always am
among an and another any are around as at be because been before being below between
both but by can cannot could did do does doing done down during each either else etc
even ever every few for from further had has have having he her here hers him his how
however if in into is it its itself just least less like made many may me might more
most much must my neither no nor not now of off often on once one only onto or other
others otherwise our ours out over own per rather same several she should since so some
such than that the their theirs them then there therefore these they this those though
through thus to too toward towards under until up upon us very via was we well were what
whatever when where whereas whether which while who whom whose why will with within
without would yet you your yours
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
"""Words that say nothing about a paper's topic."""

_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz0123456789", dtype=np.uint8)] = True
_WORD_BYTE[128:] = True  # the bytes of any non-ASCII character
_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[np.frombuffer(b"0123456789", dtype=np.uint8)] = True

_BASE = np.uint64(0x100000001B3)
_BASE_INVERSE = np.uint64(pow(int(_BASE), -1, 1 << 64))
_MIX = np.uint64(0xBF58476D1CE4E5B9)

_WORD = re.compile(r"[a-z0-9\x80-\U0010ffff]+")
_DIGITS = frozenset("0123456789")
"""The same terms as the byte rule, for one text in Python (see `terms`)."""


@dataclass(frozen=True, slots=True)
class Batch:
    """Term counts of several papers, in compressed sparse row form."""

    indptr: npt.NDArray[np.int64]
    """Paper i's terms are `columns[indptr[i]:indptr[i + 1]]`."""
    columns: npt.NDArray[np.int32]
    """Sorted within each paper."""
    counts: npt.NDArray[np.uint16]

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def row(self, index: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint16]]:
        """The columns and counts of paper `index`."""
        start, end = self.indptr[index], self.indptr[index + 1]
        return self.columns[start:end], self.counts[start:end]


class _Powers:
    """Powers of the hash base and of its inverse modulo 2**64, grown on demand."""

    def __init__(self) -> None:
        self.base = np.ones(1, dtype=np.uint64)
        self.inverse = np.ones(1, dtype=np.uint64)

    def upto(self, size: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
        if len(self.base) < size:
            grown = max(size, 2 * len(self.base))
            base = np.full(grown, _BASE, dtype=np.uint64)
            inverse = np.full(grown, _BASE_INVERSE, dtype=np.uint64)
            base[0] = inverse[0] = 1
            with np.errstate(over="ignore"):
                self.base = np.cumprod(base, dtype=np.uint64)
                self.inverse = np.cumprod(inverse, dtype=np.uint64)
        return self.base[:size], self.inverse[:size]


_POWERS = _Powers()

_STOP_COLUMNS = np.zeros(COLUMNS, dtype=bool)


def _hash_terms(data: bytes) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For the bytes of lower-cased texts joined by NUL: each term's start and column."""
    text = np.frombuffer(data, dtype=np.uint8)
    word = _WORD_BYTE[text].view(np.int8)
    edges = np.diff(word, prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    keep = (ends - starts >= 2) & ~_DIGIT[text[starts]]
    starts, ends = starts[keep], ends[keep]
    base, inverse = _POWERS.upto(len(text))
    with np.errstate(over="ignore"):
        # prefix[i] = sum of byte[j] * base**-j for j < i; a term's hash is the difference
        # of two prefixes times base**(end - 1): sum of byte[j] * base**(end - 1 - j).
        prefix = np.zeros(len(text) + 1, dtype=np.uint64)
        np.cumsum(text * inverse, dtype=np.uint64, out=prefix[1:])
        hashed = (prefix[ends] - prefix[starts]) * base[ends - 1]
        hashed ^= hashed >> np.uint64(31)
        hashed *= _MIX
        hashed ^= hashed >> np.uint64(29)
    columns = (hashed >> np.uint64(64 - BITS)).astype(np.int64)
    return starts, columns


def _init_stop_columns() -> None:
    data = "\0".join(sorted(STOP_WORDS)).encode()
    _, columns = _hash_terms(data)
    _STOP_COLUMNS[columns] = True


_init_stop_columns()


def vectorize(texts: Sequence[str]) -> Batch:
    """The hashed term counts of each text (see `paper_text`)."""
    indptrs: list[npt.NDArray[np.int64]] = []
    columns: list[npt.NDArray[np.int32]] = []
    counts: list[npt.NDArray[np.uint16]] = []
    done = 0
    chunk: list[str] = []
    size = 0
    for index in range(len(texts)):
        text = texts[index]
        chunk.append(text)
        size += len(text) + 1
        if size >= CHUNK_BYTES or index == len(texts) - 1:
            rows, cols, numbers = _vectorize_chunk(chunk)
            indptrs.append(rows[1:] + done)
            columns.append(cols)
            counts.append(numbers)
            done += len(cols)
            chunk, size = [], 0
    indptr = np.concatenate([np.zeros(1, dtype=np.int64), *indptrs])
    if not columns:
        return Batch(indptr, np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint16))
    return Batch(indptr, np.concatenate(columns), np.concatenate(counts))


def _vectorize_chunk(
    texts: Sequence[str],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.uint16]]:
    # NUL separates papers (a NUL inside a text only splits a word, which is harmless).
    data = "\0".join(texts).lower().encode("utf-8", "surrogatepass")
    starts, columns = _hash_terms(data)
    kept = ~_STOP_COLUMNS[columns]
    starts, columns = starts[kept], columns[kept]
    separators = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0)
    # Lower-casing keeps the NULs, so the terms before separator k are paper k's.
    paper = np.searchsorted(separators, starts)
    paper = _align_papers(paper, texts, data)
    key = (paper << BITS) | columns
    key.sort()
    if len(key):
        first = np.empty(len(key), dtype=bool)
        first[0] = True
        np.not_equal(key[1:], key[:-1], out=first[1:])
        at = np.flatnonzero(first)
        number = np.diff(np.append(at, len(key)))
        key = key[at]
    else:
        number = np.zeros(0, dtype=np.int64)
    rows = np.searchsorted(key >> BITS, np.arange(len(texts) + 1), side="left")
    return (
        rows.astype(np.int64),
        (key & (COLUMNS - 1)).astype(np.int32),
        np.minimum(number, 65535).astype(np.uint16),
    )


def _align_papers(
    paper: npt.NDArray[np.int64], texts: Sequence[str], data: bytes
) -> npt.NDArray[np.int64]:
    """Paper numbers of terms, corrected when a text itself held NUL characters."""
    if data.count(b"\0") == len(texts) - 1:
        return paper
    # Rare (hostile input): count each text's own NULs and map separators to papers.
    owners: list[int] = []
    for index, text in enumerate(texts):
        owners.extend([index] * (text.count("\0") + 1))
    return np.asarray(owners, dtype=np.int64)[paper]


def terms(text: str) -> dict[int, str]:
    """The terms of one text by column, as `vectorize` counts them (for explanations)."""
    words = [
        word
        for word in _WORD.findall(text.lower())
        if len(word.encode("utf-8", "surrogatepass")) >= 2 and word[0] not in _DIGITS
    ]
    if not words:
        return {}
    _, columns = _hash_terms("\0".join(words).encode("utf-8", "surrogatepass"))
    # Stop words are left out by their column, as `vectorize` does: a rare word whose
    # hash falls in a stop word's column is left out too, in both.
    return {
        column: word
        for column, word in zip(columns.tolist(), words, strict=True)
        if not _STOP_COLUMNS[column]
    }
