"""Network analysis: the co-authorship and concept co-occurrence networks of a graph.

Both networks are one-mode projections of a bipartite paper–item incidence: two authors (or two
concepts) are linked when they share a paper, weighted by how many they share. The incidence
comes from the in-memory graph or, with the same shape, from a built graph folder via SPARQL,
so `kg analyze` works on either. Plain functions over networkx graphs, in networkx's style; only
`write_analysis` touches the disk.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, NamedTuple

import networkx as nx
import pyoxigraph as ox

from kg import tsv
from kg.draw import association_strength
from kg.netfiles import csv_text, write_network
from kg.outputs import OutputFolder, writing
from kg.topics import MIN_OCCURRENCES, Topics, leiden
from kg.trends import TimeReport
from kg.vocab import PREFIXES

SEED = 42
MAX_AUTHORS = 50  # papers with more authors (big collaborations) add nodes but no links
MAX_CONCEPTS = 2000  # the concept network keeps this many of the most frequent concepts
# Betweenness costs one shortest-path search per source node, each visiting every edge: 1.7 ms
# per source in igraph on the June co-authors (24,630 authors, 95,619 links; 60 ms in
# networkx), exact in 21 s. Above this many edge visits it is estimated from sampled
# sources, never fewer than MIN_SAMPLES: with 100 the top ten still vary with the seed, with
# fewer they are noise.
BETWEENNESS_WORK = 100_000_000
MIN_SAMPLES = 100
MIN_TOGETHER = 3  # papers a pair must share to be ranked by association strength

_STORE_QUERIES = {  # (paper-item pairs, item labels): two scans, no join per row
    "author": ("SELECT ?paper ?item WHERE { ?paper dcterms:creator ?item }",
               "SELECT ?item ?label WHERE { ?item a foaf:Person ; foaf:name ?label }"),
    "concept": ("SELECT ?paper ?item WHERE { ?paper kg:mentions ?item }",
                "SELECT ?item ?label WHERE { ?item a kg:Concept ; skos:prefLabel ?label }"),
}


class Incidence(NamedTuple):
    """Which items (authors or concepts) each paper has, and how to name the items."""

    pairs: list[tuple[str, str]]  # (paper, item)
    labels: dict[str, str]  # item -> display label


def incidence_from_graph(graph: nx.DiGraph, rel: str) -> Incidence:
    """Paper–item pairs of the kg graph's edges of `rel` ("author" or "mentions")."""
    pairs = [(u, v) for u, v, r in graph.edges(data="rel") if r == rel]
    labels = {item: graph.nodes[item].get("label", item) for _, item in pairs}
    return Incidence(pairs, labels)


def incidence_from_store(store: ox.Store, kind: str, *, category: str | None = None,
                         since: str | None = None, until: str | None = None) -> Incidence:
    """Paper–item pairs of a loaded graph folder, `kind` "author" or "concept"; of the papers
    of one `category` (an arXiv code) and of the digest days from `since` to `until`
    (YYYY-MM-DD, inclusive), when given."""
    if kind not in _STORE_QUERIES:
        raise ValueError(f"unknown incidence kind {kind!r} (known: {', '.join(_STORE_QUERIES)})")
    clauses = []
    if category:
        clauses.append(f"?paper dcterms:subject ?category . ?category skos:notation "
                       f"{ox.Literal(category)} .")
    for bound, test in ((since, ">="), (until, "<=")):
        if bound:
            day = ox.Literal(bound, datatype=ox.NamedNode(PREFIXES["xsd"] + "date"))
            clauses.append(f"?paper kg:digestDate ?day . FILTER(?day {test} {day})")
    pairs_query, labels_query = _STORE_QUERIES[kind]
    query = pairs_query.replace("WHERE {", "WHERE { " + " ".join(clauses), 1)
    known: dict[str, str] = {}  # one string per IRI: the archive has 1.3M mentions
    pairs = []
    for line in tsv.lines(store, query):  # hundreds of thousands of rows: read as text
        paper, item = line.split("\t")
        pairs.append((known.setdefault(paper, paper[1:-1]), known.setdefault(item, item[1:-1])))
    named = {item for _, item in pairs}
    labels = {}
    for line in tsv.lines(store, labels_query):
        item, label = line.split("\t")
        if item[1:-1] in named and item[1:-1] not in labels:
            labels[item[1:-1]] = tsv.value(label)
    return Incidence(pairs, labels)


def days_from_store(store: ox.Store) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each paper's first digest day, and the codes of the categories it is listed in."""
    day_of = {}
    for line in tsv.lines(store, "SELECT ?paper ?day WHERE { ?paper kg:digestDate ?day }"):
        paper, day = line.split("\t")
        day_of[paper[1:-1]] = tsv.value(day)
    categories_of: dict[str, list[str]] = defaultdict(list)
    for line in tsv.lines(store, "SELECT ?paper ?code WHERE { ?paper dcterms:subject "
                                 "?category . ?category skos:notation ?code }"):
        paper, code = line.split("\t")
        categories_of[paper[1:-1]].append(tsv.value(code))
    return day_of, dict(categories_of)


def items_of(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Each paper's items (authors or concepts), from (paper, item) pairs."""
    found: dict[str, set[str]] = defaultdict(set)
    for paper, item in pairs:
        found[paper].add(item)
    return found


def projection(pairs: Iterable[tuple[str, str]], labels: Mapping[str, str] | None = None, *,
               max_items: int | None = None, max_nodes: int | None = None) -> nx.Graph:
    """Items linked by the papers they share: edge weight = shared papers, node attribute
    `papers` = the item's papers.

    Papers with more than `max_items` items add no links, which keeps one 3,000-author paper
    from adding millions of edges. Only the `max_nodes` items in most papers are kept: a month
    of digests already has 86,000 concepts and 1.3M co-occurrences, mostly of one-paper terms.
    `graph.graph` records both cuts for the report.
    """
    labels = labels or {}
    grouped = items_of(pairs)
    papers = Counter(item for items in grouped.values() for item in items)
    kept = sorted(papers, key=lambda item: (-papers[item], item))[:max_nodes]
    if len(kept) < len(papers):
        keep = set(kept)
        grouped = {paper: items & keep for paper, items in grouped.items()}
    linking = [items for items in grouped.values() if max_items is None or len(items) <= max_items]
    weights = Counter(pair for items in linking for pair in combinations(sorted(items), 2))
    graph = nx.Graph(papers=len(grouped), unlinked_papers=len(grouped) - len(linking),
                     max_items=max_items or 0, items=len(papers))
    graph.add_nodes_from((item, {"label": labels.get(item, item), "papers": papers[item]})
                         for item in sorted(kept))
    graph.add_edges_from((u, v, {"weight": w}) for (u, v), w in sorted(weights.items()))
    return graph


def coauthor_network(pairs: Iterable[tuple[str, str]], labels: Mapping[str, str] | None = None,
                     max_authors: int | None = MAX_AUTHORS) -> nx.Graph:
    """Authors linked by co-written papers (weight = shared papers); every author is kept."""
    return projection(pairs, labels, max_items=max_authors)


def cooccurrence_network(pairs: Iterable[tuple[str, str]],
                         labels: Mapping[str, str] | None = None,
                         max_concepts: int | None = MAX_CONCEPTS) -> nx.Graph:
    """The most frequent concepts, linked by the papers mentioning both (weight = such papers)."""
    return projection(pairs, labels, max_nodes=max_concepts)


@dataclass(frozen=True)
class NetworkReport:
    """What `write_analysis` says about one network; labels are the nodes' display labels."""

    nodes: int
    edges: int
    items: int  # before keeping only the most frequent
    min_papers: int  # the fewest papers of a kept node
    papers: int
    unlinked_papers: int
    max_items: int
    component_sizes: list[int]  # largest first
    top_degree: list[tuple[str, int, int]]  # label, degree, papers
    top_strength: list[tuple[str, int, int]]  # label, strength (summed link weights), degree
    top_papers: list[tuple[str, int, int]]  # label, papers, degree
    top_betweenness: list[tuple[str, float]]
    tied: dict[str, float]  # ranking -> the value every node shares, when they all do
    several: list[tuple[str, int, int]]  # label, papers, groups: names left out of rankings
    betweenness_samples: int | None  # None: exact
    seed: int  # of the betweenness sample and of Leiden
    communities: list[list[str]]  # node ids, largest community first, members by papers
    modularity: float
    top_pairs: list[tuple[str, str, int]]  # label, label, weight
    top_associated: list[tuple[str, str, float, int]]  # label, label, association, weight


def _label(graph: nx.Graph, node: str) -> str:
    return str(graph.nodes[node].get("label", node))


def betweenness(graph: nx.Graph, work: int = BETWEENNESS_WORK, seed: int = SEED,
                ) -> tuple[dict[str, float], int | None]:
    """Unweighted normalised betweenness (Brandes' algorithm in igraph's C): exact when it
    costs at most `work` edge visits, else estimated from as many seeded source nodes as fit
    in `work`, at least MIN_SAMPLES, scaled as networkx scales its sampled estimate.
    Returns the scores and the number of sources sampled, None when exact.

    >>> scores, sampled = betweenness(nx.path_graph(["a", "b", "c"]))
    >>> scores, sampled
    ({'a': 0.0, 'b': 1.0, 'c': 0.0}, None)
    """
    import igraph

    nodes = sorted(graph, key=str)
    n, edges = len(nodes), max(graph.number_of_edges(), 1)
    if n < 3:
        return dict.fromkeys(nodes, 0.0), None
    k = None if n * edges <= work else min(n, max(MIN_SAMPLES, work // edges))
    index = {node: i for i, node in enumerate(nodes)}
    network = igraph.Graph(n=n, edges=[(index[a], index[b]) for a, b in graph.edges])
    if k is None:
        raw, scale = network.betweenness(directed=False), 2 / ((n - 1) * (n - 2))
    else:  # paths from the sampled sources only: half of networkx's sum over them
        sources = random.Random(seed).sample(range(n), k)
        raw = network.betweenness(directed=False, sources=sources, targets=None)
        scale = 2 * n / k / ((n - 1) * (n - 2))
    return {node: raw[i] * scale for i, node in enumerate(nodes)}, k


def communities(graph: nx.Graph, seed: int = SEED) -> list[list[str]]:
    """Leiden communities (`kg.topics.leiden`, weighted, seeded), largest first, each listed
    by papers then label."""
    found = leiden(graph, seed=seed) if graph.number_of_nodes() else []
    ordered = [sorted(c, key=lambda n: (-graph.nodes[n].get("papers", 0), _label(graph, n), n))
               for c in found]
    return sorted(ordered, key=lambda c: (-len(c), _label(graph, c[0]), c[0]))


def top_pairs(graph: nx.Graph, n: int = 10) -> list[tuple[str, str, int]]:
    """The `n` heaviest edges as (label, label, weight)."""
    labelled = ((*sorted((_label(graph, u), _label(graph, v))), w)
                for u, v, w in graph.edges(data="weight", default=1))
    return heapq.nsmallest(n, labelled, key=lambda e: (-e[2], e[0], e[1]))


def top_associations(graph: nx.Graph, n: int = 10, min_together: int = MIN_TOGETHER
                     ) -> list[tuple[str, str, float, int]]:
    """The `n` links of most association strength (`kg.draw.association_strength`: the papers
    two nodes share against what their papers give by chance, out of `graph.graph["papers"]`)
    among those shared by at least `min_together` papers, as (label, label, strength,
    shared papers). Raw counts rank every pair with the most frequent node first.

    >>> g = nx.Graph(papers=100)
    >>> g.add_nodes_from([("llm", {"papers": 60}), ("rag", {"papers": 10}),
    ...                   ("lora", {"papers": 5}), ("qlora", {"papers": 4})])
    >>> g.add_edges_from([("llm", "rag", {"weight": 8}), ("lora", "qlora", {"weight": 3})])
    >>> top_associations(g, min_together=3)
    [('lora', 'qlora', 15.0, 3), ('llm', 'rag', 1.33, 8)]
    """
    total = graph.graph.get("papers", 0)
    papers = dict(graph.nodes(data="papers", default=0))
    scored = ((*sorted((_label(graph, u), _label(graph, v))),
               round(association_strength(w, papers[u], papers[v], total), 2), w)
              for u, v, w in graph.edges(data="weight", default=1) if w >= min_together)
    return heapq.nsmallest(n, scored, key=lambda e: (-e[2], -e[3], e[0], e[1]))


def _top(graph: nx.Graph, score: Mapping[str, float], n: int) -> list[str]:
    return heapq.nsmallest(n, graph, key=lambda node: (-score[node], _label(graph, node), node))


def network_report(graph: nx.Graph, top: int = 10, work: int = BETWEENNESS_WORK,
                   seed: int = SEED, several: Mapping[str, int] | None = None,
                   associations: bool = False) -> NetworkReport:
    """Size, components, top nodes, Leiden communities and strongest pairs (also by
    association strength, with `associations`) of a network. The
    nodes of `several` (a printed name -> the groups its papers fall into: probably several
    people, `homonyms`) are left out of the rankings; a ranking whose nodes all share one
    value is reported as that value, not ranked."""
    several = several or {}
    degree = dict(graph.degree())
    strength = dict(graph.degree(weight="weight"))
    papers = dict(graph.nodes(data="papers", default=0))
    between, k = betweenness(graph, work, seed)
    found = communities(graph, seed)
    ranked = graph.subgraph(n for n in graph if n not in several)
    scores: dict[str, Mapping[Any, float]] = {
        "degree": degree, "strength": strength, "papers": papers, "betweenness": between}
    scores["link weight"] = {(a, b): w for a, b, w in graph.edges(data="weight", default=1)}
    tied = {name: next(iter(values.values())) for name, values in scores.items()
            if values and len(set(values.values())) == 1}
    return NetworkReport(
        nodes=graph.number_of_nodes(), edges=graph.number_of_edges(),
        items=graph.graph.get("items", graph.number_of_nodes()),
        min_papers=min(papers.values(), default=0),
        papers=graph.graph.get("papers", 0), unlinked_papers=graph.graph.get("unlinked_papers", 0),
        max_items=graph.graph.get("max_items", 0),
        component_sizes=sorted((len(c) for c in nx.connected_components(graph)), reverse=True),
        top_degree=[(_label(graph, n), degree[n], papers[n]) for n in _top(ranked, degree, top)],
        top_strength=[(_label(graph, n), strength[n], degree[n])
                      for n in _top(ranked, strength, top)],
        top_papers=[(_label(graph, n), papers[n], degree[n]) for n in _top(ranked, papers, top)],
        top_betweenness=[(_label(graph, n), between[n]) for n in _top(ranked, between, top)],
        tied=tied,
        several=sorted(((_label(graph, n), papers.get(n, 0), groups)
                        for n, groups in several.items() if n in graph),
                       key=lambda s: (-s[1], s[0])),
        betweenness_samples=k,
        seed=seed,
        communities=found,
        modularity=nx.community.modularity(graph, found, weight="weight")
        if graph.number_of_edges() else 0.0,
        top_pairs=top_pairs(graph, top),
        top_associated=top_associations(graph, top) if associations else [],
    )


@dataclass(frozen=True)
class Collaboration:
    """How the authors of one category's papers work together."""

    category: str
    papers: int
    authors: int
    authors_per_paper: float  # mean
    single_author: float  # share of its papers with one author
    links: int  # co-author pairs among its papers' authors


def collaboration(pairs: Iterable[tuple[str, str]], categories_of: Mapping[str, Sequence[str]],
                  categories: int = 10) -> list[Collaboration]:
    """Collaboration in the `categories` categories of most papers (a paper counts in every
    category it is listed in; papers of more than MAX_AUTHORS authors add no links).

    >>> pairs = [("p1", "A"), ("p1", "B"), ("p2", "C")]
    >>> row = collaboration(pairs, {"p1": ["cs.CL"], "p2": ["cs.CL"]})[0]
    >>> row.papers, row.authors, row.authors_per_paper, row.single_author, row.links
    (2, 3, 1.5, 0.5, 1)
    """
    authors_of = items_of(pairs)
    papers_in: dict[str, list[str]] = defaultdict(list)
    for paper in authors_of:
        for code in categories_of.get(paper, ()):
            papers_in[code].append(paper)
    largest = sorted(papers_in, key=lambda c: (-len(papers_in[c]), c))[:categories]
    found = []
    for code in largest:
        papers = papers_in[code]
        sizes = [len(authors_of[p]) for p in papers]
        links = {pair for p in papers if len(authors_of[p]) <= MAX_AUTHORS
                 for pair in combinations(sorted(authors_of[p]), 2)}
        found.append(Collaboration(code, len(papers), len(set().union(*(authors_of[p]
                                                                         for p in papers))),
                                   round(sum(sizes) / len(papers), 2),
                                   round(sizes.count(1) / len(papers), 3), len(links)))
    return found


def collaboration_section(rows: Sequence[Collaboration]) -> list[str]:
    lines = ["### Collaboration per category", "",
             "The categories of most papers; a paper counts in every category it is listed in.",
             ""]
    return lines + _table(
        ["category", "papers", "authors", "authors per paper", "single-author papers",
         "co-author links"],
        ((r.category, r.papers, r.authors, f"{r.authors_per_paper:.2f}",
          f"{100 * r.single_author:.1f}%", r.links) for r in rows))


def _root(group: list[int], i: int) -> int:
    """The representative of `i` in a union-find forest (halving the path as it goes)."""
    while group[i] != i:
        group[i] = group[group[i]]
        i = group[i]
    return i


def homonyms(pairs: Iterable[tuple[str, str]], categories_of: Mapping[str, Sequence[str]]
             ) -> dict[str, int]:
    """Printed names that are probably several people: their papers fall into groups that
    share no co-author and no arXiv category, two papers being in one group when they share
    either. The name -> how many groups. (Categories, not archives: the digests are nearly
    all of one archive, cs, which would tell nobody apart.)

    >>> pairs = [("p1", "Wei Wang"), ("p1", "A"), ("p2", "Wei Wang"), ("p2", "A"),
    ...          ("p3", "Wei Wang"), ("p3", "B")]
    >>> homonyms(pairs, {"p1": ["cs.CL"], "p2": ["cs.CL"], "p3": ["math.NA"]})
    {'Wei Wang': 2}
    """
    authors_of = items_of(pairs)
    papers_of: dict[str, list[str]] = defaultdict(list)
    for paper, authors in authors_of.items():
        for author in authors:
            papers_of[author].append(paper)
    found = {}
    for author, papers in papers_of.items():
        if len(papers) < 2:
            continue
        group = list(range(len(papers)))  # union-find over the papers, by what they share
        first_with: dict[tuple[str, str], int] = {}
        for i, paper in enumerate(papers):
            marks = [("author", a) for a in authors_of[paper] if a != author]
            marks += [("category", code) for code in categories_of.get(paper, ())]
            for mark in marks:
                group[_root(group, i)] = _root(group, first_with.setdefault(mark, i))
        parts = len({_root(group, i) for i in range(len(papers))})
        if parts > 1:
            found[author] = parts
    return found


@dataclass(frozen=True)
class _Wording:
    title: str
    item: str
    items: str
    link: str
    weight: str


_COAUTHORS = _Wording("Co-authorship network", "author", "authors",
                      "two authors are linked when they wrote a paper together",
                      "shared papers")
_CONCEPTS = _Wording("Concept co-occurrence network", "concept", "concepts",
                     "two concepts are linked when a paper mentions both",
                     "papers mentioning both")


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: Iterable[Iterable[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(_cell, row)) + " |" for row in rows]
    return [*lines, ""]


def _ranks(values: Sequence[float]) -> list[str]:
    """Ranks of values sorted from the largest, ties sharing theirs, marked "=".

    >>> _ranks([9, 9, 7, 5, 5, 5])
    ['=1', '=1', '3', '=4', '=4', '=4']
    """
    counts = Counter(values)
    return [("=" if counts[v] > 1 else "") + str(1 + sum(1 for w in values if w > v))
            for v in values]


def _ranked_table(header: list[str], rows: Sequence[Sequence[object]],
                  values: Sequence[float]) -> list[str]:
    """A ranking as a table: each row after its rank by `values`, ties shown (`_ranks`)."""
    return _table(header, ((rank, *row) for rank, row in zip(_ranks(values), rows, strict=True)))


def _section(graph: nx.Graph, report: NetworkReport, words: _Wording, top: int) -> list[str]:
    sizes = report.component_sizes
    lines = [f"## {words.title}", "",
             f"Nodes are {words.items}; {words.link}; edge weight = {words.weight}.", "",
             f"- {report.nodes:,} {words.items}, {report.edges:,} links, "
             f"from {report.papers:,} papers",
             f"- connected components: {len(sizes):,} (largest: "
             f"{', '.join(f'{s:,}' for s in sizes[:5]) or 'none'}); isolated {words.items}: "
             f"{sizes.count(1):,}"]
    if report.items > report.nodes:
        lines.append(f"- only the {report.nodes:,} {words.items} in most papers (at least "
                     f"{report.min_papers:,}) of {report.items:,} are kept")
    if report.unlinked_papers:
        lines.append(f"- {report.unlinked_papers:,} papers with more than {report.max_items} "
                     f"{words.items} count for their {words.items} but add no links")
    if report.several:
        lines += ["", f"Left out of the rankings: {len(report.several):,} printed names whose "
                  f"papers fall into groups sharing no co-author and no arXiv category, probably "
                  f"several people under one name (the most papers: " + ", ".join(
                      f"{label} ({papers} papers in {groups} groups)"
                      for label, papers, groups in report.several[:5]) + ")."]
    lines += [""]
    rankings = (
        ("degree", f"Top {words.items} by degree (distinct neighbours)",
         ["#", words.item, "degree", "papers"], report.top_degree),
        ("strength", f"Top {words.items} by strength ({words.weight}, summed)",
         ["#", words.item, "strength", "degree"], report.top_strength),
        ("papers", f"Top {words.items} by papers", ["#", words.item, "papers", "degree"],
         report.top_papers))
    for score, title, header, rows in rankings:
        lines += [f"### {title}", ""]
        if score in report.tied:
            lines += [f"Every {words.item} has {score} {report.tied[score]:g}: a tie, no "
                      f"ranking.", ""]
        else:
            lines += _ranked_table(header, rows, [row[1] for row in rows])
    how = ("exact" if report.betweenness_samples is None else
           f"approximated from {report.betweenness_samples} source nodes sampled with seed "
           f"{report.seed}, as the network is too large for exact betweenness: an estimate, "
           f"whose ranking changes with the sample")
    lines += [f"### Top {words.items} by betweenness", "",
              f"Normalised, unweighted shortest paths; {how}.", ""]
    if "betweenness" in report.tied:
        lines += [f"Every {words.item} has betweenness {report.tied['betweenness']:g}: no "
                  f"{words.item} lies between others, no ranking.", ""]
    else:
        lines += _ranked_table(["#", words.item, "betweenness"],
                               [(label, f"{value:.4f}") for label, value in report.top_betweenness],
                               [round(value, 4) for _, value in report.top_betweenness])
    lines += ["### Communities", "",
              f"Leiden (weighted, seed {report.seed}): {len(report.communities):,} "
              f"communities, modularity {report.modularity:.3f}. The largest, with their "
              f"{words.items} of most papers:", ""]
    lines += _table(["#", "size", f"top {words.items}"],
                    ((i, len(c), ", ".join(_label(graph, n) for n in c[:8]))
                     for i, c in enumerate(report.communities[:top], 1)))
    if report.top_associated:
        lines += ["### Most associated pairs (association strength)", "",
                  f"Pairs of at least {MIN_TOGETHER} {words.weight}, by how many more papers "
                  f"they share than their papers give by chance (van Eck and Waltman's "
                  f"association strength: raw counts pair every {words.item} with the most "
                  f"frequent ones, as the next table shows).", ""]
        lines += _ranked_table(["#", words.item, words.item, "association strength",
                                words.weight], report.top_associated,
                               [strength for _, _, strength, _ in report.top_associated])
    lines += [f"### Strongest pairs ({words.weight})", ""]
    if "link weight" in report.tied:
        lines += [f"Every link has {report.tied['link weight']:g} {words.weight}: a tie, no "
                  f"ranking.", ""]
    else:
        lines += _ranked_table(["#", words.item, words.item, words.weight], report.top_pairs,
                               [weight for *_, weight in report.top_pairs])
    return lines


def topics_section(found: Topics, top: int = 10, scope: str = "") -> list[str]:
    """The topic network's clusters and thematic map as Markdown lines."""
    graph = found.network
    lines = ["## Topics", "",
             f"Concepts named by at least {found.min_occurrences} of the {found.papers:,} "
             f"papers{scope}, linked by association strength (van Eck and Waltman), "
             f"clustered by Leiden (resolution {found.resolution:g}, seed {found.seed}); each "
             f"paper is counted in the cluster holding most of its concepts (`topics.csv` "
             f"lists them).", "",
             f"- {graph.number_of_nodes():,} concepts, {graph.number_of_edges():,} links, "
             f"{len(found.clusters):,} clusters", ""]
    if not found.clusters:
        return [*lines, "No concept reaches the threshold: lower --min-occurrences.", ""]
    if len(found.clusters) < 2:
        lines += ["One cluster: a thematic map needs at least two.", ""]
    else:
        lines += ["Thematic map: centrality is the strength of a cluster's links to the others, "
                  "density the strength of its internal links per concept; split at their "
                  "medians, motor themes are central and dense, niche themes dense only, basic "
                  "themes central only, emerging or declining themes neither.", ""]
    lines += _table(["#", "cluster", "theme", "concepts", "papers", "centrality", "density",
                     "most characteristic concepts"],
                    ((c.number, c.name, c.theme or "-", len(c.concepts), len(c.papers),
                      f"{c.centrality:.1f}", f"{c.density:.2f}",
                      ", ".join(graph.nodes[n]["label"] for n in c.concepts[:6]))
                     for c in found.clusters[:top]))
    if len(found.clusters) > top:
        lines += [f"({len(found.clusters) - top:,} smaller clusters in `topics.csv`.)", ""]
    return lines


def time_section(report: TimeReport, top: int = 10) -> list[str]:
    if not report.days:
        return ["## Time", "", "No paper has a digest day: there is nothing to say of time.",
                ""]
    lines = ["## Time", "", "### Papers per week", "",
             "Each paper counts in the week of its first digest day, and in every category it "
             "is listed in (`papers-per-day.csv` has them by day).", ""]
    codes = list(report.papers)
    lines += _table(["week", *codes], ([w, *(report.papers[c][w] for c in codes)]
                                       for w in report.weeks))
    lines += ["### Bursts", "",
              f"Kleinberg's two-state bursts over the digest days (the burst state at twice a "
              f"concept's overall rate, entering it costing ln(days)), for concepts of at least "
              f"{MIN_OCCURRENCES} papers; strongest first.", ""]
    if report.bursts:
        lines += _table(["#", "concept", "from", "to", "papers", "weight"],
                        ((i, report.labels.get(b.concept, b.concept), b.start, b.end, b.papers,
                          f"{b.weight:.1f}") for i, b in enumerate(report.bursts[:top], 1)))
    else:
        lines += ["No burst: no concept is named markedly more often on some days.", ""]
    since, until = report.window
    span = f"from {since} to {until}" if until else f"since {since}"
    lines += [f"### First seen {span}", ""]
    if report.new:
        lines += [f"{len(report.new):,} concepts were first named {span}; the most named:", ""]
        lines += _table(["#", "concept", "first day", "papers"],
                        ((i, report.labels.get(c, c), first, n)
                         for i, (c, first, n) in enumerate(report.new[:top], 1)))
    else:
        lines += ["None.", ""]
    return lines


def _daily_csv(report: TimeReport) -> str:
    """Papers per digest day, overall and in the largest categories."""
    codes = list(report.daily)
    return csv_text(["day", *codes], ([day, *(report.daily[c][day] for c in codes)]
                                      for day in report.days))


def _topics_csv(found: Topics) -> str:
    """Each clustered paper with its cluster: number, name, theme, paper."""
    return csv_text(["cluster", "name", "theme", "paper"],
                    ([c.number, c.name, c.theme, paper]
                     for c in found.clusters for paper in c.papers))


def _topic_concepts_csv(found: Topics) -> str:
    """Each clustered concept with its cluster: number, concept, label, papers (most
    characteristic first), what a cluster's page lists beside its papers."""
    nodes = found.network.nodes
    return csv_text(["cluster", "concept", "label", "papers"],
                    ([c.number, n, nodes[n]["label"], nodes[n]["papers"]]
                     for c in found.clusters for n in c.concepts))


def write_analysis(out: OutputFolder | str | Path, coauthors: nx.Graph, concepts: nx.Graph,
                   *, top: int = 10, source: str | None = None, topics: Topics | None = None,
                   scope: str = "", time: TimeReport | None = None,
                   several: Mapping[str, int] | None = None,
                   collaboration: Sequence[Collaboration] = ()) -> list[Path]:
    """Write `analysis.md`, `analysis.html` and the networks (`kg.netfiles`) into `out` (see
    `kg.outputs.writing`): the co-author and concept networks as GraphML and GEXF, and, when
    given, the `topics` (`scope`: which papers they read) also as a CSV of links and VOSviewer
    JSON, with `topics.csv` and `topics-concepts.csv` (each cluster's papers and concepts),
    and `papers-per-day.csv` of the `time` report; each node with its community or cluster
    (1 = the largest). Return their paths."""
    with writing(out) as folder:
        return _write_analysis(folder, coauthors, concepts, top, source, topics, scope, time,
                               several or {}, collaboration)


def _write_analysis(out: OutputFolder, coauthors: nx.Graph, concepts: nx.Graph, top: int,
                    source: str | None, topics: Topics | None, scope: str,
                    time: TimeReport | None, several: Mapping[str, int],
                    collaboration: Sequence[Collaboration]) -> list[Path]:
    lines = ["# Network analysis", ""]
    if source:
        lines += [f"Graph: `{source}`", ""]
    written = []
    if topics is not None:
        lines += topics_section(topics, top, scope)
        written.append(out.write_text("topics.csv", _topics_csv(topics)))
        written.append(out.write_text("topics-concepts.csv", _topic_concepts_csv(topics)))
        written += write_network(out, "topics", topics.network,
                                 dict(topics.network.nodes(data="cluster")),
                                 names={c.number: c.name for c in topics.clusters})
    if time is not None:
        lines += time_section(time, top)
        written.append(out.write_text("papers-per-day.csv", _daily_csv(time)))
    reports = {}
    for name, graph, words in (("coauthors", coauthors, _COAUTHORS),
                               ("concepts", concepts, _CONCEPTS)):
        report = reports[name] = network_report(
            graph, top, several=several if name == "coauthors" else None,
            associations=name == "concepts")
        lines += _section(graph, report, words, top)
        if name == "coauthors" and collaboration:
            lines += collaboration_section(collaboration)
        membership = {node: number for number, members in enumerate(report.communities, 1)
                      for node in members}
        written += write_network(out, name, graph, membership, "community", gephi_only=True)
    analysis = out.write_text("analysis.md", "\n".join(lines).rstrip() + "\n")
    from kg import report as page  # matplotlib loads only here

    html = out.write_text("analysis.html", page.render(
        coauthors=coauthors, coauthor_report=reports["coauthors"], topics=topics, time=time,
        top=top, source=source, scope=scope))
    return [analysis, html, *written]
