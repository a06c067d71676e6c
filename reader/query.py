"""The filter language shared by the CLI and the TUI: its grammar and syntax tree.

Grammar (case of field names ignored, `OR` must be upper case)::

    query  := either+                        -- juxtaposition means AND
    either := unary ("OR" unary)*            -- OR binds tighter, as in web search:
                                             -- `sparse OR dense coding` = (sparse OR dense) coding
    unary  := ("-" | "NOT") unary | atom
    atom   := "(" query ")" | FIELD ":" value | '"' phrase '"' | word

Words match title, abstract, authors and organization by prefix; a phrase matches
exactly. This module is the language only: `reader.library.sql` turns a syntax tree into
SQL, next to the schema and indexes it must match.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from reader.errors import QueryError
from reader.identity import doi_key, normalize_doi

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
class Similar:
    """`similar:KEY`: the papers most like that one (a key, arXiv id or unique key prefix)."""

    key: str


@dataclass(frozen=True, slots=True)
class Category:
    """`cat:cs.LG`: the paper is in this arXiv category; `cat:cs` (or `cat:cs.*`): in any
    category of the archive. Compared in lower case."""

    name: str
    archive: bool = False
    prefix: bool = False
    """`cat:hep*`: every category whose name starts with `name` (hep-th, hep-ph, ...)."""


@dataclass(frozen=True, slots=True)
class Doi:
    """`doi:10.1038/nature14539`: the paper has this DOI (compared in lower case)."""

    value: str


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


Node = Text | Flag | Tag | Compare | Similar | Category | Doi | Not | And | Or

FTS_COLUMNS = ("title", "abstract", "authors", "organization")

FLAGS = (
    "is:read",
    "is:unread",
    "is:starred",
    "is:unstarred",
    "is:dismissed",
    "has:note",
    "has:tags",
    "has:tag",
    "has:link",
    "has:date",
)
"""The state and presence filters (`reader.library.sql` says how each is found)."""

SIMILAR_LIMIT = 50
"""How many papers `similar:KEY` matches."""

FIELD_HELP: dict[str, tuple[str, str]] = {
    "is": (
        "is:read is:unread is:starred is:unstarred is:dismissed",
        "your reading state (dismissed: marked not interested)",
    ),
    "has": (
        "has:note has:tags has:link has:date",
        "papers with a note, tags, a link, a known date",
    ),
    "tag": ("tag:to-read", "the tag, in any case (tag:#To-Read is the same)"),
    "year": ("year:2025 year:2023..2025 year:>=2024", "by publication year"),
    "after": ("after:2025-06-01", "on or after a date (YYYY, YYYY-MM or YYYY-MM-DD)"),
    "before": ("before:2025-07", "strictly before a date"),
    "upvotes": ("upvotes:>=5 upvotes:2 upvotes:1..10", "by upvote count (unknown counts as 0)"),
    "author": ('author:hinton author:"yann lecun"', "in the author names"),
    "org": ("org:sony", "in the organization"),
    "title": ("title:causal", "in the title only"),
    "cat": (
        "cat:cs.LG cat:cs cat:hep*",
        "an arXiv category; an archive (cat:cs, cat:cs.*) takes all its categories,"
        " a * every category starting so",
    ),
    "doi": ('doi:10.1038/nature14539 doi:"10.1016/S0370-2693(96)01409-8"', "the DOI"),
    "saved": ("saved:causal", "what a saved search matches (reader saved list)"),
    "similar": (
        "similar:2111.14820",
        f"the {SIMILAR_LIMIT} papers most like that one (a key, arXiv id or key prefix),"
        " most similar first unless another sort is chosen",
    ),
}
"""Every field of the language: (examples, what it matches). The help screen and the
error messages are built from this table."""

SYNTAX_HELP: tuple[tuple[str, str], ...] = (
    ("sparse caus", "every word, by prefix, in title, abstract, authors or organization"),
    ('"exact phrase"', "the words in this order"),
    ("-survey", "papers without the word (NOT survey works too)"),
    (
        "sparse OR dense coding",
        "OR between two terms; it binds tighter than the implicit AND: "
        "(sparse OR dense) AND coding",
    ),
    ("(a OR b) -(c d)", "parentheses group; - before a group or a phrase negates it"),
)
"""The grammar, as (example, what it matches) rows, before the fields."""

FIELDS = tuple(FIELD_HELP)
_FIELD_HELP = ", ".join(f"{name}:" for name in FIELDS)

SORTS = ("date", "upvotes", "title", "added", "relevance")
"""The sort orders: newest first, most upvoted, A-Z, latest added first (see
`reader.library.sql.ORDER_BY`), and "for you" (`relevance`: by a model of what the user
likes, see `reader.ranking`)."""

SIMILARITY = "similar"
"""The order of a query with a `similar:` term when no sort is chosen: most similar first."""

SORT_LABELS = {"relevance": "for you", SIMILARITY: "similarity"}
"""How a sort is named to users, when not by its own name."""


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: its source text and syntax tree (`None` matches everything)."""

    text: str
    root: Node | None

    @property
    def matches_everything(self) -> bool:
        """True when nothing in the query can leave a paper out.

        That is an empty query, one made only of terms with nothing to search for
        (`-`, `*`, `&`, `""`), or any mix in which such a term decides (`& OR x`).
        """
        return self.root is None or _always(self.root)

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
            elif word.startswith("-") and (
                word.strip("-") or text[match.end() : match.end() + 1] in ('"', "(")
            ):
                # Every leading "-" negates: `-word`, `--word`, and `-(a b)` or `-"a b"`,
                # where the word pattern stops before the bracket or quote. All of them at
                # once, so a long run of "-" is read in linear time.
                rest = word.lstrip("-")
                for _ in range(len(word) - len(rest)):
                    yield _Token("not")
                # Re-read the rest so that `-tag:x` and `-tag:"a b"` work too.
                position = match.end() - len(rest)
            else:
                # A "-" on its own (as in `a - b`) has nothing to negate: a term of no text.
                yield _Token("word", word)


def _tokens(text: str, terms: list[int] | None = None) -> list[_Token]:
    """The tokens of `text`, reading no further than the first term too many.

    `terms` counts the terms read so far across a query and the saved searches it uses.
    """
    tokens: list[_Token] = []
    terms = [0] if terms is None else terms
    for token in _tokenize(text):
        if token.kind in ("word", "phrase", "field"):
            terms[0] += 1
            if terms[0] > MAX_TERMS:
                raise QueryError(
                    f"the query has more than {MAX_TERMS} words and filters"
                    " (saved searches included)"
                )
        tokens.append(token)
    return tokens


def _example(name: str) -> str:
    """The first example of a field, for error messages."""
    return FIELD_HELP[name][0].split()[0]


# --- parser ----------------------------------------------------------------------------


MAX_TERMS = 300
"""How many words, phrases and filters a query may hold. Far more than anyone types (a
pasted abstract fits); it keeps SQLite below its expression depth of 1,000, and a pasted
megabyte from tying the app up for seconds."""

MAX_DEPTH = 100
"""How deep brackets and negations may nest as written; the parser recurses per level."""

MAX_HEIGHT = 20
"""How deep AND, OR and NOT may nest once redundant brackets and double negations are gone.
SQLite's own parsers (SQL and FTS5) have fixed stacks: before version 3.46 they overflow at
about 28 levels of the SQL that `to_sql` writes, so a deeper query could not be run."""


MAX_SAVED_DEPTH = 5
"""How deep saved searches may use saved searches (`saved:a` where a uses `saved:b`...)."""

Saved = Mapping[str, str]
"""Saved searches: query text by case-folded name."""


class _Parser:
    def __init__(
        self,
        tokens: list[_Token],
        saved: Saved | None = None,
        *,
        terms: list[int] | None = None,
        chain: tuple[str, ...] = (),
        depth: int = 0,
    ) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = depth
        self.saved = saved
        self.terms = [0] if terms is None else terms
        """Terms read so far, shared with the parsers of the saved searches used."""
        self.chain = chain
        """The saved searches being expanded, outermost first."""

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
        if _height(node) > MAX_HEIGHT:
            raise QueryError(
                f"the query is nested more than {MAX_HEIGHT} deep (in groups that alternate"
                " AND, OR and NOT)"
            )
        return node

    def parse_and(self) -> Node:
        children: list[Node] = []
        while (token := self.peek()) is not None and token.kind != "close":
            if token.kind == "or":
                raise QueryError("OR needs a term on both sides")
            children.append(self.parse_or())
        if not children:
            raise QueryError('empty "()" in the query')
        # `a (b c)` is `a b c`: flat, so that brackets cost nothing in the compiled SQL.
        flat = [part for child in children for part in _parts(child, And)]
        return flat[0] if len(flat) == 1 else And(tuple(flat))

    def parse_or(self) -> Node:
        children = [self.parse_unary()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            following = self.peek()
            if following is None or following.kind in ("or", "close"):
                raise QueryError("OR needs a term on both sides")
            children.append(self.parse_unary())
        flat = [part for child in children for part in _parts(child, Or)]
        return flat[0] if len(flat) == 1 else Or(tuple(flat))

    def parse_unary(self) -> Node:
        token = self.take()
        if token.kind == "phrase":
            return Text(token.value, phrase=True)
        if token.kind == "field":
            if token.field == "saved":
                return self.expand(token.value)
            return _field(token.field, token.value)
        if token.kind not in ("not", "open"):
            return Text(token.value)
        # Only brackets and negations recurse (3 frames and 1 frame a level): bound them.
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(
                f'the query is nested more than {MAX_DEPTH} deep (with "(", "-" or NOT)'
            )
        if token.kind == "not":
            following = self.peek()
            if following is None or following.kind in ("or", "close"):
                raise QueryError('"-" or NOT needs a term after it')
            child = self.parse_unary()
            # `--a` is `a`: a run of negations never nests deeper than one.
            node = child.child if isinstance(child, Not) else Not(child)
        else:
            node = self.parse_and()
            closing = self.peek()
            if closing is None or closing.kind != "close":
                raise QueryError('unbalanced "(" in the query: a ")" is missing')
            self.take()
        self.depth -= 1
        return node

    def expand(self, name: str) -> Node:
        """`saved:NAME`: the syntax tree of that saved search, parsed in place.

        Bounded like brackets: the nesting, the terms and the height count across the
        saved searches used, and a saved search that uses itself is an error, not a loop.
        """
        key = name.casefold()
        if self.saved is None or key not in self.saved:
            known = ", ".join(sorted(self.saved or {})) or "none yet"
            raise QueryError(
                f'no saved search "{name}" (saved: {known}); add one with `reader saved add`'
            )
        if key in self.chain:
            loop = " → ".join((*self.chain[self.chain.index(key) :], key))
            raise QueryError(f'saved search "{name}" uses itself: {loop}')
        if len(self.chain) >= MAX_SAVED_DEPTH:
            raise QueryError(f"saved searches use saved searches more than {MAX_SAVED_DEPTH} deep")
        try:
            inner = _Parser(
                _tokens(self.saved[key], self.terms),
                self.saved,
                terms=self.terms,
                chain=(*self.chain, key),
                depth=self.depth + 1,
            )
            if not inner.tokens:
                raise QueryError(f'saved search "{name}" is empty')
            node = inner.parse_and()
            if inner.peek() is not None:
                raise QueryError('unbalanced ")" in the query')
        except QueryError as error:
            if str(error).startswith(("saved search", "the query has more", "no saved search")):
                raise
            raise QueryError(f'in saved search "{name}": {error}') from None
        return node


def _height(node: Node) -> int:
    """How many AND, OR and NOT nest in `node` (recursing at most 2 * MAX_DEPTH + 1 deep)."""
    match node:
        case Not(child=child):
            return 1 + _height(child)
        case And(children=children) | Or(children=children):
            return 1 + max(_height(child) for child in children)
    return 0


def _parts(node: Node, kind: type[And] | type[Or]) -> tuple[Node, ...]:
    """The children of `node` if it is a `kind`, else `node` alone."""
    return node.children if isinstance(node, kind) else (node,)


def parse_query(text: str, saved: Saved | None = None) -> Query:
    """Parse `text` into a `Query`; raise `QueryError` naming the problem if malformed.

    `saved` holds the saved searches that `saved:NAME` may name (by case-folded name).
    """
    try:
        terms = [0]
        return Query(text, _Parser(_tokens(text, terms), saved, terms=terms).parse())
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
    if name == "similar":
        return Similar(value)
    if name == "upvotes":
        return _numeric("upvotes", value, name)
    if name == "cat":
        return _category(value)
    if name == "doi":
        doi = normalize_doi(value)
        if doi is None:
            raise QueryError(f'"doi:" expects a DOI, as in {_example(name)}; got {value!r}')
        return Doi(doi_key(doi))
    if name == "year":
        return _year(value)
    # after: is inclusive, before: is exclusive, as in mail search.
    start = _date_start(value, name)
    return Compare("published", ">=" if name == "after" else "<", start.isoformat())


_CATEGORY = re.compile(r"([a-z][a-z-]*)(?:\.([a-z][a-z-]*|\*))?", re.IGNORECASE)
_CATEGORY_PREFIX = re.compile(r"([a-z][a-z.-]*)\*", re.IGNORECASE)


def _category(value: str) -> Category:
    """`cs.LG` (one category), `cs` or `cs.*` (an archive's categories), `hep*` (every
    category starting so)."""
    match = _CATEGORY.fullmatch(value)
    if match is None:
        prefix = _CATEGORY_PREFIX.fullmatch(value)
        if prefix is not None:
            return Category(prefix.group(1).lower(), prefix=True)
        raise QueryError(
            f'"cat:" expects an arXiv category or archive, as in cat:cs.LG or cat:cs; got {value!r}'
        )
    archive, subject = match.group(1).lower(), match.group(2)
    if subject is None or subject == "*":
        return Category(archive, archive=True)
    return Category(f"{archive}.{subject.lower()}")


def _numeric(column: str, value: str, name: str) -> Node:
    span = _RANGE.match(value)
    if span:
        low, high = (_integer(part, name) for part in span.groups())
        return And((Compare(column, ">=", low), Compare(column, "<=", high)))
    match = _COMPARISON.match(value)
    assert match is not None  # the pattern accepts any non-empty value
    op, number = match.group(1) or "=", _integer(match.group(2), name)
    return Compare(column, op, number)


_DIGITS = re.compile(r"[0-9]+")
_LARGEST = 2**63 - 1
"""SQLite's largest integer: a larger parameter cannot even be bound."""


def _integer(text: str, name: str, low: int = 0, high: int = _LARGEST) -> int:
    # ASCII digits only: str.isdigit() also accepts "²", which int() then rejects.
    if not _DIGITS.fullmatch(text):
        raise QueryError(f'"{name}:" expects a whole number, as in {_example(name)}; got {text!r}')
    digits = text.lstrip("0") or "0"
    # The length first: int() refuses strings of more than 4,300 digits.
    if len(digits) > len(str(high)) or not low <= int(digits) <= high:
        if (low, high) == (0, _LARGEST):
            raise QueryError(f'"{name}:" {text} is too large (at most {_LARGEST})')
        raise QueryError(f'"{name}:" {text} is out of range ({low} to {high})')
    return int(digits)


def _year_number(text: str) -> int:
    return _integer(text, "year", 1, 9999)


def _year(value: str) -> Node:
    span = _RANGE.match(value)
    if span:
        low, high = (_year_number(part) for part in span.groups())
        return And((_from_year(low), _before_year(high + 1)))
    match = _COMPARISON.match(value)
    assert match is not None
    op, year = match.group(1) or "=", _year_number(match.group(2))
    if op == "=":
        return And((_from_year(year), _before_year(year + 1)))
    if op.startswith(">"):
        return _from_year(year + 1 if op == ">" else year)
    return _before_year(year + 1 if op == "<=" else year)


# Dates are ISO text, compared as strings: "10000-01-01" would sort before "2025-01-01",
# so the year after 9999 is written as a bound on the last day of 9999.
def _from_year(year: int) -> Compare:
    """Published on or after 1 January of `year` (1 to 10000)."""
    if year > 9999:
        return Compare("published", ">", "9999-12-31")
    return Compare("published", ">=", f"{year:04d}-01-01")


def _before_year(year: int) -> Compare:
    """Published before 1 January of `year` (1 to 10000)."""
    if year > 9999:
        return Compare("published", "<=", "9999-12-31")
    return Compare("published", "<", f"{year:04d}-01-01")


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
    assert year is not None  # the pattern requires it
    try:
        # Year 0 does not exist: date() refuses it, as it should.
        return date(year, month or 1, day or 1)
    except ValueError:
        raise QueryError(f'"{name}:" got an impossible date {value!r}') from None


def normalize_tag(tag: str) -> str:
    """Tags compare case-insensitively and without surrounding `#` or spaces."""
    return tag.strip().lstrip("#").strip().casefold()


# --- what a query can match ---------------------------------------------------------


def similar_anchors(query: Query) -> list[str]:
    """The papers of every `similar:` term, as written, in order."""
    found: list[str] = []

    def walk(node: Node | None) -> None:
        match node:
            case Similar(key=key):
                found.append(key)
            case Not(child=child):
                walk(child)
            case And(children=children) | Or(children=children):
                for child in children:
                    walk(child)

    walk(query.root)
    return found


def similar_anchor(query: Query) -> str | None:
    """The paper of the first `similar:` term that is not negated (it sets the order)."""

    def walk(node: Node | None) -> str | None:
        match node:
            case Similar(key=key):
                return key
            case And(children=children) | Or(children=children):
                for child in children:
                    if (found := walk(child)) is not None:
                        return found
        return None

    return walk(query.root)


def choose_sort(query: Query, sort: str | None) -> str:
    """The order to list `query` in: the chosen sort, else by similarity for a query with
    a `similar:` term, else newest first."""
    if sort is not None:
        return sort
    return SIMILARITY if similar_anchor(query) is not None else "date"


# Letters and digits, as FTS5's unicode61 tokenizer splits them (underscore separates).
SEARCH_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
"""A searchable word, as the full-text index splits text."""


def searchable(node: Text) -> bool:
    """Whether a text term has anything to search for (`&` or `*` has not: it matches all)."""
    return SEARCH_TOKEN.search(node.value) is not None


def _always(node: Node) -> bool:
    """True when `node` matches every paper whatever the papers hold."""
    match node:
        case Text():
            return not searchable(node)  # matches every paper
        case Not(child=child):
            return _never(child)
        case And(children=children):
            return all(_always(child) for child in children)
        case Or(children=children):
            return any(_always(child) for child in children)
    return False


def _never(node: Node) -> bool:
    """True when `node` matches no paper whatever the papers hold."""
    match node:
        case Not(child=child):
            return _always(child)
        case And(children=children):
            return any(_never(child) for child in children)
        case Or(children=children):
            return all(_never(child) for child in children)
    return False
