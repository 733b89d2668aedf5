"""HTTP exchanges bounded in time and size, for :mod:`kg.http` (standard library only).

``urllib``'s timeout bounds each socket operation, not the exchange: a store that answers one byte
every few seconds is never cut off, and Python's HTTP client reads as many header lines (up to its
count) and as large a body as a store sends. Here one :class:`Deadline` bounds the whole exchange
(connect, send, status line, headers, body, a sign-in's second round), every read of the socket
passes through :class:`_Guarded` (which counts the bytes and gives the socket only the time left),
and an opener made by :func:`opener` follows no redirect and speaks only HTTP and HTTPS (no ``ftp:``,
``file:`` or ``data:`` handler, no proxy).
"""

from __future__ import annotations

import functools
import http.client
import io
import socket
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any


class Overflow(Exception):
    """An answer went past one of its caps. ``args[0]`` says which, in words."""


class DeadlinePassed(TimeoutError):
    """The exchange ran past its deadline."""


@dataclass
class Deadline:
    """One deadline for a whole exchange.

    Attributes:
        seconds: How long the exchange may take.
    """

    seconds: float
    start: float = field(default_factory=time.monotonic)

    def left(self) -> float:
        """The seconds left.

        Raises:
            DeadlinePassed: None are.
        """
        remaining = self.start + self.seconds - time.monotonic()
        if remaining <= 0:
            raise DeadlinePassed(f"no complete answer within {self.seconds:g} s")
        return remaining


@dataclass(frozen=True)
class Caps:
    """What one answer may hold.

    Attributes:
        header_bytes: The status line and the header lines, together.
        body_bytes: The body (as sent: chunked framing included).
    """

    header_bytes: int
    body_bytes: int


class _Guarded(io.RawIOBase):
    """A socket's reads, each given only the time left and counted against a cap."""

    def __init__(self, sock: socket.socket, deadline: Deadline, caps: Caps) -> None:
        super().__init__()
        self.sock, self.deadline, self.caps = sock, deadline, caps
        self.count = 0
        self.limit = caps.header_bytes
        self.what = f"header lines over {caps.header_bytes:,} bytes"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.count > self.limit:
            raise Overflow(self.what)
        self.sock.settimeout(self.deadline.left())
        try:
            n = self.sock.recv_into(buffer)
        except TimeoutError:
            raise DeadlinePassed(f"no complete answer within {self.deadline.seconds:g} s") from None
        self.count += n
        if self.count > self.limit:
            raise Overflow(self.what)
        return n

    def body(self) -> None:
        """The headers are read: from now on the body's cap counts (what was read ahead included)."""
        self.limit = self.count + self.caps.body_bytes
        self.what = f"a body over {self.caps.body_bytes:,} bytes"


class _Response(http.client.HTTPResponse):
    """A response read through :class:`_Guarded`."""

    def __init__(self, sock: socket.socket, *args: Any, deadline: Deadline, caps: Caps, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        # The socket's own file is kept (unread) so that the socket stays open once the connection lets
        # go of it, as it does; every read goes through the guard.
        self._plain: Any = self.fp
        self.guard = _Guarded(sock, deadline, caps)
        self.fp = io.BufferedReader(self.guard)  # type: ignore[assignment]

    def _close_conn(self) -> None:
        super()._close_conn()  # type: ignore[misc]
        plain, self._plain = self._plain, None
        if plain is not None:
            plain.close()

    def begin(self) -> None:
        super().begin()
        self.guard.body()
        length = self.length
        if length is not None and length > self.guard.caps.body_bytes:
            raise Overflow(f"a body of {length:,} bytes, over {self.guard.caps.body_bytes:,}")


class _Connection(http.client.HTTPConnection):
    """A connection whose connect, sends and reads all end by one deadline."""

    def __init__(self, host: str, *args: Any, deadline: Deadline, caps: Caps, **kwargs: Any) -> None:
        kwargs["timeout"] = deadline.left()
        super().__init__(host, *args, **kwargs)
        self.deadline = deadline
        self.response_class = functools.partial(_Response, deadline=deadline, caps=caps)  # type: ignore[assignment]

    def connect(self) -> None:
        self.timeout = self.deadline.left()
        super().connect()

    def send(self, data: Any) -> None:
        if self.sock is not None:
            self.sock.settimeout(self.deadline.left())
        super().send(data)


class _SecureConnection(_Connection, http.client.HTTPSConnection):
    """:class:`_Connection` over TLS."""


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline, caps: Caps) -> None:
        super().__init__()
        self.deadline, self.caps = deadline, caps

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_Connection, deadline=self.deadline, caps=self.caps), req)  # type: ignore[arg-type]


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline, caps: Caps) -> None:
        super().__init__()
        self.deadline, self.caps = deadline, caps

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_SecureConnection, deadline=self.deadline, caps=self.caps), req,  # type: ignore[arg-type]
                            context=self._context)  # type: ignore[attr-defined]


def opener(deadline: Deadline, caps: Caps, *auth: urllib.request.BaseHandler) -> urllib.request.OpenerDirector:
    """An opener for one exchange: HTTP and HTTPS only, bounded by ``deadline`` and ``caps``, no
    redirect followed (a 3xx answer is an ``HTTPError`` like any other status), no proxy.

    Args:
        deadline: The exchange's deadline (shared by a sign-in's second round).
        caps: What the answer may hold.
        auth: Sign-in handlers (basic or digest) for the endpoint's own host.
    """
    director = urllib.request.OpenerDirector()
    for handler in (_HTTPHandler(deadline, caps), _HTTPSHandler(deadline, caps), urllib.request.UnknownHandler(),
                    urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPErrorProcessor(), *auth):
        director.add_handler(handler)
    return director
