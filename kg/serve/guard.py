"""What a request must show before the application reads it: the right Host, no cross-site origin,
a bounded body.

A server on an analyst's laptop runs next to their browser, where any web page can send it requests:

- **DNS rebinding**: a page at ``http://evil.example`` whose name is made to resolve to 127.0.0.1 reads
  the server as its own origin. The ``Host`` header then names the page's site: a request is answered
  only when its ``Host`` is the address served (any IP address when listening on all of them),
  ``localhost`` when that address is loopback, or a name given with ``--allow-host`` (``'*'``: any,
  behind a proxy that checks it), as Jupyter checks its ``local_hostnames``. Else **403**.
- **Cross-site requests**: a page may post a form, or load ``/sparql?query=...`` as an image, without
  reading the answer; the query runs all the same. A ``POST`` (or any method but GET, HEAD and
  OPTIONS) is answered only when its ``Origin`` is this server's own or a ``--cors-origin``, or, without
  ``Origin``, when its ``Sec-Fetch-Site`` is ``same-origin`` or ``none`` (or absent: not a browser);
  a GET from another site is answered when it is a navigation (a link followed) or comes from a
  ``--cors-origin``. Else **403**. (Jupyter checks ``Origin`` the same way for its API, and asks for
  a token besides.)
- **Bodies**: at most ``body_bytes`` each (**413**, one line), read whole before the application sees
  them, and at most ``held_bytes`` held by all requests at once (**503**): a thousand clients posting a
  megabyte each cannot hold a gigabyte of the server's memory.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

_SAFE = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class HostRule:
    """Which ``Host`` headers name this server.

    Attributes:
        address: The address listened on (an IP address, as bound).
        names: Further names allowed (``--allow-host``), lower case; ``*`` allows any.
    """

    address: str
    names: tuple[str, ...] = ()

    def allows(self, header: str | None) -> bool:
        """Whether a request with this ``Host`` header is for this server."""
        if "*" in self.names:
            return True
        if not header:
            return False
        host = header.strip()
        if host.startswith("["):
            host = host[1:].partition("]")[0]
        elif host.count(":") == 1:
            host = host.partition(":")[0]
        host = host.lower().rstrip(".")
        served = ipaddress.ip_address(self.address)
        try:
            asked = ipaddress.ip_address(host)
        except ValueError:
            if host in self.names:
                return True
            return host == "localhost" and (served.is_loopback or served.is_unspecified)
        return served.is_unspecified or asked == served


def _refusal(status: int, message: str) -> tuple[Message, Message]:
    body = f"diplokg: {message}\n".encode()
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]}
    return start, {"type": "http.response.body", "body": body}


class Guard:
    """ASGI middleware: the checks of the module's docstring, before the application.

    Args:
        app: The application.
        hosts: The ``Host`` headers answered.
        cors_origins: Origins allowed to send requests from their pages (``--cors-origin``).
        body_bytes: The largest body of one request.
        held_bytes: The most body bytes held by all requests being answered.
    """

    def __init__(self, app: App, hosts: HostRule, cors_origins: tuple[str, ...] = (),
                 body_bytes: int = 1024 * 1024, held_bytes: int = 64 * 1024 * 1024) -> None:
        self.app = app
        self.hosts = hosts
        self.cors_origins = frozenset(cors_origins)
        self.body_bytes = body_bytes
        self.held_bytes = held_bytes
        self.held = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refused = self._refused(scope["method"], headers)
        if refused is not None:
            for message in _refusal(*refused):
                await send(message)
            return
        if scope["method"] in _SAFE:
            await self.app(scope, receive, send)
            return
        await self._with_body(scope, receive, send, headers)

    def _refused(self, method: str, headers: dict[str, str]) -> tuple[int, str] | None:
        """The status and line a request is refused with, or None."""
        host = headers.get("host")
        if not self.hosts.allows(host):
            shown = repr(host[:80]) if host else "nothing"
            return 403, (f"the Host header names {shown}, not this server's address (a web page using DNS "
                         "rebinding?); to serve under that name, start with --allow-host NAME")
        origin = headers.get("origin")
        site = headers.get("sec-fetch-site", "").lower()
        ours = origin is not None and (origin == f"http://{host}" or origin in self.cors_origins)
        if method not in _SAFE:
            if origin is not None and not ours:
                return 403, (f"a {method} from another site's page ({origin[:80]}) is refused; only this server's "
                             "pages and --cors-origin origins may send one")
            if origin is None and site not in ("", "same-origin", "none"):
                return 403, f"a {method} from another site's page is refused ({site})"
            return None
        navigation = headers.get("sec-fetch-mode", "").lower() == "navigate"
        if site in ("cross-site", "same-site") and not navigation and not ours:
            return 403, "a request from another site's page is refused (a link to this server is fine)"
        return None

    async def _with_body(self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]) -> None:
        declared = headers.get("content-length", "")
        expected = int(declared) if declared.isdigit() else 0
        if expected > self.body_bytes:
            for message in _refusal(413, f"the request's body is over {self.body_bytes // 1024} KiB"):
                await send(message)
            return
        if self.held + expected > self.held_bytes:
            for message in _refusal(503, "busy: too many request bodies are held; try again"):
                await send(message)
            return
        chunks: list[bytes] = []
        size = 0
        self.held += expected
        try:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.body_bytes:
                    for reply in _refusal(413, f"the request's body is over {self.body_bytes // 1024} KiB"):
                        await send(reply)
                    return
                if size > expected:
                    self.held += size - expected
                    expected = size
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
            given = False

            async def replay() -> Message:
                nonlocal given
                if not given:
                    given = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await self.app(scope, replay, send)
        finally:
            self.held -= expected
