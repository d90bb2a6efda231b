"""How fast the explorer's search box answers (`kg.explore.search`), typed as a person types.

    .venv/bin/python benchmarks/search.py /tmp/june29 [--queries 1000] [--seed 8]

Opens the store of BUILD (a folder `kg build` wrote) and builds the index from it twice: once
for its wall time and the growth of the process's peak resident size, once under tracemalloc
for the Python memory the index keeps and the peak while it is built. Then it types: names
drawn with a fixed seed from the index, in turn a title, an author, a concept's label or alias
and a category's code or name, each typed a character at a time (every prefix is a query, as
the box asks for suggestions at each keystroke), and each typed again with a typo (two
neighbouring letters of its longest word swapped), every prefix from the typo on. It stops
after the name that reaches `--queries`. Reported: the p50, p95 and max latency of
`search(query, limit=10)` over all queries and for each way of typing, and how often the
typed node came in the first ten hits once its name was whole, without and with the typo.

The target (the issue): p95 <= 100 ms on the archive build.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import re
import resource
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.explore.search import KINDS, Hit, SearchIndex
from kg.store import open_store

LIMIT = 10
WORD = re.compile(r"\w{4,}")
MiB = 1 << 20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def build(store: ox.Store) -> tuple[SearchIndex, dict[str, float]]:
    """The index, its build time and memory (see the module docstring)."""
    gc.collect()
    rss = peak_rss_mib()
    start = time.perf_counter()
    index = SearchIndex.from_store(store)
    seconds = time.perf_counter() - start
    rss_growth = peak_rss_mib() - rss
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    traced = SearchIndex.from_store(store)
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced
    return index, {"seconds": seconds, "kept_mib": (kept - before) / MiB,
                   "peak_mib": (peak - before) / MiB, "peak_rss_growth_mib": rss_growth}


def typo(name: str) -> tuple[str, int] | None:
    """`name` with two neighbouring letters of its longest word swapped, and where: None for a
    name without a word of four letters (the index tries typos from four letters on)."""
    words = sorted(WORD.finditer(name), key=lambda m: (-len(m[0]), m.start()))
    for word in words:
        for i in range(word.start() + 1, word.end() - 1):
            if name[i] != name[i + 1] and name[i].isalpha() and name[i + 1].isalpha():
                return name[:i] + name[i + 1] + name[i] + name[i + 2:], i
    return None


def sample(index: SearchIndex, seed: int) -> Iterator[Hit]:
    """Names of the index in turn by kind (titles, not ids, for papers), drawn at random."""
    pools: dict[str, list[Hit]] = {kind: [] for kind in KINDS}
    for hit in index.names():
        if hit.kind != "paper" or hit.matched != hit.id:
            pools[hit.kind].append(hit)
    chooser = random.Random(seed)
    while True:
        for kind in KINDS:
            if pools[kind]:
                yield chooser.choice(pools[kind])


def typed(index: SearchIndex, count: int,
          seed: int) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """Type names until `count` queries are asked; their latencies and what was found."""
    times: dict[str, list[float]] = {"typing": [], "typing with a typo": []}
    found = {"whole": 0, "whole with a typo": 0}
    names = {"whole": 0, "whole with a typo": 0}
    asked = 0
    for hit in sample(index, seed):
        if asked >= count:
            break
        node = (hit.kind, hit.id)
        wrong = typo(hit.matched)
        runs = [("typing", hit.matched, 1, "whole")]
        if wrong is not None:
            runs.append(("typing with a typo", wrong[0], wrong[1] + 1, "whole with a typo"))
        for way, text, first, whole in runs:
            hits: list[Hit] = []
            for end in range(first, len(text) + 1):
                start = time.perf_counter()
                hits = index.search(text[:end], limit=LIMIT)
                times[way].append(time.perf_counter() - start)
                asked += 1
            names[whole] += 1
            found[whole] += node in {(h.kind, h.id) for h in hits}
    every = [t for ways in times.values() for t in ways]
    latency = {way: {"queries": len(ts), "p50_ms": percentile(ts, 0.5) * 1000,
                     "p95_ms": percentile(ts, 0.95) * 1000, "max_ms": max(ts) * 1000}
               for way, ts in {"all": every, **times}.items() if ts}
    return latency, {k: f"{found[k]} of {names[k]}" for k in found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a folder `kg build` wrote")
    parser.add_argument("--queries", type=int, default=1000, help="queries to ask (about)")
    parser.add_argument("--seed", type=int, default=8, help="the names drawn")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    opened = time.perf_counter()
    store = open_store(args.folder)
    opened = time.perf_counter() - opened
    index, cost = build(store)
    kinds = {kind: 0 for kind in KINDS}
    for hit in index.names():
        kinds[hit.kind] += 1
    print(f"{args.folder}: store opened in {opened * 1000:.0f} ms; {len(index):,} names "
          f"({', '.join(f'{n:,} {k}' for k, n in kinds.items())})")
    print(f"index built in {cost['seconds']:.2f} s; keeps {cost['kept_mib']:.1f} MiB of Python "
          f"objects, {cost['peak_mib']:.1f} MiB at the peak of the build (tracemalloc); peak "
          f"resident size grew {cost['peak_rss_growth_mib']:.0f} MiB")
    latency, found = typed(index, args.queries, args.seed)
    print(f"\n{'queries':<22}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for way, row in latency.items():
        print(f"{way:<22}{row['queries']:>7.0f}{row['p50_ms']:>9.2f}{row['p95_ms']:>9.2f}"
              f"{row['max_ms']:>9.2f}")
    print("\nthe typed node in the first ten once its name is whole:",
          ", ".join(f"{k}: {v}" for k, v in found.items()))
    if args.json:
        args.json.write_text(json.dumps({"folder": str(args.folder), "names": len(index),
                                         "by_kind": kinds, "build": cost, "latency": latency,
                                         "found_in_first_ten": found}, indent=2))


if __name__ == "__main__":
    main()
