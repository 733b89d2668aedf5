"""Load a project straight into a pyoxigraph store: the ontology, the gazetteer and every source, each
in its own named graph, with the same triples, blank-node labels and errors as :mod:`kg.reference.load` (which
builds rdflib graphs instead; ``tests/test_storeload.py`` proves the two agree).

Turtle without blank nodes is loaded by Oxigraph itself (no Python object per triple); a file that
may hold blank nodes goes through :func:`pyoxigraph.parse` so that each gets the stable label
:func:`kg.sources.folder.parse_turtle` gives it. Sentences and table rows are written as N-Triples text and
loaded by Oxigraph too.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from kg.errors import InputError
from kg.namespaces import GAZETTEER_GRAPH, ONTOLOGY_GRAPH, source_graph
from kg.paths import Project
from kg.sources.folder import (
    SourceFolder,
    blank_prefix,
    discover,
    excerpt_rows,
    parse_turtle,
    read_regular,
    read_text,
    sentence_ids,
    split_sentences,
    token_error,
    turtle_error,
)
from kg.sources.tables import mapped_lines
from kg.terms import to_oxigraph

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_DIPLO = "https://w3id.org/diplokg/ontology#"
_IS_PART_OF = "<http://purl.org/dc/terms/isPartOf>"
_INTEGER = "<http://www.w3.org/2001/XMLSchema#integer>"

# What Turtle can say without making a blank node: IRIs, strings and comments are cut out before
# looking for "[", "(" or "_:" (the only ways to write one).
_OPAQUE = re.compile(
    rb'<[^<>"{}|^`\\\s]*>'
    rb'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    rb"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    rb'|"(?:[^"\\\n\r]|\\.)*"'
    rb"|'(?:[^'\\\n\r]|\\.)*'"
    rb"|#[^\n\r]*",
    re.DOTALL,
)
_BLANK = re.compile(rb"[\[(]|_:")


def may_hold_blank_nodes(data: bytes) -> bool:
    """Whether Turtle text may make a blank node (``[ ]``, a collection ``( )`` or ``_:label``).

    Errs on the side of yes: only text where none of these can occur outside IRIs, strings and
    comments answers no.
    """
    if b"[" not in data and b"(" not in data and b"_:" not in data:
        return False
    return _BLANK.search(_OPAQUE.sub(b" ", data)) is not None


@dataclass
class LoadedStore:
    """The asserted graphs of a project in one store.

    Attributes:
        store: Every asserted quad (one named graph per source, the ontology and the gazetteer).
        ontology: The ontology alone, as an rdflib graph (small; the reasoner's rules are compiled from it).
        sources: The source folders loaded, by graph name.
        asserted: The number of asserted quads.
    """

    store: ox.Store
    ontology: Graph
    sources: dict[URIRef, SourceFolder] = field(default_factory=dict)
    asserted: int = 0

    def has_subject(self, graph: URIRef, node: Node) -> bool:
        """Whether ``node`` is the subject of a triple in the named graph ``graph``."""
        try:
            term = to_oxigraph(node)
        except TypeError:
            return False
        if isinstance(term, ox.Literal):
            return False
        found = self.store.quads_for_pattern(term, None, None, ox.NamedNode(str(graph)))
        return next(iter(found), None) is not None


def load_turtle(store: ox.Store, path: Path, base: str, graph: ox.NamedNode) -> None:
    """Load one Turtle file into ``graph``, relative IRIs against ``base``, blank nodes labelled as
    :func:`kg.sources.folder.parse_turtle` labels them.

    Raises:
        InputError: The file is unreadable or not valid Turtle (the message names the line).
    """
    data = read_regular(path)
    try:
        _load_turtle(store, data, path, base, graph)
    except MemoryError as exc:  # pyoxigraph: "Reached the buffer maximal size of 16777216"
        raise token_error(path, exc) from None


def _load_turtle(store: ox.Store, data: bytes, path: Path, base: str, graph: ox.NamedNode) -> None:
    if not may_hold_blank_nodes(data):
        try:
            store.load(data, format=ox.RdfFormat.TURTLE, base_iri=base, to_graph=graph)
            return
        except SyntaxError:
            pass  # parse again below: the error is reported exactly as parse_turtle reports it
    try:
        store.extend(_relabelled(data, path, base, graph))
    except SyntaxError as exc:
        raise turtle_error(path, exc, data) from None


def _relabelled(data: bytes, path: Path, base: str, graph: ox.NamedNode) -> Iterator[ox.Quad]:
    prefix = blank_prefix(path, base)
    labels: dict[str, ox.BlankNode] = {}
    # Parse everything first, as parse_turtle does: a syntax error leaves nothing half-loaded.
    for triple in list(ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=base)):
        s, o = triple.subject, triple.object
        if isinstance(s, ox.BlankNode):
            s = labels.setdefault(s.value, ox.BlankNode(f"{prefix}{len(labels)}"))
        if isinstance(o, ox.BlankNode):
            o = labels.setdefault(o.value, ox.BlankNode(f"{prefix}{len(labels)}"))
        yield ox.Quad(s, triple.predicate, o, graph)  # type: ignore[arg-type]


def _excerpt_lines(node: str, kind: str, source: str, position: int, text: str) -> list[str]:
    return [
        f"<{node}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{_DIPLO}{kind}> .\n",
        f"<{node}> {_IS_PART_OF} <{source}> .\n",
        f'<{node}> <{_DIPLO}position> "{position}"^^{_INTEGER} .\n',
        f"<{node}> <{_DIPLO}text> {ox.Literal(text)} .\n",
    ]


def load_source_into(store: ox.Store, folder: SourceFolder) -> ox.NamedNode:
    """Load one source folder into its named graph: its Turtle files, sentences and table rows.

    Returns:
        The graph's name.

    Raises:
        InputError: A file is unreadable or malformed, or ``source.ttl`` does not describe ``<>``.
    """
    base = folder.base
    graph = ox.NamedNode(str(source_graph(folder.id)))
    for ttl in sorted(folder.path.glob("*.ttl")):
        load_turtle(store, ttl, base, graph)
    if next(iter(store.quads_for_pattern(ox.NamedNode(base), _RDF_TYPE, None, graph)), None) is None:
        raise InputError(
            "source.ttl must describe the source itself as <> with a type such as diplo:NewsArticle",
            path=folder.path / "source.ttl",
        )
    lines: list[str] = []
    text_file = folder.path / "text.txt"
    if text_file.is_file():
        sentences = split_sentences(read_text(text_file))
        for position, (sid, sentence) in enumerate(zip(sentence_ids(sentences), sentences), 1):
            lines += _excerpt_lines(base + sid, "Sentence", base, position, sentence)
    for table in sorted(folder.path.glob("*.csv")):
        for rid, position, text, address in excerpt_rows(table):
            lines += _excerpt_lines(base + rid, "TableRow", base, position, text)
            if address:
                lines.append(f"<{base + rid}> <{_DIPLO}sourceAddress> {ox.Literal(address)} .\n")
    if lines:
        store.load("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    _load_mapped(store, folder, graph)
    return graph


def _load_mapped(store: ox.Store, folder: SourceFolder, graph: ox.NamedNode, chunk: int = 200_000) -> None:
    """Load the tables a folder's ``mapping.toml`` declares, in chunks of N-Triples lines (the votes
    are about a million triples: no need to hold them all as text at once)."""
    lines = mapped_lines(folder.path, folder.base)
    while part := list(itertools.islice(lines, chunk)):
        store.load("".join(part).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)


def _extend_graph(store: ox.Store, g: Graph, graph: URIRef) -> None:
    name = ox.NamedNode(str(graph))
    store.extend(
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name)  # type: ignore[arg-type]
        for s, p, o in g
    )


def load_project_store(project: Project) -> LoadedStore:
    """Load the ontology, the gazetteer and every source folder of a project into one in-memory store.

    Raises:
        InputError: A file is missing or malformed (the error names it, and the line).
    """
    from kg.sources.gazetteer import gazetteer_graph

    store = ox.Store()
    ontology = parse_turtle(project.ontology, "https://w3id.org/diplokg/ontology")
    loaded = LoadedStore(store=store, ontology=ontology)
    _extend_graph(store, ontology, ONTOLOGY_GRAPH)
    _extend_graph(store, gazetteer_graph(), GAZETTEER_GRAPH)
    for folder in discover(project.sources):
        load_source_into(store, folder)
        loaded.sources[source_graph(folder.id)] = folder
    loaded.asserted = len(store)
    return loaded
