"""BibTeX as input: arXiv's "Export BibTeX citation" and Zotero/JabRef/Better BibTeX exports.

Parsing is bibtexparser v2's; this module maps the fields it finds to `Paper`s. Field names
are matched case-insensitively. Text fields (title, abstract, authors) are LaTeX-decoded to
Unicode (`{\\"u}` -> "ü", `\\&` -> "&"); `url`, `eprint`, `doi` and dates are read verbatim.

A file with some broken entries imports the entries that parsed and ignores the broken
ones: one stray brace in a 500-entry Zotero export should not block the other 499. Only a
file where nothing usable parsed is an error.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import TYPE_CHECKING

from reader.errors import InputError
from reader.identity import (
    BIBTEX_KEY_FIELD,
    arxiv_id_of_doi,
    arxiv_url,
    is_arxiv_category,
    normalize_arxiv_id,
    normalize_doi,
    paper_key,
)
from reader.links import is_web_url
from reader.model import Incoming, Paper
from reader.sources.latex import latex_to_text

# bibtexparser logs a multi-line warning for every broken block. Skipped entries are
# counted in our own message; the raw log would garble the CLI's one-line errors, and
# in the app it would be written over the screen.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("bibtexparser").propagate = False

if TYPE_CHECKING:
    # Imported lazily at run time: format sniffing calls `looks_like_bibtex` on every input,
    # and bibtexparser with pylatexenc costs ~40 ms to import.
    import bibtexparser.model

_BOM = "\ufeff"
_BLOCK_START = re.compile(r"@[ \t]*[A-Za-z]\w*[ \t]*[{(]")
# An entry's start anywhere: `@article{key,` at the start of a line.
_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*[A-Za-z]\w*[ \t]*[{(]\s*[^\s,{}()=\"]+\s*,", re.MULTILINE)
_SNIFF_LIMIT = 64 * 1024

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
# biblatex `date`: YYYY, YYYY-MM or YYYY-MM-DD, possibly the start of a range "A/B".
_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(\S+)", re.IGNORECASE)
# "arXiv preprint arXiv:2606.11409" (Google Scholar), "arXiv:2606.11409 [cs]" (Zotero note).
_ARXIV_MENTION = re.compile(r"arxiv:\s*([\w./-]+)", re.IGNORECASE)
_URL_MACRO = re.compile(r"^\\url\{(.*)\}$", re.DOTALL)
_URL_ESCAPE = re.compile(r"\\([_%&#$]|~(?:\{\})?)")
# Entry types whose `volume` is a volume of the work itself, not of a journal.
_BOOK_TYPES = frozenset(
    {"book", "mvbook", "collection", "mvcollection", "proceedings", "mvproceedings", "reference"}
)
_VOLUME = re.compile(r"\b(?:vol(?:ume)?\.?|part|band|tome)\s*\w", re.IGNORECASE)
# Overlap-free, so that "A and  and B" (an empty name) still splits at both.
_AND = re.compile(r"(?<!\S)and(?!\S)", re.IGNORECASE)
_ARXIV_PREFIXES = ("arxiv", "arxiv.org")
_ESCAPED = re.compile(r"\\.", re.DOTALL)
_COMMA = re.compile(",")


def looks_like_bibtex(text: str) -> bool:
    """True when the text starts a BibTeX block, or holds an entry (`@type{key,`) in its
    first 64 KB after text outside entries: `#` lines and notes are legal there, and
    Google Scholar and hand-kept files have them.

    Cheap: a pattern over the head of the text.
    """
    for line in text.removeprefix(_BOM).splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("%"):
            continue
        if _BLOCK_START.match(stripped) is not None:
            return True
        break
    return _ENTRY_START.search(text[:_SNIFF_LIMIT]) is not None


def parse_bibtex(text: str, *, source: str = "bibtex") -> list[Incoming]:
    """Read every entry with a title in `text` as a paper whose `source` is `source`.

    Broken entries are skipped when others parse; `InputError` when nothing usable is left
    (its message names the first syntax error, if there was one).
    """
    import bibtexparser
    from bibtexparser.middlewares import RemoveEnclosingMiddleware
    from bibtexparser.model import Entry, ParsingFailedBlock

    library = bibtexparser.parse_string(text.removeprefix(_BOM))
    unwrap = RemoveEnclosingMiddleware(allow_inplace_modification=True)
    papers: list[Incoming] = []
    first_error: str | None = None
    for block in library.blocks:
        if isinstance(block, ParsingFailedBlock):
            inner = block.ignore_error_block
            if not isinstance(inner, Entry):
                # A syntax error: nothing of the entry can be trusted.
                first_error = first_error or _failure_reason(block)
                continue
            # A duplicate key (common in merged exports) or field leaves a complete entry,
            # but one the parse stack skipped: its values may still carry their braces.
            if inner.get_parser_metadata(unwrap.metadata_key()) is None:
                inner = unwrap.transform_entry(inner, library)
            block = inner
        if isinstance(block, Entry):
            item = _paper(block, source)
            if item is not None:
                papers.append(item)
    if not papers:
        if first_error:
            raise InputError(f"no papers found in the BibTeX: {first_error}")
        raise InputError("no papers found in the BibTeX")
    return papers


def _paper(entry: bibtexparser.model.Entry, source: str) -> Incoming | None:
    """The paper an entry describes, or None when it has no title."""
    fields = _fields(entry)
    title = _text(fields.get("title", ""))
    if not title:
        return None
    volume = _verbatim(fields.get("volume", ""))
    if volume and entry.entry_type.lower() in _BOOK_TYPES and not _VOLUME.search(title):
        # The volumes of a book are works of their own, which share the book's title.
        title = f"{title}, Volume {_text(volume)}"
    authors, complete = _authors(fields.get("author", ""))
    arxiv_id = _arxiv_id(fields)
    doi = normalize_doi(_verbatim(fields.get("doi", "")))
    if doi and arxiv_id_of_doi(doi):
        doi = None  # arXiv's own DOI says no more than the arXiv id
    primary = _verbatim(fields.get("primaryclass", ""))
    primary = primary if is_arxiv_category(primary) else ""
    own_key = _verbatim(fields.get(BIBTEX_KEY_FIELD, ""))
    paper = Paper(
        key=own_key or paper_key(arxiv_id, title),
        title=title,
        abstract=_text(fields.get("abstract", "")),
        authors=authors,
        # "and others" means the list is cut short: the count is then unknown.
        author_count=len(authors) if authors and complete else None,
        published=_published(fields),
        arxiv_id=arxiv_id,
        url=_url(fields.get("url", "")) or (arxiv_url(arxiv_id) if arxiv_id else None),
        source=source,
        doi=doi,
        categories=(primary,) if primary else (),
        primary_category=primary or None,
    )
    return Incoming(paper, keyed=bool(own_key))


def _fields(entry: bibtexparser.model.Entry) -> dict[str, str]:
    """Field values by lower-case name; the first occurrence of a repeated field wins."""
    fields: dict[str, str] = {}
    for field in entry.fields:
        name = field.key.lower()
        if name not in fields and isinstance(field.value, str):
            fields[name] = field.value
    return fields


def _arxiv_id(fields: dict[str, str]) -> str | None:
    """The arXiv id from `eprint`, else an arXiv DOI or URL, else an "arXiv:..." mention."""
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    # Without a prefix, an eprint that reads as an arXiv id is one (JabRef omits it); with
    # another prefix ("HAL", "pubmed") it is someone else's number.
    if not prefix or prefix in _ARXIV_PREFIXES:
        arxiv_id = normalize_arxiv_id(_verbatim(fields.get("eprint", "")))
        if arxiv_id:
            return arxiv_id
    doi = _ARXIV_DOI.search(fields.get("doi", ""))
    if doi:
        arxiv_id = normalize_arxiv_id(doi.group(1))
        if arxiv_id:
            return arxiv_id
    arxiv_id = normalize_arxiv_id(_verbatim(fields.get("url", "")))
    if arxiv_id:
        return arxiv_id
    for name in ("journal", "journaltitle", "note", "howpublished", "eprint"):
        mention = _ARXIV_MENTION.search(fields.get(name, ""))
        arxiv_id = normalize_arxiv_id(mention.group(1)) if mention else None
        if arxiv_id:
            return arxiv_id
    return None


def _url(value: str) -> str | None:
    """The `url` field when it is a web address (`javascript:` and `file:` never pass)."""
    url = _verbatim(value)
    return url if is_web_url(url) and not any(char.isspace() for char in url) else None


def _verbatim(value: str) -> str:
    """A verbatim field (url, eprint, doi) without surrounding space, a `\\url{...}`
    wrapper, or the escapes DBLP and the ACL Anthology put in URLs (`\\_`, `\\%7E`)."""
    value = value.strip()
    wrapped = _URL_MACRO.match(value)
    value = wrapped.group(1).strip() if wrapped else value
    return _URL_ESCAPE.sub(lambda match: match.group(1)[0], value) if "\\" in value else value


def _published(fields: dict[str, str]) -> date | None:
    """The first day of the known period: `date` if it parses, else `year` and `month`."""
    match = _DATE.match(fields.get("date", ""))
    if match:
        year, month, day = (int(part) if part else None for part in match.groups())
        found = _first_day(year, month, day)
        if found:
            return found
    year_match = _YEAR.search(fields.get("year", ""))
    if not year_match:
        return None
    return _first_day(int(year_match.group(1)), _month(fields.get("month", "")), None)


def _month(value: str) -> int | None:
    """A month from "jun", "June", "{Jun.}" or "6"; None when it is none of those."""
    text = value.strip().strip("{}").strip().rstrip(".").lower()
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return _MONTHS.get(text)


def _first_day(year: int | None, month: int | None, day: int | None) -> date | None:
    """The date, falling back to the 1st of the month and then to January 1st."""
    if year is None:
        return None
    for candidate in ((month, day), (month, 1), (1, 1)):
        try:
            return date(year, candidate[0] or 1, candidate[1] or 1)
        except ValueError:
            continue
    return None


def _authors(value: str) -> tuple[tuple[str, ...], bool]:
    """Display names ("First Last") of an `author` field, and False when it ends "and others".

    Names are split at top-level " and " and commas only: `{Barnes and Noble}` and
    `{Doe, Inc.}` stay one name, as in BibTeX.
    """
    names: list[str] = []
    complete = True
    for raw in _split_top_level(value, _AND):
        if raw.strip().lower() == "others":
            complete = False
            continue
        parts = [_text(part) for part in _split_top_level(raw, _COMMA)]
        if len(parts) == 1:
            name = parts[0]
        elif len(parts) == 2:
            # "von Last, First"
            name = f"{parts[1]} {parts[0]}"
        else:
            # "von Last, Jr, First"
            name = f"{' '.join(parts[2:])} {parts[0]} {parts[1]}"
        name = " ".join(name.split())
        if name:
            names.append(name)
    return tuple(names), complete


def _split_top_level(text: str, separator: re.Pattern[str]) -> list[str]:
    """`text` split at the matches of `separator` that lie outside braces.

    Escaped braces (`\\{`) do not count, as in bibtexparser's own splitter.
    """
    if "{" not in text:
        return separator.split(text)
    # Escaped braces are blanked out (same length), so that counting sees only real ones.
    escaped = "\\{" in text or "\\}" in text
    counted = _ESCAPED.sub("\0\0", text) if escaped else text
    pieces: list[str] = []
    start = 0
    for match in separator.finditer(text):
        cut = match.start()
        # Outside braces when as many have opened as closed before it (a C-level count:
        # an author field of hundreds of names is split in microseconds).
        if cut >= start and counted.count("{", 0, cut) == counted.count("}", 0, cut):
            pieces.append(text[start:cut])
            start = match.end()
    pieces.append(text[start:])
    return pieces


def _text(value: str) -> str:
    """A text field as Unicode on one line: LaTeX decoded, braces gone, whitespace collapsed."""
    return latex_to_text(value)


def _failure_reason(block: bibtexparser.model.Block) -> str:
    """One line naming what went wrong in a block that failed to parse, and where."""
    error = getattr(block, "error", None)
    reason = getattr(error, "abort_reason", None) or str(error or "syntax error")
    line = f"entry at line {block.start_line + 1}: " if block.start_line is not None else ""
    return line + " ".join(reason.split())
