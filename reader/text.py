"""Making untrusted text safe to show in a terminal, to embed in JSON, and to store."""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 control characters (ESC among them) and DEL: these start terminal escape
# sequences or move the cursor (a lone CR rewrites the line). Tab and newline are handled by
# the callers' layout. Lone surrogates (JSON can hold them) cannot be encoded at all.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Bidirectional overrides, embeddings, isolates and marks can reorder what the user sees on
# screen ("Trojan Source").
_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_BIDI_CONTROL = re.compile(f"[{_BIDI_CONTROLS}]")
# What `json.dumps` leaves raw although JSON allows escaping it: DEL and the C1 controls
# (U+009B is a terminal's CSI), the bidi controls, U+2028/U+2029 (line breaks to
# `str.splitlines` and to JavaScript before ES2019) and lone surrogates.
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f\u2028\u2029{_BIDI_CONTROLS}\ud800-\udfff]")
SURROGATE = re.compile("[\ud800-\udfff]")
"""A lone surrogate: JSON may hold one (a "\\ud800" escape), UTF-8 cannot (SQLite, files)."""


def storable(text: str) -> str:
    """`text` with each lone surrogate as U+FFFD: what UTF-8, so SQLite, can hold."""
    return SURROGATE.sub("\ufffd", text)


def printable(text: str) -> str:
    """`text` safe to write to a terminal.

    Control characters (but tab and newline) and lone surrogates become U+FFFD, so the reader
    sees that something was there; bidirectional controls are removed.
    """
    return _BIDI_CONTROL.sub("", without_controls(text))


def without_controls(text: str) -> str:
    """`text` with control characters (but tab and newline) and lone surrogates as U+FFFD.

    For files, where bidi controls may be meant (`printable` also removes those).
    """
    return _CONTROL.sub("\ufffd", text)


def json_safe(json_text: str) -> str:
    """JSON text from `json.dumps` with every character that could act on a terminal escaped.

    `json.dumps` escapes the C0 controls itself; this adds `\\uXXXX` escapes for DEL, the C1
    controls, bidi controls, U+2028/U+2029 and lone surrogates. Such characters only occur
    inside JSON strings, where the escape means the same: the JSON reads back exactly.
    """
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", json_text)


def one_line(text: str) -> str:
    """`printable(text)` with every run of whitespace (newlines too) turned into one space."""
    joined = " ".join(text.split())
    if joined.isascii() and joined.isprintable():
        return joined  # nothing to replace: the common case, without two regex passes
    return printable(joined)


def plural(count: int, noun: str) -> str:
    """`plural(1, "paper")` is "1 paper"; `plural(2, "paper")` is "2 papers"."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def cell_width(char: str) -> int:
    """Terminal cells one character takes: 0 for combining and zero-width, 2 for wide."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cut_to_width(text: str, width: int) -> str:
    """`text` cut with an ellipsis so it takes at most `width` terminal cells."""
    if text.isascii() and text.isprintable():
        # One cell per character: no lookup per character (`reader list` cuts every line).
        return text if len(text) <= width else (text[: width - 1] + "…" if width > 0 else "")
    if sum(cell_width(char) for char in text) <= width:
        return text
    used, kept = 0, []
    for char in text:
        used += cell_width(char)
        if used > width - 1:
            break
        kept.append(char)
    return "".join(kept) + "…" if width > 0 else ""
