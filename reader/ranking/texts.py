"""The text a paper is ranked by, and its fingerprint (light: no numpy)."""

from __future__ import annotations

import hashlib


def paper_text(title: str, abstract: str) -> str:
    """What the vectors are made of."""
    return f"{title}\n{abstract}"


def text_hash(title: str, abstract: str) -> int:
    """A signed 64-bit fingerprint of a paper's text: has it changed since it was vectorized?"""
    digest = hashlib.blake2b(
        paper_text(title, abstract).encode("utf-8", "surrogatepass"), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big", signed=True)
