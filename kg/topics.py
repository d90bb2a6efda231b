"""The topic network: concepts linked by association strength, clustered by Leiden, each
cluster named by its most characteristic concepts and placed on a thematic map.

This is what VOSviewer and bibliometrix give bibliometricians, on the concepts kg extracts:

- a concept counts when at least `min_occurrences` papers name it (VOSviewer's threshold);
- two concepts are linked by the papers naming both, weighted by association strength,
  c_ab * N / (c_a * c_b) (van Eck and Waltman's normalisation): raw counts pair every
  concept with the most frequent ones;
- clusters are Leiden communities (Traag, Waltman and van Eck) of that weighted network,
  with a resolution parameter: higher, more and smaller clusters;
- a cluster is named by the concepts most characteristic of it (most papers, times the share
  of their links that stay inside it), and every paper is listed under the cluster holding
  most of its concepts, as bibliometrix users ask for (its issue #209);
- the thematic map (Callon's centrality and density, as Cobo et al. and bibliometrix draw
  it): a cluster's centrality is the strength of its links to other clusters, its density
  the strength of its internal links per concept; split at the medians, the quadrants are
  motor themes (central, dense), niche themes (dense, peripheral), emerging or declining
  themes (neither) and basic themes (central, not dense).

Plain functions over (paper, concept) pairs, which `kg.analyze` reads from a graph or a
store, for the whole build or any category or window of days.

    >>> pairs = [(f"p{i}", c) for i in range(6) for c in ("a", "b")]
    >>> pairs += [(f"q{i}", c) for i in range(6) for c in ("c", "d")]
    >>> found = topics(pairs, min_occurrences=2)
    >>> [cluster.concepts for cluster in found.clusters]
    [['a', 'b'], ['c', 'd']]
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

import networkx as nx

from kg.draw import association_strength

MIN_OCCURRENCES = 5  # papers a concept needs to enter the network (VOSviewer's default)
RESOLUTION = 1.0
SEED = 42
NAMED_BY = 2  # concepts in a cluster's name
QUADRANTS = {  # (central, dense) -> the theme's kind on the thematic map
    (True, True): "motor", (False, True): "niche",
    (False, False): "emerging or declining", (True, False): "basic"}


@dataclass
class Cluster:
    """A Leiden community of the topic network."""

    number: int  # 1 for the cluster of most papers
    concepts: list[str]  # most characteristic first
    name: str  # its NAMED_BY most characteristic concepts' labels
    papers: list[str] = field(default_factory=list)  # those with most of their concepts here
    centrality: float = 0.0  # strength of its links to other clusters
    density: float = 0.0  # strength of its internal links, per concept
    theme: str = ""  # its quadrant of the thematic map ("" with fewer than two clusters)


@dataclass
class Topics:
    network: nx.Graph  # concepts (`label`, `papers`, `cluster`), links (`weight`, `together`)
    clusters: list[Cluster]
    papers: int  # in the pairs read
    min_occurrences: int
    resolution: float
    seed: int


def topic_network(pairs: Iterable[tuple[str, str]], labels: Mapping[str, str] | None = None,
                  *, min_occurrences: int = MIN_OCCURRENCES) -> nx.Graph:
    """Concepts of at least `min_occurrences` papers, linked where papers name both:
    `weight` the association strength, `together` the papers naming both.

    >>> net = topic_network([("p1", "a"), ("p1", "b"), ("p2", "a"), ("p3", "b")], {},
    ...                     min_occurrences=1)
    >>> net.edges["a", "b"]
    {'together': 1, 'weight': 0.75}
    """
    labels = labels or {}
    concepts_of: dict[str, set[str]] = defaultdict(set)
    for paper, concept in pairs:
        concepts_of[paper].add(concept)
    total = len(concepts_of)
    papers = Counter(c for concepts in concepts_of.values() for c in concepts)
    kept = {c for c, n in papers.items() if n >= min_occurrences}
    together = Counter(pair for concepts in concepts_of.values()
                       for pair in combinations(sorted(concepts & kept), 2))
    graph = nx.Graph(papers=total)
    graph.add_nodes_from((c, {"label": labels.get(c, c), "papers": papers[c]})
                         for c in sorted(kept))
    graph.add_edges_from(
        (a, b, {"together": n, "weight": association_strength(n, papers[a], papers[b], total)})
        for (a, b), n in sorted(together.items()))
    return graph


def leiden(graph: nx.Graph, resolution: float = RESOLUTION, seed: int = SEED
           ) -> list[list[str]]:
    """Leiden communities of `graph` by its `weight`s (modularity with a `resolution`,
    seeded: the same graph gives the same clusters), largest first; a concept without links
    is a cluster of its own.

    >>> two_triangles = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"),
    ...                           ("x", "z"), ("c", "x")])
    >>> nx.set_edge_attributes(two_triangles, 1.0, "weight")
    >>> leiden(two_triangles)
    [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    import igraph
    import leidenalg

    nodes = sorted(graph)
    index = {node: i for i, node in enumerate(nodes)}
    network = igraph.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in graph.edges])
    network.es["weight"] = [w for _, _, w in graph.edges(data="weight")]
    found = leidenalg.find_partition(network, leidenalg.RBConfigurationVertexPartition,
                                     weights="weight", resolution_parameter=resolution,
                                     seed=seed)
    clusters = [sorted(nodes[i] for i in members) for members in found]
    return sorted(clusters, key=lambda c: (-len(c), c[0]))


def topics(pairs: Iterable[tuple[str, str]], labels: Mapping[str, str] | None = None, *,
           min_occurrences: int = MIN_OCCURRENCES, resolution: float = RESOLUTION,
           seed: int = SEED, day_of: Mapping[str, str] | None = None) -> Topics:
    """The topic network of (paper, concept) `pairs`, its Leiden clusters (named, with their
    papers, on the thematic map), numbered by papers, most first. Given each paper's digest
    day (`day_of`), each concept gets the average day of its papers (`average_day`, an
    ordinal), which overlays colour by."""
    pairs = list(pairs)
    graph = topic_network(pairs, labels, min_occurrences=min_occurrences)
    if day_of:
        nx.set_node_attributes(graph, average_days(pairs, day_of, graph), "average_day")
    cluster_of = {node: i for i, members in enumerate(leiden(graph, resolution, seed))
                  for node in members}
    members: dict[int, list[str]] = defaultdict(list)
    for node, number in cluster_of.items():
        members[number].append(node)
    clusters = {number: _cluster(graph, nodes) for number, nodes in members.items()}
    for paper, number in _paper_clusters(pairs, cluster_of).items():
        clusters[number].papers.append(paper)
    ordered = sorted(clusters.items(), key=lambda item: (-len(item[1].papers), item[1].name))
    renumber = {old: new for new, (old, _) in enumerate(ordered, start=1)}
    for old, cluster in ordered:
        cluster.number = renumber[old]
        cluster.papers.sort()
    nx.set_node_attributes(graph, {n: renumber[c] for n, c in cluster_of.items()}, "cluster")
    found = [cluster for _, cluster in ordered]
    thematic_map(found)
    return Topics(graph, found, graph.graph["papers"], min_occurrences, resolution, seed)


def average_days(pairs: Iterable[tuple[str, str]], day_of: Mapping[str, str],
                 concepts: Iterable[str]) -> dict[str, float]:
    """The average digest day of each concept's dated papers, as a proleptic ordinal (what
    VOSviewer's "Avg. pub. year" is to a year).

    >>> average_days([("p1", "a"), ("p2", "a")], {"p1": "2026-06-01", "p2": "2026-06-03"},
    ...              ["a"]) == {"a": date(2026, 6, 2).toordinal()}
    True
    """
    wanted = set(concepts)
    days: dict[str, list[int]] = defaultdict(list)
    for paper, concept in dict.fromkeys(pairs):
        if concept in wanted and paper in day_of:
            days[concept].append(date.fromisoformat(day_of[paper]).toordinal())
    return {concept: sum(found) / len(found) for concept, found in days.items()}


def _cluster(graph: nx.Graph, nodes: list[str]) -> Cluster:
    """A cluster of `nodes`: its concepts by how characteristic they are (papers times the
    share of their link strength inside the cluster), its centrality and density."""
    inside = set(nodes)
    internal = external = 0.0
    share: dict[str, float] = {}
    for node in nodes:
        own = total = 0.0
        for other, weight in graph[node].items():
            total += weight["weight"]
            if other in inside:
                own += weight["weight"]
            else:
                external += weight["weight"]
        internal += own
        share[node] = own / total if total else 1.0
    ranked = sorted(nodes, key=lambda n: (-graph.nodes[n]["papers"] * share[n],
                                          graph.nodes[n]["label"].lower(), n))
    name = " / ".join(graph.nodes[n]["label"] for n in ranked[:NAMED_BY])
    return Cluster(0, ranked, name, centrality=external, density=internal / 2 / len(nodes))


def _paper_clusters(pairs: list[tuple[str, str]], cluster_of: Mapping[str, int]
                    ) -> dict[str, int]:
    """Each paper's cluster: the one holding most of its concepts (ties: the lower number);
    papers naming no concept of the network have none."""
    counts: dict[str, Counter[int]] = defaultdict(Counter)
    for paper, concept in dict.fromkeys(pairs):
        if concept in cluster_of:
            counts[paper][cluster_of[concept]] += 1
    return {paper: min(found, key=lambda c: (-found[c], c)) for paper, found in counts.items()}


def thematic_map(clusters: list[Cluster]) -> None:
    """Set each cluster's `theme`, its quadrant of the thematic map, split at the median
    centrality and density; none when there are fewer than two clusters (a median of one
    says nothing).

    >>> found = [Cluster(n, [], "", centrality=c, density=d)
    ...          for n, (c, d) in enumerate([(9, 9), (1, 9), (1, 1), (9, 1)], start=1)]
    >>> thematic_map(found)
    >>> [c.theme for c in found]
    ['motor', 'niche', 'emerging or declining', 'basic']
    """
    if len(clusters) < 2:
        return
    centre = statistics.median(c.centrality for c in clusters)
    middle = statistics.median(c.density for c in clusters)
    for cluster in clusters:
        cluster.theme = QUADRANTS[(cluster.centrality >= centre, cluster.density >= middle)]
