"""Queries as SQL: the filter language's syntax tree compiled for the catalog's schema.

Kept next to the schema (`catalog.py`) because each piece must match it: the sort orders
match the `papers_order_*` indexes term for term, text terms become FTS5 expressions of
the `papers_fts` index, and state filters read the TEMP mirror tables `user_state` and
`user_tag` of the searcher's connection (`search.py`). The SQL expects `papers AS p`.
"""

from __future__ import annotations

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
)


def _keyed(keys: str) -> str:
    """Papers whose key is among `keys` (a subquery), as a condition on the row id.

    A condition on the key next to a text term's `p.rowid IN (...)` let SQLite look the
    key index up for every pair of a key and a row id (`performance is:starred`: 1,000
    starred keys by 29,000 matches, 11 s at 100,000 papers). With both on the row id, one
    list drives the lookups and the other is only checked against.
    """
    return f"p.rowid IN (SELECT rowid FROM papers WHERE key IN ({keys}))"


# Positive state filters are driven from the (small) state mirror through the key index,
# so `is:starred` costs as much as there are starred papers, not as there are papers.
FLAG_SQL: dict[str, str] = {
    "is:read": _keyed("SELECT key FROM temp.user_state WHERE read = 1"),
    "is:unread": "p.key NOT IN (SELECT key FROM temp.user_state WHERE read = 1)",
    "is:starred": _keyed("SELECT key FROM temp.user_state WHERE starred = 1"),
    "is:unstarred": "p.key NOT IN (SELECT key FROM temp.user_state WHERE starred = 1)",
    "is:dismissed": _keyed("SELECT key FROM temp.user_state WHERE dismissed = 1"),
    "has:note": _keyed("SELECT key FROM temp.user_state WHERE has_note = 1"),
    "has:tags": _keyed("SELECT key FROM temp.user_tag"),
    "has:tag": _keyed("SELECT key FROM temp.user_tag"),
    "has:link": "p.url IS NOT NULL",
    "has:date": "p.published IS NOT NULL",
}
"""How each flag of `reader.query.FLAGS` is found."""

STATE_FLAGS = frozenset(name for name, sql in FLAG_SQL.items() if "temp." in sql)
"""The flags that read the user's state (the searcher's mirror of it)."""


def reads_state(query: Query) -> bool:
    """Whether running `query` reads the user's state (`is:read`, `tag:x`, `has:note`...):
    only such a query needs the state mirror, and needs to run again after a change."""

    def walk(node: Node | None) -> bool:
        match node:
            case Flag(name=name):
                return name in STATE_FLAGS
            case Tag():
                return True
            case Not(child=child):
                return walk(child)
            case And(children=children) | Or(children=children):
                return any(walk(child) for child in children)
        return False

    return walk(query.root)


ORDER_BY: dict[str, str] = {
    "date": "p.published IS NULL, p.published DESC, coalesce(p.upvotes, 0) DESC, p.key",
    "upvotes": "coalesce(p.upvotes, 0) DESC, p.published IS NULL, p.published DESC, p.key",
    "title": "p.title_norm, p.key",
    "added": "p.added DESC, p.key",
}
"""How each sort of `reader.query.SORTS` orders the papers. Ties fall back to the key, so
an order never depends on how the rows were inserted. The catalog has an index matching
each of these exactly (`papers_order_*`)."""


def to_sql(query: Query) -> tuple[str, list[object]]:
    """A SQL boolean expression over `p` (papers), and its parameters."""
    if query.root is None:
        return "1", []
    params: list[object] = []
    return _compile(query.root, params), params


def to_sql_in(query: Query, index: str) -> tuple[str, list[object]]:
    """`to_sql` with the text terms looked up in another FTS5 index of the same columns
    (the recent papers' `papers_recent_fts`): exact for the papers that index holds."""
    where, params = to_sql(query)
    return where.replace(_FTS_FROM, _FTS_FROM.replace("papers_fts", index)), params


def fts_only(query: Query) -> str | None:
    """The whole query as one FTS5 expression, when it is made of text terms only."""
    return None if query.root is None else _fts_expression(query.root)


def negated_fts(query: Query) -> str | None:
    """For a query that is one negated text term (`-word`), that term's FTS5 expression."""
    if isinstance(query.root, Not):
        return _fts_expression(query.root.child)
    return None


def _fts_text(node: Text) -> str | None:
    """The FTS5 expression for one text term, or None when it has no searchable token."""
    tokens = SEARCH_TOKEN.findall(node.value)
    if not tokens:
        return None
    body = '"' + " ".join(token.replace('"', '""') for token in tokens) + '"'
    # A trailing "*" makes the last token a prefix: `caus` finds "causal".
    expression = body if node.phrase else body + " *"
    if node.column:
        expression = f"{node.column} : {expression}"
    return expression


def _fts_expression(node: Node) -> str | None:
    """The whole node as one FTS5 expression, when it is made of text terms only."""
    match node:
        case Text():
            return _fts_text(node)
        case Or(children=children):
            parts = [_fts_expression(child) for child in children]
            if any(part is None for part in parts):
                return None
            return "(" + " OR ".join(parts) + ")"  # type: ignore[arg-type]
        case And(children=children):
            parts = [_fts_expression(child) for child in children]
            if any(part is None for part in parts):
                return None
            return "(" + " AND ".join(parts) + ")"  # type: ignore[arg-type]
    return None


_FTS_FROM = "FROM papers_fts WHERE papers_fts MATCH ?"


def _fts_clause(expression: str, params: list[object], negated: bool = False) -> str:
    params.append(expression)
    operator = "NOT IN" if negated else "IN"
    return f"p.rowid {operator} (SELECT rowid {_FTS_FROM})"


def _compile(node: Node, params: list[object]) -> str:
    match node:
        case Text():
            expression = _fts_text(node)
            # A term of punctuation only ("&") has nothing to search for: it matches all.
            return "1" if expression is None else _fts_clause(expression, params)
        case Flag(name=name):
            return FLAG_SQL[name]
        case Similar(key=key):
            # Filled by the searcher before the query runs (see `Searcher._prepare`).
            params.append(key)
            return "p.rowid IN (SELECT rowid FROM temp.similar WHERE anchor = ?)"
        case Tag(name=name):
            params.append(name)
            return _keyed("SELECT key FROM temp.user_tag WHERE tag = ?")
        case Category(name=name, prefix=True):
            # Every category starting with `name`: one range of the index.
            params.extend([name, name[:-1] + chr(ord(name[-1]) + 1)])
            return (
                "p.rowid IN (SELECT paper FROM paper_categories"
                " WHERE category >= ? AND category < ?)"
            )
        case Category(name=name, archive=False):
            params.append(name)
            return "p.rowid IN (SELECT paper FROM paper_categories WHERE category = ?)"
        case Category(name=name, archive=True):
            # The archive's own name (old-style `hep-th`) or any `archive.subject`: two
            # ranges of the index. A plain prefix would also take `math-ph` for `math`.
            params.extend([name, name + ".", name + "/"])
            return (
                "p.rowid IN (SELECT paper FROM paper_categories"
                " WHERE category = ? OR (category >= ? AND category < ?))"
            )
        case Doi(value=value):
            params.append(value)
            return "(p.doi IS NOT NULL AND lower(p.doi) = ?)"
        case Compare(column=column, op=op, value=value):
            params.append(value)
            if column == "upvotes":
                return f"COALESCE(p.upvotes, 0) {op} ?"
            return f"p.{column} {op} ?"
        case Not(child=child):
            expression = _fts_expression(child)
            if expression is not None:
                return _fts_clause(expression, params, negated=True)
            return f"NOT ({_compile(child, params)})"
        case And(children=children):
            return _compile_and(children, params)
        case Or(children=children):
            expression = _fts_expression(node)
            if expression is not None:
                return _fts_clause(expression, params)
            return "(" + " OR ".join(_compile(child, params) for child in children) + ")"
    raise AssertionError(f"unknown node {node!r}")  # pragma: no cover


def _compile_and(children: tuple[Node, ...], params: list[object]) -> str:
    """Fold the text terms of an AND into a single FTS5 MATCH: one index probe, not many."""
    positive: list[str] = []
    negative: list[str] = []
    rest: list[Node] = []
    for child in children:
        if isinstance(child, Not) and (expression := _fts_expression(child.child)):
            negative.append(expression)
        elif expression := _fts_expression(child):
            positive.append(expression)
        else:
            rest.append(child)
    # The papers of a small state set (starred, noted, tagged, dismissed) are listed
    # first: SQLite drives the lookups from the first list of row ids, and a user's
    # stars are thousands where a common word matches hundreds of thousands of papers.
    first = [child for child in rest if _is_small_set(child)]
    clauses = [_compile(child, params) for child in first]
    rest = [child for child in rest if not _is_small_set(child)]
    if positive:
        expression = " AND ".join(positive)
        if negative:
            expression = f"({expression}) NOT ({' OR '.join(negative)})"
        clauses.append(_fts_clause(expression, params))
    elif negative:
        clauses.append(_fts_clause(" OR ".join(negative), params, negated=True))
    clauses.extend(_compile(child, params) for child in rest)
    return "(" + " AND ".join(clauses) + ")" if clauses else "1"


_SMALL_SETS = frozenset({"is:starred", "is:dismissed", "has:note", "has:tags", "has:tag"})
"""State flags whose papers are few (`is:read` is not: `A` marks every paper read)."""


def _is_small_set(node: Node) -> bool:
    return isinstance(node, Tag) or (isinstance(node, Flag) and node.name in _SMALL_SETS)
