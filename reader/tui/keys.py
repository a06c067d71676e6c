"""Every key of the app, declared once: the bindings, the footer, the help screen and the
command palette are all built from this table, so they can never disagree.

Each key has a stable `id`, which is also its name in the keymap of the settings file
(`"keymap": {"star": "f5"}` moves "star" to F5).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType

LIST, SCREEN, APP = "list", "screen", "app"
"""Where a key is bound: the paper list (movement), the main screen, or the app."""

SECTIONS = ("Move", "Filter", "Triage", "Share", "Library", "App")
"""The sections of the help screen, in order."""


@dataclass(frozen=True, slots=True)
class Key:
    """One key binding with everything said about it anywhere."""

    id: str
    """Stable name: the binding id, the keymap name and the palette entry."""
    keys: str
    """Textual's key list, e.g. "j,down"."""
    action: str
    label: str
    """The short label of the footer and the palette."""
    help: str
    """What it does, for the help screen and the palette."""
    section: str
    scope: str = SCREEN
    footer: bool = False
    """Shown in the footer (when the action is available)."""
    priority: bool = False

    def binding(self) -> Binding:
        """The Textual binding."""
        return Binding(
            self.keys,
            self.action,
            self.label,
            show=self.footer,
            tooltip=self.help,
            id=self.id,
            priority=self.priority,
        )


KEYS: tuple[Key, ...] = (
    # Move: bound on the list, so they work wherever it has the focus.
    Key("down", "j,down", "cursor_down", "Down", "next paper", "Move", LIST),
    Key("up", "k,up", "cursor_up", "Up", "previous paper", "Move", LIST),
    Key("first", "g,home", "first", "Top", "first paper", "Move", LIST),
    Key("last", "G,end", "last", "Bottom", "last paper", "Move", LIST),
    Key("page-down", "pagedown", "page_down", "Page down", "one screen down", "Move", LIST),
    Key("page-up", "pageup", "page_up", "Page up", "one screen up", "Move", LIST),
    # Filter
    Key(
        "filter",
        "slash",
        "focus_filter",
        "Filter",
        "focus the filter (Enter returns to the list)",
        "Filter",
        footer=True,
    ),
    Key("back", "escape", "escape", "Back", "leave the filter; again to clear it", "Filter"),
    Key(
        "similar",
        "m",
        "similar",
        "More like this",
        "papers like this one (the filter becomes similar:KEY, most similar first)",
        "Filter",
    ),
    # Triage
    Key(
        "read",
        "space",
        "toggle_read",
        "Read",
        "toggle read (marking read moves to the next paper)",
        "Triage",
        footer=True,
    ),
    Key("star", "s", "toggle_star", "Star", "star / unstar", "Triage", footer=True),
    Key(
        "note",
        "n",
        "edit_note",
        "Note",
        "write a note (Markdown; Ctrl+S saves)",
        "Triage",
        footer=True,
    ),
    Key("tags", "t", "edit_tags", "Tags", "edit tags (with completion)", "Triage", footer=True),
    Key(
        "dismiss",
        "x",
        "not_interested",
        "Not for me",
        "not interested: mark read and rank papers like it lower; again: take it back",
        "Triage",
    ),
    Key("all-read", "A", "mark_all_read", "All read", "mark every matching paper read", "Triage"),
    Key("undo", "u", "undo", "Undo", "undo the last change", "Triage", footer=True),
    Key("redo", "ctrl+r", "redo", "Redo", "redo what was undone", "Triage"),
    # Share
    Key("open", "o", "open_link", "Open", "open the paper's page in the browser", "Share"),
    Key("copy", "y", "copy_link", "Copy", "copy title and link", "Share"),
    Key("cite", "Y", "copy_citation", "Cite", "copy a citation line", "Share"),
    Key(
        "export",
        "e",
        "export_starred",
        "Export",
        "export the starred papers to Markdown",
        "Share",
        footer=True,
    ),
    Key(
        "bibtex",
        "b",
        "export_bibtex",
        "BibTeX",
        "export the papers matching the filter to BibTeX",
        "Share",
    ),
    # Library
    Key(
        "import",
        "i",
        "import_file",
        "Import",
        "import a file (any input format)",
        "Library",
        footer=True,
    ),
    Key(
        "paste",
        "I",
        "import_clipboard",
        "Paste",
        "import copied text from the clipboard (a Daily Papers page, ids, ...)",
        "Library",
    ),
    Key("fetch", "f", "fetch", "Fetch", "fetch from Hugging Face Daily Papers or arXiv", "Library"),
    Key(
        "samples",
        "d",
        "load_samples",
        "Samples",
        "load the bundled sample papers",
        "Library",
        footer=True,
    ),
    # Declared here (its section is Filter) so that the footer shows it after the others.
    Key(
        "sort",
        "S",
        "cycle_sort",
        "Sort",
        "cycle the sort: date, upvotes, title, added, for you (learned from your stars)",
        "Filter",
        footer=True,
    ),
    # App
    Key("preview", "p", "toggle_preview", "Preview", "show / hide the preview", "App"),
    Key(
        "help",
        "question_mark",
        "help",
        "Help",
        "all keys and the filter syntax",
        "App",
        APP,
        footer=True,
    ),
    Key("quit", "q", "quit", "Quit", "quit reader", "App", APP, footer=True),
)
"""Every key of the app."""

EXTRA_HELP: dict[str, tuple[tuple[str, str], ...]] = {
    "Move": (("mouse", "click a row, scroll with the wheel"),),
    "App": (("Ctrl+P", "command palette: every action by name, and the theme"),),
}
"""Help rows that are not bindings of ours (the mouse, Textual's own palette key)."""

_KEY_NAMES = {
    "down": "↓",
    "up": "↑",
    "left": "←",
    "right": "→",
    "home": "Home",
    "end": "End",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "escape": "Esc",
    "enter": "Enter",
    "space": "space",
    "tab": "Tab",
    "slash": "/",
    "question_mark": "?",
}


def display_keys(keys: str) -> str:
    """Textual key names as people write them: "j,down" is "j / ↓", "ctrl+r" is "Ctrl+R"."""
    shown = []
    for key in keys.split(","):
        key = key.strip()
        if key.startswith("ctrl+"):
            shown.append("Ctrl+" + _KEY_NAMES.get(key[5:], key[5:].upper()))
        else:
            shown.append(_KEY_NAMES.get(key, key))
    return " / ".join(shown)


def bindings(scope: str) -> list[BindingType]:
    """The bindings of one scope, for a `BINDINGS` class attribute."""
    return [key.binding() for key in KEYS if key.scope == scope]


def by_section(
    keymap: Mapping[str, str] | None = None, keys: Iterable[Key] = KEYS
) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(section, [(keys, help)]) in help order, extra rows last in their section.

    `keymap` holds the user's own keys by key id (as the settings file gives them).
    """
    keymap = keymap or {}
    for section in SECTIONS:
        rows = [
            (display_keys(keymap.get(key.id, key.keys)), key.help)
            for key in keys
            if key.section == section
        ]
        rows.extend(EXTRA_HELP.get(section, ()))
        if rows:
            yield section, rows


def actions(scope: str) -> frozenset[str]:
    """The action names of one scope."""
    return frozenset(key.action for key in KEYS if key.scope == scope)
