"""The HTML view: offline, escaped, cut to its node budget, byte-for-byte repeatable.

Static checks read the written page; browser checks open it from disk in Debian's chromium
(driven by the playwright package, with every non-file request recorded and refused).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from playwright.sync_api import Browser, Page, Route

from kg import merge, sources
from kg.concepts.base import Concept, Extraction, Mention
from kg.export import export
from kg.export.html import overview, search_index
from kg.export.summary import summarize
from kg.graph import build_graph
from kg.model import Paper, Source

XSS = "<img src=x onerror=alert(1)>"
TLDR_ZH = "本文提出了一种低秩适配方法，显著降低了微调成本。"


def make_paper(paper_id: str, title: str, authors: list[str], categories: list[str],
               tldr: str | None = None) -> Paper:
    source = Source("digest.md", 1, "2025-09-26")
    return Paper(paper_id, title, source, authors=authors, primary_category=categories[0],
                 categories=categories, summary={"tldr": tldr} if tldr else {},
                 sources=[source])


def mention(key: str, surface: str) -> Mention:
    return Mention(key, surface, "abstract", 0, len(surface), 0.9)


def small_graph() -> nx.DiGraph:
    """Papers titled with an XSS payload, with a Chinese TL;DR, and with a `javascript:` IRI."""
    script_link = make_paper("javascript:alert(1)", "A paper known by a URL", [], ["cs.CR"])
    papers = [
        replace(script_link, id_scheme="url"),
        make_paper("2509.00001", XSS, ["Ann Lee", "Bo Chen"], ["cs.LG", "cs.CL"]),
        make_paper("2509.00002", "LoRA adapters for large language models", ["Bo Chen"],
                   ["cs.CL"], tldr=TLDR_ZH),
        make_paper("2509.00003", "Transformers for partial differential equations",
                   ["Chidi Okafor", "Ann Lee"], ["cs.LG", "physics.comp-ph"]),
    ]
    concepts = {
        "lora": Concept("lora", "LoRA", "method", {"low-rank adaptation"}, ["fine-tuning"]),
        "fine-tuning": Concept("fine-tuning", "fine-tuning", "method"),
        "transformer": Concept("transformer", "transformer", "method"),
    }
    mentions = {
        "2509.00001": [mention("transformer", "transformer")],
        "2509.00002": [mention("lora", "LoRA"), mention("transformer", "transformer")],
        "2509.00003": [mention("transformer", "Transformers")],
    }
    return build_graph(papers, Extraction("hand-made 1", concepts, mentions))


def large_graph(papers: int = 120) -> nx.DiGraph:
    """More nodes than a small budget: private authors, a few shared ones, shared concepts."""
    codes = ["cs.LG", "cs.CL", "cs.CV", "math.OC", "stat.ML"]
    records = [
        make_paper(f"2509.{i:05d}", f"Paper number {i}",
                   [f"Author {i}a", f"Author {i}b", f"Shared {i % 7}"],
                   [codes[i % 5], codes[(i + 2) % 5]])
        for i in range(papers)
    ]
    concepts = {f"c{k}": Concept(f"c{k}", f"concept {k}") for k in range(12)}
    mentions = {p.id: [mention(f"c{i % 12}", "x"), mention(f"c{i % 3}", "y")]
                for i, p in enumerate(records)}
    return build_graph(records, Extraction("hand-made 1", concepts, mentions))


class _Page(HTMLParser):
    """Collects what a static check needs: URL attributes, meta tags, style text."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.meta: dict[str, str] = {}
        self.external: list[str] = []  # <script src> / <link href>: nothing may be loaded
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.urls += [values[a] for a in ("src", "href", "action", "srcset") if a in values]
        if tag == "meta" and "name" in values:
            self.meta[values["name"]] = values.get("content", "")
        if tag in ("script", "link", "iframe", "img") and ({"src", "href"} & values.keys()):
            self.external.append(tag)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text("utf-8"))
    return page


@pytest.fixture
def small_view(tmp_path: Path) -> tuple[nx.DiGraph, Path]:
    graph = small_graph()
    return graph, export("html", graph, tmp_path)[0]


# Static checks


def test_page_loads_nothing_from_outside(small_view: tuple[nx.DiGraph, Path]) -> None:
    page = parse(small_view[1])
    assert page.urls == []
    assert page.external == []
    css = "".join(page.styles)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", css)


def test_untrusted_text_never_appears_as_markup(small_view: tuple[nx.DiGraph, Path]) -> None:
    html = small_view[1].read_text("utf-8")
    assert "<img" not in html
    assert TLDR_ZH in html  # kept readable, not \u-escaped


def test_page_states_its_node_count(small_view: tuple[nx.DiGraph, Path]) -> None:
    graph, path = small_view
    meta = parse(path).meta
    assert int(meta["kg:nodes"]) == graph.number_of_nodes() == summarize(graph)["view"]["nodes"]
    assert int(meta["kg:total-nodes"]) == graph.number_of_nodes()
    assert int(meta["kg:edges"]) == graph.number_of_edges()


def test_a_graph_past_the_budget_is_drawn_as_its_overview(tmp_path: Path) -> None:
    graph = large_graph()
    view, drawing = overview(graph, 60)
    kinds = {kind for _, kind in view.nodes(data="kind")}
    assert kinds == {"concept", "category"} and view.number_of_nodes() <= 60
    concepts = [n for n, kind in graph.nodes(data="kind") if kind == "concept"]
    assert len([n for n in view if n in concepts]) == len(concepts)  # 12: all fit
    assert {n.id for n in drawing.nodes} == set(view)
    assert all(n.x or n.y for n in drawing.nodes)  # laid out on the server
    path = export("html", graph, tmp_path, max_nodes=100)[0]
    assert graph.graph["view"] == {"nodes": view.number_of_nodes(),
                                   "of": graph.number_of_nodes()}
    assert "An overview of 120 papers" in path.read_text("utf-8")


def test_the_overview_searches_every_paper_and_concept() -> None:
    graph = large_graph()
    index = search_index(graph)
    assert len(index["papers"]) == 120 and len(index["concepts"]) == 12
    title, arxiv_id, authors, categories, day, named = index["papers"][7]
    node = "paper:2509.00007"
    data = graph.nodes[node]
    assert (title, arxiv_id, authors, categories, day) == (
        data["title"], data["id"], data["authors"], data["categories"], data["date"])
    concepts = sorted(n for n, kind in graph.nodes(data="kind") if kind == "concept")
    assert {concepts[i] for i in named} == {
        t for t, e in graph.succ[node].items() if e["rel"] == "mentions"}
    assert [c[0] for c in index["concepts"]] == [graph.nodes[c]["label"] for c in concepts]


def test_budget_must_allow_a_node(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_nodes"):
        export("html", small_graph(), tmp_path, max_nodes=0)


def test_same_graph_gives_the_same_bytes(tmp_path: Path) -> None:
    first = export("html", large_graph(), tmp_path / "a", max_nodes=80)[0]
    second = export("html", large_graph(), tmp_path / "b", max_nodes=80)[0]
    assert first.read_bytes() == second.read_bytes()


# Browser checks


@dataclass
class Visit:
    """An opened view and everything it did that it should not have."""

    page: Page
    requests: list[str] = field(default_factory=list)  # anything but file: and data:
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    dialogs: list[str] = field(default_factory=list)  # alert() and friends


def visit(browser: Browser, path: Path) -> Visit:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    seen = Visit(page)

    def route(route: Route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            seen.requests.append(url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and seen.errors.append(m.text))
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.on("dialog", lambda d: (seen.dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    return seen


def hover(page: Page, node: str) -> None:
    """Move the mouse onto a node, wherever the layout put it."""
    x, y = page.evaluate(
        """(id) => {
            const at = network.canvasToDOM(network.getPositions([id])[id]);
            const box = document.getElementById("graph").getBoundingClientRect();
            return [box.left + at.x, box.top + at.y];
        }""", node)
    page.mouse.move(x, y)


def test_view_opens_offline_and_draws_every_node(
        browser: Browser, small_view: tuple[nx.DiGraph, Path]) -> None:
    graph, path = small_view
    seen = visit(browser, path)
    assert seen.page.evaluate("network.body.data.nodes.length") == graph.number_of_nodes()
    assert seen.page.evaluate("nodes.length") == int(parse(path).meta["kg:nodes"])
    assert (seen.requests, seen.errors, seen.dialogs) == ([], [], [])
    seen.page.close()


def test_xss_title_shows_as_text(browser: Browser, small_view: tuple[nx.DiGraph, Path]) -> None:
    seen = visit(browser, small_view[1])
    page, node = seen.page, "paper:2509.00001"
    assert page.evaluate("(id) => nodes.get(id).label", node) == XSS
    hover(page, node)
    tooltip = page.locator(".vis-tooltip")
    tooltip.wait_for(state="visible")
    assert XSS in tooltip.text_content()
    assert "https://arxiv.org/abs/2509.00001" in tooltip.text_content()
    hover(page, node)
    page.mouse.down()
    page.mouse.up()
    details = page.locator("#details")
    details.wait_for(state="visible")
    assert XSS in details.text_content()
    assert details.locator("a").get_attribute("href") == "https://arxiv.org/abs/2509.00001"
    assert page.locator("main img").count() == 0
    assert (seen.requests, seen.errors, seen.dialogs) == ([], [], [])
    page.close()


def test_tooltips_describe_each_kind(browser: Browser,
                                     small_view: tuple[nx.DiGraph, Path]) -> None:
    seen = visit(browser, small_view[1])

    def tooltip(node: str) -> dict[str, str]:
        return seen.page.evaluate("""(id) => {
            const card = nodes.get(id).title;
            const rows = {heading: card.querySelector("h3").textContent};
            for (const term of card.querySelectorAll("dt")) {
                rows[term.textContent] = term.nextElementSibling.textContent;
            }
            return rows;
        }""", node)

    paper = tooltip("paper:2509.00002")
    assert paper["heading"] == "LoRA adapters for large language models"
    assert (paper["Authors"], paper["TL;DR"]) == ("Bo Chen", TLDR_ZH)
    concept = tooltip("concept:lora")
    assert concept == {"heading": "LoRA", "Type": "method",
                       "Also written": "low-rank adaptation", "Papers": "1"}
    assert tooltip("author:Ann Lee") == {"heading": "Ann Lee", "Papers": "2"}
    seen.page.close()


def test_only_web_links_are_clickable(browser: Browser,
                                      small_view: tuple[nx.DiGraph, Path]) -> None:
    seen = visit(browser, small_view[1])
    seen.page.evaluate("select('paper:javascript:alert(1)')")
    link = seen.page.locator("#details a")
    assert link.text_content() == "javascript:alert(1)"
    assert link.get_attribute("href") is None
    seen.page.close()


def test_search_and_type_filter(browser: Browser, small_view: tuple[nx.DiGraph, Path]) -> None:
    seen = visit(browser, small_view[1])
    page = seen.page
    page.fill("#query", "no such node")
    page.press("#query", "Enter")
    assert page.locator("#search-status").text_content() == "No match"
    page.fill("#query", "Low-Rank")  # an alias of the concept LoRA
    page.press("#query", "Enter")
    assert page.evaluate("network.getSelectedNodes()") == ["concept:lora"]
    page.fill("#query", "lora adapters")
    page.press("#query", "Enter")
    assert "LoRA adapters for large language models" in page.locator("#details").text_content()
    assert page.evaluate("network.getSelectedNodes()") == ["paper:2509.00002"]
    page.uncheck('#legend input[data-kind="author"]')
    hidden = page.evaluate("nodes.get().filter((n) => n.hidden).map((n) => n.kind)")
    assert hidden == ["author"] * 3
    assert seen.errors == []
    page.close()


def test_overview_opens_drawn_and_finds_what_it_does_not_draw(browser: Browser,
                                                                tmp_path: Path) -> None:
    graph = large_graph()
    seen = visit(browser, export("html", graph, tmp_path, max_nodes=40)[0])
    page = seen.page
    assert page.evaluate("network.physics.physicsEnabled") is False
    assert page.evaluate("nodes.length") == graph.graph["view"]["nodes"] <= 40
    page.fill("#query", "paper number 7")
    page.press("#query", "Enter")
    assert "Paper: Paper number 7" in page.locator("#details").text_content()
    page.locator("button.result", has_text="Paper number 7").first.click()
    details = page.locator("#details").text_content()
    assert "Author 7a" in details and "concept 7" in details
    assert page.locator("#details a").get_attribute("href") == "https://arxiv.org/abs/2509.00007"
    assert (seen.requests, seen.errors, seen.dialogs) == ([], [], [])
    page.close()


def test_seed_example_view(browser: Browser, seed: Path, tmp_path: Path) -> None:
    entries = [entry for _, entry in sources.read(sources.find_inputs([seed]))]
    papers = merge.merge(e for e in entries if isinstance(e, Paper))
    assert papers, "the seed example gave no papers"
    graph = build_graph(papers, Extraction("none"))
    seen = visit(browser, export("html", graph, tmp_path)[0])
    assert seen.page.evaluate("nodes.length") == graph.number_of_nodes()
    assert (seen.requests, seen.errors, seen.dialogs) == ([], [], [])
    seen.page.close()
