"""Where an update's CPU time goes, stage by stage (see docs/incremental.md).

    cp -a BUILD /tmp/scratch && .venv/bin/python benchmarks/update_stages.py NEW... /tmp/scratch

Adds NEW digests to a copy of a build (`kg.update`, which changes the folder: give it a copy)
with the functions of each stage wrapped to sum their CPU time (`time.process_time`), and
prints the sums. Stages nest: "extractor" includes "parse and read", which includes spaCy.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from typing import Any

import kg
import kg.concepts
import kg.pipeline
import kg.store
from kg.concepts import spacy_extractor
from kg.export import html, rdf

SPENT: dict[str, float] = {}


def timed(owner: Any, name: str, label: str) -> None:
    """Replace `owner.name` by a wrapper adding its CPU time to SPENT[label]."""
    function: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[label] = SPENT.get(label, 0.0) + time.process_time() - start

    setattr(owner, name, wrapper)


STAGES = [
    (kg.pipeline, "read_state", "read the state"),
    (kg.pipeline, "read_cache", "read the cache"),
    (spacy_extractor.SpacyExtractor, "prime", "take the cache"),
    (spacy_extractor.SpacyExtractor, "_read", "parse and read candidates"),
    (spacy_extractor.SpacyExtractor, "__call__", "extractor (acronyms, assembly)"),
    (kg.concepts, "place", "placement"),
    (kg.pipeline, "build_graph", "graph"),
    (rdf, "_records", "records and their inputs"),
    (rdf, "_fingerprint", "fingerprints"),
    (rdf, "_render", "render the changed records"),
    (kg.store.StoreWriter, "record", "write the records (copy or render)"),
    (kg.store.StoreWriter, "write", "store"),
    (html, "overview", "the view's overview"),
    (kg.pipeline, "write_state", "write the state"),
    (kg.pipeline, "write_cache", "write the cache"),
]


def main() -> None:
    *inputs, folder = sys.argv[1:]
    for owner, name, label in STAGES:
        timed(owner, name, label)
    start = time.process_time()
    result = kg.update(inputs, folder)
    total = time.process_time() - start
    if result is None:
        print("Nothing new: every input is already in", folder)
        return
    print("| stage | CPU s |\n|---|---:|")
    for _, _, label in STAGES:
        print(f"| {label} | {SPENT.get(label, 0.0):.2f} |")
    print(f"| **update** | **{total:.1f}** |")


if __name__ == "__main__":
    main()
