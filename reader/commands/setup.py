"""Setting reader up: `reader config path|edit`, `reader completion SHELL`, `--version`."""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path

from reader.errors import ReaderError


def versions() -> str:
    """reader's version and those of Python, Textual and SQLite, one a line (Textual's
    from its package metadata: nothing of it is imported)."""
    from reader import __version__

    try:
        textual = metadata.version("textual")
    except metadata.PackageNotFoundError:
        textual = "not installed"
    python = f"{platform.python_version()} ({platform.python_implementation()})"
    return "\n".join(
        (
            f"reader {__version__}",
            f"Python {python}",
            f"Textual {textual}",
            f"SQLite {sqlite3.sqlite_version}",
        )
    )


def config(folder: Path, args: argparse.Namespace) -> int:
    """`reader config path` prints the settings file; `reader config edit` opens it."""
    from reader.settings import Settings

    # The library's old settings.json moves into the file first, so the user sees them.
    settings = Settings(folder if folder.is_dir() else None)
    if args.action == "path":
        print(settings.path)
        return 0
    return _edit(settings.path)


def _edit(path: Path) -> int:
    """Edit a copy of the settings file, then put it in place only when it is valid and
    no other process changed the file meanwhile: an edit never undoes another process's
    change (`reader saved add` while the editor is open), and a broken edit never
    replaces a working file. The copy stays, named in the error, when it is not used."""
    from reader.config import ConfigFile

    command = _editor()
    config = ConfigFile(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReaderError(f"cannot create {path.parent}: {error.strerror}") from None
    # Read as every reader of the file decodes it, so that the comparison below sees only
    # what another process changed (a BOM or CRLF line ends are no change).
    original = config.text()
    # A draft of its own: an earlier edit kept after a failure, or another `config edit`
    # running now, is never overwritten.
    try:
        handle, name = tempfile.mkstemp(
            prefix=f"{path.stem}.editing-", suffix=path.suffix, dir=path.parent
        )
        with os.fdopen(handle, "wb") as stream:  # mode 600, as a settings file may hold
            stream.write(original.encode("utf-8"))
    except OSError as error:
        raise ReaderError(
            f"cannot write a copy to edit in {path.parent}: {error.strerror}"
        ) from None
    draft = Path(name)
    try:
        done = subprocess.run([*command, str(draft)], check=False)
    except OSError as error:
        raise ReaderError(f"cannot run the editor {command[0]}: {error.strerror}") from None
    if done.returncode != 0:
        raise ReaderError(
            f"the editor {command[0]} ended with status {done.returncode};"
            f" {path} is unchanged (the edit is in {draft})"
        )
    try:
        edited = draft.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise ReaderError(
            f"cannot read the edited {draft} ({error.strerror}); {path} is unchanged"
        ) from None
    except UnicodeDecodeError:
        raise ReaderError(f"the edited {draft} is not UTF-8 text; {path} is unchanged") from None
    if edited == original and path.exists():
        draft.unlink(missing_ok=True)
        print(f"Settings unchanged in {path}.")
        return 0
    try:
        check_settings(draft)
    except ReaderError as error:
        raise ReaderError(
            f"{error}; {path} is unchanged: fix the edit in {draft} and run"
            " `reader config edit` again"
        ) from None
    if not config.replace_if_unchanged(original, edited):
        raise ReaderError(
            f"{path} was changed by another reader process while you edited it, so it is"
            f" unchanged: your edit is in {draft}; run `reader config edit` again and copy it in"
        )
    draft.unlink(missing_ok=True)
    print(f"Settings saved in {path}.")
    return 0


def _editor() -> list[str]:
    """$VISUAL, else $EDITOR, else a usual editor present here."""
    for variable in ("VISUAL", "EDITOR"):
        chosen = os.environ.get(variable, "").strip()
        if chosen:
            try:
                return shlex.split(chosen)
            except ValueError as error:
                raise ReaderError(f"${variable} is not a command line: {error}") from None
    for fallback in ("nano", "vi", "notepad"):
        if shutil.which(fallback):
            return [fallback]
    raise ReaderError("no editor found: set $EDITOR (for example EDITOR=nano)")


def check_settings(path: Path) -> None:
    """Raise the one-line error of the first thing wrong in the settings file."""
    from reader import pdf, saved, subscriptions
    from reader.feeds.client import FeedConfig
    from reader.settings import Settings

    settings = Settings(path=path)
    saved.load(settings)
    subscriptions.load(settings)
    subscriptions.hf_days(settings)
    FeedConfig.load({}, settings)
    pdf.max_bytes(settings)


def completion(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Print the completion script of a shell, generated from the argument parser."""
    if args.shell == "fish":
        from reader.commands.fish import fish_completion

        print(fish_completion(parser), end="")
        return 0
    import shtab

    print(shtab.complete(parser, shell=args.shell), end="")
    return 0
