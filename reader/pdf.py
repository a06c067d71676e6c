"""PDFs: a paper's arXiv PDF, downloaded once into the user cache folder, opened with the
system's viewer.

The download keeps arXiv's spacing between requests (`FeedClient.get_arxiv`), refuses an
answer larger than `pdf_max_mb` (as soon as its length says so) or one that is not a PDF,
and lands in the cache atomically: a killed download leaves no half file to open later
(its temporary file is removed by the next download).
`READER_CACHE` names the cache folder (tests), else the platform's user cache folder;
`READER_PDF_VIEWER` names the viewer command, else the system's opener.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from reader.errors import ReaderError
from reader.feeds.client import FeedClient, FeedConfig, Received, open_client
from reader.fileio import write_bytes_atomic
from reader.identity import normalize_arxiv_id
from reader.model import Paper
from reader.settings import Settings

ENV_CACHE = "READER_CACHE"
ENV_VIEWER = "READER_PDF_VIEWER"
MAX_MB = 100
"""The largest PDF downloaded by default (`pdf_max_mb`); arXiv's own limit is 50 MB."""
_MAGIC = b"%PDF-"


def cache_folder(environ: Mapping[str, str] | None = None) -> Path:
    """The folder downloaded PDFs are kept in (under it, `pdf/`); nothing is created."""
    environ = os.environ if environ is None else environ
    if environ.get(ENV_CACHE):
        return Path(environ[ENV_CACHE]).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path("reader", appauthor=False)


def arxiv_id_of(paper: Paper) -> str:
    """The arXiv id whose PDF is the paper's; `ReaderError` when it has none."""
    arxiv_id = normalize_arxiv_id(paper.arxiv_id or "") if paper.arxiv_id else None
    if arxiv_id is None:
        raise ReaderError(f"{paper.key} has no arXiv id, so no arXiv PDF")
    return arxiv_id


def pdf_path(arxiv_id: str, folder: Path | None = None) -> Path:
    """Where the PDF of `arxiv_id` is cached ("hep-th/9901001" becomes "hep-th_9901001")."""
    return (folder or cache_folder()) / "pdf" / (arxiv_id.replace("/", "_") + ".pdf")


def max_bytes(settings: Settings) -> int:
    """The `pdf_max_mb` setting in bytes."""
    value = settings.get("pdf_max_mb", MAX_MB)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 10_000:
        raise ReaderError("setting pdf_max_mb must be a number of megabytes from 1 to 10000")
    return int(value * 1024 * 1024)


def is_cached(path: Path) -> bool:
    """Whether a complete PDF is in the cache at `path`."""
    try:
        with open(path, "rb") as stream:
            return stream.read(len(_MAGIC)) == _MAGIC
    except OSError:
        return False


def download(
    config: FeedConfig,
    arxiv_id: str,
    *,
    folder: Path | None = None,
    limit: int = MAX_MB * 1024 * 1024,
    progress: Received | None = None,
    client: FeedClient | None = None,
) -> Path:
    """The cached PDF of `arxiv_id`, downloaded first unless it is in the cache already."""
    path = pdf_path(arxiv_id, folder)
    if is_cached(path):
        return path
    url = f"{config.arxiv_pdf_url}/{arxiv_id}"
    with open_client(config, client) as session:
        body = session.get_arxiv(url, max_bytes=limit, progress=progress)
    if not body.startswith(_MAGIC):
        # arXiv answers some missing or withdrawn papers with a page, not a PDF.
        raise ReaderError(f"no PDF for {arxiv_id}: the answer from {url} is not a PDF")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReaderError(f"cannot save the PDF in {path.parent}: {error.strerror}") from None
    write_bytes_atomic(path, body, force=True)
    return path


def viewer_command(path: Path, environ: Mapping[str, str] | None = None) -> list[str]:
    """The command that opens `path`: `READER_PDF_VIEWER` (a command line; the path is
    added at its end), else the system's opener."""
    environ = os.environ if environ is None else environ
    chosen = environ.get(ENV_VIEWER, "").strip()
    if chosen:
        try:
            words = shlex.split(chosen)
        except ValueError as error:
            raise ReaderError(f"{ENV_VIEWER} is not a command line: {error}") from None
        return [*words, str(path)]
    if sys.platform == "darwin":
        return ["open", str(path)]
    if os.name == "nt":
        return ["cmd", "/c", "start", "", str(path)]
    return ["xdg-open", str(path)]


def open_file(path: Path, environ: Mapping[str, str] | None = None) -> None:
    """Open `path` with the viewer, detached: reader does not wait for it to close."""
    command = viewer_command(path, environ)
    if shutil.which(command[0]) is None:
        raise ReaderError(
            f"cannot open the PDF: no {command[0]!r} command here; set {ENV_VIEWER}"
            f" (the PDF is {path})"
        )
    try:
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as error:
        raise ReaderError(f"cannot open the PDF with {command[0]}: {error.strerror}") from None
