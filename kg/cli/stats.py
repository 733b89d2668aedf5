"""``diplokg stats``: tie scores, centrality, communities and the network before/after the closures.

The tie score is a score of the explorer network's ties (:mod:`kg.network.analytics`), not agreement in
the UN General Assembly: ``diplokg alignment`` gives that."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import click
import networkx as nx
from rdflib import URIRef

from kg.cli.common import endpoint_options, get_project, layout_option, project_option, write_output
from kg.cli.query import open_build
from kg.http import Endpoint
from kg.network import analytics
from kg.query.formats import Layout, lay_out, short

TABLES = ("nodes", "missions", "communities")


def _short(node: Any) -> str:
    return short(URIRef(str(node)))


def _number(value: float | None, places: int = 3) -> str:
    return "" if value is None else f"{value:.{places}f}"


def stats_tables(graph: nx.MultiDiGraph) -> dict[str, tuple[tuple[str, ...], list[dict[str, Any]]]]:
    """The three tables ``diplokg stats`` prints, as (columns, rows of plain values)."""
    central = analytics.centrality(graph)
    groups = analytics.communities(graph)
    community_of = {node: i + 1 for i, group in enumerate(groups) for node in group}
    nodes = []
    for node, attrs in graph.nodes(data=True):
        c = central.get(node, {})
        nodes.append({"node": _short(node), "label": attrs.get("label", ""), "kind": attrs.get("kind", ""),
                      "tie_score": attrs.get("tie_score"), "ties": int(c.get("degree", 0)),
                      "degree_centrality": c.get("degree_centrality", 0.0),
                      "betweenness": c.get("betweenness", 0.0), "community": community_of.get(node)})
    nodes.sort(key=lambda r: (r["tie_score"] is None, -(r["tie_score"] or 0.0), -r["ties"], r["label"]))
    missions = [{**row, "sender": _short(row["sender"]), "label": graph.nodes[row["sender"]].get("label", "")}
                for row in analytics.mission_counts(graph)]
    communities = [{"community": i + 1, "size": len(group),
                    "members": "; ".join(sorted(graph.nodes[n].get("label", str(n)) for n in group))}
                   for i, group in enumerate(groups)]
    return {
        "nodes": (("node", "label", "kind", "tie_score", "ties", "degree_centrality", "betweenness", "community"),
                  nodes),
        "missions": (("sender", "label", "since", "before", "after", "closed", "uncertain", "opened",
                      "closed_earlier", "recorded"), missions),
        "communities": (("community", "size", "members"), communities),
    }


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return _number(value)
    return "" if value is None else str(value)


TITLES = {
    "nodes": ("Tie score towards {anchors} (1.0 = anchor; the network's ties, not UN General Assembly "
              "alignment: see diplokg alignment) and centrality"),
    "missions": "Missions before and after the closures (as recorded in the graph)",
    "communities": "Communities (greedy modularity)",
}


def render_stats(graph: nx.MultiDiGraph, fmt: str, which: str, layout: Layout = "auto") -> str:
    """The stats in a format: ``table`` (all or one table, laid out as ``layout`` says), ``csv`` (one
    table) or ``json`` (all)."""
    tables = stats_tables(graph)
    names = TABLES if which == "all" else (which,)
    if fmt == "json":
        data = {"title": graph.graph.get("title", ""), "as_of": graph.graph.get("as_of", ""),
                "nodes_total": graph.number_of_nodes(), "edges_total": graph.number_of_edges(),
                **{name: tables[name][1] for name in names}}
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if fmt == "csv":
        columns, rows = tables[names[0] if which != "all" else "nodes"]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_cell(r[c]) for c in columns] for r in rows])
        return buffer.getvalue()
    anchors = " and ".join(graph.nodes[a]["label"] for a in analytics.ANCHORS if a in graph)
    parts = [f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges; as of {graph.graph.get('as_of')}\n"]
    for name in names:
        columns, rows = tables[name]
        parts.append(f"\n{TITLES[name].format(anchors=anchors)}\n")
        parts.append(lay_out(columns, [tuple(_cell(r[c]) for c in columns) for r in rows], layout=layout))
    return "".join(parts)


@click.command("stats")
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "csv", "json")), default="table",
              show_default=True, help="table for people; csv gives one table (nodes unless --table says); json all.")
@click.option("-t", "--table", "which", type=click.Choice(("all", *TABLES)), default="all", show_default=True,
              help="Which table to print.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (atomically) instead of standard output.")
@layout_option
@endpoint_options
@project_option
def command(fmt: str, which: str, layout: Layout, output: Path | None, project: Path | None,
            endpoint: Endpoint | None) -> None:
    """Print the explorer network's analytics: each node's tie score towards China and Russia (a
    score of the network's ties, not agreement in the UN General Assembly: see `diplokg alignment`),
    its ties, degree and betweenness centrality and community; the missions of each sending state
    before and after the closures; and the communities. Builds first if needed."""
    out = render_stats(open_build(get_project(project), endpoint).network(), fmt, which, layout)
    if output is not None:
        write_output(output, out)
    else:
        click.echo(out, nl=False)
