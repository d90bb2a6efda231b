"""Co-authorship and concept networks, their report, and the GraphML files for Gephi."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import jsonschema
import mini
import networkx as nx
import pytest

import kg
from kg.analyze import (
    betweenness,
    coauthor_network,
    collaboration,
    communities,
    cooccurrence_network,
    days_from_store,
    homonyms,
    incidence_from_graph,
    incidence_from_store,
    network_report,
    projection,
    top_pairs,
    write_analysis,
)
from kg.concepts.base import Concept, Extraction, Mention
from kg.export import export
from kg.export.graphml import flat_value
from kg.graph import build_graph
from kg.model import Paper, Source
from kg.netfiles import links_csv, vosviewer_json
from kg.query import load_store, resolve_query, run_query


def _paper(paper_id: str, authors: list[str], categories: list[str]) -> Paper:
    return Paper(id=paper_id, title=f"Paper {paper_id}", source=Source("day.md", 1, "2026-01-02"),
                 authors=authors, primary_category=categories[0], categories=categories,
                 summary={"tldr": "short"}, sources=[Source("day.md", 1, "2026-01-02")])


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    """Two groups that meet through Bob; LoRA and ViT go together, GNN stands apart."""
    papers = [
        _paper("2601.00001", ["Alice Martin", "Bob Chen", "Chloé Dubois"], ["cs.CV", "cs.LG"]),
        _paper("2601.00002", ["Bob Chen", "Alice Martin"], ["cs.CV"]),
        _paper("2601.00003", ["Bob Chen", "Dan O'Neil", "Eve Kowalski"], ["cs.CL"]),
        _paper("2601.00004", ["Frank Li"], ["physics.chem-ph"]),
    ]
    concepts = {key: Concept(key, label, kind) for key, label, kind in [
        ("lora", "LoRA", "method"), ("vit", "Vision Transformer", "method"),
        ("imagenet", "ImageNet", "dataset"), ("gnn", "graph neural network", "method")]}
    mentioned = {"2601.00001": ["lora", "vit", "imagenet"], "2601.00002": ["lora", "vit"],
                 "2601.00003": ["lora"], "2601.00004": ["gnn"]}
    mentions = {paper: [Mention(key, key, "abstract", 0, 3, 0.9) for key in keys]
                for paper, keys in mentioned.items()}
    return build_graph(papers, Extraction("test 1", concepts, mentions))


def _weights(network: nx.Graph) -> dict[frozenset[str], int]:
    label = network.nodes
    return {frozenset((label[u]["label"], label[v]["label"])): w
            for u, v, w in network.edges(data="weight")}


def test_coauthor_weights_are_shared_papers(graph):
    network = coauthor_network(*incidence_from_graph(graph, "author"))
    assert network.number_of_nodes() == 6
    assert _weights(network) == {
        frozenset({"Alice Martin", "Bob Chen"}): 2, frozenset({"Alice Martin", "Chloé Dubois"}): 1,
        frozenset({"Bob Chen", "Chloé Dubois"}): 1, frozenset({"Bob Chen", "Dan O'Neil"}): 1,
        frozenset({"Bob Chen", "Eve Kowalski"}): 1, frozenset({"Dan O'Neil", "Eve Kowalski"}): 1}
    assert network.nodes["author:Bob Chen"] == {"label": "Bob Chen", "papers": 3}
    assert network.nodes["author:Frank Li"]["papers"] == 1  # single author: a node, no links


def test_cooccurrence_weights_and_labels(graph):
    network = cooccurrence_network(*incidence_from_graph(graph, "mentions"))
    assert network.nodes["concept:lora"] == {"label": "LoRA", "papers": 3}
    assert _weights(network) == {frozenset({"LoRA", "Vision Transformer"}): 2,
                                 frozenset({"LoRA", "ImageNet"}): 1,
                                 frozenset({"ImageNet", "Vision Transformer"}): 1}
    assert top_pairs(network, 2) == [("LoRA", "Vision Transformer", 2), ("ImageNet", "LoRA", 1)]


def test_big_collaborations_add_nodes_but_no_links():
    pairs = [("big", f"author {i}") for i in range(60)] + [("small", "a"), ("small", "b")]
    network = coauthor_network(pairs, max_authors=50)
    assert network.number_of_nodes() == 62 and network.number_of_edges() == 1
    assert network.graph["unlinked_papers"] == 1
    assert coauthor_network(pairs, max_authors=None).number_of_edges() == 60 * 59 // 2 + 1


def test_only_the_most_frequent_concepts_are_kept(graph):
    network = cooccurrence_network(*incidence_from_graph(graph, "mentions"), max_concepts=2)
    assert sorted(network.nodes(data="label")) == [("concept:lora", "LoRA"),
                                                   ("concept:vit", "Vision Transformer")]
    assert network.graph["items"] == 4
    report = network_report(network)
    assert (report.nodes, report.items, report.min_papers) == (2, 4, 2)


def test_components_and_top_nodes(graph):
    report = network_report(coauthor_network(*incidence_from_graph(graph, "author")), top=3)
    assert report.component_sizes == [5, 1]
    assert report.top_degree[0] == ("Bob Chen", 4, 3)
    assert report.top_papers[:2] == [("Bob Chen", 3, 4), ("Alice Martin", 2, 2)]
    assert report.top_betweenness[0][0] == "Bob Chen"
    assert report.betweenness_samples is None  # small enough to be exact


def _two_cliques() -> list[tuple[str, str]]:
    """Two five-author teams, each writing three papers, and one paper bridging them."""
    pairs = [(f"{team}{n}", f"{team} author {i}") for team in "ab" for n in range(3)
             for i in range(5)]
    return [*pairs, ("bridge", "a author 0"), ("bridge", "b author 0")]


def test_leiden_is_deterministic_and_independent_of_input_order():
    pairs = _two_cliques()
    found = communities(coauthor_network(pairs))
    assert [sorted(c) for c in found] == [[f"{t} author {i}" for i in range(5)] for t in "ab"]
    shuffled = pairs[:]
    random.Random(7).shuffle(shuffled)
    assert communities(coauthor_network(shuffled)) == found


def test_betweenness_is_sampled_above_the_work_budget():
    network = coauthor_network(_two_cliques())
    exact, k = betweenness(network)
    assert k is None and max(exact, key=exact.get) in {"a author 0", "b author 0"}
    sampled, k = betweenness(network, work=10)
    assert k == 10 and sampled == betweenness(network, work=10)[0]


def test_empty_networks_report_nothing():
    report = network_report(nx.Graph())
    assert (report.nodes, report.communities, report.top_pairs) == (0, [], [])


def test_write_analysis_report_and_graphml(graph, tmp_path):
    coauthors = coauthor_network(*incidence_from_graph(graph, "author"))
    concepts = cooccurrence_network(*incidence_from_graph(graph, "mentions"))
    paths = write_analysis(tmp_path / "a", coauthors, concepts, source="outputs")
    assert [p.name for p in paths] == [
        "analysis.md", "analysis.html", *(f"{n}{s}" for n in ("coauthors", "concepts")
                                          for s in (".graphml", ".gexf"))]
    text = paths[0].read_text("utf-8")
    for expected in ("## Co-authorship network", "## Concept co-occurrence network",
                     "| 1 | Bob Chen | 4 | 3 |", "| 1 | LoRA | Vision Transformer | 2 |",
                     "exact", "Leiden"):
        assert expected in text
    read = nx.read_graphml(paths[2])
    assert read.nodes["author:Bob Chen"]["label"] == "Bob Chen"
    assert read.edges["author:Alice Martin", "author:Bob Chen"]["weight"] == 2
    assert {d["community"] for _, d in read.nodes(data=True)} <= set(range(1, 7))
    assert nx.read_graphml(paths[4]).nodes["concept:lora"]["papers"] == 3
    gexf = nx.read_gexf(paths[3])
    assert gexf.nodes["author:Bob Chen"]["community"] == read.nodes["author:Bob Chen"]["community"]
    whole = vosviewer_json(coauthors, {n: d["community"] for n, d in read.nodes(data=True)})
    schema = Path(__file__).parent / "data" / "vosviewer.schema.json"
    jsonschema.validate(whole, json.loads(schema.read_text("utf-8")))
    vos = whole["network"]
    assert len(vos["items"]) == read.number_of_nodes()
    assert len(vos["links"]) == read.number_of_edges()
    assert {i["label"] for i in vos["items"]} >= {"Bob Chen", "Alice Martin"}
    links = list(csv.DictReader(io.StringIO(links_csv(coauthors))))
    assert {(r["source_label"], r["target_label"], r["weight"]) for r in links} >= {
        ("Alice Martin", "Bob Chen", "2")}
    again = write_analysis(tmp_path / "b", coauthors, concepts, source="outputs")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]


def test_store_incidence_matches_mapping(tmp_path):
    store = load_store(mini.write(tmp_path))
    authors = incidence_from_store(store, "author")
    assert len(authors.pairs) == 10
    network = coauthor_network(*authors)
    assert _weights(network)[frozenset({"Alice Martin", "Bob Chen"})] == 2
    concepts = cooccurrence_network(*incidence_from_store(store, "concept"))
    assert network_report(concepts).top_papers[0] == ("ImageNet", 2, 4)
    with pytest.raises(ValueError, match="unknown incidence kind"):
        incidence_from_store(store, "category")


def test_undated_papers_have_nothing_to_say_of_time(tmp_path):
    from kg.trends import time_report

    report = time_report([("p1", "a")], {"a": "A"}, {}, {})
    text = write_analysis(tmp_path, coauthor_network([]), cooccurrence_network([]),
                          time=report)
    assert "there is nothing to say of time" in text[0].read_text("utf-8")
    assert "there is nothing to say of time" in text[1].read_text("utf-8")


def test_flat_values_for_graphml():
    assert flat_value(["a", "b"]) == "a; b"
    assert flat_value({"tldr": "x"}) == '{"tldr": "x"}'
    assert flat_value([{"file": "f", "line": 1}]) == '[{"file": "f", "line": 1}]'
    assert flat_value(None) is None and flat_value(3) == 3 and flat_value(True) is True
    assert flat_value("form\x0cfeed") == "formfeed"


def test_graphml_export_of_the_whole_graph(graph, tmp_path):
    [path] = export("graphml", graph, tmp_path)
    read = nx.read_graphml(path)
    assert read.number_of_nodes() == graph.number_of_nodes()
    assert read.number_of_edges() == graph.number_of_edges()
    paper = read.nodes["paper:2601.00001"]
    assert paper["authors"] == "Alice Martin; Bob Chen; Chloé Dubois"
    assert paper["summary"] == '{"tldr": "short"}'
    assert "comment" not in paper  # None is dropped
    assert read.edges["paper:2601.00001", "concept:lora"]["rel"] == "mentions"
    (tmp_path / "again").mkdir()
    [again] = export("graphml", graph, tmp_path / "again")
    assert again.read_bytes() == path.read_bytes()


@pytest.fixture(scope="module")
def seed_build(seed: Path, tmp_path_factory: pytest.TempPathFactory) -> kg.BuildResult:
    return kg.build([seed.parent], tmp_path_factory.mktemp("seed"), exports=("rdf",))


def _papers_by_label(network: nx.Graph) -> list[tuple[str, int]]:
    return sorted((d["label"], d["papers"]) for _, d in network.nodes(data=True))


def test_a_real_export_gives_the_same_networks_as_the_graph(seed_build):
    store = load_store(seed_build.files[0].parent)
    for rel, kind in (("author", "author"), ("mentions", "concept")):
        from_graph = projection(*incidence_from_graph(seed_build.graph, rel))
        from_store = projection(*incidence_from_store(store, kind))
        assert from_store.number_of_nodes() > 5
        assert _papers_by_label(from_store) == _papers_by_label(from_graph)
        assert _weights(from_store) == _weights(from_graph)
    lora = run_query(store, resolve_query("papers-about-concept"), {"concept": "lora"})
    assert "2509.21670" in {row[1] for row in lora.rows}


def test_the_seeds_ties_are_shown_as_ties(seed_build, tmp_path):
    """On the seed's 7 papers the ten authors of most co-authors all have 9: ranked =1, and
    the rankings that are all one value are said as ties."""
    folder = seed_build.files[0].parent
    kg.analyze_graph(folder, tmp_path)
    text = (tmp_path / "analysis.md").read_text("utf-8")
    degree = text.split("### Top authors by degree")[1].split("###")[0]
    assert degree.count("\n| =1 |") == 10 and "\n| 1 |" not in degree
    assert "Every author has papers 1: a tie, no ranking." in text
    assert "No paper has a digest day" in text or "## Time" in text


def test_ties_are_said_not_ranked(tmp_path):
    """A triangle: every author has the same degree, strength and betweenness 0."""
    pairs = [("p1", "A"), ("p1", "B"), ("p1", "C")]
    coauthors = coauthor_network(pairs)
    report = network_report(coauthors)
    assert report.tied == {"degree": 2, "strength": 2, "papers": 1, "betweenness": 0.0,
                           "link weight": 1}
    text = write_analysis(tmp_path, coauthors, cooccurrence_network([]))[0].read_text("utf-8")
    assert "Every author has betweenness 0: no author lies between others, no ranking." in text
    assert "Every author has degree 2: a tie, no ranking." in text
    assert "| 1 | A |" not in text


def test_a_name_on_unconnected_work_is_several_people_and_not_ranked(tmp_path):
    """Wei Wang writes with A in cs.CL and cs.LG and, with B, in math.NA: two groups sharing
    no co-author and no category."""
    pairs = [("p1", "Wei Wang"), ("p1", "A"), ("p2", "Wei Wang"), ("p2", "A"),
             ("p3", "Wei Wang"), ("p3", "B"), ("p4", "C"), ("p4", "A")]
    categories = {"p1": ["cs.CL"], "p2": ["cs.LG"], "p3": ["math.NA"], "p4": ["cs.CL"]}
    several = homonyms(pairs, categories)
    assert several == {"Wei Wang": 2}
    assert homonyms(pairs, {**categories, "p3": ["cs.LG"]}) == {}  # one category: one person
    coauthors = coauthor_network(pairs)
    report = network_report(coauthors, several=several)
    assert "Wei Wang" not in [label for label, *_ in report.top_degree + report.top_papers]
    assert report.several == [("Wei Wang", 3, 2)]
    text = write_analysis(tmp_path, coauthors, cooccurrence_network([]),
                          several=several)[0].read_text("utf-8")
    assert "Wei Wang (3 papers in 2 groups)" in text


def test_real_homonyms_are_names_whose_papers_share_nothing(june_days):
    store = load_store(june_days)
    pairs = incidence_from_store(store, "author").pairs
    _, categories = days_from_store(store)
    several = homonyms(pairs, categories)
    authors_of: dict[str, set[str]] = {}
    for paper, author in pairs:
        authors_of.setdefault(paper, set()).add(author)
    for name in list(several)[:20]:
        papers = [p for p, a in pairs if a == name]
        marks = [({a for a in authors_of[p] if a != name},
                  set(categories.get(p, []))) for p in papers]
        # some paper shares no co-author and no category with some other
        assert any(not (m1[0] & m2[0]) and not (m1[1] & m2[1])
                   for i, m1 in enumerate(marks) for m2 in marks[i + 1:])


def test_collaboration_per_category_on_real_days(june_days, tmp_path):
    store = load_store(june_days)
    pairs = incidence_from_store(store, "author").pairs
    _, categories = days_from_store(store)
    rows = collaboration(pairs, categories, categories=3)
    assert len(rows) == 3 and rows[0].papers >= rows[1].papers >= rows[2].papers
    for row in rows:
        papers = {p for p, cats in categories.items() if row.category in cats}
        authors = {a for p, a in pairs if p in papers}
        assert row.authors == len(authors) and row.authors_per_paper >= 1
        assert 0 <= row.single_author < 0.5  # most papers have co-authors
    text = write_analysis(tmp_path, coauthor_network(pairs), cooccurrence_network([]),
                          collaboration=rows)[0].read_text("utf-8")
    assert f"| {rows[0].category} | {rows[0].papers} |" in text
