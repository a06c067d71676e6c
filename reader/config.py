"""The user's configuration file: TOML in the user config folder.

`READER_CONFIG` names the folder (as `READER_HOME` names the library folder), else it is
the platform's user config folder (`~/.config/reader` on Linux). The file is read with the
standard library (`tomllib`) and changed with `tomlkit`, so the comments and the layout
the user wrote stay. Each change re-reads the file under a lock and replaces it atomically:
two processes changing different settings at once both keep their change, and a file the
user broke by hand is never overwritten (it is reported, in one line, until fixed).

`reader.settings.Settings` is the one reader of this file; nothing else opens it.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.errors import ReaderError
from reader.fileio import file_lock, write_text_atomic

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

APP_NAME = "reader"
ENV_CONFIG = "READER_CONFIG"
CONFIG_FILE = "config.toml"
MAX_CONFIG_BYTES = 1024 * 1024
"""A settings file is a few hundred bytes; a bigger one is a mistake, not settings."""

TEMPLATE = """\
# reader's settings (TOML). `reader config edit` opens this file; your comments are kept
# when reader changes a setting. Every setting is optional; see README: "Configuration".
#
# theme = "textual-dark"      # the app's theme (the command palette's theme picker sets it)
# sort = "date"               # date, upvotes, title or added (S in the app sets it)
# hf_days = 7                 # `reader fetch`: how many days back Hugging Face is caught up
# fetch_deadline = 60         # seconds one request may take
# pdf_max_mb = 100            # the largest PDF `reader pdf` downloads
# sync_dir = "~/Sync/reader"  # a shared folder: `reader sync` and the app sync through it
# sync_minutes = 5            # how often the app syncs while open (0: at start and quit)
#
# [saved.causal]              # reader saved add causal 'causal -survey' --watch
# query = "causal -survey"
# watch = true                # highlight its papers in the list
#
# [subscriptions.hf]          # reader subscribe hf
# source = "hf"
"""
"""What a new configuration file starts with: comments only."""


def config_folder(environ: Mapping[str, str] | None = None) -> Path:
    """The folder of the configuration file; nothing is created here."""
    environ = os.environ if environ is None else environ
    if environ.get(ENV_CONFIG):
        return Path(environ[ENV_CONFIG]).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The configuration file (it may not exist yet)."""
    return config_folder(environ) / CONFIG_FILE


class ConfigError(ReaderError):
    """The configuration file cannot be read, or a value cannot be stored in it."""


class ConfigFile:
    """One TOML file: its values (re-read when the file changes) and locked edits."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = path.with_name(path.name + ".lock")
        self._signature: tuple[int, int, int] | None = None
        self._data: dict[str, Any] = {}

    def data(self) -> dict[str, Any]:
        """The file's values ({} when there is no file); `ConfigError` when unreadable.

        Re-read only when the file changed on disk, so asking often costs a `stat`.
        """
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            self._signature, self._data = None, {}
            return self._data
        except OSError as error:
            raise ConfigError(f"cannot read {self.path}: {error.strerror}") from None
        signature = (info.st_ino, info.st_size, info.st_mtime_ns)
        if signature != self._signature:
            self._data = _parse(self._read_text(), self.path)
            self._signature = signature
        return self._data

    @contextlib.contextmanager
    def editing(self) -> Iterator[TOMLDocument]:
        """The file as a tomlkit document to change in the block; written when changed.

        The file is re-read under the lock first, so the edit applies to what is on disk
        now, not to an older copy. An exception in the block writes nothing.
        """
        import tomlkit

        with file_lock(self._lock):
            text = self._read_text() if self.path.exists() else TEMPLATE
            _parse(text, self.path)  # the same errors as reading: never overwrite a bad file
            try:
                document = tomlkit.parse(text)
            except (tomlkit.exceptions.TOMLKitError, RecursionError) as error:
                raise ConfigError(f"{self.path} cannot be edited: {error}") from None
            yield document
            changed = tomlkit.dumps(document)
            if changed == text:
                return
            try:
                encoded = changed.encode("utf-8")
                _parse(changed, self.path)
            except (UnicodeEncodeError, ConfigError):
                raise ConfigError(
                    f"cannot store that value in {self.path}: it is not valid text"
                ) from None
            if len(encoded) > MAX_CONFIG_BYTES:
                # Never write a file that reading would then refuse.
                raise ConfigError(
                    f"cannot store that in {self.path}: the file would grow past"
                    f" {MAX_CONFIG_BYTES // 1024} KiB"
                )
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.path, changed, force=True)
            self._signature = None

    def replace_if_unchanged(self, original: str, edited: str) -> bool:
        """Put `edited` in place of the file if it still holds `original` (under the
        lock, atomically); False, writing nothing, when another process changed it."""
        with file_lock(self._lock):
            current = self._read_text() if self.path.exists() else None
            if current is not None and current != original:
                return False
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.path, edited, force=True)
            self._signature = None
            return True

    def text(self) -> str:
        """The file's text as every reader of it decodes it (BOM dropped, line ends kept),
        or the template when there is no file; `ConfigError` when unreadable."""
        return self._read_text() if self.path.exists() else TEMPLATE

    def _read_text(self) -> str:
        """The file's text; `ConfigError` for what cannot be a settings file."""
        try:
            with open(self.path, "rb") as stream:
                info = os.fstat(stream.fileno())
                if not stat.S_ISREG(info.st_mode):
                    raise ConfigError(f"{self.path} is not a regular file")
                raw = stream.read(MAX_CONFIG_BYTES + 1)
        except OSError as error:
            raise ConfigError(f"cannot read {self.path}: {error.strerror}") from None
        if len(raw) > MAX_CONFIG_BYTES:
            raise ConfigError(f"{self.path} is larger than {MAX_CONFIG_BYTES // 1024} KiB")
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ConfigError(
                f"{self.path} is not UTF-8 text (bad byte at offset {error.start})"
            ) from None


def _parse(text: str, path: Path) -> dict[str, Any]:
    """The values of a TOML text; `ConfigError` naming the line of a mistake."""
    import tomllib  # only when a settings file exists: not on the way to a first start

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        problem = " ".join(str(error).split())
        raise ConfigError(
            f"{path} is not valid TOML: {problem}; fix it with `reader config edit`"
        ) from None
    except RecursionError:
        raise ConfigError(f"{path} is nested too deeply to be read") from None


def check(path: Path) -> None:
    """Raise `ConfigError` when the file at `path` exists and cannot be read."""
    ConfigFile(path).data()
