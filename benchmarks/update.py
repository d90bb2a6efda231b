"""What adding a day to a build costs, against building that day alone.

    .venv/bin/python benchmarks/update.py ../shared/corpus/daily-jsonl [--repeat 3]

Builds every day of the folder but the last into one folder (`kg build`), then, each in a
fresh `kg` process whose CPU time is read from the operating system: adds the last day to a
copy of that build (`kg build LAST --into`), and builds the last day alone in an empty folder,
the two alternating `--repeat` times; then adds the day again (nothing new). The ratio of the
best update to the best day alone is the one the issue bounds (at most 1.5): on a shared
machine one run's timings move by up to 30%, and the best of each, taken in turns, is the
least disturbed. The CPU time of the whole first build is given for scale. Each `kg` process
pays its interpreter start and imports, so they are measured alike.
"""

from __future__ import annotations

import argparse
import resource
import shutil
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
    parser.add_argument("--repeat", type=int, default=3, help="updates and day-alone builds")
    args = parser.parse_args()
    days = sorted(p for p in args.folder.iterdir() if p.is_file())
    earlier, last = days[:-1], days[-1]
    with tempfile.TemporaryDirectory() as tmp:
        build = Path(tmp, "build")
        first = timed("build", *map(str, earlier), "--out", str(build), "-q")
        updates, alone = [], []
        for n in range(args.repeat):
            copy, fresh = Path(tmp, f"update-{n}"), Path(tmp, f"alone-{n}")
            shutil.copytree(build, copy, symlinks=True)
            updates.append(timed("build", str(last), "--into", str(copy), "-q"))
            alone.append(timed("build", str(last), "--out", str(fresh), "-q"))
            shutil.rmtree(copy)
        timed("build", str(last), "--into", str(build), "-q")  # the day in, then once more:
        again = timed("build", str(last), "--into", str(build), "-q")
    update, day = min(updates), min(alone)
    rows = [(f"build of {len(earlier)} days", first),
            (f"add {last.name} (best of {args.repeat})", update),
            ("add it again (nothing new)", again), (f"{last.name} alone (best)", day)]
    print("| run | CPU s | wall s |\n|---|---:|---:|")
    for name, (cpu, wall) in rows:
        print(f"| {name} | {cpu:.1f} | {wall:.1f} |")
    print(f"\nevery update: {', '.join(f'{cpu:.1f}' for cpu, _ in updates)} s; every day alone: "
          f"{', '.join(f'{cpu:.1f}' for cpu, _ in alone)} s")
    print(f"update / day alone: {update[0] / day[0]:.2f} in CPU time "
          f"({update[1] / day[1]:.2f} wall)")


if __name__ == "__main__":
    main()
