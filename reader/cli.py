"""The `reader` command: parse arguments, call the core, print. Nothing more.

Only the commands that open the TUI import Textual, so `reader list` starts fast.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Protocol

from reader import output
from reader.errors import ReaderError
from reader.query import SORTS


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
    parser.add_argument(
        "--version",
        action=_Version,
        nargs=0,
        help="show the versions of reader, Python, Textual and SQLite, and exit",
    )
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
    sub.add_argument(
        "--sort",
        choices=tuple(SORTS),
        help="order (default date; most similar first for a similar: query;"
        " relevance: for you, learned from what you star)",
    )
    sub.add_argument("--reverse", action="store_true", help="the sort's order reversed")
    sub.add_argument("--json", action="store_true", help="print a JSON array of papers")
    sub.add_argument("--limit", type=int, metavar="N", help="print at most N papers")

    sub = command("show", "show one paper in full")
    sub.add_argument("key", help="a paper key, arXiv id or URL, or a unique key prefix")
    sub.add_argument("--json", action="store_true", help="print a JSON object")

    sub = command("mark", "mark papers read/unread, starred/unstarred, dismissed")
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
    dismiss = sub.add_mutually_exclusive_group()
    dismiss.add_argument(
        "--dismiss",
        dest="dismiss",
        action="store_true",
        default=None,
        help="not interested: marks read and ranks papers like it lower",
    )
    dismiss.add_argument("--undismiss", dest="dismiss", action="store_false")

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
    sub.add_argument("--sort", choices=tuple(SORTS))
    sub.add_argument("--reverse", action="store_true", help="the sort's order reversed")
    sub.add_argument("--title", default=None, help="the Markdown heading")

    sub = command(
        "fetch",
        "fetch papers from Hugging Face or arXiv; without SOURCE, every subscription",
    )
    feeds = sub.add_subparsers(dest="feed", metavar="SOURCE")
    hf = feeds.add_parser("hf", parents=[common], help="Hugging Face Daily Papers")
    when = hf.add_mutually_exclusive_group()
    when.add_argument("--date", metavar="YYYY-MM-DD", help="one day (default: today)")
    when.add_argument("--week", metavar="YYYY-Www", help="one ISO week, e.g. 2025-W09")
    when.add_argument("--month", metavar="YYYY-MM", help="one month")
    _arxiv_arguments(feeds.add_parser("arxiv", parents=[common], help="the arXiv API or RSS"))

    command("stats", "counts of papers and of your read/starred/notes/tags").add_argument(
        "--json", action="store_true", help="print a JSON object"
    )
    _daily_commands(command, common)
    command("demo", "try reader on the bundled sample papers (your library is untouched)")

    _sync_commands(command)

    sub = command("doctor", "check the library's files; restore or rebuild what is damaged")
    sub.add_argument("--yes", action="store_true", help="repair without asking")
    sub.add_argument(
        "--rebuild-catalog",
        action="store_true",
        help="set a damaged catalog aside and start an empty one (your state is kept)",
    )
    return parser


def _sync_commands(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """`reader sync` and `reader serve` (see README: Several machines, In a browser)."""
    sub = command("sync", "sync your reading state and papers through a shared folder")
    sub.add_argument(
        "dir", nargs="?", metavar="DIR", help="the shared folder (default: the sync_dir setting)"
    )
    sub.add_argument(
        "--status", action="store_true", help="say which devices were seen and when; sync nothing"
    )
    sub = command("serve", "serve the app to a web browser (textual-serve)")
    sub.add_argument("--host", default="127.0.0.1", help="the address (default: 127.0.0.1)")
    sub.add_argument("--port", type=int, default=8000, help="the port (default: 8000)")
    sub.add_argument(
        "--public",
        action="store_true",
        help="allow an address other machines reach: anyone who can reach it uses your library",
    )
    sub.add_argument(
        "--url", help="the address browsers use, when not http://HOST:PORT (a proxy, 0.0.0.0)"
    )


def _arxiv_arguments(arxiv: argparse.ArgumentParser, maximum: int = 50) -> None:
    arxiv.add_argument(
        "query", nargs="?", help="an arXiv search query, e.g. 'cat:cs.LG AND abs:causal'"
    )
    arxiv.add_argument(
        "--max", type=int, default=maximum, metavar="N", help=f"at most N papers ({maximum})"
    )
    arxiv.add_argument(
        "--rss", metavar="CATEGORY", help="the daily listing of a category, e.g. cs.LG"
    )


def _daily_commands(
    command: Callable[[str, str], argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """The commands of the daily routine: subscriptions, saved searches, digest, PDFs,
    configuration and shell completion."""
    from reader.defaults import ARXIV_SUBSCRIPTION_MAX
    from reader.digest import FORMATS as DIGEST_FORMATS

    sub = command("subscribe", "save a fetch that `reader fetch` makes every time")
    kinds = sub.add_subparsers(dest="feed", metavar="SOURCE", required=True)
    hf = kinds.add_parser("hf", parents=[common], help="Hugging Face Daily Papers, every day")
    arxiv = kinds.add_parser("arxiv", parents=[common], help="an arXiv search or daily listing")
    _arxiv_arguments(arxiv, ARXIV_SUBSCRIPTION_MAX)
    for kind in (hf, arxiv):
        kind.add_argument("--name", help="what to call it (default: from what it fetches)")

    sub = command("subscriptions", "list the subscriptions and how far each has got")
    sub.add_argument("--json", action="store_true", help="print a JSON object")
    command("unsubscribe", "forget a subscription (its papers stay)").add_argument("name")

    sub = command("saved", "saved searches: add, list, remove")
    actions = sub.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", parents=[common], help="save a query under a name")
    add.add_argument("name", metavar="NAME", help="letters, digits, '.', '_' and '-'")
    add.add_argument("query", nargs="+", metavar="QUERY", help="the query (see Query syntax)")
    add.add_argument("--watch", action="store_true", help="highlight its papers in the app")
    listing = actions.add_parser("list", parents=[common], help="the saved searches")
    listing.add_argument("--json", action="store_true", help="print a JSON object")
    actions.add_parser("remove", parents=[common], help="forget a saved search").add_argument(
        "name", metavar="NAME"
    )

    sub = command("digest", "the papers that arrived since the last digest, by saved search")
    sub.add_argument(
        "--since",
        default="last",
        metavar="last|DATE",
        help="last (where the previous digest ended; the default), or a day YYYY-MM-DD",
    )
    sub.add_argument("--format", choices=DIGEST_FORMATS, help="default: from -o, else markdown")
    sub.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    sub.add_argument("--force", action="store_true", help="overwrite an existing FILE")
    sub.add_argument("--saved-only", action="store_true", help="leave out the other papers")

    sub = command("pdf", "download a paper's arXiv PDF into the cache; print its path")
    sub.add_argument("key", metavar="KEY", help="a paper key, arXiv id or URL, or key prefix")
    sub.add_argument("--open", action="store_true", help="open it ($READER_PDF_VIEWER or system)")

    sub = command("config", "the settings file: where it is, or edit it")
    what = sub.add_subparsers(dest="action", metavar="ACTION", required=True)
    what.add_parser("path", parents=[common], help="print the settings file's path")
    what.add_parser("edit", parents=[common], help="open it in $VISUAL or $EDITOR")

    command("completion", "print a shell completion script").add_argument(
        "shell", choices=("bash", "zsh", "fish")
    )


class _Version(argparse.Action):
    """`--version`: reader's version and those of what it runs on."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        from reader.commands.setup import versions

        print(versions())
        parser.exit()


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
    from reader.commands import app, daily, doctor, fetch, papers, pdf, setup
    from reader.commands import sync as sync_commands
    from reader.library import Library
    from reader.paths import library_folder

    folder = library_folder(getattr(args, "library", None))
    if args.command is None:
        return app.run_app(folder)
    if args.command == "demo":
        return app.demo()
    if args.command == "doctor":
        # Before opening the library: opening refuses a damaged state file.
        return doctor.doctor(folder, args)
    if args.command == "completion":
        return setup.completion(parser, args)
    if args.command == "serve":
        return sync_commands.serve(folder, args)
    # Commands on the settings alone: no library folder is created for them.
    if args.command in ("config", "subscribe", "unsubscribe") or (
        args.command == "saved" and args.action != "list"
    ):
        change = {
            "config": setup.config,
            "subscribe": daily.subscribe,
            "unsubscribe": daily.unsubscribe,
            "saved": daily.saved_change,
        }[args.command]
        return change(folder, args)

    with Library(folder) as library:
        daily.use_saved_searches(library)
        if args.command == "fetch" and args.feed is None:
            return daily.fetch_subscriptions(library, args)
        handler = {
            "import": papers.import_papers,
            "list": papers.list_papers,
            "show": papers.show,
            "mark": papers.mark,
            "note": papers.note,
            "tag": papers.tag,
            "export": papers.export,
            "stats": papers.stats,
            "fetch": fetch.fetch,
            "subscriptions": daily.subscriptions,
            "saved": daily.saved_list,
            "digest": daily.digest,
            "pdf": pdf.pdf,
            "sync": sync_commands.sync,
        }[args.command]
        return handler(library, args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
