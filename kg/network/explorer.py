"""Everything the explorer page (and ``diplokg export``) draws, read from a built graph once.

* the DPRK's network (:func:`kg.network.graph.explorer_graph`) and its story
  (:func:`kg.network.story.story_events`);
* the world (:func:`kg.network.worldgraph.world_data`), when the graph holds the votes or the
  world's missions, and how to draw it (:class:`kg.network.worldview.WorldView`): the slider reaches
  the year the graph is as of, and a mission's status comes from the rule of
  :mod:`kg.network.timeline` (for now the network's own mission edges, matched by the mission's IRI:
  the world's missions that are the dossier's missions; the others have no dated event).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kg.network.graph import explorer_graph
from kg.network.story import StoryEvent, story_events
from kg.network.timeline import EdgeStatus
from kg.network.world import WorldData
from kg.network.worldgraph import MISSION, world_data
from kg.network.worldview import WorldView
from kg.query.engine import BuiltGraph

__all__ = ["ExplorerInputs", "explorer_inputs", "short_mission"]


@dataclass(frozen=True)
class ExplorerInputs:
    """The explorer's inputs: the network, its story, the world (or None) and how to draw it."""

    graph: nx.MultiDiGraph
    story: list[StoryEvent]
    world: WorldData | None
    view: WorldView


def short_mission(iri: str) -> str:
    """A mission's IRI as the world view writes it (``mission:PRK-AGO-embassy``)."""
    return "mission:" + iri[len(MISSION):] if iri.startswith(MISSION) else iri


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
    rule = EdgeStatus.from_edges((attrs for _, _, attrs in graph.edges(data=True)), short_mission)
    match = re.match(r"^(\d{4})", str(graph.graph.get("as_of") or ""))
    years = [e.year for e in story if e.year is not None] + ([int(match.group(1))] if match else [])
    through = max(years) if years else None
    return ExplorerInputs(graph, story, world, WorldView(status=rule, through=through))
