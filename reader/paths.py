"""Where a library lives: `--library DIR`, else `READER_HOME`, else the user data folder."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_NAME = "reader"
ENV_HOME = "READER_HOME"


def library_folder(option: str | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The library folder to use; nothing is created here."""
    if option:
        return Path(option).expanduser()
    environ = os.environ if environ is None else environ
    if environ.get(ENV_HOME):
        return Path(environ[ENV_HOME]).expanduser()
    # Imported late: only commands that need the default folder pay for platformdirs.
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)
