"""Namespaces of diplokg: the ontology (a closed namespace), identifiers and named graphs."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/diplokg/"
ONTOLOGY_IRI = URIRef(BASE + "ontology")

ID = Namespace(BASE + "id/")
ISO = Namespace(BASE + "id/iso3166/")
REGION = Namespace(BASE + "id/region/")
MISSION = Namespace(BASE + "id/mission/")
SOURCE = Namespace(BASE + "id/source/")
GRAPH = Namespace(BASE + "graph/")

ONTOLOGY_GRAPH = GRAPH["ontology"]
GAZETTEER_GRAPH = GRAPH["gazetteer"]
INFERRED_GRAPH = GRAPH["inferred"]
#: Facts computed from the graph (the alignment measures), apart from what sources asserted and what
#: the reasoner inferred.
ALIGNMENT_GRAPH = GRAPH["derived/alignment"]
AGREEMENT = Namespace(BASE + "id/agreement/")
ACTIVITY = Namespace(BASE + "id/activity/")


#: The project's usual prefixes: tables print IRIs with them (:func:`kg.query.formats.short`), Turtle
#: output binds them, and a query may use them without declaring them (:mod:`kg.query.gate` declares
#: those it uses in the text it runs, as the Wikidata Query Service does; a query's own win).
PREFIXES: dict[str, str] = {
    "diplo": BASE + "ontology#",
    "iso": str(ISO),
    "region": str(REGION),
    "mission": str(MISSION),
    "person": BASE + "id/person/",
    "agent": BASE + "id/agent/",
    "commodity": BASE + "id/commodity/",
    "src": str(SOURCE),
    "graph": str(GRAPH),
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
}


def source_graph(source_id: str) -> URIRef:
    """The named graph holding everything one source states."""
    return GRAPH["source/" + source_id]


def source_base(source_id: str) -> str:
    """The base IRI that relative IRIs in a source folder's files resolve against."""
    return f"{SOURCE}{source_id}/"


class DIPLO(DefinedNamespace):
    """The diplokg ontology, mirrored; a test checks it matches ontology/diplo.ttl both ways."""

    _fail = True
    _NS = Namespace(BASE + "ontology#")

    # Provenance
    Source: URIRef
    NewsArticle: URIRef
    ReferenceTable: URIRef
    Register: URIRef
    Excerpt: URIRef
    Sentence: URIRef
    TableRow: URIRef
    Modality: URIRef
    ModalityScheme: URIRef
    Reported: URIRef
    Claimed: URIRef
    Predicted: URIRef
    Estimated: URIRef
    Fact: URIRef
    evidence: URIRef
    evidenceSource: URIRef
    modality: URIRef
    attributedTo: URIRef
    text: URIRef
    position: URIRef
    sourceAddress: URIRef
    # Time
    date: URIRef
    datePrecision: URIRef
    unitDecade: URIRef
    # Actors and places
    Place: URIRef
    Polity: URIRef
    State: URIRef
    Territory: URIRef
    WorldRegion: URIRef
    City: URIRef
    InternationalOrganisation: URIRef
    Person: URIRef
    AgentGroup: URIRef
    inRegion: URIRef
    subRegionOf: URIRef
    territoryOf: URIRef
    hasTerritory: URIRef
    cityIn: URIRef
    leaderOf: URIRef
    iso3166Alpha2: URIRef
    iso3166Alpha3: URIRef
    iso3166Numeric: URIRef
    # Missions
    DiplomaticMission: URIRef
    Embassy: URIRef
    ConsulateGeneral: URIRef
    Consulate: URIRef
    RepresentativeOffice: URIRef
    sendingState: URIRef
    hasMission: URIRef
    host: URIRef
    hostsMission: URIRef
    city: URIRef
    hasMissionIn: URIRef
    hostRegion: URIRef
    # Events
    Event: URIRef
    participant: URIRef
    place: URIRef
    MissionEvent: URIRef
    mission: URIRef
    lifecycleEvent: URIRef
    MissionOpening: URIRef
    ClosureAnnouncement: URIRef
    MissionClosure: URIRef
    FarewellVisit: URIRef
    announcedBy: URIRef
    visited: URIRef
    coveredBy: URIRef
    ClosureWave: URIRef
    hasPart: URIRef
    partOf: URIRef
    actor: URIRef
    actorIn: URIRef
    largestSince: URIRef
    Crisis: URIRef
    Famine: URIRef
    Pandemic: URIRef
    Summit: URIRef
    Collapse: URIRef
    collapseOf: URIRef
    Delay: URIRef
    StrategyShift: URIRef
    shiftFrom: URIRef
    shiftTowards: URIRef
    pivotsTowards: URIRef
    indicates: URIRef
    Exchange: URIRef
    ArmsForTechnologyExchange: URIRef
    supplier: URIRef
    recipient: URIRef
    supplies: URIRef
    inReturnFor: URIRef
    Commodity: URIRef
    # Sanctions
    SanctionsRegime: URIRef
    SanctionsResolution: URIRef
    imposedBy: URIRef
    target: URIRef
    reason: URIRef
    disrupts: URIRef
    resolutionOf: URIRef
    hasResolution: URIRef
    WeaponsProgramme: URIRef
    RevenueStream: URIRef
    earnedBy: URIRef
    beneficiary: URIRef
    earns: URIRef
    throughActivity: URIRef
    MissionGroup: URIRef
    groupRegion: URIRef
    groupSender: URIRef
    # Conditions and causes
    Condition: URIRef
    EconomicCondition: URIRef
    FactorKind: URIRef
    EconomicFactor: URIRef
    SanctionsFactor: URIRef
    StrategicFactor: URIRef
    PandemicFactor: URIRef
    factorKind: URIRef
    CausalLink: URIRef
    cause: URIRef
    effect: URIRef
    trend: URIRef
    Trend: URIRef
    Increasing: URIRef
    Decreasing: URIRef
    RoleChange: URIRef
    concerns: URIRef
    TimeStatus: URIRef
    Former: URIRef
    timeStatus: URIRef
    # Partnerships and counts
    Partnership: URIRef
    party: URIRef
    AllyRelation: URIRef
    ally: URIRef
    DiplomaticPriority: URIRef
    priorityPartner: URIRef
    MissionReduction: URIRef
    criterion: URIRef
    hasDiplomaticRelationsWith: URIRef
    Count: URIRef
    countOf: URIRef
    CountKind: URIRef
    StatesWithRelations: URIRef
    Embassies: URIRef
    OverseasMissions: URIRef
    EmbassyClosures: URIRef
    value: URIRef
    valueQualifier: URIRef
    ValueQualifier: URIRef
    Exactly: URIRef
    MoreThan: URIRef
    About: URIRef
    valueText: URIRef
    outOf: URIRef
    statedPercentage: URIRef
    countTrend: URIRef
    # Issue 5: sanctions in depth, time intervals, reporting, openings agreed
    resolutionNumber: URIRef
    trigger: URIRef
    WeaponsTest: URIRef
    SanctionMeasure: URIRef
    measure: URIRef
    measureOf: URIRef
    measureText: URIRef
    measureKind: URIRef
    measureTarget: URIRef
    MeasureKind: URIRef
    MeasureKindScheme: URIRef
    MeasureTarget: URIRef
    MeasureTargetScheme: URIRef
    earningChannel: URIRef
    SuppliesToTarget: URIRef
    ExportsOfTarget: URIRef
    TradeOfTarget: URIRef
    WorkersAbroad: URIRef
    MissionsAbroad: URIRef
    FinanceOfTarget: URIRef
    ListedPersons: URIRef
    CargoOfTarget: URIRef
    RegimeMachinery: URIRef
    ArmsMeasure: URIRef
    WmdItemsMeasure: URIRef
    LuxuryGoodsMeasure: URIRef
    CoalMeasure: URIRef
    MetalsMeasure: URIRef
    FuelMeasure: URIRef
    SeafoodMeasure: URIRef
    TextilesMeasure: URIRef
    LabourAbroadMeasure: URIRef
    MissionStaffMeasure: URIRef
    MissionBankAccountsMeasure: URIRef
    MissionPropertyMeasure: URIRef
    FinancialServicesMeasure: URIRef
    AssetFreezeMeasure: URIRef
    TravelBanMeasure: URIRef
    DesignationsMeasure: URIRef
    CargoInspectionMeasure: URIRef
    JointVenturesMeasure: URIRef
    SanctionsCommitteeMeasure: URIRef
    startDate: URIRef
    endDate: URIRef
    latestDate: URIRef
    reportedBy: URIRef
    Organisation: URIRef
    OpeningAgreement: URIRef
    officialForm: URIRef
    Veto: URIRef
    ArmsTransfer: URIRef
    Treaty: URIRef
    # The world: roll calls and votes, Wikidata's missions, alignment (issue 15)
    RollCall: URIRef
    votedYes: URIRef
    votedNo: URIRef
    abstained: URIRef
    rollCallId: URIRef
    session: URIRef
    resolutionSymbol: URIRef
    importantVote: URIRef
    onAmendment: URIRef
    onParagraph: URIRef
    VoteIssue: URIRef
    issue: URIRef
    HistoricalPolity: URIRef
    iso3166Alpha4: URIRef
    WikidataEntity: URIRef
    wikidataItem: URIRef
    sender: URIRef
    seatedIn: URIRef
    HighCommission: URIRef
    HonoraryConsulate: URIRef
    ApostolicNunciature: URIRef
    AgreementMeasure: URIRef
    AlignmentComputation: URIRef
    state: URIRef
    anchor: URIRef
    year: URIRef
    agreement: URIRef
    agreementPoints: URIRef
    rollCalls: URIRef
    scottsPi: URIRef
    method: URIRef
    # Issue 24: key votes of 2020-2024, coverage, the Security Council's votes and vetoed drafts
    nonVoting: URIRef
    emergencySpecialSession: URIRef
    VoteCoverage: URIRef
    AllRecordedVotes: URIRef
    SelectedVotes: URIRef
    coverage: URIRef
    minimumRollCalls: URIRef
    rank: URIRef
    CouncilVote: URIRef
    DraftResolution: URIRef
    votedOn: URIRef
    documentSymbol: URIRef
    VoteOutcome: URIRef
    Adopted: URIRef
    Vetoed: URIRef
    outcome: URIRef
    CouncilAction: URIRef
    TightensSanctions: URIRef
    RenewsPanel: URIRef
    councilAction: URIRef
    concernsRegime: URIRef
    vetoedBy: URIRef
