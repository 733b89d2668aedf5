"""User SPARQL is contained: no SERVICE, no updates, no FROM outside our graphs; errors name the position."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rdflib import Dataset
from tests_support import Listener

from kg.errors import QueryError
from kg.query.gate import vet

OURS = "https://w3id.org/diplokg/graph/source/dprk-embassy-closures-2023"


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.ttl"
    path.write_text("<http://x/secret> <http://x/is> <http://x/leaked> .\n", encoding="utf-8")
    return path


def _refusals(url: str, secret: Path) -> list[tuple[str, str]]:
    return [
        (f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}", "SERVICE is not allowed"),
        (f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE SILENT <{url}/x> {{ ?s ?p ?o }} }} }}",
         "SERVICE is not allowed"),
        (f"SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}", "FROM <"),
        (f"SELECT * FROM NAMED <{url}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", "FROM NAMED <"),
        (f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}", "FROM <"),
        (f"LOAD <{url}/data.ttl>", "updates"),
        (f"LOAD <{secret.as_uri()}> INTO GRAPH <http://x/g>", "updates"),
        ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", "updates"),
    ]


@pytest.mark.parametrize("case", range(8), ids=[
    "service", "nested-service-silent", "from-http", "from-named-http", "from-file", "load-http", "load-file",
    "insert"])
def test_refused_by_the_cli_without_reaching_network_or_disk(
    case: int, listener: Listener, secret: Path, cli: Callable, built: object
) -> None:
    query, fragment = _refusals(listener.url, secret)[case]
    code, out, err = cli("query", "--project", str(built.project.root), "-e", query)  # type: ignore[attr-defined]
    assert code == 2
    assert fragment in err and "Traceback" not in err
    assert "leaked" not in out
    assert listener.hits == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_from_one_of_our_graphs_is_allowed(engine: str, cli: Callable, built: object) -> None:
    code, out, err = cli("query", "--project", str(built.project.root), "--engine", engine, "--format", "csv",  # type: ignore[attr-defined]
                         "-e", f"SELECT (COUNT(*) AS ?n) FROM <{OURS}> WHERE {{ ?s ?p ?o }}")
    assert code == 0, err
    assert int(out.splitlines()[1]) > 100


def test_rdflib_alone_would_have_fetched(listener: Listener, monkeypatch: pytest.MonkeyPatch) -> None:
    """Proof that the listener would notice: rdflib, unguarded (and with graph loading on, which
    kg.query.engine turns off), fetches a FROM graph."""
    import rdflib.plugins.sparql

    monkeypatch.setattr(rdflib.plugins.sparql, "SPARQL_LOAD_GRAPHS", True)
    list(Dataset().query(f"SELECT * FROM <{listener.url}/data.ttl> WHERE {{ ?s ?p ?o }}"))
    assert listener.hits == ["/data.ttl"]


@pytest.mark.parametrize(
    ("text", "position"),
    [
        pytest.param("SELECT * WHERE {\n  ?s ?p \n}", "line 2, column 3", id="missing-object"),
        pytest.param("SELEC * WHERE { ?s ?p ?o }", "line 1, column 1", id="misspelt-keyword"),
        pytest.param("PREFIX x: <http://x/>\nSELECT * WHERE { ?s x:p ?o . FILTER( }", "line 2", id="broken-filter"),
    ],
)
def test_syntax_error_names_the_position(text: str, position: str) -> None:
    with pytest.raises(QueryError) as caught:
        vet(text)
    assert position in caught.value.message
    assert "syntax error" in caught.value.message


def test_syntax_error_in_the_cli_is_one_line_exit_2(cli: Callable, built: object) -> None:
    code, _out, err = cli("query", "--project", str(built.project.root), "-e", "SELECT ?x WHERE { ?x }")  # type: ignore[attr-defined]
    assert code == 2
    assert err.startswith("diplokg: error: query: line 1, column") and err.count("\n") == 1


def test_unknown_query_name_lists_the_names(cli: Callable, built: object) -> None:
    code, _out, err = cli("query", "--project", str(built.project.root), "no-such-question")  # type: ignore[attr-defined]
    assert code == 2
    assert "unknown query 'no-such-question'" in err and "closed-missions" in err


def test_a_verdict_is_kept_for_the_same_text_graphs_and_origin_only() -> None:
    """A question vetted again is not parsed again (rdflib's parse of network-as-of costs seconds on a
    busy machine); another graph list or origin is vetted anew, refusals are raised every time, and a
    text over the kept length is never kept."""
    from kg.errors import QueryRefused
    from kg.query import gate

    text = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
    first = vet(text, ["urn:g"], origin="kept")
    assert vet(text, ("urn:g",), origin="kept") is first
    assert vet(text, ["urn:g", "urn:h"], origin="kept") is not first
    assert vet(text, ["urn:g"], origin="other").origin == "other"
    refused = "SELECT * FROM <urn:elsewhere> WHERE { ?s ?p ?o }"
    for _ in range(2):
        with pytest.raises(QueryRefused):
            vet(refused, ["urn:g"])
    long = text + " " * gate._KEEP_CHARS
    assert vet(long).text == vet(long).text and vet(long) is not vet(long)
