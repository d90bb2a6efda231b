"""Exploratory sweep for regular expressions that backtrack superlinearly (ReDoS).

    .venv/bin/python benchmarks/redos_sweep.py              # every pattern, about 3 minutes
    .venv/bin/python benchmarks/redos_sweep.py --only markdown._HEADING --verbose
    .venv/bin/python benchmarks/redos_sweep.py --list       # the patterns and how each is used

It finds every compiled `re.Pattern` that is a module global of a `kg` module, and every
literal pattern passed to `re.match`, `re.sub`, `re.split`, ... inside a function, and reads
kg's source to see how each is used: `.match`, `.fullmatch`, `.search`, or a scan (`findall`,
`finditer`, `sub`, `split`, which try every start position as `search` does). Each pattern is
then run, the way it is used, on crafted strings `prefix + unit * n + suffix`: prefixes are the
line starts the readers look for (`### [1] [`, `**a:`, `[a](http://`, `</details># `, ...),
units are single characters, pairs of the characters the patterns are built around, and longer
pieces (`&nbsp;`, `](http://`, `<?a?>`, ...), suffixes are the end of the string, a character
that fails there, a final line break (where `$` also matches) and a space.

A string is timed at 500 and 1,000 characters; one that is slow and grows faster than its
length is timed again at 500, 2,000 and 8,000 characters (CPU time, best of three or five).
Four times the length should take about four times as long: the sweep reports each pattern
(and use) whose time grew by more than `--ratio` (default 8; quadratic growth gives 16, cubic
64), with the worst string, the growth and the time at 8,000 characters ("~": extrapolated, as
a run predicted to last over 5 s is not made; "interrupted": a run was stopped after 2 s, as
exponential ones never end), and exits 1 if it reported anything; else it says so and exits 0.
A pattern that is superlinear only on text its caller never gives it is run on the text the
caller gives (`USAGE`).

This is a tool for developers, not a test: timings are noisy on a shared machine, so a finding
is a lead to read the pattern, and `tests/test_linear_time.py` is the check the suite runs.
After changing or adding a pattern, run the sweep until it reports nothing.
"""

from __future__ import annotations

import argparse
import ast
import gc
import heapq
import importlib
import itertools
import pkgutil
import re
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import kg

SHORT, MIDDLE, LONG = 500, 2000, 8000
# A string is timed again only when its run at SHORT took longer than this (a linear pattern
# needs a few microseconds for 500 characters) and its run at 2 * SHORT 2.5 times as long.
SCREEN_SECONDS = 40e-6
# Below this time at MIDDLE, growth is timer noise and not worth the LONG run.
FLOOR_SECONDS = 100e-6
# A LONG run predicted to take longer than this is not made; the growth is extrapolated.
MAX_SECONDS = 5.0
# A run is interrupted after this long: exponential backtracking never ends.
TIMEOUT_SECONDS = 2.0
# A use of a pattern that has grown superlinearly on this many strings is not timed further.
ENOUGH = 20

PREFIXES = (
    "", "a", "### [1] [", "## ", "## a", "# ", "</details># ", "## <div ", "**", "**a:", "**a**",
    "- ", "- **", "> ", "|a|", "|", "[1] ", "[1] a", "[", "[a](", "[a](#b)", "[a](http://",
    "<summary>", "<details>", "<a ", "<", "Authors:", "a: ", "arXiv:", "arXiv:1 ",
    "https://arxiv.org/abs/", "10.1234/", "\\\\", "-" * 20, "a (", "(", "A. B", "\\'",
    "\\textbf{", "# param a", "# param a =", "# name", "<?xml", "<!--",
)
SINGLES = (
    " ", "\t", "a", "A", "0", "#", "[", "]", "(", ")", "*", ":", "：", ".", "-", "/", "|", "<",
    ">", "{", "}", "\\", ",", "_", ";", "'", '"', "?", "=", "!", "`", "+", "@", "&", "é", "中",
    "\u00a0", "\n",
)
# Pairs of these: the characters most patterns are built around.
CORE = (" ", "a", "0", "#", "[", "]", "(", ")", "*", ":", "-", "|", "<", "\\")
MULTI = (
    "&nbsp;", "](http://", "](", "[a](http://a", "v1", "[1]", "[a]", "**", "\\\\", "10.1234/",
    "arXiv:", "a b", "a, ", " and ", "(a", "a)", "((", "))", "<a>", "</details>", "# ",
    "\\'a", "\\textbf{", "{a}", "-based", "a.", "a. ", "(AB) ", "a (AB) ", "A. ", "a:", "a :",
    " |", "| ", " | ", "&nbsp;|&nbsp;", "http://", "<!--", "?>", "<?", "--", "1.", ".1",
    "# param", "=", "](https://arxiv.org/abs/", "arxiv.org/abs/", "<?a?>", "<!--a-->",
)
# The end of the string, a character that fails there, a final line break (where `$` matches
# too), a space that ends a run of non-spaces.
SUFFIXES = ("", "x", "\n", " x")

# How a caller prepares the text a pattern sees, when that keeps a pattern linear which is
# not linear on every string. Keys are "module.NAME".
USAGE: dict[str, Callable[[str], str]] = {
    # Tags are removed from the text up to its last ">" only (`_untagged`, `_html_text`).
    "sources.markdown._TAGS": lambda s: s[: s.rfind(">") + 1],
    "sources.rss._HTML_TAG": lambda s: s[: s.rfind(">") + 1],
    # `_identify` looks for a DOI in the heading's link, which has no spaces (`_TITLE_LINK`).
    "sources.markdown._DOI": lambda s: "".join(s.split()),
}

METHODS = {"match": "match", "fullmatch": "fullmatch", "search": "search", "findall": "scan",
           "finditer": "scan", "sub": "scan", "subn": "scan", "split": "scan"}
RUNNERS: dict[str, Callable[[re.Pattern[str], str], object]] = {
    "match": lambda p, s: p.match(s),
    "fullmatch": lambda p, s: p.fullmatch(s),
    "search": lambda p, s: p.search(s),
    # Matches are dropped as they come, as `sub` and `split` do: a list of thousands of match
    # objects takes superlinear time to allocate and would pass for a backtracking pattern.
    "scan": lambda p, s: deque(p.finditer(s), maxlen=0),
}


@dataclass
class Target:
    """A pattern, where it is defined, and how kg uses it."""

    name: str
    pattern: re.Pattern[str]
    uses: set[str] = field(default_factory=set)


@dataclass
class Finding:
    target: str
    use: str
    text: str
    growth: float
    seconds: float  # at LONG, measured or extrapolated
    extrapolated: bool


def kg_modules() -> dict[str, object]:
    """Every importable kg module by its name; one that fails to import is skipped, said so."""
    modules: dict[str, object] = {}
    for info in pkgutil.walk_packages(kg.__path__, "kg."):
        if info.name.endswith("__main__"):  # runs the command line when imported
            continue
        try:
            modules[info.name] = importlib.import_module(info.name)
        except Exception as error:  # an optional dependency missing: sweep the rest
            print(f"skipped {info.name}: {error}", file=sys.stderr)
    return modules


def _flags(node: ast.expr | None) -> int:
    if node is None:
        return 0
    try:
        return int(eval(compile(ast.Expression(node), "<flags>", "eval"), {"re": re}))
    except Exception:
        return 0


def find_targets(modules: dict[str, object]) -> dict[str, Target]:
    """Module-global patterns and inline literal patterns, with the methods kg calls on them."""
    targets: dict[str, Target] = {}
    by_id: dict[int, Target] = {}
    for module_name, module in modules.items():
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and id(value) not in by_id:
                target = Target(f"{module_name.removeprefix('kg.')}.{name}", value)
                by_id[id(value)] = target
    # Prefer the module that assigns the pattern over one that imports it.
    for module_name, module in modules.items():
        source = Path(module.__file__).read_text("utf-8")  # type: ignore[attr-defined]
        tree = ast.parse(source)
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
                name = statement.targets[0].id
                if isinstance(vars(module).get(name), re.Pattern):
                    by_id[id(vars(module)[name])].name = f"{module_name.removeprefix('kg.')}.{name}"
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            method, owner = node.func.attr, node.func.value
            if method not in METHODS or not isinstance(owner, ast.Name):
                continue
            value = vars(module).get(owner.id)
            if isinstance(value, re.Pattern):
                by_id[id(value)].uses.add(METHODS[method])
            elif (owner.id == "re" and node.args and isinstance(node.args[0], ast.Constant)
                  and isinstance(node.args[0].value, str)):
                flags = next((k.value for k in node.keywords if k.arg == "flags"), None)
                position = {"sub": 4, "subn": 4, "split": 3}.get(method, 2)
                if flags is None and len(node.args) > position:
                    flags = node.args[position]
                pattern = re.compile(node.args[0].value, _flags(flags))
                name = f"{module_name.removeprefix('kg.')}:{node.lineno}"
                targets[name] = Target(name, pattern, {METHODS[method]})
    for target in by_id.values():
        target.uses = target.uses or {"match", "search"}  # used by another name: be thorough
        targets[target.name] = target
    return dict(sorted(targets.items()))


def crafted() -> list[tuple[str, str, str]]:
    """(prefix, unit, suffix) of every crafted string."""
    pairs = tuple(a + b for a, b in itertools.permutations(CORE, 2))
    units = dict.fromkeys((*SINGLES, *MULTI, *pairs))
    return [(p, u, s) for p in PREFIXES for u in units for s in SUFFIXES]


def build(prefix: str, unit: str, suffix: str, length: int) -> str:
    repeat = max(1, (length - len(prefix) - len(suffix)) // len(unit))
    return prefix + unit * repeat + suffix


class TimedOut(Exception):
    """A run took longer than TIMEOUT_SECONDS and was interrupted."""


def _interrupt(signum: int, frame: object) -> None:
    raise TimedOut


def timed(run: Callable[[], object], repeat: int = 1) -> float:
    """The best CPU time of `repeat` runs: CPU time, because other processes on a shared
    machine disturb it less than wall time; no garbage collection, which a list of many
    matches would trigger at times that have nothing to do with the pattern. A run is
    interrupted after TIMEOUT_SECONDS (the regex engine checks for signals), so that an
    exponential pattern costs seconds, not hours; it raises TimedOut."""
    best = float("inf")
    gc.disable()
    previous = signal.signal(signal.SIGALRM, _interrupt)
    try:
        for _ in range(repeat):
            signal.setitimer(signal.ITIMER_REAL, TIMEOUT_SECONDS)
            start = time.process_time()
            run()
            best = min(best, time.process_time() - start)
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        gc.enable()
    return best


@dataclass
class Slowest:
    """The slowest strings: how far the patterns the sweep passes are from trouble. Single runs
    are noisy, so the few slowest are kept and timed again at the end (`report`)."""

    keep: int = 10
    runs: list[tuple[float, int, str, Callable[[int], float]]] = field(default_factory=list)
    order: Iterator[int] = field(default_factory=itertools.count)  # ties in the heap

    def note(self, seconds: float, what: str, rerun: Callable[[int], float]) -> None:
        if len(self.runs) < self.keep or seconds > self.runs[0][0]:
            entry = (seconds, next(self.order), what, rerun)
            (heapq.heappush if len(self.runs) < self.keep else heapq.heapreplace)(self.runs, entry)

    def report(self) -> str:
        timed_again = []
        for _, _, what, rerun in self.runs:
            try:
                timed_again.append((rerun(SHORT), rerun(LONG), what))
            except TimedOut:
                timed_again.append((float("inf"), float("inf"), what))
        if not timed_again:
            return "no string was timed"
        short, long, what = max(timed_again)
        if long == float("inf"):
            return f"the slowest string was interrupted after {TIMEOUT_SECONDS:g} s: {what}"
        return (f"the slowest string took {short * 1000:.2f} ms at {SHORT} characters and "
                f"{long * 1000:.2f} ms at {LONG}: {what}")


def measure(pattern: re.Pattern[str], use: str, make: Callable[[int], str], ratio: float,
            slowest: Slowest, what: str) -> tuple[float, float, bool] | None:
    """(growth for 4x the length, seconds at LONG, extrapolated) of one crafted string, or
    None when it is fast or grows linearly; a run that times out gives infinite figures."""
    runner = RUNNERS[use]

    def seconds(length: int, repeat: int = 1) -> float:
        text = make(length)
        return timed(lambda: runner(pattern, text), repeat)

    try:
        t_short = seconds(SHORT)
        slowest.note(t_short, what, lambda length: seconds(length, 5))
        if t_short < SCREEN_SECONDS:
            return None
        if seconds(2 * SHORT) < 2.5 * t_short:  # one noisy run each shows linear growth (x2)
            return None
        t_middle = seconds(MIDDLE)
        if t_middle < FLOOR_SECONDS or t_middle < 0.8 * ratio * t_short:
            return None
        t_short, t_middle = seconds(SHORT, 3), seconds(MIDDLE, 3)
        growth = t_middle / max(t_short, 1e-9)  # MIDDLE / SHORT is x4 as well
        predicted = t_middle * max(4.0, growth)
        if predicted > MAX_SECONDS:  # too slow to wait for: extrapolate
            return growth, predicted, True
        t_long = seconds(LONG, 3)
        if t_long > ratio * t_middle:  # confirm: a busy machine can slow down one run
            t_middle = min(t_middle, seconds(MIDDLE, 5))
            t_long = min(t_long, seconds(LONG, 5))
        return t_long / t_middle, t_long, False
    except TimedOut:
        return float("inf"), float("inf"), True


def sweep_target(target: Target, strings: list[tuple[str, str, str]], ratio: float,
                 slowest: Slowest, verbose: bool) -> list[Finding]:
    """The worst superlinear string of each use of one pattern, if any."""
    prepare = USAGE.get(target.name, lambda s: s)
    findings = []
    for use in sorted(target.uses):
        worst: Finding | None = None
        timed_shapes: set[tuple[str, str]] = set()
        superlinear = 0
        for prefix, unit, suffix in strings:
            if superlinear >= ENOUGH:
                break
            if (prefix, unit) in timed_shapes:
                continue  # the same string but for the suffix, which rarely matters
            text = describe(prefix, unit, suffix)
            result = measure(target.pattern, use,
                             partial(_make, prepare, prefix, unit, suffix), ratio, slowest,
                             f"{target.name} .{use} {text}")
            if result is None:
                continue
            timed_shapes.add((prefix, unit))
            growth, seconds, extrapolated = result
            if growth <= ratio:
                continue
            superlinear += 1
            if verbose:
                print(f"  {target.name} .{use} {text}: x{growth:.1f}, {seconds:.3f} s",
                      flush=True)
            if worst is None or seconds > worst.seconds:
                worst = Finding(target.name, use, text, growth, seconds, extrapolated)
        if worst:
            findings.append(worst)
    return findings


def _make(prepare: Callable[[str], str], prefix: str, unit: str, suffix: str, length: int
          ) -> str:
    return prepare(build(prefix, unit, suffix, length))


def describe(prefix: str, unit: str, suffix: str) -> str:
    return f"{prefix!r} + {unit!r} * n + {suffix!r}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="sweep only patterns whose name contains this")
    parser.add_argument("--ratio", type=float, default=8.0,
                        help="report growth above this for 4x the length (linear: 4)")
    parser.add_argument("--list", action="store_true", help="list the patterns and exit")
    parser.add_argument("--verbose", action="store_true", help="print every superlinear string")
    args = parser.parse_args(argv)

    targets = find_targets(kg_modules())
    if args.only:
        targets = {k: v for k, v in targets.items() if args.only in k}
    if args.list:
        for target in targets.values():
            print(f"{target.name:45} {','.join(sorted(target.uses)):22} "
                  f"{target.pattern.pattern[:100]!r}")
        return 0
    strings = crafted()
    print(f"{len(targets)} patterns, {len(strings)} crafted strings each, "
          f"lengths {SHORT}/{MIDDLE}/{LONG}", flush=True)
    started = time.perf_counter()
    findings: list[Finding] = []
    slowest = Slowest()
    for target in targets.values():
        begun = time.perf_counter()
        findings.extend(sweep_target(target, strings, args.ratio, slowest, args.verbose))
        if args.verbose:
            print(f"{target.name}: {time.perf_counter() - begun:.1f} s", flush=True)
    print(f"swept in {time.perf_counter() - started:.0f} s; {slowest.report()}")
    if not findings:
        print(f"no pattern grew by more than x{args.ratio:g} for 4x the length")
        return 0
    print(f"\n{len(findings)} superlinear (growth for 4x the length, time at {LONG} characters):")
    for f in sorted(findings, key=lambda f: -f.seconds):
        if f.seconds == float("inf"):
            figures = f"interrupted after {TIMEOUT_SECONDS:g} s"
        else:
            figures = f"x{f.growth:<6.1f} {'~' if f.extrapolated else ' '}{f.seconds:8.4f} s"
        print(f"  {f.target:38} .{f.use:9} {figures:24} {f.text}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
