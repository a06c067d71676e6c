"""CSL-JSON export: the citation format of pandoc, Zotero and every CSL processor.

One object per paper, with the citation key (the BibTeX export's) as `id`: `type`
(`article` for an arXiv preprint, as Zotero writes preprints, else `document`), `title`,
`author` (`family`/`given`, or `literal` for a one-word name), `issued`, `abstract`,
`DOI`, `URL`, `publisher`/`number` (arXiv and its id), `keyword` (the user's tags).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reader.export.bibtex import citation_keys, name_parts
from reader.identity import arxiv_url
from reader.links import is_web_url
from reader.model import Entry
from reader.text import json_safe


def to_csl_json(entries: Sequence[Entry]) -> str:
    """The entries as a CSL-JSON array (pretty-printed)."""
    keys = citation_keys([entry.paper for entry in entries])
    items = [_item(key, entry) for key, entry in zip(keys, entries, strict=True)]
    return json_safe(json.dumps(items, ensure_ascii=False, indent=2)) + "\n"


def _item(key: str, entry: Entry) -> dict[str, Any]:
    paper = entry.paper
    item: dict[str, Any] = {
        "id": key,
        "type": "article" if paper.arxiv_id else "document",
        "title": paper.title,
    }
    authors = [_csl_name(name) for name in paper.authors if name.strip()]
    if authors:
        item["author"] = authors
    if paper.published is not None:
        day = paper.published
        item["issued"] = {"date-parts": [[day.year, day.month, day.day]]}
    if paper.abstract.strip():
        item["abstract"] = paper.abstract
    if paper.doi:
        item["DOI"] = paper.doi
    url = paper.url if paper.url and is_web_url(paper.url) else None
    if url is None and paper.arxiv_id:
        url = arxiv_url(paper.arxiv_id)
    if url:
        item["URL"] = url
    if paper.arxiv_id:
        item["publisher"] = "arXiv"
        item["number"] = paper.arxiv_id
    tags = [tag for tag in entry.state.tags if tag.strip()]
    if tags:
        item["keyword"] = ", ".join(tags)
    return item


def _csl_name(name: str) -> dict[str, str]:
    family, given, suffix = name_parts(name)
    if not given:
        return {"literal": " ".join(name.split())}
    parts = {"family": family, "given": given}
    if suffix:
        parts["suffix"] = suffix
    return parts
