"""Values read from a feed server or a downloaded file, made safe to keep and to show.

A hostile or broken answer can hold numbers too big for SQLite, strings that UTF-8 cannot
encode (lone surrogates, which JSON's "\\ud800" escape produces), timestamps that name no
real instant, and terminal escape sequences in the text a message would quote. Every
reader of such input passes its values through these checks.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from reader.text import cut_to_width, one_line

MAX_COUNT = 2**63 - 1
"""SQLite's largest integer: a bigger count cannot be stored."""
QUOTE_LIMIT = 200
"""The most characters of server-provided text an error message quotes."""

_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """`text` with every lone surrogate (unencodable in UTF-8) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def quoted(text: str) -> str:
    """Untrusted `text` fit to quote in a one-line message: valid, printable (control
    characters replaced, so no escape sequence reaches the terminal), on one line, and cut
    to `QUOTE_LIMIT` characters."""
    return cut_to_width(one_line(valid_text(text)), QUOTE_LIMIT)


def count(value: object) -> int | None:
    """`value` when it is a count that can be stored (an int in 0..2**63-1), else None.

    JSON booleans decode to `bool`, a subclass of int: they are no count either.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_COUNT else None


def day_of(moment: datetime) -> date | None:
    """The calendar day of `moment` as written, or None when it names no real instant
    (its offset pushes it outside the years 1 to 9999 in UTC)."""
    if moment.tzinfo is not None:
        try:
            moment.astimezone(UTC)
        except (OverflowError, ValueError):
            return None
    return moment.date()
