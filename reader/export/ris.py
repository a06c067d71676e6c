"""RIS export, for Zotero, Mendeley, EndNote and the other reference managers.

Written with rispy (the maintained RIS library), one record per paper: `TY` (`UNPB` for an
arXiv preprint, else `GEN`), `ID` (the citation key, as in the BibTeX export), `TI`,
`AU` ("Family, Given"), `PY` and `DA`, `AB`, `DO`, `UR`, `DB`/`AN` (arXiv and its id),
`KW` (the user's tags). RIS is one field a line, so every value is put on one line and
control characters are dropped; notes and reading state stay out, as in BibTeX.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reader.export.bibtex import citation_keys, name_parts
from reader.identity import arxiv_url
from reader.links import is_web_url
from reader.model import Entry
from reader.text import without_controls


def to_ris(entries: Sequence[Entry]) -> str:
    """The entries as RIS records; "" for no entries."""
    import rispy

    class Writer(rispy.RisWriter):
        """rispy's writer without its record numbers ("1."), which RIS does not have."""

        def set_header(self, count: int) -> str:
            return ""

    if not entries:
        return ""
    keys = citation_keys([entry.paper for entry in entries])
    records = [_record(key, entry) for key, entry in zip(keys, entries, strict=True)]
    return without_controls(rispy.dumps(records, implementation=Writer))


def _record(key: str, entry: Entry) -> dict[str, Any]:
    paper = entry.paper
    record: dict[str, Any] = {
        "type_of_reference": "UNPB" if paper.arxiv_id else "GEN",
        "id": key,
        "title": _line(paper.title),
    }
    authors = [_ris_name(name) for name in paper.authors if name.strip()]
    if authors:
        record["authors"] = authors
    if paper.published is not None:
        record["year"] = str(paper.published.year)
        record["date"] = paper.published.strftime("%Y/%m/%d/")
    if paper.abstract.strip():
        record["abstract"] = _line(paper.abstract)
    if paper.doi:
        record["doi"] = _line(paper.doi)
    urls = [url for url in (paper.url, arxiv_url(paper.arxiv_id) if paper.arxiv_id else None)]
    web = list(dict.fromkeys(_line(url) for url in urls if url and is_web_url(url)))
    if web:
        record["urls"] = web
    if paper.arxiv_id:
        record["name_of_database"] = "arXiv"
        record["accession_number"] = f"arXiv:{paper.arxiv_id}"
    tags = [_line(tag) for tag in entry.state.tags if tag.strip()]
    if tags:
        record["keywords"] = tags
    return record


def _ris_name(name: str) -> str:
    family, given, suffix = name_parts(_line(name))
    return ", ".join(part for part in (family, given, suffix) if part)


def _line(text: str) -> str:
    """RIS holds one value a line: white space collapsed, nothing else changed."""
    return " ".join(text.split())
