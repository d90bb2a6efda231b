"""How fast a built graph answers: the store beside rdflib's in-memory graph of the same Turtle.

    .venv/bin/python benchmarks/query.py /tmp/june              # a folder `kg build` wrote
    .venv/bin/python benchmarks/query.py /tmp/archive --no-rdflib

For the folder's store, in this process: the time to open it, and for each saved query (with
parameters taken from the graph) the time to its first row, best of `--repeat` (5). Lookups
are timed twice: for the largest case (the concept most papers mention, the author of most
papers), which must sort every paper found, and for a typical one (the concept ranked 100th,
an author of the median paper count among those with several papers); so is
authors-sharing-concepts. The rankings take the largest category. Then, in fresh processes, the wall
time of a whole `kg query` lookup (interpreter start included), best of five. The anchor users
start from is rdflib: its in-memory graph loaded from the same `graph.ttl`, its load time and
the same queries through `Graph.query` with the same bindings, in the same run; the table gives
each as a ratio. rdflib is skipped with `--no-rdflib` (the archive's Turtle would need more
memory than these machines have). Results go to stdout and `benchmarks/results/query-*.json`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kg.query import resolve_query, run_query, saved_queries
from kg.store import open_store

TARGETS = {  # seconds, from the issue, for the archive
    "papers-about-concept": 0.1, "coauthors": 0.1, "top-concepts": 1.0,
    "concepts-of-category": 1.0, "authors-sharing-concepts": 1.0,
}
TYPICAL = " (typical)"  # the suffix of a lookup's second, typical case
RESULTS = Path(__file__).parent / "results"


REPEAT = {"times": 5}  # `--repeat`


def best(run: Callable[[], Any], times: int | None = None) -> float:
    found = []
    for _ in range(times or REPEAT["times"]):
        start = time.perf_counter()
        run()
        found.append(time.perf_counter() - start)
    return min(found)


def parameters(store: Any) -> dict[str, dict[str, str]]:
    """The parameters of each timed query, read from the graph itself."""
    concepts = run_query(store, resolve_query("top-concepts"), {"limit": "100"}).rows
    authors = run_query(store, """
        SELECT ?name (COUNT(?p) AS ?n) WHERE { ?p dcterms:creator ?a . ?a foaf:name ?name }
        GROUP BY ?name HAVING (COUNT(?p) > 1) ORDER BY DESC(?n) ?name""").rows
    category = run_query(store, """
        SELECT ?code (COUNT(?p) AS ?n) WHERE { ?p kg:primaryCategory/skos:notation ?code }
        GROUP BY ?code ORDER BY DESC(?n) ?code LIMIT 1""").rows[0][0]
    largest, typical = str(authors[0][0]), str(authors[len(authors) // 2][0])
    return {"papers-about-concept": {"concept": str(concepts[0][0])},
            f"papers-about-concept{TYPICAL}": {"concept": str(concepts[-1][0])},
            "coauthors": {"author": largest}, f"coauthors{TYPICAL}": {"author": typical},
            "top-concepts": {}, "concepts-of-category": {"category": str(category)},
            "authors-sharing-concepts": {"author": largest},
            f"authors-sharing-concepts{TYPICAL}": {"author": typical}}


def first_row(store: Any, name: str, params: dict[str, str]) -> float:
    text = resolve_query(name.removesuffix(TYPICAL))
    return best(lambda: run_query(store, text, params | {"limit": "1"}))


def kg_query_process(folder: Path, params: dict[str, str]) -> float:
    args = [sys.executable, "-m", "kg", "query", "papers-about-concept", "--graph", str(folder),
            "--format", "csv", *(f"--param={k}={v}" for k, v in params.items())]
    return best(lambda: subprocess.run(args, check=True, capture_output=True))


def rdflib_side(turtle: Path, params: dict[str, dict[str, str]]) -> dict[str, float]:
    """Load time and each saved query's time on rdflib's in-memory graph."""
    import rdflib

    from kg.query import bind
    from kg.vocab import PREFIXES

    start = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(turtle, format="turtle")
    found = {"open": time.perf_counter() - start}
    for name, values in params.items():
        text = resolve_query(name.removesuffix(TYPICAL))
        bound = bind(text, values | {"limit": "1"}).values
        terms = {rdflib.Variable(k): rdflib.Literal(v) for k, v in bound.items()}
        found[name] = best(lambda text=text, terms=terms: list(graph.query(
            text, initNs=PREFIXES, initBindings=terms)), times=1)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--no-rdflib", action="store_true")
    parser.add_argument("--repeat", type=int, default=REPEAT["times"],
                        help="runs of each timing, the best kept (5)")
    args = parser.parse_args()
    REPEAT["times"] = args.repeat
    opened = best(lambda: open_store(args.folder))
    store = open_store(args.folder)
    params = parameters(store)
    rows = {"open": opened}
    rows.update({name: first_row(store, name, p) for name, p in params.items()})
    rows["kg query (whole process)"] = kg_query_process(
        args.folder, params[f"papers-about-concept{TYPICAL}"])
    anchor = {} if args.no_rdflib else rdflib_side(args.folder / "graph.ttl", params)
    print(f"{args.folder}: {len(store):,} triples; parameters {params}\n")
    print("(the largest lookups must sort every paper found, newest first)\n")
    print("| step | store s | target s | rdflib s | rdflib / store |\n|---|---:|---:|---:|---:|")
    for name, seconds in rows.items():
        target = TARGETS.get(name.removesuffix(TYPICAL),
                             {"open": 0.5, "kg query (whole process)": 1.5}.get(name))
        other = anchor.get(name)
        ratio = f"{other / seconds:,.0f}x" if other else ""
        print(f"| {name} | {seconds:.4f} | {target or ''} | "
              f"{'' if other is None else f'{other:.2f}'} | {ratio} |")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"query-{args.folder.name}.json"
    out.write_text(json.dumps({"store": rows, "rdflib": anchor, "parameters": params,
                               "triples": len(store)}, indent=2) + "\n", "utf-8")
    assert saved_queries().keys() >= TARGETS.keys()


if __name__ == "__main__":
    main()
