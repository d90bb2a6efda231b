"""kg: knowledge graphs from daily arXiv digests.

The Python API mirrors the command line:

    import kg
    result = kg.build(["digests/"], "outputs")      # RDF, HTML view, GraphML, summary
    papers, account = kg.read_papers(["digests/"])  # just the merged records
    extraction = kg.extract_concepts(papers)
"""

from kg.pipeline import BuildResult, build, concept_records, extract_concepts, read_papers

__all__ = ["BuildResult", "build", "concept_records", "extract_concepts", "read_papers"]
__version__ = "0.1.0"
