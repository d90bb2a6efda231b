"""A bounded load test of `kg serve` on loopback: N clients for S seconds on the saved queries.

    .venv/bin/python benchmarks/serve_load.py BUILD [--clients 8] [--seconds 30] [--timeout 60]

BUILD is a folder `kg build` wrote (or a graph file). The script starts the real command,
`kg serve BUILD --port 0`, in its own process on 127.0.0.1; finds typical parameters in the
graph itself (its most mentioned concept, most prolific author and largest category); sends
every query once to warm up; then runs N client threads, each on its own keep-alive connection,
that send in turn each saved query through the JSON API (`/api/saved/NAME?param=value`) and
one aggregate through the SPARQL protocol (`/sparql`), until S seconds have passed. It reports,
per query, the requests, p50 / p95 / max latency and errors; the throughput; and the server's
resident memory after the warm-up and after the load (each query runs in a child that exits
with it, so any growth would be the server's own). It then stops the server with Ctrl-C's
signal. Every request goes to 127.0.0.1, and the run is bounded by S plus one timeout.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import re
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from kg.query import saved_queries

PROTOCOL_QUERY = ("SELECT ?type (COUNT(?node) AS ?nodes) WHERE { ?node a ?type } "
                  "GROUP BY ?type ORDER BY DESC(?nodes)")
# The graph's own typical values of the saved queries' parameters.
TYPICAL = {
    "concept": "SELECT ?value WHERE { ?paper kg:mentions ?c . ?c skos:prefLabel ?value } "
               "GROUP BY ?c ?value ORDER BY DESC(COUNT(?paper)) ?value LIMIT 1",
    "author": "SELECT ?value WHERE { ?paper dcterms:creator ?person . ?person foaf:name ?value }"
              " GROUP BY ?person ?value ORDER BY DESC(COUNT(?paper)) ?value LIMIT 1",
    "category": "SELECT ?value WHERE { ?paper kg:primaryCategory/skos:notation ?value } "
                "GROUP BY ?value ORDER BY DESC(COUNT(?paper)) ?value LIMIT 1",
}


@dataclass
class Tally:
    """What the clients saw, by query."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, seconds: float, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.latencies[name].append(seconds)
            else:
                self.errors[name].append(error)


def start_server(build: Path, timeout: float) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", str(build), "--port", "0", "--timeout",
         str(timeout)], stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    line = process.stderr.readline()  # the announcement, once the store is loaded
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not found:
        process.kill()
        sys.exit(f"kg serve did not start: {line}{process.stderr.read()}")
    return process, int(found[1])


def call(connection: http.client.HTTPConnection, method: str, path: str,
         body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    connection.request(method, path, body, headers or {})
    response = connection.getresponse()
    return response.status, response.read()


def typical_parameters(port: int, timeout: float) -> dict[str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout + 10)
    values = {}
    for name, query in TYPICAL.items():
        body = json.dumps({"query": query, "params": {}}).encode()
        status, answer = call(connection, "POST", "/api/query", body,
                              {"Content-Type": "application/json"})
        rows = json.loads(answer)["rows"] if status == 200 else []
        if not rows:
            sys.exit(f"no typical {name} in this graph ({status}: {answer[:200]!r})")
        values[name] = str(rows[0][0])
    connection.close()
    return values


def requests_to_send(values: dict[str, str]) -> list[tuple[str, str]]:
    """(name, path) of every query a client sends in turn."""
    paths = []
    for saved in saved_queries().values():
        params = {p.name: values[p.name] for p in saved.parameters if p.required}
        paths.append((saved.name, f"/api/saved/{quote(saved.name)}?{urlencode(params)}"))
    paths.append(("sparql: nodes by type", "/sparql?" + urlencode({"query": PROTOCOL_QUERY})))
    return paths


def client(port: int, paths: list[tuple[str, str]], offset: int, deadline: float,
           timeout: float, tally: Tally) -> None:
    """Send the queries in turn, from `offset`, until `deadline`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout + 10)
    turn = offset
    while time.monotonic() < deadline:
        send(connection, *paths[turn % len(paths)], tally)
        turn += 1
    connection.close()


def send(connection: http.client.HTTPConnection, name: str, path: str, tally: Tally) -> None:
    started = time.perf_counter()
    try:
        status, body = call(connection, "GET", path)
        error = None if status == 200 else f"{status}: {body[:120].decode(errors='replace')}"
    except (OSError, http.client.HTTPException) as failure:
        error = f"{type(failure).__name__}: {failure}"
        connection.close()  # reconnects on the next request
    tally.add(name, time.perf_counter() - started, error)


def resident_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status)[1]) / 1024  # type: ignore[index]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("build", type=Path, help="a folder kg build wrote, or a graph file")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--seconds", type=float, default=30, help="how long the load lasts (30)")
    parser.add_argument("--timeout", type=float, default=60, help="kg serve --timeout (60)")
    args = parser.parse_args()

    loading = time.perf_counter()
    server, port = start_server(args.build, args.timeout)
    try:
        ready = time.perf_counter() - loading
        started_mib = resident_mib(server.pid)
        paths = requests_to_send(typical_parameters(port, args.timeout))
        warm = Tally()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=args.timeout + 10)
        for name, path in paths:
            send(connection, name, path, warm)
        connection.close()
        before_mib = resident_mib(server.pid)
        tally = Tally()
        deadline = time.monotonic() + args.seconds
        threads = [threading.Thread(target=client, args=(port, paths, i, deadline, args.timeout,
                                                         tally)) for i in range(args.clients)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        after_mib = resident_mib(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(60)

    total = sum(len(v) for v in tally.latencies.values())
    failed = sum(len(v) for v in tally.errors.values())
    print(f"kg serve {args.build}: ready in {ready:.1f} s; {args.clients} clients for "
          f"{elapsed:.1f} s: {total:,} answers ({total / elapsed:.1f}/s), {failed:,} errors")
    print(f"server memory (RSS): {started_mib:.0f} MiB at start, {before_mib:.0f} MiB after the "
          f"warm-up, {after_mib:.0f} MiB after the load ({after_mib - before_mib:+.1f} MiB)")
    print("| query | answers | p50 ms | p95 ms | max ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, _ in paths:
        times = [t * 1000 for t in tally.latencies.get(name, [])]
        p50, p95, top = ((percentile(times, 0.5), percentile(times, 0.95), max(times))
                         if times else (math.nan,) * 3)
        print(f"| {name} | {len(times):,} | {p50:.1f} | {p95:.1f} | {top:.1f} | "
              f"{len(tally.errors.get(name, [])):,} |")
    for name, errors in tally.errors.items():
        print(f"  {name}: first error {errors[0]}")
    for name, errors in warm.errors.items():
        print(f"  warm-up {name}: {errors[0]}")


if __name__ == "__main__":
    main()
