"""TeX in metadata, as Unicode: one decoding for BibTeX, arXiv's feeds and its snapshot.

Two levels, because the inputs differ:

- `latex_to_text` reads a BibTeX value as LaTeX: braces go, `~` is a space, `--` a dash,
  ``` ``quotes'' ``` curly, `\\&` an ampersand, accents letters; math (`$...$`) stays as
  written. pylatexenc does the general case; the common constructs (which are nearly all
  of a real file: braces, accents, `~`, escapes, inline math) are decoded here directly,
  with the same result (a property test compares the two), about a hundred times faster:
  a bibliography of a thousand entries with collaboration author lists took seconds.
- `decode_accents` is for text that is not LaTeX but keeps TeX accents, as arXiv's feeds,
  mails and snapshot do in titles, abstracts and names (`Schr\\"odinger`, `Erd\\H{o}s`):
  accents and special letters become letters, exactly as `latex_to_text` decodes them,
  and everything else (math, `~`, `--`, braces that are not around a letter) stays.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text

# pylatexenc logs a warning for every macro it cannot read; the text is still decoded,
# and the raw log would garble the CLI's one-line output and the app's screen.
logging.getLogger("pylatexenc").addHandler(logging.NullHandler())
logging.getLogger("pylatexenc").propagate = False

# Only strings holding one of these can change when LaTeX-decoded (ligatures `--` and `''`,
# `~` as a non-breaking space, `!``/`?``): the rest skip the decoder.
LATEX_SYNTAX = re.compile(r"[\\{}~%$`&]|--|''")
# A raw `&` or `%` in a BibTeX value is almost always meant literally ("R&D", "100%"), but
# LaTeX reads them as an alignment tab and a comment that eats the rest of the line.
_BARE_SPECIAL = re.compile(r"(?<!\\)([&%])")

COMBINING = {
    "`": "\u0300",
    "'": "\u0301",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    "u": "\u0306",
    ".": "\u0307",
    '"': "\u0308",
    "r": "\u030a",
    "H": "\u030b",
    "v": "\u030c",
    "d": "\u0323",
    "c": "\u0327",
    "k": "\u0328",
    "b": "\u0331",
}
"""Each TeX accent command and the combining character it puts on its letter."""
LETTERS = {
    "ss": "ß",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "i": "\u0131",
    "j": "\u0237",
}
"""TeX's special letters (`\\ss`, `\\o`, ...) and the letters they stand for."""

# The letter an accent takes: a letter, or a dotless i/j (`\'\i`).
_BASE = r"[A-Za-z]|\\[ij](?![^\W\d_])"
_TOKEN = re.compile(
    r"""
    (?P<math>\$(?!\$)[^$\\]*(?:\\[A-Za-z]+[^$\\]*)*\$(?!\$))
  | \\(?P<symbol>['"^`~=.])\s*(?:\{\s*(?:(?P<sb>"""
    + _BASE
    + r""")\s*)?\}|(?P<sl>"""
    + _BASE
    + r"""))
  | \\(?P<named>[uvHckrdb])(?:\s*\{\s*(?:(?P<nb>"""
    + _BASE
    + r""")\s*)?\}|\s+(?P<nl>"""
    + _BASE
    + r"""))
  | \\(?P<letter>ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![^\W\d_])(?P<closed>\{\})?
  | \\(?P<escaped>[&%$\#_{}])
  | (?P<brace>[{}])
  | (?P<dash>---?)
  | (?P<quote>``|'')
  | (?P<tilde>~)
  | (?P<other>[\\$`%&])
    """,
    re.VERBOSE,
)
_SPACE_AFTER = re.compile(r"\s*")
_TEXT_MACRO_IN_MATH = re.compile(r"\\(?:[uvHckrdbtijoOlL]|ss|ae|AE|oe|OE|aa|AA|url)(?![A-Za-z])")
_BEYOND_BRACES = re.compile(r"[\\%$`&']|--")
_BRACES_AND_TIES = str.maketrans({"{": None, "}": None, "~": " "})
_PUNCTUATION = {"---": "\u2014", "--": "\u2013", "``": "\u201c", "''": "\u201d"}


def latex_to_text(value: str) -> str:
    """A BibTeX text value as Unicode on one line: LaTeX decoded, whitespace collapsed.

    Undecodable LaTeX (rare) is kept as written, without its braces.
    """
    if LATEX_SYNTAX.search(value):
        if not _BEYOND_BRACES.search(value):
            # Only braces and ties ("{Abbott}, B.~P."): the most common case by far.
            return " ".join(value.translate(_BRACES_AND_TIES).split())
        escaped = _BARE_SPECIAL.sub(r"\\\1", value)
        decoded = _fast(escaped)
        if decoded is None:
            try:
                decoded = _decoder().latex_to_text(escaped)
            except Exception:  # pylatexenc raises many types
                # Better shown raw than not imported at all.
                decoded = value.replace("{", "").replace("}", "")
        value = decoded
    return " ".join(value.split())


def _fast(text: str) -> str | None:
    """`text` decoded as pylatexenc would, or None when it holds anything beyond the
    common constructs (another macro, display math, `!``), which pylatexenc then reads."""
    if "!`" in text or "?`" in text:
        return None
    parts: list[str] = []
    position = 0
    length = len(text)
    while position < length:
        match = _TOKEN.search(text, position)
        if match is None:
            parts.append(text[position:])
            break
        parts.append(text[position : match.start()])
        position = match.end()
        kind = match.lastgroup
        if match.group("math") is not None:
            if _TEXT_MACRO_IN_MATH.search(match.group("math")):
                return None  # pylatexenc reads text accents in math its own way
            parts.append(match.group("math"))
        elif match.group("symbol") is not None or match.group("named") is not None:
            command = match.group("symbol") or match.group("named")
            base = match.group("sb") or match.group("sl") or match.group("nb") or match.group("nl")
            if base:
                parts.append(_accented(command, base))
                if base.startswith("\\") and not (match.group("sb") or match.group("nb")):
                    position = _SPACE_AFTER.match(text, position).end()  # type: ignore[union-attr]
        elif match.group("letter") is not None:
            parts.append(LETTERS[match.group("letter")])
            if match.group("closed") is None:
                # A control word eats the spaces after it: `\ss x` is "ßx".
                position = _SPACE_AFTER.match(text, position).end()  # type: ignore[union-attr]
        elif match.group("escaped") is not None:
            parts.append(match.group("escaped"))
        elif kind == "brace":
            continue
        elif kind == "dash" or kind == "quote":
            parts.append(_PUNCTUATION[match.group()])
        elif kind == "tilde":
            parts.append("\u00a0")
        else:
            return None
    return "".join(parts)


def _accented(command: str, base: str) -> str:
    """The letter `base` (or `\\i`, `\\j`) with the accent of TeX command `command`."""
    # An accent on a dotless i or j (`\\"{\\i}`) gives the ordinary accented letter.
    letter = base[1:] if base.startswith("\\") else base
    return unicodedata.normalize("NFC", letter + COMBINING[command])


# Accents as arXiv keeps them in plain text: `\"o`, `\'{e}`, `{\'e}`, `\H{o}`, `{\o}`.
# A control word (`\o`, `\i`) eats the spaces after it, as in TeX.
_ACCENT = re.compile(
    r"(?P<open>\{)?\\(?:(?P<symbol>['\"^`~=.])\s*(?:\{\s*(?P<sb>"
    + _BASE
    + r")\s*\}|(?P<sl>"
    + _BASE
    + r")(?:(?<=\\[ij])\s*)?)|(?P<named>[uvHckrdb])(?:\s*\{\s*(?P<nb>"
    + _BASE
    + r")\s*\}|\s+(?P<nl>"
    + _BASE
    + r")(?:(?<=\\[ij])\s*)?)|(?P<letter>ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![^\W\d_])"
    r"(?:\{\}|\s*))(?P<close>\})?"
)
_MATH = re.compile(r"\$[^$]*\$")


def decode_accents(text: str) -> str:
    r"""`text` with its TeX accents and special letters as Unicode letters, outside math.

    `Schr\"odinger`, `Erd\H{o}s`, `R\'{e}nyi`, `{\o}` and `Fran\c{c}a` become
    "Schrödinger", "Erdős", "Rényi", "ø" and "França", the letters `latex_to_text` gives;
    a brace pair around the accented letter goes with it. Anything else stays as it is.
    """
    if "\\" not in text:
        return text
    pieces: list[str] = []
    position = 0
    for math in _MATH.finditer(text):
        pieces.append(_ACCENT.sub(_accent_letter, text[position : math.start()]))
        pieces.append(math.group())
        position = math.end()
    pieces.append(_ACCENT.sub(_accent_letter, text[position:]))
    return "".join(pieces)


def _accent_letter(match: re.Match[str]) -> str:
    if match.group("letter") is not None:
        letter = LETTERS[match.group("letter")]
    else:
        command = match.group("symbol") or match.group("named")
        base = match.group("sb") or match.group("sl") or match.group("nb") or match.group("nl")
        letter = _accented(command, base)
    opened, closed = match.group("open") is not None, match.group("close") is not None
    if opened == closed:
        return letter  # `{\'e}` or `\'e`: the braces only held the letter
    return "{" + letter if opened else letter + "}"


@cache
def _decoder() -> LatexNodes2Text:
    """The LaTeX-to-Unicode decoder, built once on first use.

    It is bibtexparser's `LatexDecodingMiddleware` setup (math kept verbatim, `\\url{x}` as
    x), plus the text-mode macros `reader.export.bibtex` writes for characters that have no
    other escape that keeps braces balanced or survives decoding.
    """
    from pylatexenc import latex2text
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec

    context = latex2text.get_default_latex_context_db()
    context.add_context_category(
        "reader-bibtex",
        prepend=True,
        macros=[
            MacroTextSpec("url", simplify_repl="%s"),
            MacroTextSpec("textbraceleft", simplify_repl="{"),
            MacroTextSpec("textbraceright", simplify_repl="}"),
            MacroTextSpec("textasciicircum", simplify_repl="^"),
            MacroTextSpec("textasciitilde", simplify_repl="~"),
            MacroTextSpec("textbackslash", simplify_repl="\\"),
        ],
    )
    return LatexNodes2Text(latex_context=context, keep_braced_groups=False, math_mode="verbatim")


def slow_latex_to_text(value: str) -> str:
    """`latex_to_text` through pylatexenc alone (for tests comparing the two)."""
    escaped = _BARE_SPECIAL.sub(r"\\\1", value)
    return " ".join(_decoder().latex_to_text(escaped).split())
