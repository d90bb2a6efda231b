"""Concepts over time: Kleinberg's bursts on synthetic series with known bursts, and the
bursts, weekly shares and first-seen concepts of two real June days."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kg.analyze import incidence_from_store
from kg.query import load_store, run_query
from kg.trends import bursts, concept_bursts, days_and_counts, first_seen, week_of, weekly


def test_a_known_burst_is_found_where_it_is():
    rng = random.Random(3)
    totals = [rng.randint(150, 250) for _ in range(90)]
    counts = [sum(rng.random() < 0.02 for _ in range(t)) for t in totals]
    for day in range(50, 58):  # eight days at four times the rate
        counts[day] = sum(rng.random() < 0.08 for _ in range(totals[day]))
    found = bursts(counts, totals)
    assert [(b.start, b.end) for b in found] == [(50, 57)]
    assert found[0].weight > 10


def test_a_steady_series_has_no_burst_and_two_bursts_are_two():
    assert bursts([5] * 60, [100] * 60) == []
    assert bursts([0] * 10, [100] * 10) == []
    counts = [2] * 60
    counts[10:14] = [15] * 4
    counts[56:] = [18] * 4  # the last days
    assert [(b.start, b.end) for b in bursts(counts, [100] * 60)] == [(10, 13), (56, 59)]


def test_a_higher_threshold_finds_fewer_bursts():
    counts = [2] * 60
    counts[10:12] = [6, 6]
    counts[30:36] = [20] * 6
    totals = [100] * 60
    assert len(bursts(counts, totals, gamma=0.5)) >= len(bursts(counts, totals, gamma=4.0))
    assert [(b.start, b.end) for b in bursts(counts, totals, gamma=4.0)] == [(30, 35)]


@pytest.fixture(scope="module")
def dated(june_days: Path) -> tuple[list[tuple[str, str]], dict[str, str]]:
    store = load_store(june_days)
    pairs = incidence_from_store(store, "concept").pairs
    rows = run_query(store, "SELECT ?paper ?day WHERE { ?paper kg:digestDate ?day }").rows
    return pairs, {str(paper): str(day) for paper, day in rows}


def test_real_days_give_weekly_shares_and_first_seen_concepts(dated):
    pairs, day_of = dated
    days, totals, named = days_and_counts(pairs, day_of)
    assert days == ["2026-06-16", "2026-06-29"]
    weeks, shares = weekly(named, totals)
    assert weeks == [week_of("2026-06-16"), week_of("2026-06-29")] == ["2026-06-15", "2026-06-29"]
    assert all(0 <= s <= 1 for by_week in shares.values() for s in by_week.values())
    new = first_seen(named, "2026-06-29")
    assert new and all(first == "2026-06-29" for _, first, _ in new)
    assert all(min(named[c]) == "2026-06-29" for c, _, _ in new)
    counts = [n for _, _, n in new]
    assert counts == sorted(counts, reverse=True)


def test_real_concept_bursts_are_strongest_first(dated):
    pairs, day_of = dated
    found = concept_bursts(pairs, day_of, min_papers=3)
    assert found
    assert [b.weight for b in found] == sorted((b.weight for b in found), reverse=True)
    for burst in found:
        assert burst.start <= burst.end and burst.papers >= 1


def test_the_report_counts_papers_per_week_and_names_the_bursts(june_days: Path, dated):
    from kg.analyze import days_from_store, incidence_from_store, time_section
    from kg.trends import time_report

    store = load_store(june_days)
    day_of, categories_of = days_from_store(store)
    incidence = incidence_from_store(store, "concept")
    report = time_report(*incidence, day_of, categories_of, categories=2)
    assert sum(report.papers["all"].values()) == len(day_of)
    assert len(report.papers) == 3 and report.window == ("2026-06-23", None)
    assert sum(report.daily["all"].values()) == len(day_of)
    window = time_report(*incidence, day_of, categories_of, since="2026-06-16",
                         until="2026-06-16")
    assert window.new and {first for _, first, _ in window.new} == {"2026-06-16"}
    text = "\n".join(time_section(report))
    assert "### Papers per week" in text and "| 2026-06-15 |" in text
    for burst in report.bursts[:10]:
        assert f"| {report.labels.get(burst.concept, burst.concept)} |" in text
