"""Assemble the asserted knowledge graph: the ontology, the gazetteer and every source, each in its
own named graph."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from kg.namespaces import GAZETTEER_GRAPH, ONTOLOGY_GRAPH, source_graph
from kg.paths import Project
from kg.sources.folder import SourceFolder, discover, load_source
from kg.sources.gazetteer import gazetteer_graph


@dataclass
class Asserted:
    """What was asserted, graph by graph.

    Attributes:
        ontology: The ontology's triples.
        graphs: Every data graph by name (the gazetteer, then each source in folder order).
        sources: The source folders loaded, by graph name.
    """

    ontology: Graph
    graphs: dict[URIRef, Graph] = field(default_factory=dict)
    sources: dict[URIRef, SourceFolder] = field(default_factory=dict)

    def has_subject(self, graph: URIRef, node: Node) -> bool:
        """Whether ``node`` is the subject of a triple in the named graph ``graph``."""
        return graph in self.graphs and (node, None, None) in self.graphs[graph]

    def data(self) -> Graph:
        """All asserted data triples in one graph (no ontology)."""
        union = Graph()
        for g in self.graphs.values():
            union += g
        return union

    def dataset(self) -> Dataset:
        """The asserted triples as a dataset of named graphs (ontology included)."""
        ds = Dataset()
        ds.graph(ONTOLOGY_GRAPH).__iadd__(self.ontology)
        for name, g in self.graphs.items():
            ds.graph(name).__iadd__(g)
        return ds


def load_project(project: Project) -> Asserted:
    """Load the ontology, the gazetteer and every source folder of a project.

    Raises:
        InputError: A file is missing or malformed (the error names it, and the line).
    """
    from kg.sources.folder import parse_turtle

    asserted = Asserted(ontology=parse_turtle(project.ontology, "https://w3id.org/diplokg/ontology"))
    asserted.graphs[GAZETTEER_GRAPH] = gazetteer_graph()
    for folder in discover(project.sources):
        name = source_graph(folder.id)
        asserted.graphs[name] = load_source(folder)
        asserted.sources[name] = folder
    return asserted
