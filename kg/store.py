"""The built graph on disk: sorted N-Quads, written atomically, read into an in-memory store."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg.terms import to_oxigraph


def quads_of(graphs: Iterable[tuple[URIRef, Graph]]) -> list[ox.Quad]:
    """Turn named rdflib graphs into pyoxigraph quads."""
    quads = []
    for name, g in graphs:
        gname = ox.NamedNode(str(name))
        for s, p, o in g:
            quads.append(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), gname))  # type: ignore[arg-type]
    return quads


def nquads_bytes(quads: Iterable[ox.Quad]) -> bytes:
    """Serialise quads as N-Quads, one per line, sorted: the same quads give the same bytes."""
    lines = sorted({f"{q} .\n" for q in quads})
    return "".join(lines).encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old content or the new, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_store(path: Path) -> ox.Store:
    """Load a built N-Quads file into an in-memory Oxigraph store."""
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store
