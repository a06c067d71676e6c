"""Readers of arXiv's feeds: the API's Atom (`export.arxiv.org/api/query`) and the listing
RSS (`rss.arxiv.org/rss/<category>`).

Both are untrusted XML from the network, so they are parsed with `defusedxml`, refusing any
DOCTYPE (and with it entity declarations such as billion laughs, and external references)
instead of expanding them.
Elements are found by tag, never by position: the Atom feed changed its element order in 2026
(see `tests/fixtures/formats/SOURCES.md`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as StdElementTree
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from reader.errors import InputError
from reader.identity import (
    arxiv_categories,
    arxiv_id_of_doi,
    arxiv_url,
    is_arxiv_category,
    normalize_arxiv_id,
    normalize_doi,
    paper_key,
)
from reader.model import Incoming, Paper
from reader.sources.latex import decode_accents
from reader.sources.untrusted import day_of, quoted

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
DC = "{http://purl.org/dc/elements/1.1/}"

_SNIFF_LIMIT = 4096
_SNIFF_ATOM = re.compile(r"<feed\b[^>]*\bxmlns=[\"']http://www\.w3\.org/2005/Atom[\"']")
_SNIFF_RSS = re.compile(r"<rss\b[^>]*\bxmlns:arxiv=|<rss\b[^>]*>.*?rss\.arxiv\.org", re.DOTALL)

# "arXiv:2411.17748v1 Announce Type: new \nAbstract: ..." (the space before the newline is real).
_RSS_PREFIX = re.compile(
    r"\A\s*arXiv:\S+\s+Announce Type:\s*[\w-]+\s*(?:Abstract:\s*)?", re.IGNORECASE
)
# A line break followed by indentation starts a paragraph; a bare line break is a hard wrap.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]+")
# The announce types whose item is the paper's first appearance, so the day is its own.
_FIRST_ANNOUNCEMENT = frozenset({"new", "cross"})

# The title of the channel arXiv's feed service sends for a bad category.
_RSS_ERROR = "Feed error for query"
_NAME_SUFFIX = re.compile(r"^(?:Jr|Sr|II|III|IV)\.?$")


def parse_atom(text: str | bytes, *, source: str = "arxiv-api") -> list[Incoming]:
    """Read an arXiv API Atom feed (current or legacy layout) into papers.

    A feed without entries (a search with no results) gives an empty list. The error entry
    the API sends for a bad query raises `InputError` carrying the API's message, as do
    malformed or hostile XML and a document that is not an Atom feed.
    """
    root = _parse_xml(text)
    if root.tag != f"{ATOM}feed":
        raise InputError("not an Atom feed (expected a <feed> root element)")
    papers: list[Incoming] = []
    for index, entry in enumerate(root.iter(f"{ATOM}entry"), start=1):
        entry_id = _text(entry.find(f"{ATOM}id"))
        if "/api/errors" in entry_id:
            message = quoted(_text(entry.find(f"{ATOM}summary"))) or "unknown error"
            raise InputError(f"arXiv API error: {message}")
        title = decode_accents(_collapse(_text(entry.find(f"{ATOM}title"))))
        if not title:
            raise InputError(f"entry {index}: no title")
        arxiv_id = normalize_arxiv_id(entry_id)
        authors = tuple(
            decode_accents(name)
            for author in entry.iter(f"{ATOM}author")
            if (name := _collapse(_text(author.find(f"{ATOM}name"))))
        )
        primary_element = entry.find(f"{ARXIV}primary_category")
        primary = primary_element.get("term", "") if primary_element is not None else ""
        categories = arxiv_categories(
            [primary, *(element.get("term", "") for element in entry.iter(f"{ATOM}category"))]
        )
        papers.append(
            Incoming(
                Paper(
                    key=paper_key(arxiv_id, title),
                    title=title,
                    abstract=clean_abstract(_text(entry.find(f"{ATOM}summary"))),
                    authors=authors,
                    author_count=len(authors) or None,
                    published=_iso_day(_text(entry.find(f"{ATOM}published"))),
                    arxiv_id=arxiv_id,
                    url=arxiv_url(arxiv_id) if arxiv_id else _alternate_link(entry),
                    source=source,
                    doi=journal_doi(_text(entry.find(f"{ARXIV}doi"))),
                    categories=categories,
                    primary_category=categories[0]
                    if categories and is_arxiv_category(primary)
                    else None,
                )
            )
        )
    return papers


def parse_rss(text: str | bytes, *, source: str = "arxiv-rss") -> list[Incoming]:
    """Read an rss.arxiv.org listing into papers.

    A channel without items (weekends, holidays) gives an empty list, not an error.
    `published` is the announcement day for new papers and cross-lists only: for a
    replacement that day says nothing about when the paper first appeared.
    """
    root = _parse_xml(text)
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise InputError("not an RSS feed (expected <rss> with a <channel>)")
    channel_title = _collapse(_text(channel.find("title")))
    if channel_title.startswith(_RSS_ERROR) and channel.find("item") is None:
        # arXiv's feed service answers a bad category with a channel of no items whose
        # description is the error message.
        message = quoted(_collapse(_text(channel.find("description")))) or channel_title
        raise InputError(f"arXiv RSS error: {message}")
    papers: list[Incoming] = []
    for index, item in enumerate(channel.iter("item"), start=1):
        title = decode_accents(_collapse(_text(item.find("title"))))
        if not title:
            raise InputError(f"item {index}: no title")
        guid = _text(item.find("guid")).strip().removeprefix("oai:arXiv.org:")
        link = _text(item.find("link")).strip()
        arxiv_id = normalize_arxiv_id(guid) or normalize_arxiv_id(link)
        authors = tuple(split_creators(_text(item.find(f"{DC}creator"))))
        announce = _text(item.find(f"{ARXIV}announce_type")).strip().lower()
        published = (
            _rfc822_day(_text(item.find("pubDate"))) if announce in _FIRST_ANNOUNCEMENT else None
        )
        description = _RSS_PREFIX.sub("", _text(item.find("description")), count=1)
        # The generator lists the primary category first.
        categories = arxiv_categories([_text(element) for element in item.iter("category")])
        doi = _text(item.find(f"{ARXIV}DOI")) or _text(item.find(f"{ARXIV}doi"))
        papers.append(
            Incoming(
                Paper(
                    key=paper_key(arxiv_id, title),
                    title=title,
                    abstract=clean_abstract(description),
                    authors=authors,
                    author_count=len(authors) or None,
                    published=published,
                    arxiv_id=arxiv_id,
                    url=arxiv_url(arxiv_id) if arxiv_id else (link or None),
                    source=source,
                    doi=journal_doi(doi),
                    categories=categories,
                    primary_category=categories[0] if categories else None,
                )
            )
        )
    return papers


def looks_like_atom(text: str) -> bool:
    """True when the text starts like an Atom feed (as the arXiv API sends). Cheap: only
    the first few kilobytes are looked at, nothing is parsed."""
    return bool(_SNIFF_ATOM.search(text[:_SNIFF_LIMIT]))


def looks_like_rss(text: str) -> bool:
    """True when the text starts like an arXiv listing RSS feed. Cheap: only the first few
    kilobytes are looked at, nothing is parsed."""
    return bool(_SNIFF_RSS.search(text[:_SNIFF_LIMIT]))


def clean_abstract(text: str) -> str:
    """An arXiv abstract with its hard line wraps undone and its TeX accents decoded.

    Older feeds wrap lines at ~80 columns and indent the first line; a line break followed
    by indentation is a paragraph break, kept as a blank line. Accents (`Schr\\"odinger`)
    become letters as in BibTeX import (`reader.sources.latex`); math and other TeX stay.
    """
    paragraphs = (" ".join(part.split()) for part in _PARAGRAPH_BREAK.split(text.strip()))
    return decode_accents("\n\n".join(part for part in paragraphs if part))


def journal_doi(text: str) -> str | None:
    """A DOI as arXiv gives it (`10.1063/1.4944470`, sometimes several separated by
    spaces): the first, unless it is arXiv's own DOI, which the arXiv id already says."""
    for candidate in text.split():
        doi = normalize_doi(candidate)
        if doi is not None:
            return None if arxiv_id_of_doi(doi) else doi
    return None


def split_creators(creators: str) -> list[str]:
    """The author names in an RSS `dc:creator` string.

    The string is "First Last (Affiliation), First Last, ...": affiliations (which may hold
    commas) are dropped, a detached "Jr." rejoins its name, and TeX accents become letters.
    """
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in creators:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and char == ",":
            parts.append("".join(current))
            current = []
        elif depth == 0:
            current.append(char)
    parts.append("".join(current))
    names: list[str] = []
    for part in parts:
        # A list may end "..., B and C"; no real name holds the word "and" on its own.
        for piece in re.split(r"\s+and\s+", part.strip()):
            name = " ".join(piece.split())
            if not name:
                continue
            if _NAME_SUFFIX.match(name) and names:
                names[-1] = f"{names[-1]}, {name}"
            else:
                names.append(tex_to_unicode(name))
    return names


def tex_to_unicode(text: str) -> str:
    """`text` with TeX accents and special letters (`R\\'emy`, `{\\o}`) as Unicode, the
    way BibTeX import decodes them; math and everything else are left as they are."""
    return decode_accents(text)


def _parse_xml(text: str | bytes) -> StdElementTree.Element:
    """The root element of `text`, parsed safely; `InputError` when it is not usable XML."""
    try:
        # arXiv never sends a DOCTYPE, so refusing every one costs nothing and leaves no room
        # for entity tricks or external DTD fetches.
        return SafeElementTree.fromstring(text, forbid_dtd=True)
    except DefusedXmlException as error:
        raise InputError(f"refused unsafe XML ({type(error).__name__})") from None
    except StdElementTree.ParseError as error:
        raise InputError(f"not valid XML ({error})") from None
    except UnicodeEncodeError:
        # Text with lone surrogates (from a lenient decoding) cannot be read as XML.
        raise InputError("not valid XML (the text holds unencodable characters)") from None


def _text(element: StdElementTree.Element | None) -> str:
    """The text of `element`, or "" when it is missing or empty."""
    if element is None or element.text is None:
        return ""
    return element.text


def _collapse(text: str) -> str:
    """`text` on one line, whitespace runs made single spaces (titles wrap in old feeds)."""
    return " ".join(text.split())


def _alternate_link(entry: StdElementTree.Element) -> str | None:
    """The entry's abstract page when its id is not an arXiv id (should not happen)."""
    for link in entry.iter(f"{ATOM}link"):
        if link.get("rel") == "alternate" and link.get("href"):
            return link.get("href")
    return None


def _iso_day(text: str) -> date | None:
    """The date of an ISO-8601 timestamp ("2026-06-11T17:59:49Z"), or None when it is no
    timestamp or names no real instant."""
    try:
        return day_of(datetime.fromisoformat(text.strip()))
    except ValueError:
        return None


def _rfc822_day(text: str) -> date | None:
    """The calendar day of an RFC 822 date as written, in its own time zone, or None when
    it is no date or names no real instant."""
    try:
        return day_of(parsedate_to_datetime(text.strip()))
    except (TypeError, ValueError, IndexError, OverflowError):
        # OverflowError: a year or hour of many digits ("Mon, 01 Jan 99999999999999999999").
        return None
