"""How long each hostile input takes to read, and its peak memory, each in a fresh process.

    .venv/bin/python benchmarks/hostile.py [FILE...]   # default: every file of tests/data/hostile

Each file is read by `kg.pipeline.read_papers` in a child process of its own, so that its peak
resident memory (`ru_maxrss`) is its own. The baseline, measured in the same run, is a child
that only imports kg: the table gives each file's time and its memory above that baseline, and
what kg made of it (papers kept, entries rejected, file problems).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HOSTILE = Path(__file__).resolve().parents[1] / "tests" / "data" / "hostile"
CHILD = """
import json, resource, sys, time
import kg.pipeline
start = time.perf_counter()
papers, account = kg.pipeline.read_papers(sys.argv[1:]) if sys.argv[1:] else ([], None)
print(json.dumps({
    "seconds": time.perf_counter() - start,
    "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "papers": len(papers),
    "rejected": account.entries_rejected if account else 0,
    "file_problems": account.file_problems if account else 0,
}))
"""


def measure(*files: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, *map(str, files)], capture_output=True,
                          text=True, check=True, timeout=600)
    return json.loads(done.stdout)


def main(argv: list[str]) -> None:
    files = [Path(a) for a in argv] or sorted(
        p for p in HOSTILE.iterdir() if p.name not in ("make_hostile.py", "README.md"))
    baseline = measure()
    print(f"baseline (import kg only): {baseline['peak_kb'] / 1024:.0f} MB peak")
    print("| file | size | seconds | MB above baseline | papers | rejected | file problems |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for path in files:
        m = measure(path)
        extra = (m["peak_kb"] - baseline["peak_kb"]) / 1024
        print(f"| `{path.name}` | {path.stat().st_size:,} | {m['seconds']:.3f} | {extra:.1f} | "
              f"{m['papers']} | {m['rejected']} | {m['file_problems']} |")


if __name__ == "__main__":
    main(sys.argv[1:])
