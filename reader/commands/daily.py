"""The daily routine's commands: subscriptions, `reader fetch` of them all, saved
searches and the digest. Each handler is thin: the work is in `reader.subscriptions`,
`reader.saved` and `reader.digest`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from reader import output
from reader.commands.terminal import clear_progress, is_terminal, print_json, say_waiting
from reader.errors import ReaderError
from reader.settings import Settings
from reader.text import one_line, plural

if TYPE_CHECKING:
    from reader.library import Library
    from reader.subscriptions import Request, Subscription, Told


def use_saved_searches(library: Library) -> None:
    """Let `saved:NAME` work in the library's queries (the settings are read on use)."""

    def provider() -> Mapping[str, str]:
        from reader import saved

        return saved.provider(Settings(library.folder))

    library.saved_searches = provider


# --- subscriptions ---------------------------------------------------------------------------


def subscribe(folder: Path, args: argparse.Namespace) -> int:
    """`reader subscribe hf|arxiv ...`."""
    from reader import subscriptions
    from reader.feeds import FetchRequest

    if args.feed == "hf":
        request = FetchRequest("hf")
    elif args.rss:
        if args.query:
            raise ReaderError("give either a search QUERY or --rss CATEGORY, not both")
        request = FetchRequest("rss", args.rss.strip())
    else:
        if not 1 <= args.max <= 2000:
            raise ReaderError(f"--max must be from 1 to 2000, not {args.max}")
        request = FetchRequest("arxiv", " ".join((args.query or "").split()), args.max)
    added = subscriptions.add(_settings(folder), request, args.name)
    print(f"Subscribed to {added.label} as {added.name}; `reader fetch` fetches it.")
    return 0


def unsubscribe(folder: Path, args: argparse.Namespace) -> int:
    """`reader unsubscribe NAME`."""
    from reader import subscriptions

    removed = subscriptions.remove(_settings(folder), args.name)
    print(f"Unsubscribed from {removed.name} ({removed.label}); its papers stay.")
    return 0


def subscriptions(library: Library, args: argparse.Namespace) -> int:
    """`reader subscriptions [--json]`: each one, when it was last fetched, what it brought."""
    from dataclasses import asdict

    from reader import subscriptions as subs

    known = subs.load(_settings(library.folder))
    store = subs.ProgressFile(library.folder)
    rows = [(sub, store.progress(sub)) for sub in known]
    if args.json:
        print_json(
            {
                "subscriptions": [
                    {
                        "name": sub.name,
                        "source": sub.request.source,
                        "value": sub.request.value,
                        "max_results": sub.request.max_results,
                        "label": sub.label,
                        **{k: v for k, v in asdict(progress).items() if k != "identity"},
                    }
                    for sub, progress in rows
                ]
            }
        )
        return 0
    if not rows:
        print("No subscriptions yet: `reader subscribe hf`, `reader subscribe arxiv --rss cs.LG`.")
        return 0
    for sub, progress in rows:
        if progress.fetched_at is None:
            state = "never fetched"
        else:
            state = (
                f"last fetched {_local(progress.fetched_at)}: {plural(progress.papers, 'paper')}"
                f" ({progress.new} new), {progress.total_new} new in all"
            )
            if progress.error:
                state += f"; failed: {progress.error}"
        print(f"{sub.name}  {sub.label}  {state}")
    return 0


def _local(stamp: str) -> str:
    """An ISO time stamp as local time, to the minute."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return one_line(stamp)


def fetch_subscriptions(library: Library, args: argparse.Namespace) -> int:
    """`reader fetch`: every subscription from where it stopped; one summary line each.

    Exit status 0 when every source answered, 1 naming the ones that failed.
    """
    from reader import importing, subscriptions

    settings = _settings(library.folder)
    known = subscriptions.load(settings)
    if not known:
        raise ReaderError("no subscriptions: add one with `reader subscribe hf` (or give a SOURCE)")
    config = importing.feed_config(library.folder)
    failed: list[str] = []
    outcomes = subscriptions.fetch_all(
        library,
        known,
        config,
        days=subscriptions.hf_days(settings),
        progress=_fetch_progress(),
        waiting=say_waiting,
    )
    for outcome in outcomes:
        clear_progress()
        print(outcome.summary(), file=sys.stdout if outcome.ok else sys.stderr, flush=True)
        if not outcome.ok:
            failed.append(outcome.subscription.name)
    if failed:
        raise ReaderError(
            f"{len(failed)} of {plural(len(known), 'subscription')} failed: {', '.join(failed)}"
        )
    return 0


def _fetch_progress() -> Told | None:
    """One progress line per subscription on stderr, when it is a terminal."""
    if not is_terminal(sys.stderr):
        return None

    def show(subscription: Subscription, request: Request, done: int) -> None:
        step = f" ({request.fetch.value}, {request.n} of {request.of})" if request.of > 1 else ""
        output.rewrite_line(f"{subscription.name}{step}: {plural(done, 'paper')} so far…")

    return show


# --- saved searches --------------------------------------------------------------------------


def saved_change(folder: Path, args: argparse.Namespace) -> int:
    """`reader saved add NAME QUERY [--watch]` and `reader saved remove NAME`."""
    from reader import saved

    settings = _settings(folder)
    if args.action == "remove":
        removed = saved.remove(settings, args.name)
        users = saved.users_of(saved.load(settings), removed.name)
        print(f"Removed the saved search {removed.name} ({removed.query}).")
        if users:
            print(f"Note: {', '.join(users)} used it and now fail until changed.")
        return 0
    query = " ".join(args.query)
    replaced = saved.add(settings, args.name, query, watch=args.watch)
    kind = "watch list" if args.watch else "saved search"
    verb = "Replaced" if replaced is not None else "Saved"
    print(f"{verb} the {kind} {args.name}: {' '.join(query.split())}")
    return 0


def saved_list(library: Library, args: argparse.Namespace) -> int:
    """`reader saved list [--json]`: each saved search with its unread matches."""
    from reader import saved

    searches = saved.load(_settings(library.folder))
    rows = []
    for search in searches:
        try:
            unread: int | None = library.count(f"saved:{search.name} is:unread")
            problem = None
        except ReaderError as error:
            unread, problem = None, str(error)
        rows.append((search, unread, problem))
    if args.json:
        print_json(
            {
                "saved": [
                    {
                        "name": search.name,
                        "query": search.query,
                        "watch": search.watch,
                        "unread": unread,
                        "error": problem,
                    }
                    for search, unread, problem in rows
                ]
            }
        )
        return 0
    if not rows:
        print("No saved searches yet: `reader saved add NAME QUERY`.")
    for search, unread, problem in rows:
        count = f"{unread} unread" if problem is None else f"error: {problem}"
        watch = " (watch)" if search.watch else ""
        print(f"{search.name}{watch}  {count}  {search.query}")
    return 0


# --- the digest ---------------------------------------------------------------------------------


def digest(library: Library, args: argparse.Namespace) -> int:
    """`reader digest`: the papers that arrived since the last digest (or --since)."""
    from reader import digest as digests
    from reader import saved
    from reader.fileio import write_text_atomic
    from reader.subscriptions import ProgressFile

    if args.output is not None and not args.output:
        raise ReaderError("-o/--output needs a file name")
    chosen = args.format or _format_for(args.output or "")
    store = ProgressFile(library.folder)
    window = digests.window(args.since, store.digest_mark())
    searches = saved.load(_settings(library.folder))
    made = digests.collect(library, searches, window, saved_only=args.saved_only)
    for name, problem in made.left_out.items():
        print(
            f"reader: the saved search {name} is left out of the digest: {problem}", file=sys.stderr
        )
    text = digests.RENDER[chosen](made)
    if args.output is not None:
        write_text_atomic(Path(args.output), text, force=args.force)
        print(f"Wrote a digest of {plural(made.count, 'paper')} to {args.output}.", file=sys.stderr)
    else:
        print(text, end="")
    if args.since == "last":
        # Only once the digest is out: a failed write leaves the mark for the next try.
        store.set_digest_mark(window.mark(made))
    return 0


def _format_for(name: str) -> str:
    """The digest format a file name asks for (.html, .txt, else Markdown)."""
    lowered = name.lower()
    if lowered.endswith((".html", ".htm")):
        return "html"
    if lowered.endswith(".txt"):
        return "text"
    return "markdown"


def _settings(folder: Path) -> Settings:
    """The settings, with the library's old settings.json migrated when there is one."""
    return Settings(folder if folder.is_dir() else None)
