"""Drawings of small graphs, laid out once on the server: a neighbourhood of a node, or a
concept map (VOSviewer's kind: concepts linked by association strength, clustered).

Everything here is a plain function of its input, deterministic (seeded layout, sorted
orders), so that the same graph always gives the same picture and a page can be drawn in its
first frame with no physics in the browser. pyvis makes the vis-network data (`vis_data`).

    >>> graph = nx.Graph([("a", "b", {"weight": 2.0}), ("b", "c", {"weight": 1.0})])
    >>> sorted(layout(graph))
    ['a', 'b', 'c']
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from pyvis.network import Network

SEED = 7
WIDTH, HEIGHT = 1000.0, 640.0  # the layout's box, in the drawing's pixels at the first zoom
CHAR_WIDTH, LINE_HEIGHT = 8.0, 18.0  # a label's box at the drawing's font size (14 px)
LABEL_GAP = 6.0  # pixels kept clear around a label
LABEL_CHARS = 40  # longer labels are cut, the tooltip has them whole
MAX_NODES = 150
CLUSTER_COLOURS = ("#3b7dd8", "#e07b39", "#3aa566", "#c0504d", "#8e6bbf", "#8c6d46",
                   "#d46aa8", "#7f8c8d", "#b5a62d", "#2fa3b5")
KIND_COLOURS = {"paper": "#3b7dd8", "author": "#f0a030", "concept": "#9b59b6",
                "category": "#2e9e5b", "day": "#7f8c8d"}
KIND_SHAPES = {"paper": "dot", "author": "triangle", "concept": "star", "category": "square",
               "day": "diamond"}


@dataclass
class Node:
    """A node to draw: `weight` (papers, usually) sizes it and decides whose label shows."""

    id: str
    label: str
    kind: str
    url: str
    weight: float = 1.0
    title: str = ""  # the tooltip, as text
    group: int | None = None  # a cluster of a concept map
    colour: str | None = None  # overrides the kind's or cluster's colour (overlays)
    x: float = 0.0
    y: float = 0.0
    shown: bool = True  # whether its label is drawn at the first zoom


@dataclass
class Drawing:
    nodes: list[Node]
    edges: list[tuple[str, str, float]]
    clusters: list[dict[str, Any]] = field(default_factory=list)  # a concept map's legend


def association_strength(together: int, papers_a: int, papers_b: int, total: int) -> float:
    """How much more often two concepts share papers than if they were independent: VOSviewer's
    association strength, c_ab * N / (c_a * c_b), which does not favour concepts that are
    merely frequent (raw counts pair everything with "large language model").

    >>> association_strength(10, 20, 50, 1000)
    10.0
    """
    return together * total / (papers_a * papers_b) if papers_a and papers_b else 0.0


def layout(graph: nx.Graph, seed: int = SEED) -> dict[str, tuple[float, float]]:
    """Positions in a WIDTH x HEIGHT box: Fruchterman-Reingold from a seeded start, with
    edges pulling by their `weight`; components side by side, as a graph's parts are."""
    if graph.number_of_nodes() == 0:
        return {}
    if graph.number_of_nodes() == 1:
        return {next(iter(graph)): (0.0, 0.0)}
    k = 1.6 / math.sqrt(graph.number_of_nodes())  # looser than the default: room for labels
    raw = nx.spring_layout(graph, k=k, seed=seed, weight="weight", iterations=80)
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    return {n: (float((p[0] - min(xs)) / span_x * WIDTH - WIDTH / 2),
                float((p[1] - min(ys)) / span_y * HEIGHT - HEIGHT / 2))
            for n, p in sorted(raw.items())}


def label_box(x: float, y: float, label: str, radius: float
              ) -> tuple[float, float, float, float]:
    """The box a node's label covers, with a gap around it: (left, top, right, bottom)."""
    half = min(len(label), LABEL_CHARS) * CHAR_WIDTH / 2 + LABEL_GAP
    top = y + radius  # vis-network writes a label under its node
    return x - half, top, x + half, top + LINE_HEIGHT + LABEL_GAP


def place_labels(nodes: list[Node]) -> None:
    """Show the labels of the heaviest nodes first, skipping any that would overlap one
    already shown: at the first zoom no two labels cover each other."""
    placed: list[tuple[float, float, float, float]] = []
    for node in sorted(nodes, key=lambda n: (-n.weight, n.label)):
        box = label_box(node.x, node.y, node.label, _radius(node))
        node.shown = not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                             for b in placed)
        if node.shown:
            placed.append(box)


def _radius(node: Node) -> float:
    return 6 + 4 * math.log1p(node.weight)


def draw(nodes: list[Node], edges: list[tuple[str, str, float]],
         clusters: list[dict[str, Any]] | None = None) -> Drawing:
    """Lay out `nodes` (at most MAX_NODES, the caller's most relevant) with their `edges`
    (a, b, weight) and choose which labels show."""
    nodes = nodes[:MAX_NODES]
    known = {n.id for n in nodes}
    graph = nx.Graph()
    graph.add_nodes_from(sorted(known))
    graph.add_weighted_edges_from(sorted((a, b, w) for a, b, w in edges
                                         if a in known and b in known and a != b))
    positions = layout(graph)
    for node in nodes:
        node.x, node.y = positions[node.id]
    place_labels(nodes)
    return Drawing(nodes, [(a, b, w) for a, b, w in graph.edges(data="weight")], clusters or [])


def clustered(graph: nx.Graph, seed: int = SEED) -> dict[str, int]:
    """Clusters of a weighted graph (Louvain, seeded), numbered largest first."""
    if graph.number_of_edges() == 0:
        return dict.fromkeys(graph, 0)
    found = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    ordered = sorted(found, key=lambda c: (-len(c), min(c)))
    return {node: number for number, members in enumerate(ordered) for node in members}


def vis_data(drawing: Drawing) -> dict[str, Any]:
    """The drawing as vis-network nodes and edges (made by pyvis), fixed where laid out."""
    network = Network(directed=False)
    for node in drawing.nodes:
        colour = node.colour or (CLUSTER_COLOURS[node.group % len(CLUSTER_COLOURS)]
                                 if node.group is not None else KIND_COLOURS[node.kind])
        label = node.label if len(node.label) <= LABEL_CHARS \
            else node.label[:LABEL_CHARS - 1] + "…"
        network.add_node(node.id, label=label if node.shown else " ", title=node.title or
                         node.label, shape=KIND_SHAPES[node.kind], color=colour,
                         size=_radius(node), x=round(node.x, 1), y=round(node.y, 1),
                         physics=False, url=node.url, kind=node.kind, full=node.label)
    widest = max((w for _, _, w in drawing.edges), default=1.0) or 1.0
    for a, b, weight in drawing.edges:
        network.add_edge(a, b, width=round(0.5 + 3 * weight / widest, 2), color="#c7ced6")
    nodes, edges, *_ = network.get_network_data()
    return {"nodes": nodes, "edges": edges, "clusters": drawing.clusters}


def neighbourhood_edges(links: Mapping[str, list[str]]) -> list[tuple[str, str, float]]:
    """Edges (weight 1) from lists of linked ids."""
    return [(a, b, 1.0) for a, targets in links.items() for b in targets]
