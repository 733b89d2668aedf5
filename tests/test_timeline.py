"""A mission's status year by year (kg/network/timeline.py: the rule of kg/network/status.py read at
each year's end) and the DPRK's story (kg/network/story.py)."""

from __future__ import annotations

from typing import Any

import pytest

from kg.network.status import StatusEvent, status_as_of, status_timeline
from kg.network.story import GROUPS, event_group, story_events
from kg.network.timeline import step_at, timeline_rows, year_end, year_steps

YEARS = list(range(2015, 2025))
E = StatusEvent
UGANDA = (E("listed", "2022-11-16", source="W"), E("announcement", "2023-10", source="T"),
          E("closure", "2023-12", True, "C"))
BANGLADESH = (E("opening", "2016", source="T"), E("closure", "2023-11-21", source="T"))
AGREED = (E("agreement", "2023-07", source="T"),)
LIBYA = (E("closure", "2024-01-30", True, "T"),)
REOPENED = (E("closure", "2017-03", source="T"), E("opening", "2019-06-01", source="T"))


@pytest.mark.parametrize(("events", "steps"), [
    pytest.param((), [(2015, "open", "no closure known by this date", True)], id="no-events"),
    # on 2023-12-31 a closure "on or before 2023-12" may still fall on that day: uncertain until 2024
    pytest.param(UGANDA, [(2015, "open", "no closure known by this date", True),
                          (2022, "uncertain", "closed on or before 2023-12", True),
                          (2023, "uncertain", "closure announced 2023-10; closed on or before 2023-12", True),
                          (2024, "closed", "closed on or before 2023-12", True)], id="uganda"),
    pytest.param(BANGLADESH, [(2015, "closed", "not yet opened (opened 2016)", False),
                              (2016, "uncertain", "opened 2016, exact day not given", True),
                              (2017, "open", "no closure known by this date", True),
                              (2023, "closed", "closed 2023-11-21", True)], id="opened-then-closed"),
    pytest.param(AGREED, [(2015, "closed", "agreed to open 2023-07; no opening known", False)], id="agreed-only"),
    pytest.param(LIBYA, [(2015, "uncertain", "closed on or before 2024-01-30", True),
                         (2024, "closed", "closed on or before 2024-01-30", True)], id="a-bound-alone"),
    pytest.param(REOPENED, [(2015, "open", "no closure known by this date", True),
                            (2017, "closed", "closed 2017-03", True),
                            (2019, "open", "reopened 2019-06-01", True)], id="reopened"),
])
def test_steps_are_the_rule_at_the_years_where_it_changes(events: tuple[StatusEvent, ...],
                                                           steps: list[tuple[int, str, str, bool]]) -> None:
    assert year_steps(timeline_rows(status_timeline(events)), YEARS) == steps


@pytest.mark.parametrize("events", [(), UGANDA, BANGLADESH, AGREED, LIBYA, REOPENED])
def test_the_steps_read_at_any_year_are_the_rule_on_its_last_day(events: tuple[StatusEvent, ...]) -> None:
    steps = year_steps(timeline_rows(status_timeline(events)), YEARS)
    for year in YEARS:
        found = status_as_of(events, year_end(year))
        step = step_at(steps, year)
        assert step is not None and (step[1], step[2]) == (found.status, found.reason), year


def test_no_years_no_steps() -> None:
    assert year_steps(timeline_rows(status_timeline(UGANDA)), []) == [] and step_at([], 2020) is None


def test_a_year_before_the_first_step_reads_the_first() -> None:
    steps = year_steps(timeline_rows(status_timeline(BANGLADESH)), YEARS)
    assert step_at(steps, 1990) == (2015, "closed", "not yet opened (opened 2016)", False)


@pytest.mark.parametrize(("iri", "group"), [
    ("https://w3id.org/diplokg/ontology#MissionClosure", "closure"),
    ("https://w3id.org/diplokg/ontology#ClosureAnnouncement", "announcement"),
    ("https://w3id.org/diplokg/ontology#FarewellVisit", "farewell"),
    ("https://w3id.org/diplokg/ontology#Veto", "veto"),
    ("https://w3id.org/diplokg/ontology#VetoedDraft", "veto"),
    ("https://w3id.org/diplokg/ontology#SanctionsResolution", "sanctions"),
    ("https://w3id.org/diplokg/ontology#CouncilVote", "council"),
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


@pytest.mark.slow
def test_the_security_councils_vetoes_are_in_the_world_story_with_their_evidence(world_built: Any) -> None:
    # with the Security Council's votes (sources/unsc-dprk-votes, a world source): its two vetoes on the
    # DPRK, S/2022/431 (China and Russia) and S/2024/255 (Russia; the events table's veto of the Panel of
    # Experts' renewal, one node), each with the votes table's row as evidence
    story = story_events(world_built.graph)
    vetoes = [e for e in story if e.group == "veto"]
    assert [e.date for e in vetoes] == ["2022-05-26", "2024-03-28"]
    assert "panel of experts" in vetoes[1].label.lower()
    for veto, symbol in zip(vetoes, ("S/2022/431", "S/2024/255"), strict=True):
        assert any(f"symbol: {symbol};" in x["text"] and "outcome: failed (veto)" in x["text"] for x in veto.evidence)
    # the Council's adopted votes are events of their own group, not "other"
    council = [e for e in story if e.group == "council"]
    assert len(council) == 23 and all(e.label.startswith("UN Security Council vote on S/RES/") for e in council)
    assert not [e for e in story if e.group == "other" and "Security Council" in e.label]
