"""The commands on the papers of a library: import, list, show, mark, note, tag, export,
stats."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from reader.commands.terminal import (
    import_progress,
    print_json,
    progress_printer,
    say_ranking_problem,
    say_waiting,
    terminal_width,
)
from reader.errors import ReaderError, UnknownFormatError
from reader.text import one_line, plural

if TYPE_CHECKING:
    from reader.library import Library


def import_papers(library: Library, args: argparse.Namespace) -> int:
    from reader import importing
    from reader.matching import import_filter

    if not args.files and not args.sample:
        raise ReaderError("name at least one FILE (or - for standard input, or --sample)")
    # Parsed as any query is, so that saved:NAME works here too.
    keep = import_filter(library.parse(args.filter)) if args.filter is not None else None
    # Every input is read and parsed before anything is written (the snapshot, too large
    # for that, is read inside the import's one transaction): a bad file changes nothing.
    try:
        imported = importing.import_files(
            library,
            args.files,
            args.format,
            year=args.year,
            keep=keep,
            samples=args.sample,
            progress=import_progress(),
            fetched=progress_printer(),
            waiting=say_waiting,
        )
    except UnknownFormatError as error:
        raise ReaderError(f"{error}; use --format to force one") from None
    result = imported.result
    if args.verbose:
        for line in imported.report.details():
            print(line, file=sys.stderr)
    print(f"Imported {plural(result.papers, 'paper')}: {result.summary()}.")
    say_ranking_problem(library)
    return 0


def list_papers(library: Library, args: argparse.Namespace) -> int:
    from reader.query import choose_sort
    from reader.render import json_text, listed_rows
    from reader.serialize import entry_to_dict

    query = library.parse(" ".join(args.query))
    sort = choose_sort(query, args.sort)
    limit = None if args.limit is None else max(args.limit, 0)
    # Only the first `limit` are read, unless the end of the order comes first.
    first = None if args.reverse else limit
    if sort == "relevance" and not library.ranking.labels().positive:
        print(f"reader: {library.relevance_note()}", file=sys.stderr)
    if args.json:
        entries = _reversed(library.entries(query, sort, first), args.reverse, limit)
        items = [entry_to_dict(entry) for entry in entries]
        if sort == "relevance":
            _explain(library, items)
        print(json_text(items))
        return 0
    # Only what the lines show is read (at a million papers a word can list tens of
    # thousands), and the lines go out in one write: the output layer sanitizes each
    # write, and a write per line was a good part of the time.
    listed = _reversed(library.listing(query, sort, first), args.reverse, limit)
    rows = listed_rows(listed, terminal_width())
    if rows:
        print("\n".join(rows))
    print(f"{len(listed):,} of {plural(len(library), 'paper')}", file=sys.stderr)
    return 0


T = TypeVar("T")


def _reversed(items: list[T], reverse: bool, limit: int | None) -> list[T]:
    """`items` (the whole order when `reverse`) reversed if asked, then the first `limit`."""
    if reverse:
        items.reverse()
        return items if limit is None else items[:limit]
    return items


def _explain(library: Library, items: list[dict[str, object]]) -> None:
    """Add each paper's relevance `score` and `because` (the liked paper it is most like)."""
    keys = [str(item["key"]) for item in items]
    scores = library.scores(keys)
    reasons = library.reasons(keys)
    for item in items:
        key = str(item["key"])
        score = scores.get(key)
        item["score"] = None if score is None else round(score, 6)
        reason = reasons.get(key)
        item["because"] = None
        if reason is not None:
            item["because"] = {"key": reason.key, "title": reason.title, "why": reason.why}


def show(library: Library, args: argparse.Namespace) -> int:
    from reader.render import show

    entry = library.entry(library.resolve(args.key))
    conflicts = library.note_conflicts(entry.key)
    if args.json:
        from reader.serialize import entry_to_dict

        copies = [{"note": c.note, "device": c.device, "at": c.at} for c in conflicts]
        print_json({"paper": entry_to_dict(entry), "note_conflicts": copies})
        return 0
    print(show(entry, min(terminal_width() or 80, 100)))
    for copy in conflicts:
        # Notes of two devices changed at once (`reader sync`): the other one, kept.
        print(f"\nConflict copy of the note (from {copy.device}, {copy.at}):")
        print("\n".join("  " + line for line in copy.note.splitlines()))
    return 0


def mark(library: Library, args: argparse.Namespace) -> int:
    if args.read is None and args.star is None and args.dismiss is None:
        raise ReaderError(
            "say what to mark: --read, --unread, --star, --unstar, --dismiss or --undismiss"
        )
    if args.dismiss and args.read is False:
        raise ReaderError("--dismiss marks papers read: it cannot go with --unread")
    query = None if args.query is None else library.parse(args.query)
    if args.all:
        # Only with nothing that would narrow it, so that --all never hides a typo.
        if args.keys or (query is not None and not query.matches_everything):
            raise ReaderError("--all marks every paper: give it without KEY or a narrowing --query")
        keys = library.keys()
    else:
        keys = [library.resolve(key) for key in args.keys]
        if query is not None:
            # `--query ""` (or "-", "*", "&"...) would mark the whole library: a slip
            # of the shell more often than a wish.
            if query.matches_everything:
                raise ReaderError("the query matches every paper; add --all to mark them all")
            keys.extend(library.keys(query))
            if not keys:
                raise ReaderError("no paper matches the --query; nothing marked")
        if not keys:
            raise ReaderError("name at least one KEY (or --query QUERY, or --all)")
    changed: set[str] = set()
    if args.read is not None:
        changed.update(library.set_read(keys, args.read).keys)
    if args.star is not None:
        changed.update(library.set_starred(keys, args.star).keys)
    if args.dismiss is not None:
        for change in library.set_dismissed(keys, args.dismiss):
            changed.update(change.keys)
    what = ", ".join(
        word
        for word, value in (
            ("read" if args.read else "unread", args.read),
            ("starred" if args.star else "unstarred", args.star),
            ("dismissed" if args.dismiss else "undismissed", args.dismiss),
        )
        if value is not None
    )
    print(f"Marked {plural(len(set(keys)), 'paper')} {what} ({len(changed)} changed).")
    return 0


def note(library: Library, args: argparse.Namespace) -> int:
    from reader.errors import InputError
    from reader.fileio import read_text_input

    key = library.resolve(args.key)
    text = args.text
    if text == "-":
        # Strict UTF-8, and never empty: `cat missing | reader note KEY -` must not
        # erase the note. `reader note KEY ""` is the way to remove it.
        try:
            if sys.stdin is None:  # Python's stand-in when file descriptor 0 is closed
                raise InputError("there is no standard input")
            text = read_text_input("-")
        except InputError as error:
            raise InputError(f"{error}; the note of {key} is unchanged") from None
    text = text.strip("\n")
    library.set_note(key, text)
    print(f"Note {'saved' if text.strip() else 'removed'} for {key}.")
    return 0


def tag(library: Library, args: argparse.Namespace) -> int:
    from reader.library.library import clean_tags, with_tags
    from reader.query import normalize_tag

    key = library.resolve(args.key)
    current = library.state_of(key).tags
    if args.tags and not args.remove:
        # Added under the lock to the tags as on disk, each kept as it is.
        library.add_tags([key], args.tags)
        current = library.state_of(key).tags
    elif args.tags or args.remove:
        dropped = {normalize_tag(tag) for tag in clean_tags(args.remove)}
        tags = with_tags(current, clean_tags(args.tags))
        library.set_tags(key, [tag for tag in tags if normalize_tag(tag) not in dropped])
        current = library.state_of(key).tags
    print(f"{one_line(key)}: " + (" ".join(f"#{one_line(tag)}" for tag in current) or "no tags"))
    return 0


def export(library: Library, args: argparse.Namespace) -> int:
    from reader import export
    from reader.fileio import write_text_atomic
    from reader.query import choose_sort

    if args.all and args.query:
        raise ReaderError("give either a QUERY or --all, not both")
    query = "" if args.all else (" ".join(args.query) if args.query else "is:starred")
    if args.output is not None and not args.output:
        raise ReaderError("-o/--output needs a file name")
    # Without --format, the file name says it (papers.bib is BibTeX); else Markdown.
    chosen = export.FORMATS.get(args.format or "") or (
        export.for_suffix(args.output or "") or export.FORMATS["markdown"]
    )
    entries = library.entries(query, choose_sort(library.parse(query), args.sort))
    if args.reverse:
        entries.reverse()
    default_title = "Starred papers" if query == "is:starred" else "Papers"
    text = chosen.render(entries, title=args.title or default_title)
    if args.output is not None:
        write_text_atomic(Path(args.output), text, force=args.force)
        print(
            f"Exported {plural(len(entries), 'paper')} to {args.output} ({chosen.label}).",
            file=sys.stderr,
        )
    else:
        print(text, end="")  # unlike sys.stdout.write, fine with a closed stdout (None)
    return 0


def stats(library: Library, args: argparse.Namespace) -> int:
    stats = library.stats()
    papers = stats.papers
    first, last = papers.first_date, papers.last_date
    sources = papers.sources
    if args.json:
        from dataclasses import asdict

        mine = {name: value for name, value in asdict(stats).items() if name != "papers"}
        print_json({"library": str(library.folder), **asdict(papers), **mine})
        return 0
    lines = [
        f"Library:  {library.folder}",
        f"Papers:   {papers.papers} ({papers.with_arxiv_id} with an arXiv id,"
        f" {papers.with_date} with a date" + (f", {first} to {last})" if first else ")"),
        f"Read:     {stats.read}",
        f"Starred:  {stats.starred}",
        f"Notes:    {stats.notes}",
        f"Tagged:   {plural(stats.tagged, 'paper')}, {stats.tags} distinct tags",
        "Sources:  "
        + (
            ", ".join(f"{one_line(name) or 'unknown'} {count}" for name, count in sources.items())
            or "none"
        ),
    ]
    print("\n".join(lines))
    return 0
