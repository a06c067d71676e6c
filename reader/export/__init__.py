"""Exporters: turn entries into text in one of several formats; they never write files.

`FORMATS` is the registry: the CLI's `--format` choices and the app's exports are built
from it. A new export format is one module with a render function and one entry here.
The modules are imported only when a format is used, so listing the formats is cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass

from reader.model import Entry


@dataclass(frozen=True, slots=True)
class Format:
    """One export format."""

    name: str
    """What `--format` calls it."""
    label: str
    """What messages call it ("a BibTeX file")."""
    suffix: str
    """The file name suffix, with its dot."""
    function: str
    """The render function, "module:name" under `reader.export`; it takes the entries and,
    for document formats, a `title` keyword."""
    titled: bool = False
    """Whether the document has a title (a heading)."""

    def render(self, entries: Sequence[Entry], title: str = "Papers") -> str:
        """The entries in this format."""
        module, name = self.function.split(":")
        function = getattr(importlib.import_module(f"reader.export.{module}"), name)
        text: str = function(entries, title=title) if self.titled else function(entries)
        return text


FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format("markdown", "Markdown", ".md", "markdown:to_markdown", titled=True),
        Format("json", "JSON", ".json", "jsonl:to_json"),
        Format("jsonl", "JSON Lines", ".jsonl", "jsonl:to_jsonl"),
        Format("bibtex", "BibTeX", ".bib", "bibtex:to_bibtex"),
        Format("ris", "RIS", ".ris", "ris:to_ris"),
        Format("csl-json", "CSL-JSON", ".csl.json", "csl_json:to_csl_json"),
    )
}
"""Every export format, by name."""


def for_suffix(file_name: str) -> Format | None:
    """The format a file name's suffix asks for (".bib" is BibTeX), or None."""
    lowered = file_name.lower()
    # Longest suffix first: ".jsonl" before ".json".
    for fmt in sorted(FORMATS.values(), key=lambda fmt: -len(fmt.suffix)):
        if lowered.endswith(fmt.suffix):
            return fmt
    return None
