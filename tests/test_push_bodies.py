"""``kg.store.push.graph_bodies``: the build's N-Quads cut into N-Triples bodies graph by graph, in one
pass over the file, with every triple kept and the blank-node triples of a graph in one body of their own."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import DiplokgError
from kg.store.push import graph_bodies, is_oxigraph

G = "https://w3id.org/diplokg/graph/"

NQ = f"""\
<urn:a> <urn:p> "x y _:z" <{G}one> .
<urn:a> <urn:p> <urn:b> <{G}two> .
<urn:b> <urn:p> _:b1 <{G}one> .
_:b1 <urn:p> "a \\" . <urn:q> _:b9 <{G}one> .\\n" <{G}one> .
<urn:c> <urn:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <{G}one> .
<urn:d> <urn:p> "d"@en <{G}one> .
<urn:e> <urn:p> <urn:f> <{G}two> .
"""


def _triples(body: bytes) -> set[ox.Triple]:
    return set(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))


@pytest.mark.parametrize("size", [1, 2, 100])
def test_every_triple_is_sent_once_in_its_graph(tmp_path: Path, size: int) -> None:
    path = tmp_path / "b.nq"
    path.write_text(NQ, encoding="utf-8")
    bodies = list(graph_bodies(path, size))
    want: dict[str, list[str]] = {}
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        want.setdefault(quad.graph_name.value, []).append(str(quad.triple))  # type: ignore[union-attr]
    got: dict[str, list[str]] = {}
    for name, body in bodies:
        assert body.count(b"\n") <= max(size, 3)  # a plain body holds at most `size`; the blank one all
        for line in body.decode().splitlines():
            assert line.endswith(" .")
        got.setdefault(name, []).extend(str(t) for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    assert {k: sorted(v) for k, v in got.items()} == {k: sorted(v) for k, v in want.items()}


def test_blank_node_triples_travel_together_after_the_plain_ones(tmp_path: Path) -> None:
    path = tmp_path / "b.nq"
    path.write_text(NQ, encoding="utf-8")
    one = [body for name, body in graph_bodies(path, 1) if name == f"{G}one"]
    blank = [b for b in one if b"_:b1" in b]
    assert len(blank) == 1 and blank[0] is one[-1]  # one body, the graph's last
    # the subject and the object occurrence of _:b1, and a literal ending in `_:z"` (taken for one: harmless)
    assert blank[0].count(b"\n") == 3
    parsed = list(ox.parse(blank[0], format=ox.RdfFormat.N_TRIPLES))
    assert parsed[1].object == parsed[2].subject  # one node, not two


@pytest.mark.parametrize("line", ['<urn:a> <urn:p> "x" .', '<urn:a> <urn:p> "x" "g" .', "<urn:a> <urn:p>"])
def test_a_line_outside_a_named_graph_is_refused(tmp_path: Path, line: str) -> None:
    path = tmp_path / "b.nq"
    path.write_text(NQ + line + "\n", encoding="utf-8")
    with pytest.raises(DiplokgError, match="line 8 is not a quad in a named graph"):
        list(graph_bodies(path, 100))


@pytest.mark.parametrize(
    ("server", "oxigraph"),
    [
        ("Oxigraph/0.5.13", True),
        ("oxigraph/0.4.0", True),
        ("Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu  ", False),
        ("Apache Jena Fuseki (5.1.0)", False),
        ("", False),
        ("nginx (in front of Oxigraph/0.5)", False),
    ],
)
def test_only_the_oxigraph_server_gets_its_bulk_loader(server: str, oxigraph: bool) -> None:
    assert is_oxigraph(server) is oxigraph
