"""Concepts over time: papers per day, concept trends per week, concepts first seen in a
window, and bursts by Kleinberg's method.

A burst (Kleinberg, "Bursty and hierarchical structure in streams", 2002, the batched
model CiteSpace uses) is a run of digest days on which a concept is named by a markedly
larger share of the day's papers than over the whole series. Each day is either in the base
state, where a paper names the concept with the series' overall rate p, or in the burst
state, with rate `scale` * p; staying costs the binomial log-likelihood of the day's count,
and entering the burst state costs `gamma` * ln(days). The cheapest sequence of states
(Viterbi) gives the bursts; a burst's weight is how much likelier its days are in the burst
state than in the base one.

    >>> totals = [100] * 40
    >>> counts = [2] * 40
    >>> counts[20:25] = [20, 25, 22, 24, 21]
    >>> [(b.start, b.end) for b in bursts(counts, totals)]
    [(20, 24)]
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

SCALE = 2.0  # the burst state's rate, as a multiple of the base rate
GAMMA = 1.0  # how dear entering a burst is


@dataclass(frozen=True)
class Burst:
    start: int  # the index of its first day
    end: int  # of its last day (inclusive)
    weight: float  # log-likelihood gained over the base state on its days


def bursts(counts: Sequence[int], totals: Sequence[int], scale: float = SCALE,
           gamma: float = GAMMA) -> list[Burst]:
    """The bursts of a series of `counts` out of `totals` per day (two-state Kleinberg)."""
    return [burst for _, burst in series_bursts(np.array([counts]), totals, scale, gamma)]


CHUNK = 2048  # series worked on at once: their costs take CHUNK * days * 8 bytes each


def series_bursts(counts: np.ndarray, totals: Sequence[int], scale: float = SCALE,
                  gamma: float = GAMMA) -> Iterator[tuple[int, Burst]]:
    """The bursts of each row of `counts` (series by day, out of `totals` per day), as (row,
    burst), by row then day. Vectorised over the rows: the archive's 400 days and 20,000
    concepts take a second, not a loop of a second per thousand concepts."""
    for first in range(0, len(counts), CHUNK):
        for row, burst in _chunk_bursts(counts[first:first + CHUNK], np.asarray(totals),
                                        scale, gamma):
            yield first + row, burst


def _chunk_bursts(counts: np.ndarray, totals: np.ndarray, scale: float, gamma: float
                  ) -> Iterator[tuple[int, Burst]]:
    rows, days = counts.shape
    papers = int(totals.sum())
    if days < 2 or not papers:
        return
    named = counts.sum(axis=1)
    base = np.clip(named / papers, 1e-12, 1 - 1e-12)[:, None]
    burst = np.clip(base * scale, 1e-12, 1 - 1e-12)
    # -log of each day's binomial probability in each state, less the binomial coefficient
    # (the same in both)
    misses = totals[None, :] - counts
    costs = [-(counts * np.log(rate) + misses * np.log(1 - rate)) for rate in (base, burst)]
    enter = gamma * math.log(days)
    # Viterbi over two states: best[s] = cheapest cost of days so far ending in state s.
    best_base, best_burst = np.zeros(rows), np.full(rows, np.inf)  # start in the base state
    back = np.empty((2, rows, days), dtype=bool)  # came from the burst state
    for day in range(days):
        back[0, :, day] = best_burst < best_base  # into the base state: free from either
        back[1, :, day] = best_base + enter >= best_burst  # into the burst: entering costs
        best_base, best_burst = (np.minimum(best_base, best_burst) + costs[0][:, day],
                                 np.minimum(best_base + enter, best_burst) + costs[1][:, day])
    state = best_burst < best_base
    states = np.empty((rows, days), dtype=np.int8)
    index = np.arange(rows)
    for day in range(days - 1, -1, -1):
        states[:, day] = state
        state = back[state.astype(np.intp), index, day]
    gains = np.zeros((rows, days + 1))
    np.cumsum(costs[0] - costs[1], axis=1, out=gains[:, 1:])
    edges = np.diff(np.pad(states, ((0, 0), (1, 1))), axis=1)  # +1 a burst starts, -1 ends
    for row, start in zip(*np.nonzero(edges == 1), strict=True):
        if not named[row]:
            continue
        start = int(start)
        end = int(np.argmax(edges[row, start:] == -1)) + start  # the day after the burst
        yield int(row), Burst(start, end - 1, float(gains[row, end] - gains[row, start]))


@dataclass(frozen=True)
class ConceptBurst:
    concept: str
    start: str  # its first day
    end: str  # its last day
    weight: float
    papers: int  # naming the concept on its days


def days_and_counts(pairs: Iterable[tuple[str, str]], day_of: Mapping[str, str]
                    ) -> tuple[list[str], dict[str, int], dict[str, Counter[str]]]:
    """The digest days (sorted), the papers of each, and each concept's papers by day, from
    (paper, concept) pairs and each paper's day; papers without a day are left out."""
    totals = Counter(day_of.values())
    named: dict[str, Counter[str]] = defaultdict(Counter)
    for paper, concept in dict.fromkeys(pairs):
        if paper in day_of:
            named[concept][day_of[paper]] += 1
    return sorted(totals), dict(totals), named


def concept_bursts(pairs: Iterable[tuple[str, str]], day_of: Mapping[str, str], *,
                   min_papers: int = 5, scale: float = SCALE,
                   gamma: float = GAMMA) -> list[ConceptBurst]:
    """Every burst of every concept of at least `min_papers` dated papers, over the digest
    days, strongest first."""
    days, totals, named = days_and_counts(pairs, day_of)
    column = {day: i for i, day in enumerate(days)}
    concepts = [c for c, by_day in named.items() if sum(by_day.values()) >= min_papers]
    counts = np.zeros((len(concepts), len(days)), dtype=np.int64)
    for row, concept in enumerate(concepts):
        for day, n in named[concept].items():
            counts[row, column[day]] = n
    found = [ConceptBurst(concepts[row], days[b.start], days[b.end], b.weight,
                          int(counts[row, b.start:b.end + 1].sum()))
             for row, b in series_bursts(counts, [totals[d] for d in days], scale, gamma)]
    return sorted(found, key=lambda b: (-b.weight, b.concept, b.start))


def week_of(day: str) -> str:
    """The Monday of the ISO week of a YYYY-MM-DD day.

    >>> week_of("2026-06-18")
    '2026-06-15'
    """
    when = date.fromisoformat(day)
    return (when - timedelta(days=when.weekday())).isoformat()


def weekly(named: Mapping[str, Counter[str]], totals: Mapping[str, int]
           ) -> tuple[list[str], dict[str, dict[str, float]]]:
    """The weeks of the series and, for each concept, the share of each week's papers
    naming it (a share, not a count, since weeks have different numbers of papers)."""
    monday = {day: week_of(day) for day in totals}  # each day's week, worked out once
    papers_in = Counter[str]()
    for day, papers in totals.items():
        papers_in[monday[day]] += papers
    weeks = sorted(papers_in)
    shares = {}
    for concept, by_day in named.items():
        in_week = Counter[str]()
        for day, papers in by_day.items():
            in_week[monday.get(day) or week_of(day)] += papers
        shares[concept] = {w: in_week[w] / papers_in[w] for w in weeks}
    return weeks, shares


def first_seen(named: Mapping[str, Counter[str]], since: str, until: str | None = None
               ) -> list[tuple[str, str, int]]:
    """The concepts whose first day falls from `since` to `until`: (concept, first day,
    papers naming it by `until`), most named first."""
    found = []
    for concept, by_day in named.items():
        first = min(by_day)
        if first >= since and (until is None or first <= until):
            found.append((concept, first, sum(n for d, n in by_day.items()
                                              if until is None or d <= until)))
    return sorted(found, key=lambda f: (-f[2], f[1], f[0]))


@dataclass(frozen=True)
class TimeReport:
    """What the reports say of time: papers per day and week overall and in the largest
    categories, concept bursts, the concepts first seen in a window of days (by default the
    build's last week)."""

    days: list[str]  # the digest days
    named: dict[str, Counter[str]]  # concept -> its papers by day
    weeks: list[str]  # Mondays
    papers: dict[str, Counter[str]]  # "all" and category codes -> papers by week
    daily: dict[str, Counter[str]]  # the same, by day ("all": the build's papers by day)
    bursts: list[ConceptBurst]
    new: list[tuple[str, str, int]]  # concept, first day, papers
    window: tuple[str, str | None]  # of the first-seen concepts: since, until
    labels: dict[str, str]


def time_report(pairs: Iterable[tuple[str, str]], labels: Mapping[str, str],
                day_of: Mapping[str, str], categories_of: Mapping[str, list[str]],
                categories: int = 5, min_papers: int = 5, since: str | None = None,
                until: str | None = None) -> TimeReport:
    """Papers per day and per week (all, and the `categories` largest), bursts of concepts of
    at least `min_papers` papers, and the concepts first seen from `since` to `until` (by
    default the last seven digest days)."""
    pairs = list(pairs)
    days, _, named = days_and_counts(pairs, day_of)
    by_day: dict[str, Counter[str]] = defaultdict(Counter)
    for paper, day in day_of.items():
        by_day["all"][day] += 1
        for code in categories_of.get(paper, ()):
            by_day[code][day] += 1
    largest = sorted((c for c in by_day if c != "all"),
                     key=lambda c: (-sum(by_day[c].values()), c))[:categories]
    kept = {code: by_day[code] for code in ["all", *largest]}
    by_week = {code: Counter[str]() for code in kept}
    for code, counted in kept.items():
        for day, papers in counted.items():
            by_week[code][week_of(day)] += papers
    if since is None and until is None and days:
        since = (date.fromisoformat(days[-1]) - timedelta(days=6)).isoformat()
    window = (since or "", until)
    return TimeReport(days, named, sorted(by_week["all"]), by_week, kept,
                      concept_bursts(pairs, day_of, min_papers=min_papers),
                      first_seen(named, *window) if days else [], window, dict(labels))
