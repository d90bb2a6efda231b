"""The explorer: a page for every paper, author, concept, category and day of the build, a
home page and search, served from the store (`kg.explore` reads and renders them).

Routes: `/` (home), `/paper/<arXiv id>`, `/author/<name>`, `/concept/<key>`,
`/category/<code>`, `/day/<YYYY-MM-DD>`, `/map` (a concept map of any filter: `category`,
`from`, `to`, `type`, `size`, `overlay=1`; category pages take the same), `/analysis` (the
folder's `analysis.html`) and `/analysis/cluster/<n>` (a topic cluster's page), `/search?q=`,
`/api/search?q=&limit=` (JSON, for suggestions as you type) and `/static/<file>`. An unknown
node is a 404 page.

Pages are read in a worker thread, not a forked child as user queries are: their SPARQL is
ours and bounded. The explorer and the search index follow the store a `Service` gives, so a
server follows the folder through an update; the index is built once per store, in a forked
child started with the server (`attach`).
"""

from __future__ import annotations

import contextlib
import gc
import pickle
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from kg import collector
from kg.explore import maps, render
from kg.explore.maps import MapFilter
from kg.explore.pages import PAGE_SIZE, Explorer, PaperFilter, Row
from kg.explore.search import KINDS as search_kinds
from kg.explore.search import Hit, SearchIndex, normalise_query
from kg.report import link_names, read_cluster
from kg.serve.isolation import GiB, Isolator, Limits, Writer
from kg.serve.service import COMMON_HEADERS, Service

MAX_SUGGESTIONS = 50
PAGES_KEPT = 256  # pages whose data the server keeps, the most recently read
INDEX_LIMITS = Limits(timeout=1800, memory=16 * GiB, max_bytes=8 * GiB)  # the archive's: 34 s
SEARCH_RESULTS = 50
POLICY = "; ".join([  # no inline script or style, nothing from another host
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "connect-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
])
HEADERS = {**COMMON_HEADERS, "Content-Security-Policy": POLICY}
# analysis.html carries its styles inline (it opens from disk too) and runs no script
REPORT_HEADERS = {**COMMON_HEADERS, "Content-Security-Policy": "; ".join([
    "default-src 'none'", "style-src 'unsafe-inline'", "img-src data:", "base-uri 'none'",
    "form-action 'none'", "frame-ancestors 'none'"])}


class _PerStore:
    """The explorer, search index, home page and recent pages of the store a service answers
    from now: a new store (an update of the folder) starts them afresh. Nothing slow runs
    under the lock: two requests may read the same page once each, never wait on another
    (only searches wait, for the one child that builds the index)."""

    def __init__(self, stores: Callable[[], ox.Store], freeze: bool = False) -> None:
        self._stores = stores
        self._freeze = freeze  # the index, once loaded, out of the collector's walks
        self._lock = threading.Lock()
        self._building = threading.Lock()  # held while a child builds the search index
        self._store: ox.Store | None = None
        self._explorer: Explorer | None = None
        self._index: SearchIndex | None = None
        self._home: dict[str, Any] | None = None  # counted over the whole build: kept
        self._pages: OrderedDict[str, Any] = OrderedDict()  # the last PAGES_KEPT pages' data

    def explorer(self) -> Explorer:
        """The explorer of the store the service answers from now."""
        store = self._stores()
        with self._lock:
            if store is not self._store or self._explorer is None:
                self._store, self._explorer = store, Explorer(store)
                self._index, self._home = None, None
                self._pages.clear()
            return self._explorer

    def home(self) -> dict[str, Any]:
        explorer = self.explorer()
        home = self._home
        if home is None:
            home = explorer.home()
            with self._lock:
                if explorer is self._explorer:
                    self._home = home
        return home

    def index(self) -> SearchIndex:
        explorer = self.explorer()
        with self._building:  # one child builds it; other searches wait for that one
            index = self._index
            if index is None or explorer is not self._explorer:
                index = _index_apart(explorer.store)
                with self._lock:
                    if explorer is self._explorer:
                        self._index = index
                if self._freeze:
                    # Hundreds of thousands of objects that live as long as the store: walked
                    # by every full collection, they tripled a category page of the archive
                    # (7.2 s against 2.3). Only in a process that is the server alone: a
                    # freeze holds for the whole process.
                    gc.collect(1)
                    gc.freeze()
        return index

    def remembered(self, key: str, compute: Callable[[Explorer], Any]) -> Any:
        """`compute(explorer)`, or what it gave for `key` lately: a page read again (back,
        a shared link, a reload) is answered at once."""
        explorer = self.explorer()
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        found = compute(explorer)
        with self._lock:
            if explorer is self._explorer:
                self._pages[key] = found
                while len(self._pages) > PAGES_KEPT:
                    self._pages.popitem(last=False)
        return found


def _index_apart(store: ox.Store) -> SearchIndex:
    """The search index of `store`, built in a forked child and sent back pickled: building
    it is pure Python (34 s on the archive), which in a thread would hold the interpreter's
    lock from the pages the server answers meanwhile; unpickling takes a fraction of it."""

    def work() -> tuple[int, str, Writer]:
        body = pickle.dumps(SearchIndex.from_store(store), protocol=pickle.HIGHEST_PROTOCOL)
        return 200, "application/octet-stream", lambda out: out.write(body)

    reply = Isolator(INDEX_LIMITS).run(work)
    if reply.status != 200:
        raise RuntimeError(f"the search index could not be built: {reply.body.decode()}")
    with collector.paused():  # hundreds of thousands of objects, and no cycle among them
        index = pickle.loads(reply.body)  # our own child's bytes
    assert isinstance(index, SearchIndex)
    return index


def _state(request: Request) -> tuple[_PerStore, str]:
    service: Service = request.app.state.service
    return request.app.state.explorer, service.label


def attach(app: Starlette, service: Service, freeze: bool = False) -> None:
    """Give `app` the explorer of `service`'s store, and build its search index and home page
    in the background at once, so that the first search does not wait for it (seconds on a
    large build)."""
    per_store = app.state.explorer = _PerStore(service.stores, freeze)

    def warm() -> None:
        with contextlib.suppress(Exception):  # a request will meet and report any error
            per_store.index()
            per_store.home()

    threading.Thread(target=warm, name="kg-explorer-warm", daemon=True).start()


def _page(request: Request, template: str, graph: str, status: int = 200,
          **context: Any) -> Response:
    """The page; with `?save=1`, as one self-contained file to keep (its CSS, scripts and
    drawing inlined), offered as a download."""
    if request.query_params.get("save") != "1":
        saving = request.url.include_query_params(save="1")
        return HTMLResponse(render.render(template, graph, save_url=f"{saving.path}?{saving.query}",
                                          **context), status, headers=HEADERS)
    name = re.sub(r"[^A-Za-z0-9.-]+", "-", request.url.path.strip("/")) or "home"
    return HTMLResponse(render.render(template, graph, offline=True, **context), status,
                        headers={**COMMON_HEADERS, "Content-Disposition":
                                 f'attachment; filename="kg-{name}.html"'})


def not_found(request: Request, graph: str, message: str) -> Response:
    return _page(request, "not_found", graph, 404, message=message)


Context = dict[str, Any]  # what a page's template is given, or None for a 404


async def _answer(request: Request, template: str, compute: Callable[[Explorer], Context | None],
                  missing_message: str) -> Response:
    """The page `template` with what `compute` reads (kept for the address: the same page
    asked again is answered at once), or a 404 page saying `missing_message`."""
    per_store, graph = _state(request)
    address = request.url.path + "?" + urlencode(
        sorted((k, v) for k, v in request.query_params.multi_items() if k != "save"))
    context = await run_in_threadpool(per_store.remembered, address, compute)
    if context is None:
        return not_found(request, graph, missing_message)
    return _page(request, template, graph, **context)


def _page_number(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1


async def home(request: Request) -> Response:
    per_store, graph = _state(request)
    return _page(request, "home", graph, page=await run_in_threadpool(per_store.home))


async def paper(request: Request) -> Response:
    paper_id = request.path_params["paper_id"]

    def compute(explorer: Explorer) -> Context | None:
        page = explorer.paper(paper_id)
        return None if page is None else {
            "page": page, "drawn": maps.as_json(maps.paper_neighbourhood(explorer, page))}

    return await _answer(request, "paper", compute, f"This build has no paper {paper_id!r}.")


async def author(request: Request) -> Response:
    name, kept = request.path_params["name"], _kept(request)
    categories = await _categories(request)

    def compute(explorer: Explorer) -> Context | None:
        page = explorer.author(name, kept)
        return None if page is None else {
            "page": page, "drawn": maps.as_json(maps.author_neighbourhood(explorer, page)),
            "categories": categories}

    return await _answer(request, "author", compute, f"This build has no author {name!r}.")


async def concept(request: Request) -> Response:
    number, kept, key = _page_number(request), _kept(request), request.path_params["key"]
    categories = await _categories(request)
    given = {k: v for k, v in request.query_params.items() if k not in ("page", "save") and v}

    def compute(explorer: Explorer) -> Context | None:
        page = explorer.concept(key, number, kept)
        return None if page is None else {
            "page": page, "drawn": maps.as_json(maps.concept_neighbourhood(explorer, page)),
            "categories": categories,
            "filter_query": f"{urlencode(given)}&" if given else ""}

    return await _answer(request, "concept", compute, f"This build has no concept {key!r}.")


async def _categories(request: Request) -> list[Row]:
    """The build's categories, for a page's filter (read with the home page, and kept)."""
    per_store, _ = _state(request)
    return (await run_in_threadpool(per_store.home))["categories"]


def _kept(request: Request, category: str | None = None) -> PaperFilter:
    """The papers a page's lists and map count, from the address's query (`from`, `to`,
    `type`, `category`), with the category a page fixes."""
    given = request.query_params
    return PaperFilter(category or given.get("category"), given.get("from"), given.get("to"),
                       given.get("type")).checked()


def _chosen(request: Request, category: str | None = None) -> tuple[MapFilter, bool]:
    """A concept map's filter (`_kept`, and `size`) and whether to colour it by day
    (`overlay=1`)."""
    try:
        size = int(request.query_params.get("size", str(maps.MAP_SIZE)))
    except ValueError:
        size = maps.MAP_SIZE
    return (MapFilter(_kept(request, category), size).checked(),
            request.query_params.get("overlay") == "1")


async def category(request: Request) -> Response:
    code = request.path_params["code"]
    chosen, overlay = _chosen(request, category=code)

    def compute(explorer: Explorer) -> Context | None:
        page = explorer.category(code, chosen.papers)
        return None if page is None else {
            "page": page, "chosen": chosen, "overlay": overlay,
            "drawn": maps.as_json(maps.concept_map(explorer, chosen, overlay=overlay))}

    return await _answer(request, "category", compute, f"This build has no category {code!r}.")


async def day(request: Request) -> Response:
    when, kept = request.path_params["day"], _kept(request)
    categories = await _categories(request)

    def compute(explorer: Explorer) -> Context | None:
        page = explorer.day(when, kept)
        return None if page is None else {"page": page, "categories": categories,
                                          "drawn": maps.as_json(maps.concept_map(
                                              explorer, MapFilter(page["kept"], digest_day=when)))}

    return await _answer(request, "day", compute,
                         f"This build has no digest of the day {when!r}.")


async def concept_map(request: Request) -> Response:
    categories = await _categories(request)
    chosen, overlay = _chosen(request)
    code = chosen.papers.category

    def compute(explorer: Explorer) -> Context | None:
        if code and code not in {c["code"] for c in categories}:
            return None
        return {"drawn": maps.as_json(maps.concept_map(explorer, chosen, overlay=overlay)),
                "chosen": chosen, "overlay": overlay, "categories": categories}

    return await _answer(request, "map", compute, f"This build has no category {code!r}.")


async def search(request: Request) -> Response:
    per_store, graph = _state(request)
    query = request.query_params.get("q", "")
    kind = request.query_params.get("kind")
    kinds = [kind] if kind in search_kinds else None
    index = await run_in_threadpool(per_store.index)
    hits = await run_in_threadpool(index.search, query, SEARCH_RESULTS, kinds)
    if len(hits) == 1 or (hits and _exact_id(query, hits[0])):
        return Response(status_code=303, headers={**HEADERS,
                                                  "Location": render.hit_url(hits[0])})
    return _page(request, "search", graph, query=query, hits=hits, kind=kinds and kind,
                 kinds=search_kinds)


def _exact_id(query: str, hit: Hit) -> bool:
    """An arXiv id (in any written form: `normalise_query`) or a category code typed whole
    goes straight to its page."""
    return hit.kind in ("paper", "category") and normalise_query(query) == hit.id.lower()


async def api_search(request: Request) -> Response:
    per_store, _ = _state(request)
    try:
        limit = min(MAX_SUGGESTIONS, max(1, int(request.query_params.get("limit", "10"))))
    except ValueError:
        limit = 10
    index = await run_in_threadpool(per_store.index)
    hits = await run_in_threadpool(index.search, request.query_params.get("q", ""), limit)
    return JSONResponse({"hits": [{**asdict(h), "url": render.hit_url(h)} for h in hits]},
                        headers=COMMON_HEADERS)


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in render.STATIC:  # only the files named there: no path reaches elsewhere
        raise HTTPException(404)
    return Response(render.static_file(name), media_type=f"{render.STATIC[name]}; charset=utf-8",
                    headers={**COMMON_HEADERS, "Cache-Control": "max-age=300"})


async def analysis(request: Request) -> Response:
    """The folder's `analysis.html` (`kg analyze`), its concepts and authors linked to their
    pages here."""
    folder: Path | None = request.app.state.folder
    report = folder / "analysis.html" if folder is not None else None
    if report is None or not report.is_file():
        return not_found(request, _state(request)[1],
                         "No analysis here: run `kg analyze` on this folder first.")
    text = await run_in_threadpool(report.read_text, "utf-8")
    return HTMLResponse(link_names(text), headers=REPORT_HEADERS)


async def cluster(request: Request) -> Response:
    """A topic cluster of the folder's analysis: its concepts, and its papers a page at a
    time, newest first (by arXiv id: `topics.csv` lists them in id order). Read afresh each
    time, as `kg analyze` may run again while the server runs."""
    per_store, graph = _state(request)
    folder: Path | None = request.app.state.folder
    number = request.path_params["number"]
    found = await run_in_threadpool(read_cluster, folder, number) if folder else None
    if found is None:
        return not_found(request, graph, f"No topic cluster {number} here: `kg analyze` on "
                                         f"this folder writes the clusters.")
    newest = found["papers"][::-1]
    pages = max(1, -(-len(newest) // PAGE_SIZE))
    page_number = min(_page_number(request), pages)
    shown = newest[(page_number - 1) * PAGE_SIZE:page_number * PAGE_SIZE]
    explorer = await run_in_threadpool(per_store.explorer)
    listed = await run_in_threadpool(explorer.papers_listed, shown)
    return _page(request, "cluster", graph, cluster=found, listed=listed, page=page_number,
                 pages=pages, page_size=PAGE_SIZE)


async def missing(request: Request, _: Exception) -> Response:
    """Any address no route knows: the explorer's 404 page."""
    return not_found(request, _state(request)[1], f"Nothing is served at {request.url.path}.")


routes = [
    Route("/", home),
    Route("/paper/{paper_id:path}", paper),
    Route("/author/{name:path}", author),
    Route("/concept/{key:path}", concept),
    Route("/category/{code}", category),
    Route("/day/{day}", day),
    Route("/map", concept_map),
    Route("/analysis", analysis),
    Route("/analysis/cluster/{number:int}", cluster),
    Route("/search", search),
    Route("/api/search", api_search),
    Route("/static/{name}", static),
]
