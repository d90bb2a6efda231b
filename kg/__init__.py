"""kg: knowledge graphs from daily arXiv digests.

The Python API mirrors the command line:

    import kg
    result = kg.build(["digests/"], "outputs")      # RDF, HTML view, GraphML, summary
    papers, account = kg.read_papers(["digests/"])  # just the merged records
    extraction = kg.extract_concepts(papers)
    kg.analyze_graph("outputs")                     # co-author and concept networks

SPARQL: `kg.query.run_query(kg.query.load_store("outputs"), text, {"name": "value"})`.
"""

from kg.pipeline import (
    BuildResult,
    analyze_graph,
    build,
    concept_records,
    extract_concepts,
    read_papers,
)

__all__ = [
    "BuildResult", "analyze_graph", "build", "concept_records", "extract_concepts", "read_papers",
]
__version__ = "0.1.0"
