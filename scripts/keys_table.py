"""Print the README's table of keys, from the app's own key table (`reader.tui.keys`).

    python scripts/keys_table.py            # print it
    python scripts/keys_table.py --write    # replace the table in README.md

`tests/tui/test_screens.py` checks that the README holds exactly this table.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reader.tui import keys

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- keys: start -->", "<!-- keys: end -->"


def table() -> str:
    """The keys as a Markdown table, section by section, with the names the keymap uses."""
    lines = ["| Key | Name (keymap) | What it does |", "| --- | --- | --- |"]
    for section, _ in keys.by_section():
        lines.append(f"| **{section}** | | |")
        for key in keys.KEYS:
            if key.section == section:
                shown = keys.display_keys(key.keys).replace("|", "\\|")
                lines.append(f"| `{shown}` | `{key.id}` | {key.help} |")
        for shown, help_text in keys.EXTRA_HELP.get(section, ()):
            lines.append(f"| `{shown}` | | {help_text} |")
    return "\n".join(lines)


def write() -> None:
    """Replace the table between the markers in README.md."""
    text = README.read_text(encoding="utf-8")
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    README.write_text(f"{before}{START}\n{table()}\n{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv[1:]:
        write()
    else:
        print(table())
