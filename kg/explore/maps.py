"""The drawings of the explorer's pages (`kg.draw` lays them out): the neighbourhood of a
paper, author or concept, and concept maps of a category, a day or any filter.

A neighbourhood is the page's own lists (authors, concepts, related papers...) with the
links the store holds among them. A concept map (`kg.draw.concept_map`) is made of the papers
a filter keeps.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyoxigraph as ox

from kg import draw, tsv
from kg.draw import Drawing, Node
from kg.explore.pages import Explorer, PaperFilter, Row, iso_day, local_key
from kg.explore.urls import author_url, category_url, concept_url, paper_url
from kg.vocab import KG, PREFIXES

MAP_SIZE = 100
_LINKED = {  # what links two drawn nodes: from a paper, and between concepts
    f"{KG}mentions", f"{PREFIXES['dcterms']}creator", f"{PREFIXES['dcterms']}subject",
    f"{PREFIXES['skos']}broader"}
OVERLAY = ("#3b4cc0", "#6f92f3", "#aac7fd", "#dddcdc", "#f7b89c", "#e7745b", "#b40426")


@dataclass(frozen=True, slots=True)
class MapFilter:
    """Which papers a concept map counts (`papers`: a category, days, a concept type), how
    many concepts it draws, and, for a day's page, the papers of that day's digests."""

    papers: PaperFilter = field(default_factory=PaperFilter)
    size: int = MAP_SIZE
    digest_day: str | None = None  # the papers of that day's digests, even if seen before

    def checked(self) -> MapFilter:
        """The filter with days that are not dates and unknown types dropped."""
        return MapFilter(self.papers.checked(), min(max(self.size, 10), draw.MAX_NODES),
                         iso_day(self.digest_day))


def links_among(explorer: Explorer, iris: list[str]) -> list[tuple[str, str, float]]:
    """The links the store holds between drawn nodes: a paper's concepts, authors and
    categories, and a concept's broader concepts."""
    drawn = set(iris)
    edges = []
    for iri in iris:
        for quad in explorer.store.quads_for_pattern(ox.NamedNode(iri), None, None):
            target = quad.object
            if isinstance(target, ox.NamedNode) and target.value in drawn \
                    and quad.predicate.value in _LINKED:
                edges.append((iri, target.value, 1.0))
    return edges


def paper_neighbourhood(explorer: Explorer, page: Row) -> Drawing:
    center = page["paper_iri"]
    nodes = [Node(center, page["title"], "paper", paper_url(page), weight=30)]
    nodes += [Node(c["concept"], c["label"], "concept", concept_url(c["key"]),
                   weight=c.get("papers") or 1) for c in page["concepts"]]
    nodes += [Node(explorer.iris.person(a["name"]), a["name"], "author", author_url(a["name"]))
              for a in page["authors"][:40]]
    nodes += [Node(explorer.iris.category(c["code"]), c["code"], "category",
                   category_url(c["code"]), weight=5, title=c["name"])
              for c in page["categories"]]
    nodes += [Node(p["paper"], p["title"], "paper", paper_url(p), weight=2)
              for p in page["related"]]
    return draw.draw(nodes, links_among(explorer, [n.id for n in nodes]))


def author_neighbourhood(explorer: Explorer, page: Row) -> Drawing:
    center = page["person"]
    nodes = [Node(center, page["name"], "author", author_url(page["name"]), weight=30)]
    nodes += [Node(p["paper"], p["title"], "paper", paper_url(p), weight=2)
              for p in page["papers"][:40]]
    nodes += [Node(explorer.iris.person(a["name"]), a["name"], "author", author_url(a["name"]),
                   weight=a["papers"]) for a in page["coauthors"][:40]]
    nodes += [Node(c["concept"], c["label"], "concept", concept_url(c["key"]),
                   weight=c["papers"]) for c in page["concepts"][:30]]
    edges = links_among(explorer, [n.id for n in nodes])
    return draw.draw(nodes, edges)


def concept_neighbourhood(explorer: Explorer, page: Row) -> Drawing:
    center = page["concept"]
    nodes = [Node(center, page["label"], "concept", concept_url(page["key"]), weight=60)]
    together = page["cooccurring"]
    nodes += [Node(c["concept"], c["label"], "concept", concept_url(c["key"]),
                   weight=c["papers"]) for c in together]
    nodes += [Node(c["concept"], c["label"], "concept", concept_url(c["key"]),
                   weight=c.get("papers") or 1) for c in page["broader"] + page["narrower"][:15]]
    nodes += [Node(p["paper"], p["title"], "paper", paper_url(p), weight=2)
              for p in page["listed"][:20]]
    nodes = list({n.id: n for n in reversed(nodes)}.values())[::-1]  # each node once
    strongest = max((c["strength"] for c in together), default=1.0) or 1.0
    edges = [(center, c["concept"], 1 + 3 * c["strength"] / strongest) for c in together]
    return draw.draw(nodes, edges + links_among(explorer, [n.id for n in nodes]))


def _map_rows(explorer: Explorer, chosen: MapFilter, papers: str) -> list[tuple[str, str, str]]:
    """(paper, its day, a concept it names) for `papers` (SPARQL about ?paper: those
    `chosen` keeps, or their newest) and the concepts of `chosen`'s type."""
    lines = [papers, "?paper kg:digestDate ?date ; kg:mentions ?concept .",
             chosen.papers.concept_clause()]
    if chosen.digest_day:
        day = ox.Literal(chosen.digest_day, datatype=ox.NamedNode(PREFIXES["xsd"] + "date"))
        lines.append(f"?paper prov:wasDerivedFrom ?digest . ?digest dcterms:date {day} .")
    query = "SELECT ?paper ?date ?concept WHERE {\n" + "\n".join(lines) + "\n}"
    rows = []  # read as TSV: faster on the tens of thousands of rows of a large scope
    for line in tsv.lines(explorer.store, query):
        paper, date_term, concept = line.split("\t")
        rows.append((paper[1:-1], date_term[1:11], concept[1:-1]))  # "YYYY-MM-DD"^^xsd:date
    return rows


def _sample(explorer: Explorer, chosen: MapFilter) -> tuple[str, str]:
    """The papers a map reads, as SPARQL, and what its caption says of them: those `chosen`
    keeps, or when they are more than SAMPLE those of their newest days
    (`Explorer.sample`). A day's map reads all the papers of its digests."""
    kept = chosen.papers
    if chosen.digest_day:
        return kept.clauses(explorer.iris), ""
    days = explorer.rows("category-days", ox.NamedNode(explorer.iris.category(kept.category))) \
        if kept.category else explorer.rows("build-days")
    days = [d for d in days if (kept.since or "") <= d["date"] <= (kept.until or "9")]
    papers, counted, since = explorer.sample("", None, kept, days)
    return papers, f"Its {counted:,} papers since {since}." if since else ""


def concept_map(explorer: Explorer, chosen: MapFilter, *, overlay: bool = False) -> Drawing:
    """The map (`kg.draw.concept_map`) of the papers `chosen` keeps (of a large category or
    build unfiltered, those of its newest days: `_sample`); with `overlay`, coloured by the
    average day of their papers instead of by cluster (old blue, new red)."""
    chosen = chosen.checked()
    papers, caption = _sample(explorer, chosen)
    concepts_of: dict[str, set[str]] = defaultdict(set)
    day_of: dict[str, str] = {}
    for paper, day, concept in _map_rows(explorer, chosen, papers):
        concepts_of[paper].add(concept)
        day_of[paper] = day
    found = draw.concept_map(concepts_of, chosen.size, explorer.label,
                             lambda c: concept_url(local_key(c)))
    if overlay and found.nodes:
        _colour_by_day(found.nodes, concepts_of, day_of)
    drawing = draw.draw(found.nodes, found.edges, found.clusters)
    drawing.caption = caption
    return drawing


def _colour_by_day(nodes: list[Node], concepts_of: dict[str, set[str]],
                   day_of: dict[str, str]) -> None:
    """Each node's colour from the average day of its papers, on a blue-to-red scale."""
    days: dict[str, list[int]] = defaultdict(list)
    for paper, concepts in concepts_of.items():
        ordinal = date.fromisoformat(day_of[paper]).toordinal()
        for concept in concepts:
            days[concept].append(ordinal)
    average = {n.id: sum(days[n.id]) / len(days[n.id]) for n in nodes}
    low, high = min(average.values()), max(average.values())
    for node in nodes:
        share = (average[node.id] - low) / (high - low) if high > low else 0.5
        node.colour = OVERLAY[min(int(share * len(OVERLAY)), len(OVERLAY) - 1)]
        node.title += f", on average {date.fromordinal(round(average[node.id])).isoformat()}"


def as_json(drawing: Drawing) -> dict[str, Any]:
    return draw.vis_data(drawing)
