"""The explorer of `kg serve` on a build: server time per page and first-frame time in Chromium.

    .venv/bin/python benchmarks/explorer.py BUILD [--pages 10] [--screenshots docs/]

Serves BUILD (a folder `kg build` wrote) in this process with uvicorn on a free loopback port,
then picks pages the way a reader meets them, from the build itself: the most named concepts,
their newest papers, those papers' first authors, the largest categories, the days, and the
concept map. For each kind of page it reports the server's time to answer (p50, p95, max over
`--pages` pages, each asked twice, the first answer counted: that is what a reader waits for)
and, in Debian's headless chromium, the time from navigation to the drawing's first frame (the
`data-drawn-at` the page's script records), and from the page's arrival to it (the browser's
share). With `--screenshots DIR` it saves a screenshot of
one page of each kind there (`explorer-<kind>.png`, as the README shows them).

Search latency is measured by `benchmarks/search.py`.
"""

from __future__ import annotations

import argparse
import math
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import uvicorn
from playwright.sync_api import sync_playwright

from kg.explore.pages import Explorer
from kg.query import load_store
from kg.serve.app import bind, create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pages_to_visit(explorer: Explorer, count: int) -> dict[str, list[str]]:
    """Addresses by kind of page, chosen from the build's own busiest nodes."""
    home = explorer.home()
    concepts = [c["key"] for c in home["top"][:count]]
    papers = [explorer.concept(key)["listed"][0]["arxivId"] for key in concepts]
    authors = [explorer.paper(p)["authors"][0]["name"] for p in papers]
    categories = [c["code"] for c in sorted(home["categories"], key=lambda c: -c["papers"])]
    return {
        "paper": [f"/paper/{p}" for p in papers],
        "author": [f"/author/{quote(a)}" for a in authors],
        "concept": [f"/concept/{quote(k)}" for k in concepts],
        "category": [f"/category/{c}" for c in categories[:count]],
        "day": [f"/day/{d['date']}" for d in home["days"][:count]],
        "map": ["/map", *(f"/map?category={c}" for c in categories[:count - 1])],
        "home": ["/"],
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", type=Path)
    parser.add_argument("--pages", type=int, default=10, help="pages of each kind")
    parser.add_argument("--screenshots", type=Path, help="save a screenshot of each kind here")
    args = parser.parse_args()
    store = load_store(args.build)
    visits = pages_to_visit(Explorer(store), args.pages)
    app = create_app(store, label=args.build.name, own_process=True)  # as `kg serve` does
    listener = bind("127.0.0.1", 0)
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    try:
        print("| page | pages | server p50 ms | p95 ms | max ms | first frame p50 ms | max ms "
              "| max ms after the page arrived |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            for kind, paths in visits.items():
                served, frames, drawing = [], [], []
                for path in paths:
                    start = time.perf_counter()
                    with urllib.request.urlopen(base + path) as answer:
                        answer.read()
                    served.append((time.perf_counter() - start) * 1000)
                    page.goto(base + path)
                    if kind != "home":
                        page.wait_for_selector("div.drawing[data-drawn=true]", timeout=30000)
                        frames.append(float(page.get_attribute("div.drawing", "data-drawn-at")
                                            or "nan"))
                        drawing.append(float(page.get_attribute("div.drawing",
                                                                "data-drawn-after") or "nan"))
                if args.screenshots and kind != "home":
                    page.goto(base + paths[0])
                    page.wait_for_selector("div.drawing[data-drawn=true]", timeout=30000)
                    page.screenshot(path=str(args.screenshots / f"explorer-{kind}.png"))
                frame = (f"{percentile(frames, 0.5):.0f} | {max(frames):.0f} | "
                         f"{max(drawing):.0f}" if frames else "- | - | -")
                print(f"| {kind} | {len(paths)} | {percentile(served, 0.5):.0f} | "
                      f"{percentile(served, 0.95):.0f} | {max(served):.0f} | {frame} |")
            browser.close()
    finally:
        server.should_exit = True


if __name__ == "__main__":
    main()
