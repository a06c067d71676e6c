"""Every key of the app, declared once: the bindings, the footer, the help screen and the
command palette are all built from this table, so they can never disagree.

Each key has a stable `id`, which is also its name in the keymap of the settings file
(`"keymap": {"star": "f5"}` moves "star" to F5).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType

LIST, SCREEN, APP, READING, PANE = "list", "screen", "app", "reading", "pane"
"""Where a key is bound: the paper list (movement), the main screen, the app, the reading
view, or a scrolling pane (the preview and the reading view)."""

SECTIONS = ("Move", "Filter", "Select", "Triage", "Share", "Library", "Reading", "App")
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
    reading: bool = False
    """Also bound in the reading view, acting on the paper shown."""
    palette: bool = True
    """Offered in the command palette under its label (the number keys are offered by
    the names of the saved searches instead)."""

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


def _key(
    id: str,
    keys: str,
    action: str,
    label: str,
    help: str,
    section: str,
    scope: str = SCREEN,
    *,
    footer: bool = False,
    reading: bool = False,
) -> Key:
    return Key(id, keys, action, label, help, section, scope, footer, reading=reading)


SAVED_HELP = "filter by saved search 1-9 (`reader saved list`; also in the palette)"
"""The help of the number keys, one row for the nine of them."""


KEYS: tuple[Key, ...] = (
    # Move: bound on the list, so they work wherever it has the focus.
    _key("down", "j,down", "cursor_down", "Down", "next paper", "Move", LIST),
    _key("up", "k,up", "cursor_up", "Up", "previous paper", "Move", LIST),
    _key("first", "g,home", "first", "Top", "first paper", "Move", LIST),
    _key("last", "G,end", "last", "Bottom", "last paper", "Move", LIST),
    _key("page-down", "pagedown", "page_down", "Page down", "one screen down", "Move", LIST),
    _key("page-up", "pageup", "page_up", "Page up", "one screen up", "Move", LIST),
    _key(
        "next-unread",
        "right_square_bracket",
        "next_unread",
        "Unread ↓",
        "next unread paper",
        "Move",
    ),
    _key(
        "previous-unread",
        "left_square_bracket",
        "previous_unread",
        "Unread ↑",
        "previous unread paper",
        "Move",
    ),
    _key(
        "open-paper",
        "enter",
        "read_paper",
        "Open",
        "read the paper full screen",
        "Move",
        footer=True,
    ),
    _key(
        "focus-preview",
        "tab",
        "focus_preview",
        "Preview",
        "move to the preview and back (it scrolls with ↑ ↓ PgUp PgDn)",
        "Move",
        footer=True,
    ),
    # Filter
    _key(
        "filter",
        "slash",
        "focus_filter",
        "Filter",
        "focus the filter (Enter returns to the list)",
        "Filter",
        footer=True,
    ),
    _key(
        "back",
        "escape",
        "escape",
        "Back",
        "leave the filter; again to clear the selection, then the filter",
        "Filter",
    ),
    _key("reverse", "R", "reverse_sort", "Reverse", "reverse the sort", "Filter"),
    *(
        Key(
            f"saved-{number}",
            str(number),
            f"saved_search({number})",
            f"Saved {number}",
            SAVED_HELP,
            "Filter",
            palette=False,
        )
        for number in range(1, 10)
    ),
    _key(
        "similar",
        "l",
        "similar",
        "Like this",
        "papers like this one (the filter becomes similar:KEY, most similar first)",
        "Filter",
    ),
    # Select several papers, then act on all of them at once.
    _key(
        "select",
        "m",
        "toggle_selected",
        "Select",
        "select / unselect the paper (then s, space, t, b, c act on the selection)",
        "Select",
    ),
    _key(
        "select-all",
        "M",
        "select_all",
        "All",
        "select every matching paper (again: select none)",
        "Select",
    ),
    # Triage
    _key(
        "read",
        "space",
        "toggle_read",
        "Read",
        "toggle read (marking read moves to the next paper)",
        "Triage",
        footer=True,
        reading=True,
    ),
    _key("star", "s", "toggle_star", "Star", "star / unstar", "Triage", footer=True, reading=True),
    _key(
        "note",
        "n",
        "edit_note",
        "Note",
        "write a note (Markdown; Ctrl+S saves)",
        "Triage",
        footer=True,
        reading=True,
    ),
    _key(
        "tags",
        "t",
        "edit_tags",
        "Tags",
        "edit tags (with completion)",
        "Triage",
        footer=True,
        reading=True,
    ),
    _key(
        "dismiss",
        "x",
        "not_interested",
        "Not for me",
        "not interested: mark read and rank papers like it lower; again: take it back",
        "Triage",
    ),
    _key("all-read", "A", "mark_all_read", "All read", "mark every matching paper read", "Triage"),
    _key("undo", "u", "undo", "Undo", "undo the last change", "Triage", footer=True, reading=True),
    _key("redo", "ctrl+r", "redo", "Redo", "redo what was undone", "Triage", reading=True),
    # Share
    _key(
        "open",
        "o",
        "open_link",
        "Open",
        "open the paper's page in the browser",
        "Share",
        reading=True,
    ),
    _key("copy", "y", "copy_link", "Copy", "copy title and link", "Share", reading=True),
    _key("cite", "Y", "copy_citation", "Cite", "copy a citation line", "Share", reading=True),
    _key(
        "pdf",
        "O",
        "open_pdf",
        "PDF",
        "open the arXiv PDF (downloads it into the cache first)",
        "Share",
        reading=True,
    ),
    _key(
        "copy-bibtex",
        "c",
        "copy_bibtex",
        "BibTeX",
        "copy the paper's BibTeX (the selection's, when there is one)",
        "Share",
        reading=True,
    ),
    _key(
        "export",
        "e",
        "export_starred",
        "Export",
        "export the starred papers (Markdown; the file name picks the format)",
        "Share",
        footer=True,
    ),
    _key(
        "bibtex",
        "b",
        "export_bibtex",
        "Export matches",
        "export the selection, else the matches (BibTeX; the file name picks the format)",
        "Share",
    ),
    # Library
    _key(
        "import",
        "i",
        "import_file",
        "Import",
        "import a file (any input format)",
        "Library",
        footer=True,
    ),
    _key(
        "paste",
        "I",
        "import_clipboard",
        "Paste",
        "import copied text from the clipboard (a Daily Papers page, ids, ...)",
        "Library",
    ),
    _key(
        "fetch",
        "f",
        "fetch",
        "Fetch",
        "fetch every subscription, or from Hugging Face Daily Papers or arXiv",
        "Library",
        footer=True,
    ),
    _key(
        "samples",
        "d",
        "load_samples",
        "Samples",
        "load the bundled sample papers (in an empty library)",
        "Library",
    ),
    # Declared here (its section is Filter) so that the footer shows it after the others.
    _key(
        "sort",
        "S",
        "cycle_sort",
        "Sort",
        "cycle the sort: date, upvotes, title, added, for you (learned from your stars)",
        "Filter",
        footer=True,
    ),
    # App
    _key("preview", "p", "toggle_preview", "Hide preview", "show / hide the preview", "App"),
    _key("ids", "number_sign", "toggle_ids", "Ids", "show / hide the arXiv id column", "App"),
    _key(
        "help",
        "question_mark",
        "help",
        "Help",
        "all keys and the filter syntax",
        "App",
        APP,
        footer=True,
    ),
    _key("quit", "q", "quit", "Quit", "quit reader", "App", APP, footer=True),
    # The reading view (Enter): scrolling, and the triage keys above marked `reading`.
    _key(
        "next-paper", "right,J", "next_paper", "Next", "next paper", "Reading", READING, footer=True
    ),
    _key(
        "previous-paper",
        "left,K",
        "previous_paper",
        "Previous",
        "previous paper",
        "Reading",
        READING,
        footer=True,
    ),
    _key("close", "escape,q", "close", "Back", "back to the list", "Reading", READING, footer=True),
    # Scrolling the preview (Tab) and the reading view; arrows and PgUp/PgDn work too.
    _key("scroll-down", "j", "scroll_down", "Down", "scroll down", "Reading", PANE),
    _key("scroll-up", "k", "scroll_up", "Up", "scroll up", "Reading", PANE),
    _key("scroll-top", "g", "scroll_home", "Top", "to the top", "Reading", PANE),
    _key("scroll-end", "G", "scroll_end", "End", "to the end", "Reading", PANE),
)
"""Every key of the app."""

FOOTER_PRIORITY = (
    "help",
    "quit",
    "close",
    "filter",
    "read",
    "star",
    "open-paper",
    "next-paper",
    "previous-paper",
    "undo",
    "note",
    "tags",
    "focus-preview",
    "fetch",
    "import",
    "export",
    "sort",
)
"""Which footer keys stay when the terminal is narrow, the first ones longest."""

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
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "number_sign": "#",
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
        rows: list[tuple[str, str]] = []
        for key in keys:
            if key.section != section:
                continue
            shown = display_keys(keymap.get(key.id, key.keys))
            if rows and rows[-1][1] == key.help:
                # Keys doing one thing with different numbers (1-9) share one row.
                first = rows[-1][0].split(" … ")[0]
                rows[-1] = (f"{first} … {shown}", key.help)
            else:
                rows.append((shown, key.help))
        rows.extend(EXTRA_HELP.get(section, ()))
        if rows:
            yield section, rows


def reading_bindings() -> list[BindingType]:
    """The reading view's bindings: its own keys, then the triage keys it shares."""
    own = [key.binding() for key in KEYS if key.scope == READING]
    shared = [key.binding() for key in KEYS if key.reading]
    return [*own, *shared]


def keymap_from(setting: object) -> tuple[dict[str, str], list[str]]:
    """The user's keymap from the settings' `keymap` (key id -> keys), and its problems.

    `{"star": "f5", "read": "x,space"}` moves "star" to F5 and adds x to "read". Unknown
    ids and values that are not key names are left out, each named in a problem.
    """
    if setting is None:
        return {}, []
    if not isinstance(setting, dict):
        return {}, ["the keymap must map key names (as in the help) to keys"]
    ids = {key.id for key in KEYS}
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for name, value in setting.items():
        if name not in ids:
            problems.append(f"unknown key name {str(name)[:30]!r}")
        elif (
            not isinstance(value, str)
            or len(value) > 60
            or not all(_KEY_NAME.fullmatch(part.strip()) for part in value.split(","))
        ):
            problems.append(f'{name!r} needs keys such as "f5" or "x,ctrl+s"')
        else:
            keymap[name] = ",".join(part.strip() for part in value.split(","))
    problems.extend(_clashes(keymap))
    return keymap, problems


_KEY_NAME = re.compile(r"[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*")
"""A key as Textual names it: "x", "R", "f5", "ctrl+s", "question_mark"."""


def _clashes(keymap: Mapping[str, str]) -> list[str]:
    """What the keymap takes from other keys of the same place (Textual gives the key to
    the keymap's binding, and the other one silently loses it: say so)."""
    found: list[str] = []
    for key in KEYS:
        if key.id not in keymap:
            continue
        for other in KEYS:
            if other.id == key.id or other.scope != key.scope or other.id in keymap:
                continue
            taken = set(keymap[key.id].split(",")) & set(other.keys.split(","))
            for name in sorted(taken):
                found.append(f"{key.id!r} takes {name} from {other.id!r}")
    return found


def actions(scope: str) -> frozenset[str]:
    """The action names of one scope."""
    return frozenset(key.action for key in KEYS if key.scope == scope)
