"""Concept extraction: which methods, tasks, datasets, metrics and systems each paper names.

`extract(papers)` runs a registered extractor over the whole build at once, so that an acronym
defined in one paper links its bare use in another, then places its concepts in the curated
scheme and the user's concept files (`kg.concepts.scheme`), whatever the extractor. Extractors
register in `extractors` under a name; the built-in "spacy" one is declared here and loaded on
first use.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any

from kg import collector
from kg.concepts.base import (
    CONCEPT_TYPES,
    Concept,
    Extraction,
    Extractor,
    Mention,
    Progress,
    extractors,
)
from kg.concepts.scheme import Scheme, load_scheme, place
from kg.model import Paper

# The spaCy extractor's module registers it when it is first asked for: spaCy takes seconds to
# import, and only `build` and `extract` need it.
extractors.add_lazy("spacy", "kg.concepts.spacy_extractor")

__all__ = ["CONCEPT_TYPES", "Concept", "Extraction", "Extractor", "Mention", "Progress",
           "extract", "extractors"]


def extract(papers: Sequence[Paper], extractor: str = "spacy", progress: Progress | None = None,
            concepts: Sequence[str | Path] = (), scheme: Scheme | None = None,
            cache: MutableMapping[str, Any] | None = None) -> Extraction:
    """Concepts and mentions of `papers` by the extractor registered as `extractor`, placed in
    `scheme`, or else the curated scheme extended by the `concepts` files (see
    `kg.concepts.scheme.load_scheme`). `cache` holds what an earlier run found in each text,
    the extractor's (`Extractor.prime`) and the scheme's (`Scheme.recognitions`, and where
    each concept was placed, `Scheme.placements`), each under its version; it is updated with
    this run's.

    The scheme loads first: a broken concepts file fails before the long extraction.
    """
    scheme = scheme or load_scheme(concepts)
    run = extractors.get(extractor)()
    if cache is not None:
        run.prime(_part(cache, "extractor"))
        scheme.recognitions.prime(cache.get("scheme"))
        scheme.placements.prime(cache.get("placement"))
    extraction = run(papers, progress)
    with collector.paused():  # placing and packing make many objects and no cycles
        placed = place(extraction, papers, scheme)
        if cache is not None:
            cache.clear()
            cache.update(extractor=run.cache_state(), scheme=scheme.recognitions.state(),
                         placement=scheme.placements.state())
    return placed


def _part(cache: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """One part of a cache read from disk, empty when it is not what this kg writes."""
    part = cache.get(name)
    return part if isinstance(part, Mapping) else {}
