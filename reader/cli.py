"""The `reader` command: parse arguments, call the core, print. Nothing more.

Only the commands that open the TUI import Textual, so `reader list` starts fast.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from reader import __version__, output
from reader.errors import ReaderError
from reader.query import SORTS
from reader.text import one_line, plural

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO

    from reader.library import Library


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; `--library` is accepted before or after the subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--library",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the library folder (default: $READER_HOME, else the user data folder)",
    )
    parser = argparse.ArgumentParser(
        prog="reader",
        parents=[common],
        description="Triage the flood of new research papers. Without a command, opens the app.",
        epilog="Run `reader COMMAND --help` for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, parents=[common], help=help_text, description=help_text)

    from reader.export import FORMATS as EXPORT_FORMATS
    from reader.sources.detect import FORMAT_LIST, FORMATS

    sub = commands.add_parser(
        "import",
        parents=[common],
        help="import papers from files or standard input (-)",
        description="Import papers from files or standard input (-). The format is detected"
        " from the content: " + "; ".join(f"{fmt.label} ({fmt.name})" for fmt in FORMAT_LIST) + ".",
    )
    sub.add_argument("files", nargs="*", metavar="FILE", help="files to import; - for stdin")
    sub.add_argument("--format", choices=FORMATS, default="auto", help="force the input format")
    sub.add_argument("--year", type=int, help="the year a copied page was captured in")
    sub.add_argument("--sample", action="store_true", help="import the bundled sample papers")
    sub.add_argument(
        "--filter",
        metavar="QUERY",
        help="import only the papers matching QUERY, e.g. 'cat:cs.*' (the query syntax)",
    )
    sub.add_argument(
        "--verbose", action="store_true", help="list every line of a page that was skipped"
    )

    sub = command("list", "list the papers matching a query")
    sub.add_argument("query", nargs="*", help="a filter query (see README: Query syntax)")
    sub.add_argument("--sort", choices=tuple(SORTS), default="date", help="order (default date)")
    sub.add_argument("--json", action="store_true", help="print a JSON array of papers")
    sub.add_argument("--limit", type=int, metavar="N", help="print at most N papers")

    sub = command("show", "show one paper in full")
    sub.add_argument("key", help="a paper key, arXiv id or URL, or a unique key prefix")

    sub = command("mark", "mark papers read/unread, starred/unstarred")
    sub.add_argument("keys", nargs="*", metavar="KEY")
    sub.add_argument("--query", metavar="QUERY", help="mark every paper matching QUERY")
    sub.add_argument(
        "--all",
        action="store_true",
        help="mark every paper (also needed for a QUERY that constrains nothing)",
    )
    read = sub.add_mutually_exclusive_group()
    read.add_argument("--read", dest="read", action="store_true", default=None)
    read.add_argument("--unread", dest="read", action="store_false")
    star = sub.add_mutually_exclusive_group()
    star.add_argument("--star", dest="star", action="store_true", default=None)
    star.add_argument("--unstar", dest="star", action="store_false")

    sub = command("note", "set a paper's note (Markdown); an empty TEXT removes it")
    sub.add_argument("key", metavar="KEY")
    sub.add_argument(
        "text",
        metavar="TEXT",
        help='the note; - reads it from standard input (which must not be empty); "" removes it',
    )

    sub = command("tag", "add tags to a paper, remove some with --remove; no TAG lists them")
    sub.add_argument("key", metavar="KEY")
    sub.add_argument("tags", nargs="*", metavar="TAG", help="tags to add")
    sub.add_argument("--remove", nargs="+", default=[], metavar="TAG", help="tags to remove")

    sub = command("export", "export papers (default: the starred ones)")
    sub.add_argument("query", nargs="*", help="a filter query (default: is:starred)")
    sub.add_argument("--all", action="store_true", help="export every paper")
    sub.add_argument(
        "--format",
        choices=tuple(EXPORT_FORMATS),
        help="markdown, json, jsonl, bibtex, ris or csl-json"
        " (default: from the -o file name, else markdown)",
    )
    sub.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    sub.add_argument("--force", action="store_true", help="overwrite an existing FILE")
    sub.add_argument("--sort", choices=tuple(SORTS), default="date")
    sub.add_argument("--title", default=None, help="the Markdown heading")

    sub = command("fetch", "fetch papers from Hugging Face or arXiv into the library")
    feeds = sub.add_subparsers(dest="feed", metavar="SOURCE", required=True)
    hf = feeds.add_parser("hf", parents=[common], help="Hugging Face Daily Papers")
    when = hf.add_mutually_exclusive_group()
    when.add_argument("--date", metavar="YYYY-MM-DD", help="one day (default: today)")
    when.add_argument("--week", metavar="YYYY-Www", help="one ISO week, e.g. 2025-W09")
    when.add_argument("--month", metavar="YYYY-MM", help="one month")
    arxiv = feeds.add_parser("arxiv", parents=[common], help="the arXiv API or RSS listing")
    arxiv.add_argument(
        "query", nargs="?", help="an arXiv search query, e.g. 'cat:cs.LG AND abs:causal'"
    )
    arxiv.add_argument("--max", type=int, default=50, metavar="N", help="at most N papers (50)")
    arxiv.add_argument(
        "--rss", metavar="CATEGORY", help="the daily listing of a category, e.g. cs.LG"
    )

    command("stats", "counts of papers and of your read/starred/notes/tags")
    command("demo", "try reader on the bundled sample papers (your library is untouched)")

    sub = command("doctor", "check the library's files; restore or rebuild what is damaged")
    sub.add_argument("--yes", action="store_true", help="repair without asking")
    sub.add_argument(
        "--rebuild-catalog",
        action="store_true",
        help="set a damaged catalog aside and start an empty one (your state is kept)",
    )
    return parser


QUERY_WORDS = ("list", "export")
"""The commands whose words form a query, in which `-word` means "without word"."""

_WORD = " "
"""Put before a query word that starts with "-" so that argparse does not take it for an
option: argparse only looks for options in arguments that start with "-". A space is
harmless to the query language, should one ever be left in."""

_LONG_OPTION = re.compile(r"--[A-Za-z][A-Za-z0-9_-]*")
"""What a long option looks like; `---word` or `--(a b)` cannot be one (nor a typo of one)."""


class _Main(Protocol):
    def __call__(self, argv: Sequence[str] | None = None) -> int: ...


def _guarded(run: _Main) -> _Main:
    """`run` made safe to call as the command line: see `reader.output`.

    Everything printed is terminal-safe, arguments that are not UTF-8 are refused in one
    line, and an unexpected exception is one line and exit status 70, never a traceback
    (`READER_DEBUG=1` shows it). Each known failure still gets its own message in `main`.
    """

    @functools.wraps(run)
    def guarded(argv: Sequence[str] | None = None) -> int:
        with output.safe_streams():
            problem = output.undecodable_argument(output.program_arguments(argv))
            if problem is not None:
                print(f"reader: error: {problem}", file=sys.stderr)
                return 1
            try:
                return run(argv)
            except Exception as error:
                if os.environ.get("READER_DEBUG"):
                    raise
                return output.internal_error(error)

    return guarded


@_guarded
def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(_shield_query_words(parser, argv))
    if getattr(args, "command", None) in QUERY_WORDS:
        args.query = [word.removeprefix(_WORD) for word in args.query]
    try:
        return _dispatch(parser, args)
    except ReaderError as error:
        print(f"reader: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `reader list | head`: the reader went away; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _shield_query_words(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """`argv` rearranged so that argparse reads query words starting with "-" as words.

    In `list` and `export`, every argument that is not an option of the command (nor
    an option's value) is a query word, wherever it stands; the words keep their order
    and follow the options. An option is an exact option string, `--opt=value`, or a
    prefix of a long option (as argparse accepts); anything else starting with "--" is
    left for argparse to reject. So `-survey` and `-(a b)` are words, and `-open` is a
    word too (not `-o pen`). After `--`, everything is a word. In `mark`, the value of
    `--query` may start with "-".
    """
    start = _command_index(parser, argv)
    if start is None or argv[start] not in (*QUERY_WORDS, "mark"):
        return argv
    command = _subparsers(parser)[argv[start]]
    options: list[str] = []
    words: list[str] = []
    unfinished: list[str] = []  # an option missing its value: argparse says so
    rest = argv[start + 1 :]
    index = 0
    while index < len(rest):
        token = rest[index]
        index += 1
        if token == "--":
            # For `mark`, argparse reads the keys after "--" itself.
            words.extend(rest[index:] if argv[start] in QUERY_WORDS else rest[index - 1 :])
            break
        action = _option(command, token)
        if action is None:
            words.append(token)
            continue
        takes_value = action.nargs != 0 and "=" not in token
        if not takes_value:
            options.append(token)
        elif index >= len(rest) or rest[index] == "--":
            unfinished.append(token)
        elif action.dest == "query" and _option(command, rest[index]) is None:
            # `--query=-survey`: argparse would refuse a separate value starting with "-".
            options.append(f"{action.option_strings[-1]}={rest[index]}")
            index += 1
        else:
            options.extend((token, rest[index]))
            index += 1
    if argv[start] == "mark":
        return [*argv[: start + 1], *options, *words, *unfinished]
    shielded = [_WORD + word if word.startswith("-") else word for word in words]
    return [*argv[: start + 1], *options, *shielded, *unfinished]


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parser of each command."""
    # argparse keeps its actions in a private list; there is no public way to list them.
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}  # pragma: no cover - build_parser always adds the commands


def _option(parser: argparse.ArgumentParser, token: str) -> argparse.Action | None:
    """The option `token` names in `parser`, or None when it is a word.

    A token shaped like a long option that names none (or several, by prefix) is
    returned as a fake option taking no value, so that argparse still rejects it in
    one line: `--sortt` is a typo, not a query word.
    """
    if not token.startswith("-") or token == "-" or token == "--":
        return None
    name = token.split("=", 1)[0]
    if token.startswith("--") and not _LONG_OPTION.fullmatch(name):
        return None  # `---word`, `--(a b)`: no option looks like that
    actions = {option: action for action in parser._actions for option in action.option_strings}
    if name in actions:
        return actions[name]
    if not token.startswith("--"):
        return None  # `-survey`: only exact short options count
    matches = {actions[option] for option in actions if option.startswith(name)}
    if len(matches) == 1:
        return matches.pop()
    return argparse.Action(option_strings=[name], dest=name, nargs=0)


def _command_index(parser: argparse.ArgumentParser, argv: list[str]) -> int | None:
    """Where the command stands in `argv`, after the options of `reader` itself."""
    index = 0
    while index < len(argv):
        token = argv[index]
        action = _option(parser, token)
        if action is None:
            return None if token.startswith("-") else index
        index += 2 if action.nargs != 0 and "=" not in token else 1
    return None


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from reader.library import Library
    from reader.paths import library_folder

    if args.command is None:
        return _run_app(library_folder(getattr(args, "library", None)))
    if args.command == "demo":
        return _demo()
    if args.command == "doctor":
        # Before opening the library: opening refuses a damaged state file.
        return _doctor(library_folder(getattr(args, "library", None)), args)

    with Library(library_folder(getattr(args, "library", None))) as library:
        handler = {
            "import": _import,
            "list": _list,
            "show": _show,
            "mark": _mark,
            "note": _note,
            "tag": _tag,
            "export": _export,
            "stats": _stats,
            "fetch": _fetch,
        }[args.command]
        return handler(library, args)


def _doctor(folder: Path, args: argparse.Namespace) -> int:
    from reader.library.doctor import Doctor

    def waiting() -> None:
        print("reader: waiting for another reader process…", file=sys.stderr, flush=True)

    doctor = Doctor(folder, on_wait=waiting)
    found = doctor.examine()
    for line in found.findings:
        print(line)
    healthy, repaired = True, False
    if found.state_damaged:
        if found.backup_time is None:
            print(f"No usable backup: move {doctor.state_path} aside to start with no state.")
            healthy = False
        elif _confirm(f"Restore the state from the backup of {found.backup_time}?", args.yes):
            restored = doctor.restore_state()
            repaired = True
            if restored is None:
                print("The state file is sound by now: nothing restored.")
            elif restored.aside is None:
                print("Restored the state from the backup.")
            else:
                print(
                    f"Restored the state from the backup; the damaged file is now {restored.aside}."
                )
        else:
            healthy = False
    if found.journal_damaged:
        question = "Keep the journal's readable changes and set the damaged file aside?"
        if _confirm(question, args.yes):
            salvaged = doctor.salvage_journal()
            repaired = True
            if salvaged is None:
                print("The journal is sound by now: nothing to salvage.")
            else:
                dropped = plural(salvaged.dropped, "unreadable line")
                if salvaged.unfinished:
                    dropped += " and an unfinished last line"
                print(
                    f"Kept {plural(salvaged.kept, 'change')}; dropped {dropped};"
                    f" the damaged journal is now {salvaged.aside}."
                )
        else:
            healthy = False
    if found.catalog_damaged:
        if args.rebuild_catalog:
            aside = doctor.rebuild_catalog()
            repaired = True
            print(
                f"Started an empty catalog; the damaged one is now {aside}. Your read, starred,"
                " notes and tags are kept: re-import or fetch your papers to see them again."
            )
        else:
            print("Run `reader doctor --rebuild-catalog` to start an empty catalog (state is kept)")
            healthy = False
    elif args.rebuild_catalog:
        print("The catalog is not damaged: nothing rebuilt.")
    if found.index_damaged and not found.catalog_damaged:
        # Derived from the papers table, so rebuilding it loses nothing: no need to ask.
        doctor.rebuild_index()
        repaired = True
        print("Rebuilt the full-text index.")
    # "In order" only once the repaired files pass the same checks again.
    if healthy and repaired and not doctor.examine().healthy:
        print("Not everything could be repaired: run `reader doctor` to see what is left.")
        healthy = False
    if healthy:
        print("Everything is in order.")
    return 0 if healthy else 1


def _confirm(question: str, assume_yes: bool) -> bool:
    """Ask on the terminal; without one (and without --yes), do nothing and say how."""
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        print(f"{question} Not done: no terminal to ask on; run `reader doctor --yes` to do it.")
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def _terminal_width() -> int | None:
    # A closed stdout (`>&-`) is None.
    return shutil.get_terminal_size().columns if _is_terminal(sys.stdout) else None


def _is_terminal(stream: TextIO | None) -> bool:
    return stream is not None and stream.isatty()


def _import(library: Library, args: argparse.Namespace) -> int:
    from reader import importing
    from reader.matching import import_filter

    if not args.files and not args.sample:
        raise ReaderError("name at least one FILE (or - for standard input, or --sample)")
    keep = import_filter(args.filter) if args.filter is not None else None
    # Every input is read and parsed before anything is written (the snapshot, too large
    # for that, is read inside the import's one transaction): a bad file changes nothing.
    imported = importing.import_files(
        library,
        args.files,
        args.format,
        year=args.year,
        keep=keep,
        samples=args.sample,
        progress=_import_progress(),
        fetched=_progress_printer(),
        waiting=_say_waiting,
    )
    result = imported.result
    if args.verbose:
        for line in imported.report.details():
            print(line, file=sys.stderr)
    print(f"Imported {plural(result.papers, 'paper')}: {result.summary()}.")
    return 0


def _list(library: Library, args: argparse.Namespace) -> int:
    from reader.render import json_text, list_rows
    from reader.serialize import entry_to_dict

    entries = library.entries(" ".join(args.query), args.sort)
    if args.limit is not None:
        entries = entries[: max(args.limit, 0)]
    if args.json:
        print(json_text([entry_to_dict(entry) for entry in entries]))
        return 0
    for row in list_rows(entries, _terminal_width()):
        print(row)
    print(f"{len(entries)} of {len(library)} papers", file=sys.stderr)
    return 0


def _show(library: Library, args: argparse.Namespace) -> int:
    from reader.render import show

    entry = library.entry(library.resolve(args.key))
    print(show(entry, min(_terminal_width() or 80, 100)))
    return 0


def _mark(library: Library, args: argparse.Namespace) -> int:
    from reader.query import parse_query

    if args.read is None and args.star is None:
        raise ReaderError("say what to mark: --read, --unread, --star or --unstar")
    query = None if args.query is None else parse_query(args.query)
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
    what = ", ".join(
        word
        for word, value in (
            ("read" if args.read else "unread", args.read),
            ("starred" if args.star else "unstarred", args.star),
        )
        if value is not None
    )
    print(f"Marked {plural(len(set(keys)), 'paper')} {what} ({len(changed)} changed).")
    return 0


def _note(library: Library, args: argparse.Namespace) -> int:
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


def _tag(library: Library, args: argparse.Namespace) -> int:
    from reader.library.library import clean_tags
    from reader.query import normalize_tag

    key = library.resolve(args.key)
    current = library.state_of(key).tags
    if args.tags or args.remove:
        dropped = {normalize_tag(tag) for tag in clean_tags(args.remove)}
        tags = tuple(
            tag for tag in current + clean_tags(args.tags) if normalize_tag(tag) not in dropped
        )
        library.set_tags(key, tags)
        current = library.state_of(key).tags
    print(f"{one_line(key)}: " + (" ".join(f"#{one_line(tag)}" for tag in current) or "no tags"))
    return 0


def _export(library: Library, args: argparse.Namespace) -> int:
    from reader import export
    from reader.fileio import write_text_atomic

    if args.all and args.query:
        raise ReaderError("give either a QUERY or --all, not both")
    query = "" if args.all else (" ".join(args.query) if args.query else "is:starred")
    if args.output is not None and not args.output:
        raise ReaderError("-o/--output needs a file name")
    # Without --format, the file name says it (papers.bib is BibTeX); else Markdown.
    chosen = export.FORMATS.get(args.format or "") or (
        export.for_suffix(args.output or "") or export.FORMATS["markdown"]
    )
    entries = library.entries(query, args.sort)
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


def _stats(library: Library, args: argparse.Namespace) -> int:
    stats = library.stats()
    papers = stats.papers
    first, last = papers.first_date, papers.last_date
    sources = papers.sources
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


def _fetch(library: Library, args: argparse.Namespace) -> int:
    from reader import feeds, importing

    if args.feed == "hf":
        request = feeds.FetchRequest("hf", args.date or args.week or args.month or "")
    elif args.rss:
        if args.query:
            raise ReaderError("give either a search QUERY or --rss CATEGORY, not both")
        request = feeds.FetchRequest("rss", args.rss)
    else:
        request = feeds.FetchRequest("arxiv", args.query or "", max_results=args.max)
    config = importing.feed_config(library.folder)
    items = feeds.fetch(config, request, _progress_printer())
    if not items:
        # An empty daily listing (weekends, holidays) is normal, not an error.
        print(f"Nothing new from {request.label}.")
        return 0
    result = library.import_papers(items, waiting=_say_waiting)
    print(f"Fetched {plural(result.papers, 'paper')} from {request.label}: {result.summary()}.")
    return 0


def _progress_printer() -> Callable[[int], None] | None:
    """Report fetch progress on stderr when it is a terminal (pages can take seconds)."""
    if not _is_terminal(sys.stderr):
        return None

    def show(done: int) -> None:
        output.rewrite_line(f"… {plural(done, 'paper')} so far")

    return show


def _say_waiting() -> None:
    print("reader: waiting for another import to finish…", file=sys.stderr, flush=True)


def _import_progress() -> Callable[[int, int], None] | None:
    """A percentage on stderr for large imports, when stderr is a terminal."""
    if not _is_terminal(sys.stderr):
        return None

    def show(done: int, total: int) -> None:
        if not total:
            # A stream of unknown length (the snapshot on standard input).
            output.rewrite_line(f"Importing… {done:,} papers")
            return
        end = "\n" if done >= total else ""
        output.rewrite_line(f"Importing… {100 * done // max(total, 1)}%", end=end)

    return show


def _run_app(folder: Path, *, samples: bool = False) -> int:
    """Open the TUI on the library in `folder` (only this command imports Textual)."""
    from reader import importing
    from reader.library import Library
    from reader.tui.app import make_app

    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise ReaderError("the app needs a terminal; use `reader list` in scripts and pipes")
    with Library(folder) as library:
        if samples:
            library.import_papers(importing.sample_items())
        app = make_app(library)
        app.run()
    return app.return_code or 0


def _demo() -> int:
    """The app on the bundled samples, in a throwaway library (the user's is untouched)."""
    with tempfile.TemporaryDirectory(prefix="reader-demo-") as folder:
        return _run_app(Path(folder), samples=True)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
