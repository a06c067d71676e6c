"""The filter language shared by the CLI and the TUI: parse once, then compile to SQL.

Grammar (case of field names ignored, `OR` must be upper case)::

    query  := either+                        -- juxtaposition means AND
    either := unary ("OR" unary)*            -- OR binds tighter, as in web search:
                                             -- `sparse OR dense coding` = (sparse OR dense) coding
    unary  := ("-" | "NOT") unary | atom
    atom   := "(" query ")" | FIELD ":" value | '"' phrase '"' | word

Words match title, abstract, authors and organization by prefix; a phrase matches
exactly. The compiled SQL expects the catalog's `papers` table as `p`, and the TEMP
state mirror tables `user_state` and `user_tag` (see `reader.library.search`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from reader.errors import QueryError

# --- syntax tree ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """Free text: a prefix word or an exact phrase, optionally limited to one column."""

    value: str
    phrase: bool = False
    column: str | None = None
    """None for all text columns, else one of `FTS_COLUMNS`."""


@dataclass(frozen=True, slots=True)
class Flag:
    """A state predicate: `is:read`, `is:starred`, `has:note`, ..."""

    name: str


@dataclass(frozen=True, slots=True)
class Tag:
    """`tag:NAME`: the paper carries this tag (case-insensitive)."""

    name: str


@dataclass(frozen=True, slots=True)
class Compare:
    """A comparison on a sortable column: `date >= 2025-06-01`, `upvotes > 5`."""

    column: str
    op: str
    value: str | int


@dataclass(frozen=True, slots=True)
class Not:
    """Negation of a sub-query."""

    child: Node


@dataclass(frozen=True, slots=True)
class And:
    """All children must match."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one child must match."""

    children: tuple[Node, ...]


Node = Text | Flag | Tag | Compare | Not | And | Or

FTS_COLUMNS = ("title", "abstract", "authors", "organization")

# Positive state filters are driven from the (small) state mirror through the key index,
# so `is:starred` costs as much as there are starred papers, not as there are papers.
FLAGS: dict[str, str] = {
    "is:read": "p.key IN (SELECT key FROM temp.user_state WHERE read = 1)",
    "is:unread": "p.key NOT IN (SELECT key FROM temp.user_state WHERE read = 1)",
    "is:starred": "p.key IN (SELECT key FROM temp.user_state WHERE starred = 1)",
    "is:unstarred": "p.key NOT IN (SELECT key FROM temp.user_state WHERE starred = 1)",
    "has:note": "p.key IN (SELECT key FROM temp.user_state WHERE has_note = 1)",
    "has:tags": "p.key IN (SELECT key FROM temp.user_tag)",
    "has:tag": "p.key IN (SELECT key FROM temp.user_tag)",
    "has:link": "p.url IS NOT NULL",
    "has:date": "p.published IS NOT NULL",
}

FIELDS = ("is", "has", "tag", "year", "after", "before", "upvotes", "author", "org", "title")
_FIELD_HELP = ", ".join(f"{name}:" for name in FIELDS)

SORTS: dict[str, str] = {
    "date": "p.published IS NULL, p.published DESC, coalesce(p.upvotes, 0) DESC, p.key",
    "upvotes": "coalesce(p.upvotes, 0) DESC, p.published IS NULL, p.published DESC, p.key",
    "title": "p.title_norm, p.key",
    "added": "p.added DESC, p.key",
}
"""How each sort name orders the papers (newest, most upvoted, A-Z, latest added first).
Ties fall back to the key, so an order never depends on how the rows were inserted.
The catalog has an index matching each of these exactly (`papers_order_*`)."""


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: its source text and syntax tree (`None` matches everything)."""

    text: str
    root: Node | None

    def highlight_terms(self) -> list[str]:
        """The positive words and phrases, for highlighting matches in the abstract."""
        terms: list[str] = []

        def walk(node: Node | None, negated: bool) -> None:
            match node:
                case Text(value=value) if not negated:
                    terms.append(value)
                case Not(child=child):
                    walk(child, not negated)
                case And(children=children) | Or(children=children):
                    for child in children:
                        walk(child, negated)

        walk(self.root, False)
        return terms

    def fts_only(self) -> str | None:
        """The whole query as one FTS5 expression, when it is made of text terms only."""
        return None if self.root is None else _fts_expression(self.root)

    def negated_fts(self) -> str | None:
        """For a query that is one negated text term (`-word`), that term's FTS5 expression."""
        if isinstance(self.root, Not):
            return _fts_expression(self.root.child)
        return None

    def to_sql(self) -> tuple[str, list[object]]:
        """A SQL boolean expression over `p` (papers) and `s` (user state), and its params."""
        if self.root is None:
            return "1", []
        params: list[object] = []
        return _compile(self.root, params), params


# --- tokenizer -------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    \s*(?:
        (?P<open>\()
      | (?P<close>\))
      | (?P<field>[A-Za-z]+):(?:"(?P<fquoted>[^"]*)(?P<fclosed>"?)|(?P<fvalue>[^\s()]*))
      | "(?P<quoted>[^"]*)(?P<closed>"?)
      | (?P<word>[^\s()"]+)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "open", "close", "field", "phrase", "word", "or", "not"
    value: str = ""
    field: str = ""


def _tokenize(text: str) -> Iterator[_Token]:
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # pragma: no cover - the pattern accepts any non-space run
            raise QueryError(f"cannot read the query at {text[position:]!r}")
        position = match.end()
        if match.group("open"):
            yield _Token("open")
        elif match.group("close"):
            yield _Token("close")
        elif match.group("field") is not None:
            name = match.group("field").lower()
            if match.group("fquoted") is not None:
                if not match.group("fclosed"):
                    raise QueryError(f'unclosed quote after "{name}:"')
                value = match.group("fquoted")
            else:
                value = match.group("fvalue")
            if name not in FIELDS:
                raise QueryError(
                    f'unknown filter "{name}:" (known: {_FIELD_HELP});'
                    f" put it in quotes to search for the text"
                )
            if not value.strip():
                raise QueryError(f'"{name}:" needs a value, as in {_example(name)}')
            yield _Token("field", value.strip(), name)
        elif match.group("quoted") is not None:
            if not match.group("closed"):
                raise QueryError(f'unclosed quote in the query: "{match.group("quoted")}')
            yield _Token("phrase", match.group("quoted"))
        else:
            word = match.group("word")
            if word == "OR":
                yield _Token("or")
            elif word == "AND":
                continue
            elif word == "NOT":
                yield _Token("not")
            elif word.startswith("-") and len(word) > 1:
                yield _Token("not")
                # Re-read the rest so that `-tag:x` and `-"a phrase"` work too.
                position = match.start("word") + 1
            else:
                yield _Token("word", word)


def _example(name: str) -> str:
    return {
        "is": "is:starred",
        "has": "has:note",
        "tag": "tag:toread",
        "year": "year:2025",
        "after": "after:2025-06-01",
        "before": "before:2025-07-01",
        "upvotes": "upvotes:>=5",
        "author": "author:hinton",
        "org": "org:sony",
        "title": "title:causal",
    }[name]


# --- parser ----------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node | None:
        if not self.tokens:
            return None
        node = self.parse_and()
        if self.peek() is not None:
            # Only a stray ")" can stop the top-level parse early.
            raise QueryError('unbalanced ")" in the query')
        return node

    def parse_and(self) -> Node:
        children: list[Node] = []
        while (token := self.peek()) is not None and token.kind != "close":
            if token.kind == "or":
                raise QueryError("OR needs a term on both sides")
            children.append(self.parse_or())
        if not children:
            raise QueryError('empty "()" in the query')
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_or(self) -> Node:
        children = [self.parse_unary()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            following = self.peek()
            if following is None or following.kind in ("or", "close"):
                raise QueryError("OR needs a term on both sides")
            children.append(self.parse_unary())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_unary(self) -> Node:
        token = self.take()
        if token.kind == "not":
            following = self.peek()
            if following is None or following.kind in ("or", "close"):
                raise QueryError('"-" or NOT needs a term after it')
            return Not(self.parse_unary())
        if token.kind == "open":
            node = self.parse_and()
            closing = self.peek()
            if closing is None or closing.kind != "close":
                raise QueryError('unbalanced "(" in the query: a ")" is missing')
            self.take()
            return node
        if token.kind == "phrase":
            return Text(token.value, phrase=True)
        if token.kind == "field":
            return _field(token.field, token.value)
        return Text(token.value)


def parse_query(text: str) -> Query:
    """Parse `text` into a `Query`; raise `QueryError` naming the problem if malformed."""
    try:
        return Query(text, _Parser(list(_tokenize(text))).parse())
    except QueryError as error:
        # Messages quote the query, which may hold line breaks: keep them one line.
        raise QueryError(" ".join(str(error).split())) from None


# --- fields ----------------------------------------------------------------------------

_COMPARISON = re.compile(r"^(>=|<=|>|<|=)?\s*(.+)$")
_RANGE = re.compile(r"^(\S+?)\.\.(\S+)$")


def _field(name: str, value: str) -> Node:
    if name in ("is", "has"):
        flag = f"{name}:{value.lower()}"
        if flag not in FLAGS:
            known = ", ".join(sorted(key for key in FLAGS if key.startswith(name)))
            raise QueryError(f'unknown filter "{flag}" (known: {known})')
        return Flag(flag)
    if name == "tag":
        return Tag(normalize_tag(value))
    if name in ("author", "org", "title"):
        column = {"author": "authors", "org": "organization", "title": "title"}[name]
        return Text(value, phrase=" " in value, column=column)
    if name == "upvotes":
        return _numeric("upvotes", value, name)
    if name == "year":
        return _year(value)
    # after: is inclusive, before: is exclusive, as in mail search.
    start = _date_start(value, name)
    return Compare("published", ">=" if name == "after" else "<", start.isoformat())


def _numeric(column: str, value: str, name: str) -> Node:
    span = _RANGE.match(value)
    if span:
        low, high = (_integer(part, name) for part in span.groups())
        return And((Compare(column, ">=", low), Compare(column, "<=", high)))
    match = _COMPARISON.match(value)
    assert match is not None  # the pattern accepts any non-empty value
    op, number = match.group(1) or "=", _integer(match.group(2), name)
    return Compare(column, op, number)


def _integer(text: str, name: str) -> int:
    if not text.isdigit():
        raise QueryError(f'"{name}:" expects a whole number, as in {_example(name)}; got {text!r}')
    return int(text)


def _year(value: str) -> Node:
    span = _RANGE.match(value)
    if span:
        low, high = (_integer(part, "year") for part in span.groups())
        return And(
            (
                Compare("published", ">=", f"{low:04d}-01-01"),
                Compare("published", "<", f"{high + 1:04d}-01-01"),
            )
        )
    match = _COMPARISON.match(value)
    assert match is not None
    op, year = match.group(1) or "=", _integer(match.group(2), "year")
    if op == "=":
        return And(
            (
                Compare("published", ">=", f"{year:04d}-01-01"),
                Compare("published", "<", f"{year + 1:04d}-01-01"),
            )
        )
    bound = {">": year + 1, ">=": year, "<": year, "<=": year + 1}[op]
    return Compare("published", ">=" if op.startswith(">") else "<", f"{bound:04d}-01-01")


_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _date_start(value: str, name: str) -> date:
    """The first day a date (or month, or year) covers."""
    match = _DATE.match(value)
    if not match:
        raise QueryError(
            f'"{name}:" expects a date YYYY-MM-DD (or YYYY-MM, YYYY), as in {_example(name)};'
            f" got {value!r}"
        )
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        return date(year or 1, month or 1, day or 1)
    except ValueError:
        raise QueryError(f'"{name}:" got an impossible date {value!r}') from None


def normalize_tag(tag: str) -> str:
    """Tags compare case-insensitively and without surrounding `#` or spaces."""
    return tag.strip().lstrip("#").strip().casefold()


# --- compiler --------------------------------------------------------------------------

# Letters and digits, as FTS5's unicode61 tokenizer splits them (underscore separates).
_FTS_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def _fts_text(node: Text) -> str | None:
    """The FTS5 expression for one text term, or None when it has no searchable token."""
    tokens = _FTS_TOKEN.findall(node.value)
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


def _fts_clause(expression: str, params: list[object], negated: bool = False) -> str:
    params.append(expression)
    operator = "NOT IN" if negated else "IN"
    return f"p.rowid {operator} (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)"


def _compile(node: Node, params: list[object]) -> str:
    match node:
        case Text():
            expression = _fts_text(node)
            # A term of punctuation only ("&") has nothing to search for: it matches all.
            return "1" if expression is None else _fts_clause(expression, params)
        case Flag(name=name):
            return FLAGS[name]
        case Tag(name=name):
            params.append(name)
            return "p.key IN (SELECT key FROM temp.user_tag WHERE tag = ?)"
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
    clauses: list[str] = []
    if positive:
        expression = " AND ".join(positive)
        if negative:
            expression = f"({expression}) NOT ({' OR '.join(negative)})"
        clauses.append(_fts_clause(expression, params))
    elif negative:
        clauses.append(_fts_clause(" OR ".join(negative), params, negated=True))
    clauses.extend(_compile(child, params) for child in rest)
    return "(" + " AND ".join(clauses) + ")" if clauses else "1"
