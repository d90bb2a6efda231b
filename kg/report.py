"""`analysis.html`: the analysis as a page people look at, with its plots (`kg.plots`) embedded
as SVG, so that it opens from disk with no network.

Concept and author names and topic clusters are marked (`<span data-concept="key">`, `<span
data-author="name">`, `<span data-cluster="number">`); `kg serve` serves the page at
`/analysis` with those marks made into links to the explorer's pages (`link_names`), which a
file opened from disk cannot reach, and a page for each cluster (`read_cluster`).
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:  # `kg serve` imports this module for `link_names` only
    import networkx as nx

    from kg.analyze import NetworkReport
    from kg.topics import Topics
    from kg.trends import TimeReport

TRENDS = 8  # concepts drawn in the trends plot
BURSTS = 25  # bursts drawn in the timeline


def render(*, coauthors: nx.Graph, coauthor_report: NetworkReport, topics: Topics | None,
           time: TimeReport | None, top: int, source: str | None, scope: str) -> str:
    """The page's HTML."""
    from jinja2 import Environment, PackageLoader

    from kg import plots  # matplotlib
    from kg.topics import MIN_OCCURRENCES
    from kg.trends import weekly

    figures = {"degrees": plots.degree_distribution(coauthors)}
    keys: dict[str, str] = {}
    if topics is not None and topics.clusters:
        keys.update((n, _key(n)) for n in topics.network)
        figures["network"] = plots.topic_network(topics.network)
        if any(d is not None for _, d in topics.network.nodes(data="average_day")):
            figures["overlay"] = plots.topic_network(topics.network, overlay=True)
        if len(topics.clusters) >= 2:
            figures["thematic"] = plots.thematic_map(topics.clusters)
    if time is not None:
        keys.update((b.concept, _key(b.concept)) for b in time.bursts)
        keys.update((c, _key(c)) for c, _, _ in time.new)
        shown = list(dict.fromkeys(b.concept for b in time.bursts))[:TRENDS]
        if shown:
            weeks, shares = weekly(time.named, time.daily["all"])
            figures["trends"] = plots.trends(weeks, {c: shares[c] for c in shown}, time.labels)
            figures["bursts"] = plots.bursts_timeline(time.bursts[:BURSTS], time.days,
                                                      time.labels)
    environment = Environment(loader=PackageLoader("kg", "templates"), autoescape=True,
                              keep_trailing_newline=True)
    return environment.get_template("analysis.html").render(
        topics=topics, time=time, coauthors=coauthor_report, plots=figures, keys=keys,
        top=top, source=source, scope=scope, min_occurrences=MIN_OCCURRENCES)


def _key(concept: str) -> str:
    """A concept node's key, as the explorer's address takes it: the last part of its IRI."""
    return concept.rstrip("/").rsplit("/", 1)[-1]


_MARKED = re.compile(r'<span data-(concept|author|cluster)="([^"]*)">(.*?)</span>', re.DOTALL)
_PAGES = {"concept": "/concept/", "author": "/author/", "cluster": "/analysis/cluster/"}


def link_names(page: str) -> str:
    """The page with its marked names made into links to the explorer's pages."""
    return _MARKED.sub(lambda m: f'<a href="{_PAGES[m[1]]}{quote(html.unescape(m[2]), safe="")}">'
                                 f"{m[3]}</a>", page)


def read_cluster(folder: Path, number: int) -> dict[str, Any] | None:
    """Topic cluster `number` of the analysis in `folder`, from `topics.csv` and
    `topics-concepts.csv`: its name, theme, concepts (IRI, label, papers; most characteristic
    first) and papers (IRIs); None when the analysis has no such cluster."""
    found: dict[str, Any] = {"number": number, "concepts": [], "papers": []}
    try:
        with (folder / "topics.csv").open(encoding="utf-8", newline="") as papers:
            for row in csv.DictReader(papers):
                if row["cluster"] == str(number):
                    found.update(name=row["name"], theme=row["theme"])
                    found["papers"].append(row["paper"])
        with (folder / "topics-concepts.csv").open(encoding="utf-8", newline="") as concepts:
            found["concepts"] = [{"concept": row["concept"], "key": _key(row["concept"]),
                                  "label": row["label"], "papers": int(row["papers"])}
                                 for row in csv.DictReader(concepts)
                                 if row["cluster"] == str(number)]
    except FileNotFoundError:
        return None
    return found if found["concepts"] else None
