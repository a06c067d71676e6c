"""The commands that open the app (the only ones that import Textual)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from reader.errors import ReaderError


def run_app(folder: Path, *, samples: bool = False) -> int:
    """Open the TUI on the library in `folder` (only this command imports Textual)."""
    from reader import importing
    from reader.library import Library
    from reader.tui.app import make_app

    # `reader serve` runs the app with Textual's web driver, over pipes.
    served = "web_driver" in os.environ.get("TEXTUAL_DRIVER", "")
    if not served and (not sys.stdin.isatty() or not sys.stdout.isatty()):
        raise ReaderError("the app needs a terminal; use `reader list` in scripts and pipes")
    with Library(folder) as library:
        if samples:
            library.import_papers(importing.sample_items())
        app = make_app(library)
        app.run()
    return app.return_code or 0


def demo() -> int:
    """The app on the bundled samples, in a throwaway library (the user's is untouched)."""
    with tempfile.TemporaryDirectory(prefix="reader-demo-") as folder:
        return run_app(Path(folder), samples=True)
