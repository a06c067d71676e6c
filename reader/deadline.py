"""An overall deadline for HTTP requests, on top of httpx's per-operation timeouts.

httpx's read timeout restarts with every chunk received, so a server that sends one byte
every few seconds can keep a request alive forever. Here every socket operation (connect,
TLS handshake, each write and each read) gets at most the time left before the deadline,
so a request ends within moments of it, whatever phase it is in.

The deadline is applied below httpx, in an httpcore network backend; `DeadlineTransport`
gives that backend to httpx's connection pools and, like httpx's default, honours the
HTTP(S)_PROXY, ALL_PROXY and NO_PROXY environment variables.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterable
from typing import TypeVar
from urllib.request import getproxies, proxy_bypass

import httpcore
import httpx

_T = TypeVar("_T")
SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class Deadline:
    """The moment the current request attempt must be over, shared by all its sockets.

    `start` arms it before an attempt and `clear` disarms it after; while disarmed, socket
    operations keep their own timeouts. `ran_out` tells whether the last timeout came from
    the deadline rather than from an operation's own timeout.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until: float | None = None
        self.ran_out = False

    def start(self, seconds: float) -> None:
        """Arm the deadline `seconds` from now."""
        self._until = self._clock() + seconds
        self.ran_out = False

    def clear(self) -> None:
        """Disarm the deadline (between requests, kept-alive connections have no clock)."""
        self._until = None

    def within(
        self,
        operation: Callable[[float | None], _T],
        timeout: float | None,
        timeout_error: type[httpcore.TimeoutException],
    ) -> _T:
        """`operation(t)`, where `t` is `timeout` or the time left, whichever is shorter.

        Raises `timeout_error` at once when no time is left; notes in `ran_out` when a
        timeout was the deadline's doing.
        """
        if self._until is None:
            return operation(timeout)
        left = self._until - self._clock()
        if left <= 0:
            # A zero socket timeout would mean "non-blocking", not "no time": refuse here.
            self.ran_out = True
            raise timeout_error("the request's deadline has passed")
        bounded = timeout is None or left < timeout
        try:
            return operation(left if bounded else timeout)
        except timeout_error:
            if bounded:
                self.ran_out = True
            raise


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake respects the deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._deadline.within(
            lambda left: self._stream.read(max_bytes, left), timeout, httpcore.ReadTimeout
        )

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._deadline.within(
            lambda left: self._stream.write(buffer, left), timeout, httpcore.WriteTimeout
        )

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        secured = self._deadline.within(
            lambda left: self._stream.start_tls(ssl_context, server_hostname, left),
            timeout,
            httpcore.ConnectTimeout,
        )
        return _DeadlineStream(secured, self._deadline)

    def get_extra_info(self, info: str) -> object:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own synchronous backend, with the deadline on every connection."""

    def __init__(self, deadline: Deadline) -> None:
        self._backend = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._deadline.within(
            lambda left: self._backend.connect_tcp(host, port, left, local_address, socket_options),
            timeout,
            httpcore.ConnectTimeout,
        )
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._deadline.within(
            lambda left: self._backend.connect_unix_socket(path, left, socket_options),
            timeout,
            httpcore.ConnectTimeout,
        )
        return _DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class DeadlineTransport(httpx.BaseTransport):
    """httpx's HTTP transport with `deadline` on every connection, proxied or direct."""

    def __init__(self, deadline: Deadline) -> None:
        backend = _DeadlineBackend(deadline)
        self._direct = _transport(backend)
        # What httpx does by default when given no transport: proxies from the environment.
        proxies = getproxies()
        self._proxied = {
            scheme: _transport(backend, url)
            for scheme in ("http", "https")
            if (url := proxies.get(scheme) or proxies.get("all"))
        }

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` through its proxy, if any applies, else directly."""
        proxied = self._proxied.get(request.url.scheme)
        if proxied is not None and not proxy_bypass(request.url.host):
            return proxied.handle_request(request)
        return self._direct.handle_request(request)

    def close(self) -> None:
        """Close every connection of every pool."""
        for transport in (self._direct, *self._proxied.values()):
            transport.close()


def _transport(backend: httpcore.NetworkBackend, proxy: str | None = None) -> httpx.HTTPTransport:
    """An `httpx.HTTPTransport` (through `proxy`, if given) whose pool uses `backend`."""
    transport = httpx.HTTPTransport(proxy=proxy)
    # httpx offers no public way to hand its pool a network backend. The pool reads this
    # attribute each time it opens a connection; fail loudly if a new httpcore moved it,
    # rather than silently losing the deadline.
    pool = transport._pool
    if not isinstance(getattr(pool, "_network_backend", None), httpcore.NetworkBackend):
        raise RuntimeError("this httpcore version keeps no _network_backend on its pool")
    pool._network_backend = backend
    return transport
