"""Saved searches and watch lists: named queries in the settings.

A saved search is a name and a query (`[saved.NAME]` in the configuration file, in the
order written there: the app's number keys follow it). `saved:NAME` works in any query.
A saved search marked `watch` is a watch list: the app highlights its papers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from reader.config import ConfigError
from reader.errors import NotFoundError, ReaderError
from reader.query import parse_query
from reader.settings import Settings

TABLE = "saved"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
"""A saved search's name: what `saved:NAME` can hold, short enough for the status line."""


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """One saved search."""

    name: str
    query: str
    watch: bool = False
    """A watch list: the app highlights its papers in the list."""


def load(settings: Settings) -> list[SavedSearch]:
    """The saved searches, in the order of the settings file; `ConfigError` for a
    malformed entry (named)."""
    found: list[SavedSearch] = []
    for name, entry in settings.table(TABLE).items():
        where = f"{settings.path}: [saved.{name}]"
        if not NAME.fullmatch(name):
            raise ConfigError(f"{where}: a name is letters, digits, '.', '_' and '-'")
        if not isinstance(entry, dict) or not isinstance(entry.get("query"), str):
            raise ConfigError(f'{where} needs a query = "..."')
        watch = entry.get("watch", False)
        if not isinstance(watch, bool):
            raise ConfigError(f"{where}: watch is true or false")
        found.append(SavedSearch(name, entry["query"], watch))
    return found


def queries(searches: list[SavedSearch]) -> dict[str, str]:
    """The query text of each saved search by case-folded name, as `parse_query` takes."""
    return {search.name.casefold(): search.query for search in searches}


def find(searches: list[SavedSearch], name: str) -> SavedSearch:
    """The saved search called `name` (in any case); `NotFoundError` naming the known."""
    for search in searches:
        if search.name.casefold() == name.casefold():
            return search
    known = ", ".join(search.name for search in searches) or "none yet"
    raise NotFoundError(f'no saved search "{name}" (saved: {known})')


def add(settings: Settings, name: str, query: str, *, watch: bool = False) -> SavedSearch | None:
    """Save `query` as `name`; returns the saved search it replaced, if any.

    The query must parse (with the other saved searches, so one that uses itself is
    refused) and must narrow: a saved search of everything is a mistake.
    """
    if not NAME.fullmatch(name):
        raise ReaderError(
            f"a saved search's name is 1 to 40 letters, digits, '.', '_' and '-'"
            f" (starting with a letter or digit), not {name!r}"
        )
    query = " ".join(query.split())
    searches = load(settings)
    replaced = next((s for s in searches if s.name.casefold() == name.casefold()), None)
    known = queries(searches)
    known[name.casefold()] = query
    parsed = parse_query(query, known)
    if parsed.matches_everything:
        raise ReaderError("that query matches every paper: nothing to save")
    if replaced is not None and replaced.name != name:
        settings.set_entry(TABLE, replaced.name, None)
    settings.set_entry(TABLE, name, {"query": query, "watch": True if watch else None})
    return replaced


def remove(settings: Settings, name: str) -> SavedSearch:
    """Forget a saved search; returns it. Saved searches that use it stop working."""
    search = find(load(settings), name)
    settings.set_entry(TABLE, search.name, None)
    return search


def users_of(searches: list[SavedSearch], name: str) -> list[str]:
    """The saved searches whose query names `saved:NAME`."""
    pattern = re.compile(rf"(?i)(?<![\w:])saved:{re.escape(name)}(?![\w.-])")
    return [search.name for search in searches if pattern.search(search.query)]


def broken(searches: list[SavedSearch]) -> dict[str, str]:
    """The saved searches whose query no longer parses (one that used a search since
    removed, say), by name, with why: what uses several saved searches at once leaves
    these out instead of failing whole."""
    known = queries(searches)
    problems: dict[str, str] = {}
    for search in searches:
        try:
            parse_query(f"saved:{search.name}", known)
        except ReaderError as error:
            problems[search.name] = str(error)
    return problems


def watch_query(searches: list[SavedSearch]) -> str | None:
    """One query matching every watch list's papers (broken ones left out), or None
    without watch lists."""
    left_out = broken(searches)
    names = [search.name for search in searches if search.watch and search.name not in left_out]
    return " OR ".join(f"saved:{name}" for name in names) or None


def provider(settings: Settings) -> Mapping[str, str]:
    """The saved searches for `Library.saved_searches` (read when a query uses them)."""
    return queries(load(settings))
