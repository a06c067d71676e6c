"""The app served to web browsers by textual-serve (`reader serve`): each browser tab
runs `reader` on the library with Textual's web driver, as another terminal would."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from reader.errors import ReaderError


def serve_app(folder: Path, host: str, port: int, url: str | None = None) -> None:
    """Serve the app on the library in `folder` at host:port until interrupted."""
    from textual_serve.server import Server

    command = shlex.join([sys.executable, "-m", "reader", "--library", str(folder)])
    server = Server(command, host=host, port=port, title="reader", public_url=url)
    try:
        server.serve()
    except OSError as error:
        raise ReaderError(f"cannot serve on {host}:{port}: {error.strerror or error}") from None
