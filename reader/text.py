"""Making untrusted text safe to show in a terminal."""

from __future__ import annotations

import re

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
