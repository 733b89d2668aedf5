"""A mission's status year by year (kg/network/timeline.py) and the DPRK's story (kg/network/story.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kg.network.story import GROUPS, event_group, story_events
from kg.network.timeline import NO_EVENTS, EdgeStatus, edge_status, status_as_of, status_steps

YEARS = list(range(2015, 2025))


@pytest.mark.parametrize(("attrs", "on", "expected"), [
    pytest.param({"kind": "mission-open"}, dt.date(2023, 1, 1), ("open", "no closure or announcement recorded"),
                 id="open"),
    pytest.param({"kind": "mission-open", "opened_on": "2019-05"}, dt.date(2019, 4, 30), None, id="not-open-yet"),
    pytest.param({"kind": "mission-open", "opened_on": "2019-05"}, dt.date(2019, 5, 1), ("open", "opened 2019-05"),
                 id="opened"),
    pytest.param({"kind": "mission-closed", "closed_on": "2023-12-05"}, dt.date(2023, 12, 4),
                 ("open", "no closure or announcement recorded"), id="before-the-closure"),
    pytest.param({"kind": "mission-closed", "closed_on": "2023-12-05"}, dt.date(2023, 12, 5),
                 ("closed", "closed on 2023-12-05"), id="closed-on-the-day"),
    pytest.param({"kind": "mission-closed", "closed_on": "2023-12"}, dt.date(2023, 12, 15),
                 ("uncertain", "closed in 2023-12, day not given"), id="within-the-closing-month"),
    pytest.param({"kind": "mission-closed", "closed_on": "2023-12"}, dt.date(2023, 12, 31),
                 ("closed", "closed in 2023-12"), id="after-the-closing-month"),
    pytest.param({"kind": "mission-closed"}, dt.date(2023, 12, 31), ("uncertain", "closure recorded without a date"),
                 id="undated-closure"),
    pytest.param({"kind": "mission-uncertain", "closed_on": "2023-10"}, dt.date(2023, 10, 1),
                 ("uncertain", "closure announced 2023-10"), id="announced"),
    pytest.param({"kind": "mission-uncertain", "closed_on": "2023-10"}, dt.date(2023, 9, 30),
                 ("open", "no closure or announcement recorded"), id="before-the-announcement"),
])
def test_edge_status(attrs: dict[str, Any], on: dt.date, expected: tuple[str, str] | None) -> None:
    assert edge_status(attrs, on) == expected


def test_steps_keep_only_the_years_where_the_status_changes() -> None:
    attrs = {"kind": "mission-closed", "closed_on": "2023-12-05", "opened_on": "2017"}
    rule = EdgeStatus({})
    steps = status_steps(rule, attrs, YEARS)
    assert steps == [(2015, None, "not open yet"), (2017, "open", "opened 2017"),
                     (2023, "closed", "closed on 2023-12-05")]
    # the page's rule, written in Python: each year at its end
    expected = {2015: None, 2016: None, 2017: "open", 2022: "open", 2023: "closed", 2024: "closed"}
    assert {y: status_as_of(steps, y)[0] for y in expected} == expected
    # the steps agree with the rule asked at the end of every year
    for year in YEARS:
        answer = edge_status(attrs, dt.date(year, 12, 31))
        assert status_as_of(steps, year)[0] == (answer[0] if answer else None), year


def test_a_mission_without_events_is_open_throughout() -> None:
    assert status_steps(NO_EVENTS, object(), YEARS) == [(2015, "open", "no closure or announcement recorded")]
    assert status_steps(NO_EVENTS, object(), []) == []


def test_edge_status_matches_world_missions_by_their_iri() -> None:
    class Mission:
        ident = "mission:PRK-ESP-embassy"

    rule = EdgeStatus.from_edges([{"mission": "https://w3id.org/diplokg/id/mission/PRK-ESP-embassy",
                                   "kind": "mission-closed", "closed_on": "2023-11"}, {"kind": "summit"}],
                                 lambda iri: "mission:" + iri.rsplit("/", 1)[-1])
    assert status_steps(rule, Mission(), YEARS)[-1] == (2023, "closed", "closed in 2023-11")
    assert list(rule.dates(Mission())) == [dt.date(2023, 11, 1), dt.date(2023, 11, 30)]


@pytest.mark.parametrize(("iri", "group"), [
    ("https://w3id.org/diplokg/ontology#MissionClosure", "closure"),
    ("https://w3id.org/diplokg/ontology#ClosureAnnouncement", "announcement"),
    ("https://w3id.org/diplokg/ontology#FarewellVisit", "farewell"),
    ("https://w3id.org/diplokg/ontology#Veto", "veto"),
    ("https://w3id.org/diplokg/ontology#VetoedDraft", "veto"),
    ("https://w3id.org/diplokg/ontology#SanctionsResolution", "sanctions"),
    ("https://w3id.org/diplokg/ontology#Famine", "other"),
])
def test_event_groups(iri: str, group: str) -> None:
    assert event_group(iri) == group and group in GROUPS


@pytest.fixture(scope="module")
def story(built: Any) -> list[Any]:
    return story_events(built.graph)


def test_the_dossier_story_is_in_time_order_without_roll_calls(story: list[Any]) -> None:
    dated = [e for e in story if e.date]
    assert dated and [e.year for e in dated] == sorted(e.year for e in dated)
    assert story.index(dated[-1]) < len(story) and all(not e.date for e in story[len(dated):])
    assert not [e for e in story if "roll call" in e.kind]
    groups = {e.group for e in story}
    assert {"opening", "closure", "announcement", "farewell", "summit", "sanctions", "veto"} <= groups
    assert all(e.evidence and all(x["text"] for x in e.evidence) for e in story)


def test_the_veto_of_2024_is_in_the_story_with_its_evidence(story: list[Any]) -> None:
    vetoes = [e for e in story if e.group == "veto"]
    assert [e.date for e in vetoes] == ["2024-03-28"]
    assert "panel of experts" in vetoes[0].label.lower() and vetoes[0].evidence[0]["source"]
