"""The HTTP side of every feed: configuration, retries, spacing, deadlines, one-line errors.

Everything a fetch needs comes in through `FeedConfig` and an optional `FeedClient`; there is
no module-level state. The client retries 429 and 5xx answers with exponential backoff
(honouring a bounded `Retry-After`), spaces arXiv API calls as arXiv asks, ends any attempt
that outlives `FeedConfig.deadline` (see `reader.deadline`), and turns every failure into a
one-line `ReaderError` (server-provided text in it made printable). Its `sleep` and `clock`
are injectable so tests never wait.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from reader import __version__
from reader.deadline import Deadline, DeadlineTransport
from reader.errors import InputError, ReaderError
from reader.settings import Settings
from reader.sources.untrusted import quoted, valid_text
from reader.text import one_line

USER_AGENT = f"reader/{__version__} (+paper triage)"
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
"""No real listing comes close; a bigger answer is a broken or hostile server."""

_T = TypeVar("_T")
_P = TypeVar("_P")

Progress = Callable[[int], None]
"""Called with the number of papers read so far, after each page."""
Received = Callable[[int, int | None], None]
"""Called with the bytes of an answer received so far, and its length when known."""


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """Where the feeds live and how patiently to talk to them."""

    hf_url: str = "https://huggingface.co"
    """The Hub's base URL; the client appends "/api/daily_papers"."""
    arxiv_api_url: str = "http://export.arxiv.org/api/query"
    arxiv_rss_url: str = "https://rss.arxiv.org/rss"
    """The RSS base URL; the client appends "/<category>"."""
    arxiv_pdf_url: str = "https://arxiv.org/pdf"
    """The PDF base URL; the client appends "/<arXiv id>"."""
    arxiv_spacing: float = 3.0
    """Seconds between arXiv API calls, as the API's manual asks."""
    timeout: float = 20.0
    """Seconds to wait for a connection and for each read."""
    deadline: float = 60.0
    """Seconds one attempt at a request may take in all, from connecting to the last byte
    of the answer, however slowly the server trickles it (`timeout` only bounds each read).

    The deadline covers one attempt: an attempt that runs out of time ends the request (it
    is not retried), while a retry after a 429, a 5xx or a dropped connection gets a fresh
    deadline. So one request lasts at most `deadline * (1 + retries)` plus the waits
    between attempts, and a fetch of several pages makes one request per page."""
    retries: int = 3
    """Extra attempts after a 429 or 5xx answer."""
    backoff: float = 1.0
    """The first retry's wait in seconds; each later one doubles it."""
    max_retry_wait: float = 60.0
    """The longest wait a server's Retry-After can impose before a retry."""
    user_agent: str = USER_AGENT

    @classmethod
    def load(cls, environ: Mapping[str, str], settings: Settings | None = None) -> FeedConfig:
        """The configuration from `environ` (READER_HF_URL, READER_ARXIV_API_URL,
        READER_ARXIV_RSS_URL, READER_ARXIV_PDF_URL, READER_FETCH_DEADLINE), over
        `settings` (hf_url, arxiv_api_url, arxiv_rss_url, arxiv_pdf_url, arxiv_spacing,
        fetch_deadline), over the defaults.
        `ReaderError` on a value that cannot work."""
        values: dict[str, Any] = {}
        for name, variable in (
            ("hf_url", "READER_HF_URL"),
            ("arxiv_api_url", "READER_ARXIV_API_URL"),
            ("arxiv_rss_url", "READER_ARXIV_RSS_URL"),
            ("arxiv_pdf_url", "READER_ARXIV_PDF_URL"),
        ):
            value = environ.get(variable) or (settings.get(name) if settings else None)
            if value is not None:
                values[name] = _base_url(value, variable if environ.get(variable) else name)
        spacing = settings.get("arxiv_spacing") if settings else None
        if spacing is not None:
            # nan and inf compare false with everything: the range check refuses them too.
            if (
                isinstance(spacing, bool)
                or not isinstance(spacing, int | float)
                or not 0 <= spacing <= MAX_ARXIV_SPACING
            ):
                raise ReaderError(
                    "setting arxiv_spacing must be a number of seconds from 0 to"
                    f" {MAX_ARXIV_SPACING}, not {spacing!r}"
                )
            values["arxiv_spacing"] = float(spacing)
        deadline = _deadline(environ, settings)
        if deadline is not None:
            values["deadline"] = deadline
        return cls(**values)


MAX_ARXIV_SPACING = 600
"""The longest wait between arXiv calls the settings may ask for (arXiv asks for 3 s)."""


class FeedClient:
    """One HTTP session for a fetch: retries, arXiv spacing and one-line errors.

    Use it as a context manager (or call `close`). `sleep` and `clock` default to the real
    ones; tests pass fakes. The arXiv spacing is kept per client, so calls made through the
    same client are spaced even across fetch functions.
    """

    def __init__(
        self,
        config: FeedConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._clock = clock
        self._last_arxiv_call: float | None = None
        # Real time, never the injected clock: the deadline bounds real socket waits.
        self._deadline = Deadline()
        self._http = httpx.Client(
            timeout=httpx.Timeout(config.timeout),
            headers={"User-Agent": config.user_agent},
            follow_redirects=True,
            transport=DeadlineTransport(self._deadline),
        )

    def __enter__(self) -> FeedClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def get(
        self,
        url: str,
        params: Mapping[str, str | int] | None = None,
        *,
        min_wait: float = 0.0,
        max_bytes: int | None = None,
        progress: Received | None = None,
    ) -> bytes:
        """The body of a successful GET of `url`, retrying 429 and 5xx answers after at
        least `min_wait` seconds.

        An answer larger than `max_bytes` (default `MAX_RESPONSE_BYTES`) is refused, as
        soon as its length says so; `progress` is told the bytes received so far and the
        length, when known.

        Each attempt (redirects included) must end within `config.deadline` seconds.
        Raises `ReaderError` naming the host when it cannot be reached, does not answer in
        time, or answers with an error status (after the retries, for 429 and 5xx).
        """
        host = _host(url)
        attempts = 1 + max(self.config.retries, 0)
        for attempt in range(attempts):
            self._deadline.start(self.config.deadline)
            try:
                with self._http.stream("GET", url, params=params) as response:
                    if response.is_success:
                        return _read_capped(response, host, max_bytes, progress)
                    # The reason phrase is the server's own text: it may hold escapes.
                    status = f"{response.status_code} {quoted(response.reason_phrase)}".strip()
                    retryable = response.status_code == 429 or response.status_code >= 500
                    if not retryable or attempt == attempts - 1:
                        tried = (
                            f" (after {attempts} attempts)" if retryable and attempts > 1 else ""
                        )
                        raise ReaderError(f"{host} answered {status}{tried}")
                    wait = self._retry_wait(response.headers.get("Retry-After"), attempt)
            except httpx.TimeoutException as error:
                raise ReaderError(self._timeout_message(host, error)) from None
            except httpx.ConnectError as error:
                # Offline, DNS failure, refused: retrying would only make the user wait.
                raise ReaderError(f"cannot reach {host}: {_reason(error)}") from None
            except (httpx.RemoteProtocolError, httpx.ReadError) as error:
                # The connection dropped mid-answer: worth another try, like a 503.
                if attempt == attempts - 1:
                    raise ReaderError(f"{host} broke off its answer: {_reason(error)}") from None
                wait = self._retry_wait(None, attempt)
            except httpx.HTTPError as error:
                raise ReaderError(f"{host}: {_reason(error)}") from None
            finally:
                self._deadline.clear()
            self._sleep(max(wait, min_wait))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def get_arxiv(
        self,
        url: str,
        params: Mapping[str, str | int] | None = None,
        *,
        max_bytes: int | None = None,
        progress: Received | None = None,
    ) -> bytes:
        """`get`, waiting first so that arXiv calls are `arxiv_spacing` seconds apart."""
        if self._last_arxiv_call is not None:
            remaining = self.config.arxiv_spacing - (self._clock() - self._last_arxiv_call)
            if remaining > 0:
                self._sleep(remaining)
        try:
            # A retry is another call, so it keeps the spacing too.
            return self.get(
                url,
                params,
                min_wait=self.config.arxiv_spacing,
                max_bytes=max_bytes,
                progress=progress,
            )
        finally:
            self._last_arxiv_call = self._clock()

    def _timeout_message(self, host: str, error: httpx.TimeoutException) -> str:
        """What ran out: the whole attempt's deadline, the connection's or a read's time."""
        if self._deadline.ran_out:
            return f"{host} did not finish its answer within {self.config.deadline:g} s"
        if isinstance(error, httpx.ConnectTimeout):
            return f"cannot reach {host}: no connection within {self.config.timeout:g} s"
        return f"{host} did not answer within {self.config.timeout:g} s"

    def _retry_wait(self, retry_after: str | None, attempt: int) -> float:
        """Seconds before retry `attempt + 1`: the server's wish when given, bounded."""
        wait = float(self.config.backoff * (2**attempt))
        asked = _parse_retry_after(retry_after, self._now()) if retry_after else None
        if asked is not None:
            wait = asked
        return min(max(wait, 0.0), self.config.max_retry_wait)

    @staticmethod
    def _now() -> datetime:
        """The current time, for HTTP-date Retry-After values."""
        return datetime.now(UTC)


def _deadline(environ: Mapping[str, str], settings: Settings | None) -> float | None:
    """The deadline from READER_FETCH_DEADLINE or the fetch_deadline setting, if given."""
    text = environ.get("READER_FETCH_DEADLINE", "").strip()
    if text:
        name, value = "READER_FETCH_DEADLINE", _number(text)
    else:
        name, value = "setting fetch_deadline", settings.get("fetch_deadline") if settings else None
        if value is None:
            return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        shown = text if text else value
        raise ReaderError(f"{name} must be a positive number of seconds, not {shown!r}")
    return float(value)


def _number(text: str) -> float | None:
    """`text` as a number, or None when it is not one."""
    try:
        return float(text)
    except ValueError:
        return None


def _base_url(value: Any, name: str) -> str:
    """A configured base URL without its trailing slash; `ReaderError` if it is no URL."""
    if not isinstance(value, str):
        raise ReaderError(f"{name} must be an http(s) URL, not {value!r}")
    text = value.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ReaderError(f"{name} must be an http(s) URL, not {value!r}")
    return text


class Borrowed:
    """A caller's client lent to one fetch: leaving the block must not close it."""

    def __init__(self, client: FeedClient) -> None:
        self._client = client

    def __enter__(self) -> FeedClient:
        return self._client

    def __exit__(self, *_: object) -> None:
        return None


def open_client(config: FeedConfig, client: FeedClient | None) -> FeedClient | Borrowed:
    """The caller's client (left open) or a fresh one (closed at the end of the block)."""
    return Borrowed(client) if client is not None else FeedClient(config)


def parse_answer(url: str, parse: Callable[[_P], _T], payload: _P) -> _T:
    """`parse(payload)`, its `InputError` turned into a `ReaderError` naming the host.

    The XML parsers get the raw bytes so that the document's own encoding declaration rules.
    """
    try:
        return parse(payload)
    except InputError as error:
        # The parsers quote the server's words safely already; this is a second guard.
        reason = one_line(valid_text(str(error)))
        raise ReaderError(f"{_host(url)} sent an unreadable answer: {reason}") from None


def as_utf8(body: bytes, url: str) -> str:
    """`body` as text: JSON on the wire is always UTF-8."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ReaderError(f"{_host(url)} sent an unreadable answer: not UTF-8 text") from None


def _host(url: str) -> str:
    """The host (and port) part of `url`, as error messages name it."""
    return urlsplit(url).netloc or url


def _read_capped(
    response: httpx.Response,
    host: str,
    max_bytes: int | None = None,
    progress: Received | None = None,
) -> bytes:
    """The whole body, or `ReaderError` once it grows (or says it will grow) past
    `max_bytes` (by default `MAX_RESPONSE_BYTES`, read at call time)."""
    if max_bytes is None:
        max_bytes = MAX_RESPONSE_BYTES
    too_large = f"{host} sent more than {_megabytes(max_bytes)}; giving up"
    length = _number(response.headers.get("Content-Length", ""))
    expected = int(length) if length is not None and 0 <= length < 2**63 else None
    if expected is not None and expected > max_bytes:
        raise ReaderError(too_large)
    chunks: list[bytes] = []
    size = 0
    stream: Iterator[bytes] = response.iter_bytes()
    for chunk in stream:
        size += len(chunk)
        if size > max_bytes:
            raise ReaderError(too_large)
        chunks.append(chunk)
        if progress is not None:
            progress(size, expected)
    return b"".join(chunks)


def _megabytes(count: int) -> str:
    """A byte count for messages: "32 MB", or "500 bytes" below one."""
    megabytes = count / (1024 * 1024)
    return f"{megabytes:g} MB" if megabytes >= 1 else f"{count} bytes"


def _parse_retry_after(value: str, now: datetime) -> float | None:
    """Seconds asked for by a Retry-After header (delta-seconds or an HTTP date)."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


def _reason(error: httpx.HTTPError) -> str:
    """The one-line cause of a transport error (which may quote the server's bytes)."""
    return quoted(str(error)) or type(error).__name__
