"""Readers of every input format. Each turns text into `Incoming` papers; none touches storage."""

from __future__ import annotations

from dataclasses import dataclass

from reader.model import Paper, PaperState


@dataclass(frozen=True, slots=True)
class Incoming:
    """One paper read from an input, with the user state the input carried (if any).

    Only the library's own formats (JSON Lines, JSON) carry state; page text never does.
    """

    paper: Paper
    state: PaperState | None = None
    keyed: bool = False
    """True when the input named the paper's key (the library's own formats): the key is
    then its identity, and it is never merged by title into another paper of the input."""
