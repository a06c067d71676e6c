"""The bundled sample papers: real Hugging Face Daily Papers page copies."""

from __future__ import annotations

from importlib import resources


def sample_pages() -> list[tuple[str, str]]:
    """Each bundled sample page as (file name, text), in name order."""
    folder = resources.files(__package__).joinpath("samples")
    pages = [item for item in folder.iterdir() if item.name.endswith(".txt")]
    return [(item.name, item.read_text(encoding="utf-8")) for item in sorted(pages, key=str)]
