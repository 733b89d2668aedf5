"""Terms a query names in our ontology's namespace that the ontology does not define.

A misspelt property (``diplo:region`` for ``diplo:inRegion``) is no error in SPARQL: it matches
nothing, and the question silently answers no rows. :func:`warnings` names each such term with the
closest defined one, for a line on standard error (``diplokg query``) or a warning beside a
server's answer. A warning never changes the answer or the exit code.

The terms defined are :class:`kg.namespaces.DIPLO`, the ontology's mirror (a test checks it
against ``ontology/diplo.ttl`` both ways); every IRI of the namespace that the query holds is
checked, however it is written (``diplo:x``, another prefix, or ``<...#x>``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from rdflib import URIRef
from rdflib.paths import Path

from kg.namespaces import DIPLO, PREFIXES
from kg.query.gate import VettedQuery

#: The ontology's namespace and the names it defines.
NAMESPACE = PREFIXES["diplo"]
DEFINED: frozenset[str] = frozenset(DIPLO.__annotations__)
_BY_LOWER = {name.lower(): name for name in DEFINED}
#: Warnings given for one query at most (a generated query may name thousands of terms).
MAX_WARNINGS = 5
#: Characters of a name a warning shows (a hostile name may be a megabyte long).
SHOWN_CHARS = 60


def _iris(node: object) -> Iterator[URIRef]:
    """Every IRI in rdflib's algebra of a query (patterns, paths, expressions, values), without
    recursion (the algebra of a long query is deep)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, URIRef):
            yield item
        elif isinstance(item, dict):  # a CompValue is a dict
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif isinstance(item, Path):
            stack.extend(vars(item).values())


def undefined_terms(query: VettedQuery) -> list[str]:
    """The local names of the ontology's namespace that ``query`` uses and the ontology does not
    define, in order of name."""
    found = {str(iri)[len(NAMESPACE):] for iri in _iris(query.algebra.algebra) if str(iri).startswith(NAMESPACE)}
    return sorted(name for name in found if name and name not in DEFINED)


def closest(name: str) -> str | None:
    """The defined term closest to ``name`` (difflib's ratio, letter case ignored), or None."""
    if len(name) > 2 * SHOWN_CHARS:
        return None
    found = difflib.get_close_matches(name.lower(), list(_BY_LOWER), n=1, cutoff=0.6)
    return _BY_LOWER[found[0]] if found else None


def warnings(query: VettedQuery) -> list[str]:
    """One line for each term of :func:`undefined_terms` (at most :data:`MAX_WARNINGS`, then one
    line that says how many more), naming the closest defined term."""
    names = undefined_terms(query)
    lines = []
    for name in names[:MAX_WARNINGS]:
        near = closest(name)
        hint = f"; did you mean diplo:{near}?" if near else ""
        shown = name if len(name) <= SHOWN_CHARS else name[:SHOWN_CHARS] + "..."
        lines.append(f"{query.origin}: diplo:{shown} is not a term of the ontology{hint}")
    if len(names) > MAX_WARNINGS:
        lines.append(f"{query.origin}: and {len(names) - MAX_WARNINGS} more terms the ontology does not define")
    return lines
