"""Drawings and plots come out alike in every process, whatever its string hashing."""

from __future__ import annotations

import os
import subprocess
import sys

LAYOUT = """
import json, networkx as nx
from kg.draw import layout
graph = nx.les_miserables_graph()
nx.set_edge_attributes(graph, 1.0, "weight")
part = graph.subgraph(sorted(graph)[:30])  # under half: a view that iterates a set
print(json.dumps(sorted(layout(part).items())))
"""


PLOT = """
import hashlib, networkx as nx
from kg.plots import topic_network
graph = nx.les_miserables_graph()
for node in graph:
    graph.nodes[node].update(label=node, papers=graph.degree(node), cluster=len(node) % 3 + 1)
print(hashlib.sha256(topic_network(graph, shown=30).encode()).hexdigest())
"""


def _in_processes(script: str) -> set[str]:
    return {subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                           text=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "3")}


def test_a_layout_does_not_depend_on_the_process_hash_seed():
    found = _in_processes(LAYOUT)
    assert len(found) == 1 and len(found.pop()) > 100


def test_a_plot_of_the_topic_network_does_not_either():
    found = _in_processes(PLOT)
    assert len(found) == 1 and len(found.pop()) == 65


def test_plot_labels_do_not_overlap_and_crowded_clusters_fall_back_to_numbers():
    """Twelve clusters on top of one another: every label that is placed stays clear of the
    others and of the quadrant names, inside the axes; those with no room show their
    number."""
    from matplotlib.text import Annotation

    from kg import plots
    from kg.topics import Cluster

    crowded = [Cluster(number=i, concepts=["c"], name=f"a rather long cluster name {i}",
                       papers=["p"] * i, centrality=500 + (i % 3), density=50 + (i % 2))
               for i in range(1, 11)]
    crowded += [Cluster(number=11, concepts=["c"], name="a rather long cluster name 11",
                        centrality=0, density=0),
                Cluster(number=12, concepts=["c"], name="a rather long cluster name 12",
                        centrality=1000, density=100)]
    made = []
    original = plots._place_labels

    def kept(figure, axes, *args, **kwargs):
        original(figure, axes, *args, **kwargs)
        made.append((figure, axes))

    plots._place_labels = kept
    try:
        svg = plots.thematic_map(crowded)
    finally:
        plots._place_labels = original
    figure, axes = made[0]
    renderer = figure.canvas.get_renderer()
    texts = [t for t in axes.texts if isinstance(t, Annotation)]
    names = [t for t in texts if t.get_text().startswith("a rather")]
    numbers = [t for t in texts if t.get_text().isdigit()]
    assert len(names) + len(numbers) == 12 and names and numbers
    boxes = [t.get_window_extent(renderer) for t in names]
    boxes += [t.get_window_extent(renderer) for t in axes.texts if not isinstance(t, Annotation)]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert svg.count("a rather long cluster name") == len(names)
