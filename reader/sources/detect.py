"""Recognize an input's format from its content and hand it to the right reader."""

from __future__ import annotations

from reader.errors import InputError
from reader.sources import Incoming

FORMATS = ("auto", "hf-page", "jsonl", "json")
"""Names accepted by `--format`; "auto" sniffs the content."""


def detect_format(text: str) -> str | None:
    """The format name of `text`, or None when it is not recognized."""
    from reader.sources import hfpage, jsonl

    if jsonl.looks_like_jsonl(text):
        return "jsonl"
    if jsonl.looks_like_json(text):
        return "json"
    if hfpage.looks_like_page(text):
        return "hf-page"
    return None


def parse_text(
    text: str, fmt: str = "auto", *, year: int | None = None, where: str = "input"
) -> list[Incoming]:
    """Read every paper in `text`; `InputError` (naming `where`) when there are none."""
    from reader.sources import hfpage, jsonl

    chosen = detect_format(text) if fmt == "auto" else fmt
    try:
        if chosen == "hf-page":
            return hfpage.parse_page(text, year=year)
        if chosen == "jsonl":
            return jsonl.parse_jsonl(text)
        if chosen == "json":
            return jsonl.parse_json(text)
    except InputError as error:
        raise InputError(f"{where}: {error}") from None
    if chosen is None:
        raise InputError(
            f"{where}: no papers found (not a Daily Papers page, JSON or JSON Lines);"
            " use --format to force one"
        )
    raise InputError(f"unknown format {chosen!r} (known: {', '.join(FORMATS)})")
