"""``diplokg serve``: a read-only SPARQL 1.1 Protocol endpoint over the built graph, held in memory.

Served by uvicorn (ASGI) with a Starlette application (:mod:`kg.serve.app`). On 127.0.0.1 unless
``--host`` names another address.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg.cli.common import get_project, note, project_option
from kg.cli.query import ensure_built
from kg.cli.report import report_text
from kg.errors import DiplokgError
from kg.query.answers import keeping_answers
from kg.query.engine import BuiltGraph
from kg.query.library import library
from kg.query.sandbox import Limits

if TYPE_CHECKING:
    from kg.network.worldgraph import Rows


def explorer_page(graph: BuiltGraph, rows: Rows) -> str:
    """The explorer page as `diplokg explore` makes it (the network, and the world view when the graph
    holds it), its queries run as the server runs any: through its gate, in contained processes
    (``rows`` in its workers; the network's rules by ``graph.run``), never in the server's own."""
    from kg.network.explorer import explorer_inputs
    from kg.network.page import page_html

    inputs = explorer_inputs(keeping_answers(graph), rows)  # the network's answers kept; ``rows`` asked
    return page_html(inputs.graph, inputs.world, inputs.view, inputs.story)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def open_socket(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port).

    Raises:
        DiplokgError: The address cannot be bound (in use, not this machine's).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and
    # without it a small answer waited ~40 ms (Nagle behind the client's delayed ACK of the headers).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise DiplokgError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. Another than loopback makes the graph reachable from other machines.")
@click.option("--port", type=click.IntRange(0, 65535), default=7879, show_default=True,
              help="The port (0: any free port; the address is printed).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds a query may take, reading (vetting) it included, before it is stopped (answered 503).")
@click.option("--max-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Rows (or triples) an answer may have; more is answered 413.")
@click.option("--max-memory", "max_memory", type=click.IntRange(min=16), default=1024, show_default=True,
              metavar="MIB", help="MiB a query may allocate; more stops it (503).")
@click.option("--max-running", type=click.IntRange(min=1), default=4, show_default=True,
              help="Queries run at once in their turn, each in a contained worker forked once the build is "
                   "loaded; others wait their turn (up to --queue-seconds, then 503): a free turn goes to the kind "
                   "of query (its shape) that has used the least processor time, each kind in the order asked.")
@click.option("--max-long", type=click.IntRange(min=0), default=2, show_default=True,
              help="Long queries run beside the turns, at a lower priority: a query that has used 0.2 s of "
                   "processor time while others wait gives its turn up and goes on as a long one; when more "
                   "than this many would, the one that started first is stopped (503). 0: a query keeps its "
                   "turn until it ends. Workers forked: --max-running plus this.")
@click.option("--queue-seconds", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="How long a query waits for its turn.")
@click.option("--cache-mib", type=click.IntRange(min=0), default=512, show_default=True,
              help="MiB of answers kept per build (a build never changes, so the same query gives the same "
                   "answer); 0 keeps none.")
@click.option("--warm/--no-warm", default=True, show_default=True,
              help="Answer every question that needs no value once at start and on every new build "
                   "(before it is swapped in), so that clients find it kept.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="Let pages from this origin (e.g. https://yasgui.example.org) read answers (repeatable); "
                   "without it no CORS header is sent.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="A host name to answer under (repeatable), besides the address listened on (and localhost "
                   "on loopback): a request naming another Host is refused (403), so that no web page can read "
                   "the graph by DNS rebinding. '*' answers any (behind a proxy that checks Host).")
@click.option("--max-request-kib", type=click.IntRange(min=1), default=1024, show_default=True,
              help="KiB a request's body (a POSTed query) may have; more is answered 413. A request's URL and "
                   "headers may have 64 KiB (431).")
@click.option("--header-timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds a client has to send a request's URL and headers (and three times that for its "
                   "body); slower is answered 408 and the connection closed. An idle connection is closed "
                   "after 5 s.")
@click.option("--max-connections", type=click.IntRange(min=8), default=None,
              help="Connections kept open at once (default: what the file descriptors allow, at most 4096); "
                   "past it a new connection closes the one that has waited longest for its request, or is "
                   "answered 503 when every one is being answered.")
@project_option
def command(host: str, port: int, timeout: float, max_rows: int, max_memory: int, max_running: int,
            max_long: int, queue_seconds: float, cache_mib: int, warm: bool, cors_origins: tuple[str, ...],
            allow_hosts: tuple[str, ...], max_request_kib: int, header_timeout: float, max_connections: int | None,
            project: Path | None) -> None:
    """Serve the built graph (built first if needed) as a read-only SPARQL 1.1 Protocol endpoint at
    /sparql, with the questions at /questions, the explorer at /explorer, the report at /report, a
    query form at / and /health. The graph is held in memory and reloaded when a new build is
    published. Every query passes the same gate as the command line, in a contained worker, and runs
    within the limits that --timeout, --max-rows and --max-memory set (listed below). Only requests
    naming this server's address as their Host are answered, and a POST only from this server's own
    pages (or a --cors-origin).

    Queries may use the usual prefixes (diplo:, iso:, rdfs: ... as `diplokg query --help` lists them)
    without PREFIX lines; a query's own PREFIX wins. A diplo: term the ontology does not define is
    answered as any query, with a Diplokg-Warnings header naming it and the closest defined term.
    """
    import uvicorn

    from kg.serve.app import Settings, make_app
    from kg.serve.connections import ConnectionLimits, guarded
    from kg.serve.guard import HostRule
    from kg.serve.live import LiveGraph

    for origin in cors_origins:
        if origin == "*" or not origin.startswith(("http://", "https://")):
            raise DiplokgError(f"--cors-origin {origin!r}: name an origin such as https://example.org (no '*')")
    for name in allow_hosts:
        if name != "*" and not re.fullmatch(r"[A-Za-z0-9.-]+", name):
            raise DiplokgError(f"--allow-host {name!r}: name a host such as graph.example.org (no port), or '*'")
    proj = get_project(project)
    built = ensure_built(proj)
    _import_all()
    note(f"... reading {built.path} into memory")
    live = LiveGraph(built.path, workers=max_running, memory_mib=max_memory, long=max_long)

    def report(graph: BuiltGraph, rows: Rows) -> str:
        return report_text(keeping_answers(graph), library(proj.queries))

    sock = open_socket(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    names = tuple(n.lower() for n in allow_hosts)
    if not _is_ip(host):
        names += (host.lower(),)
    settings = Settings(queries=proj.queries, limits=Limits(timeout=timeout, memory_mib=max_memory, max_rows=max_rows),
                        max_running=max_running, max_long=max_long, queue_seconds=queue_seconds,
                        cors_origins=cors_origins, explorer=explorer_page, report=report,
                        cache_bytes=cache_mib * 1024 * 1024, hosts=HostRule(bound_host, names),
                        body_bytes=max_request_kib * 1024)
    app = make_app(live, settings)
    if warm and cache_mib > 0:
        threading.Thread(target=app.state.server.warm, name="diplokg-warm", daemon=True).start()
        live.prepare = app.state.server.warm  # a new build is answered ahead too, before it is swapped in
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    if not _is_loopback(host):
        note(f"warning: listening on {host}, reachable from other machines (--host 127.0.0.1 keeps it local)")
    note(f"serving {live.graph.quads} quads at http://{shown}:{bound_port}/sparql (Ctrl-C stops)")
    limits = ConnectionLimits(head_seconds=header_timeout, body_seconds=3 * header_timeout,
                              body_bytes=max_request_kib * 1024,
                              max_connections=min(max_connections or 1 << 30, _connections()))
    # No limit_concurrency: uvicorn answered every request 503 once that many connections were open,
    # slow ones included; the guarded protocol makes room by closing the slowest instead.
    config = uvicorn.Config(app, http=guarded(limits), log_level="warning", access_log=False,  # type: ignore[arg-type]
                            timeout_graceful_shutdown=5, timeout_keep_alive=5, limit_concurrency=None)
    uvicorn.Server(config).run(sockets=[sock])


def _import_all() -> None:
    """Import now what the server would import later (the event loop, the pages' modules). Workers are
    forked while the server runs: a thread that imports holds Python's import lock, and if the garbage
    collector then needs logging's lock (which a fork holds while it runs its at-fork handlers, waiting
    for the import lock) both wait for ever. Seen at start: uvicorn imported uvloop while the first
    workers were forked."""
    import importlib

    for name in ("uvloop", "uvicorn.loops.auto", "uvicorn.lifespan.on", "kg.network.graph", "kg.network.page",
                 "kg.network.worldgraph", "kg.cli.report"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _connections() -> int:
    """Connections kept open at once: what the file descriptors allow (the soft limit raised to the hard
    one), less some for the workers' pipes and the build, at most 4,096."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = min(hard, 8192) if hard != resource.RLIM_INFINITY else 8192
        if soft != resource.RLIM_INFINITY and soft < wanted:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        available = 8192 if soft == resource.RLIM_INFINITY else soft
    except (ImportError, ValueError, OSError):
        available = 1024
    return max(64, min(4096, available - 256))
