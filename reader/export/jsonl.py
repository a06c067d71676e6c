"""The JSON exports: the `reader list --json` array and JSON Lines (one paper a line).

Both hold the library's own dict form (`reader.serialize`), with the user's state, so a
JSON Lines export imports into another library exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from reader.model import Entry
from reader.serialize import entry_to_dict
from reader.text import json_safe


def to_json(entries: Sequence[Entry]) -> str:
    """A JSON array of the entries' dict form, indented, with a trailing newline.

    Characters that could act on a terminal (or break a line) are `\\uXXXX`-escaped, so the
    file is safe to print and reads back to exactly the same text (see `json_safe`).
    """
    text = json.dumps([entry_to_dict(entry) for entry in entries], indent=2, ensure_ascii=False)
    return json_safe(text) + "\n"


def to_jsonl(entries: Sequence[Entry]) -> str:
    """One compact JSON object per line (JSON Lines); the empty string for no entries.

    Escaped as `to_json` is, which also keeps every record on one line for any reader.
    """
    return "".join(
        json_safe(json.dumps(entry_to_dict(entry), ensure_ascii=False, separators=(",", ":")))
        + "\n"
        for entry in entries
    )
