"""What adding a day to a build costs, against building that day alone.

    .venv/bin/python benchmarks/update.py ../shared/corpus/daily-jsonl

Builds every day of the folder but the last into one folder (`kg build`), then, each in a
fresh `kg` process whose CPU time is read from the operating system: adds the last day to that
build (`kg build LAST --into`), adds it again (nothing new), and builds the last day alone in
an empty folder. The ratio update / day alone is the one the issue bounds (at most 1.5); the
CPU time of the whole first build is given for scale. Each `kg` process pays its interpreter
start and imports, so the three are measured alike.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KG = [sys.executable, "-m", "kg"]


def timed(*args: str) -> tuple[float, float]:
    """CPU and wall seconds of one `kg` command in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([*KG, *args], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a folder of daily digests, one file a day")
    args = parser.parse_args()
    days = sorted(p for p in args.folder.iterdir() if p.is_file())
    earlier, last = days[:-1], days[-1]
    with tempfile.TemporaryDirectory() as tmp:
        build, alone = Path(tmp, "build"), Path(tmp, "alone")
        first = timed("build", *map(str, earlier), "--out", str(build), "-q")
        update = timed("build", str(last), "--into", str(build), "-q")
        again = timed("build", str(last), "--into", str(build), "-q")
        day = timed("build", str(last), "--out", str(alone), "-q")
    rows = [(f"build of {len(earlier)} days", first), (f"add {last.name}", update),
            ("add it again (nothing new)", again), (f"{last.name} alone", day)]
    print("| run | CPU s | wall s |\n|---|---:|---:|")
    for name, (cpu, wall) in rows:
        print(f"| {name} | {cpu:.1f} | {wall:.1f} |")
    print(f"\nupdate / day alone: {update[0] / day[0]:.2f} in CPU time "
          f"({update[1] / day[1]:.2f} wall)")


if __name__ == "__main__":
    main()
