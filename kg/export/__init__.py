"""Export stage: the graph as RDF, an HTML view, GraphML and a summary."""

from kg.export.registry import export, exporters, register_exporter

# Each module registers its exporter when first asked for (the view's pulls in pyvis and jinja2).
for _name in ("rdf", "html", "summary", "graphml"):
    exporters.add_lazy(_name, f"kg.export.{_name}")

__all__ = ["export", "exporters", "register_exporter"]
