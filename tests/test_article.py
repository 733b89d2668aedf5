"""The first source: every statement of the article a reader could ask about is in the graph, with
its sentence and modality, and nothing in its graph lacks a sentence."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import RDF, URIRef

from kg.namespaces import source_base, source_graph
from kg.query.gate import vet
from kg.sources.folder import split_sentences

ARTICLE = "dprk-embassy-closures-2023"
BASE = source_base(ARTICLE)
PREFIXES = """
PREFIX diplo: <https://w3id.org/diplokg/ontology#>
PREFIX iso: <https://w3id.org/diplokg/id/iso3166/>
PREFIX region: <https://w3id.org/diplokg/id/region/>
PREFIX mission: <https://w3id.org/diplokg/id/mission/>
PREFIX agent: <https://w3id.org/diplokg/id/agent/>
PREFIX person: <https://w3id.org/diplokg/id/person/>
PREFIX commodity: <https://w3id.org/diplokg/id/commodity/>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

# (what the article says, the fact's class, its defining triples as SPARQL, sentence, modality)
STATEMENTS = [
    ("closure Uganda", "MissionClosure", "diplo:mission mission:PRK-UGA-embassy", 5, "Reported"),
    ("closure Angola", "MissionClosure", "diplo:mission mission:PRK-AGO-embassy", 5, "Reported"),
    ("closure Hong Kong", "MissionClosure", "diplo:mission mission:PRK-HKG-embassy", 5, "Reported"),
    ("closure Spain", "MissionClosure", "diplo:mission mission:PRK-ESP-embassy", 5, "Reported"),
    ("announced by state media", "ClosureAnnouncement",
     "diplo:announcedBy agent:dprk-state-media ; diplo:mission mission:PRK-ESP-embassy", 5, "Reported"),
    ("farewell visit Uganda", "FarewellVisit", "diplo:visited iso:UGA", 5, "Reported"),
    ("farewell visit Angola", "FarewellVisit", "diplo:visited iso:AGO", 5, "Reported"),
    ("largest since the 1990s famine", "ClosureWave",
     "diplo:largestSince [ a diplo:Famine ; diplo:datePrecision diplo:unitDecade ]", 3, "Reported"),
    ("more departures may follow", "MissionReduction", "diplo:attributedTo agent:experts", 6, "Predicted"),
    ("about 10 embassies to close", "Count",
     "diplo:countOf diplo:EmbassyClosures ; diplo:value 10 ; diplo:valueQualifier diplo:About ; "
     "diplo:statedPercentage 20", 22, "Predicted"),
    ("approximately 50 embassies", "Count",
     "diplo:countOf diplo:Embassies ; diplo:value 50 ; diplo:valueText 'approximately 50'", 22, "Estimated"),
    ("ties with over 150 countries", "Count",
     "diplo:countOf diplo:StatesWithRelations ; diplo:value 150 ; diplo:valueQualifier diplo:MoreThan", 14,
     "Reported"),
    ("missions shrinking since the 1990s", "Count",
     "diplo:countOf diplo:OverseasMissions ; diplo:countTrend diplo:Decreasing", 14, "Reported"),
    ("Africa's embassies earned hard currency", "RevenueStream",
     "diplo:earns commodity:hard-currency ; diplo:throughActivity commodity:construction-deals , "
     "commodity:military-deals ; diplo:earnedBy [ diplo:groupRegion region:africa ]", 8, "Reported"),
    ("sanctions over weapons programmes", "SanctionsRegime",
     "diplo:reason [ a diplo:WeaponsProgramme ] ; diplo:target iso:PRK", 9, "Reported"),
    ("sanctions took a toll on the income", "CausalLink",
     "diplo:cause [ a diplo:SanctionsRegime ] ; diplo:effect [ a diplo:RevenueStream ]", 9, "Reported"),
    ("sanctions disrupted foreign currency earnings", "SanctionsRegime",
     "diplo:disrupts [ a diplo:RevenueStream ; diplo:earns commodity:hard-currency ]", 11, "Reported"),
    ("allies' payment difficulties", "EconomicCondition", "diplo:actor agent:dprk-loyal-allies", 10, "Reported"),
    ("payment difficulties led to closures", "CausalLink",
     "diplo:cause [ diplo:actor agent:dprk-loyal-allies ] ; diplo:effect [ a diplo:ClosureWave ]", 10, "Reported"),
    ("pivot to China and Russia", "StrategyShift", "diplo:shiftTowards iso:CHN , iso:RUS", 15, "Reported"),
    ("Kim-Putin summit", "Summit", "diplo:participant person:kim-jong-un , person:vladimir-putin", 16, "Reported"),
    ("weapons for technology", "ArmsForTechnologyExchange",
     "diplo:supplier iso:PRK ; diplo:recipient iso:RUS ; diplo:supplies commodity:weapons ; "
     "diplo:inReturnFor commodity:technology-advice", 16, "Claimed"),
    ("China's and Russia's importance grew", "RoleChange",
     "diplo:concerns iso:CHN , iso:RUS ; diplo:trend diplo:Increasing", 17, "Reported"),
    ("Africa's role weakened", "RoleChange", "diplo:concerns region:africa ; diplo:trend diplo:Decreasing", 17,
     "Reported"),
    ("Hanoi summit collapse 2019", "Collapse",
     "diplo:date '2019'^^xsd:gYear ; diplo:datePrecision time:unitYear ; "
     "diplo:collapseOf [ a diplo:Summit ; diplo:participant person:donald-trump ]", 19, "Reported"),
    ("roots traced to Hanoi", "CausalLink",
     "diplo:cause [ a diplo:Collapse ] ; diplo:effect [ a diplo:ClosureWave ]", 19, "Claimed"),
    ("turn to weapons programmes", "StrategyShift", "diplo:shiftTowards [ a diplo:WeaponsProgramme ]", 20,
     "Reported"),
    ("COVID-19 delayed relocations", "CausalLink",
     "diplo:cause [ a diplo:Pandemic ] ; diplo:effect [ a diplo:Delay ]", 21, "Reported"),
    ("driver: economic hardship", "CausalLink",
     "diplo:cause [ a diplo:EconomicCondition ; diplo:evidence ?e ] ; diplo:effect [ a diplo:ClosureWave ]", 23,
     "Reported"),
    ("driver: trade deficit", "EconomicCondition", "diplo:trend diplo:Increasing", 23, "Reported"),
    ("driver: reserves depleted", "EconomicCondition", "diplo:trend diplo:Decreasing", 23, "Reported"),
    ("five priority partners", "DiplomaticPriority",
     "diplo:priorityPartner iso:CHN , iso:RUS , iso:SYR , iso:IRN , iso:CUB", 24, "Predicted"),
    ("scaling back costly embassies", "MissionReduction", "diplo:criterion ?c", 24, "Predicted"),
    ("reduced diplomatic capability", "RoleChange", "diplo:concerns iso:PRK ; diplo:trend diplo:Decreasing", 25,
     "Predicted"),
]


@pytest.mark.parametrize(
    ("klass", "pattern", "sentence", "modality"),
    [pytest.param(k, p, s, m, id=name) for name, k, p, s, m in STATEMENTS],
)
def test_statement_is_in_the_graph_with_its_sentence_and_modality(
    built: object, klass: str, pattern: str, sentence: int, modality: str
) -> None:
    graph = built.graph  # type: ignore[attr-defined]
    query = PREFIXES + f"""
    ASK {{ GRAPH <{source_graph(ARTICLE)}> {{
        ?fact a diplo:{klass} ; {pattern} ;
              diplo:evidence <{BASE}s{sentence:02d}> ;
              diplo:modality diplo:{modality} .
    }} }}"""
    assert graph.run(vet(query, graph.graph_names())).boolean


def test_sentences_are_cut_in_reading_order(project: object) -> None:
    text = (project.sources / ARTICLE / "text.txt").read_text(encoding="utf-8")  # type: ignore[attr-defined]
    sentences = split_sentences(text)
    assert len(sentences) == 25
    assert sentences[0] == "North Korea’s Diplomatic Shift"
    assert sentences[4].startswith("The closures were announced by North Korea’s state media")
    assert sentences[-1] == (
        "As a result, a reduction in North Korea’s overall diplomatic capabilities appears to be inevitable."
    )
    assert all(s in text for s in sentences)


def test_every_subject_of_the_article_graph_has_evidence(built: object) -> None:
    ds = built.graph.dataset(asserted_only=True)  # type: ignore[attr-defined]
    g = ds.graph(source_graph(ARTICLE))
    me = URIRef(BASE)
    evidence = URIRef("https://w3id.org/diplokg/ontology#evidence")
    sentence = URIRef("https://w3id.org/diplokg/ontology#Sentence")
    unsourced = [
        s for s in set(g.subjects())
        if s != me and (s, RDF.type, sentence) not in g and (s, evidence, None) not in g
    ]
    assert unsourced == []


def test_article_text_is_a_verbatim_copy(project: object) -> None:
    # Checked against the original's SHA-256, kept in the project (no folder outside it is needed).
    originals = Path(__file__).resolve().parent / "fixtures" / "originals.sha256"
    digests = {path: digest for digest, path in (line.split() for line in originals.read_text().splitlines()
                                                  if line and not line.startswith("#"))}
    ours = project.sources / ARTICLE / "text.txt"  # type: ignore[attr-defined]
    assert hashlib.sha256(ours.read_bytes()).hexdigest() == digests[f"{ARTICLE}/text.txt"]


# ---------------------------------------------------------------------------
# The article read once more (issue 22): nothing a heading alone says, a signal kept as a signal
# ---------------------------------------------------------------------------


def test_the_uns_role_in_the_sanctions_comes_from_the_resolutions_table_not_the_heading(built: object) -> None:
    # s09 says "stringent global sanctions"; only the heading (s07) names the UN.
    graph = built.graph  # type: ignore[attr-defined]
    query = PREFIXES + """
    PREFIX dcterms: <http://purl.org/dc/terms/>
    SELECT DISTINCT ?imposer ?source WHERE {
      ?s diplo:resolutionOf?/diplo:target iso:PRK ; diplo:imposedBy ?imposer ;
         diplo:evidence/dcterms:isPartOf ?source .
    }"""
    rows = graph.run(vet(query, graph.graph_names())).rows
    assert rows, "the resolutions table's regime and resolutions name their imposer"
    assert {str(source) for _imposer, source in rows} == {source_base("unsc-dprk-resolutions")}
    article = PREFIXES + f"""
    ASK {{ GRAPH <{source_graph(ARTICLE)}> {{ ?s a diplo:SanctionsRegime ; diplo:imposedBy ?by }} }}"""
    assert not graph.run(vet(article, graph.graph_names())).boolean


def test_a_prolonged_war_is_what_the_turn_to_weapons_signals_not_a_war_reported(built: object) -> None:
    graph = built.graph  # type: ignore[attr-defined]
    query = PREFIXES + f"""
    SELECT ?modality WHERE {{ GRAPH <{source_graph(ARTICLE)}> {{
      ?turn a diplo:StrategyShift ; diplo:shiftTowards [ a diplo:WeaponsProgramme ] ;
            diplo:indicates ?war .
      ?war diplo:evidence <{BASE}s20> ; diplo:modality ?modality .
    }} }}"""
    rows = graph.run(vet(query, graph.graph_names())).rows
    assert [str(r[0]).rsplit("#", 1)[-1] for r in rows] == ["Predicted"]
