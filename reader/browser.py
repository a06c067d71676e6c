"""Opening a paper's page in a web browser, safely."""

from __future__ import annotations

import webbrowser

from reader.errors import ReaderError
from reader.links import is_web_url

# Text-mode browsers would take over the very terminal reader is drawing in.
_CONSOLE_BROWSERS = {"www-browser", "lynx", "links", "links2", "elinks", "w3m"}


def open_in_browser(url: str) -> None:
    """Open `url` in a graphical browser; `ReaderError` says why when that is impossible."""
    if not is_web_url(url):
        raise ReaderError(f"refusing to open {url!r}: only http and https links are opened")
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        raise ReaderError(f"no web browser found; the link is {url}") from None
    if getattr(browser, "name", "") in _CONSOLE_BROWSERS:
        raise ReaderError(f"only a text-mode browser was found; the link is {url}")
    if not browser.open(url, new=2):
        raise ReaderError(f"the browser did not open; the link is {url}")
