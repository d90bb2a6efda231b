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
