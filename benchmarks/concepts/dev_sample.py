"""Draw the dev sample of papers for concept gold annotation, reproducibly.

    .venv/bin/python benchmarks/concepts/dev_sample.py ../shared/corpus/daily-jsonl

A fixed seed picks papers per category from the June 2026 JSONL digests, before anyone looks
at what the extractor does with them; cs.RO has no primary papers in June, so its share comes
from cross-lists. Writes `dev-papers.jsonl` (daily-jsonl records without the Chinese AI fields,
so `kg extract` reads it) next to this file. See DEV-GOLD.md.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

SEED = 20260601
# Category -> papers; 24 in all, more where the archive has more papers.
QUOTA = {"cs.CV": 4, "cs.CL": 4, "cs.AI": 4, "cs.IT": 3, "cs.GR": 3, "cs.GT": 3, "cs.RO": 3}
KEEP = ("id", "categories", "pdf", "abs", "authors", "title", "comment", "summary")


def read(folder: Path) -> dict[str, dict]:
    """Every distinct paper of the folder's JSONL files; the last record of an id wins."""
    papers: dict[str, dict] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                papers[record["id"]] = {k: record[k] for k in KEEP if k in record}
    return papers


def sample(papers: dict[str, dict]) -> list[dict]:
    """QUOTA papers per category, primary category first, cross-lists for cs.RO."""
    rng = random.Random(SEED)
    chosen: list[dict] = []
    taken: set[str] = set()
    for category, count in QUOTA.items():
        pool = sorted(pid for pid, p in papers.items() if p.get("summary") and pid not in taken
                      and (p["categories"][0] == category
                           or (category == "cs.RO" and category in p["categories"])))
        for pid in rng.sample(pool, count):
            taken.add(pid)
            chosen.append(papers[pid])
    return chosen


def main() -> None:
    out = Path(__file__).with_name("dev-papers.jsonl")
    lines = [json.dumps(p, ensure_ascii=False) for p in sample(read(Path(sys.argv[1])))]
    out.write_text("\n".join(lines) + "\n", "utf-8")
    print(f"{len(lines)} papers -> {out}")


if __name__ == "__main__":
    main()
