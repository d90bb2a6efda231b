"""The exporter registry: each output format is one module registering one function.

An exporter takes the built graph and the `OutputFolder` being written, stages its files
there (`out.stage(name)`, `out.write_text(name, text)`) and returns their final paths; the
pipeline commits them all at once when every exporter has run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.outputs import OutputFolder, writing
from kg.registry import Registry

if TYPE_CHECKING:
    import networkx as nx

Exporter = Callable[..., list[Path]]  # (graph, out, **options) -> files staged

exporters: Registry[Exporter] = Registry("exporter")
# GraphML of the whole graph is opt-in (`--export graphml`): it is as large as the Turtle and
# slow to write; `kg analyze` writes the co-author and concept networks Gephi users want.
DEFAULT_EXPORTS = ("rdf", "html", "summary")


def register_exporter(name: str) -> Callable[[Exporter], Exporter]:
    return exporters.register(name)


def export(name: str, graph: nx.DiGraph, out: OutputFolder | str | Path, **options: Any,
           ) -> list[Path]:
    """Stage the files of exporter `name` in `out`: an open OutputFolder, or a folder path to
    write them into at once."""
    exporter = exporters.get(name)
    with writing(out) as folder:
        return exporter(graph, folder, **options)
