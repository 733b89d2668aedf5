"""The explorer's networks of a build as networkx graphs (:class:`kg.api.Build`'s ``network``,
``world_network`` and ``dprk_network``), each as the explorer page and ``diplokg export`` read it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.errors import DiplokgError

if TYPE_CHECKING:
    import networkx as nx

    from kg.http import Endpoint
    from kg.network.explorer import ExplorerInputs
    from kg.query.engine import BuiltGraph


class Networks:
    """The networks part of :class:`kg.api.Build`: read once per build and kept."""

    graph: BuiltGraph
    endpoint: Endpoint | None
    _inputs: dict[bool, ExplorerInputs]
    _network: nx.MultiDiGraph | None

    def explorer_inputs(self, world: bool = True) -> ExplorerInputs:
        """What the explorer page draws (:func:`kg.network.explorer.explorer_inputs`): the DPRK's network,
        its story, and (with ``world``, from a local build) the world; read once and kept."""
        from kg.network.explorer import explorer_inputs

        with_world = world and self.endpoint is None
        if not with_world and True in self._inputs:
            return self._inputs[True]  # the same network, with the world beside it
        if with_world not in self._inputs:
            self._inputs[with_world] = explorer_inputs(self.graph, self.graph.store if with_world else None)
        return self._inputs[with_world]

    def network(self) -> nx.MultiDiGraph:
        """The explorer's network of the DPRK (:func:`kg.network.graph.explorer_graph`): states,
        organisations and persons as nodes, missions, ties, sanctions and claims as edges, each with its
        facts and evidence. Read once and kept (with the explorer's inputs when they were read)."""
        from kg.network.graph import explorer_graph

        for inputs in self._inputs.values():
            return inputs.graph
        if self._network is None:
            self._network = explorer_graph(self.graph)
        return self._network

    def world_network(self, year: int | None = None) -> nx.MultiDiGraph:
        """The world's missions (sender to host, each with its status at the end of ``year``) and every
        state's agreement by year, as ``diplokg export world`` writes it (:func:`kg.network.export.world_network`).

        Raises:
            DiplokgError: On a store, or when the graph holds no world (no UN votes, no located missions).
        """
        from kg.network.export import world_network

        if self.endpoint is not None:
            raise DiplokgError("the world network reads the world from a local build, not a store")
        inputs = self.explorer_inputs()
        if inputs.world is None:
            raise DiplokgError("the graph holds no world view (no UN votes and no located missions): build with "
                               "sources/unga-votes and sources/wikidata-missions")
        return world_network(inputs.world, inputs.view, year)

    def dprk_network(self, year: int | None = None) -> nx.MultiDiGraph:
        """The DPRK view's network with plain attributes, as ``diplokg export dprk`` writes it
        (:func:`kg.network.export.dprk_network`): missions with their status at the end of ``year``."""
        from kg.network.export import dprk_network

        inputs = self.explorer_inputs()
        return dprk_network(inputs.graph, inputs.story, inputs.world, inputs.view, year)
