"""BibTeX export: entries as `@misc` records in the style of arXiv's "Export BibTeX citation".

The output is meant for a reference manager or a LaTeX document, so it carries only
bibliographic fields (and the user's tags as `keywords`); notes and read state stay out.
Every value is escaped so that any title parses back to the same text, in BibTeX and in
`reader.sources.bibtex`: braces stay balanced whatever the title holds, and nothing in it
can act as a LaTeX command.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date

from reader.identity import BIBTEX_KEY_FIELD, normalize_arxiv_id, paper_key
from reader.links import is_web_url, percent_encode
from reader.model import Entry, Paper
from reader.text import without_controls

_INDENT = " " * 6  # arXiv's own indentation
_CATEGORY = re.compile(r"[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# Characters LaTeX gives a meaning to, as text-mode escapes. Braces use the `\text...`
# macros rather than `\{`: BibTeX counts `\{` as a brace too, so an unbalanced one in a
# title would end the field early. `~` and `^` need macros because `\~` and `\^` are accents.
_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
}
_SPECIAL = re.compile(r"[\\{}~^%&$#_]")
# TeX ligatures that would change the text when read back: `--` (en dash), `''` (closing
# quote), "``" and "!`"/"?`" (opening quotes, inverted marks). An empty group splits them.
_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=')(?=')")
_BACKTICK = re.compile(r"`")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")

# Name suffixes BibTeX keeps apart: "Martin Luther King Jr." is "King, Jr., Martin Luther".
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
# Short words a citation key skips, as arXiv's generator does for its title words.
_STOPWORD_TEXT = (
    "a an and are as at be by for from how in into is it of on or the to towards via "
    "what when where which why with without"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]+")
# Characters that would unbalance or break a verbatim `url` field, and controls (C1 and bidi
# too), which must not reach a terminal raw.
_URL_UNSAFE = re.compile(
    r"[\s{}\\\"\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def to_bibtex(entries: Sequence[Entry]) -> str:
    """The entries as BibTeX `@misc` records, separated by blank lines; "" for no entries.

    Citation keys come from `citation_keys`. Fields: `title` (double-braced, so styles keep
    its capitals), `author` ("Last, First and ..."), `year`, `month` (left out for January
    1st, which is how a date known only to the year is stored), `eprint` with
    `archivePrefix` and `primaryClass`, `doi`, `url`, `abstract`, `keywords` (the user's
    tags), and `readerkey` when the paper's key is not the one an import would derive.
    """
    keys = citation_keys([entry.paper for entry in entries])
    records = [_record(key, entry) for key, entry in zip(keys, entries, strict=True)]
    # Every field is escaped already; this only catches lone surrogates, which cannot be
    # written as UTF-8, and keeps the promise that the output is safe to print.
    return without_controls("\n\n".join(records)) + "\n" if records else ""


def citation_keys(papers: Sequence[Paper]) -> list[str]:
    """One unique citation key per paper, in order, independent of the papers' order.

    A key is the first author's last name, the year and the first significant title word,
    ASCII-folded and lower-case (`vaswani2023attention`), else the arXiv id, else the paper
    key. Papers sharing a key all get a suffix (a, b, ..., z, aa, ...) in the order of their
    date and paper key, so the same papers always get the same keys.
    """
    bases = [_base_key(paper) for paper in papers]
    groups: dict[str, list[int]] = defaultdict(list)
    for index, base in enumerate(bases):
        groups[base].append(index)
    keys = list(bases)
    taken = {base for base, members in groups.items() if len(members) == 1}
    for base in sorted(groups):
        members = groups[base]
        if len(members) == 1:
            continue
        members.sort(key=lambda index: _sort_key(papers[index]))
        suffixes = _suffixes()
        for index in members:
            # A suffixed key can equal another paper's plain key ("li2024deep" + "a" vs a
            # title starting "Deepa"): skip such suffixes.
            key = base + next(suffixes)
            while key in taken:
                key = base + next(suffixes)
            taken.add(key)
            keys[index] = key
    return keys


def escape_latex(text: str) -> str:
    """`text` as BibTeX/LaTeX source that reads back as exactly `text` (on one line).

    Whitespace runs become one space and control characters are dropped; non-ASCII is kept
    as UTF-8, as arXiv does.
    """
    # Collapse first: some control characters (form feed, NEL) count as whitespace.
    text = " ".join(_CONTROL.sub("", " ".join(text.split())).split())
    text = _SPECIAL.sub(lambda match: _ESCAPES[match.group()], text)
    text = _BACKTICK.sub("{`}", text)
    return _LIGATURE.sub("{}", text)


def _record(key: str, entry: Entry) -> str:
    """One `@misc{...}` record."""
    paper = entry.paper
    fields: list[tuple[str, str]] = [("title", "{" + escape_latex(paper.title) + "}")]
    authors = " and ".join(_bibtex_name(name) for name in paper.authors if name.strip())
    if authors:
        fields.append(("author", authors))
    if paper.published is not None:
        fields.append(("year", str(paper.published.year)))
        if (paper.published.month, paper.published.day) != (1, 1):
            fields.append(("month", _MONTHS[paper.published.month - 1]))
    arxiv_id = normalize_arxiv_id(paper.arxiv_id)
    if arxiv_id:
        fields.extend([("eprint", arxiv_id), ("archivePrefix", "arXiv")])
        primary = paper.primary_category or (paper.categories[0] if paper.categories else "")
        if _CATEGORY.fullmatch(primary):
            fields.append(("primaryClass", primary))
    if paper.doi:
        fields.append(("doi", percent_encode(paper.doi, _URL_UNSAFE)))
    url = _url(paper)
    if url:
        fields.append(("url", url))
    if paper.abstract.strip():
        fields.append(("abstract", escape_latex(paper.abstract)))
    tags = [escape_latex(tag) for tag in entry.state.tags if tag.strip()]
    if tags:
        fields.append(("keywords", ", ".join(tags)))
    if paper.key != paper_key(arxiv_id, paper.title):
        # The key an import would give this paper is not its key (it was first seen by
        # its title, or shares its title with another work): say which it is, so that
        # the paper keeps its key through an export and an import.
        fields.append((BIBTEX_KEY_FIELD, escape_latex(paper.key)))
    lines = [f"@misc{{{key},"]
    for name, value in fields:
        # `month` is written as BibTeX's own macro (`jun`), which styles localize.
        lines.append(
            f"{_INDENT}{name}={value}," if name == "month" else f"{_INDENT}{name}={{{value}}},"
        )
    lines.append("}")
    return "\n".join(lines)


def _bibtex_name(name: str) -> str:
    """A display name ("Jan van der Berg") as BibTeX's "van der Berg, Jan".

    Names BibTeX would misread (holding a comma or the word "and", or just "others") are
    braced whole, which keeps them one literal name.
    """
    words = name.split()
    if (
        "," in name
        or any(word.lower() == "and" for word in words)
        or name.strip().lower() == "others"
    ):
        return "{" + escape_latex(name) + "}"
    if len(words) == 1:
        return escape_latex(words[0])
    family, given, suffix = name_parts(name)
    parts = [family, *([suffix] if suffix else []), given]
    return ", ".join(escape_latex(part) for part in parts)


def name_parts(name: str) -> tuple[str, str, str]:
    """(family, given, suffix) of a display name: "Jan van der Berg" is ("van der Berg",
    "Jan", ""), "Martin Luther King Jr." is ("King", "Martin Luther", "Jr."). One word is
    a family name alone."""
    words = name.split()
    if len(words) <= 1:
        return (words[0] if words else "", "", "")
    suffix = ""
    if len(words) >= 3 and words[-1].lower() in _SUFFIXES:
        suffix = words.pop()
    # The last name starts at the first lower-case particle ("van", "de") after the first
    # word, as BibTeX's "von" part does, else it is the last word.
    start = next((i for i in range(1, len(words) - 1) if words[i][:1].islower()), len(words) - 1)
    return " ".join(words[start:]), " ".join(words[:start]), suffix


def _url(paper: Paper) -> str | None:
    """The paper's web address, safe inside a verbatim `url={...}` field."""
    url = (paper.url or "").strip()
    if not is_web_url(url):
        arxiv_id = normalize_arxiv_id(paper.arxiv_id)
        url = f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else ""
    if not url:
        return None
    return percent_encode(url, _URL_UNSAFE)


def _base_key(paper: Paper) -> str:
    """The citation key before de-duplication."""
    last_name = _ascii_words(_last_name(paper.authors[0]) if paper.authors else "")
    year = str(paper.published.year) if paper.published else ""
    title_words = [word for word in _ascii_words(paper.title) if word not in _STOPWORDS]
    # A title of only stopwords ("What Is It?") still has a first word.
    first_word = (title_words or _ascii_words(paper.title) or [""])[0]
    name = "".join(last_name)
    if name or first_word:
        return f"{name}{year}{first_word}"
    fallback = normalize_arxiv_id(paper.arxiv_id) or paper.key
    return _KEY_UNSAFE.sub("-", fallback).strip("-") or "paper"


def _last_name(name: str) -> str:
    """The last name in a display name, without particles or a suffix."""
    words = name.split()
    while len(words) > 1 and words[-1].lower() in _SUFFIXES:
        words.pop()
    return words[-1] if words else ""


def _ascii_words(text: str) -> list[str]:
    """The lower-case ASCII words of `text`, accents folded ("Bošnjak" -> ["bosnjak"])."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _ASCII_WORD.findall(folded.lower())


def _sort_key(paper: Paper) -> tuple[date, str]:
    """The order in which papers sharing a citation key get their suffixes."""
    return (paper.published or date.min, paper.key)


def _suffixes() -> Iterator[str]:
    """a, b, ..., z, aa, ab, ...: the suffixes that tell apart papers sharing a key."""
    number = 0
    while True:
        number += 1
        suffix = ""
        value = number
        while value:
            value, remainder = divmod(value - 1, 26)
            suffix = chr(ord("a") + remainder) + suffix
        yield suffix
