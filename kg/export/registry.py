"""The exporter registry: each output format is one module registering one function.

An exporter takes the built graph and an output folder and returns the files it wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from kg.registry import Registry

Exporter = Callable[..., list[Path]]  # (graph, out_dir, **options) -> files written

exporters: Registry[Exporter] = Registry("exporter")


def register_exporter(name: str) -> Callable[[Exporter], Exporter]:
    return exporters.register(name)


def export(name: str, graph: nx.DiGraph, out_dir: Path, **options: Any) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return exporters.get(name)(graph, out_dir, **options)
