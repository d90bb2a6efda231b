"""Export stage: the graph as RDF, an HTML view, GraphML and a summary."""

# Importing the exporter modules registers them.
from kg.export import graphml, html, rdf, summary  # noqa: F401
from kg.export.registry import export, exporters, register_exporter

__all__ = ["export", "exporters", "register_exporter"]
