"""Making untrusted text safe to show in a terminal."""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 control characters (ESC among them) and DEL: these start terminal escape
# sequences or move the cursor. Tab and newline are handled by the callers' layout.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional overrides and isolates can reorder what the user sees on screen.
_BIDI_OVERRIDE = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with control characters shown as U+FFFD, safe to write to a terminal."""
    return _BIDI_OVERRIDE.sub("", _CONTROL.sub("\ufffd", text))


def one_line(text: str) -> str:
    """`printable(text)` with every run of whitespace (newlines too) turned into one space."""
    return printable(" ".join(text.split()))


def plural(count: int, noun: str) -> str:
    """`plural(1, "paper")` is "1 paper"; `plural(2, "paper")` is "2 papers"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def cell_width(char: str) -> int:
    """Terminal cells one character takes: 0 for combining and zero-width, 2 for wide."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cut_to_width(text: str, width: int) -> str:
    """`text` cut with an ellipsis so it takes at most `width` terminal cells."""
    if sum(cell_width(char) for char in text) <= width:
        return text
    used, kept = 0, []
    for char in text:
        used += cell_width(char)
        if used > width - 1:
            break
        kept.append(char)
    return "".join(kept) + "…" if width > 0 else ""
