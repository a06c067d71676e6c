"""Property tests: hostile values in every field of the real feed samples.

Each example takes a captured answer (Hugging Face Daily Papers JSON, arXiv API Atom, arXiv
RSS), puts hostile values into many of its fields, and parses it. The promise: the parser
either refuses with the project's `ReaderError` (an `InputError`), or returns papers that a
real library stores and gives back; no other exception, anywhere on the way.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reader.errors import ReaderError
from reader.library import Library
from reader.model import Incoming
from reader.sources.arxiv import parse_atom, parse_rss
from reader.sources.hfapi import parse_daily_papers, parse_paper
from tests.conftest import FORMATS

# Few examples, each changing many fields, keep the module at a few seconds. No shrinking: an
# example costs tens of milliseconds (a real library write), and shrinking a failure ran
# into Hypothesis' five-minute limit; the failing example is reported as drawn instead.
EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
SQLITE_MAX = 2**63 - 1

# Raw JSON text, written into the document as is (json.dumps could not write 1e400).
HOSTILE_JSON = [
    "99999999999999999999999",
    "9" * 5_000,
    "-" + "9" * 5_000,
    "1e99999",
    str(SQLITE_MAX + 1),
    str(SQLITE_MAX),
    "-1",
    "-99999999999999999999999",
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    "1.5",
    "true",
    "null",
    "{}",
    "[]",
    '""',
    '"   "',
    '"\\ud800"',
    '"A title \\udfff with a lone low surrogate"',
    '"\\ud83d\\ude00 a valid pair"',
    '"\\u001b[2J\\u001b]0;pwned\\u0007 \\u009b31m"',
    '"9999-12-31T23:59:59-23:59"',
    '"0001-01-01T00:00:00+14:00"',
    '"9999-12-31T23:59:59.999999+00:00"',
    '"2026-02-30T00:00:00.000Z"',
    '"2026-06-11T25:00:00Z"',
    '"2606.11409"',
    '"arXiv:9999.99999v99999999999999999999"',
    '"https://\\ud800.example"',
    '"javascript:alert(1)"',
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 50_000 + "1" + "}" * 50_000,
    '[{"name": "\\ud800", "hidden": "no"}, 7, null]',
    '{"fullname": 12, "name": "\\udc00"}',
    '"' + "long " * 2_000 + '"',
]

# Text put into an XML element or attribute (the serializer escapes it as needed).
HOSTILE_XML = [
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+14:00",
    "2026-02-30T00:00:00Z",
    "Mon, 31 Dec 9999 23:59:59 -2359",
    "Mon, 01 Jan 0001 00:00:00 +1400",
    "Mon, 01 Jan 99999999999999999999 00:00:00 +0000",
    "Thu, 31 Feb 2026 00:00:00 +9999",
    "99999999999999999999999",
    "-1",
    "",
    "   ",
    "oai:arXiv.org:9999.99999v99999999999999999999",
    "http://arxiv.org/api/errors#\u009b2J",
    "arXiv:2411.17748v1 Announce Type: replace-cross \nAbstract:",
    "A \u009b31mC1\u009b0m title \u202egpj.exe",
    "R\\'{e}my \\c{c} {\\o} and \\\\ and {",
    "long " * 2_000,
]


# Strategies are built once: building one per draw made each example several times slower.
HOSTILE_JSON_VALUE = st.one_of(
    st.none(),  # The field is removed.
    st.sampled_from(HOSTILE_JSON),
    st.text(max_size=40).map(json.dumps),
    st.integers().map(str),
)
"""Raw JSON text for a field (None: remove it): a known troublemaker, or any string or int."""
XML_LEGAL = st.characters(
    blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff", min_codepoint=9
).filter(lambda char: char in "\t\n\r" or char >= " ")
HOSTILE_XML_TEXT = st.sampled_from(HOSTILE_XML) | st.text(XML_LEGAL, max_size=40)
"""Text for an XML element or attribute: a known troublemaker, or any XML-legal text."""
CHANCE = st.integers(0, 9)
"""A roll of a ten-sided die, to decide whether a field changes."""


def json_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a decoded JSON document, containers included, except the root."""
    places = [path] if path else []
    if isinstance(value, dict | list):
        children = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in children:
            places.extend(json_paths(child, (*path, key)))
    return places


def mutated_json(document: Any, changes: list[tuple[tuple[Any, ...], str | None]]) -> str:
    """`document` as JSON text with the value at each path replaced by raw JSON text, or
    removed (None)."""
    copy = json.loads(json.dumps(document))
    raw: dict[str, str] = {}
    for number, (path, value) in enumerate(changes):
        parent = copy
        try:
            for key in path[:-1]:
                parent = parent[key]
            if value is None:
                del parent[path[-1]]
            else:
                marker = f"@@hostile-{number}@@"
                parent[path[-1]] = marker
                raw[json.dumps(marker)] = value
        except (KeyError, IndexError, TypeError):
            continue  # An earlier change removed or replaced this place.
    text = json.dumps(copy)
    for marker, value in raw.items():
        text = text.replace(marker, value)
    return text


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """One real library for all the examples of this module (opening one takes a while)."""
    with Library(tmp_path_factory.mktemp("library")) as opened:
        yield opened


def stored_and_read_back(library: Library, papers: list[Incoming]) -> None:
    """Import `papers` into `library`, then read them back, and the whole library too."""
    for item in papers:
        paper = item.paper
        for number in (paper.upvotes, paper.comments, paper.author_count):
            assert number is None or 0 <= number <= SQLITE_MAX
        for text in (paper.key, paper.title, paper.abstract, *paper.authors):
            text.encode("utf-8")  # No lone surrogate: the library could not store it.
    try:
        result = library.import_papers(papers)
    except ReaderError:
        return  # Refusing is allowed; anything else is a bug.
    for key in result.resolved:
        assert library.entry(key).paper.title
    assert len(library.entries()) == len(library)


def parses_or_refuses(library: Library, parse: Callable[[str], list[Incoming]], text: str) -> None:
    """The promise for one hostile document."""
    try:
        papers = parse(text)
    except ReaderError:
        return
    stored_and_read_back(library, papers)


HF_DAILY = json.loads((FORMATS / "hf_daily_papers.json").read_text(encoding="utf-8"))
HF_PAPER = json.loads((FORMATS / "hf_paper.json").read_text(encoding="utf-8"))


# The fields the readers look at. Those that identify a paper are changed less often: a
# paper without an id or a title refuses the whole answer, hiding the other changes.
HF_IDENTITY = {"paper", "id", "title"}
HF_FIELDS = {
    *HF_IDENTITY,
    *("summary", "authors", "name", "hidden", "organization", "fullname", "upvotes"),
    *("publishedAt", "submittedOnDailyAt", "numComments", "githubRepo", "projectPage"),
}


def hf_changes(document: Any, data: st.DataObject) -> list[tuple[tuple[Any, ...], str | None]]:
    """Hostile values (None: removal) for many of the fields a reader looks at, and for a
    few places anywhere in `document`."""
    places = json_paths(document)
    changes = []
    for path in places:
        # A list item (an author) counts as a field of the list that holds it.
        names = [key for key in path if isinstance(key, str)]
        name = names[-1] if names else None
        if name in HF_FIELDS and data.draw(CHANCE) < (1 if name in HF_IDENTITY else 6):
            changes.append((path, data.draw(HOSTILE_JSON_VALUE)))
    anywhere = st.tuples(st.sampled_from(places), HOSTILE_JSON_VALUE)
    return changes + data.draw(st.lists(anywhere, max_size=3))


@pytest.mark.parametrize(
    ("document", "parse"),
    [(HF_DAILY, parse_daily_papers), (HF_PAPER, lambda text: [parse_paper(text)])],
    ids=["daily-papers", "paper"],
)
@EXAMPLES
@given(data=st.data())
def test_hostile_hugging_face_answers(library, document, parse, data):
    parses_or_refuses(library, parse, mutated_json(document, hf_changes(document, data)))


# The elements the readers look at, by local name; those that identify a paper (or hold
# the papers) are changed less often, as for Hugging Face.
XML_IDENTITY = {"feed", "channel", "entry", "item", "id", "guid", "title"}
XML_FIELDS = {
    *XML_IDENTITY,
    *("summary", "published", "author", "name", "link", "pubDate", "description"),
    *("creator", "announce_type"),
}


def xml_mutated(path: Path, data: st.DataObject) -> str:
    """The XML sample at `path` with hostile text in many of the elements a reader looks
    at (or their attributes), and in a few elements anywhere."""
    root = ElementTree.fromstring(path.read_bytes())
    elements = list(root.iter())
    chosen = []
    for element in elements:
        name = element.tag.split("}")[-1]
        if name in XML_FIELDS and data.draw(CHANCE) < (1 if name in XML_IDENTITY else 6):
            chosen.append(element)
    chosen += data.draw(st.lists(st.sampled_from(elements), max_size=3))
    for element in chosen:
        value = data.draw(HOSTILE_XML_TEXT)
        if element.attrib and data.draw(st.booleans()):
            element.set(data.draw(st.sampled_from(sorted(element.attrib))), value)
        else:
            element.text = value
    return ElementTree.tostring(root, encoding="unicode")


@pytest.mark.parametrize(
    ("name", "parse"),
    [("arxiv_api.atom.xml", parse_atom), ("arxiv_rss.xml", parse_rss)],
    ids=["atom", "rss"],
)
@EXAMPLES
@given(data=st.data())
def test_hostile_arxiv_answers(library, name, parse, data):
    parses_or_refuses(library, parse, xml_mutated(FORMATS / name, data))
