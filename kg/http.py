"""A small HTTP client for SPARQL stores (standard library ``urllib``; no extra dependency).

The SPARQL 1.1 Protocol and the Graph Store Protocol need no more than requests with a body and a
few headers. Credentials go to the endpoint's own host only (basic or digest, as the store wants:
Virtuoso's ``/sparql-graph-crud-auth`` wants digest). Every failure becomes one :class:`RemoteError`
line naming the method, the address and what the store said.

A store is untrusted (:mod:`kg.httpguard`): each exchange ends by one deadline (``Endpoint.timeout``,
which ``--timeout`` sets), however slowly the store answers; an answer may hold at most
:data:`MAX_HEADERS` header lines in :data:`MAX_HEADER_BYTES` and a body of ``Endpoint.max_body`` bytes;
a redirect is not followed (the message says where it pointed); only http and https are spoken.
"""

from __future__ import annotations

import dataclasses
import http.client
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Literal as TypingLiteral

from kg.errors import DiplokgError
from kg.httpguard import Caps, Deadline, DeadlinePassed, Overflow
from kg.httpguard import opener as guarded_opener

AuthScheme = TypingLiteral["basic", "digest"]
DatasetMode = TypingLiteral["ours", "store"]

#: The most header lines an answer may have. Python's HTTP client refuses more than 100 (a guard against
#: an endless answer); Virtuoso echoes each ``default-graph-uri`` of a request in a header line of its
#: own (``X-SPARQL-default-graph``), and a build can have a graph per source, over a thousand (the
#: synthetic million-triple world has 1,068). The limit stays, raised.
MAX_HEADERS = 20_000
http.client._MAXHEADERS = max(getattr(http.client, "_MAXHEADERS", 100), MAX_HEADERS)  # type: ignore[attr-defined]

#: The most bytes the status line and header lines of an answer may take, together.
MAX_HEADER_BYTES = 4 * 1024 * 1024
#: The largest body an answer may have, by default.
MAX_BODY_BYTES = 256 * 1024 * 1024
#: The default deadline of one exchange, in seconds.
DEFAULT_TIMEOUT = 300.0

#: The environment variable a password is read from when none is given on the command line.
PASSWORD_ENV = "DIPLOKG_ENDPOINT_PASSWORD"


class RemoteError(DiplokgError):
    """A store could not be reached or refused a request (exit 2).

    Attributes:
        status: The HTTP status code, when the store answered.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Endpoint:
    """Where a store listens, and how to sign in to it.

    Attributes:
        url: The address (``http://127.0.0.1:7878/query``).
        user: A user name, when the store wants one.
        password: That user's password.
        auth: ``digest`` or ``basic``.
        timeout: The deadline of each exchange, in seconds: connecting, sending, and the whole answer.
        dataset: For queries: ``ours`` names our graphs in every request (right on any store);
            ``store`` leaves the dataset to the store, whose default graph must then be the union of
            its graphs and hold only the build (faster on Oxigraph, see :mod:`kg.query.remote`).
        max_body: The largest body an answer may have, in bytes.
    """

    url: str
    user: str | None = None
    password: str | None = None
    auth: AuthScheme = "digest"
    timeout: float = DEFAULT_TIMEOUT
    dataset: DatasetMode = "ours"
    max_body: int = MAX_BODY_BYTES

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RemoteError(f"--endpoint {self.url!r}: expected an http:// or https:// address")
        if not self.timeout > 0:
            raise RemoteError(f"--timeout {self.timeout!r}: expected a number of seconds above 0")

    def at(self, url: str) -> Endpoint:
        """The same credentials for another address."""
        return dataclasses.replace(self, url=url)

    def opener(self, deadline: Deadline | None = None) -> urllib.request.OpenerDirector:
        """An opener for one exchange (:func:`kg.httpguard.opener`: bounded, no redirect, no proxy) that
        signs in to this endpoint's host only.

        Args:
            deadline: The exchange's deadline (default: ``timeout`` seconds from now).
        """
        handlers: list[urllib.request.BaseHandler] = []
        if self.user is not None:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, self.url, self.user, self.password or "")
            handler: urllib.request.BaseHandler = (
                urllib.request.HTTPDigestAuthHandler(manager)
                if self.auth == "digest"
                else urllib.request.HTTPBasicAuthHandler(manager)
            )
            handlers.append(handler)
        return guarded_opener(deadline or Deadline(self.timeout), self.caps(), *handlers)

    def caps(self) -> Caps:
        """What one answer may hold."""
        return Caps(header_bytes=MAX_HEADER_BYTES, body_bytes=self.max_body)


def password_from_env(given: str | None) -> str | None:
    """The password given, else the one in :data:`PASSWORD_ENV` (so it need not be on a command line)."""
    return given if given is not None else os.environ.get(PASSWORD_ENV)


@dataclass
class Response:
    """A store's answer: status, headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def request(
    endpoint: Endpoint,
    method: str,
    url: str | None = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    ok: tuple[int, ...] = (200, 201, 204),
) -> Response:
    """Send one request and return the answer.

    Args:
        endpoint: The store (its credentials, its timeout).
        method: GET, POST, PUT, DELETE ...
        url: The address (default: the endpoint's own).
        body: The request body.
        headers: Request headers.
        ok: The statuses that count as success; any other raises.

    Raises:
        RemoteError: No answer (refused, timed out) or an answer with another status.
    """
    target = url or endpoint.url
    req = urllib.request.Request(target, data=body, method=method, headers=headers or {})
    deadline = Deadline(endpoint.timeout)
    try:
        if body and endpoint.user is not None and endpoint.auth == "digest":
            # A store answers an unsigned request with 401 before it reads the body, and closes the
            # connection under a large one: sign requests with a body up front (RFC 7616 digest, the
            # challenge fetched once with a request without a body).
            req.add_unredirected_header("Authorization", _digest_header(endpoint, req, deadline))
        try:
            with endpoint.opener(deadline).open(req, timeout=deadline.left()) as answer:
                response = Response(answer.status, _headers(answer.headers), answer.read())
        except urllib.error.HTTPError as exc:
            response = Response(exc.code, _headers(exc.headers), exc.read() or b"")
    except RemoteError:
        raise
    except Exception as exc:  # any way an exchange fails is one line (the ones expected are below)
        raise RemoteError(f"{method} {_plain(target)}: {_failure(exc, endpoint.timeout)}") from None
    if response.status not in ok:
        if 300 <= response.status < 400:
            where = response.headers.get("location", "")
            raise RemoteError(
                f"{method} {_plain(target)}: the store answered {response.status}, a redirect"
                f"{' to ' + _plain(where) if where else ''}, not followed: give the address it names",
                status=response.status,
            )
        raise RemoteError(
            f"{method} {_plain(target)}: the store answered {response.status}: {first_line(response.body)}",
            status=response.status,
        )
    return response


def _headers(message: Message | None) -> dict[str, str]:
    return {k.lower(): v for k, v in (message or {}).items()}


def _failure(exc: BaseException, seconds: float) -> str:
    """What went wrong in an exchange, in words."""
    reason = getattr(exc, "reason", None) if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, DeadlinePassed | TimeoutError):
        return f"timed out: no complete answer within {seconds:g} s (the deadline --timeout sets)"
    if isinstance(exc, Overflow):
        return f"the answer is refused: {exc} (the cap)"
    if isinstance(exc, http.client.HTTPException):
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return f"the store's answer is malformed ({type(exc).__name__}: {detail})"
    return f"no answer ({reason})"


_CHALLENGES: dict[tuple[str, str], dict[str, str]] = {}
_SIGNERS: dict[tuple[str, str], urllib.request.HTTPDigestAuthHandler] = {}


def _digest_header(endpoint: Endpoint, req: urllib.request.Request, deadline: Deadline) -> str:
    """An ``Authorization: Digest`` value for ``req``, from the endpoint's challenge (fetched once,
    within the request's deadline)."""
    key = (urllib.parse.urlsplit(req.full_url).netloc, endpoint.user or "")
    if key not in _CHALLENGES:
        probe = urllib.request.Request(req.full_url, method="GET")
        header = ""
        try:
            with guarded_opener(deadline, endpoint.caps()).open(probe, timeout=deadline.left()) as answer:
                answer.read()
        except urllib.error.HTTPError as exc:
            header = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 and exc.headers else ""
        except Exception as exc:  # as in request(): one line
            raise RemoteError(f"GET {_plain(req.full_url)}: {_failure(exc, deadline.seconds)}") from None
        if not header.lower().startswith("digest "):
            return ""
        _CHALLENGES[key] = urllib.request.parse_keqv_list(urllib.request.parse_http_list(header[7:]))
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, req.full_url, endpoint.user or "", endpoint.password or "")
        _SIGNERS[key] = urllib.request.HTTPDigestAuthHandler(manager)
    value = _SIGNERS[key].get_authorization(req, _CHALLENGES[key])
    return f"Digest {value}" if value else ""


def first_line(body: bytes, limit: int = 200) -> str:
    """The first non-empty line of a body, shortened (stores answer errors in HTML or plain text)."""
    text = body.decode("utf-8", "replace")
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("<!") and line.lower() not in ("<html>", "<body>", "<head>"):
            return line[:limit]
    return "(no message)"


def _plain(url: str) -> str:
    """The address without its query string (which may be long, or carry a whole query)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
