"""The plots of `analysis.html`, as SVG text made by matplotlib: concept trends, the bursts
timeline, the thematic map, a picture of the topic network and the co-author degree
distribution.

Each function returns one self-contained `<svg>` element: text stays text (searchable,
any script the system fonts have), ids are salted alike every time and no date is written,
so the same analysis gives the same bytes. matplotlib's object API is used, never pyplot's
global state.
"""

from __future__ import annotations

import io
import math
import re
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date

import networkx as nx
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from kg.draw import CLUSTER_COLOURS, UNCLUSTERED, layout
from kg.topics import Cluster
from kg.trends import ConceptBurst

rcParams["svg.fonttype"] = "none"  # text as <text>, not paths
rcParams["svg.hashsalt"] = "kg"  # the same ids every time
WIDTH, HEIGHT = 8.0, 4.5  # inches
LABELLED = 30  # concepts labelled in the network picture


def _svg(figure: Figure) -> str:
    figure.tight_layout()
    data = io.StringIO()
    figure.savefig(data, format="svg", metadata={"Date": None, "Creator": "kg"})
    text = data.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)  # RDF about itself
    return text[text.index("<svg"):]  # without the XML prolog and doctype: inline in HTML


# Where a label may go around its point, in order of preference: (dx, dy) in units of the
# point's radius plus a gap, and the label's alignment there.
_PLACES = ((0, 1, "center", "bottom"), (0, -1, "center", "top"), (1, 0, "left", "center"),
           (-1, 0, "right", "center"), (0.7, 0.7, "left", "bottom"),
           (-0.7, 0.7, "right", "bottom"), (0.7, -0.7, "left", "top"),
           (-0.7, -0.7, "right", "top"))


def _place_labels(figure: Figure, axes: Axes, points: Sequence[tuple[float, float, str, float]],
                  fontsize: float, avoid: Sequence[Text] = (),
                  fallback: Sequence[str] | None = None) -> None:
    """Label each point (x, y, text, marker area in points², most important first) at the
    first place around it where the label overlaps no label placed before, none of `avoid`
    and stays inside the axes. A label with no such place is left out or, with `fallback`,
    replaced by its short form (a cluster's number) on the point itself."""
    FigureCanvasAgg(figure)  # a renderer, to measure text
    figure.tight_layout()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = axes.get_window_extent(renderer)
    taken: list[Bbox] = [text.get_window_extent(renderer) for text in avoid]
    for i, (x, y, label, area) in enumerate(points):
        gap = math.sqrt(area) / 2 + 2
        for dx, dy, ha, va in _PLACES:
            text = axes.annotate(label, (x, y), xytext=(dx * gap, dy * gap),
                                 textcoords="offset points", ha=ha, va=va, fontsize=fontsize)
            box = text.get_window_extent(renderer)
            if frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1) and not any(
                    box.overlaps(other) for other in taken):
                taken.append(box)
                break
            text.remove()
        else:
            if fallback is not None:
                axes.annotate(fallback[i], (x, y), ha="center", va="center", fontsize=fontsize,
                              fontweight="bold")


def trends(weeks: Sequence[str], shares: Mapping[str, Mapping[str, float]],
           labels: Mapping[str, str]) -> str:
    """The share of each week's papers naming each concept of `shares`, one line each."""
    figure = Figure(figsize=(WIDTH, HEIGHT))
    axes = figure.add_subplot()
    for concept, by_week in shares.items():
        axes.plot(range(len(weeks)), [100 * by_week.get(w, 0.0) for w in weeks], marker="o",
                  markersize=3, label=labels.get(concept, concept))
    axes.set_xticks(range(len(weeks)), weeks, rotation=45, ha="right", fontsize=8)
    axes.set_ylabel("% of the week's papers")
    axes.set_title("Concept trends per week")
    axes.legend(fontsize=7, ncols=2, frameon=False)
    return _svg(figure)


def bursts_timeline(bursts: Sequence[ConceptBurst], days: Sequence[str],
                    labels: Mapping[str, str]) -> str:
    """Each burst as a bar from its first to its last digest day, strongest at the top."""
    index = {day: i for i, day in enumerate(days)}
    figure = Figure(figsize=(WIDTH, max(2.0, 0.28 * len(bursts) + 1)))
    axes = figure.add_subplot()
    for row, burst in enumerate(reversed(bursts)):
        start, end = index[burst.start], index[burst.end]
        axes.barh(row, end - start + 1, left=start - 0.5, height=0.6, color="#c0504d")
    axes.set_yticks(range(len(bursts)),
                    [labels.get(b.concept, b.concept) for b in reversed(bursts)], fontsize=7)
    step = max(1, len(days) // 12)
    axes.set_xticks(range(0, len(days), step), list(days)[::step], rotation=45, ha="right",
                    fontsize=7)
    axes.set_xlim(-0.5, len(days) - 0.5)
    axes.set_title("Bursts (Kleinberg) over the digest days")
    return _svg(figure)


def thematic_map(clusters: Sequence[Cluster]) -> str:
    """Clusters by centrality (x) and density (y), sized by papers, with the medians that
    split the four quadrants."""
    figure = Figure(figsize=(WIDTH, WIDTH * 0.7))
    axes = figure.add_subplot()
    xs = [c.centrality for c in clusters]
    ys = [c.density for c in clusters]
    most = max((len(c.papers) for c in clusters), default=1) or 1
    areas = [40 + 600 * len(c.papers) / most for c in clusters]
    for cluster, area in zip(clusters, areas, strict=True):
        axes.scatter(cluster.centrality, cluster.density, s=area,
                     color=_colour(cluster.number), alpha=0.7)
    axes.margins(0.12)  # room for the labels of the outermost clusters
    quadrants = []
    if len(clusters) >= 2:
        centre, middle = statistics.median(xs), statistics.median(ys)
        axes.axvline(centre, color="#9aa5b1", linewidth=0.8)
        axes.axhline(middle, color="#9aa5b1", linewidth=0.8)
        for x, y, text, ha, va in ((0.99, 0.99, "motor themes", "right", "top"),
                                   (0.01, 0.99, "niche themes", "left", "top"),
                                   (0.01, 0.01, "emerging or declining", "left", "bottom"),
                                   (0.99, 0.01, "basic themes", "right", "bottom")):
            quadrants.append(axes.text(x, y, text, transform=axes.transAxes, ha=ha, va=va,
                                       fontsize=9, color="#66707a", style="italic"))
    axes.set_xlabel("centrality (strength of links to other clusters)")
    axes.set_ylabel("density (strength of internal links per concept)")
    axes.set_title("Thematic map (a number where its name finds no room)")
    _place_labels(figure, axes, [(c.centrality, c.density, c.name, area)
                                 for c, area in zip(clusters, areas, strict=True)],
                  7, avoid=quadrants, fallback=[str(c.number) for c in clusters])
    return _svg(figure)


def topic_network(graph: nx.Graph, shown: int = 150, overlay: bool = False) -> str:
    """The `shown` concepts of most papers, laid out as the explorer lays out its maps
    (`kg.draw.layout`), coloured by cluster (or, `overlay`, by the average day of their
    papers, blue to red), the LABELLED largest named where their names find room."""
    kept = sorted(graph, key=lambda n: (-graph.nodes[n]["papers"], n))[:shown]
    part = graph.subgraph(kept)
    at = layout(part)
    figure = Figure(figsize=(WIDTH, WIDTH * 0.64))
    axes = figure.add_subplot()
    axes.add_collection(LineCollection(
        [[(at[a][0], -at[a][1]), (at[b][0], -at[b][1])]
         for a, b in sorted(tuple(sorted(edge)) for edge in part.edges)],
        colors="#d5dae0", linewidths=0.4, zorder=1))
    most = max((part.nodes[n]["papers"] for n in kept), default=1)
    sizes = [10 + 200 * math.sqrt(part.nodes[n]["papers"] / most) for n in kept]
    xs, ys = [at[n][0] for n in kept], [-at[n][1] for n in kept]
    if overlay:
        days = [part.nodes[n].get("average_day", math.nan) for n in kept]
        dots = axes.scatter(xs, ys, s=sizes, c=days, cmap="coolwarm", zorder=2)
        bar = figure.colorbar(dots, ax=axes, shrink=0.6, label="average day of its papers")
        ticks = [float(t) for t in bar.get_ticks()]
        bar.set_ticks(ticks, labels=[date.fromordinal(max(1, int(t))).isoformat()
                                     for t in ticks], fontsize=7)
    else:
        axes.scatter(xs, ys, s=sizes, c=[_colour(part.nodes[n].get("cluster")) for n in kept],
                     zorder=2)
    axes.set_axis_off()
    axes.set_title("The concepts of most papers, "
                   + ("by the average day of their papers" if overlay else "by cluster"))
    _place_labels(figure, axes, [(at[n][0], -at[n][1], part.nodes[n]["label"], size)
                                 for n, size in zip(kept[:LABELLED], sizes, strict=False)], 6)
    return _svg(figure)


def degree_distribution(graph: nx.Graph) -> str:
    """How many authors have each number of co-authors, on log-log axes."""
    counts = Counter(d for _, d in graph.degree() if d > 0)
    figure = Figure(figsize=(WIDTH * 0.7, HEIGHT))
    axes = figure.add_subplot()
    degrees = sorted(counts)
    axes.scatter(degrees, [counts[d] for d in degrees], s=10, color="#3b7dd8")
    if degrees:
        axes.set_xscale("log")
        axes.set_yscale("log")
    axes.set_xlabel("co-authors (degree)")
    axes.set_ylabel("authors")
    axes.set_title("Co-author degree distribution")
    return _svg(figure)


def _colour(cluster: int | None) -> str:
    if not cluster:
        return UNCLUSTERED
    return CLUSTER_COLOURS[(cluster - 1) % len(CLUSTER_COLOURS)]
