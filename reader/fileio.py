"""Reading inputs and writing outputs without surprises."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

from reader.errors import InputError, ReaderError

MAX_INPUT_BYTES = 1024**3
"""The most `read_text_input` reads from one file or from standard input: 1 GiB.

About ten times the largest real input seen (a year of Daily Papers is ~100 MB of page
text); it keeps `reader import /dev/zero`-like mistakes from exhausting memory. Read at
call time, so tests can lower it.
"""

# Text formats only: a NUL byte in the first block means a binary file.
_SNIFF_BYTES = 8192
# Inputs are read this much at a time, so at most MAX_INPUT_BYTES + one chunk is held.
_CHUNK_BYTES = 1024 * 1024


def read_text_input(name: str) -> str:
    """The text of a file, or of standard input for `-`; one clear line on any problem.

    Only regular files are read (a device or FIFO could be endless, or block forever), and
    at most `MAX_INPUT_BYTES` from any input.
    """
    if name == "-":
        where = "standard input"
        if sys.stdin is None:
            raise InputError("standard input is closed")
        raw = _read_bounded(sys.stdin.buffer, where)
    else:
        path = Path(name).expanduser()
        where = str(path)
        raw = _read_regular_file(path, where)
    # `isspace` looks without copying: `strip` would duplicate a 100 MB input.
    if not raw or raw.isspace():
        raise InputError(f"{where} is empty")
    if b"\x00" in raw[:_SNIFF_BYTES]:
        raise InputError(f"{where} is a binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{where} is not UTF-8 text (bad byte at offset {error.start}); save it as UTF-8"
        ) from None


def _read_regular_file(path: Path, where: str) -> bytearray:
    """The bytes of the regular file at `path`, bounded by `MAX_INPUT_BYTES`."""
    try:
        # Looked at before opening: opening a FIFO waits for a writer, and opening some
        # devices does something.
        _check_regular(os.stat(path), where)
        # O_NONBLOCK: should the name be swapped for a FIFO since, opening still returns.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError(f"{where}: no such file") from None
    except ValueError:
        raise InputError(f"{where!r} is not a valid file name") from None
    except OSError as error:
        raise InputError(f"{where}: cannot read it ({error.strerror})") from None
    with os.fdopen(descriptor, "rb") as stream:
        _check_regular(os.fstat(descriptor), where)
        try:
            return _read_bounded(stream, where)
        except OSError as error:
            raise InputError(f"{where}: cannot read it ({error.strerror})") from None


def _check_regular(info: os.stat_result, where: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{where} is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{where} is not a regular file (a device, pipe or socket);"
            " to read a stream, pass it on standard input as -"
        )
    if info.st_size > MAX_INPUT_BYTES:
        raise _too_large(where)


def _read_bounded(stream: BinaryIO, where: str) -> bytearray:
    """Everything `stream` holds, read in chunks; `InputError` past `MAX_INPUT_BYTES`."""
    limit = MAX_INPUT_BYTES
    data = bytearray()
    sniffed = False
    while chunk := stream.read(_CHUNK_BYTES):
        data += chunk
        if not sniffed and len(data) >= _SNIFF_BYTES:
            # Early, so that binary input (/dev/zero on stdin) is refused at once.
            if b"\x00" in data[:_SNIFF_BYTES]:
                raise InputError(f"{where} is a binary file, not text")
            sniffed = True
        if len(data) > limit:
            raise _too_large(where)
    return data


def _too_large(where: str) -> InputError:
    return InputError(
        f"{where} is larger than {_size(MAX_INPUT_BYTES)}, the most reader reads from one input"
    )


def _size(count: int) -> str:
    """A byte count for people: "1 GiB", "1.5 MiB", "512 bytes"."""
    for power, unit in ((3, "GiB"), (2, "MiB"), (1, "KiB")):
        if count >= 1024**power:
            return f"{count / 1024**power:.3g} {unit}"
    return f"{count} bytes"


def write_text_atomic(path: Path, text: str, *, force: bool = False) -> None:
    """Write `text` to `path` all at once: a temporary file, fsynced, renamed over.

    An existing file is only replaced with `force`, so an export never silently
    destroys something.
    """
    if path.is_dir():
        raise ReaderError(f"{path} is a folder; give a file name")
    if path.exists() and not force:
        raise ReaderError(f"{path} already exists; use --force to overwrite it")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as error:
        raise ReaderError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise ReaderError(f"cannot write {path}: {error.strerror}") from None
