"""Paper identity: title normalization, title-derived keys and arXiv id normalization."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable

BIBTEX_KEY_FIELD = "readerkey"
"""The BibTeX field that carries a paper's key when an import could not derive it from
the entry (a paper first seen by its title that has gained an arXiv id since)."""

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_ASCII_NON_WORD = bytes(code if chr(code).isalnum() else 0x20 for code in range(256))
"""Every ASCII byte that `_NON_WORD` matches, as a space (a byte table: five times faster)."""

# New-style ids (0704.0001 onwards: YYMM.NNNN or YYMM.NNNNN) and old-style ids
# (archive[.subject]/YYMMNNN), each with an optional version suffix.
_NEW_ID = re.compile(r"(?<![\w.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\w.])")
_OLD_ID = re.compile(r"(?<![\w.])([a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?!\w)", re.IGNORECASE)
_ARXIV_PREFIX = re.compile(
    r"^\s*(?:arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/)", re.IGNORECASE
)


@functools.lru_cache(maxsize=65_536)
def normalize_title(title: str) -> str:
    """Fold a title to a comparable form: Unicode-compatible, case-folded, accents and
    punctuation removed, whitespace collapsed.

    >>> normalize_title("  Edit-A-Video:  Single   Video Editing ")
    'edit a video single video editing'
    """
    if title.isascii():
        # The common case, and the same result: nothing to decompose or fold but case.
        text = title.lower().encode("ascii").translate(_ASCII_NON_WORD).decode("ascii")
        return " ".join(text.split())
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


# A DOI: "10." + a registrant code + "/" + a suffix of anything but whitespace. Prefixes
# people paste: "doi:", "DOI ", and the resolver's URLs (old and new hosts).
# Any character but spaces, controls and the invisible format characters (bidi
# overrides, zero-width spaces): a DOI is printed, compared and linked.
_DOI = re.compile(
    r"10\.\d{4,9}(?:\.\d+)*/[^\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+"
)
_DOI_PREFIX = re.compile(
    r"^\s*(?:doi\s*:?\s*|https?://(?:dx\.|www\.)?doi\.org/|info:doi/)", re.IGNORECASE
)
# arXiv's own DOIs name an arXiv paper: 10.48550/arXiv.2606.11409.
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)


def normalize_doi(text: str | None) -> str | None:
    """The DOI in `text` (`10.1063/1.4944470`, `doi:10...`, `https://doi.org/10...`), as
    written but without its prefix and percent-encoding, or None when it is no DOI.

    DOIs compare case-insensitively: use `doi_key` to compare them.
    """
    if not text:
        return None
    candidate = _DOI_PREFIX.sub("", text.strip(), count=1)
    if "%" in candidate:
        from urllib.parse import unquote

        candidate = unquote(candidate)
    candidate = candidate.strip().rstrip(".,;")
    return candidate if _DOI.fullmatch(candidate) else None


# `cs.LG`, `astro-ph.CO`, `hep-th`, `cond-mat.stat-mech`: short, whatever a feed sends.
_ARXIV_CATEGORY = re.compile(r"[a-z][a-z-]{0,19}(?:\.[A-Za-z][A-Za-z-]{0,19})?")


def is_arxiv_category(text: str) -> bool:
    """Whether `text` is shaped like an arXiv category (`cs.LG`, `hep-th`, `math.AG`)."""
    return _ARXIV_CATEGORY.fullmatch(text) is not None


def arxiv_categories(terms: Iterable[str]) -> tuple[str, ...]:
    """The terms shaped like arXiv categories, in order, once each (the others dropped)."""
    found: dict[str, None] = {}
    for term in terms:
        term = term.strip()
        if is_arxiv_category(term):
            found.setdefault(term, None)
    return tuple(found)


def doi_key(doi: str) -> str:
    """A DOI folded for comparison: DOIs are case-insensitive (ASCII)."""
    return doi.lower()


def arxiv_id_of_doi(doi: str | None) -> str | None:
    """The arXiv id that an arXiv DOI (`10.48550/arXiv.2606.11409`) names, else None."""
    match = _ARXIV_DOI.match(doi or "")
    return normalize_arxiv_id(match.group(1)) if match else None


def doi_url(doi: str) -> str:
    """The resolver's address of a DOI."""
    return f"https://doi.org/{doi}"
