"""Reading inputs and writing outputs without surprises."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

from reader.errors import InputError, ReaderError

# Text formats only: a NUL byte in the first block means a binary file.
_SNIFF_BYTES = 8192


def read_text_input(name: str) -> str:
    """The text of a file, or of standard input for `-`; one clear line on any problem."""
    if name == "-":
        raw = sys.stdin.buffer.read()
        where = "standard input"
    else:
        path = Path(name).expanduser()
        where = str(path)
        if path.is_dir():
            raise InputError(f"{where} is a folder, not a file")
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise InputError(f"{where}: no such file") from None
        except OSError as error:
            raise InputError(f"{where}: cannot read it ({error.strerror})") from None
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
