"""Exporter "html": `graph.html`, an interactive view of the graph that works offline.

pyvis builds the vis-network nodes, edges and options and renders them through our own
template (`templates/graph.html`), because pyvis's template links bootstrap and tom-select
from CDNs in every mode and shows tooltips with `innerHTML`. Ours inlines vis-network's JS
and CSS from the copy bundled with pyvis, so the page needs no network, and builds every
tooltip as DOM text, so a title such as `<img src=x onerror=alert(1)>` stays text.

A graph that fits the node budget (`--max-nodes`, the seed's and any small build) is drawn
whole, laid out once by vis-network's seeded physics, which then stops. A larger one is drawn
as an overview legible at any size (`overview`): its most named concepts linked by
association strength and clustered, with its largest categories, laid out on the server
(`kg.draw`) so the page opens drawn; its search finds every paper and concept of the build,
drawn or not (`search_index`), and the explorer of `kg serve` has the rest. Either way the
same graph always gives the same page, byte for byte.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection
from pathlib import Path
from typing import Any, NamedTuple

import networkx as nx
import pyvis
from jinja2 import Environment, FileSystemLoader
from pyvis.network import Network

from kg import draw
from kg.draw import Drawing
from kg.export.registry import register_exporter
from kg.outputs import OutputFolder

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "graph.html"
VIS = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"  # the copy pyvis ships

DEFAULT_MAX_NODES = 1500  # a graph of at most this many nodes is drawn whole
OVERVIEW_CATEGORIES = 20  # a larger one's overview draws at most this many categories
SEARCHED_AUTHORS = 3  # the search index keeps a paper's first authors ("et al." after)
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


def overview(graph: nx.DiGraph, budget: int = draw.MAX_NODES) -> tuple[nx.DiGraph, Drawing]:
    """What a large graph is drawn as: its most named concepts and largest categories (one
    in ten of the `budget`, at most OVERVIEW_CATEGORIES), the concepts linked by association
    strength and coloured by cluster (`kg.draw.concept_map`), each category linked to the
    three drawn concepts its papers name most; laid out."""
    concepts_of: dict[str, set[str]] = {}
    categories_of: dict[str, list[str]] = {}
    for source, target, rel in graph.edges(data="rel"):
        if rel == "mentions":
            concepts_of.setdefault(source, set()).add(target)
        elif rel in ("primary_category", "cross_list"):
            categories_of.setdefault(source, []).append(target)
    in_category = Counter(c for cats in categories_of.values() for c in cats)
    shown = sorted(in_category, key=lambda c: (-in_category[c], c))[
        :min(OVERVIEW_CATEGORIES, max(1, budget // 10))]
    concepts = draw.concept_map(concepts_of, budget - len(shown),
                                lambda c: graph.nodes[c]["label"])
    view = nx.DiGraph()
    for node in concepts.nodes:
        view.add_node(node.id, **graph.nodes[node.id])
    for a, b, weight in concepts.edges:
        view.add_edge(a, b, rel="association", weight=weight)
    drawn = {n.id for n in concepts.nodes}
    for category in shown:
        view.add_node(category, **graph.nodes[category])
        named = Counter(c for paper, cats in categories_of.items() if category in cats
                        for c in concepts_of.get(paper, ()) if c in drawn)
        for concept, _ in sorted(named.items(), key=lambda item: (-item[1], item[0]))[:3]:
            view.add_edge(category, concept, rel="names", weight=1.0)
    nodes = [*concepts.nodes, *(draw.Node(c, graph.nodes[c]["label"], "category", "",
                                          weight=in_category[c] / 10) for c in shown)]
    edges = [(a, b, w) for a, b, w in view.edges(data="weight")]
    return view, draw.draw(nodes, edges, concepts.clusters)


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


def _options(nodes: int, laid_out: bool = False) -> dict[str, Any]:
    """vis-network options: seeded physics that settles once, then is switched off (by the
    page); none for a drawing laid out already."""
    if laid_out:
        return {"physics": {"enabled": False}, "layout": {"improvedLayout": False},
                "nodes": {"font": {"size": 14, "color": "#1d2733", "strokeWidth": 3,
                                   "strokeColor": "#ffffff"}},
                "edges": {"smooth": False, "width": 1, "selectionWidth": 2,
                          "arrows": {"to": {"enabled": False}}},
                "interaction": {"hover": True, "tooltipDelay": 150}}
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


def _network(graph: nx.DiGraph, view: nx.DiGraph, drawing: Drawing | None) -> Network:
    """The pyvis network of `view`; sizes and counts come from the whole `graph`. With a
    `drawing` (an overview), nodes sit where it laid them out, coloured by cluster, and only
    the labels it places are written."""
    net = Network(height="100%", width="100%", directed=drawing is None, cdn_resources="in_line")
    laid = {n.id: n for n in drawing.nodes} if drawing else {}
    for node in sorted(view):
        kind = view.nodes[node]["kind"]
        style = STYLES[kind]
        options: dict[str, Any] = {}
        if node in laid:
            at = laid[node]
            options = {"x": round(at.x, 1), "y": round(at.y, 1), "physics": False,
                       "size": round(draw.radius(at), 1)}
            if at.kind == "concept":
                options["color"] = draw.colour_of(at)
            if not at.shown:
                options["label"] = " "
        net.add_node(node, **{"label": _label(view, node), "shape": style.shape,
                              "color": style.colour, "size": _size(graph.degree(node)),
                              "kind": kind, "card": _card(graph, node),
                              "names": _names(view, node), **options})
    for source, target, rel in sorted(view.edges(data="rel")):
        net.add_edge(source, target, title=rel.replace("_", " "),
                     color=EDGE_COLOURS.get(rel, "#9aa5b1"))
    net.options = _options(view.number_of_nodes(), laid_out=drawing is not None)
    return net


def _notice(graph: nx.DiGraph, view: nx.DiGraph) -> str:
    """The line that says what the view shows: all of it, or an overview."""
    drawn, total = view.number_of_nodes(), graph.number_of_nodes()
    links = f"{view.number_of_edges():,} links"
    if drawn == total:
        return f"{drawn:,} nodes, {links}."
    papers = sum(1 for _, kind in graph.nodes(data="kind") if kind == "paper")
    return (f"An overview of {papers:,} papers ({total:,} nodes): their most named concepts, "
            f"linked by association strength and coloured by cluster, and their largest "
            f"categories. Search finds every paper and concept; `kg serve` explores them all.")


def search_index(graph: nx.DiGraph, drawn: Collection[str] = ()) -> dict[str, list[list[Any]]]:
    """Every paper and concept, for the overview's search: concepts as [label, other names,
    papers, its node if `drawn` else ""]; papers as [title, id, first authors, categories,
    day, the positions of its concepts in the concept list]. Compact, since it is every
    node of the build (the archive's is 30 MB): no node ids but the drawn ones."""
    concepts = sorted(n for n, kind in graph.nodes(data="kind") if kind == "concept")
    position = {c: i for i, c in enumerate(concepts)}
    papers_of = Counter(t for _, t, rel in graph.edges(data="rel") if rel == "mentions")
    index: dict[str, list[list[Any]]] = {"concepts": [
        [graph.nodes[c]["label"], graph.nodes[c]["alt_labels"], papers_of[c],
         c if c in drawn else ""] for c in concepts], "papers": []}
    for node, data in sorted(graph.nodes(data=True)):
        if data["kind"] != "paper":
            continue
        authors = data["authors"][:SEARCHED_AUTHORS] + (
            ["et al."] if len(data["authors"]) > SEARCHED_AUTHORS else [])
        named = sorted(position[t] for t, edge in graph.succ[node].items()
                       if edge["rel"] == "mentions")
        index["papers"].append([data["title"], data["id"], authors, data["categories"],
                                data.get("date") or "", named])
    return index


def _environment(graph: nx.DiGraph, view: nx.DiGraph, drawing: Drawing | None) -> Environment:
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
        "laid_out": drawing is not None,
        "clusters": drawing.clusters if drawing else [],
        "index": search_index(graph, set(view)) if drawing else None,
    }
    return env


@register_exporter("html")
def export_html(graph: nx.DiGraph, out: OutputFolder, *, max_nodes: int = DEFAULT_MAX_NODES,
                **_: Any) -> list[Path]:
    """Write `graph.html`: the whole graph when it has at most `max_nodes` nodes, else its
    overview; record in `graph.graph["view"]` how many nodes it draws."""
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, not {max_nodes}")
    drawing = None
    view = graph
    if graph.number_of_nodes() > max_nodes:
        view, drawing = overview(graph, min(max_nodes, draw.MAX_NODES))
    net = _network(graph, view, drawing)
    net.set_template_dir(f"{TEMPLATES}/", TEMPLATE)
    net.templateEnv = _environment(graph, view, drawing)  # pyvis's does not escape
    html = net.generate_html()
    graph.graph["view"] = {"nodes": view.number_of_nodes(), "of": graph.number_of_nodes()}
    return [out.write_text("graph.html", html)]
