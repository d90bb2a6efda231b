"""Build stage: papers and their concepts become one networkx graph.

The graph is the single model every exporter and analysis reads. Node keys are
`<kind>:<local id>`; every node has `kind` and `label`.

Nodes
- `paper:<id>`     kind=paper: title, iri, id_scheme, version, authors (printed names, in
                   order), primary_category, categories, abstract, comment, summary (dict),
                   summary_language, keywords, date (first digest day), sources (list of
                   {"file", "line", "date"})
- `author:<name>`  kind=author: name (Unicode NFC, single spaces; one node per distinct name)
- `category:<code>` kind=category: code, name (official), known (in arXiv's taxonomy)
- `archive:<code>` kind=archive: code, name;  `group:<code>` kind=group: code, name
- `concept:<key>`  kind=concept: key, type, alt_labels (sorted list), broader (list of keys)

Edges (attribute `rel`)
- paper -> author        rel=author, position (1-based, first position if listed twice)
- paper -> category      rel=primary_category | cross_list
- category -> archive, archive -> group   rel=broader
- paper -> concept       rel=mentions, confidence (max), evidence (list of {"section",
                         "start", "end", "surface", "confidence"})
- concept -> concept     rel=broader

`graph.graph` holds `extractor` (name and version) and `account` (see `kg.merge.Account`).
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from kg import taxonomy
from kg.concepts.base import Extraction
from kg.model import Paper
from kg.sources.common import normalize_name


def paper_node(paper_id: str) -> str:
    return f"paper:{paper_id}"


def author_node(name: str) -> str:
    return f"author:{normalize_name(name)}"


def _add_category(graph: nx.DiGraph, code: str) -> str:
    node = f"category:{code}"
    if node in graph:
        return node
    category = taxonomy.lookup(code)
    graph.add_node(node, kind="category", label=code, code=code, name=category.name,
                   known=category.known)
    archive = f"archive:{category.archive}"
    if archive not in graph:
        group = f"group:{category.group}"
        graph.add_node(archive, kind="archive", label=category.archive, code=category.archive,
                       name=category.archive_name)
        if group not in graph:
            graph.add_node(group, kind="group", label=category.group_name, code=category.group,
                           name=category.group_name)
        graph.add_edge(archive, group, rel="broader")
    graph.add_edge(node, archive, rel="broader")
    return node


def _add_paper(graph: nx.DiGraph, paper: Paper) -> None:
    node = paper_node(paper.id)
    graph.add_node(
        node, kind="paper", label=paper.title, title=paper.title, iri=paper.iri,
        id=paper.id, id_scheme=paper.id_scheme, version=paper.version,
        authors=list(paper.authors), primary_category=paper.primary_category,
        categories=list(paper.categories), abstract=paper.abstract, comment=paper.comment,
        summary=dict(paper.summary), summary_language=paper.summary_language,
        keywords=list(paper.keywords), date=paper.date,
        sources=[{"file": s.path, "line": s.line, "date": s.date} for s in paper.sources],
    )
    for position, name in enumerate(paper.authors, start=1):
        author = author_node(name)
        if author not in graph:
            graph.add_node(author, kind="author", label=normalize_name(name),
                           name=normalize_name(name))
        if not graph.has_edge(node, author):
            graph.add_edge(node, author, rel="author", position=position)
    for code in paper.categories:
        rel = "primary_category" if code == paper.primary_category else "cross_list"
        graph.add_edge(node, _add_category(graph, code), rel=rel)


def _add_concepts(graph: nx.DiGraph, extraction: Extraction, paper_ids: Iterable[str]) -> None:
    concepts = sorted(extraction.concepts.items())
    graph.add_nodes_from(
        (f"concept:{key}", {"kind": "concept", "label": concept.label, "key": key,
                            "type": concept.type,
                            "alt_labels": sorted(concept.alt_labels - {concept.label}),
                            "broader": list(concept.broader)})
        for key, concept in concepts)
    graph.add_edges_from((f"concept:{key}", f"concept:{parent}", {"rel": "broader"})
                         for key, concept in concepts for parent in concept.broader
                         if parent in extraction.concepts)
    for paper_id in paper_ids:  # one edge per concept a paper mentions, with every mention
        links: dict[str, dict] = {}
        for mention in extraction.mentions.get(paper_id, []):
            evidence = {"section": mention.section, "start": mention.start, "end": mention.end,
                        "surface": mention.surface, "confidence": mention.confidence}
            link = links.get(mention.concept)
            if link is None:
                links[mention.concept] = {"rel": "mentions", "confidence": mention.confidence,
                                          "evidence": [evidence]}
            else:
                link["evidence"].append(evidence)
                link["confidence"] = max(link["confidence"], mention.confidence)
        graph.add_edges_from((paper_node(paper_id), f"concept:{key}", link)
                             for key, link in links.items())


def build_graph(papers: list[Paper], extraction: Extraction) -> nx.DiGraph:
    """The knowledge graph of `papers` (already merged) and their extracted concepts."""
    graph = nx.DiGraph(extractor=extraction.extractor)
    for paper in papers:
        _add_paper(graph, paper)
    _add_concepts(graph, extraction, (p.id for p in papers))
    return graph


def nodes_of_kind(graph: nx.DiGraph, kind: str) -> list[str]:
    return [n for n, k in graph.nodes(data="kind") if k == kind]
