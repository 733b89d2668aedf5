"""Finding an entity by what a person types: a name, a short name or an ISO 3166 code.

``diplokg ask evidence-for --bind entity=Uganda`` (or ``UGA``, ``UG``, ``North Korea``, ``DPRK``)
binds the entity's IRI. Names are the gazetteer's and the sources' labels (``rdfs:label``,
``skos:altLabel``), compared without regard to case; codes are ISO 3166-1 alpha-2 and alpha-3; failing
those, the initials of a state's names (DPRK). A name is first the name of a thing the sources speak
of (a state, a mission, a person ...), and only failing that of a statement (a ``diplo:Fact``): the
UN General Assembly's roll calls carry short titles such as "Congo", which never hide the state.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError
from kg.query.engine import Answer, BuiltGraph
from kg.query.gate import vet
from kg.query.library import Parameter
from kg.query.sandbox import Limits

#: Answers a look-up query (its text, its values): by default vetted here and run on the graph; a server
#: passes one that vets and runs it in its workers (:mod:`kg.query.gated`).
Asker = Callable[[str, dict[str, Node]], Answer]

_LOOKUP = """
PREFIX diplo: <https://w3id.org/diplokg/ontology#>
PREFIX rdfs:  <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos:  <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?typed ?statement WHERE {
  ?entity diplo:iso3166Alpha3|diplo:iso3166Alpha2|rdfs:label|skos:altLabel ?name .
  FILTER(isIRI(?entity) && LCASE(STR(?name)) = LCASE(STR(?typed)))
  OPTIONAL { ?entity a ?statement . FILTER(?statement = diplo:Fact) }
}
ORDER BY ?entity
"""


_NAMES = """
PREFIX diplo: <https://w3id.org/diplokg/ontology#>
PREFIX rdfs:  <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos:  <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?name WHERE {
  ?entity diplo:iso3166Alpha3 ?code ; rdfs:label|skos:altLabel ?name .
}
ORDER BY ?entity ?name
"""


def initials(name: str) -> list[str]:
    """Short forms of a name: the initials of its capitalised words, and of all its words
    ("Democratic People's Republic of Korea" gives DPRK and DPROK); none for a one-word name."""
    words = re.findall(r"[A-Za-z][A-Za-z'’]*", name)
    if len(words) < 2:
        return []
    capital = "".join(w[0] for w in words if w[0].isupper())
    every = "".join(w[0] for w in words).upper()
    return sorted({s for s in (capital, every) if len(s) >= 2})


def asker(graph: BuiltGraph, limits: Limits | None = None) -> Asker:
    """Look-ups vetted in this process and run on ``graph`` with ``limits`` (None: :meth:`BuiltGraph.run`'s
    default)."""

    def ask(query: str, values: dict[str, Node]) -> Answer:
        return graph.run(vet(query, graph.graph_names(), origin="entity look-up"), bindings=values, limits=limits)

    return ask


def resolve_entity(graph: BuiltGraph, name: str, text: str, ask: Asker | None = None) -> URIRef:
    """The one entity whose code, name or short name is ``text`` (case aside).

    Args:
        graph: The built graph.
        name: The parameter's name (for the message).
        text: What was typed.
        ask: Runs the look-up queries (default: :func:`asker` of ``graph``).

    Raises:
        QueryError: Nothing, or more than one entity, goes by that name; or ``text`` cannot be a value.
    """
    ask = ask or asker(graph)
    answer = ask(_LOOKUP, {"typed": Literal(text.strip())})
    named = [(row[0], row[2] is not None) for row in answer.rows if isinstance(row[0], URIRef)]
    things = sorted({entity for entity, statement in named if not statement})
    found = things or sorted({entity for entity, _ in named})
    if not found:
        # The initials of a state's names ("DPRK"), as the explorer's search takes them.
        wanted = text.strip().upper()
        rows = ask(_NAMES, {}).rows
        found = sorted({row[0] for row in rows if isinstance(row[0], URIRef) and wanted in initials(str(row[1]))})
    if len(found) == 1:
        return found[0]
    shown = text if text.isprintable() and len(text) <= 80 else repr(text[:80])
    if not found:
        raise QueryError(
            f"--bind {name}={shown}: no entity has that name or ISO code; give an IRI such as iso:UGA, "
            "a name such as Uganda, or a code such as UGA"
        )
    listed = ", ".join(str(f) for f in found[:5])
    raise QueryError(f"--bind {name}={shown}: several entities go by that name ({listed}); give the IRI")


def resolve_bindings(
    graph: BuiltGraph, parameters: tuple[Parameter, ...], bindings: dict[str, Node], ask: Asker | None = None,
) -> dict[str, Node]:
    """``bindings`` with each plain-text value of a parameter that takes an IRI resolved to its entity
    (``ask`` as :func:`resolve_entity` takes it).

    Raises:
        QueryError: A name that no entity, or several, go by.
    """
    result = dict(bindings)
    for parameter in parameters:
        value = bindings.get(parameter.name)
        if parameter.takes_iri and isinstance(value, Literal) and value.datatype is None:
            result[parameter.name] = resolve_entity(graph, parameter.name, str(value), ask)
    return result
