"""Tests of the arXiv Atom and RSS readers against real captured feeds, and hostile XML."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest

from reader.errors import InputError
from reader.sources.arxiv import (
    clean_abstract,
    looks_like_atom,
    looks_like_rss,
    parse_atom,
    parse_rss,
    split_creators,
    tex_to_unicode,
)
from tests.conftest import FORMATS

ERROR_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query: search_query=&amp;id_list=1234.1234x</title>
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.1234x</id>
    <title>Error</title>
    <summary>incorrect id format for
      1234.1234x</summary>
  </entry>
</feed>
"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2606.13677v1</id>
<title>&lol9;</title></entry></feed>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&secret;</title></item></channel></rss>
"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE feed SYSTEM "http://127.0.0.1:9/evil.dtd">
<feed xmlns="http://www.w3.org/2005/Atom"></feed>
"""


def sample(name: str) -> str:
    return (FORMATS / name).read_text(encoding="utf-8")


def test_current_atom_feed():
    papers = parse_atom(sample("arxiv_api.atom.xml"))
    assert [item.paper.key for item in papers] == ["2606.13677", "2606.13568", "2606.13501"]
    mana = papers[0].paper
    assert mana.title == "Mana: Dexterous Manipulation of Articulated Tools"
    # The id element is "http://arxiv.org/abs/2606.13677v1": no version, canonical https URL.
    assert mana.arxiv_id == "2606.13677"
    assert mana.url == "https://arxiv.org/abs/2606.13677"
    assert mana.authors == ("Zhao-Heng Yin", "Guanya Shi", "Pieter Abbeel", "C. Karen Liu")
    assert mana.author_count == 4
    assert mana.published == date(2026, 6, 11)
    assert mana.source == "arxiv-api"
    assert mana.upvotes is None
    # Entities are decoded: "&lt;1 minute" in the XML.
    assert "(<1 minute per tool)" in mana.abstract
    assert papers[1].paper.authors == ("Snigdha Chandan Khilar",)


def test_current_atom_keeps_paragraph_breaks_and_tex():
    serving = parse_atom(sample("arxiv_api.atom.xml"))[2].paper
    paragraphs = serving.abstract.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[1].startswith("This paper argues that DiT serving")
    assert "6.01$\\times$" in serving.abstract
    assert len(serving.authors) == 9


def test_legacy_atom_feed_collapses_wrapped_text():
    papers = parse_atom(sample("arxiv_api_legacy.atom.xml"))
    assert [item.paper.key for item in papers] == ["2510.14968", "2510.14827"]
    rdd = papers[0].paper
    assert rdd.title == (
        "RDD: Retrieval-Based Demonstration Decomposer for Planner Alignment in Long-Horizon Tasks"
    )
    assert rdd.abstract.startswith("To tackle long-horizon tasks, recent hierarchical")
    assert "\n" not in rdd.abstract
    assert "vision-language-action (VLAs) frameworks" in rdd.abstract
    assert rdd.abstract.endswith("available at rdd-neurips.github.io.")
    assert rdd.published == date(2025, 10, 16)
    assert rdd.authors == ("Mingxuan Yan", "Yuping Wang", "Zechun Liu", "Jiachen Li")
    assert papers[1].paper.author_count == 6


def test_legacy_doi_feed():
    (item,) = parse_atom(sample("arxiv_api_legacy_doi.atom.xml").encode("utf-8"))
    paper = item.paper
    assert paper.key == "1601.00001"
    assert paper.title == (
        "Inelastic effects in molecular transport junctions: The probe technique at high bias"
    )
    assert paper.published == date(2015, 12, 26)
    assert paper.authors == ("Michael Kilgour", "Dvira Segal")
    # TeX accents are decoded in abstracts too, as BibTeX import decodes them.
    assert "Landauer-Büttiker" in paper.abstract
    assert paper.doi == "10.1063/1.4944470"
    assert paper.categories == ("cond-mat.mes-hall",)
    assert paper.primary_category == "cond-mat.mes-hall"


def test_api_error_entry_raises_its_message():
    with pytest.raises(InputError, match=r"^arXiv API error: incorrect id format for 1234\.1234x$"):
        parse_atom(ERROR_FEED)


def test_api_error_message_is_printable_and_short():
    # XML cannot carry ESC itself, but C1 controls (CSI \x9b, OSC \x9d) and NEL it can.
    hostile = ERROR_FEED.replace(
        "incorrect id format for\n      1234.1234x",
        "bad \u009b31mid\u009b0m \u009d0;pwned\u009c&#x85;&#x202e;" + " and on" * 300,
    )
    assert hostile != ERROR_FEED
    with pytest.raises(InputError) as caught:
        parse_atom(hostile)
    message = str(caught.value)
    assert message.startswith("arXiv API error: bad ")
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e]", message)
    assert len(message) < 300


def test_atom_feed_without_entries_is_empty():
    text = '<feed xmlns="http://www.w3.org/2005/Atom"><title>nothing</title></feed>'
    assert parse_atom(text) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<feed xmlns='http://www.w3.org/2005/Atom'><entry>", "not valid XML"),
        ("<rss><channel/></rss>", "not an Atom feed"),
        ("", "not valid XML"),
    ],
)
def test_bad_atom_raises_input_error(text, message):
    with pytest.raises(InputError, match=message):
        parse_atom(text)


def test_rss_listing():
    papers = parse_rss(sample("arxiv_rss.xml"))
    assert [item.paper.key for item in papers] == ["2411.17748", "2411.16552", "2410.11112"]
    first = papers[0].paper
    assert first.title == (
        "Deployment of ARX Models for Thermal Forecasting in Power Electronics Boards"
        " Using WBG Semiconductors"
    )
    assert first.url == "https://arxiv.org/abs/2411.17748"
    assert first.source == "arxiv-rss"
    # "arXiv:2411.17748v1 Announce Type: new \nAbstract: " is gone.
    assert first.abstract.startswith("Facing the thermal management challenges")
    assert "Announce Type" not in first.abstract
    # Affiliations dropped, TeX accent decoded.
    assert first.authors == (
        "Mohammed Riadh Berramdane",
        "Alexandre Battiston",
        "Michele Bardi",
        "Nicolas Blet",
        "Benjamin Rémy",
        "Matthieu Urbain",
    )
    assert first.published == date(2024, 11, 28)
    cross = papers[1].paper
    assert cross.authors == ("Anya Shchetkina", "Ron Berman")
    assert cross.abstract.startswith("Targeting and personalization policies")
    assert cross.published == date(2024, 11, 28)


def test_rss_replacement_has_no_published_day():
    replaced = parse_rss(sample("arxiv_rss.xml"))[2].paper
    assert replaced.arxiv_id == "2410.11112"
    assert replaced.abstract.startswith("We introduce the Differentiable Weightless")
    # The announcement day of v3 is not when the paper appeared.
    assert replaced.published is None
    assert replaced.authors[2] == "Mauricio Breternitz Jr."
    assert replaced.authors[-1] == "Felipe M. G. França"
    assert replaced.author_count == 7


def test_empty_rss_channel_is_no_papers():
    assert parse_rss(sample("arxiv_rss_empty.xml")) == []


def test_rss_wrong_root_is_an_error():
    with pytest.raises(InputError, match="not an RSS feed"):
        parse_rss(sample("arxiv_api.atom.xml"))


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
@pytest.mark.parametrize("parser", [parse_atom, parse_rss])
def test_hostile_xml_is_refused_quickly(document, parser):
    started = time.monotonic()
    with pytest.raises(InputError, match=r"^refused unsafe XML \(DTDForbidden\)$"):
        parser(document)
    assert time.monotonic() - started < 1.0


def test_split_creators_handles_affiliations_with_commas_and_suffixes():
    assert split_creators(
        "A. One (Univ. X, Dept. Y), B. Two, C. Three, Jr., D. Four and E. Five"
    ) == [
        "A. One",
        "B. Two",
        "C. Three, Jr.",
        "D. Four",
        "E. Five",
    ]
    assert split_creators("") == []


def test_tex_to_unicode():
    assert tex_to_unicode("Fran\\c{c}a") == "França"
    assert tex_to_unicode("R\\'emy") == "Rémy"
    assert tex_to_unicode('G\\"{o}del') == "Gödel"
    assert tex_to_unicode("{\\O}ksendal") == "Øksendal"
    assert tex_to_unicode("Dvo\\v{r}\\'ak") == "Dvořák"
    assert tex_to_unicode("Plain Name") == "Plain Name"


def test_clean_abstract():
    assert clean_abstract("  One line\nwrapped.\n  Second paragraph\nhere.\n") == (
        "One line wrapped.\n\nSecond paragraph here."
    )
    assert clean_abstract("") == ""


def test_sniffers():
    for name in (
        "arxiv_api.atom.xml",
        "arxiv_api_legacy.atom.xml",
        "arxiv_api_legacy_doi.atom.xml",
    ):
        assert looks_like_atom(sample(name)), name
        assert not looks_like_rss(sample(name)), name
    for name in ("arxiv_rss.xml", "arxiv_rss_empty.xml"):
        assert looks_like_rss(sample(name)), name
        assert not looks_like_atom(sample(name)), name
    assert not looks_like_atom(sample("hf_daily_papers.json"))
    assert not looks_like_rss("<html><body>rss</body></html>")


# --- hostile values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stamp", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00", "2026-13-01T00:00:00Z"]
)
def test_atom_timestamp_that_names_no_real_instant_is_unknown(stamp):
    text = sample("arxiv_api.atom.xml")
    hostile = re.sub(r"<published>[^<]*</published>", f"<published>{stamp}</published>", text)
    assert hostile != text
    papers = parse_atom(hostile)
    assert papers and all(item.paper.published is None for item in papers)


@pytest.mark.parametrize(
    "stamp",
    [
        "Mon, 01 Jan 99999999999999999999 00:00:00 +0000",
        "Mon, 01 Jan 2026 99999999999999999999:00:00 +0000",
        "Thu, 31 Feb 2026 00:00:00 +9999",
        "Fri, 31 Dec 9999 23:59:59 -2359",
    ],
)
def test_rss_date_that_names_no_real_instant_is_unknown(stamp):
    text = sample("arxiv_rss.xml")
    hostile = re.sub(r"<pubDate>[^<]*</pubDate>", f"<pubDate>{stamp}</pubDate>", text)
    assert hostile != text
    papers = parse_rss(hostile)
    assert papers and all(item.paper.published is None for item in papers)


def test_text_with_lone_surrogates_is_refused_not_a_crash():
    # Only text decoded leniently (surrogateescape) can hold them; XML cannot carry them.
    text = sample("arxiv_api.atom.xml").replace("<title>", "<title>\udcff", 1)
    with pytest.raises(InputError, match="not valid XML"):
        parse_atom(text)
