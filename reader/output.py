"""The one way out to the terminal: everything the command line prints passes through here.

Papers come from files and web pages, so any text the CLI prints (keys, titles, tags, sources,
notes, error messages that quote the user's arguments, argparse's own messages) may carry
escape sequences. Rather than trusting every `print` to remember `printable`, `safe_streams`
puts a sanitizing layer over `sys.stdout` and `sys.stderr` for the whole run: nothing written
to them can carry a C0/C1 control (tab and newline aside), DEL, a bidi control or a lone
surrogate. Formats that must read back exactly (JSON) escape such characters before they get
here (`reader.text.json_safe`), so for them this layer changes nothing.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from reader.text import one_line, printable

# Error handlers that raise on a character the encoding lacks.
_FAILING_ERRORS = ("strict", "surrogateescape")

INTERNAL_ERROR_STATUS = 70
"""The exit status of an unexpected failure (EX_SOFTWARE in sysexits.h)."""


class SafeStream:
    """A text stream that writes `printable(text)` to the stream it wraps.

    Each character is replaced on its own, so an escape sequence split over two writes is
    caught as well as a whole one.
    """

    def __init__(self, target: TextIO) -> None:
        self.target = target
        """The stream written to: the terminal, a pipe, or a test's capture."""

    def write(self, text: str) -> int:
        """Write `text` with every terminal control replaced; returns `len(text)`."""
        self.target.write(printable(text))
        return len(text)

    def writelines(self, lines: Iterator[str] | Sequence[str]) -> None:
        """Write each of `lines`, sanitized."""
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Flush the wrapped stream."""
        self.target.flush()

    def isatty(self) -> bool:
        """Whether the wrapped stream is a terminal."""
        return self.target.isatty()

    def fileno(self) -> int:
        """The wrapped stream's file descriptor."""
        return self.target.fileno()

    def __getattr__(self, name: str) -> object:
        # `encoding`, `errors`, `closed` and the like are the wrapped stream's.
        return getattr(self.target, name)


@contextmanager
def safe_streams() -> Iterator[None]:
    """For the duration, `sys.stdout` and `sys.stderr` print only terminal-safe text.

    The real streams are also set to replace what their encoding cannot represent
    (`PYTHONIOENCODING=ascii`, `LANG=C` on an old system): "★" prints as "?" instead of
    ending the command with a `UnicodeEncodeError`.
    """
    saved = sys.stdout, sys.stderr
    for stream in saved:
        # The C locale sets "surrogateescape", which fails on "★" as "strict" does.
        if isinstance(stream, io.TextIOWrapper) and stream.errors in _FAILING_ERRORS:
            stream.reconfigure(errors="replace")
    # A closed stream is None (`reader list >&-`): `print` then writes nothing, as before.
    sys.stdout, sys.stderr = (
        stream if stream is None or isinstance(stream, SafeStream) else SafeStream(stream)
        for stream in saved
    )
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def rewrite_line(text: str, *, end: str = "") -> None:
    """Show `text` over the current line of stderr: a progress display on a terminal.

    The carriage return is the layout's own, so it bypasses `SafeStream`; `text` does not.
    """
    stream = sys.stderr
    target = stream.target if isinstance(stream, SafeStream) else stream
    if target is not None:
        target.write("\r" + printable(text) + end)
        target.flush()


def undecodable_argument(argv: Sequence[str]) -> str | None:
    """A one-line complaint about the first argument that is not valid UTF-8, else None.

    Python hands such bytes over as lone surrogates (`surrogateescape`), which would fail
    far from here, in the database or on output.
    """
    for position, argument in enumerate(argv, start=1):
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            try:
                raw = argument.encode("utf-8", "surrogateescape")
            except UnicodeEncodeError:
                raw = argument.encode("utf-8", "backslashreplace")
            # The bad bytes as \xff escapes, the rest as typed.
            shown = raw.decode("utf-8", "backslashreplace")
            return (
                f"argument {position} ('{shown}') is not valid UTF-8 text;"
                " check the encoding of your terminal or script"
            )
    return None


def internal_error(error: BaseException) -> int:
    """Report an unexpected exception in one line on stderr; the exit status to use."""
    detail = one_line(str(error))
    what = type(error).__name__ + (f": {detail}" if detail else "")
    print(f"reader: internal error: {what} (please report this)", file=sys.stderr)
    return INTERNAL_ERROR_STATUS


def program_arguments(argv: Sequence[str] | None) -> Sequence[str]:
    """The arguments `main(argv)` will parse: `argv`, else the process's own."""
    return sys.argv[1:] if argv is None else argv
