"""Connections bounded in time, size and number: uvicorn's HTTP protocol (httptools) with limits of ours.

uvicorn keeps a connection open as long as its client sends bytes, however slowly, and answers every
request 503 once it holds ``limit_concurrency`` connections: 1,100 connections sending a header a byte
at a time made every request 503 while they stayed open. :class:`GuardedHttp` bounds each phase of a
connection and makes room for new ones at the expense of the slow and the idle:

- the request head (request line and headers) must arrive within ``head_seconds`` of its first byte
  (or of the connection), hold at most ``head_bytes`` and ``max_headers`` lines: else **408** or
  **431**, one line, and the connection is closed;
- a body must arrive within ``body_seconds`` of its head (else **408**) and declare at most
  ``body_bytes`` (else **413** before it is read; :mod:`kg.serve.guard` counts a body sent in chunks);
- an idle kept-alive connection is closed after uvicorn's ``timeout_keep_alive``;
- past ``max_connections`` open connections, a new one closes the connection that has been waiting
  longest for its head or body or idle, never one whose request is being answered (when every one is,
  the new one is answered 503).

Requests on connections that sent their request in good time are never refused for want of a connection.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Literal

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

Phase = Literal["head", "body", "answer", "idle"]


@dataclass(frozen=True)
class ConnectionLimits:
    """What one connection may take (see the module's docstring)."""

    head_seconds: float = 10.0
    body_seconds: float = 30.0
    head_bytes: int = 64 * 1024
    max_headers: int = 100
    body_bytes: int = 1024 * 1024
    max_connections: int = 1000


class _Refused(Exception):
    """Raised from a parser callback to stop reading a connection we answered and closed."""


class GuardedHttp(HttpToolsProtocol):
    """uvicorn's httptools protocol with :class:`ConnectionLimits` (set on a subclass, see :func:`guarded`)."""

    limits = ConnectionLimits()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._phase: Phase = "head"
        self._since = self.loop.time()
        self._head_size = 0  # bytes received since the head began (it may not be complete)
        self._head_read = 0
        self._header_count = 0
        self._refused = False
        self._timer: asyncio.TimerHandle | None = None
        self._arm(self.limits.head_seconds, "the request's head")
        self._make_room()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # -- phases and timers ---------------------------------------------------------------------------
    def _enter(self, phase: Phase) -> None:
        self._phase = phase
        self._since = self.loop.time()

    def _arm(self, seconds: float, what: str) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, self._too_slow, what, seconds)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _too_slow(self, what: str, seconds: float) -> None:
        self._timer = None
        if self._phase in ("head", "body"):
            self._refuse(408, f"{what} did not arrive within {seconds:g} s")

    @property
    def evictable(self) -> bool:
        """Whether closing this connection loses no request being answered."""
        return self._phase != "answer"

    def _make_room(self) -> None:
        open_now = self.connections
        if len(open_now) <= self.limits.max_connections:
            return
        others = [c for c in open_now if isinstance(c, GuardedHttp) and c is not self and c.evictable]
        if not others:
            self._refuse(503, f"busy: {len(open_now) - 1} connections are being answered; try again")
            return
        oldest = min(others, key=lambda c: c._since)
        oldest._disarm()
        oldest._refused = True
        oldest.transport.close()

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` with one line (unless an answer was begun) and close the connection."""
        self._disarm()
        if self._refused:
            return
        self._refused = True
        if not self.transport.is_closing() and (self.cycle is None or not self.cycle.response_started):
            body = f"diplokg: {message}\n".encode()
            self.transport.write(b"".join([
                STATUS_LINE[status], b"content-type: text/plain; charset=utf-8\r\n",
                b"content-length: " + str(len(body)).encode() + b"\r\n", b"connection: close\r\n\r\n", body,
            ]))
        self.transport.close()

    # -- reading -------------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self._refused or self.transport.is_closing():
            return
        self._unset_keepalive_if_required()
        if self._phase == "head":
            self._head_size += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError:
            if not self._refused:
                self._refuse(400, "the request could not be read")
            return
        except httptools.HttpParserUpgrade:
            self._refuse(400, "no protocol upgrade here")
            return
        except httptools.HttpParserError:
            self._refuse(400, "the request is not HTTP/1.1")
            return
        if self._phase == "head" and self._head_size > self.limits.head_bytes:
            self._head_too_large()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_read = 0  # the request line's target and the header lines, as parsed
        self._header_count = 0
        if self._phase != "head":
            self._enter("head")
            self._head_size = 0
            self._arm(self.limits.head_seconds, "the request's head")

    def on_url(self, url: bytes) -> None:
        self._head_read += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        self._head_read += len(name) + len(value) + 4
        if self._header_count > self.limits.max_headers:
            self._refuse(431, f"the request has more than {self.limits.max_headers} header lines")
            raise _Refused
        super().on_header(name, value)

    def _head_too_large(self) -> None:
        self._refuse(431, f"the request's head is over {self.limits.head_bytes // 1024} KiB "
                          "(a long query goes in a POST body)")

    def on_headers_complete(self) -> None:
        self._disarm()
        if self._head_read > self.limits.head_bytes:
            self._head_too_large()
            raise _Refused
        fields = dict(self.headers)
        length = fields.get(b"content-length", b"0").strip() or b"0"
        if not length.isdigit():
            self._refuse(400, "the Content-Length is not a number")
            raise _Refused
        if int(length) > self.limits.body_bytes:
            self._refuse(413, f"the request's body is over {self.limits.body_bytes // 1024} KiB "
                              f"({int(length) // 1024} KiB)")
            raise _Refused
        if int(length) > 0 or b"chunked" in fields.get(b"transfer-encoding", b"").lower():
            self._enter("body")
            self._arm(self.limits.body_seconds, "the request's body")
        else:
            self._enter("answer")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        if self._phase != "answer":
            self._enter("answer")
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._phase == "answer":
            self._enter("idle")


def guarded(limits: ConnectionLimits) -> type[GuardedHttp]:
    """The protocol class for uvicorn's ``Config(http=...)`` with these limits."""
    attributes: dict[str, Any] = {"limits": limits}
    return type("DiplokgHttp", (GuardedHttp,), attributes)
