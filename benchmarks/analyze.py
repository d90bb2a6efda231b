"""What `kg analyze` costs against the build it analyses, measured in the same run.

    .venv/bin/python benchmarks/analyze.py ../shared/corpus/daily-jsonl
    .venv/bin/python benchmarks/analyze.py ../shared/corpus/archive/daily-jsonl-*.tar.xz

Builds INPUT into a temporary folder (`kg build`, a child process), then analyses it
(`kg analyze`, another), and reports each one's CPU time, wall time and peak memory, read from
the operating system, and the analysis's CPU time as a share of the build's (issue 9 bounds
it at 10% on the archive, with a peak of at most 2 GB).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KG = [sys.executable, "-m", "kg"]


def measured(*args: str) -> tuple[float, float, float]:
    """CPU seconds, wall seconds and peak resident GiB of one `kg` command in a child. The
    peak is read from a fresh waiter process so that earlier children do not count."""
    start = time.perf_counter()
    wrapper = [sys.executable, "-c",
               "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
               "stdout=subprocess.DEVNULL); u = resource.getrusage(resource.RUSAGE_CHILDREN); "
               "print(u.ru_utime + u.ru_stime, u.ru_maxrss)", *KG, *args]
    out = subprocess.run(wrapper, check=True, capture_output=True, text=True).stdout.split()
    cpu, peak_kib = float(out[0]), int(out[1])
    return cpu, time.perf_counter() - start, peak_kib / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", help="digests to build, as `kg build` takes them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        build = Path(tmp, "build")
        built = measured("build", *args.inputs, "--out", str(build), "-q")
        analysed = measured("analyze", "--graph", str(build), "-q")
    print("| step | CPU s | wall s | peak GiB |\n|---|---:|---:|---:|")
    for name, (cpu, wall, peak) in (("kg build", built), ("kg analyze", analysed)):
        print(f"| {name} | {cpu:.1f} | {wall:.1f} | {peak:.2f} |")
    print(f"\nanalysis / build: {analysed[0] / built[0]:.1%} of the CPU time")


if __name__ == "__main__":
    main()
