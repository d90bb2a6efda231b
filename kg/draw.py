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
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import networkx as nx
from pyvis.network import Network

SEED = 7
WIDTH, HEIGHT = 1000.0, 640.0  # the layout's box, in the drawing's pixels at the first zoom
CHAR_WIDTH, LINE_HEIGHT = 8.0, 18.0  # a label's box at the drawing's font size (14 px)
LABEL_GAP = 6.0  # pixels kept clear around a label
LABEL_CHARS = 40  # longer labels are cut, the tooltip has them whole
LOOSE_SPACING, LOOSE_ROW = 170.0, 60.0  # the grid of the nodes outside the largest part,
LOOSE_ROWS = 3  # in at most this many rows (closer when many: the labels placed first win)
MAX_NODES = 150
LINKS_KEPT = 5  # a concept map's concept keeps this many of its strongest links
CLUSTER_COLOURS = ("#3b7dd8", "#e07b39", "#3aa566", "#c0504d", "#8e6bbf", "#8c6d46",
                   "#d46aa8", "#7f8c8d", "#b5a62d", "#2fa3b5")
UNCLUSTERED = "#9aa5b1"
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
    caption: str = ""  # what else the page should say of it (which papers a map counts)


def association_strength(together: int, papers_a: int, papers_b: int, total: int) -> float:
    """How much more often two concepts share papers than if they were independent: VOSviewer's
    association strength, c_ab * N / (c_a * c_b), which does not favour concepts that are
    merely frequent (raw counts pair everything with "large language model").

    >>> association_strength(10, 20, 50, 1000)
    10.0
    """
    return together * total / (papers_a * papers_b) if papers_a and papers_b else 0.0


def layout(graph: nx.Graph, seed: int = SEED) -> dict[str, tuple[float, float]]:
    """Positions in a WIDTH x HEIGHT box: the largest connected part by Fruchterman-Reingold
    from a seeded start (edges pulling by their `weight`), filling the box; the nodes of the
    other parts in at most LOOSE_ROWS rows beneath it, each part together, so that loose
    nodes neither crush the part that says most into the middle nor stretch the drawing
    (which the browser would then show smaller, its labels too small to read)."""
    if graph.number_of_nodes() == 0:
        return {}
    parts = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    main, rest = parts[0], [n for part in parts[1:] for n in sorted(part)]
    columns = max(int(WIDTH // LOOSE_SPACING), -(-len(rest) // LOOSE_ROWS), 1)
    spacing = WIDTH / columns
    rows = -(-len(rest) // columns)
    height = HEIGHT - (rows + 1) * LOOSE_ROW if len(main) > 1 else 0.0
    # In node order: a subgraph view of under half the graph iterates its node set, whose
    # order changes with each process's string hashing, and so would the layout.
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(main))
    ordered.add_edges_from(sorted((*sorted((a, b)), data)
                                  for a, b, data in graph.subgraph(main).edges(data=True)))
    positions = _spread(ordered, seed, WIDTH, height)
    top = max((y for _, y in positions.values()), default=0.0) + LOOSE_ROW
    for i, node in enumerate(rest):
        row, column = divmod(i, columns)
        positions[node] = (column * spacing - WIDTH / 2, top + row * LOOSE_ROW)
    return positions


def _spread(graph: nx.Graph, seed: int, width: float, height: float
            ) -> dict[str, tuple[float, float]]:
    """A connected graph laid out by Fruchterman-Reingold in a width x height box, centred."""
    if graph.number_of_nodes() == 1:
        return {next(iter(graph)): (0.0, 0.0)}
    k = 1.6 / math.sqrt(graph.number_of_nodes())  # looser than the default: room for labels
    raw = nx.spring_layout(graph, k=k, seed=seed, weight="weight", iterations=80)
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    return {n: (float((p[0] - min(xs)) / span_x * width - width / 2),
                float((p[1] - min(ys)) / span_y * height - height / 2))
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
        box = label_box(node.x, node.y, node.label, radius(node))
        node.shown = not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                             for b in placed)
        if node.shown:
            placed.append(box)


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
    strongest = max((w for _, _, w in graph.edges(data="weight")), default=1.0) or 1.0
    pulls = nx.Graph()  # the layout's springs: 1 to 2, so that strong links do not crush
    pulls.add_nodes_from(graph)
    pulls.add_weighted_edges_from((a, b, 1 + w / strongest)
                                  for a, b, w in graph.edges(data="weight"))
    positions = layout(pulls)
    for node in nodes:
        node.x, node.y = positions[node.id]
    place_labels(nodes)
    return Drawing(nodes, [(a, b, w) for a, b, w in graph.edges(data="weight")], clusters or [])


def clustered(graph: nx.Graph, seed: int = SEED) -> dict[str, int]:
    """Clusters of a weighted graph (Louvain, seeded), numbered largest first; a node with
    no link is a cluster of its own."""
    if graph.number_of_edges() == 0:
        return dict.fromkeys(graph, 0)
    found = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    ordered = sorted(found, key=lambda c: (-len(c), min(c)))
    return {node: number for number, members in enumerate(ordered) for node in members}


def concept_map(concepts_of: Mapping[str, set[str]], size: int,
                label_of: Callable[[str], str], url_of: Callable[[str], str] = lambda c: "",
                ) -> Drawing:
    """The `size` concepts most named by the papers of `concepts_of` (paper -> the concepts
    it names), linked by association strength where at least two papers name both, each
    keeping its LINKS_KEPT strongest links (clusters show, not a hairball), clustered, each
    cluster named by its two most named concepts. Not laid out yet (`draw` does that).

    >>> papers = {"p1": {"a", "b"}, "p2": {"a", "b"}, "p3": {"c"}}
    >>> found = concept_map(papers, 3, str.upper)
    >>> [(n.label, n.weight) for n in found.nodes], found.edges
    ([('A', 2), ('B', 2), ('C', 1)], [('a', 'b', 1.5)])
    """
    counts = Counter(c for concepts in concepts_of.values() for c in concepts)
    top = sorted(counts, key=lambda c: (-counts[c], c))[:size]
    kept = set(top)
    together: Counter[tuple[str, str]] = Counter()
    for concepts in concepts_of.values():
        together.update(combinations(sorted(concepts & kept), 2))
    total = len(concepts_of)
    strength = {pair: association_strength(n, counts[pair[0]], counts[pair[1]], total)
                for pair, n in together.items() if n >= 2}
    ranked: dict[str, list[tuple[float, tuple[str, str]]]] = defaultdict(list)
    for pair, value in strength.items():
        ranked[pair[0]].append((-value, pair))
        ranked[pair[1]].append((-value, pair))
    links = sorted({pair for found in ranked.values() for _, pair in sorted(found)[:LINKS_KEPT]})
    graph = nx.Graph()
    graph.add_nodes_from(sorted(top))
    graph.add_weighted_edges_from((a, b, strength[(a, b)]) for a, b in links)
    found = clustered(graph)
    sizes = Counter(found.values())
    groups = {c: found[c] if sizes[found[c]] > 1 else None for c in top}  # no lone clusters
    labels = {c: label_of(c) for c in top}
    nodes = [Node(c, labels[c], "concept", url_of(c), weight=counts[c], group=groups[c],
                  colour=None if groups[c] is not None else UNCLUSTERED,
                  title=f"{labels[c]}: {counts[c]} paper{'s' if counts[c] != 1 else ''}")
             for c in top]
    clusters = []
    for number in sorted({g for g in groups.values() if g is not None}):
        members = [c for c in top if groups[c] == number]  # most named first
        clusters.append({"number": number, "size": len(members),
                         "colour": CLUSTER_COLOURS[number % len(CLUSTER_COLOURS)],
                         "name": " · ".join(labels[c] for c in members[:2])})
    return Drawing(nodes, [(a, b, strength[(a, b)]) for a, b in links], clusters)


def colour_of(node: Node) -> str:
    """Its own colour (an overlay's; grey for a concept a map could not cluster), else its
    cluster's, else its kind's."""
    if node.colour:
        return node.colour
    if node.group is not None:
        return CLUSTER_COLOURS[node.group % len(CLUSTER_COLOURS)]
    return KIND_COLOURS[node.kind]


def radius(node: Node) -> float:
    """A node's size as drawn: grows with the log of its weight."""
    return 6 + 4 * math.log1p(node.weight)


def vis_data(drawing: Drawing) -> dict[str, Any]:
    """The drawing as vis-network nodes and edges (made by pyvis), fixed where laid out."""
    network = Network(directed=False)
    for node in drawing.nodes:
        colour = colour_of(node)
        label = node.label if len(node.label) <= LABEL_CHARS \
            else node.label[:LABEL_CHARS - 1] + "…"
        network.add_node(node.id, label=label if node.shown else " ", title=node.title or
                         node.label, shape=KIND_SHAPES[node.kind], color=colour,
                         size=radius(node), x=round(node.x, 1), y=round(node.y, 1),
                         physics=False, url=node.url, kind=node.kind, full=node.label)
    widest = max((w for _, _, w in drawing.edges), default=1.0) or 1.0
    for a, b, weight in drawing.edges:
        network.add_edge(a, b, width=round(0.5 + 3 * weight / widest, 2), color="#c7ced6")
    nodes, edges, *_ = network.get_network_data()
    return {"nodes": nodes, "edges": edges, "clusters": drawing.clusters,
            "caption": drawing.caption}


