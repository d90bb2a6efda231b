"""The whole path on real digests: the seed example, the 30 June days, bad input, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import kg
from kg.graph import nodes_of_kind
from kg.sources.common import normalize_name

JUNE_DAYS = [f"2026-06-{d:02d}" for d in range(1, 31)]


@pytest.fixture(scope="module")
def seed_build(seed: Path, tmp_path_factory: pytest.TempPathFactory) -> kg.BuildResult:
    return kg.build([seed.parent], tmp_path_factory.mktemp("seed"))


def _concept_papers(result: kg.BuildResult, label: str) -> set[str]:
    graph = result.graph
    nodes = [n for n in nodes_of_kind(graph, "concept") if graph.nodes[n]["label"] == label]
    assert len(nodes) == 1, f"{label!r} should be one concept node, found {nodes}"
    return {graph.nodes[p]["id"] for p in graph.predecessors(nodes[0])
            if graph.nodes[p]["kind"] == "paper"}


def test_seed_papers_authors_categories(seed_build: kg.BuildResult) -> None:
    graph = seed_build.graph
    assert len(nodes_of_kind(graph, "paper")) == 7
    assert len(nodes_of_kind(graph, "author")) == 39
    assert {graph.nodes[n]["code"] for n in nodes_of_kind(graph, "category")} == {
        "cs.CV", "physics.chem-ph", "cs.LG", "cond-mat.dis-nn"}
    assert seed_build.account.entries == 7
    assert seed_build.account.rejections == []


def test_seed_key_concepts_are_single_nodes_on_the_right_papers(
        seed_build: kg.BuildResult) -> None:
    assert "2509.21670" in _concept_papers(seed_build, "LoRA")
    assert _concept_papers(seed_build, "4DVAR") == {"2509.21751"}
    assert "2509.22411" in _concept_papers(seed_build, "neural operator")
    assert "2509.21936" in _concept_papers(seed_build, "softmax attention")


def test_seed_outputs_written(seed_build: kg.BuildResult) -> None:
    names = {p.name for p in seed_build.files}
    stores = {name for name in names if name.startswith("store-")}
    assert names - stores == {"graph.ttl", "graph.html", "summary.json", "summary.md"}
    assert len(stores) == 1 and (seed_build.files[0].parent / stores.pop()).is_dir()
    summary = json.loads(next(p for p in seed_build.files if p.name == "summary.json").read_text())
    assert summary["nodes"]["paper"] == 7
    assert summary["account"]["entries_read"] == 7
    assert summary["view"]["nodes"] == summary["view"]["of"]  # the seed fits the view budget


def test_june_markdown_and_jsonl_give_the_same_papers_each_day(corpus: Path) -> None:
    for day in JUNE_DAYS:
        md, _ = kg.read_papers([corpus / "daily-md" / f"{day}.md"])
        jsonl, _ = kg.read_papers([corpus / "daily-jsonl" / f"{day}_AI_enhanced_Chinese.jsonl"])
        assert [p.id for p in md] == [p.id for p in jsonl], day
        for a, b in zip(md, jsonl, strict=True):
            assert a.title == b.title, (day, a.id)
            assert [normalize_name(n) for n in a.authors] == [
                normalize_name(n) for n in b.authors], (day, a.id)
            assert a.primary_category == b.primary_category, (day, a.id)


@pytest.mark.parametrize("folder", ["daily-md", "daily-jsonl"])
def test_thirty_june_days(corpus: Path, folder: str) -> None:
    papers, account = kg.read_papers([corpus / folder])
    assert account.files == 30
    assert account.entries == 8497
    assert len(papers) == account.distinct_papers == 6056
    assert account.duplicates_merged == 8497 - 6056
    assert account.rejections == []
    # every digest day of a paper is kept as provenance
    assert sum(len(p.sources) for p in papers) == 8497


def test_newest_version_wins_and_sources_are_kept(tmp_path: Path) -> None:
    old = {"id": "2501.00001v1", "title": "Old title", "authors": ["A. One"],
           "categories": ["cs.LG"], "summary": "Old abstract."}
    new = {**old, "id": "2501.00001v2", "title": "New title", "categories": ["cs.CL", "cs.LG"]}
    (tmp_path / "2025-01-02.jsonl").write_text(json.dumps(new) + "\n")
    (tmp_path / "2025-01-03.jsonl").write_text(json.dumps(old) + "\n")
    papers, account = kg.read_papers([tmp_path])
    assert len(papers) == 1 and account.duplicates_merged == 1
    assert papers[0].title == "New title" and papers[0].version == 2
    assert papers[0].primary_category == "cs.CL"
    assert sorted(s.date for s in papers[0].sources) == ["2025-01-02", "2025-01-03"]


@pytest.fixture
def bad_folder(corpus: Path, tmp_path: Path) -> Path:
    """Real files broken the ways real files break, beside a good one."""
    jsonl = (corpus / "daily-jsonl" / "2026-06-25_AI_enhanced_Chinese.jsonl").read_text("utf-8")
    lines = jsonl.splitlines()
    lines[3] = lines[3][: len(lines[3]) // 2]  # truncated JSON line
    (tmp_path / "2026-06-25_truncated.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    md = (corpus / "daily-md" / "2026-06-25.md").read_text("utf-8")
    first_link = md.index("](https://arxiv.org/abs/")
    end = md.index(")", first_link)
    (tmp_path / "2026-06-25_nolink.md").write_text(md[:first_link + 1] + md[end + 1:], "utf-8")
    (tmp_path / "garbage.bin").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "empty.md").write_text("")
    return tmp_path


def test_bad_input_is_reported_and_the_rest_kept(bad_folder: Path) -> None:
    papers, account = kg.read_papers([bad_folder])
    reasons = {(Path(r.path).name, r.line): r.reason for r in account.rejections}
    assert ("2026-06-25_truncated.jsonl", 4) in reasons
    assert "JSON" in reasons[("2026-06-25_truncated.jsonl", 4)]
    assert any(name == "2026-06-25_nolink.md" and line > 0 for name, line in reasons)
    assert ("garbage.bin", 0) in reasons and "binary" in reasons[("garbage.bin", 0)]
    assert ("empty.md", 0) in reasons and "empty" in reasons[("empty.md", 0)]
    assert len(account.rejections) == 4
    day_size = 26  # papers of 2026-06-25 in each format
    assert account.entries == 2 * day_size
    assert len(papers) == day_size  # each broken entry is still present in the other file


def _kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          check=False)


def test_cli_exit_codes(bad_folder: Path, tmp_path: Path) -> None:
    lenient = _kg("build", str(bad_folder), "--out", str(tmp_path / "a"), "--quiet")
    assert lenient.returncode == 0, lenient.stderr
    assert "garbage.bin: binary data" in lenient.stderr  # rejections shown even when quiet
    strict = _kg("build", str(bad_folder), "--out", str(tmp_path / "b"), "--strict", "--quiet")
    assert strict.returncode == 1
    assert _kg("build", str(tmp_path / "missing"), "--quiet").returncode == 2
    assert _kg("build", "--no-such-option").returncode == 2


def test_cli_extract_contract(seed: Path) -> None:
    done = _kg("extract", str(seed), "--format", "jsonl", "--quiet")
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(records) == 7
    for record in records:
        assert set(record) == {"id", "concepts"}
        for concept in record["concepts"]:
            assert concept["label"] and concept["type"] in {
                "method", "task", "dataset", "metric", "artifact"}
    morph = next(r for r in records if r["id"] == "2509.21670")
    assert "LoRA" in {c["label"] for c in morph["concepts"]}


def test_cli_build_is_deterministic(seed: Path, tmp_path: Path) -> None:
    for name in ("a", "b"):
        done = _kg("build", str(seed), "--out", str(tmp_path / name), "-f", "turtle",
                   "-f", "ntriples", "-e", "rdf", "-e", "html", "-e", "graphml", "-e", "summary",
                   "--quiet")
        assert done.returncode == 0, done.stderr
    for file in ("graph.ttl", "graph.nt", "graph.html", "graph.graphml", "summary.json"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), file


def test_cli_query_and_analyze_on_the_seed(seed: Path, tmp_path: Path) -> None:
    assert _kg("build", str(seed), "--out", str(tmp_path), "--quiet").returncode == 0
    done = _kg("query", "papers-about-concept", "--graph", str(tmp_path),
               "--param", "concept=Low-rank adapters", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert [row["arxivId"] for row in json.loads(done.stdout)] == ["2509.21670"]
    injected = _kg("query", "coauthors", "--graph", str(tmp_path),
                   "--param", 'author=" } ; DROP ALL ; #', "--format", "csv")
    assert injected.returncode == 0 and injected.stdout.strip() == "coauthor,papers"
    assert _kg("query", "coauthors", "--graph", str(tmp_path), "--param", "who=x").returncode == 2
    assert _kg("query", "no-such-query", "--graph", str(tmp_path)).returncode == 2
    done = _kg("analyze", "--graph", str(tmp_path), "--quiet")
    assert done.returncode == 0, done.stderr
    report = (tmp_path / "analysis.md").read_text("utf-8")
    assert "39 authors" in report
    assert (tmp_path / "coauthors.graphml").is_file() and (tmp_path / "concepts.graphml").is_file()
