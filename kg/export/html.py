"""Exporter "html": `graph.html`, an interactive view of the graph that works offline.

pyvis builds the vis-network nodes, edges and options and renders them through our own
template (`templates/graph.html`), because pyvis's template links bootstrap and tom-select
from CDNs in every mode and shows tooltips with `innerHTML`. Ours inlines vis-network's JS
and CSS from the copy bundled with pyvis, so the page needs no network, and builds every
tooltip as DOM text, so a title such as `<img src=x onerror=alert(1)>` stays text.

Large graphs are cut to a node budget (see `select_view`) and laid out once by
vis-network's seeded physics, which then stops: the view opens still and the same graph
always gives the same page, byte for byte.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import networkx as nx
import pyvis
from jinja2 import Environment, FileSystemLoader
from pyvis.network import Network

from kg.export.registry import register_exporter
from kg.outputs import OutputFolder

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "graph.html"
VIS = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"  # the copy pyvis ships

DEFAULT_MAX_NODES = 1500
TAXONOMY = ("category", "archive", "group")  # drawn only as the filing of a drawn paper
SHOWN_AUTHORS = 12  # a tooltip lists this many authors, then "and N more"
LABEL_CHARS = 48  # paper titles are cut to this in the drawing; the tooltip has them whole
LAYOUT_SEED = 7
SMALL_GRAPH = 150  # below this, vis-network's slower "improved" initial layout is worth it


class Style(NamedTuple):
    """How a node kind is drawn, and its name in the legend."""

    legend: str
    shape: str
    colour: str


STYLES = {
    "paper": Style("Paper", "dot", "#3b7dd8"),
    "author": Style("Author", "triangle", "#f0a030"),
    "concept": Style("Concept", "star", "#9b59b6"),
    "category": Style("Category", "square", "#2e9e5b"),
    "archive": Style("Archive", "diamond", "#1f7a45"),
    "group": Style("Group", "hexagon", "#145230"),
}

EDGE_COLOURS = {
    "author": "#f3c88a",
    "primary_category": "#7cc49a",
    "cross_list": "#b9dcc6",
    "mentions": "#cbb1d8",
    "broader": "#9aa5b1",
}


def _filing(graph: nx.DiGraph, paper: str) -> Iterator[str]:
    """A paper's categories and, above them, their archives and groups."""
    stack = list(graph.successors(paper))
    while stack:
        node = stack.pop()
        if graph.nodes[node]["kind"] in TAXONOMY:
            yield node
            stack.extend(graph.successors(node))


def _company(graph: nx.DiGraph, node: str, kept: dict[str, None],
             rank: Callable[[str], tuple[int, int, str]]) -> list[str]:
    """`node` and what it must be drawn with to make sense; empty if it cannot be drawn."""
    if graph.nodes[node]["kind"] == "paper":
        return [node, *_filing(graph, node)]
    neighbours = set(nx.all_neighbors(graph, node))
    if neighbours & kept.keys():
        return [node]
    papers = [n for n in neighbours if graph.nodes[n]["kind"] == "paper"]
    if not papers:
        return []
    return [node, *_company(graph, min(papers, key=rank), kept, rank)]


def select_view(graph: nx.DiGraph, max_nodes: int = DEFAULT_MAX_NODES) -> nx.DiGraph:
    """The part of `graph` worth drawing: all of it, or `max_nodes` of its most connected nodes.

    "Most connected" is read on papers, authors and concepts (the taxonomy would tie every
    paper together): nodes of the deepest k-core come first, so one-paper authors and
    one-off concepts come last; within a core, the node with the most links to nodes already
    taken, then by degree, then by key, so the view grows as connected clusters and the
    choice is repeatable. A paper comes with its categories, their archive and group, so
    every drawn paper shows where it was filed; an author or concept with no drawn
    neighbour brings its best-ranked paper, so nothing floats alone. A node whose company
    does not fit the remaining budget is passed over for smaller ones.
    """
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, not {max_nodes}")
    if graph.number_of_nodes() <= max_nodes:
        return graph
    taxonomy = {n for n, kind in graph.nodes(data="kind") if kind in TAXONOMY}
    linked: dict[str, set[str]] = {n: set() for n in graph if n not in taxonomy}
    for a, b in graph.edges:
        if a not in taxonomy and b not in taxonomy:
            linked[a].add(b)
            linked[b].add(a)
    members = linked.keys()
    core = core_numbers(linked)
    degree = dict(graph.degree(members))

    def rank(node: str) -> tuple[int, int, str]:
        return -core[node], -degree[node], node

    links = dict.fromkeys(linked, 0)  # links to nodes already kept
    # By core, then links to kept nodes, then degree and key: a heap, not a sort of all.
    queue = [(-core[n], 0, -degree[n], n) for n in members]
    heapq.heapify(queue)
    kept: dict[str, None] = {}
    while queue and len(kept) < max_nodes:
        _, minus_links, _, node = heapq.heappop(queue)
        if node in kept or -minus_links != links[node]:
            continue  # taken already, or queued again since with more links
        new = [n for n in dict.fromkeys(_company(graph, node, kept, rank)) if n not in kept]
        if not new or len(kept) + len(new) > max_nodes:
            continue
        kept.update(dict.fromkeys(new))
        for neighbour in (m for n in new if n in linked for m in linked[n]):
            if neighbour not in kept:
                links[neighbour] += 1
                entry = (-core[neighbour], -links[neighbour], -degree[neighbour], neighbour)
                heapq.heappush(queue, entry)
    return graph.subgraph(kept)


def core_numbers(adjacency: dict[str, set[str]]) -> dict[str, int]:
    """The k-core number of each node of an undirected graph given as neighbour sets, by
    Batagelj and Zaversnik's peeling in degree buckets (linear in nodes and links): take the
    node of least remaining degree; each neighbour of higher degree loses one. (networkx's
    `core_number` does the same, but on a subgraph view of the build graph it took seconds:
    views filter every neighbour lookup.)

    >>> sorted(core_numbers({"a": {"b", "c"}, "b": {"a", "c"}, "c": {"a", "b", "d"},
    ...                      "d": {"c"}}).items())
    [('a', 2), ('b', 2), ('c', 2), ('d', 1)]
    """
    core = {node: len(neighbours) for node, neighbours in adjacency.items()}
    order = sorted(core, key=core.__getitem__)  # by remaining degree, kept so as nodes peel
    position = {node: i for i, node in enumerate(order)}
    first = [0] * (max(core.values(), default=0) + 2)  # where each degree starts in `order`
    for degree in core.values():
        first[degree + 1] += 1
    for degree in range(1, len(first)):
        first[degree] += first[degree - 1]
    for node in order:  # swaps below only move nodes not yet reached
        k = core[node]
        for neighbour in adjacency[node]:
            degree = core[neighbour]
            if degree > k:  # moved to the front of its bucket, which then starts one later
                i, j = position[neighbour], first[degree]
                front = order[j]
                order[i], order[j] = front, neighbour
                position[front], position[neighbour] = i, j
                first[degree] += 1
                core[neighbour] = degree - 1
    return core


def _count(graph: nx.DiGraph, node: str, kind: str) -> int:
    return sum(1 for n in nx.all_neighbors(graph, node) if graph.nodes[n]["kind"] == kind)


def _authors(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN_AUTHORS])
    more = len(names) - SHOWN_AUTHORS
    return f"{shown} and {more} more" if more > 0 else shown


def _card(graph: nx.DiGraph, node: str) -> dict[str, Any]:
    """What the tooltip and details panel say about a node, as plain text fields."""
    data = graph.nodes[node]
    kind = data["kind"]
    rows: list[tuple[str, str]] = []
    link = None
    if kind == "paper":
        heading = data["title"]
        rows.append(("Authors", _authors(data["authors"])))
        rows.append(("Categories", ", ".join(data["categories"])))
        if data.get("date"):
            rows.append(("First seen", data["date"]))
        if data["summary"].get("tldr"):
            rows.append(("TL;DR", data["summary"]["tldr"]))
        link = data["iri"]
    elif kind == "author":
        heading = data["name"]
        rows.append(("Papers", str(_count(graph, node, "paper"))))
    elif kind == "concept":
        heading = data["label"]
        rows.append(("Type", data["type"]))
        if data["alt_labels"]:
            rows.append(("Also written", ", ".join(data["alt_labels"])))
        rows.append(("Papers", str(_count(graph, node, "paper"))))
    else:
        heading = data["label"]
        if data["name"] != heading:
            rows.append(("Name", data["name"]))
        if kind == "category":
            rows.append(("Papers", str(_count(graph, node, "paper"))))
            if not data["known"]:
                rows.append(("Note", "not in arXiv's taxonomy"))
    return {"heading": heading, "rows": rows, "link": link}


def _names(graph: nx.DiGraph, node: str) -> list[str]:
    """What the search box finds a node by: its label and its other names."""
    data = graph.nodes[node]
    names = [data["label"]]
    if data["kind"] == "paper":
        names.append(data["id"])
    elif data["kind"] == "concept":
        names += data["alt_labels"]
    elif data["kind"] in ("category", "archive"):
        names.append(data["name"])
    return list(dict.fromkeys(names))


def _label(graph: nx.DiGraph, node: str) -> str:
    label = graph.nodes[node]["label"]
    if graph.nodes[node]["kind"] == "paper" and len(label) > LABEL_CHARS:
        return label[: LABEL_CHARS - 1].rstrip() + "…"
    return label


def _size(degree: int) -> float:
    """Area grows with degree, capped so hubs with thousands of papers stay on screen."""
    return round(min(8 + 4 * math.sqrt(degree), 48), 1)


def _options(nodes: int) -> dict[str, Any]:
    """vis-network options: seeded physics that settles once, then is switched off (by the page)."""
    return {
        "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": nodes <= SMALL_GRAPH},
        "physics": {
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 90,
                                 "avoidOverlap": 0.4},
            "stabilization": {"iterations": 300, "updateInterval": 25, "fit": True},
        },
        "nodes": {"font": {"size": 16, "color": "#1d2733", "strokeWidth": 3,
                           "strokeColor": "#ffffff"},
                  "scaling": {"label": {"drawThreshold": 7}}},
        "edges": {"smooth": False, "arrows": {"to": {"scaleFactor": 0.4}},
                  "width": 1, "selectionWidth": 2},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": nodes > 500},
    }


def _network(graph: nx.DiGraph, view: nx.DiGraph) -> Network:
    """The pyvis network of `view`; sizes and counts come from the whole `graph`."""
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    for node in sorted(view):
        kind = view.nodes[node]["kind"]
        style = STYLES[kind]
        net.add_node(node, label=_label(view, node), shape=style.shape, color=style.colour,
                     size=_size(graph.degree(node)), kind=kind, card=_card(graph, node),
                     names=_names(view, node))
    for source, target, rel in sorted(view.edges(data="rel")):
        net.add_edge(source, target, title=rel.replace("_", " "),
                     color=EDGE_COLOURS.get(rel, "#9aa5b1"))
    net.options = _options(view.number_of_nodes())
    return net


def _notice(graph: nx.DiGraph, view: nx.DiGraph) -> str:
    """The line that says what the view shows, and that it is cut when it is."""
    drawn, total = view.number_of_nodes(), graph.number_of_nodes()
    links = f"{view.number_of_edges():,} links"
    if drawn == total:
        return f"{drawn:,} nodes, {links}."
    return (f"Showing {drawn:,} of {total:,} nodes: the most connected ones, with the "
            f"categories of every paper shown ({links}). Raise --max-nodes to draw more.")


def _environment(graph: nx.DiGraph, view: nx.DiGraph) -> Environment:
    """Our template, escaping by default, with what pyvis does not pass it as globals."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      keep_trailing_newline=True)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False,
                                         "separators": (",", ":")}
    counts = Counter(kind for _, kind in view.nodes(data="kind"))
    env.globals["kg"] = {
        "vis_js": (VIS / "vis-network.min.js").read_text("utf-8"),
        "vis_css": (VIS / "vis-network.css").read_text("utf-8"),
        "styles": {kind: style._asdict() for kind, style in STYLES.items() if counts[kind]},
        "counts": counts,
        "notice": _notice(graph, view),
        "nodes": view.number_of_nodes(),
        "edges": view.number_of_edges(),
        "total_nodes": graph.number_of_nodes(),
        "total_edges": graph.number_of_edges(),
        "extractor": graph.graph.get("extractor"),
    }
    return env


@register_exporter("html")
def export_html(graph: nx.DiGraph, out: OutputFolder, *, max_nodes: int = DEFAULT_MAX_NODES,
                **_: Any) -> list[Path]:
    """Write `graph.html`; record in `graph.graph["view"]` how many nodes it draws."""
    view = select_view(graph, max_nodes)
    net = _network(graph, view)
    net.set_template_dir(f"{TEMPLATES}/", TEMPLATE)
    net.templateEnv = _environment(graph, view)  # pyvis's own environment does not escape
    html = net.generate_html()
    graph.graph["view"] = {"nodes": view.number_of_nodes(), "of": graph.number_of_nodes()}
    return [out.write_text("graph.html", html)]
