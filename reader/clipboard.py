"""The system clipboard through pyperclip, reporting rather than raising when there is none.

Over SSH or on a headless machine there is no clipboard program; callers then fall back
to the terminal's own clipboard escape (OSC 52), which only the TUI can send.
"""

from __future__ import annotations

import pyperclip


def copy_to_system(text: str) -> bool:
    """Put `text` on the system clipboard; False when no system clipboard is available."""
    try:
        pyperclip.copy(text)
    except pyperclip.PyperclipException:
        return False
    return True


def paste_from_system() -> str | None:
    """The system clipboard's text; None when no system clipboard is available."""
    try:
        return str(pyperclip.paste())
    except pyperclip.PyperclipException:
        return None
