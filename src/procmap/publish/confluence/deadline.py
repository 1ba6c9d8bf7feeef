"""A time limit on a whole request, from connecting to the last byte of the
answer. httpx's timeouts hold for each socket operation: a server sending a
byte every few seconds never trips them and holds a request for ever. Here
every socket operation gets what is left of the limit instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from ssl import SSLContext
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import httpcore
import httpx

_PIECE = 1 << 16  # writes go in pieces, so that a slow reader meets the limit too


class Deadline:
    """When the request under way must be over (None: no limit), and why,
    for the message."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.at: float | None = None
        self.why = ""

    def left(self, timeout: float | None, error: type[Exception]) -> float | None:
        """`timeout`, shortened to the time left; `error` once it is gone."""
        if self.at is None:
            return timeout
        left = self.at - self.clock()
        if left <= 0:
            raise error(self.why)
        return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self.inner, self.deadline = inner, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self.deadline.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        for start in range(0, len(buffer), _PIECE):
            self.inner.write(buffer[start:start + _PIECE],
                             self.deadline.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _Stream(self.inner.start_tls(
            ssl_context, server_hostname, self.deadline.left(timeout, httpcore.ConnectTimeout)),
            self.deadline)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend, deadline: Deadline) -> None:
        self.inner, self.deadline = inner, deadline

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _Stream(self.inner.connect_tcp(
            host, port, self.deadline.left(timeout, httpcore.ConnectTimeout), local_address,
            socket_options), self.deadline)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        return _Stream(self.inner.connect_unix_socket(
            path, self.deadline.left(timeout, httpcore.ConnectTimeout), socket_options),
            self.deadline)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def transport(deadline: Deadline, url: str) -> httpx.HTTPTransport:
    """httpx's own transport for `url`, its sockets held to `deadline`. httpx
    takes no network backend of its own, so the one of its connection pool
    is wrapped. A client given a transport no longer reads HTTPS_PROXY and
    NO_PROXY, so the proxy they name for `url` is passed on here."""
    host, scheme = urlsplit(url).hostname or "", urlsplit(url).scheme
    proxy = None if proxy_bypass(host) else getproxies().get(scheme)
    out = httpx.HTTPTransport(proxy=proxy)
    pool = out._pool
    pool._network_backend = _Backend(pool._network_backend, deadline)
    return out
