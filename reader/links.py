"""Web links: the one test of what may be opened, linked or exported as a link.

Only http(s) URLs with a host are ever opened in a browser, made clickable, or written
as links: `javascript:`, `data:` and `file:` links never reach a user. Every place that
shows or writes a link asks `is_web_url`.
"""

from __future__ import annotations

import re

_WEB_URL = re.compile(r"https?://[^\s/?#\\]", re.IGNORECASE)
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Characters that must never stand raw in a link: spaces, controls, bidi marks."""


def is_web_url(url: str | None) -> bool:
    """True for an http(s) URL with a host (after trimming the ends)."""
    return url is not None and _WEB_URL.match(url.strip()) is not None


def percent_encode(url: str, unsafe: re.Pattern[str] = _UNSAFE) -> str:
    """`url` with every character `unsafe` matches (by default spaces, controls and bidi
    marks) written as %XX bytes of its UTF-8, so the link stays one safe token."""
    return unsafe.sub(
        lambda match: "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8")), url
    )


def web_url(url: str | None) -> str | None:
    """`url` trimmed and made safe to open or show as a link, or None when it is none."""
    if url is None or not is_web_url(url):
        return None
    return percent_encode(url.strip())
