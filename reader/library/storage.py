"""A TinyDB storage that never leaves a half-written file behind.

TinyDB's default `JSONStorage` truncates its file and writes in place, so a crash or a
full disk mid-write leaves a broken file. This storage writes a temporary file next to
the real one, fsyncs it and renames it over the old one (an atomic step on POSIX and
Windows), then fsyncs the folder so the rename itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from reader.errors import StoreError


class AtomicJSONStorage(Storage):
    """JSON storage for TinyDB with atomic, durable writes and a read cache.

    TinyDB reads the whole file before every operation; the cache answers those reads
    from memory as long as the file on disk is the one this storage last saw (same
    size, mtime and inode), so another process's write is still picked up.
    """

    def __init__(self, path: str | os.PathLike[str], **_: Any) -> None:
        self._path = Path(path)
        self._cache: dict[str, Any] | None = None
        self._seen: tuple[int, int, int] | None = None
        self._batch_depth = 0
        self._batch_dirty = False

    @property
    def path(self) -> Path:
        """The JSON file this storage owns."""
        return self._path

    def read(self) -> dict[str, Any] | None:
        """Return the stored tables, or None for a store that does not exist yet."""
        if self._batch_depth or (self._cache is not None and self._signature() == self._seen):
            return self._cache
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            self._cache, self._seen = None, None
            return None
        except OSError as error:
            raise StoreError(f"cannot read the state file {self._path}: {error.strerror}") from None
        data = _decode(raw, self._path)
        self._cache, self._seen = data, self._signature()
        return data

    def write(self, data: dict[str, Any]) -> None:
        """Replace the stored tables with `data`, atomically and durably."""
        self._cache = data
        if self._batch_depth:
            self._batch_dirty = True
            return
        try:
            self._write_file(data)
        except BaseException:
            # The file still holds the old state; forget the cache so memory agrees.
            self._cache, self._seen = None, None
            raise

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group several TinyDB operations into one file write (all or nothing)."""
        self.read()
        self._batch_depth += 1
        try:
            yield
        except BaseException:
            self._batch_depth -= 1
            if not self._batch_depth:
                self._cache, self._seen, self._batch_dirty = None, None, False
            raise
        self._batch_depth -= 1
        if not self._batch_depth and self._batch_dirty:
            self._batch_dirty = False
            assert self._cache is not None
            self.write(self._cache)

    def close(self) -> None:
        """Nothing to release: every write is already on disk."""

    def _signature(self) -> tuple[int, int, int] | None:
        try:
            stat = self._path.stat()
        except OSError:
            return None
        return (stat.st_size, stat.st_mtime_ns, stat.st_ino)

    def _write_file(self, data: dict[str, Any]) -> None:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        folder = self._path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{self._path.name}.", dir=folder)
        except OSError as error:
            raise StoreError(
                f"cannot write the state file {self._path}: {error.strerror}"
            ) from None
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self._path)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise StoreError(
                f"cannot write the state file {self._path}: {error.strerror}"
            ) from None
        _fsync_folder(folder)
        self._seen = self._signature()


def _decode(raw: bytes, path: Path) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise StoreError(f"the state file {path} is damaged (not valid JSON)") from None
    if not isinstance(data, dict) or not all(isinstance(table, dict) for table in data.values()):
        raise StoreError(f"the state file {path} is damaged (unexpected structure)")
    return data


def _fsync_folder(folder: Path) -> None:
    # Makes the rename durable; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
