"""The library's own formats as input: JSON Lines (one paper per line) and a JSON array.

Both hold the dict form of `reader.serialize`, so an export read back gives the same papers
and user state.
"""

from __future__ import annotations

import json
from typing import Any

from reader.errors import InputError
from reader.model import Incoming
from reader.serialize import incoming_from_dict, parse_json_int

_BOM = "\ufeff"


def json_line(line: str, where: str, **options: Any) -> Any:
    """One line of JSON Lines decoded; `InputError` naming `where` and the column."""
    try:
        return json.loads(line, **options)
    except json.JSONDecodeError as error:
        raise InputError(f"{where}: not valid JSON ({error.msg} at column {error.colno})") from None
    except RecursionError:
        raise InputError(f"{where}: not valid JSON (nested too deeply)") from None


def parse_jsonl(text: str, *, source: str = "jsonl") -> list[Incoming]:
    """Read one paper object per non-blank line; errors name the 1-based line number.

    Papers without a `source` get `source`. Raises `InputError` on the first bad line, or
    when there are no papers at all.
    """
    papers: list[Incoming] = []
    # Split on "\n" only: `str.splitlines` also breaks at U+2028, U+0085 and friends, which
    # JSON allows unescaped inside strings, so a title holding one would be cut in two.
    for number, line in enumerate(text.removeprefix(_BOM).split("\n"), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        data = json_line(line, where, parse_int=parse_json_int)
        papers.append(incoming_from_dict(data, where, default_source=source))
    if not papers:
        raise InputError("no papers found in the JSON Lines input")
    return papers


def parse_json(text: str, *, source: str = "json") -> list[Incoming]:
    """Read a JSON array of paper objects, as `reader list --json` prints.

    An object with a `"papers"` array is accepted too, and so is a single paper object.
    Papers without a `source` get `source`. Raises `InputError` naming the paper's 1-based
    position, or when there are no papers at all.
    """
    try:
        data = json.loads(text.removeprefix(_BOM), parse_int=parse_json_int)
    except json.JSONDecodeError as error:
        raise InputError(
            f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise InputError("not valid JSON (nested too deeply)") from None
    if isinstance(data, dict) and "papers" in data:
        data = data["papers"]
        if not isinstance(data, list):
            raise InputError("'papers' must be an array of paper objects")
    elif isinstance(data, dict) and "title" in data:
        # One pretty-printed paper (say, cut from a `--json` listing) is still a paper.
        data = [data]
    if not isinstance(data, list):
        raise InputError('expected a JSON array of papers or an object with a "papers" array')
    if not data:
        raise InputError("no papers found in the JSON input")
    return [
        incoming_from_dict(item, f"paper {index}", default_source=source)
        for index, item in enumerate(data, start=1)
    ]


def looks_like_jsonl(text: str) -> bool:
    """True when the first non-blank line is, on its own, a JSON object.

    Cheap: only that line is parsed. A single-line `{...}` document counts as JSON Lines.
    This checks shape only; other services' JSON (such as the Hugging Face API) can match.
    """
    stripped = text.removeprefix(_BOM).lstrip()
    if not stripped.startswith("{"):
        return False
    first_line = stripped.split("\n", 1)[0]
    try:
        data = json.loads(first_line, parse_int=parse_json_int)
    except (ValueError, RecursionError):
        return False
    # `{"papers": [...]}` on one line is the JSON wrapper form, not a paper of its own.
    return isinstance(data, dict) and not ("papers" in data and "title" not in data)


def looks_like_json(text: str) -> bool:
    """True when the text starts like a JSON array of objects, or a multi-line object.

    Never true together with `looks_like_jsonl`. Cheap: nothing is parsed beyond the first
    line. This checks shape only; other services' JSON (such as the Hugging Face API) can match.
    """
    stripped = text.removeprefix(_BOM).lstrip()
    if stripped.startswith("["):
        # Looking past the bracket keeps pasted Markdown such as "[Papers](...)" out.
        return stripped[1:].lstrip()[:1] in ("{", "]")
    if stripped.startswith("{"):
        return stripped[1:].lstrip()[:1] in ('"', "}") and not looks_like_jsonl(stripped)
    return False
