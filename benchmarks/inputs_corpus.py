"""Seeded generators of real-shaped inputs: a large BibTeX file and the arXiv snapshot.

BibTeX (`generate_bibtex`): a mix of the entry shapes real files hold, in the proportions
of a thesis bibliography exported from NASA ADS, DBLP, arXiv and Zotero:

- ADS (`@ARTICLE{2016PhRvL.116f1102A,` with right-aligned field names, `{Last}, F.~M.`
  author lists that run to hundreds of names for collaborations, journal macros such as
  `\\apj`, quoted-braced titles, `keywords`, `doi`, `eprint`, `primaryClass`, `adsurl`);
- DBLP (`@inproceedings{DBLP:conf/...`, `{BERT:}` braced acronyms, `url` with `\\_`);
- arXiv's own export (`@misc{...`, six-space indentation, `eprint`, `primaryClass`);
- Zotero (`@article{...`, tab indentation, an `abstract`, `doi`, `{\\"u}` accents).

The snapshot (`generate_snapshot`): the JSON Lines of Kaggle's `arxiv-metadata-oai-snapshot
.json`, field for field in its order (`id`, `submitter`, `authors`, `title`, `comments`,
`journal-ref`, `doi`, `report-no`, `categories`, `license`, `abstract`, `versions`,
`update_date`, `authors_parsed`), with its quirks: titles and abstracts hard-wrapped with
`\\n  `, abstracts starting with two spaces, TeX accents in `authors`, `null` for unknowns.

Words come from the benchmark's vocabulary; the same seed always gives the same text.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

from benchmarks import vocabulary

_LAST_NAMES = (
    "Abbott",
    'M{\\"u}ller',
    "Garc{\\'\\i}a",
    "Fran{\\c{c}}ois",
    "Smith",
    "Zhang",
    "van der Berg",
    "Nakamura",
    "Ko{\\v{s}}ir",
    "Erd{\\H{o}}s",
    "Lee",
    "O'Brien",
    'Schr{\\"o}dinger',
    "Kowalski",
    "Dubois",
    "Rossi",
    "Chen",
    "Patel",
    "Ivanov",
    "Wang",
)
_FIRST_NAMES = ("B.~P.", "R.", "T.~D.", "Yann", "J.", "Ana", "Wei", "K.", "Maria", "S.")
_JOURNALS = ("\\apj", "\\mnras", "\\aap", "\\prl", "Nature", "\\prd", "\\aj")
_CATEGORIES = ("astro-ph.GA", "astro-ph.CO", "gr-qc", "cs.LG", "cs.CL", "stat.ML", "hep-th")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _words(rng: random.Random, count: int) -> str:
    words = vocabulary.ML_WORDS + vocabulary.FUNCTION_WORDS
    return " ".join(words[int(rng.paretovariate(1.2)) % len(words)] for _ in range(count))


def _title(rng: random.Random, number: int) -> str:
    text = _words(rng, rng.randint(6, 12)).capitalize()
    # Every title unique, as in a real bibliography.
    return f"{text} {number}"


def _authors(rng: random.Random, count: int) -> str:
    names = []
    for _ in range(count):
        names.append(f"{{{rng.choice(_LAST_NAMES)}}}, {rng.choice(_FIRST_NAMES)}")
    return " and ".join(names)


def _ads(rng: random.Random, number: int) -> str:
    year = rng.randint(1995, 2025)
    arxiv = f"{year % 100:02d}{rng.randint(1, 12):02d}.{rng.randint(1, 29999):05d}"
    # Collaborations put hundreds of names on one paper; most papers have a few.
    count = rng.choice((1, 2, 3, 4, 5, 6, 8, 12, 25, 120))
    lines = [
        f"@ARTICLE{{{year}ApJ...{number:03d}..{rng.randint(1, 999)}X,",
        f"       author = {{{_authors(rng, count)}}},",
        f'        title = "{{{_title(rng, number)} with $z\\sim {rng.randint(1, 9)}$}}",',
        f"      journal = {{{rng.choice(_JOURNALS)}}},",
        "     keywords = {Astrophysics - Astrophysics of Galaxies, galaxies: evolution},",
        f"         year = {year},",
        f"        month = {rng.choice(_MONTHS)},",
        f"       volume = {{{rng.randint(1, 999)}}},",
        f"        pages = {{{rng.randint(1, 900)}--{rng.randint(901, 999)}}},",
        f"          doi = {{10.3847/1538-4357/ab{number:04x}}},",
        "archivePrefix = {arXiv},",
        f"       eprint = {{{arxiv}}},",
        f" primaryClass = {{{rng.choice(_CATEGORIES)}}},",
        f"       adsurl = {{https://ui.adsabs.harvard.edu/abs/{year}ApJ...{number}X}},",
        "      adsnote = {Provided by the SAO/NASA Astrophysics Data System}",
        "}",
    ]
    return "\n".join(lines)


def _dblp(rng: random.Random, number: int) -> str:
    year = rng.randint(2010, 2025)
    authors = " and\n                  ".join(
        f"{rng.choice(_FIRST_NAMES).replace('~', ' ')} {rng.choice(('Devlin', 'Chang', 'Lee'))}"
        for _ in range(rng.randint(1, 6))
    )
    title = _title(rng, number)
    return "\n".join(
        [
            f"@inproceedings{{DBLP:conf/acl/Paper{number}{year},",
            f"  author       = {{{authors}}},",
            f"  title        = {{{{BERT:}} {title}}},",
            f"  booktitle    = {{Proceedings of {{ACL}} {year}}},",
            f"  pages        = {{{rng.randint(1, 4000)}--{rng.randint(4001, 5000)}}},",
            "  publisher    = {Association for Computational Linguistics},",
            f"  year         = {{{year}}},",
            f"  url          = {{https://aclanthology.org/{year}.acl\\_main.{number}}},",
            f"  doi          = {{10.18653/v1/{year}.acl-main.{number}}},",
            f"  biburl       = {{https://dblp.org/rec/conf/acl/Paper{number}.bib}},",
            "  bibsource    = {dblp computer science bibliography, https://dblp.org}",
            "}",
        ]
    )


def _arxiv(rng: random.Random, number: int) -> str:
    year = rng.randint(2018, 2025)
    arxiv = f"{year % 100:02d}{rng.randint(1, 12):02d}.{rng.randint(1, 29999):05d}"
    authors = " and ".join(
        f"{rng.choice(('Ashish', 'Noam', 'Lucas'))} {rng.choice(('Vaswani', 'Beyer', 'Ba'))}"
        for _ in range(rng.randint(1, 8))
    )
    return "\n".join(
        [
            f"@misc{{paper{number}{year},",
            f"      title={{{_title(rng, number)}}}, ",
            f"      author={{{authors}}},",
            f"      year={{{year}}},",
            f"      eprint={{{arxiv}}},",
            "      archivePrefix={arXiv},",
            f"      primaryClass={{{rng.choice(_CATEGORIES)}}},",
            f"      url={{https://arxiv.org/abs/{arxiv}}}, ",
            "}",
        ]
    )


def _zotero(rng: random.Random, number: int) -> str:
    year = rng.randint(2000, 2025)
    authors = " and ".join(
        f"{rng.choice(_LAST_NAMES)}, {rng.choice(_FIRST_NAMES)}" for _ in range(rng.randint(1, 5))
    )
    abstract = _words(rng, rng.randint(120, 220)).capitalize() + "."
    return "\n".join(
        [
            f"@article{{zotero_{number}_{year},",
            f"\ttitle = {{{_title(rng, number)}}},",
            f"\tvolume = {{{rng.randint(1, 60)}}},",
            f"\tdoi = {{10.1038/s41586-{year}-{number:05d}-x}},",
            f"\tabstract = {{{abstract}}},",
            "\tjournal = {Nature},",
            f"\tauthor = {{{authors}}},",
            f"\tmonth = {rng.choice(_MONTHS)},",
            f"\tyear = {{{year}}},",
            f"\tpages = {{{rng.randint(1, 500)}--{rng.randint(501, 999)}}},",
            "}",
        ]
    )


_SHAPES = (_ads, _ads, _ads, _dblp, _arxiv, _zotero)


def generate_bibtex(entries: int, seed: int = 0) -> str:
    """A BibTeX file of `entries` entries of the real shapes above, with a comment header."""
    rng = random.Random(seed)
    header = "% Encoding: UTF-8\n% exported bibliography\n\n"
    blocks = [rng.choice(_SHAPES)(rng, number) for number in range(entries)]
    return header + "\n\n".join(blocks) + "\n"


# --- the arXiv metadata snapshot -------------------------------------------------------


_SNAPSHOT_NAMES = (
    ("Bal\\'azs", "Balázs"),
    ("Berger", "Berger"),
    ('M\\"uller', "Müller"),
    ("Yuan", "Yuan"),
)
"""Last names as `authors` writes them (TeX) and as `authors_parsed` does (letters)."""


def _wrap(text: str, width: int = 80) -> str:
    """arXiv's hard wrap: lines of at most `width`, continued with a newline."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return "\n".join(lines)


def snapshot_id(number: int) -> str:
    """The arXiv id of the `number`th record: months spread over 2007-2024 (so rows land at
    scattered places in the catalog's key index), unique for the first 3.6 million
    records (the real file has 2.7 million): the month follows `number % 36`, the serial
    number `number // 36`."""
    year = 2007 + number % 18
    month = 1 + number % 12
    return f"{year % 100:02d}{month:02d}.{number // 36:05d}"


def snapshot_record(rng: random.Random, number: int) -> dict[str, object]:
    """One record of the snapshot, fields in the file's order."""
    year = 2007 + number % 18
    month = 1 + number % 12
    arxiv = snapshot_id(number)
    # `authors` keeps TeX accents, `authors_parsed` has the letters, as in the real file.
    names = [rng.choice(_SNAPSHOT_NAMES) for _ in range(rng.randint(1, 6))]
    categories = " ".join(rng.sample(_CATEGORIES, rng.randint(1, 3)))
    title = _title(rng, number)
    abstract = _words(rng, rng.randint(120, 220)).capitalize() + "."
    return {
        "id": arxiv,
        "submitter": "Pavel Nadolsky",
        "authors": ", ".join(f"C. {tex}" for tex, _ in names),
        "title": _wrap(title, 70).replace("\n", "\n  "),
        "comments": f"{rng.randint(4, 40)} pages, {rng.randint(1, 12)} figures",
        "journal-ref": None if number % 3 else "Phys.Rev.D76:013009,2007",
        "doi": None if number % 3 else f"10.1103/PhysRevD.{number}",
        "report-no": None,
        "categories": categories,
        "license": "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
        "abstract": "  " + _wrap(abstract) + "\n",
        "versions": [
            {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
            {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"},
        ],
        "update_date": f"{year}-{month:02d}-13",
        "authors_parsed": [[last, "C.", ""] for _, last in names],
    }


def snapshot_lines(count: int, seed: int = 0) -> Iterator[str]:
    """The snapshot's lines (without newlines), as the file writes them: compact JSON."""
    rng = random.Random(seed)
    for number in range(count):
        yield json.dumps(snapshot_record(rng, number), separators=(",", ":"))


def write_snapshot(path: Path, count: int, seed: int = 0) -> Path:
    """Write `count` snapshot records to `path`, streaming; returns `path`."""
    with path.open("w", encoding="utf-8") as file:
        for line in snapshot_lines(count, seed):
            file.write(line + "\n")
    return path
