"""Queries evaluated on papers in memory: `reader import --filter QUERY`.

The same language as everywhere (`reader.query`), with the same meaning as the catalog's
SQL (`reader.library.sql`): words match by prefix, case and accents ignored, in title,
abstract, authors and organization; phrases match words in order; `cat:`, `doi:`,
`year:`, `after:`, `before:`, `upvotes:`, `author:`, `org:`, `title:`, `has:link` and
`has:date` test the paper. Your reading state (`is:`, `tag:`, `has:note`, `has:tags`) is
not known during an import: a filter naming it is refused.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache

from reader.errors import QueryError
from reader.identity import doi_key
from reader.model import Paper
from reader.query import (
    SEARCH_TOKEN,
    And,
    Category,
    Compare,
    Doi,
    Flag,
    Node,
    Not,
    Or,
    Query,
    Similar,
    Tag,
    Text,
    parse_query,
)

Predicate = Callable[[Paper], bool]

_PAPER_FLAGS = ("has:link", "has:date")


def import_filter(query: Query | str) -> Predicate:
    """The predicate of a `--filter` query (text, or parsed with the saved searches);
    `QueryError` for a malformed one, or one that asks about your reading state or your
    library."""
    if isinstance(query, str):
        query = parse_query(query)
    _check(query.root)
    return lambda paper: matches(query, paper)


def matches(query: Query, paper: Paper) -> bool:
    """Whether `paper` matches `query`, as the catalog would answer it."""
    return query.root is None or _match(query.root, paper, {})


def _check(node: Node | None) -> None:
    match node:
        case Flag(name=name) if name not in _PAPER_FLAGS:
            raise QueryError(f'"{name}" is your reading state, which an import filter cannot see')
        case Tag():
            raise QueryError('"tag:" is your reading state, which an import filter cannot see')
        case Similar():
            raise QueryError(
                '"similar:" compares with the papers of your library, which an import filter'
                " cannot see"
            )
        case Not(child=child):
            _check(child)
        case And(children=children) | Or(children=children):
            for child in children:
                _check(child)


_COLUMNS = ("title", "abstract", "authors", "organization")


def _match(node: Node, paper: Paper, tokens: dict[str, list[str]]) -> bool:
    match node:
        case Text(value=value, phrase=phrase, column=column):
            wanted = _fold_tokens(value)
            if not wanted:
                return True  # nothing to search for: it matches all, as in the catalog
            columns = (column,) if column else _COLUMNS
            return any(
                _contains(_column_tokens(paper, name, tokens), wanted, phrase) for name in columns
            )
        case Category(name=name, archive=archive, prefix=prefix):
            folded = [category.lower() for category in paper.categories]
            if prefix:
                return any(cat.startswith(name) for cat in folded)
            if archive:
                return any(cat == name or cat.startswith(name + ".") for cat in folded)
            return name in folded
        case Doi(value=value):
            return paper.doi is not None and doi_key(paper.doi) == value
        case Flag(name="has:link"):
            return paper.url is not None
        case Flag(name="has:date"):
            return paper.published is not None
        case Compare(column=column, op=op, value=value):
            if column == "upvotes":
                return _compare(paper.upvotes or 0, op, value)
            if paper.published is None:
                return False  # SQL's NULL compares to nothing
            return _compare(paper.published.isoformat(), op, value)
        case Not(child=child):
            return not _match(child, paper, tokens)
        case And(children=children):
            return all(_match(child, paper, tokens) for child in children)
        case Or(children=children):
            return any(_match(child, paper, tokens) for child in children)
    raise QueryError(f"this filter cannot be used during an import: {node!r}")


def _compare(left: int | str, op: str, right: int | str) -> bool:
    if type(left) is not type(right):
        return False
    if op == "=":
        return left == right
    # Same types, checked above: both ints (upvotes) or both ISO dates.
    if op == ">=":
        return bool(left >= right)  # type: ignore[operator]
    if op == "<=":
        return bool(left <= right)  # type: ignore[operator]
    if op == ">":
        return bool(left > right)  # type: ignore[operator]
    return bool(left < right)  # type: ignore[operator]


def _column_tokens(paper: Paper, column: str, cache: dict[str, list[str]]) -> list[str]:
    if column not in cache:
        if column == "authors":
            text = "\n".join(paper.authors)
        elif column == "organization":
            text = paper.organization or ""
        else:
            text = getattr(paper, column)
        cache[column] = _fold_tokens(text)
    return cache[column]


def _contains(tokens: list[str], wanted: list[str], phrase: bool) -> bool:
    """Whether `wanted` occurs in `tokens` as consecutive words, the last one by prefix
    unless `phrase` (a word term's tokens are a phrase too: `"caus inf"` finds "causal
    inference" only in order, as FTS5's `"caus inf" *`)."""
    size = len(wanted)
    for start in range(len(tokens) - size + 1):
        if all(tokens[start + index] == wanted[index] for index in range(size - 1)):
            last = tokens[start + size - 1]
            if last == wanted[-1] if phrase else last.startswith(wanted[-1]):
                return True
    return False


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _fold_tokens(text: str) -> list[str]:
    """The words of `text` as the full-text index holds them: accents and case folded."""
    return SEARCH_TOKEN.findall(_fold(text) if len(text) < 200 else _fold.__wrapped__(text))
