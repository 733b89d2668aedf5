"""The gate and the engine read SPARQL alike on the W3C syntax suites (``tests/w3c/sparql-syntax``).

For every syntax test of the SPARQL 1.0 and 1.1 suites:

- a valid query that Oxigraph (the engine) reads is never refused by the gate, except for what is
  refused by design (``SERVICE``, ``FROM`` a graph that is not ours: :data:`BY_DESIGN`), and the engine
  reads the gate's canonical text too;
- an invalid query is refused by the gate, or its canonical text by the engine: no invalid text runs;
- the gate answers every text with a vetted query or one :class:`~kg.errors.QueryError`, never another
  exception.

The valid tests that the engine itself refuses (SPARQL 1.0's ``\\u`` escapes outside strings, ``\\:`` in a
local name ...) are :data:`ENGINE_REFUSES`; the test below pins them, so that a change of either reading
shows here.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Namespace

from kg.errors import QueryError, QueryRefused
from kg.query.gate import vet

SUITES = Path(__file__).resolve().parent / "w3c" / "sparql-syntax"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")

#: Valid queries the gate refuses on purpose.
BY_DESIGN = {
    "sparql11/syntax-fed/syntax-service-01.rq": "SERVICE",
    "sparql11/syntax-fed/syntax-service-02.rq": "SERVICE",
    "sparql11/syntax-fed/syntax-service-03.rq": "SERVICE",
    "sparql11/syntax-query/syntax-construct-where-02.rq": "FROM",
    "sparql10/syntax-sparql2/syntax-dataset-01.rq": "FROM",
    "sparql10/syntax-sparql2/syntax-dataset-02.rq": "FROM NAMED",
    "sparql10/syntax-sparql2/syntax-dataset-03.rq": "FROM NAMED",
    "sparql10/syntax-sparql2/syntax-dataset-04.rq": "FROM",
}


def _cases() -> list[tuple[str, bool, str]]:
    cases = []
    for manifest in sorted(SUITES.glob("*/*/manifest.ttl")):
        g = Graph().parse(manifest, format="turtle", publicID=manifest.parent.as_uri() + "/manifest.ttl")
        for test, kind in g.subject_objects(RDF.type):
            name = str(kind).rsplit("#", 1)[-1]
            if "SyntaxTest" not in name:
                continue
            action = Path(str(g.value(test, MF.action)).removeprefix("file://"))
            cases.append((action.relative_to(SUITES).as_posix(), name.startswith("Positive"),
                          action.read_bytes().decode("utf-8")))
    return sorted(cases)


CASES = _cases()


def _engine_reads(text: str) -> bool:
    """Whether Oxigraph reads a query (run on an empty store: a syntax error raises SyntaxError), with a
    base IRI as the suite's queries have (their address), so that relative IRIs are read."""
    try:
        result = ox.Store().query(text, base_iri="http://www.w3.org/2009/sparql/docs/tests/data-sparql11/")
    except SyntaxError:
        return False
    except (OSError, RuntimeError):  # read, then refused at run time (a custom function it does not know)
        return True
    try:
        if not isinstance(result, ox.QueryBoolean):
            list(result)  # type: ignore[arg-type]
    except (OSError, RuntimeError):
        pass
    return True


#: Valid queries (by the W3C) that the engine refuses as well: the gate may refuse them too.
ENGINE_REFUSES = {name for name, valid, text in CASES if valid and not _engine_reads(text)}
ENGINE_REFUSES_EXPECTED = {
    "sparql10/syntax-sparql1/syntax-lit-08.rq": "a decimal ending in a dot, then the triple's dot (SPARQL 1.0)",
    "sparql10/syntax-sparql2/syntax-esc-04.rq": "\\u escapes outside strings and IRIs (SPARQL 1.0)",
    "sparql10/syntax-sparql2/syntax-esc-05.rq": "\\u escapes outside strings and IRIs (SPARQL 1.0)",
    "sparql11/syntax-query/qname-escape-01.rq": "\\: in a local name (not a PN_LOCAL_ESC of the grammar)",
}


def test_the_suites_are_read_and_the_engine_refuses_only_these_valid_queries() -> None:
    assert len(CASES) > 250
    assert {"sparql10/syntax-sparql3/syn-bad-26.rq", "sparql11/syntax-query/syn-pname-05.rq"} <= {c[0] for c in CASES}
    assert set(ENGINE_REFUSES_EXPECTED) == ENGINE_REFUSES


@pytest.mark.parametrize(("name", "valid", "text"), CASES, ids=[c[0] for c in CASES])
def test_the_gate_and_the_engine_agree(name: str, valid: bool, text: str) -> None:
    try:
        vetted = vet(text)
    except QueryError as exc:  # anything else is a defect: a traceback
        assert "\n" not in str(exc)
        if valid and name not in ENGINE_REFUSES:
            assert name in BY_DESIGN, f"a valid query the engine reads is refused: {exc}"
            assert isinstance(exc, QueryRefused) and BY_DESIGN[name] in str(exc)
        return
    assert name not in BY_DESIGN
    if valid and name not in ENGINE_REFUSES:
        assert _engine_reads(vetted.text), "the engine does not read the canonical text of a valid query"
    if not valid:
        assert not _engine_reads(vetted.text), "an invalid text passed the gate and the engine runs it"
