"""Reading inputs and writing outputs without surprises."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import sys
import time
from collections.abc import Iterator
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
# How much of an input is read first, to tell its format.
_HEAD_BYTES = 64 * 1024


def read_text_input(name: str) -> str:
    """The text of a file, or of standard input for `-`; one clear line on any problem.

    Only regular files are read (a device or FIFO could be endless, or block forever), and
    at most `MAX_INPUT_BYTES` from any input.
    """
    with TextInput(name) as opened:
        return opened.text()


class TextInput:
    """One input (a file, or standard input for `-`) opened for reading: its head first,
    to tell its format, then all of it at once (`text`, bounded by `MAX_INPUT_BYTES`) or
    line by line (`lines`, unbounded, for a stream as large as arXiv's 4 GB snapshot).

    Every problem is one `InputError` line naming the input: missing, a folder, a device
    or FIFO, empty, binary, not UTF-8 (with the offset of the bad byte).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.size: int | None = None
        """The size in bytes of a file; None for standard input."""
        self.position = 0
        """How many bytes `lines` has read so far."""
        if name == "-":
            self.where = "standard input"
            if sys.stdin is None:
                raise InputError("standard input is closed")
            self._stream: BinaryIO = sys.stdin.buffer
            self._owned = False
        else:
            path = Path(name).expanduser()
            self.where = str(path)
            self._stream = _open_regular_file(path, self.where)
            self._owned = True
            self.size = os.fstat(self._stream.fileno()).st_size
        try:
            self._head = bytearray(self._read(_HEAD_BYTES))
            if not self._head or (self._head.isspace() and len(self._head) < _HEAD_BYTES):
                raise InputError(f"{self.where} is empty")
            if b"\x00" in self._head[:_SNIFF_BYTES]:
                raise InputError(f"{self.where} is a binary file, not text")
        except BaseException:
            self.close()
            raise

    @property
    def head(self) -> str:
        """The first 64 KB or so as text (a character cut at the end is dropped), for
        telling the format; never fails on bad UTF-8 (`text` and `lines` report that)."""
        return self._head.decode("utf-8", errors="replace").removeprefix("\ufeff")

    def text(self) -> str:
        """All of the input as text, at most `MAX_INPUT_BYTES`."""
        if self.size is not None and self.size > MAX_INPUT_BYTES:
            raise _too_large(self.where)
        data = self._head
        limit = MAX_INPUT_BYTES
        try:
            while chunk := self._read(_CHUNK_BYTES):
                data += chunk
                if len(data) > limit:
                    raise _too_large(self.where)
        except OSError as error:
            raise InputError(f"{self.where}: cannot read it ({error.strerror})") from None
        # `isspace` looks without copying: `strip` would duplicate a 100 MB input.
        if data.isspace():
            raise InputError(f"{self.where} is empty")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise self._not_utf8(error.start) from None

    def lines(self) -> Iterator[str]:
        """The input's lines, decoded one at a time (without their "\\n"), in memory that
        does not depend on the input's size; `position` says how far it has got.

        Lines end at "\\n" only: `str.splitlines` also breaks at U+2028, U+0085 and other
        characters that JSON Lines may hold unescaped inside a string (as `jq` writes
        them), which would cut a record in two and number every later line wrongly."""
        for block in self.blocks():
            lines = block.split("\n")
            if not lines[-1]:
                lines.pop()  # a block ends at a line end (except the last, maybe)
            yield from lines

    def blocks(self) -> Iterator[str]:
        """The input as decoded blocks of whole lines (about 1 MB each), in memory that does
        not depend on the input's size; `position` says how far it has got."""
        pending = bytes(self._head)
        self._head = bytearray()
        first = True
        while True:
            try:
                chunk = self._read(_CHUNK_BYTES)
            except OSError as error:
                raise InputError(f"{self.where}: cannot read it ({error.strerror})") from None
            pending += chunk
            cut = len(pending) if not chunk else pending.rfind(b"\n") + 1
            if cut:
                block, pending = pending[:cut], pending[cut:]
                try:
                    text = block.decode("utf-8-sig" if first else "utf-8")
                except UnicodeDecodeError as error:
                    raise self._not_utf8(self.position + error.start) from None
                first = False
                yield text
                self.position += len(block)
            if not chunk:
                return

    def _read(self, count: int) -> bytes:
        return self._stream.read(count) or b""

    def _not_utf8(self, offset: int) -> InputError:
        return InputError(
            f"{self.where} is not UTF-8 text (bad byte at offset {offset}); save it as UTF-8"
        )

    def close(self) -> None:
        """Close the file (standard input stays open)."""
        if self._owned:
            self._stream.close()

    def __enter__(self) -> TextInput:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _open_regular_file(path: Path, where: str) -> BinaryIO:
    """The regular file at `path`, opened for reading; never a device or a FIFO."""
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
    stream = os.fdopen(descriptor, "rb")
    try:
        _check_regular(os.fstat(descriptor), where)
    except BaseException:
        stream.close()
        raise
    return stream


def _check_regular(info: os.stat_result, where: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{where} is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{where} is not a regular file (a device, pipe or socket);"
            " to read a stream, pass it on standard input as -"
        )


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
    """Write `text` (as UTF-8) to `path` all at once; see `write_bytes_atomic`."""
    write_bytes_atomic(path, text.encode("utf-8"), force=force)


def write_bytes_atomic(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write `data` to `path` all at once: a temporary file, fsynced, renamed over.

    An existing file is only replaced with `force`, so an export never silently destroys
    something, and only when it is a regular file: a device, FIFO or socket is refused. A
    symbolic link is written through (its target is replaced, the link stays) unless it
    points nowhere. A new file gets the usual permissions (0666 less the umask); a replaced
    one keeps its mode (and, where allowed, its owner). Temporary files are named
    `.NAME.PID-XXXXXXXXXXXX.reader-tmp`; stale ones (see `remove_stale_temporaries`) are
    removed from the folder first.
    """
    target = _resolve_link(path)
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    except (OSError, ValueError) as error:
        raise ReaderError(f"cannot write {path}: {_reason(error)}") from None
    if existing is not None:
        if stat.S_ISDIR(existing.st_mode):
            raise ReaderError(f"{path} is a folder; give a file name")
        if not stat.S_ISREG(existing.st_mode):
            raise ReaderError(
                f"{path} is not a regular file (a device, pipe or socket); not replaced"
            )
        if not force:
            raise ReaderError(f"{path} already exists; use --force to overwrite it")
    folder = target.parent
    remove_stale_temporaries(folder)
    descriptor, temporary = _create_temporary(folder, target.name, path)
    try:
        if existing is not None:
            _keep_owner_and_mode(descriptor, existing)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException as error:
        # Interrupted (Ctrl-C) or failed: never leave the temporary file behind.
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise ReaderError(f"cannot write {path}: {error.strerror}") from None
        raise
    _sync_folder(folder)


TEMPORARY_SUFFIX = ".reader-tmp"
"""How the names of `write_text_atomic`'s temporary files end."""

STALE_TEMPORARY_SECONDS = 3600
"""A temporary file older than this is stale even if its writer's pid is alive (reused)."""

_TEMPORARY = re.compile(r"\..+\.(\d+)-[0-9a-f]{12}" + re.escape(TEMPORARY_SUFFIX), re.DOTALL)
# Room for ".", ".<pid>-<12 hex>" and the suffix within the usual 255-byte name limit.
_NAME_BYTES = 200


def remove_stale_temporaries(folder: Path) -> None:
    """Delete the temporary files a killed `write_text_atomic` left in `folder`.

    Stale means its writer (the pid in the name) is no longer running, or it is older than
    `STALE_TEMPORARY_SECONDS`. Anything else is left alone; failures are ignored (the
    next write tries again).
    """
    now = time.time()
    try:
        entries = os.scandir(folder)
    except OSError:
        return
    with entries:
        for entry in entries:
            match = _TEMPORARY.fullmatch(entry.name)
            if match is None:
                continue
            with contextlib.suppress(OSError):
                if not entry.is_file(follow_symlinks=False):
                    continue
                age = now - entry.stat(follow_symlinks=False).st_mtime
                if age > STALE_TEMPORARY_SECONDS or not _running(int(match.group(1))):
                    os.unlink(entry.path)


def _resolve_link(path: Path) -> Path:
    """The file a write to `path` should replace: `path`, or the file its link points to."""
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if not target.exists():
        raise ReaderError(
            f"{path} is a symbolic link to {target}, which does not exist; not followed"
        )
    return target


def _create_temporary(folder: Path, name: str, path: Path) -> tuple[int, Path]:
    """A new, empty temporary file next to `name` in `folder`: (descriptor, path)."""
    short = name
    while len(os.fsencode(short)) > _NAME_BYTES:
        short = short[:-1]
    for _ in range(100):
        temporary = folder / f".{short}.{os.getpid()}-{secrets.token_hex(6)}{TEMPORARY_SUFFIX}"
        try:
            # 0o666 less the umask, as for any new file (mkstemp would give 0o600).
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
        except OSError as error:
            raise ReaderError(f"cannot write {path}: {error.strerror}") from None
    raise ReaderError(f"cannot write {path}: no free temporary file name in {folder}")


def _keep_owner_and_mode(descriptor: int, existing: os.stat_result) -> None:
    """Give the new file the replaced one's owner (where allowed) and mode."""
    mine = os.fstat(descriptor)
    if (mine.st_uid, mine.st_gid) != (existing.st_uid, existing.st_gid):
        # Only root may give a file away; others keep their own file, which is fine.
        with contextlib.suppress(OSError):
            os.fchown(descriptor, existing.st_uid, existing.st_gid)
    # After chown, which may clear the set-id bits.
    os.fchmod(descriptor, stat.S_IMODE(existing.st_mode))


def _sync_folder(folder: Path) -> None:
    """Make the rename durable; not every system can open a folder, so failure is fine."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _running(pid: int) -> bool:
    """Whether a process `pid` exists on this machine (True when it cannot be told)."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        # On Windows `os.kill(pid, 0)` would not test, it would act.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        # PermissionError: it exists, as someone else's; OverflowError: not a real pid.
        return True
    return True


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return "not a valid file name" if isinstance(error, ValueError) else str(error)


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (created if need be) for the block.

    Every process that locks the same path waits for the others: a read-modify-write of
    a small file under it never loses another process's change. POSIX `flock`; where
    there is none (Windows), one process at a time is assumed and nothing is locked.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as error:
        raise ReaderError(f"cannot lock {path}: {_reason(error)}") from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
