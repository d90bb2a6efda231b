"""kg: knowledge graphs from daily arXiv digests.

The Python API mirrors the command line:

    import kg
    result = kg.build(["digests/"], "outputs")      # store, RDF, HTML view, summary
    kg.update(["2026-07-01.md"], "outputs")         # add a day to that build
    papers, account = kg.read_papers(["digests/"])  # just the merged records
    extraction = kg.extract_concepts(papers)
    kg.analyze_graph("outputs")                     # networks, topics, time: the reports

The analysis, as plain functions over (paper, item) pairs and networkx graphs:
`kg.topics.topics` (association strength, Leiden clusters, thematic map),
`kg.trends.bursts` (Kleinberg), `kg.analyze.homonyms` (names that are several people),
`kg.analyze.incidence_from_store` (the pairs of a build).

SPARQL: `kg.query.run_query(kg.query.load_store("outputs"), text, {"name": "value"})`.
"""

__all__ = [
    "BuildResult", "analyze_graph", "build", "concept_records", "extract_concepts", "read_papers",
    "update",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """The API functions, imported from `kg.pipeline` on first use: `import kg` stays light
    for the commands that do not build (`kg query` does not need networkx)."""
    if name in __all__:
        from kg import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
