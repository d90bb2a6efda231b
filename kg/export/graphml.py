"""Exporter: the whole graph as GraphML, for Gephi, Cytoscape and yEd.

GraphML attributes are scalars, so lists of scalars are joined with "; ", anything nested
(dicts, lists of dicts, dataclasses) becomes JSON text, and None is dropped. Nodes and edges are
written in sorted order and characters XML 1.0 forbids are removed, so the same graph always
gives the same, valid file.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from kg.export.registry import register_exporter
from kg.outputs import OutputFolder

Scalar = str | int | float | bool

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _json_default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def flat_value(value: Any) -> Scalar | None:
    """One attribute value as a GraphML scalar; None when there is nothing to write."""
    if value is None:
        return None
    if isinstance(value, str):
        return _XML_INVALID.sub("", value)
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        if all(isinstance(item, str | int | float | bool) for item in items):
            return _XML_INVALID.sub("", "; ".join(map(str, items)))
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json_default)
    return _XML_INVALID.sub("", text)


def flat_attributes(attributes: Mapping[str, Any]) -> dict[str, Scalar]:
    flat = {key: flat_value(value) for key, value in sorted(attributes.items())}
    return {key: value for key, value in flat.items() if value is not None}


def write_graphml(graph: nx.Graph, path: Path,
                  more: Mapping[Any, Mapping[str, Any]] | None = None) -> Path:
    """Write `graph` (any networkx graph, attributes of any type) as deterministic GraphML,
    adding the node attributes in `more` (computed ones) without copying the graph first."""
    more = more or {}
    flat = graph.__class__(**flat_attributes(graph.graph))
    flat.add_nodes_from((node, flat_attributes({**data, **more.get(node, {})})) for node, data in
                        sorted(graph.nodes(data=True), key=lambda item: str(item[0])))
    edges = sorted(graph.edges(data=True), key=lambda e: (str(e[0]), str(e[1])))
    flat.add_edges_from((u, v, flat_attributes(data)) for u, v, data in edges)
    nx.write_graphml(flat, path, encoding="utf-8")
    return path


@register_exporter("graphml")
def export_graphml(graph: nx.DiGraph, out: OutputFolder, **_: Any) -> list[Path]:
    write_graphml(graph, out.stage("graph.graphml"))
    return [out.path / "graph.graphml"]
