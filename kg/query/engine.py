"""Running vetted SPARQL over the built graph, on Oxigraph (default) or rdflib, and writing answers.

The default graph of every query is the union of all graphs (asserted and inferred); with
``asserted_only`` it is the union of the asserted graphs. Named graphs stay reachable with ``GRAPH``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as TypingLiteral
from typing import cast

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Identifier, Node

from kg.errors import QueryError
from kg.namespaces import INFERRED_GRAPH
from kg.query.gate import VettedQuery
from kg.store.files import open_store
from kg.terms import to_oxigraph, to_rdflib

Engine = TypingLiteral["oxigraph", "rdflib"]
ENGINES: tuple[Engine, ...] = ("oxigraph", "rdflib")


@dataclass
class Answer:
    """The answer to one query, engine-neutral, in rdflib terms.

    Attributes:
        kind: SELECT, ASK, CONSTRUCT or DESCRIBE.
        variables: A SELECT's variables, in order.
        rows: A SELECT's rows; ``None`` where a variable is unbound.
        boolean: An ASK's answer.
        graph: A CONSTRUCT's or DESCRIBE's triples.
    """

    kind: str
    variables: tuple[str, ...] = ()
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def records(self) -> list[dict[str, Node | None]]:
        """The rows as dictionaries from variable name to term."""
        return [dict(zip(self.variables, row)) for row in self.rows]

    def to_result(self) -> Result:
        """The answer as an rdflib query result (for rdflib's result serialisers)."""
        result = Result(self.kind)
        if self.kind == "ASK":
            result.askAnswer = bool(self.boolean)
        elif self.kind == "SELECT":
            result.vars = [Variable(v) for v in self.variables]
            result.bindings = [
                {Variable(v): cast(Identifier, t) for v, t in zip(self.variables, row) if t is not None}
                for row in self.rows
            ]
        else:
            result.graph = self.graph
        return result


class BuiltGraph:
    """The built knowledge graph, opened once per process (see :func:`kg.store.files.open_store`).

    Args:
        path: The built ``.nq`` file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._store: ox.Store | None = None
        self._datasets: dict[bool, Dataset] = {}

    @property
    def store(self) -> ox.Store:
        """The graph in an Oxigraph store: the build's on-disk store (read-only) when it is fresh, else
        the N-Quads file read into memory."""
        if self._store is None:
            self._store = open_store(self.path)
        return self._store

    def graph_names(self) -> list[URIRef]:
        """The names of every graph in the build, sorted."""
        return sorted(URIRef(g.value) for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def asserted_graph_names(self) -> list[URIRef]:
        """The names of the asserted graphs (all but the inferred one)."""
        return [g for g in self.graph_names() if g != INFERRED_GRAPH]

    def dataset(self, asserted_only: bool = False) -> Dataset:
        """The graph as an rdflib dataset whose default graph is the union of its graphs."""
        if asserted_only not in self._datasets:
            ds = Dataset(default_union=True)
            for quad in self.store:
                if asserted_only and quad.graph_name.value == str(INFERRED_GRAPH):
                    continue
                ds.graph(URIRef(quad.graph_name.value)).add(
                    (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))  # type: ignore[arg-type]
                )
            self._datasets[asserted_only] = ds
        return self._datasets[asserted_only]

    def run(
        self,
        query: VettedQuery,
        engine: Engine = "oxigraph",
        asserted_only: bool = False,
        bindings: dict[str, Node] | None = None,
    ) -> Answer:
        """Run a vetted query.

        Args:
            query: The query, vetted by :func:`kg.query.gate.vet`.
            engine: "oxigraph" (fast, the default) or "rdflib" (the reference).
            asserted_only: Leave the inferred graph out of the default graph.
            bindings: Values for variables, by name (never pasted into the query text).

        Raises:
            QueryError: The engine refused the query.
        """
        bindings = bindings or {}
        if engine == "rdflib":
            return self._run_rdflib(query, asserted_only, bindings)
        return self._run_oxigraph(query, asserted_only, bindings)

    def _run_oxigraph(self, query: VettedQuery, asserted_only: bool, bindings: dict[str, Node]) -> Answer:
        options: dict[str, object] = {}
        if asserted_only:
            options["default_graph"] = [ox.NamedNode(str(g)) for g in self.asserted_graph_names()]
        else:
            options["use_default_graph_as_union"] = True
        if bindings:
            options["substitutions"] = {ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()}
        try:
            result = self.store.query(query.text, **options)  # type: ignore[arg-type]
        except (SyntaxError, OSError, ValueError, RuntimeError) as exc:  # Oxigraph refuses a binding outside SELECT
            raise QueryError(f"query failed: {exc}") from None
        if isinstance(result, ox.QueryBoolean):
            return Answer("ASK", boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            variables = tuple(v.value for v in result.variables)
            rows = [
                tuple(None if s[v] is None else to_rdflib(s[v]) for v in variables)  # type: ignore[arg-type]
                for s in result
            ]
            return Answer("SELECT", variables=variables, rows=rows)
        graph = Graph()
        for t in result:
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))  # type: ignore[arg-type]
        return Answer(query.kind, graph=graph)

    def _run_rdflib(self, query: VettedQuery, asserted_only: bool, bindings: dict[str, Node]) -> Answer:
        ds = self.dataset(asserted_only)
        init = {k: cast(Identifier, v) for k, v in bindings.items()}
        try:
            result = ds.query(query.algebra, initBindings=init)
        except Exception as exc:  # rdflib raises plain exceptions from evaluation
            raise QueryError(f"query failed: {exc}") from None
        if result.type == "ASK":
            return Answer("ASK", boolean=bool(result.askAnswer))
        if result.type == "SELECT":
            variables = tuple(str(v) for v in (result.vars or []))
            rows = []
            for row in result:
                values = row.asdict()  # type: ignore[union-attr]
                rows.append(tuple(values.get(v) for v in variables))
            return Answer("SELECT", variables=variables, rows=rows)
        graph = Graph()
        for t in result:
            graph.add(t)  # type: ignore[arg-type]
        return Answer(query.kind, graph=graph)
