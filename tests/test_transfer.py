"""`kg export` and `kg push`: the graph streamed out to a file or standard output, and sent to
a second, read-write Oxigraph server (the `oxigraph` package's CLI) on a loopback port."""

from __future__ import annotations

import base64
import http.server
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

import kg
from kg.cli import app
from kg.query import load_store
from kg.transfer import FORMATS

runner = CliRunner()
OXIGRAPH = Path(sys.executable).parent / "oxigraph"  # the `oxigraph` package of the test extra
GRAPH = "https://example.org/graphs/arxiv"


@pytest.fixture(scope="module")
def built(seed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("built")
    kg.build([seed], folder)
    return folder


@pytest.fixture(scope="module")
def store(built: Path) -> ox.Store:
    return load_store(built)


def _triples(store: ox.Store) -> set[ox.Triple]:
    return {quad.triple for quad in store}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A read-write Oxigraph server on a free loopback port; its base URL. Stopped at the end,
    so nothing stays listening."""
    assert OXIGRAPH.is_file(), f"{OXIGRAPH} is missing: pip install -e '.[test]'"
    port = _free_port()
    process = subprocess.Popen(
        [str(OXIGRAPH), "serve", "--location", str(tmp_path_factory.mktemp("oxigraph")),
         "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(base, process)
        yield base
    finally:
        process.terminate()
        process.wait()
        if process.stderr:
            process.stderr.close()


def _wait_until_answering(base: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):  # 30 s at most, for a slow CI machine
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            pytest.fail(f"oxigraph serve exited with {process.returncode}: {stderr}")
        try:
            _count(base)
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail("oxigraph serve did not answer")


def _count(base: str, graph: str | None = None) -> int:
    """The triples of the server's default graph or of `graph`, by SPARQL over /query."""
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    query = urllib.parse.urlencode({"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"})
    request = urllib.request.Request(f"{base}/query?{query}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


def _update(base: str, sparql: str) -> None:
    request = urllib.request.Request(f"{base}/update", data=sparql.encode(),
                                     headers={"Content-Type": "application/sparql-update"})
    with urllib.request.urlopen(request, timeout=10):
        pass


# --- kg export ------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_format_parses_back_to_the_store(fmt: str, built: Path, store: ox.Store,
                                              tmp_path: Path) -> None:
    out = tmp_path / "graph.out"
    result = runner.invoke(app, ["export", str(built), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out} ({out.stat().st_size:,} bytes of {fmt})" in result.output
    parsed = list(ox.parse(path=out, format=FORMATS[fmt]))
    assert len(parsed) == len(store) > 2000
    triples = {q.triple if isinstance(q, ox.Quad) else q for q in parsed}
    assert triples == _triples(store)  # no blank nodes: equal sets are isomorphic graphs
    assert not list(tmp_path.glob(".*kg-tmp-*"))  # nothing left beside it


@pytest.mark.parametrize("fmt", ["nquads", "turtle"])
def test_export_is_deterministic_and_stdout_holds_the_same_bytes(fmt: str, built: Path,
                                                                tmp_path: Path) -> None:
    files = [tmp_path / "one", tmp_path / "two"]
    for out in files:
        assert runner.invoke(app, ["export", str(built), "-f", fmt, "-o", str(out)]).exit_code == 0
    shown = runner.invoke(app, ["export", str(built), "-f", fmt])
    assert shown.exit_code == 0
    assert files[0].read_bytes() == files[1].read_bytes() == shown.stdout_bytes
    assert shown.stderr == ""  # the graph on stdout, nothing else anywhere


def test_the_format_follows_the_extension_of_out(built: Path, store: ox.Store,
                                                 tmp_path: Path) -> None:
    out = tmp_path / "graph.ttl"
    assert runner.invoke(app, ["export", str(built), "-o", str(out)]).exit_code == 0
    assert out.read_text("utf-8").startswith("@prefix ")
    assert len(list(ox.parse(path=out, format=ox.RdfFormat.TURTLE))) == len(store)
    default = runner.invoke(app, ["export", str(built)])  # no --out, no --format: N-Quads
    assert len(list(ox.parse(default.stdout_bytes, format=ox.RdfFormat.N_QUADS))) == len(store)


@pytest.mark.parametrize(("options", "message"), [
    (["-f", "xml"], "unknown format 'xml' (choose from nquads, trig, turtle, ntriples)"),
    (["-f", "turtle", "-o", "{tmp}/graph.nt"], "names ntriples by its extension, not turtle"),
    (["-o", "{tmp}"], "is a folder: give a file name"),
    (["-o", "{tmp}/no/such/graph.nq"], "no folder {tmp}/no/such"),
])
def test_export_options_are_checked_before_the_store_is_read(options: list[str], message: str,
                                                             tmp_path: Path) -> None:
    args = [option.replace("{tmp}", str(tmp_path)) for option in options]
    result = runner.invoke(app, ["export", str(tmp_path / "not-built"), *args])
    assert result.exit_code == 2
    assert message.replace("{tmp}", str(tmp_path)) in result.output
    assert "not-built" not in result.output  # said before the folder was looked at
    assert result.output.count("\n") == 1


def test_export_replaces_a_file_or_link_whole_never_writing_through(built: Path,
                                                                   tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not kg's")
    link = tmp_path / "graph.nq"
    link.symlink_to(elsewhere)
    assert runner.invoke(app, ["export", str(built), "-o", str(link)]).exit_code == 0
    assert not link.is_symlink()
    assert elsewhere.read_text() == "not kg's"
    first = link.read_bytes()
    assert runner.invoke(app, ["export", str(built), "-o", str(link)]).exit_code == 0
    assert link.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere.txt", "graph.nq"]


def test_a_reader_that_stops_early_is_no_error(built: Path) -> None:
    """`kg export DIR | head`: the broken pipe ends the export quietly."""
    process = subprocess.Popen([sys.executable, "-m", "kg", "export", str(built)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout and process.stderr
    assert process.stdout.read(1000).startswith(b"<")
    process.stdout.close()  # the dump is 400 kB: far more than the pipe holds
    stderr = process.stderr.read()
    assert process.wait() == 0, stderr
    assert stderr == b""


# --- kg push --------------------------------------------------------------------------------

def test_push_adds_to_the_default_graph_and_reads_back(built: Path, store: ox.Store,
                                                       server: str) -> None:
    for _ in range(2):  # adding the same triples again adds nothing: RDF graphs are sets
        result = runner.invoke(app, ["push", str(built), f"{server}/store", "--default"])
        assert result.exit_code == 0, result.output
        size = len(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()))
        assert (f"Pushed {size:,} bytes of N-Triples to {server}/store?default: "
                f"204 No Content") in result.output
        assert _count(server) == len(store)


def test_push_replace_into_a_named_graph(built: Path, store: ox.Store, server: str) -> None:
    _update(server, f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:a> <urn:b> <urn:c> }} }}")
    for _ in range(2):
        result = runner.invoke(app, ["push", str(built), f"{server}/store", "--graph", GRAPH,
                                     "--replace"])
        assert result.exit_code == 0, result.output
        assert f"{server}/store?graph={urllib.parse.quote(GRAPH, safe='')}" in result.output
        assert _count(server, GRAPH) == len(store)  # the triple put there before is gone


def test_push_to_a_wrong_url_says_what_the_server_said(built: Path, server: str) -> None:
    result = runner.invoke(app, ["push", str(built), f"{server}/nowhere"])
    assert result.exit_code == 2
    assert result.output == (f"error: {server}/nowhere?default answered 404 Not Found: "
                             f"POST /nowhere is not supported by this server\n")


def test_push_to_a_closed_port_is_refused_before_any_work(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens there
    result = runner.invoke(app, ["push", str(tmp_path / "not-built"),
                                 f"http://127.0.0.1:{port}/store"])
    assert result.exit_code == 2
    assert result.output == (f"error: cannot connect to 127.0.0.1:{port}: connection refused "
                             f"(is the server running, on this port?)\n")


@pytest.mark.parametrize(("args", "message"), [
    (["ftp://localhost/store"], "is not an http:// or https:// URL"),
    (["http://localhost:99999/store"], "the port is not a number from 0 to 65535"),
    (["http://localhost/store?default"], "names a graph already (?graph= or ?default)"),
    (["http://localhost/store", "--graph", "not an iri"], "--graph 'not an iri' is not an "
                                                          "absolute IRI"),
    (["http://localhost/store", "--graph", GRAPH, "--default"], "give --graph IRI or --default, "
                                                                "not both"),
])
def test_push_options_are_checked_before_any_work(args: list[str], message: str,
                                                  tmp_path: Path) -> None:
    result = runner.invoke(app, ["push", str(tmp_path / "not-built"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert result.output.count("\n") == 1


class _Refusing(http.server.BaseHTTPRequestHandler):
    """Reads the whole body, then refuses it as a proxy with a size limit would, with an HTML
    page; keeps what it was sent for the test."""

    seen: ClassVar[list[tuple[str, dict[str, str], int]]] = []

    def do_POST(self) -> None:
        size = int(self.headers["Content-Length"])
        received = len(self.rfile.read(size))
        self.seen.append((self.path, dict(self.headers), received))
        page = b"<html><body><h1>413</h1><p>Request Entity Too Large</p></body></html>"
        self.send_response(413, "Payload Too Large")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, *args: object) -> None:
        pass


def test_push_logs_in_with_the_url_credentials_and_reports_a_refusal(built: Path) -> None:
    proxy = http.server.HTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=proxy.serve_forever)
    thread.start()
    try:
        port = proxy.server_address[1]
        result = runner.invoke(app, ["push", str(built),
                                     f"http://ann:s%3Acret@127.0.0.1:{port}/ds/data?x=1"])
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join()
    assert result.exit_code == 2
    assert result.output == (f"error: http://127.0.0.1:{port}/ds/data?x=1&default answered 413 "
                             f"Payload Too Large: 413 Request Entity Too Large\n")
    [(path, headers, received)] = _Refusing.seen
    assert path == "/ds/data?x=1&default"
    assert headers["Content-Type"] == "application/n-triples"
    assert int(headers["Content-Length"]) == received > 400_000
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"ann:s:cret").decode()
