"""The whole path as plain functions: read -> merge -> extract -> build -> export.

`build()` is what `kg build` runs; `read_papers()` and `extract_concepts()` are its first
stages, used on their own by `kg extract` and `kg analyze`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx

from kg import analyze, collector, query, sources, topics, trends
from kg.concepts import extract, extractors
from kg.concepts.base import Extraction
from kg.concepts.scheme import Scheme, load_scheme
from kg.errors import UsageError
from kg.export import export, exporters
from kg.export.rdf import FORMATS as RDF_FORMATS
from kg.export.registry import DEFAULT_EXPORTS
from kg.graph import build_graph
from kg.merge import Account
from kg.model import Paper
from kg.outputs import DEFAULT_OUT, OutputFolder, check_folder
from kg.progress import Progress, Silent
from kg.state import BuildState, read_cache, read_inputs, read_state, write_cache, write_state
from kg.vocab import DEFAULT_BASE, check_base


@dataclass
class Timings:
    """Wall time of each stage in seconds, in the order they ran."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


@dataclass
class BuildResult:
    graph: nx.DiGraph
    papers: list[Paper]
    extraction: Extraction
    account: Account
    files: list[Path]
    timings: Timings


def read_papers(
    inputs: Iterable[str | Path], progress: Progress | None = None,
    timings: Timings | None = None,
) -> tuple[list[Paper], Account]:
    """Distinct papers from files, folders, globs or archives, and the account of the reading.

    Raises `kg.sources.InputError` when an input names nothing.
    """
    timings = timings or Timings()
    with timings.stage("read"):
        state = BuildState()
        read_inputs(state, sources.find_inputs(inputs), progress or Silent())
        return state.papers()


def extract_concepts(
    papers: Sequence[Paper], extractor: str = "spacy", progress: Progress | None = None,
    concepts: Sequence[str | Path] = (), scheme: Scheme | None = None,
    cache: dict[str, Any] | None = None,
) -> Extraction:
    """Concepts of `papers` with the named extractor, placed in `scheme` or else the curated
    scheme and the user's `concepts` files, with a progress bar per paper (`cache`: see
    `kg.concepts.extract`)."""
    progress = progress or Silent()
    with progress.stage("Extracting concepts", total=len(papers)) as advance:
        return extract(papers, extractor=extractor, progress=advance, concepts=concepts,
                       scheme=scheme, cache=cache)


def concept_records(
    papers: Sequence[Paper], extraction: Extraction, types: set[str] | None = None,
    min_confidence: float = 0.0,
) -> Iterator[dict]:
    """The `kg extract` contract, one record per paper: the concepts the graph links it to.

    `{"id": ..., "concepts": [{"label", "type", "aliases", "confidence", "evidence"}]}`;
    concept quality is scored on this output, so keep it stable.
    """
    for paper in papers:
        rows = []
        mentions = extraction.mentions.get(paper.id, [])
        for concept in extraction.concepts_of(paper.id):
            own = [m for m in mentions if m.concept == concept.key]
            confidence = max(m.confidence for m in own)
            if (types and concept.type not in types) or confidence < min_confidence:
                continue
            rows.append({
                "label": concept.label,
                "type": concept.type,
                "aliases": sorted(concept.alt_labels - {concept.label}),
                "confidence": round(confidence, 3),
                "evidence": [{"section": m.section, "start": m.start, "end": m.end,
                              "text": m.surface} for m in own],
            })
        yield {"id": paper.id, "concepts": rows}


def build(
    inputs: Iterable[str | Path],
    out_dir: str | Path = DEFAULT_OUT,
    *,
    formats: Sequence[str] = ("turtle",),
    base: str = DEFAULT_BASE,
    extractor: str = "spacy",
    concepts: Sequence[str | Path] = (),
    max_nodes: int = 1500,
    exports: Sequence[str] = DEFAULT_EXPORTS,
    progress: Progress | None = None,
) -> BuildResult:
    """Read digests, extract concepts (placed in the curated scheme and the user's `concepts`
    files), build the graph and write every export into `out_dir`.

    Every option, input path and concepts file is checked before any work (`UsageError`), and
    `out_dir` is locked for the whole build: its files change all at once at the end (see
    `kg.outputs`), so a build that fails or is killed leaves the previous one whole. What was
    read and what the extractor found are kept in the folder (`kg.state`), for `update`; a
    text an earlier build of the folder parsed is not parsed again.
    """
    check_build_options(out_dir, formats=formats, base=base, extractor=extractor,
                        max_nodes=max_nodes, exports=exports)
    options = {"formats": list(formats), "base": base, "extractor": extractor,
               "concepts": [os.path.abspath(c) for c in concepts], "max_nodes": max_nodes,
               "exports": list(exports)}
    progress = progress or Silent()
    timings = Timings()
    paths = sources.find_inputs(inputs)
    scheme = load_scheme(concepts)
    with OutputFolder(out_dir) as out:
        state = BuildState(options)
        with timings.stage("read"):
            read_inputs(state, paths, progress)
        return _build(state, scheme, out, progress, timings)


def update(
    inputs: Iterable[str | Path],
    folder: str | Path = DEFAULT_OUT,
    *,
    concepts: Sequence[str | Path] | None = None,
    progress: Progress | None = None,
) -> BuildResult | None:
    """Add digests to the build in `folder`, with the options it was built with (and new
    `concepts` files, when given); None when nothing is new.

    Only new or changed files are read and only texts no earlier build parsed go through
    spaCy; everything that spans papers (acronyms, concept placement, counts, the view, the
    summary) is redone over all of them, so the folder ends as a rebuild from all the inputs
    would leave it.
    """
    progress = progress or Silent()
    timings = Timings()
    check_folder(Path(folder))
    paths = sources.find_inputs(inputs)
    with OutputFolder(folder) as out:
        state = read_state(out.path)
        if concepts is not None:
            state.options["concepts"] = [os.path.abspath(c) for c in concepts]
        scheme = load_scheme(state.options["concepts"])
        with timings.stage("read"):
            read = read_inputs(state, paths, progress)
        if not read and concepts is None:
            return None
        return _build(state, scheme, out, progress, timings)


def _build(state: BuildState, scheme: Scheme, out: OutputFolder, progress: Progress,
           timings: Timings) -> BuildResult:
    """Everything after the reading, from the entries `state` holds, committed into `out`."""
    options = state.options
    with collector.long_lived() as settle:
        papers, account = state.papers()
        cache = read_cache(out.path)
        settle()
        with timings.stage("extract"):
            extraction = extract_concepts(papers, options["extractor"], progress, scheme=scheme,
                                          cache=cache)
        write_cache(out, cache)  # staged now, so that it is not held through the exports
        del cache
        settle()
        with timings.stage("build"), collector.paused():
            graph = build_graph(papers, extraction)
            graph.graph["account"] = account.as_dict()
        settle()
        files: list[Path] = []
        for name in options["exports"]:
            with timings.stage(f"export:{name}"), progress.stage(f"Writing {name}") as advance, \
                    collector.paused():
                files += export(name, graph, out, formats=options["formats"],
                                base=options["base"], max_nodes=options["max_nodes"])
                advance(1)
        write_state(out, state)
        out.commit()
    return BuildResult(graph, papers, extraction, account, files, timings)


def check_build_options(out_dir: str | Path, *, formats: Sequence[str], base: str,
                        extractor: str, max_nodes: int, exports: Sequence[str]) -> None:
    """Raise `UsageError` for an option `build` cannot run with, before it starts."""
    _check_choices("RDF format", formats, list(RDF_FORMATS))
    _check_choices("export", exports, exporters.names())
    _check_choices("concept extractor", [extractor], extractors.names())
    if max_nodes < 1:
        raise UsageError(f"--max-nodes must be at least 1, not {max_nodes}")
    check_base(base)
    check_folder(Path(out_dir))


def _check_choices(what: str, given: Sequence[str], choices: Sequence[str]) -> None:
    unknown = [g for g in given if g not in choices]
    if unknown:
        raise UsageError(f"unknown {what} {', '.join(map(repr, unknown))} "
                         f"(choose from {', '.join(choices)})")


def analyze_graph(graph_dir: str | Path = DEFAULT_OUT, out_dir: str | Path | None = None,
                  top: int = 10, *, min_occurrences: int = topics.MIN_OCCURRENCES,
                  resolution: float = topics.RESOLUTION, category: str | None = None,
                  since: str | None = None, until: str | None = None) -> list[Path]:
    """Co-author and concept co-occurrence networks of a built graph folder, and its topics:
    `analysis.md`, `coauthors.graphml`, `concepts.graphml` and `topics.csv` in `out_dir`
    (default: the graph folder). The topics read the papers of `category` and of the days
    from `since` to `until` (YYYY-MM-DD), when given."""
    if top < 1:
        raise UsageError(f"--top must be at least 1, not {top}")
    if min_occurrences < 1:
        raise UsageError(f"--min-occurrences must be at least 1, not {min_occurrences}")
    if resolution <= 0:
        raise UsageError(f"--resolution must be above 0, not {resolution}")
    for name, day in (("--since", since), ("--until", until)):
        if day is not None and not _is_day(day):
            raise UsageError(f"{name} must be a day as YYYY-MM-DD, not {day!r}")
    target = Path(out_dir) if out_dir is not None else Path(graph_dir)
    check_folder(target)
    store = query.load_store(Path(graph_dir))
    authorship = analyze.incidence_from_store(store, "author")
    coauthors = analyze.coauthor_network(*authorship)
    day_of, categories_of = analyze.days_from_store(store)
    mentions = analyze.incidence_from_store(store, "concept")
    concepts = analyze.cooccurrence_network(*mentions)
    scoped = analyze.incidence_from_store(store, "concept", category=category, since=since,
                                          until=until) if category or since or until else mentions
    if not scoped.pairs and (category or since or until):
        raise UsageError(f"no paper of the build has concepts{_scope(category, since, until)}")
    found = topics.topics(*scoped, min_occurrences=min_occurrences, resolution=resolution,
                          day_of=day_of)
    time = trends.time_report(*mentions, day_of, categories_of, since=since, until=until)
    return analyze.write_analysis(target, coauthors, concepts, top=top, source=str(graph_dir),
                                  topics=found, scope=_scope(category, since, until), time=time,
                                  several=analyze.homonyms(authorship.pairs, categories_of),
                                  collaboration=analyze.collaboration(authorship.pairs,
                                                                      categories_of))


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _scope(category: str | None, since: str | None, until: str | None) -> str:
    """Which papers a scoped analysis reads, as words: " in cs.CV, from 2026-06-01"."""
    parts = [f"in {category}"] if category else []
    parts += [f"from {since}"] if since else []
    parts += [f"until {until}"] if until else []
    return (" " + ", ".join(parts)) if parts else ""
