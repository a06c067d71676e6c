"""Paper identity: title normalization, title-derived keys and arXiv id normalization."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

# New-style ids (0704.0001 onwards: YYMM.NNNN or YYMM.NNNNN) and old-style ids
# (archive[.subject]/YYMMNNN), each with an optional version suffix.
_NEW_ID = re.compile(r"(?<![\w.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\w.])")
_OLD_ID = re.compile(r"(?<![\w.])([a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?!\w)", re.IGNORECASE)
_ARXIV_PREFIX = re.compile(
    r"^\s*(?:arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/)", re.IGNORECASE
)


def normalize_title(title: str) -> str:
    """Fold a title to a comparable form: Unicode-compatible, case-folded, accents and
    punctuation removed, whitespace collapsed.

    >>> normalize_title("  Edit-A-Video:  Single   Video Editing ")
    'edit a video single video editing'
    """
    if title.isascii():
        # The common case, and the same result: nothing to decompose or fold but case.
        text = title.lower()
    else:
        text = unicodedata.normalize("NFKD", title)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def title_key(title: str) -> str:
    """A short, stable key derived from the normalized title (for papers without an id)."""
    digest = hashlib.blake2b(normalize_title(title).encode("utf-8"), digest_size=6).hexdigest()
    return f"t-{digest}"


def normalize_arxiv_id(text: str | None) -> str | None:
    """Return the bare arXiv id (no version, no prefix) in `text`, or None.

    Accepts `2606.11409`, `arXiv:2606.11409v2`, `https://arxiv.org/abs/2606.11409`,
    `https://arxiv.org/pdf/2606.11409v1.pdf` and old-style ids such as `hep-th/9901001`.
    """
    if not text:
        return None
    candidate = _ARXIV_PREFIX.sub("", text.strip())
    candidate = candidate.removesuffix(".pdf")
    match = _NEW_ID.fullmatch(candidate) or _NEW_ID.fullmatch(candidate.split("v")[0])
    if match:
        return match.group(1)
    match = _OLD_ID.fullmatch(candidate)
    if match:
        # The subject class ("math.AG/...") is not part of the identifier.
        archive, number = match.group(1).split("/")
        return f"{archive.split('.')[0].lower()}/{number}"
    return None


def arxiv_url(arxiv_id: str) -> str:
    """The canonical abstract page of an arXiv id."""
    return f"https://arxiv.org/abs/{arxiv_id}"


def paper_key(arxiv_id: str | None, title: str) -> str:
    """The key a new paper gets: its arXiv id when known, else the title key."""
    return arxiv_id or title_key(title)
