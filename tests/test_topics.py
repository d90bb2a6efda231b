"""The topic network on two real June days: association strength, Leiden clusters, their
names and papers, the thematic map, a category's or a window's topics, and `kg analyze`."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
import statistics
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

import jsonschema
import networkx as nx
import pytest
from playwright.sync_api import Browser
from serving import running
from typer.testing import CliRunner

from kg.analyze import Incidence, days_from_store, incidence_from_store
from kg.cli import app
from kg.explore.pages import PAGE_SIZE
from kg.query import load_store
from kg.serve.app import create_app
from kg.store import LiveStore
from kg.topics import QUADRANTS, leiden, topic_network, topics

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def incidence(june_days: Path) -> Incidence:
    return incidence_from_store(load_store(june_days), "concept")


def test_links_are_association_strengths_not_raw_counts(incidence: Incidence):
    """The strongest links by association strength are not the frequent concepts' pairs
    that raw counts put first."""
    net = topic_network(*incidence, min_occurrences=3)
    assert min(papers for _, papers in net.nodes(data="papers")) >= 3
    by_count = sorted(net.edges(data=True), key=lambda e: -e[2]["together"])[:10]
    by_strength = sorted(net.edges(data=True), key=lambda e: -e[2]["weight"])[:10]
    hub = max(net, key=lambda n: net.nodes[n]["papers"])
    assert sum(hub in (a, b) for a, b, _ in by_count) >= 3
    assert sum(hub in (a, b) for a, b, _ in by_strength) <= 1
    for a, b, link in net.edges(data=True):
        total = net.graph["papers"]
        assert link["weight"] == pytest.approx(
            link["together"] * total / (net.nodes[a]["papers"] * net.nodes[b]["papers"]))


def test_leiden_is_seeded_and_its_resolution_splits(incidence: Incidence):
    net = topic_network(*incidence, min_occurrences=3)
    coarse, again = leiden(net, 0.5), leiden(net, 0.5)
    assert coarse == again
    assert len(leiden(net, 2.0)) > len(coarse) > 1
    assert sorted(n for c in coarse for n in c) == sorted(net)


def test_clusters_are_named_by_their_own_concepts_and_hold_their_papers(
        incidence: Incidence):
    found = topics(*incidence, min_occurrences=3)
    assert len(found.clusters) >= 4
    assert [c.number for c in found.clusters] == list(range(1, len(found.clusters) + 1))
    labels = found.network.nodes
    concepts_of: dict[str, set[str]] = defaultdict(set)
    for paper, concept in incidence.pairs:
        concepts_of[paper].add(concept)
    for cluster in found.clusters:
        names = cluster.name.split(" / ")
        assert names == [labels[n]["label"] for n in cluster.concepts[:len(names)]]
        for paper in cluster.papers:  # the cluster holding most of its concepts
            held = Counter(labels[c]["cluster"] for c in concepts_of[paper] if c in labels)
            assert held[cluster.number] == max(held.values())
    listed = [p for c in found.clusters for p in c.papers]
    assert len(listed) == len(set(listed))
    assert set(listed) == {p for p, cs in concepts_of.items() if cs & set(labels)}


def test_the_thematic_map_splits_at_the_medians(incidence: Incidence):
    found = topics(*incidence, min_occurrences=3)
    centre = statistics.median(c.centrality for c in found.clusters)
    middle = statistics.median(c.density for c in found.clusters)
    for cluster in found.clusters:
        assert cluster.theme == QUADRANTS[(cluster.centrality >= centre,
                                           cluster.density >= middle)]
    assert len({c.theme for c in found.clusters}) >= 3
    alone = topics(*incidence, min_occurrences=10**6)
    assert alone.clusters == [] and alone.network.number_of_nodes() == 0


def test_a_category_or_a_window_has_its_own_topics(june_days: Path, incidence: Incidence):
    store = load_store(june_days)
    vision = incidence_from_store(store, "concept", category="cs.CV")
    late = incidence_from_store(store, "concept", since="2026-06-20")
    papers = {p for p, _ in incidence.pairs}
    assert 0 < len({p for p, _ in vision.pairs}) < len(papers)
    assert 0 < len({p for p, _ in late.pairs}) < len(papers)
    found = topics(*vision, min_occurrences=3)
    assert found.papers == len({p for p, _ in vision.pairs})


def test_kg_analyze_reports_topics_and_lists_their_papers(june_days: Path, tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(app, ["analyze", "--graph", str(june_days), "--out", str(tmp_path),
                                 "--min-occurrences", "3", "--category", "cs.CV", "-q"])
    assert result.exit_code == 0, result.output
    report = (tmp_path / "analysis.md").read_text("utf-8")
    assert "## Topics" in report and "of the papers in cs.CV" not in report
    assert "papers in cs.CV, linked by association strength" in report
    associated = report.split("### Most associated pairs")[1].split("###")[0]
    frequent = report.split("### Strongest pairs (papers mentioning both)")[1].split("##")[0]
    pairs = [re.findall(r"^\| =?\d+ \| ([^|]+?) \| ([^|]+?) \|", table, re.M)
             for table in (associated, frequent)]
    top = Counter(c for pair in pairs[1] for c in pair).most_common(1)[0][0]
    assert len(pairs[0]) == 10 and top == "large language model"
    assert not any(top in pair for pair in pairs[0])
    with (tmp_path / "topics.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert rows and {r["theme"] for r in rows} <= {*QUADRANTS.values(), ""}
    whole = json.loads((tmp_path / "topics-vosviewer.json").read_text("utf-8"))
    jsonschema.validate(whole, json.loads((DATA / "vosviewer.schema.json").read_text("utf-8")))
    vos = whole["network"]
    assert {c["cluster"] for c in vos["clusters"]} == {i["cluster"] for i in vos["items"]}
    assert all(len(item["scores"]) == 1 for item in vos["items"])  # average day: overlays
    clusters = {int(r["cluster"]) for r in rows}
    assert {item["cluster"] for item in vos["items"]} == clusters
    assert all(link["strength"] > 0 for link in vos["links"])
    assert nx.read_gexf(tmp_path / "topics.gexf").number_of_nodes() == len(vos["items"])
    bad = runner.invoke(app, ["analyze", "--graph", str(june_days), "--out", str(tmp_path),
                              "--since", "June"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
    none = runner.invoke(app, ["analyze", "--graph", str(june_days), "--out", str(tmp_path),
                               "--category", "astro-ph.XX"])
    assert none.exit_code != 0 and "no paper of the build has concepts in astro-ph.XX" \
        in none.output


def test_the_report_opens_offline_and_links_to_the_explorer_when_served(
        june_days: Path, tmp_path: Path, browser: Browser):
    """analysis.html holds its plots as SVG (nothing fetched); served at /analysis, its
    concepts, authors and clusters link to explorer pages that exist; a cluster's page lists
    its concepts and, a page at a time, its papers."""
    folder = tmp_path / "build"
    shutil.copytree(june_days, folder)
    result = CliRunner().invoke(app, ["analyze", "--graph", str(folder), "--min-occurrences",
                                      "3", "-q"])
    assert result.exit_code == 0, result.output
    text = (folder / "analysis.html").read_text("utf-8")
    assert text.count("<svg") >= 4 and not re.search(r'(src|href)="(https?:)?//', text)
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((folder / "analysis.html").as_uri())
    assert page.locator("svg").count() >= 4 and requests == [(folder / "analysis.html").as_uri()]
    page.close()
    with running(create_app(LiveStore(folder), folder=folder, workers=2)) as base:
        with urllib.request.urlopen(f"{base}/analysis") as response:
            served = response.read().decode("utf-8")
            assert "unsafe-inline" in response.headers["Content-Security-Policy"]
        links = re.findall(r'<a href="(/(?:concept|author)/[^"]+)"', served)
        assert len({link.split("/")[1] for link in links}) == 2 and len(links) >= 20
        for link in links[:3] + links[-3:]:
            with urllib.request.urlopen(base + link) as response:
                assert response.status == 200
        clusters = re.findall(r'<a href="/analysis/cluster/(\d+)">([^<]+)</a>', served)
        with (folder / "topics.csv").open(encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        assert [int(n) for n, _ in clusters] == list(range(1, len(clusters) + 1))
        assert len(clusters) >= 5
        number, name = clusters[0]
        papers = [r["paper"] for r in rows if r["cluster"] == number]
        with urllib.request.urlopen(f"{base}/analysis/cluster/{number}") as response:
            cluster = response.read().decode("utf-8")
        assert html.unescape(name) in html.unescape(cluster)
        listed = re.findall(r'<li><a href="/paper/([^"]+)">', cluster)
        assert len(listed) == min(len(papers), PAGE_SIZE)  # the newest: the largest ids
        assert listed == sorted((p.rsplit("/", 1)[-1] for p in papers), reverse=True)[:len(listed)]
        concepts = re.findall(r'<a href="(/concept/[^"]+)">', cluster)
        members = csv.DictReader((folder / "topics-concepts.csv").read_text("utf-8").splitlines())
        assert len(concepts) == sum(1 for r in members if r["cluster"] == number)
        with urllib.request.urlopen(base + concepts[0]) as response:
            assert response.status == 200
        if len(papers) > PAGE_SIZE:
            assert 'href="/analysis/cluster/1?page=2"' in cluster
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/analysis/cluster/9999")
        assert missing.value.code == 404


def test_kg_analyze_on_a_slice_of_the_archive(archive_slice: Path, tmp_path: Path):
    """Two 2025 days of the archive, four months apart: the weeks, the first-seen window and
    a window's topics follow the days; every cluster's papers and concepts are the build's;
    the networks read back in networkx."""
    store = load_store(archive_slice)
    papers = {p for p, _ in incidence_from_store(store, "concept").pairs}
    result = CliRunner().invoke(app, ["analyze", "--graph", str(archive_slice), "--out",
                                      str(tmp_path), "--min-occurrences", "3", "-q"])
    assert result.exit_code == 0, result.output
    report = (tmp_path / "analysis.md").read_text("utf-8")
    assert "| 2025-07-14 |" in report and "| 2025-11-17 |" in report  # the days' weeks
    assert "### First seen since 2025-11-13" in report  # the last week of the build
    with (tmp_path / "topics.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len({r["cluster"] for r in rows}) >= 5 and {r["paper"] for r in rows} <= papers
    concepts = list(csv.DictReader((tmp_path / "topics-concepts.csv").read_text("utf-8")
                                   .splitlines()))
    topic_graph = nx.read_graphml(tmp_path / "topics.graphml")
    assert {c["concept"] for c in concepts} == set(topic_graph)
    assert all(int(c["papers"]) >= 3 for c in concepts)
    coauthors = nx.read_gexf(tmp_path / "coauthors.gexf")
    assert coauthors.number_of_nodes() == len({a for _, a in incidence_from_store(
        store, "author").pairs})
    late = tmp_path / "late"
    result = CliRunner().invoke(app, ["analyze", "--graph", str(archive_slice), "--out",
                                      str(late), "--min-occurrences", "3", "--since",
                                      "2025-11-01", "-q"])
    assert result.exit_code == 0, result.output
    with (late / "topics.csv").open(encoding="utf-8") as file:
        late_papers = {r["paper"] for r in csv.DictReader(file)}
    day_of, _ = days_from_store(store)
    assert late_papers and {day_of[p] for p in late_papers} == {"2025-11-19"}
