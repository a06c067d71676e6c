"""The Markdown exporter, checked by rendering its output with a CommonMark parser."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from reader.export.markdown import escape_markdown, to_markdown
from reader.model import Entry, Paper, PaperState

TODAY = date(2026, 11, 21)
MD = MarkdownIt("commonmark")


def collapse(text: str) -> str:
    return " ".join(text.split())


def top_level(tokens: list[Token], tag: str) -> list[Token]:
    """The inline tokens of the headings `tag` that are not nested (say, inside a quote)."""
    return [
        tokens[index + 1]
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == tag and token.level == 0
    ]


def text_and_href(inline: Token) -> tuple[str, str | None]:
    """The literal text of an inline token and its link target; fails on any other markup."""
    children = list(inline.children or [])
    href = None
    if children and children[0].type == "link_open":
        assert children[-1].type == "link_close"
        href = children[0].attrGet("href")
        children = children[1:-1]
    assert [child.type for child in children] == ["text"] * len(children), children
    return "".join(child.content for child in children), href


def all_hrefs(tokens: list[Token]) -> list[str]:
    return [
        str(child.attrGet("href"))
        for token in tokens
        for child in token.children or []
        if child.type == "link_open"
    ]


def raw_html(tokens: list[Token]) -> list[Token]:
    inline = [child for token in tokens for child in token.children or []]
    return [token for token in [*tokens, *inline] if token.type.startswith("html")]


def entry(
    title: str = "A paper", note: str = "", tags: tuple[str, ...] = (), **fields: object
) -> Entry:
    paper = Paper(key=str(fields.get("arxiv_id") or "t-key"), title=title, **fields)  # type: ignore[arg-type]
    return Entry(paper=paper, state=PaperState(key=paper.key, starred=True, note=note, tags=tags))


def details(tokens: list[Token], heading_index: int = 0) -> str | None:
    """The text of the paragraph right after the `heading_index`-th paper heading, if any."""
    opens = [i for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    after = opens[heading_index] + 3  # heading_open, inline, heading_close
    if after >= len(tokens) or tokens[after].type != "paragraph_open":
        return None
    text, href = text_and_href(tokens[after + 1])
    assert href is None
    return text


HOSTILE_TITLES = [
    "*[x](javascript:alert(1))*",
    "_under_ and *star* and **bold** and __strong__",
    "[link](https://evil.example) and [ref][1]",
    "(parens) and ]brackets[ and {braces}",
    "`code` and ``double`` backticks",
    "# Not a heading",
    "#hashtag at the start",
    "<script>alert(1)</script>",
    "<https://autolink.example> and <a href='x'>a</a>",
    "a | b | c",
    "trailing backslash \\",
    "back\\slash \\* and \\\\",
    "1. Ordered start",
    "1) Other ordered start",
    "- Dash start",
    "+ Plus start",
    "> Quote start",
    "&amp; &copy; &#x41; & entities",
    "![img](https://example.org/y.png)",
    "~~strike~~ $math$ ==mark== %%comment%% ^ref",
    "Title ending with #",
    "Ends with ##",
    "---",
    "***",
    "=====",
    "    four-space indent",
    "Multi\nline\r\ntitle\twith tabs",
    "Ünïcødé 🚀 and \u2018quotes\u2019 — fine",
]


def test_document_has_heading_date_line_and_one_section_per_paper() -> None:
    entries = [
        entry("Attention Is All You Need", arxiv_id="1706.03762"),
        entry("Layer Normalization", arxiv_id="1607.06450"),
        entry("No id at all"),
    ]
    tokens = MD.parse(to_markdown(entries, today=TODAY))
    assert [text_and_href(h)[0] for h in top_level(tokens, "h1")] == ["Starred papers"]
    assert tokens[4].children is not None
    assert [child.type for child in tokens[4].children] == ["em_open", "text", "em_close"]
    assert tokens[4].children[1].content == "Exported 2026-11-21 · 3 papers"
    assert [text_and_href(h) for h in top_level(tokens, "h2")] == [
        ("Attention Is All You Need", "https://arxiv.org/abs/1706.03762"),
        ("Layer Normalization", "https://arxiv.org/abs/1607.06450"),
        ("No id at all", None),
    ]


def test_one_paper_is_counted_in_the_singular() -> None:
    rendered = MD.render(to_markdown([entry()], today=TODAY))
    assert "<em>Exported 2026-11-21 · 1 paper</em>" in rendered


def test_custom_title_is_escaped() -> None:
    markdown = to_markdown([entry()], title="My *reading* list [draft]", today=TODAY)
    (heading,) = top_level(MD.parse(markdown), "h1")
    assert text_and_href(heading) == ("My *reading* list [draft]", None)


def test_empty_export_says_so() -> None:
    markdown = to_markdown([], today=TODAY)
    assert markdown == "# Starred papers\n\n_No papers._\n"
    assert MD.render(markdown) == "<h1>Starred papers</h1>\n<p><em>No papers.</em></p>\n"


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_linked_title_renders_literally(title: str) -> None:
    tokens = MD.parse(to_markdown([entry(title, arxiv_id="2606.11409")], today=TODAY))
    (heading,) = top_level(tokens, "h2")
    assert text_and_href(heading) == (collapse(title), "https://arxiv.org/abs/2606.11409")
    assert all_hrefs(tokens) == ["https://arxiv.org/abs/2606.11409"]
    assert raw_html(tokens) == []
    assert len(top_level(tokens, "h1")) == 1


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_unlinked_title_renders_literally(title: str) -> None:
    markdown = to_markdown([entry(title)], today=TODAY)
    tokens = MD.parse(markdown)
    (heading,) = top_level(tokens, "h2")
    assert text_and_href(heading) == (collapse(title), None)
    assert all_hrefs(tokens) == []
    assert "<script" not in MD.render(markdown)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        "  javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example/protocol-relative",
        "https://",
        "not a url",
    ],
)
def test_only_http_urls_are_linked(url: str) -> None:
    unlinked = MD.parse(to_markdown([entry("T", url=url)], today=TODAY))
    assert all_hrefs(unlinked) == []
    assert text_and_href(top_level(unlinked, "h2")[0]) == ("T", None)
    # With an arXiv id the arXiv page is linked instead of the unsafe URL.
    fallback = MD.parse(to_markdown([entry("T", url=url, arxiv_id="2606.11409")], today=TODAY))
    assert all_hrefs(fallback) == ["https://arxiv.org/abs/2606.11409"]


def test_the_papers_own_url_is_linked_when_safe() -> None:
    url = "https://huggingface.co/papers/2606.11409"
    tokens = MD.parse(to_markdown([entry("T", url=url, arxiv_id="2606.11409")], today=TODAY))
    assert all_hrefs(tokens) == [url]


def test_urls_with_parentheses_and_spaces_are_encoded() -> None:
    url = "https://en.wikipedia.org/wiki/Transformer_(deep learning)"
    markdown = to_markdown([entry("T", url=url)], today=TODAY)
    tokens = MD.parse(markdown)
    assert all_hrefs(tokens) == ["https://en.wikipedia.org/wiki/Transformer_%28deep%20learning%29"]
    assert text_and_href(top_level(tokens, "h2")[0])[0] == "T"


@pytest.mark.parametrize(
    ("fields", "tags", "expected"),
    [
        (
            {"authors": ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit")},
            (),
            "Ashish Vaswani, Noam Shazeer, Niki Parmar, Jakob Uszkoreit",
        ),
        ({"organization": "Google DeepMind", "author_count": 9}, (), "Google DeepMind"),
        ({"author_count": 3}, (), "3 authors"),
        ({"author_count": 1}, (), "1 author"),
        ({"published": date(2026, 6, 9), "upvotes": 5}, (), "2026-06-09 · 5 upvotes"),
        ({"upvotes": 1}, (), "1 upvote"),
        ({"upvotes": 0}, (), "0 upvotes"),
        ({}, ("llm", "vision"), "#llm #vision"),
        ({}, ("*bold*", "[x](y)"), "#*bold* #[x](y)"),
        (
            {"authors": ("- Alice", "1. Bob", "> Carol", "*Dan*", "<b>Eve</b>", "# Fay")},
            (),
            "- Alice, 1. Bob, > Carol, *Dan*, <b>Eve</b>, # Fay",
        ),
        ({"organization": "---"}, (), "---"),
        (
            {
                "authors": ("A. Author",),
                "organization": "ignored when authors are known",
                "published": date(2024, 2, 29),
                "upvotes": 64,
            },
            ("to-read",),
            "A. Author · 2024-02-29 · 64 upvotes · #to-read",
        ),
    ],
)
def test_details_line(fields: dict[str, object], tags: tuple[str, ...], expected: str) -> None:
    tokens = MD.parse(to_markdown([entry("T", tags=tags, **fields)], today=TODAY))
    assert details(tokens) == expected
    assert raw_html(tokens) == []
    assert len(top_level(tokens, "h2")) == 1


def test_unknown_details_are_left_out() -> None:
    tokens = MD.parse(to_markdown([entry("First"), entry("Second")], today=TODAY))
    assert details(tokens, 0) is None
    assert details(tokens, 1) is None


def test_note_is_a_block_quote_of_the_users_own_markdown() -> None:
    note = (
        "\n\nThis is *important*.\r\nSee [the code](https://github.com/x/y).\n\n  \nSecond para\n\n"
    )
    markdown = to_markdown([entry("T", note=note)], today=TODAY)
    assert (
        "> This is *important*.\n> See [the code](https://github.com/x/y).\n>\n>\n> Second para"
        in (markdown)
    )
    tokens = MD.parse(markdown)
    start = next(i for i, t in enumerate(tokens) if t.type == "blockquote_open")
    end = next(i for i, t in enumerate(tokens) if t.type == "blockquote_close")
    quoted = [t for t in tokens[start:end] if t.type == "inline"]
    assert [t.content for t in quoted] == [
        "This is *important*.\nSee [the code](https://github.com/x/y).",
        "Second para",
    ]
    # Not escaped: the emphasis and the link are real Markdown.
    assert [c.type for c in quoted[0].children or []].count("em_open") == 1
    assert all_hrefs(tokens) == ["https://github.com/x/y"]


def test_note_cannot_escape_its_block_quote() -> None:
    note = "First\n\n## Fake paper\n\n---\n\n```\nunclosed fence"
    entries = [entry("Real one", note=note), entry("Real two")]
    tokens = MD.parse(to_markdown(entries, today=TODAY))
    assert [text_and_href(h)[0] for h in top_level(tokens, "h2")] == ["Real one", "Real two"]
    fake = [t for t in tokens if t.type == "heading_open" and t.level > 0]
    assert len(fake) == 1  # the note's heading, nested inside the quote
    assert [t.type for t in tokens].count("blockquote_open") == 1


def test_entries_without_notes_have_no_quote() -> None:
    tokens = MD.parse(to_markdown([entry("T", note="  \n\n ")], today=TODAY))
    assert "blockquote_open" not in [t.type for t in tokens]


def test_heading_count_matches_entries() -> None:
    entries = [entry(f"Paper {n}", note=f"note {n}") for n in range(7)]
    markdown = to_markdown(entries, today=TODAY)
    tokens = MD.parse(markdown)
    assert len(top_level(tokens, "h2")) == 7
    assert [t.type for t in tokens].count("blockquote_open") == 7
    assert "Exported 2026-11-21 · 7 papers" in markdown


def test_escape_markdown_escapes_every_special_character() -> None:
    special = "\\`*_{}[]()#+-.!|<>~&$=%^"
    escaped = escape_markdown(special)
    assert escaped == "".join("\\" + char for char in special)
    assert text_and_href(MD.parse(escaped)[1]) == (special, None)


def test_escape_markdown_keeps_plain_text_and_collapses_whitespace() -> None:
    assert escape_markdown("Plain words, commas; colons: 'quotes' \"too\"") == (
        "Plain words, commas; colons: 'quotes' \"too\""
    )
    assert escape_markdown("  two\n\nlines\t\u2028and\u00a0more  ") == "two lines and more"


def test_escape_markdown_drops_control_characters() -> None:
    assert escape_markdown("nul\x00 bell\x07 esc\x1b[31m") == "nul bell esc\\[31m"


def test_output_is_always_encodable() -> None:
    markdown = to_markdown([entry("lone \ud800 surrogate", note="also \udfff here")], today=TODAY)
    markdown.encode("utf-8")
    assert "lone \ufffd surrogate" in markdown


# Text without control characters (which are dropped on purpose), plus explicit whitespace so
# that collapsing is exercised, and the characters Markdown treats specially.
_title_chars = st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from(
    list(" \t\n\r\u2028\u00a0\\`*_{}[]()#+-.!|<>~&$=%^:;'\"/@")
)
titles = st.text(_title_chars, min_size=1, max_size=60)


@given(titles)
def test_any_linked_title_renders_as_itself(title: str) -> None:
    assume(collapse(title))
    tokens = MD.parse(to_markdown([entry(title, arxiv_id="2606.11409")], today=TODAY))
    (heading,) = top_level(tokens, "h2")
    assert text_and_href(heading) == (collapse(title), "https://arxiv.org/abs/2606.11409")


@given(titles)
def test_any_unlinked_title_renders_as_itself(title: str) -> None:
    assume(collapse(title))
    tokens = MD.parse(to_markdown([entry(title)], today=TODAY))
    (heading,) = top_level(tokens, "h2")
    assert text_and_href(heading) == (collapse(title), None)


@given(titles)
def test_any_author_name_renders_as_itself(name: str) -> None:
    assume(collapse(name))
    tokens = MD.parse(to_markdown([entry("T", authors=(name,))], today=TODAY))
    assert details(tokens) == collapse(name)
    assert len(top_level(tokens, "h2")) == 1


def test_core_modules_do_not_import_textual() -> None:
    code = (
        "import sys, reader.export, reader.serialize, reader.sources.jsonl; "
        "sys.exit('textual' in sys.modules)"
    )
    project = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=project, check=False).returncode == 0
