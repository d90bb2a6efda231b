"""The whole path as plain functions: read -> merge -> extract -> build -> export.

`build()` is what `kg build` runs; `read_papers()` and `extract_concepts()` are its first
stages, used on their own by `kg extract` and `kg analyze`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from kg import analyze, query, sources
from kg.concepts import extract
from kg.concepts.base import Extraction
from kg.export import export
from kg.graph import build_graph
from kg.merge import Account, PaperMerger
from kg.model import Paper, Rejection
from kg.progress import Progress, Silent
from kg.vocab import DEFAULT_BASE

DEFAULT_OUT = Path("outputs")
# GraphML of the whole graph is opt-in (`--export graphml`): it is as large as the Turtle and
# slow to write; `kg analyze` writes the co-author and concept networks Gephi users want.
DEFAULT_EXPORTS = ("rdf", "html", "summary")


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
    progress = progress or Silent()
    timings = timings or Timings()
    with timings.stage("read"):
        paths = sources.find_inputs(inputs)
        account = Account(files=len(paths))
        merger = PaperMerger()
        with progress.stage("Reading digests", total=len(paths)) as advance:
            current: Path | None = None
            for path, entry in sources.read(paths):
                if path != current:
                    if current is not None:
                        advance(1)
                    current = path
                if isinstance(entry, Rejection):
                    account.rejections.append(entry)
                    if entry.line:  # a file-level refusal is not an entry
                        account.entries += 1
                    continue
                account.entries += 1
                account.duplicates_merged += merger.add(entry)
            if current is not None:
                advance(1)
        papers = merger.papers()
        account.distinct_papers = len(papers)
    return papers, account


def extract_concepts(
    papers: Sequence[Paper], extractor: str = "spacy", progress: Progress | None = None,
    concepts: Sequence[str | Path] = (),
) -> Extraction:
    """Concepts of `papers` with the named extractor, placed in the curated scheme and the
    user's `concepts` files, with a progress bar per paper."""
    progress = progress or Silent()
    with progress.stage("Extracting concepts", total=len(papers)) as advance:
        return extract(papers, extractor=extractor, progress=advance, concepts=concepts)


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
    files), build the graph and write every export into `out_dir`."""
    progress = progress or Silent()
    timings = Timings()
    out = Path(out_dir)
    papers, account = read_papers(inputs, progress, timings)
    with timings.stage("extract"):
        extraction = extract_concepts(papers, extractor, progress, concepts)
    with timings.stage("build"):
        graph = build_graph(papers, extraction)
        graph.graph["account"] = account.as_dict()
    files: list[Path] = []
    options = {"formats": formats, "base": base, "max_nodes": max_nodes}
    for name in exports:
        with timings.stage(f"export:{name}"), progress.stage(f"Writing {name}") as advance:
            files += export(name, graph, out, **options)
            advance(1)
    return BuildResult(graph, papers, extraction, account, files, timings)


def analyze_graph(graph_dir: str | Path = DEFAULT_OUT, out_dir: str | Path | None = None,
                  top: int = 10) -> list[Path]:
    """Co-author and concept co-occurrence networks of a built graph folder: `analysis.md`,
    `coauthors.graphml`, `concepts.graphml` in `out_dir` (default: the graph folder)."""
    store = query.load_store(Path(graph_dir))
    coauthors = analyze.coauthor_network(*analyze.incidence_from_store(store, "author"))
    concepts = analyze.cooccurrence_network(*analyze.incidence_from_store(store, "concept"))
    target = Path(out_dir) if out_dir is not None else Path(graph_dir)
    return analyze.write_analysis(target, coauthors, concepts, top=top, source=str(graph_dir))
