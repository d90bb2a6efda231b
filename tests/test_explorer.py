"""The explorer of `kg serve`: a page for every paper, author, concept, category and day of a
real build of two June days, read over HTTP and in Debian's chromium as a person uses it."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Request
from serving import running

from kg.explore import pages as explorer_pages
from kg.explore.pages import Explorer, PaperFilter, sentence_around
from kg.query import load_store
from kg.serve.app import create_app


class Page(HTMLParser):
    """What a served page holds: its links, scripts, styles and `lang` attributes."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.scripts: list[str] = []  # the src of each script run (data blocks are not)
        self.inline_styles = 0
        self.langs: set[str] = set()
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        if tag == "script" and found.get("type") != "application/json":
            self.scripts.append(found.get("src") or "inline")
        if tag == "style" or "style" in found:
            self.inline_styles += 1
        if found.get("lang"):
            self.langs.add(found["lang"] or "")


def fetch(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture(scope="module")
def base(june_days: Path) -> Iterator[str]:
    with running(create_app(load_store(june_days), label="june", workers=2)) as url:
        yield url


@pytest.fixture(scope="module")
def explorer(june_days: Path) -> Explorer:
    return Explorer(load_store(june_days))


def test_every_kind_of_page_is_served_with_its_own_address(base: str, explorer: Explorer):
    home = explorer.home()
    concept = next(c for c in home["top"] if c["papers"] >= 3)
    paper = explorer.concept(concept["key"])["listed"][0]
    author = explorer.paper(paper["arxivId"])["authors"][0]["name"]
    category = home["categories"][0]["code"]
    pages = {f"/paper/{paper['arxivId']}": paper["title"],
             f"/paper/{paper['arxivId']}v3": paper["title"],  # any version: the same paper
             f"/author/{quote(author)}": author,
             f"/concept/{quote(concept['key'])}": concept["label"],
             f"/category/{category}": category,
             "/day/2026-06-29": "2026-06-29",
             "/": "june"}
    for path, shown in pages.items():
        status, headers, text = fetch(base + path)
        assert status == 200, path
        assert headers["content-type"].startswith("text/html"), path
        assert _escaped(shown) in text, path
        assert "script-src 'self'" in headers["content-security-policy"]
        parsed = Page(text)
        assert parsed.scripts[-1] == "/static/explorer.js", path
        assert set(parsed.scripts) <= {"/static/explorer.js", "/static/vis-network.min.js"}
        assert parsed.inline_styles == 0, path
        assert not [link for link in parsed.links if link.startswith("http")
                    and not link.startswith("https://arxiv.org/abs/")], path


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
        .replace('"', "&#34;").replace("'", "&#39;")


def test_a_paper_page_shows_what_the_issue_lists(base: str, explorer: Explorer):
    paper_id = explorer.concept("neural-operator")["listed"][0]["arxivId"]
    data = explorer.paper(paper_id)
    status, _, text = fetch(f"{base}/paper/{paper_id}")
    assert status == 200
    page = Page(text)
    assert _escaped(data["abstract"]) in text
    assert {"en", "zh"} <= page.langs  # the abstract and the Chinese summary, tagged
    assert "TL;DR" in text
    assert f"https://arxiv.org/abs/{paper_id}" in page.links
    for author in data["authors"]:
        assert f"/author/{quote(author['name'])}" in page.links
    assert "/concept/neural-operator" in page.links
    assert text.count("<mark>") == len(data["concepts"])  # each concept with its sentence
    assert any(link.startswith("/day/") for link in page.links)


def test_a_concept_page_lists_its_papers_newest_first_with_their_sentences(
        base: str, explorer: Explorer):
    data = explorer.concept("neural-operator")
    assert data["papers"] == len(data["listed"]) >= 2
    dates = [p["date"] for p in data["listed"]]
    assert dates == sorted(dates, reverse=True)
    for listed in data["listed"]:
        _, found, _ = listed["sentence"]
        assert "neural operator" in found.lower()
    text = fetch(f"{base}/concept/neural-operator")[2]
    assert text.count("<mark>") == len(data["listed"])
    assert "<svg" in text  # papers per week


def test_concepts_are_paged(base: str, explorer: Explorer):
    hub = explorer.home()["top"][0]
    data = explorer.concept(hub["key"], 2)
    assert data["pages"] > 1 and data["page"] == 2
    first = {p["paper"] for p in explorer.concept(hub["key"], 1)["listed"]}
    assert first.isdisjoint(p["paper"] for p in data["listed"])
    text = fetch(f"{base}/concept/{quote(hub['key'])}?page=2")[2]
    assert 'rel="prev"' in text


def test_a_concept_of_many_papers_reads_a_page_from_its_days_alone(
        explorer: Explorer, monkeypatch: pytest.MonkeyPatch):
    """Past SAMPLE papers a page reads only the days it falls on: the same papers, in the
    same order, on every page, as sorting them all (with and without a filter)."""
    hub = explorer.home()["top"][0]
    monkeypatch.setattr(explorer_pages, "PAGE_SIZE", 7)  # pages that cut days in two

    def every_page(kept: PaperFilter) -> list[str]:
        count = explorer.concept(hub["key"], kept=kept)["pages"]
        assert count >= 3
        return [p["paper"] for n in range(1, count + 1)
                for p in explorer.concept(hub["key"], n, kept)["listed"]]

    for kept in (PaperFilter(), PaperFilter(since="2026-06-20")):
        sorted_all = every_page(kept)
        monkeypatch.setattr(explorer_pages, "SAMPLE", 0)
        assert every_page(kept) == sorted_all
        monkeypatch.setattr(explorer_pages, "SAMPLE", 2000)


def test_association_strength_ranks_what_is_named_together(explorer: Explorer):
    """The concepts named with a hub are not simply the other hubs."""
    hub = explorer.home()["top"][0]
    together = explorer.concept(hub["key"])["cooccurring"]
    assert together
    strengths = [c["strength"] for c in together]
    assert strengths == sorted(strengths, reverse=True)
    others = {c["key"] for c in explorer.home()["top"][1:4]}
    assert not others <= {c["key"] for c in together[:3]}


def test_a_category_page_has_days_top_and_rising_concepts(base: str, explorer: Explorer):
    code = max(explorer.home()["categories"], key=lambda c: c["papers"])["code"]
    data = explorer.category(code)
    assert [d["date"] for d in data["days"]] == ["2026-06-16", "2026-06-29"]
    assert data["rising_since"] == "2026-06-23" and data["rising"]
    assert all(r["recent"] >= 2 for r in data["rising"])
    text = fetch(f"{base}/category/{code}")[2]
    assert "/day/2026-06-16" in Page(text).links


def test_a_day_page_lists_its_digest_and_the_concepts_first_seen(explorer: Explorer):
    first, later = explorer.day("2026-06-16"), explorer.day("2026-06-29")
    assert first["new_count"] > later["new_count"] > 0  # on the first day every concept is new
    for concept in later["new"]:
        assert explorer.first_seen(concept["concept"]) == "2026-06-29"


@pytest.mark.parametrize("path", [
    "/paper/2606.99999", "/author/Nobody%20At%20All", "/concept/no-such-concept",
    "/category/xx.YY", "/day/2026-06-17", "/day/not-a-day", "/nothing/here",
    "/static/../pyproject.toml", "/static/%2e%2e%2fpyproject.toml", "/static/query.html",
])
def test_unknown_addresses_are_404_pages(base: str, path: str):
    status, headers, text = fetch(base + path)
    assert status == 404
    assert headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in text and "[build-system]" not in text


def test_search_suggests_and_goes_straight_to_an_id(base: str, explorer: Explorer):
    import json

    hits = json.loads(fetch(f"{base}/api/search?q=neural+operator&limit=5")[2])["hits"]
    assert hits[0]["url"] == "/concept/neural-operator"
    paper_id = explorer.concept("neural-operator")["listed"][0]["arxivId"]
    request = urllib.request.Request(f"{base}/search?q=arXiv:{paper_id}v1")
    with urllib.request.urlopen(request) as answer:  # follows the redirect
        assert answer.url.endswith(f"/paper/{paper_id}")


def test_sentence_around_a_span():
    text = "Models grow. We use LoRA for tuning. It works."
    assert sentence_around(text, 20, 24) == ("We use ", "LoRA", " for tuning.")
    assert sentence_around("LoRA", 0, 4) == ("", "LoRA", "")


def test_the_journey_of_a_reader(base: str, browser: Browser, explorer: Explorer):
    """Search, a concept, a paper, an author and back, every category reachable: no error in
    the console and no request leaves the server."""
    page = browser.new_page()
    errors: list[str] = []
    elsewhere: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def watch(request: Request) -> None:
        if not request.url.startswith((base + "/", "data:")):
            elsewhere.append(request.url)

    page.on("request", watch)
    try:
        page.goto(base + "/")
        page.fill("#q", "neural operat")
        page.wait_for_selector("#suggestions li")
        page.click("#suggestions li a >> text=neural operator")
        page.wait_for_url(re.compile(r"/concept/neural-operator$"))
        listed = page.locator("section.wide li > a")
        assert listed.count() == explorer.concept("neural-operator")["papers"]
        listed.first.click()
        page.wait_for_url(re.compile(r"/paper/"))
        assert page.locator("p.abstract").inner_text().strip()
        assert page.locator("dl.summary dd[lang=zh]").first.inner_text().strip()
        author = page.locator("p.authors a").first
        name = author.inner_text()
        author.click()
        page.wait_for_url(re.compile(r"/author/"))
        assert page.locator("h1").inner_text() == name
        page.go_back()
        page.wait_for_url(re.compile(r"/paper/"))
        page.goto(base + "/")
        codes = page.locator("a[href^='/category/']").all_inner_texts()
        assert sorted(codes) == sorted(c["code"] for c in explorer.home()["categories"])
        for code in codes:
            assert fetch(f"{base}/category/{code}")[0] == 200
        assert not errors and not elsewhere
    finally:
        page.close()


def _drawing(text: str) -> dict:
    import json

    found = re.search(r'<script type="application/json" id="drawing-data">(.*?)</script>', text,
                      re.DOTALL)
    assert found, "the page has no drawing"
    return json.loads(found[1])


def test_drawings_are_laid_out_on_the_server_alike_every_time(base: str, explorer: Explorer):
    from kg import draw

    paper_id = explorer.concept("neural-operator")["listed"][0]["arxivId"]
    for path in (f"/paper/{paper_id}", "/concept/neural-operator", "/category/cs.LG",
                 "/day/2026-06-16", "/map"):
        text = fetch(base + path)[2]
        data = _drawing(text)
        assert data == _drawing(fetch(base + path)[2]), path  # deterministic
        assert 2 <= len(data["nodes"]) <= draw.MAX_NODES, path
        assert all("x" in n and "y" in n and n["physics"] is False for n in data["nodes"])
        assert {e["from"] for e in data["edges"]} <= {n["id"] for n in data["nodes"]}
        boxes = [draw.label_box(n["x"], n["y"], n["full"], n["size"])
                 for n in data["nodes"] if n["label"].strip()]
        for i, a in enumerate(boxes):  # no two labels shown at the first zoom overlap
            for b in boxes[i + 1:]:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), path
        assert max(data["nodes"], key=lambda n: n["size"])["label"].strip(), path


def test_a_concept_map_links_by_association_strength_and_names_its_clusters(
        explorer: Explorer):
    from kg.explore.maps import MapFilter, concept_map

    whole = concept_map(explorer, MapFilter(size=60))
    assert len(whole.nodes) == 60 and whole.clusters
    assert all(c["name"] for c in whole.clusters)
    loose = [n for n in whole.nodes if n.group is None]  # linked to no other: no cluster
    assert all(c["size"] >= 2 for c in whole.clusters)
    assert sum(c["size"] for c in whole.clusters) + len(loose) == 60
    week = concept_map(explorer, MapFilter(PaperFilter(since="2026-06-22"), 60))
    assert {n.id for n in week.nodes} != {n.id for n in whole.nodes}
    methods = concept_map(explorer, MapFilter(PaperFilter(concept_type="method"), 30))
    assert methods.nodes
    for node in methods.nodes[:10]:
        assert "method" in explorer.concept(node.url.rsplit("/", 1)[1])["types"]
    overlay = concept_map(explorer, MapFilter(size=30), overlay=True)
    assert len({n.colour for n in overlay.nodes}) > 1 and "on average" in overlay.nodes[0].title


def test_the_drawing_is_drawn_at_once_and_a_click_opens_a_page(base: str, browser: Browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        page.goto(base + "/concept/neural-operator")
        page.wait_for_selector("div.drawing[data-drawn=true]", timeout=5000)
        target = page.evaluate("""() => {
            const holder = document.querySelector("div.drawing");
            const network = holder.network;
            const id = network.body.data.nodes.getIds().find(
                (n) => network.body.data.nodes.get(n).kind === "paper");
            const at = network.canvasToDOM(network.getPositions([id])[id]);
            const box = holder.getBoundingClientRect();
            return {x: box.x + at.x, y: box.y + at.y,
                    url: network.body.data.nodes.get(id).url};
        }""")
        page.mouse.move(target["x"], target["y"])
        page.mouse.click(target["x"], target["y"])
        page.wait_for_url(re.compile(re.escape(target["url"]) + "$"))
    finally:
        page.close()


LABEL_BOXES = """() => {
    const network = document.querySelector("div.drawing").network;
    return {scale: network.getScale(), labels: network.body.nodeIndices.map((id) => {
        const node = network.body.nodes[id];
        const size = node.labelModule.size;
        return {label: node.options.label, weight: node.options.size,
                box: [size.left, size.top, size.left + size.width, size.top + size.height]};
    })};
}"""


@pytest.mark.parametrize("path", ["/concept/large-language-model", "/category/cs.CV",
                                  "/map?size=150", "/day/2026-06-29"])
def test_drawn_labels_do_not_overlap_and_can_be_read(base: str, browser: Browser, path: str):
    """The label boxes vis-network drew at the first zoom, measured in the browser: no two
    shown labels overlap, and the biggest nodes' labels are shown at a readable size."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        page.goto(base + path)
        page.wait_for_selector("div.drawing[data-drawn=true]", timeout=5000)
        drawn = page.evaluate(LABEL_BOXES)
    finally:
        page.close()
    biggest = max(drawn["labels"], key=lambda n: n["weight"])
    labels = [n for n in drawn["labels"] if n["label"].strip()]
    assert len(labels) >= 10 and biggest in labels
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            (l1, t1, r1, b1), (l2, t2, r2, b2) = a["box"], b["box"]
            assert not (l1 < r2 and l2 < r1 and t1 < b2 and t2 < b1), (a, b)
    assert 14 * drawn["scale"] >= 12  # pixels of text at the first zoom (14 at scale 1)


def test_a_category_map_narrows_to_a_date_window(base: str, browser: Browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        page.goto(base + "/category/cs.LG")
        page.wait_for_selector("div.drawing[data-drawn=true]")
        before = page.evaluate("document.querySelector('div.drawing').network"
                               ".body.data.nodes.length")
        page.fill("form.filters input[name=from]", "2026-06-20")
        page.fill("form.filters input[name=to]", "2026-06-30")
        page.click("form.filters button")
        page.wait_for_url(re.compile(r"from=2026-06-20"))
        page.wait_for_selector("div.drawing[data-drawn=true]")
        data = _drawing(page.content())
        assert data["nodes"] and before >= len(data["nodes"])
        assert page.input_value("form.filters input[name=from]") == "2026-06-20"
    finally:
        page.close()


def test_any_page_saves_as_one_file_that_draws_from_disk(base: str, browser: Browser,
                                                         tmp_path: Path):
    status, headers, text = fetch(f"{base}/concept/neural-operator?save=1")
    assert status == 200
    assert headers["content-disposition"].startswith("attachment; filename=\"kg-concept-")
    assert "inline" in Page(text).scripts and "/static/" not in text
    saved = tmp_path / "saved.html"
    saved.write_text(text, "utf-8")
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(saved.as_uri())
        page.wait_for_selector("div.drawing[data-drawn=true]", timeout=5000)
        assert page.locator("h1").inner_text() == "neural operator"
        assert all(url.startswith(("file:", "data:")) for url in requests), requests
    finally:
        page.close()


HOSTILE = '</script><script>document.title="pwned"</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def hostile_base(tmp_path_factory) -> Iterator[str]:
    """A build whose title, author and concept label are markup, served."""
    from kg.concepts.base import Concept, Extraction, Mention
    from kg.export import export
    from kg.graph import build_graph
    from kg.model import Paper, Source

    folder = tmp_path_factory.mktemp("hostile")
    source = Source("2026-01-02.md", 1, "2026-01-02")
    papers = [Paper(id=f"2601.0000{n}", title=f"{HOSTILE} {n}", source=source,
                    authors=[HOSTILE, "Ann Lee"], primary_category="cs.CR",
                    categories=["cs.CR"], abstract=f"We study {HOSTILE}.", sources=[source])
              for n in (1, 2)]
    concept = Concept("hostile", HOSTILE, "method", {HOSTILE})
    mentions = {p.id: [Mention("hostile", HOSTILE, "abstract", 9, 9 + len(HOSTILE), 0.9)]
                for p in papers}
    export("rdf", build_graph(papers, Extraction("test 1", {"hostile": concept}, mentions)),
           folder)
    with running(create_app(load_store(folder), label=HOSTILE, workers=1)) as url:
        yield url


def test_markup_in_the_data_stays_text(hostile_base: str, browser: Browser):
    paths = ["/", "/paper/2601.00001", f"/author/{quote(HOSTILE, safe='')}",
             "/concept/hostile", "/category/cs.CR", "/day/2026-01-02", "/map",
             f"/search?q={quote('pwned')}"]
    for path in paths:
        status, _, text = fetch(hostile_base + path)
        assert status == 200, path
        assert "<script>document" not in text and "<img src=x" not in text, path
        assert Page(text).scripts[-1] == "/static/explorer.js", path
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        for path in paths[1:5]:
            page.goto(hostile_base + path)
            if page.locator("div.drawing").count():
                page.wait_for_selector("div.drawing[data-drawn=true]", timeout=5000)
            assert page.title() != "pwned" and "pwned" not in page.title().split(" · ")[-1]
        page.goto(hostile_base + "/concept/hostile")
        assert page.locator("h1").inner_text() == HOSTILE
        page.fill("#q", "document.title")
        page.wait_for_selector("#suggestions li")
        assert HOSTILE in page.locator("#suggestions li").first.inner_text()
        assert not dialogs
    finally:
        page.close()


def test_lists_follow_the_filters(base: str, explorer: Explorer):
    """A concept's papers by category and days; a category's days, concepts and authors by
    days and concept type; each filtered page at its own address, pages kept when paging."""

    hub = explorer.home()["top"][0]["key"]
    whole = explorer.concept(hub)
    kept = PaperFilter("cs.CV", "2026-06-20", "2026-06-30")
    narrowed = explorer.concept(hub, 1, kept)
    assert 0 < narrowed["shown"] < whole["shown"] == whole["papers"]
    cv = _papers_of(explorer, "cs.CV")
    assert all(p["date"] >= "2026-06-20" and p["paper"] in cv for p in narrowed["listed"])
    assert [w for w, n in narrowed["weeks"] if n] == ["2026-06-29"]
    text = fetch(f"{base}/concept/{quote(hub)}?category=cs.CV&from=2026-06-20&to=2026-06-30")[2]
    assert f"{narrowed['shown']:,}, newest first" in text
    assert 'value="2026-06-20"' in text and '<option value="cs.CV" selected>' in text

    code = max(explorer.home()["categories"], key=lambda c: c["papers"])["code"]
    late = explorer.category(code, PaperFilter(since="2026-06-20"))
    assert [d["date"] for d in late["days"]] == ["2026-06-29"]
    assert late["rising"] == explorer.category(code)["rising"]  # always the last week
    methods = explorer.category(code, PaperFilter(concept_type="method"))
    for concept in methods["top"][:5]:
        assert "method" in explorer.concept(concept["key"])["types"]
    assert methods["top"] != explorer.category(code)["top"]


def test_a_large_scope_counts_the_newest_papers_it_keeps(
        explorer: Explorer, monkeypatch: pytest.MonkeyPatch):
    """Past SAMPLE papers, a page's aggregates read the newest papers it keeps, listed: the
    same whether the days' papers are read or every paper's day is joined."""
    import pyoxigraph

    code = max(explorer.home()["categories"], key=lambda c: c["papers"])["code"]
    node = pyoxigraph.NamedNode(explorer.iris.category(code))
    monkeypatch.setattr(explorer_pages, "SAMPLE", 10)
    for kept in (PaperFilter(), PaperFilter(since="2026-06-20"),
                 PaperFilter("cs.LG", until="2026-06-20")):
        days = explorer.rows("category-days", node, kept=kept)
        found = {}
        for spread in (0, 10**6):  # every paper's day joined, or the days' papers read
            monkeypatch.setattr(explorer_pages, "SPREAD", spread)
            clause, counted, since = explorer.sample("?paper dcterms:subject ?node .", node,
                                                     kept, days)
            found[spread] = set(re.findall(r"<([^>]+)>", clause))
        assert found[0] == found[10**6] and since is not None
        newest = [d for d in days if d["date"] >= since]
        assert counted == sum(d["papers"] for d in newest) == len(found[0]) >= 10
        assert found[0] <= _papers_of(explorer, code)
        if kept.category:  # a category page keeps its own papers: a concept's page here
            assert found[0] <= _papers_of(explorer, kept.category)
            continue
        page = explorer.category(code, kept)
        assert page["sampled"] == (counted, since)
        assert page["authors"] and page["authors"][0]["papers"] <= counted


def test_a_category_of_one_type_ranks_as_its_standings(explorer: Explorer):
    """A type filter reads the category's standings, counted when built: the same ranking
    as counting its papers."""
    code = max(explorer.home()["categories"], key=lambda c: c["papers"])["code"]
    node = explorer.category(code, PaperFilter(concept_type="method"))
    import pyoxigraph

    category = pyoxigraph.NamedNode(explorer.iris.category(code))
    counted, sampled = explorer._category_top(
        category, PaperFilter(since="2000-01-01", concept_type="method"),
        "?paper dcterms:subject ?node .")
    assert sampled and [(c["concept"], c["papers"]) for c in node["top"]] == \
        [(c["concept"], c["papers"]) for c in counted]


def _papers_of(explorer: Explorer, code: str) -> set[str]:
    import pyoxigraph

    subject = pyoxigraph.NamedNode("http://purl.org/dc/terms/subject")
    category = pyoxigraph.NamedNode(explorer.iris.category(code))
    return {q.subject.value for q in explorer.store.quads_for_pattern(None, subject, category)}


def test_author_and_day_lists_follow_the_filters(base: str, explorer: Explorer):

    paper = explorer.concept("neural-operator")["listed"][0]
    name = explorer.paper(paper["arxivId"])["authors"][0]["name"]
    late = explorer.author(name, PaperFilter(since="2026-06-20"))
    assert all(p["date"] >= "2026-06-20" for p in late["papers"])
    assert late["first_seen"] == explorer.author(name)["first_seen"]  # read on every paper
    day = explorer.day("2026-06-29", PaperFilter(category="cs.CV", concept_type="method"))
    cv = _papers_of(explorer, "cs.CV")
    assert day["papers"] and all(p["paper"] in cv for p in day["papers"])
    assert len(day["papers"]) < len(explorer.day("2026-06-29")["papers"])
    for concept in day["new"][:5]:
        assert "method" in explorer.concept(concept["key"])["types"]
    text = fetch(f"{base}/day/2026-06-29?category=cs.CV&type=method")[2]
    assert '<option value="cs.CV" selected>' in text and 'name="from"' not in text
    assert fetch(f"{base}/author/{quote(name)}?from=2026-06-20")[0] == 200
