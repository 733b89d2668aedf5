"""The reference tables as sources: loading, provenance, shared entities and the new questions.

Golden answers (tests/golden/full/) were written by reading the tables under sources/, not by
copying query output; the tests compare the key columns of each answer with them.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import RDF, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.build import build
from kg.namespaces import DIPLO, MISSION, source_base
from kg.paths import Project
from kg.query.engine import Answer, BuiltGraph
from kg.query.gate import vet

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "full"
FIXTURE_SOURCES = Path(__file__).resolve().parent / "fixtures" / "sources"
TABLES = {
    "dprk-mission-closures-2023-2024": 11,
    "dprk-relations-counts": 8,
    "unsc-dprk-resolutions": 9,
    "dprk-summits-and-events": 5,
}
ENGINES = ["oxigraph", "rdflib"]


def run(graph: BuiltGraph, name: str, engine: str = "oxigraph", **bindings: object) -> Answer:
    text = (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    return graph.run(vet(text, graph.graph_names()), engine=engine, bindings=bindings)  # type: ignore[arg-type]


def column_rows(answer: Answer, columns: list[str]) -> list[tuple[str, ...]]:
    """The answer's rows projected on ``columns``, as text (unbound as ""), duplicates removed in order."""
    seen: dict[tuple[str, ...], None] = {}
    for record in answer.records():
        seen.setdefault(tuple("" if record[c] is None else str(record[c]) for c in columns), None)
    return list(seen)


@pytest.fixture(scope="module")
def dataset(built):
    """The built graph as an rdflib dataset (union default graph), parsed once for this module."""
    return built.graph.dataset()


def golden(name: str) -> tuple[list[str], list[tuple[str, ...]]]:
    with (GOLDEN / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [tuple(r) for r in rows[1:]]


# ---------------------------------------------------------------------------
# Loading and provenance
# ---------------------------------------------------------------------------


def test_every_table_is_a_source_of_its_own(built) -> None:
    assert set(TABLES) <= set(built.report.sources)
    assert built.report.violations == []


@pytest.mark.parametrize("source_id", sorted(TABLES))
def test_table_copied_verbatim(source_id: str) -> None:
    # Checked against the original's SHA-256, kept in the project (no folder outside it is needed).
    originals = Path(__file__).resolve().parent / "fixtures" / "originals.sha256"
    digests = {path: digest for digest, path in (line.split() for line in originals.read_text().splitlines()
                                                  if line and not line.startswith("#"))}
    table = ROOT / "sources" / source_id / f"{source_id}.csv"
    assert hashlib.sha256(table.read_bytes()).hexdigest() == digests[f"{source_id}/{source_id}.csv"]


@pytest.mark.parametrize("source_id", sorted(TABLES))
def test_every_row_is_an_excerpt_with_its_address_and_is_cited(dataset, source_id: str) -> None:
    g = dataset
    source = URIRef(source_base(source_id))
    rows = sorted(set(g.subjects(DCTERMS.isPartOf, source)))
    assert len(rows) == TABLES[source_id]
    with (ROOT / "sources" / source_id / f"{source_id}.csv").open(encoding="utf-8", newline="") as handle:
        body = list(csv.DictReader(handle))
    for n, row in enumerate(body, start=1):
        node = URIRef(f"{source}{source_id}-r{n:02d}")
        assert (node, DIPLO.position, Literal(n)) in g
        address = g.value(node, DIPLO.sourceAddress)
        assert (str(address) if address is not None else "") == row.get("source_url", "")
        # truth first, both ways: every row is cited by at least one fact or entity
        assert set(g.subjects(DIPLO.evidence, node)), f"row {n} of {source_id} is cited by nothing"


def test_missions_are_shared_across_sources(dataset) -> None:
    g = dataset
    spain = MISSION["PRK-ESP-embassy"]
    sources = {g.value(e, DCTERMS.isPartOf) for e in g.objects(spain, DIPLO.evidence)}
    assert {
        URIRef(source_base("dprk-embassy-closures-2023")),
        URIRef(source_base("dprk-mission-closures-2023-2024")),
    } <= sources
    closures = set(g.subjects(DIPLO.mission, spain)) & set(g.subjects(None, DIPLO.MissionClosure))
    assert len(closures) == 2  # the article's (undated) and the table's (2023-11-03), one mission


def test_hong_kong_embassy_and_consulate_general_are_both_kept(dataset) -> None:
    g = dataset
    embassy, consulate = MISSION["PRK-HKG-embassy"], MISSION["PRK-HKG-consulate-general"]
    assert (embassy, DIPLO.officialForm, consulate) in g
    assert (consulate, DIPLO.host, URIRef("https://w3id.org/diplokg/id/iso3166/HKG")) in g
    assert (embassy, RDF.type, DIPLO.Embassy) in g and (consulate, RDF.type, DIPLO.ConsulateGeneral) in g
    assert (embassy, RDF.type, DIPLO.ConsulateGeneral) not in g


def test_resolution_2270_has_month_precision(dataset) -> None:
    g = dataset
    node = URIRef(source_base("unsc-dprk-resolutions") + "resolution-2270")
    assert g.value(node, DIPLO.date) == Literal("2016-03", datatype=XSD.gYearMonth)
    assert str(g.value(node, DIPLO.datePrecision)).endswith("unitMonth")


# ---------------------------------------------------------------------------
# The new questions against golden answers written from the tables
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("closures-by-date", id="closures-by-date"),
        pytest.param("closed-missions", id="closed-missions"),
        pytest.param("disagreements", id="disagreements"),
        pytest.param("sanction-measures", id="sanction-measures"),
    ],
)
def test_question_matches_golden(built, name: str, engine: str) -> None:
    columns, expected = golden(name)
    got = column_rows(run(built.graph, name, engine), columns)
    assert sorted(got) == sorted(expected)


@pytest.mark.parametrize("engine", ENGINES)
def test_russia_pivot_in_time_order(built, engine: str) -> None:
    columns, expected = golden("russia-pivot-ordered")
    answer = run(built.graph, "russia-pivot", engine)
    assert column_rows(answer, columns) == expected
    claims = {str(r["event"]): str(r["modality"]) for r in answer.records()}
    assert claims[expected[1][1]] == "claimed"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("day", ["2023-01-01", "2024-02-01"])
def test_network_as_of(built, day: str, engine: str) -> None:
    columns, expected = golden(f"network-as-of-{day}")
    answer = run(built.graph, "network-as-of", engine, asOf=Literal(day, datatype=XSD.date))
    assert sorted(column_rows(answer, columns)) == sorted(expected)


UNCERTAIN_LIBYA = {"Libya": "closed on or before 2024-01-30"}


@pytest.mark.parametrize(
    ("day", "closed", "uncertain"),
    [
        # Libya's closure is known only by a bound (on or before 2024-01-30): uncertain until then;
        # Nicaragua's embassy closed in 1995.
        pytest.param("2023-09-30", {"Nicaragua"}, UNCERTAIN_LIBYA, id="before-october"),
        # A month-precision closure leaves its month uncertain; Uganda's closure was announced in
        # October 2023 (with a farewell call) and confirmed by early December (a bound: 2023-12).
        pytest.param("2023-10-01", {"Nicaragua"},
                     {**UNCERTAIN_LIBYA, "Angola": "closed 2023-10, exact day not given",
                      "Uganda": "closure announced 2023-10; closed on or before 2023-12"}, id="first-of-october"),
        pytest.param("2023-11-02", {"Nicaragua", "Angola", "Hong Kong"},
                     {**UNCERTAIN_LIBYA, "Nepal": "closed 2023-11, exact day not given",
                      "Uganda": "closure announced 2023-10; closed on or before 2023-12"}, id="hong-kong-day-after"),
        pytest.param("2023-11-30", {"Nicaragua", "Angola", "Hong Kong", "Spain", "Bangladesh",
                                    "Congo, The Democratic Republic of the"},
                     {**UNCERTAIN_LIBYA, "Nepal": "closed 2023-11, exact day not given",
                      "Uganda": "closure announced 2023-10; closed on or before 2023-12"}, id="uganda-announced-only"),
        pytest.param("2023-12-01", {"Nicaragua", "Angola", "Hong Kong", "Spain", "Bangladesh", "Nepal",
                                    "Congo, The Democratic Republic of the"},
                     {**UNCERTAIN_LIBYA, "Senegal": "closed 2023-12, exact day not given",
                      "Guinea": "closed 2023-12, exact day not given",
                      "Uganda": "closure announced 2023-10; closed on or before 2023-12"}, id="uganda-bound-to-come"),
        pytest.param("2024-01-29", {"Nicaragua", "Uganda", "Angola", "Hong Kong", "Nepal", "Spain", "Bangladesh",
                                    "Congo, The Democratic Republic of the", "Senegal", "Guinea"},
                     UNCERTAIN_LIBYA, id="before-libya"),
        pytest.param("2024-01-30", {"Nicaragua", "Uganda", "Angola", "Hong Kong", "Nepal", "Spain", "Bangladesh",
                                    "Congo, The Democratic Republic of the", "Senegal", "Guinea", "Libya"},
                     {}, id="libya-bound-day"),
    ],
)
@pytest.mark.parametrize("engine", ENGINES)
def test_as_of_precision_rules(built, day: str, closed: set[str], uncertain: dict[str, str], engine: str) -> None:
    answer = run(built.graph, "network-as-of", engine, asOf=Literal(day, datatype=XSD.date))
    status = {(str(r["host"]), str(r["status"]), str(r["statusReason"])) for r in answer.records()}
    assert {host for host, s, _ in status if s == "closed"} == closed
    assert {host: why for host, s, why in status if s == "uncertain"} == uncertain
    assert len({host for host, _, _ in status}) == len(status)  # one status per mission (and host, here)
    assert {why for _, s, why in status if s == "open"} <= {"no closure known by this date"}


def test_income_channels_sit_beside_the_articles_claim(built) -> None:
    answer = run(built.graph, "sanction-measures")
    beside = {(str(r["resolution"]), str(r["target"])) for r in answer.records() if r["articleSentence"] is not None}
    assert ("2321", "DPRK missions abroad") in beside
    assert {("2371", "DPRK workers abroad"), ("2375", "DPRK workers abroad"), ("2397", "DPRK workers abroad")} <= beside
    assert not any(target == "financial services" for _, target in beside)
    sentences = {str(r["articleSentence"]) for r in answer.records() if r["articleSentence"] is not None}
    assert any("disrupted North Korea’s foreign currency earnings" in s for s in sentences)


# ---------------------------------------------------------------------------
# The CLI's --as-of
# ---------------------------------------------------------------------------


def test_cli_as_of(cli, built) -> None:
    code, out, err = cli("query", "network-as-of", "--as-of", "2024-02-01", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(out.splitlines()))
    assert {r["asOf"] for r in rows} == {"2024-02-01"}
    assert len({r["mission"] for r in rows if r["status"] == "open"}) == 4
    assert len({r["mission"] for r in rows}) == 15


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["network-as-of", "--as-of", "2023-02-30"], "expected a date", id="not-a-day"),
        pytest.param(["network-as-of", "--as-of", "1/1/2023"], "expected a date", id="wrong-form"),
        pytest.param(["closures-by-date", "--as-of", "2023-01-01"], "takes no as-of date", id="undeclared"),
        pytest.param(["network-as-of"], "give --as-of", id="missing"),
    ],
)
def test_cli_as_of_refused(cli, built, argv: list[str], message: str) -> None:
    code, _out, err = cli("query", *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


# ---------------------------------------------------------------------------
# A further source folder needs no code change
# ---------------------------------------------------------------------------


def test_extra_source_folder_is_picked_up(project_copy: Callable[..., Project]) -> None:
    proj = project_copy(only_sources=["dprk-relations-counts"])
    shutil.copytree(FIXTURE_SOURCES / "fixture-extra-counts", proj.sources / "fixture-extra-counts")
    report = build(proj)
    assert report.written, [str(v) for v in report.violations]
    assert "fixture-extra-counts" in report.sources
    graph = BuiltGraph(proj.built_graph)
    answer = run(graph, "disagreements")
    versions = {(str(r["version"]), str(r["source"])) for r in answer.records()}
    assert ("162 (fixture)", "Fixture: one extra count") in versions
    address = graph.dataset().value(
        URIRef(source_base("fixture-extra-counts") + "extra-counts-r01"), DIPLO.sourceAddress
    )
    assert str(address).startswith("https://www.ncnk.org/")


def test_resolution_without_number_is_a_violation(project_copy: Callable[..., Project]) -> None:
    proj = project_copy(only_sources=["unsc-dprk-resolutions"])
    facts = proj.sources / "unsc-dprk-resolutions" / "facts.ttl"
    facts.write_text(facts.read_text(encoding="utf-8").replace('diplo:resolutionNumber "2321" ;', ""), encoding="utf-8")
    report = build(proj)
    assert not report.written
    assert any("resolutionNumber" in str(v) and "resolution-2321" in str(v) for v in report.violations)


# ---------------------------------------------------------------------------
# An answer row's details come from the row's own source


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_closed_missions_takes_the_announcer_from_the_rows_source(built, engine: str) -> None:
    # The article says state media announced the Angola closure; the closures table says Pyongyang
    # (North Korea) did. Each row gives its own source's announcer, never the other's.
    rows = column_rows(run(built.graph, "closed-missions", engine), ["host", "announcedBy", "source"])
    angola = {(by, source) for host, by, source in rows if host == "Angola"}
    assert angola == {
        ("North Korea’s state media", "North Korea’s Diplomatic Shift"),
        ("North Korea", "DPRK mission closures and openings, 2023-24"),
    }
