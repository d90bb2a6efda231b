"""`kg serve`: the SPARQL 1.1 endpoint and the query page (`/query`), on a real build of the seed
example (the explorer's pages: `test_explorer.py`).

The server runs on a free loopback port, in this process (uvicorn in a thread) or as the `kg serve`
command, and is queried by clients kg did not write: SPARQLWrapper, rdflib's SPARQLStore, urllib,
and Debian's chromium for the page. Every answer is parsed back with rdflib.
"""

from __future__ import annotations

import csv
import io
import json
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph
import pytest
import rdflib
from playwright.sync_api import Route
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from rdflib.query import Result
from serving import WAIT, port_is_free, running
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper

import kg
from kg.query import QueryError, load_store, run_query
from kg.serve.app import bind, create_app
from kg.serve.sparql import GRAPH_FORMATS, READ_ONLY, RESULT_FORMATS, SERVICE_REFUSED, negotiate
from kg.store import LiveStore

SEED = Path(__file__).resolve().parents[1] / "examples" / "seed" / "000_283d9f5f5383ec36.txt"

PAPERS = "SELECT ?paper ?title WHERE { ?paper a kg:Paper ; dcterms:title ?title } ORDER BY ?paper"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?paper dcterms:title ?title } WHERE { ?paper dcterms:title ?title }"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@dataclass(frozen=True)
class Answer:
    status: int
    media_type: str
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


def request(url: str, data: bytes | None = None, **headers: str) -> Answer:
    """One HTTP request with urllib; an error status is an answer too."""
    sent = urllib.request.Request(url, data, {k.replace("_", "-"): v for k, v in headers.items()})
    try:
        with urllib.request.urlopen(sent, timeout=WAIT) as response:
            return Answer(response.status, response.headers.get_content_type(), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers.get_content_type(), error.read())


def get(base: str, query: str, accept: str | None = None) -> Answer:
    headers = {"Accept": accept} if accept else {}
    return request(f"{base}/sparql?{urlencode({'query': query})}", **headers)


def post_form(base: str, fields: dict[str, str], accept: str | None = None) -> Answer:
    headers = {"Accept": accept} if accept else {}
    return request(f"{base}/sparql", urlencode(fields).encode(),
                   Content_Type="application/x-www-form-urlencoded", **headers)


def post_query(base: str, query: str, accept: str | None = None,
               content_type: str = "application/sparql-query") -> Answer:
    headers = {"Accept": accept} if accept else {}
    return request(f"{base}/sparql", query.encode(), Content_Type=content_type, **headers)


def rows(result: Result) -> set[tuple[str, ...]]:
    """The rows of a parsed SPARQL result as text (CSV and TSV keep no datatypes)."""
    return {tuple(str(term) for term in row) for row in result}  # type: ignore[union-attr]


def listening_address(port: int) -> str:
    """The IPv4 address a socket listens on for `port`, from /proc/net/tcp."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if int(hex_port, 16) == port and state == "0A":  # LISTEN
            return socket.inet_ntoa(bytes.fromhex(address)[::-1])
    raise AssertionError(f"nothing listens on port {port}")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seed-build")
    kg.build([SEED], out)
    return out


@pytest.fixture(scope="module")
def served(folder):
    """The seed build served in this process: the app and its base URL."""
    app = create_app(load_store(folder), label="seed", workers=2)
    with running(app) as base:
        yield app, base


@pytest.fixture(scope="module")
def base(served) -> str:
    return served[1]


@pytest.fixture(scope="module")
def expected(folder) -> set[tuple[str, ...]]:
    """The papers and their titles, as kg query finds them."""
    result = run_query(load_store(folder), PAPERS)
    assert len(result.rows) == 7
    return {tuple(str(v) for v in row) for row in result.rows}


# The three ways the protocol sends a query


def test_get_and_both_posts_give_the_same_answer(base, expected):
    answers = [get(base, PAPERS), post_form(base, {"query": PAPERS}), post_query(base, PAPERS)]
    for answer in answers:
        assert (answer.status, answer.media_type) == (200, "application/sparql-results+json")
        assert rows(Result.parse(io.BytesIO(answer.body), format="json")) == expected


@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
def test_sparqlwrapper(base, expected, method):
    client = SPARQLWrapper(f"{base}/sparql")
    if method != "GET":
        client.setMethod(POST)
        if method == "POSTDIRECTLY":
            client.setRequestMethod(POSTDIRECTLY)
    client.setQuery(PAPERS)
    client.setReturnFormat(JSON)
    bindings = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert {(b["paper"]["value"], b["title"]["value"]) for b in bindings} == expected


@pytest.mark.parametrize("return_format", [XML, CSV, TSV])
def test_sparqlwrapper_result_formats(base, return_format):
    client = SPARQLWrapper(f"{base}/sparql")
    client.setQuery(COUNT)
    client.setReturnFormat(return_format)
    answer = client.query()
    assert answer._get_responseFormat() == return_format
    assert answer.convert()


def test_sparqlwrapper_ask_and_construct(base, expected):
    client = SPARQLWrapper(f"{base}/sparql")
    client.setQuery("ASK { ?paper a kg:Paper }")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert() == {"head": {}, "boolean": True}
    client.setQuery(CONSTRUCT)
    for return_format in (TURTLE, JSONLD, XML):
        client.setReturnFormat(return_format)
        converted = client.queryAndConvert()
        graph = (converted if isinstance(converted, rdflib.Graph)
                 else rdflib.Graph().parse(data=converted, format={TURTLE: "turtle",
                                                                   JSONLD: "json-ld"}[
                                                                       return_format]))
        assert {(str(s), str(o)) for s, _, o in graph} == expected


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore(base, expected, method):
    store = SPARQLStore(f"{base}/sparql", method=method)
    assert rows(store.query(PAPERS)) == expected
    assert bool(store.query("ASK { ?paper a kg:Paper }")) is True
    assert bool(store.query("ASK { ?paper a kg:NoSuchThing }")) is False
    graph = store.query(CONSTRUCT).graph
    assert {(str(s), str(o)) for s, _, o in graph} == expected
    graph = rdflib.Graph(store)
    assert len(set(graph.subjects(rdflib.RDF.type, rdflib.URIRef(
        "https://w3id.org/arxiv-kg/ontology#Paper")))) == 7


# Formats by Accept


@pytest.mark.parametrize(("accept", "media_type", "rdflib_format"), [
    (None, "application/sparql-results+json", "json"),
    ("application/sparql-results+json", "application/sparql-results+json", "json"),
    ("application/json", "application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
    ("text/csv", "text/csv", "csv"),
    ("text/tab-separated-values", "text/tab-separated-values", "tsv"),
    ("text/turtle;q=0.9, text/csv;q=0.5, */*;q=0.1", "text/csv", "csv"),
    ("*/*", "application/sparql-results+json", "json"),
])
def test_select_in_each_format(base, expected, accept, media_type, rdflib_format):
    answer = post_form(base, {"query": PAPERS}, accept)
    assert (answer.status, answer.media_type) == (200, media_type)
    assert rows(Result.parse(io.BytesIO(answer.body), format=rdflib_format)) == expected
    if rdflib_format == "csv":
        assert next(csv.reader(io.StringIO(answer.text))) == ["paper", "title"]


@pytest.mark.parametrize(("accept", "media_type", "rdflib_format"), [
    (None, "text/turtle", "turtle"),
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
])
def test_construct_and_describe_in_each_format(base, folder, expected, accept, media_type,
                                               rdflib_format):
    answer = get(base, CONSTRUCT, accept)
    assert (answer.status, answer.media_type) == (200, media_type)
    graph = rdflib.Graph().parse(data=answer.body, format=rdflib_format)
    assert {(str(s), str(o)) for s, _, o in graph} == expected
    paper, title = sorted(expected)[0]
    described = get(base, f"DESCRIBE <{paper}>", accept)
    graph = rdflib.Graph().parse(data=described.body, format=rdflib_format)
    assert (rdflib.URIRef(paper), rdflib.DCTERMS.title, rdflib.Literal(title)) in graph
    assert len(graph) == len(run_query(load_store(folder), f"DESCRIBE <{paper}>").rows)


@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml")])
def test_ask(base, accept, rdflib_format):
    for query, truth in (("ASK { ?p a kg:Paper }", True), ("ASK { ?p a kg:Nothing }", False)):
        answer = get(base, query, accept)
        assert answer.status == 200
        assert Result.parse(io.BytesIO(answer.body), format=rdflib_format).askAnswer is truth


@pytest.mark.parametrize(("query", "accept"), [
    (PAPERS, "text/turtle"), (PAPERS, "image/png"), ("ASK {}", "application/n-triples"),
    (CONSTRUCT, "application/sparql-results+json"), (CONSTRUCT, "text/csv"),
    (PAPERS, "application/sparql-results+json;q=0"),
])
def test_an_accept_it_cannot_give_is_406(base, query, accept):
    answer = get(base, query, accept)
    assert (answer.status, answer.media_type) == (406, "text/plain")
    assert "Accept one of" in answer.text


def test_negotiation_follows_quality_and_specificity():
    def chosen(accept: str, formats=RESULT_FORMATS) -> str | None:
        found = negotiate(accept, formats)
        return None if found is None else found.media_type

    assert chosen("") == "application/sparql-results+json"
    assert chosen("text/*") == "application/sparql-results+xml"  # as text/xml
    assert chosen("text/*;q=0.5, text/tab-separated-values") == "text/tab-separated-values"
    assert chosen("*/*;q=0.1, text/csv;q=0") == "application/sparql-results+json"
    assert chosen("application/xml") == "application/sparql-results+xml"
    assert chosen("application/json", GRAPH_FORMATS) == "application/ld+json"
    assert chosen("text/csv;q=2") is None  # not a quality: refused rather than guessed
    assert chosen("TEXT/CSV") == "text/csv"


# Read-only, local only, limited


def triple_count(base: str) -> int:
    answer = get(base, COUNT)
    return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("attempt", [
    "form update=", "sparql-update body", "update in query=", "GET update=", "LOAD in a body"])
def test_updates_are_refused_and_change_nothing(served, attempt):
    app, base = served
    before, triples = triple_count(base), len(app.state.service.store)
    insert = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    answer = {
        "form update=": lambda: post_form(base, {"update": "DROP ALL"}),
        "sparql-update body": lambda: post_query(base, "CLEAR DEFAULT",
                                                 content_type="application/sparql-update"),
        "update in query=": lambda: post_form(base, {"query": insert}),
        "GET update=": lambda: request(f"{base}/sparql?{urlencode({'update': 'DROP ALL'})}"),
        "LOAD in a body": lambda: post_query(base, "LOAD <http://example.org/x.ttl>"),
    }[attempt]()
    assert (answer.status, answer.text.strip()) == (403, READ_ONLY)
    assert triple_count(base) == before and len(app.state.service.store) == triples


def test_update_clients_are_refused(base):
    before = triple_count(base)
    client = SPARQLWrapper(f"{base}/sparql")
    client.setMethod(POST)
    client.setQuery("DELETE WHERE { ?s ?p ?o }")
    with pytest.raises(urllib.error.HTTPError) as refused:
        client.query()
    assert refused.value.code == 403
    store = SPARQLUpdateStore(f"{base}/sparql", f"{base}/sparql")
    with pytest.raises(urllib.error.HTTPError):
        store.update("DROP ALL")
    assert triple_count(base) == before


def test_service_is_refused_as_kg_query_refuses_it(base):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    with pytest.raises(QueryError) as refused:
        run_query(pyoxigraph.Store(), query)
    assert str(refused.value) == SERVICE_REFUSED
    for answer in (get(base, query), post_query(base, query)):
        assert (answer.status, answer.text.strip()) == (403, SERVICE_REFUSED)


@pytest.mark.parametrize(("send", "status", "message"), [
    (lambda b: request(f"{b}/sparql"), 400, "give one query"),
    (lambda b: request(f"{b}/sparql?query=ASK{{}}&query=ASK{{}}"), 400, "give one query"),
    (lambda b: get(b, "SELEC * WHERE {}"), 400, "invalid SPARQL"),
    (lambda b: post_query(b, PAPERS, content_type="text/plain"), 415, "application/sparql-query"),
    (lambda b: post_query(b, "ASK {}" + " " * 1_000_001), 413, "characters long"),
    (lambda b: request(f"{b}/sparql", b"query=\xff", Content_Type=(
        "application/x-www-form-urlencoded")), 400, "UTF-8"),
    (lambda b: get(b, PAPERS.replace("WHERE", "FROM <urn:x:nothing> WHERE")), 200, "paper"),
])
def test_bad_requests_are_said_in_one_line(base, send, status, message):
    answer = send(base)
    assert answer.status == status and message in answer.text
    if status != 200:
        assert answer.media_type == "text/plain" and answer.text.count("\n") == 1


def test_protocol_dataset_fields_choose_the_graphs(base):
    answer = request(f"{base}/sparql?" + urlencode(
        {"query": COUNT, "default-graph-uri": "urn:x:empty"}))
    assert json.loads(answer.body)["results"]["bindings"][0]["n"]["value"] == "0"
    answer = request(f"{base}/sparql?" + urlencode({"query": COUNT, "default-graph-uri": "a b"}))
    assert answer.status == 400 and "bad graph IRI" in answer.text


def test_the_event_loop_answers_while_a_query_runs(folder):
    """A query that runs for minutes takes a worker, never the server; a shutdown stops it."""
    app = create_app(load_store(folder), workers=2)
    isolator = app.state.service.isolator
    long_answer: list[Answer] = []
    with running(app) as base:
        long_query = threading.Thread(target=lambda: long_answer.append(get(base, CARTESIAN)))
        long_query.start()
        deadline = time.monotonic() + WAIT
        while not isolator._live:
            assert time.monotonic() < deadline, "the long query never started"
            time.sleep(0.01)
        assert get(base, "ASK { ?p a kg:Paper }").status == 200
        assert isolator._live, "the long query should still be running"
        isolator.kill_all()  # as a shutdown does
        long_query.join(WAIT)
    assert (long_answer[0].status, long_answer[0].text.strip()) == (
        503, "kg serve is stopping: the query was stopped")


def test_answer_and_memory_budgets(folder):
    """Past its byte budget or its memory, a query is stopped with a message that says so."""
    store = load_store(folder)
    with running(create_app(store, max_result=1 << 16)) as base:
        answer = get(base, "CONSTRUCT WHERE { ?s ?p ?o }")
        assert answer.status == 503
        assert answer.text.startswith("the answer is larger than 0.0625 MiB and was stopped")
        assert get(base, "ASK {}").status == 200
    with running(create_app(store, memory=16 << 20)) as base:
        answer = get(base, "SELECT ?o WHERE { ?s ?p ?o . ?x ?y ?z } ORDER BY ?o")  # 8 M rows
        assert answer.status == 503
        assert answer.text.startswith("the query needed more than 16 MiB of memory")
        assert get(base, "ASK {}").status == 200


def test_an_in_memory_store_of_a_graph_file_is_served_alike(folder, expected):
    with running(create_app(load_store(folder / "graph.ttl"))) as base:
        answer = get(base, PAPERS)
        assert rows(Result.parse(io.BytesIO(answer.body), format="json")) == expected


# The command: loopback by default, the timeout, a clean stop


@contextmanager
def command(*args: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """`kg serve ARGS --port 0` as a process, and the base URL it announces."""
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", *args, "--port", "0"],
                               stderr=subprocess.PIPE, text=True)
    try:
        line = _first_line(process)
        found = re.search(r"http://([\d.]+):(\d+)/", line)
        assert found, f"no address in {line!r}"
        yield process, f"http://{found[1]}:{found[2]}"
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(WAIT)
        assert process.stderr is not None
        process.stderr.close()


def _first_line(process: subprocess.Popen) -> str:
    assert process.stderr is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        assert selector.select(WAIT), "kg serve said nothing"
    return process.stderr.readline()


def test_the_command_serves_on_loopback_and_stops_long_queries(folder):
    with command(str(folder), "--timeout", "1") as (process, base):
        port = int(base.rsplit(":", 1)[1])
        assert base.startswith("http://127.0.0.1:")
        assert listening_address(port) == "127.0.0.1"
        answer = get(base, CARTESIAN)
        assert answer.status == 503
        assert answer.text.startswith("the query ran longer than 1 s and was stopped")
        assert triple_count(base) > 1000  # the next query is answered
        process.send_signal(signal.SIGINT)
        assert process.wait(WAIT) == 0


def test_ctrl_c_stops_the_queries_under_way_and_frees_the_port(folder):
    with command(str(folder)) as (process, base):
        port = int(base.rsplit(":", 1)[1])
        long_query = threading.Thread(target=get, args=(base, CARTESIAN), daemon=True)
        long_query.start()
        deadline = time.monotonic() + WAIT
        while not (children := _children(process.pid)):
            assert time.monotonic() < deadline, "the long query never started"
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        assert process.wait(WAIT) == 0
        assert port_is_free(port)
        # A killed child is gone once the init process reaps it: a moment on a busy machine.
        deadline = time.monotonic() + WAIT
        while any(Path(f"/proc/{pid}").exists() for pid in children):
            assert time.monotonic() < deadline, "a query's child outlived the server"
            time.sleep(0.05)
        long_query.join(WAIT)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:  # a thread of the server that ended meanwhile
            continue
    return found


def test_a_port_in_use_is_a_one_line_error(folder):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "kg", "serve", str(folder), "--port",
                               str(port)], capture_output=True, text=True, timeout=WAIT)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert done.stderr.count("\n") == 1


def test_the_listening_socket_is_tcp_by_name():
    """asyncio turns Nagle's algorithm off only on such sockets; with it on, every answer on a
    kept-alive connection waits for the client's delayed ACK."""
    with bind("127.0.0.1", 0) as listener:
        assert listener.proto == socket.IPPROTO_TCP


def test_kg_and_its_help_do_not_import_the_server():
    code = ("import sys; from typer.testing import CliRunner; from kg.cli import app; "
            "assert CliRunner().invoke(app, ['--help']).exit_code == 0; "
            "result = CliRunner().invoke(app, ['serve', '--help']); assert result.exit_code == 0, "
            "result.output; assert '--timeout' in result.output; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'starlette', 'uvicorn'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=WAIT)
    assert (done.returncode, done.stdout.strip()) == (0, "[]"), done.stderr


# The page and its API


class Sources(HTMLParser):
    """Every URL the page would load: src and href attributes, url() in styles."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value or "" for name, value in attrs if name in ("src", "href")]


def test_the_page_lists_the_saved_queries_and_loads_nothing_from_elsewhere(base):
    answer = request(f"{base}/query")
    assert (answer.status, answer.media_type) == (200, "text/html")
    for name in kg.query.saved_queries():
        assert f'"name": "{name}"' in answer.text
    sources = Sources()
    sources.feed(answer.text)
    assert sources.urls == ["data:,"]  # the empty icon, so that no /favicon.ico is asked for
    assert not re.search(r"url\(|@import", answer.text)


def test_saved_queries_api_binds_parameters_as_kg_query_does(folder, base):
    listing = json.loads(request(f"{base}/api/saved").body)
    assert [q["name"] for q in listing] == list(kg.query.saved_queries())
    answer = request(f"{base}/api/saved/papers-about-concept?concept=LoRA")
    expected = run_query(load_store(folder), kg.query.saved_queries()[
        "papers-about-concept"].text, {"concept": "LoRA"})
    assert json.loads(answer.body) == {"variables": expected.variables,
                                       "rows": [list(r) for r in expected.rows],
                                       "truncated": False}
    assert expected.rows
    hostile_value = urlencode({"author": '" } DROP ALL'})
    hostile = request(f"{base}/api/saved/coauthors?{hostile_value}")
    assert (hostile.status, json.loads(hostile.body)["rows"]) == (200, [])
    three = json.loads(request(f"{base}/api/saved/top-concepts?limit=3").body)
    assert len(three["rows"]) == 3


@pytest.mark.parametrize(("path", "data", "status", "message"), [
    ("/api/saved/nothing", None, 404, "no saved query 'nothing'"),
    ("/api/saved/coauthors", None, 400, "missing parameter author"),
    ("/api/saved/coauthors?author=a&colour=red", None, 400, "unknown parameter colour"),
    ("/api/saved/coauthors?author=a&author=b", None, 400, "more than once"),
    ("/api/query", b"not json", 400, "send JSON"),
    ("/api/query", b'{"query": "SELECT * { SERVICE <urn:x> {} }"}', 400, "SERVICE is refused"),
    ("/api/query", b'{"query": "ASK {}", "params": {"x": 1}}', 400, "send JSON"),
])
def test_api_errors_are_json(base, path, data, status, message):
    answer = request(base + path, data, Content_Type="application/json")
    assert (answer.status, answer.media_type) == (status, "application/json")
    assert message in json.loads(answer.body)["error"]


def test_the_page_runs_saved_queries_and_shows_text_as_text(browser, base):
    page = browser.new_page()
    elsewhere: list[str] = []
    problems: list[str] = []

    def route(route: Route) -> None:
        if route.request.url.startswith((base + "/", "data:")):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(d.message), d.dismiss()))
    page.goto(base + "/query")
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#saved option").count() == len(kg.query.saved_queries()) + 1

    page.select_option("#saved", "papers-about-concept")
    page.fill("#param-concept", "LoRA")
    page.click("#run")
    page.wait_for_selector("#results tbody tr")
    assert page.locator("#results th").all_text_contents()[:3] == ["label", "arxivId", "title"]
    assert "LoRA" in page.locator("#results tbody").inner_text()

    xss = "<img src=x onerror=alert(1)>"
    page.select_option("#saved", "")
    page.fill("#query", f'SELECT ?text WHERE {{ BIND("{xss}" AS ?text) }}')
    page.click("#run")
    page.wait_for_selector("#results th:text-is('text')")
    assert page.locator("#results td").inner_text() == xss
    assert page.locator("#results img").count() == 0

    page.fill("#query", "SELECT * WHERE { SERVICE <urn:x> {} }")
    page.click("#run")
    page.wait_for_selector("#status.error")
    assert page.locator("#status").inner_text() == SERVICE_REFUSED
    assert (elsewhere, problems) == ([], ["Failed to load resource: the server responded "
                                          "with a status of 400 (Bad Request)"])
    page.close()


def test_a_served_folder_is_followed_through_an_update(folder, tmp_path):
    """`kg serve DIR` answers from the store of the latest build of DIR, without a restart,
    and never from a store the update removed."""
    live = tmp_path / "live"
    shutil.copytree(folder, live)
    with running(create_app(LiveStore(live), workers=1)) as base:
        before = triple_count(base)
        day = tmp_path / "2026-06-02.jsonl"
        day.write_text(json.dumps({"id": "2606.00099", "title": "One more paper",
                                   "categories": ["cs.LG"]}) + "\n", "utf-8")
        assert kg.update([day], live) is not None
        assert triple_count(base) > before
        ids = json.loads(get(base, "SELECT ?id WHERE { ?p kg:arxivId '2606.00099' . "
                                   "?p kg:arxivId ?id }").body)["results"]["bindings"]
        assert [row["id"]["value"] for row in ids] == ["2606.00099"]
