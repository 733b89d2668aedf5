"""The world's questions: golden answers (tests/golden/world/, written from the raw tables by
make_golden.py and make_golden_2020s.py, not from query output) on the whole build, and the same rows on
Oxigraph and rdflib on a small world."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from kg.query.engine import BuiltGraph
from kg.query.formats import literal_text
from kg.query.gate import vet

GOLDEN = Path(__file__).resolve().parent / "golden" / "world"
QUERIES = Path(__file__).resolve().parent.parent / "queries"
WORLD_QUESTIONS = (
    "alignment-ranking",
    "dprk-alignment",
    "russia-movers",
    "closures-and-alignment",
    "dprk-missions-by-source",
    "ukraine-votes",
    "partners-and-russia",
    "council-votes",
)
BINDINGS = {"alignment-ranking": {"year": Literal("2019", datatype=XSD.gYear)}}


def _golden(name: str) -> list[dict[str, str]]:
    with (GOLDEN / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _answer(graph: BuiltGraph, name: str, engine: str = "oxigraph",
            bindings: dict[str, Literal] | None = None) -> list[dict[str, str]]:
    query = vet((QUERIES / f"{name}.rq").read_text(encoding="utf-8"))
    given = BINDINGS.get(name, {}) if bindings is None else bindings
    answer = graph.run(query, engine=engine, bindings=given)  # type: ignore[arg-type]
    return [{k: literal_text(v) for k, v in record.items()} for record in answer.records()]


def _same(expected: str, actual: str) -> bool:
    if expected == actual:
        return True
    try:
        return Decimal(expected) == Decimal(actual)
    except ArithmeticError:
        return False


def _distinct(rows: list[dict[str, str]], columns: list[str]) -> list[tuple[str, ...]]:
    seen: dict[tuple[str, ...], None] = {}
    for row in rows:
        seen.setdefault(tuple(row.get(c, "") for c in columns), None)
    return list(seen)


def _assert_rows(expected: list[dict[str, str]], actual: list[tuple[str, ...]], columns: list[str]) -> None:
    assert len(actual) == len(expected), (len(actual), len(expected))
    for want, got in zip(expected, actual):
        assert all(_same(want[c], g) for c, g in zip(columns, got)), (want, got)


def _year(year: str) -> dict[str, Literal]:
    return {"year": Literal(year, datatype=XSD.gYear)}


@pytest.mark.parametrize(
    ("name", "golden", "bindings"),
    [
        pytest.param("alignment-ranking", "alignment-ranking-2019.csv", _year("2019"), id="alignment-ranking-2019"),
        pytest.param("alignment-ranking", "alignment-ranking-2022.csv", _year("2022"), id="alignment-ranking-2022"),
        pytest.param("dprk-alignment", "dprk-alignment.csv", None, id="dprk-alignment"),
        pytest.param("russia-movers", "russia-movers.csv", None, id="russia-movers"),
        pytest.param("ukraine-votes", "ukraine-votes.csv", None, id="ukraine-votes"),
        pytest.param("council-votes", "council-votes.csv", None, id="council-votes"),
    ],
)
def test_ordered_answers_match_the_golden(world_built, name: str, golden: str,  # type: ignore[no-untyped-def]
                                          bindings: dict[str, Literal] | None) -> None:
    expected = _golden(golden)
    columns = list(expected[0])
    _assert_rows(expected, _distinct(_answer(world_built.graph, name, bindings=bindings), columns), columns)


@pytest.mark.parametrize(("name", "key"), [("closures-and-alignment", ("host", "period")),
                                           ("partners-and-russia", ("state", "period"))])
def test_unordered_answers_match_the_golden(world_built, name: str, key: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    expected = _golden(f"{name}.csv")
    columns = list(expected[0])
    actual = sorted(_distinct(_answer(world_built.graph, name), columns),
                    key=lambda row: tuple(row[columns.index(k)] for k in key))
    _assert_rows(sorted(expected, key=lambda r: tuple(r[k] for k in key)), actual, columns)


@pytest.mark.parametrize("period", ["2015-2019", "2022-2023"])
def test_closed_hosts_vote_more_with_china_and_russia_than_kept_ones(world_built, period: str) -> None:  # type: ignore[no-untyped-def]
    """What the golden says about the article's claim, in numbers, before the closures and in their
    years (README: the closures and the votes)."""
    rows = [r for r in _golden("closures-and-alignment.csv") if r["period"] == period]

    def mean(status: str, column: str) -> float:
        values = [float(r[column]) for r in rows if r["status"] == status and r[column]]
        return sum(values) / len(values)

    assert mean("closed 2023-24", "agreementChina") > mean("kept", "agreementChina")
    assert mean("closed 2023-24", "agreementRussia") > mean("kept", "agreementRussia")
    assert {r["coverage"] for r in rows} == {"all" if period == "2015-2019" else "selected"}
    rows_answer = _distinct(_answer(world_built.graph, "closures-and-alignment"), ["host", "status", "period"])
    assert ("ESP", "closed 2023-24", period) in rows_answer and ("ZAF", "kept", period) in rows_answer


def test_the_dprk_votes_with_russia_on_every_es11_vote_with_belarus_alone(world_built) -> None:  # type: ignore[no-untyped-def]
    rows = _distinct(_answer(world_built.graph, "ukraine-votes"), ["state", "withRussia", "rollCalls", "coverage"])
    always = [state for state, same, n, _c in rows if same == n]
    assert always == ["BLR", "PRK"]
    assert {n for _s, _w, n, _c in rows} == {"7"} and {c for *_x, c in rows} == {"selected"}


def test_the_vetoes_are_facts_with_their_vetoers_and_the_regime(world_built) -> None:  # type: ignore[no-untyped-def]
    rows = {r["symbol"]: r for r in _answer(world_built.graph, "council-votes")}
    assert rows["S/2022/431"]["vetoedBy"] == "China and Russian Federation"
    assert rows["S/2024/255"]["vetoedBy"] == "Russian Federation"
    assert rows["S/2024/255"]["action"] == "renews the Panel of Experts"
    assert "1718 regime" in rows["S/2022/431"]["regime"]
    # the 2024 veto is one event with the events table's: its row is evidence too
    sources = {r["source"] for r in _answer(world_built.graph, "council-votes") if r["symbol"] == "S/2024/255"}
    assert len(sources) == 2


def test_sources_side_by_side(world_built) -> None:  # type: ignore[no-untyped-def]
    rows = _answer(world_built.graph, "dprk-missions-by-source")
    said: dict[str, dict[str, set[str]]] = {}
    for r in rows:
        for column in ("wikidata", "closuresTable", "article"):
            if r[column]:
                said.setdefault(r["host"], {}).setdefault(column, set()).add(r[column])
    # Spain: Wikidata lists the embassy (Q62089090); the table and the article record its closure.
    assert said["ESP"]["wikidata"] == {"embassy of North Korea in Spain (Q62089090)"}
    assert any("2023-11-03" in e for e in said["ESP"]["closuresTable"]) and said["ESP"]["article"]
    # Uganda: no Wikidata row (items with an end date were left out of the export); table and article.
    assert "wikidata" not in said["UGA"] and said["UGA"]["closuresTable"] and said["UGA"]["article"]
    # Austria: only Wikidata.
    assert set(said["AUT"]) == {"wikidata"}
    items = {item for host in said.values() for item in host.get("wikidata", set())}
    assert len(items) == 26
    assert all(r["source"] and r["sentence"] for r in rows)


# ---------------------------------------------------------------------------
# The same rows on both engines (on a small world: rdflib is slow on the whole one)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_built(small_build: Path) -> BuiltGraph:
    return BuiltGraph(small_build / "diplokg.nq")


def _key(value: str) -> str:
    try:
        return str(Decimal(value).normalize())
    except ArithmeticError:
        return value


@pytest.mark.parametrize("name", WORLD_QUESTIONS)
def test_same_rows_on_both_engines_on_a_small_world(small_built: BuiltGraph, name: str) -> None:
    ours = sorted(tuple(_key(v) for v in r.values()) for r in _answer(small_built, name))
    reference = sorted(tuple(_key(v) for v in r.values()) for r in _answer(small_built, name, engine="rdflib"))
    assert ours == reference
    assert ours, name





@pytest.mark.parametrize("name", ["closed-missions", "closures-by-date", "farewell-visits"])
def test_dprk_questions_with_the_world_keep_one_name_per_mission(world_built, built, name: str) -> None:  # type: ignore[no-untyped-def]
    """Wikidata names some of the same missions (and covering missions) with labels of its own: with
    the world loaded, these questions still give the dossier's rows, one per event and source."""
    world = _answer(world_built.graph, name)
    dossier = _answer(built.graph, name)
    columns = sorted(set().union(*(r.keys() for r in world + dossier)))
    assert len(world) == len({tuple(r.get(c, "") for c in columns) for r in world})
    assert sorted(tuple(r.get(c, "") for c in columns) for r in world) == sorted(
        tuple(r.get(c, "") for c in columns) for r in dossier)
