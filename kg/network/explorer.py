"""Everything the explorer page (and ``diplokg export``) draws, read from a built graph once.

* the DPRK's network (:func:`kg.network.graph.explorer_graph`) and its story
  (:func:`kg.network.story.story_events`);
* the world (:func:`kg.network.worldgraph.world_data`), when the graph holds the votes or the
  world's missions, and how to draw it (:class:`kg.network.worldview.WorldView`): the slider reaches
  the year the graph is as of, and each year's coverage (``all``: every recorded vote, 1946-2019;
  ``selected``: the key votes of 2020-2024) and roll calls are the alignment API's
  (:func:`kg.alignment.api.vote_years`), with its minimum of roll calls for a measure to be ranked.

Every mission, in the network and in the world, carries its dated events (the network rule
``rules/mission-events.rq``), and its status is the rule of :mod:`kg.network.status` on them, the
rule ``diplokg ask network-as-of`` answers by.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.alignment import api
from kg.alignment.coverage import (
    COVERAGE_QUERY,
    DEFAULT_MIN_ROLL_CALLS,
    ROLL_CALL_DATES_QUERY,
    coverage_from_rows,
    roll_calls_per_year,
)
from kg.alignment.rows import VoteYear
from kg.network.graph import explorer_graph
from kg.network.story import StoryEvent, story_events
from kg.network.world import WorldData
from kg.network.worldgraph import world_data
from kg.network.worldview import WorldView
from kg.query.engine import BuiltGraph

__all__ = ["ExplorerInputs", "explorer_inputs", "vote_years"]


@dataclass(frozen=True)
class ExplorerInputs:
    """The explorer's inputs: the network, its story, the world (or None) and how to draw it."""

    graph: nx.MultiDiGraph
    story: list[StoryEvent]
    world: WorldData | None
    view: WorldView


def vote_years(source: Any) -> list[VoteYear]:
    """Every year with General Assembly roll calls: how many, and their coverage (``all`` or ``selected``).

    Args:
        source: A pyoxigraph store (read by :func:`kg.alignment.api.vote_years`), or a function running
            a query's text (the server's, :data:`kg.network.worldgraph.Rows`), which runs the same two
            queries of :mod:`kg.alignment.coverage`.
    """
    if isinstance(source, ox.Store):
        return api.vote_years(source)
    covered = coverage_from_rows(source(COVERAGE_QUERY))
    per_year = roll_calls_per_year(source(ROLL_CALL_DATES_QUERY))
    return [VoteYear(year, n, covered.of(year)) for year, n in per_year.items()]


def world_view(source: Any, through: int | None) -> WorldView:
    """How the world view draws the years: each year's coverage and roll calls (:func:`vote_years`),
    the alignment's minimum of roll calls (:data:`kg.alignment.coverage.DEFAULT_MIN_ROLL_CALLS`), and
    how far the slider goes."""
    found = vote_years(source)
    return WorldView(coverage={v.year: v.coverage for v in found}, roll_calls={v.year: v.roll_calls for v in found},
                     min_roll_calls=DEFAULT_MIN_ROLL_CALLS, through=through)


def explorer_inputs(built: BuiltGraph, world_source: Any = None,
                    progress: Callable[[str], None] | None = None) -> ExplorerInputs:
    """Read the explorer's inputs from *built*.

    Args:
        built: The built graph (or a remote store answering like one).
        world_source: Where the world view is read from (a pyoxigraph store, or a function running
            the world's queries, as :func:`kg.network.worldgraph.world_data` takes); None: no world.
        progress: Told of each step as it starts.
    """
    progress = progress or (lambda _step: None)
    progress("the network")
    graph = explorer_graph(built)
    progress("the story")
    story = story_events(built)
    if world_source is not None:
        progress("the world")
    world = world_data(world_source) if world_source is not None else None
    match = re.match(r"^(\d{4})", str(graph.graph.get("as_of") or ""))
    years = [e.year for e in story if e.year is not None] + ([int(match.group(1))] if match else [])
    through = max(years) if years else None
    view = world_view(world_source, through) if world is not None else WorldView(through=through)
    return ExplorerInputs(graph, story, world, view)
