"""A network of `kg analyze` in the files the tools people already use open: VOSviewer's
JSON (items with their cluster and weights, links with their strength), GEXF and GraphML
for Gephi, and a CSV list of links for anything else.

Every writer is deterministic (nodes and links in sorted order), so the same network always
gives the same files.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx

from kg.export.graphml import (
    FlatGraph,
    Scalar,
    attribute_types,
    flat_graph,
    write_graphml,
    xml_text,
)
from kg.outputs import OutputFolder

MAX_VOS_CLUSTER = 1000  # VOSviewer numbers clusters from 1 to 1000


def vosviewer_json(graph: nx.Graph, clusters: Mapping[str, int] | None = None,
                   url: Mapping[str, str] | None = None,
                   names: Mapping[int, str] | None = None) -> dict[str, Any]:
    """The network as a VOSviewer JSON file's data: items numbered from 1 (by node order),
    labelled, with their `cluster` (1 to 1000, when given) and weights (papers, links, total
    link strength), a score of the average day of their papers when they have one
    (`average_day`, in days after the earliest: VOSviewer's overlay colours by it), links
    with their `weight` as strength, and the clusters with their `names`.

    >>> data = vosviewer_json(nx.Graph([("a", "b", {"weight": 2.5})]), {"a": 1, "b": 2})
    >>> data["network"]["links"]
    [{'source_id': 1, 'target_id': 2, 'strength': 2.5}]
    """
    clusters = clusters or {}
    nodes = sorted(graph, key=str)
    days = [d for _, d in graph.nodes(data="average_day") if d is not None]
    first = math.floor(min(days)) if days else 0
    score = f"Avg. day (days after {date.fromordinal(first)})" if days else ""
    number = {node: i for i, node in enumerate(nodes, start=1)}
    items = []
    for node in nodes:
        data = graph.nodes[node]
        item: dict[str, Any] = {"id": number[node], "label": str(data.get("label", node))}
        if url and node in url:
            item["url"] = url[node]
        if 0 < clusters.get(node, 0) <= MAX_VOS_CLUSTER:
            item["cluster"] = clusters[node]
        item["weights"] = {"Papers": data.get("papers", 0), "Links": graph.degree(node),
                           "Total link strength": round(graph.degree(node, weight="weight"), 4)}
        if "average_day" in data:
            item["scores"] = {score: round(data["average_day"] - first, 2)}
        items.append(item)
    links = [{"source_id": number[a], "target_id": number[b],
              "strength": round(float(w), 4)}
             for a, b, w in sorted(((*sorted((u, v), key=lambda n: number[n]), w)
                                    for u, v, w in graph.edges(data="weight", default=1)),
                                   key=lambda e: (number[e[0]], number[e[1]]))]
    network: dict[str, Any] = {"items": items, "links": links}
    if names:
        network["clusters"] = [{"cluster": n, "label": names[n]} for n in sorted(names)
                               if 0 < n <= MAX_VOS_CLUSTER]
    return {"network": network}


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV text, `header` first, lines ending in a newline alone."""
    text = io.StringIO()
    out = csv.writer(text, lineterminator="\n")
    out.writerow(header)
    out.writerows(rows)
    return text.getvalue()


def links_csv(graph: nx.Graph) -> str:
    """Every link as a CSV row: both ends' ids and labels, and the link's attributes."""
    keys = sorted({key for _, _, data in graph.edges(data=True) for key in data})
    return csv_text(["source", "target", "source_label", "target_label", *keys], (
        [a, b, graph.nodes[a].get("label", a), graph.nodes[b].get("label", b),
         *(data.get(key, "") for key in keys)]
        for a, b, data in sorted(graph.edges(data=True), key=lambda e: (str(e[0]), str(e[1])))))


def write_gexf(graph: nx.Graph, path: Path,
               more: Mapping[Any, Mapping[str, Any]] | None = None,
               flat: FlatGraph | None = None) -> Path:
    """`graph` as GEXF 1.2 (Gephi's own format), its attributes flattened as for GraphML (or
    its `flat_graph` when made already), a node's `label` and a link's `weight` in their own
    XML attributes. Streamed as text."""
    nodes, edges = flat or flat_graph(graph, more)
    node_types = attribute_types({k: v for k, v in data.items() if k != "label"}
                                 for _, data in nodes)
    edge_types = attribute_types({k: v for k, v in data.items() if k != "weight"}
                                 for _, _, data in edges)
    node_ids = {key: str(i) for i, key in enumerate(node_types)}
    edge_ids = {key: str(i) for i, key in enumerate(edge_types)}

    def values(ids: Mapping[str, str], data: Mapping[str, Scalar], skip: str) -> str:
        found = "".join(f'<attvalue for="{ids[k]}" value="{xml_text(v)}"/>'
                        for k, v in data.items() if k != skip)
        return f"<attvalues>{found}</attvalues>" if found else ""

    def declared(kind: str, types: Mapping[str, str], ids: Mapping[str, str]) -> str:
        rows = "".join(f'<attribute id="{ids[k]}" title="{xml_text(k)}" type="{t}"/>'
                       for k, t in types.items())
        return f'<attributes class="{kind}" mode="static">{rows}</attributes>\n'

    direction = "directed" if graph.is_directed() else "undirected"
    with path.open("w", encoding="utf-8") as out:
        out.write("<?xml version='1.0' encoding='utf-8'?>\n"
                  '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n'
                  f'<graph defaultedgetype="{direction}" mode="static">\n')
        out.write(declared("node", node_types, node_ids) + declared("edge", edge_types,
                                                                     edge_ids))
        out.write("<nodes>\n")
        for node, data in nodes:
            label = xml_text(data.get("label", node))
            out.write(f'<node id="{xml_text(node)}" label="{label}">'
                      f'{values(node_ids, data, "label")}</node>\n')
        out.write("</nodes>\n<edges>\n")
        for i, (u, v, data) in enumerate(edges):
            weight = f' weight="{xml_text(data["weight"])}"' if "weight" in data else ""
            out.write(f'<edge id="{i}" source="{xml_text(u)}" target="{xml_text(v)}"{weight}>'
                      f'{values(edge_ids, data, "weight")}</edge>\n')
        out.write("</edges>\n</graph>\n</gexf>\n")
    return path


def write_network(out: OutputFolder, name: str, graph: nx.Graph,
                  clusters: Mapping[str, int] | None = None,
                  attribute: str = "cluster", names: Mapping[int, str] | None = None,
                  gephi_only: bool = False) -> list[Path]:
    """`name`.graphml, `name`.gexf, `name`-links.csv and `name`-vosviewer.json, staged in
    `out` (the first two only, for Gephi, with `gephi_only`: the archive's co-author network
    has a million links); nodes carry their cluster (numbered from 1) as `attribute` when
    given."""
    more = {node: {attribute: number} for node, number in (clusters or {}).items()}
    flat = flat_graph(graph, more)
    write_graphml(graph, out.stage(f"{name}.graphml"), flat=flat)
    write_gexf(graph, out.stage(f"{name}.gexf"), flat=flat)
    del flat
    if gephi_only:
        return [out.path / f"{name}.graphml", out.path / f"{name}.gexf"]
    out.write_text(f"{name}-links.csv", links_csv(graph))
    out.write_text(f"{name}-vosviewer.json",  # one line: json's indenting encoder is slow
                   json.dumps(vosviewer_json(graph, clusters, names=names), ensure_ascii=False))
    return [out.path / f"{name}{suffix}"
            for suffix in (".graphml", ".gexf", "-links.csv", "-vosviewer.json")]
