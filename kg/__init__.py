"""kg: knowledge graphs from daily arXiv digests.

The Python API mirrors the command line:

    import kg
    result = kg.build(["digests/"], "outputs")      # store, RDF, HTML view, summary
    kg.update(["2026-07-01.md"], "outputs")         # add a day to that build
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
    update,
)

__all__ = [
    "BuildResult", "analyze_graph", "build", "concept_records", "extract_concepts", "read_papers",
    "update",
]
__version__ = "0.1.0"
