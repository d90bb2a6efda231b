"""Daily updates: `kg build NEW --into DIR` gives what a rebuild from every input gives.

Real June days (the first 60 records of three of them, so that the suite stays quick) are
built whole and in two orders of updates; the Turtle, written record by record in a fixed
order, must be the same bytes. Then what an update must not do: read or parse again what is
already in, lose a source, leave a paper's concepts stale when a new day changes them, or
break the folder when it is killed.
"""

from __future__ import annotations

import gc
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgpack
import pytest
from killing import run_killed
from typer.testing import CliRunner

import kg
from kg import store as store_module
from kg.cli import app
from kg.concepts import scheme, spacy_extractor
from kg.export import rdf
from kg.outputs import built_version
from kg.query import load_store, run_query
from kg.state import CACHE, read_cache, read_state

apply_changes = store_module._apply
DAYS = [f"2026-06-{day}_AI_enhanced_Chinese.jsonl" for day in ("15", "25", "29")]
runner = CliRunner()


@pytest.fixture(scope="module")
def days(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("days")
    for day in DAYS:
        lines = (corpus / "daily-jsonl" / day).read_text("utf-8").splitlines(keepends=True)
        (folder / day).write_text("".join(lines[:60]), "utf-8")
    return [folder / day for day in DAYS]


@pytest.fixture(scope="module")
def whole(days: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("whole")
    kg.build(days, out)
    return out


@pytest.mark.parametrize(("first", "diffed"), [(1, False), (2, True)],
                         ids=["1 then 2, store loaded afresh", "2 then 1, store diffed"])
def test_an_update_gives_the_bytes_of_a_rebuild(
        first: int, diffed: bool, days: list[Path], whole: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    kg.build(days[:first], tmp_path)
    # A day is a thirtieth of June but half of these days: choose the store's path by hand.
    for budget in ("MAX_CHANGED", "MAX_CHANGED_BYTES"):
        monkeypatch.setattr(store_module, budget, float("inf") if diffed else 0.0)
    applied = []
    monkeypatch.setattr(store_module, "_apply", lambda *args: applied.append(
        apply_changes(*args)))
    result = kg.update(days[first:], tmp_path)
    assert result is not None
    assert bool(applied) == diffed
    assert (tmp_path / "graph.ttl").read_bytes() == (whole / "graph.ttl").read_bytes()
    for name in ("summary.json",):
        updated = json.loads((tmp_path / name).read_text("utf-8"))
        rebuilt = json.loads((whole / name).read_text("utf-8"))
        assert updated["nodes"] == rebuilt["nodes"] and updated["edges"] == rebuilt["edges"]
    assert set(load_store(tmp_path)) == set(load_store(whole))


def _damage_index(folder: Path, damage: bytes, where: float) -> None:
    """Insert `damage` at a share `where` of the index's entries (0: after the salt)."""
    index = next(folder.glob("records-*.tsv"))
    lines = index.read_bytes().splitlines(keepends=True)
    at = 1 + round(where * (len(lines) - 1))
    index.write_bytes(b"".join(lines[:at]) + damage + b"".join(lines[at:]))


def _shift_an_offset(folder: Path) -> None:
    """An index that still reads, but points one byte off in the middle of graph.ttl."""
    index = next(folder.glob("records-*.tsv"))
    lines = index.read_text("utf-8").splitlines(keepends=True)
    middle = len(lines) // 2
    key, fingerprint, offset, length = lines[middle].rstrip("\n").rsplit("\t", 3)
    lines[middle] = f"{key}\t{fingerprint}\t{int(offset) + 1}\t{length}\n"
    index.write_text("".join(lines), "utf-8")


def _damage_turtle(folder: Path) -> None:
    turtle = folder / "graph.ttl"
    data = bytearray(turtle.read_bytes())
    middle = data.index(b'"', len(data) // 2) + 1
    data[middle:middle] = b"edited "
    turtle.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [
    lambda folder: _damage_index(folder, b"no\tentry\n", where=0),
    lambda folder: _damage_index(folder, b"no\tentry\n", where=0.5),
    lambda folder: _damage_index(folder, b"\xff\xfe\n", where=1),
    _shift_an_offset,
    lambda folder: (folder / "graph.ttl").unlink(),
    _damage_turtle,
], ids=["an index line that is no entry", "one in the middle", "index bytes that are not UTF-8",
        "an offset moved", "graph.ttl removed", "graph.ttl edited"])
def test_a_damaged_index_or_turtle_costs_a_fresh_load_not_the_result(
        damage: Callable[[Path], None], days: list[Path], whole: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    kg.build(days[:2], tmp_path)
    damage(tmp_path)
    monkeypatch.setattr(store_module, "MAX_CHANGED", float("inf"))  # diff whatever changed
    assert kg.update(days[2:], tmp_path) is not None
    assert (tmp_path / "graph.ttl").read_bytes() == (whole / "graph.ttl").read_bytes()
    assert set(load_store(tmp_path)) == set(load_store(whole))


def _rendered_by_update(days: list[Path], folder: Path,
                        monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """(records rendered, records in all) when `days` are added to the build in `folder`."""
    rendered: list[object] = []
    render = rdf._render
    monkeypatch.setattr(rdf, "_render", lambda *args: rendered.append(args) or render(*args))
    assert kg.update(days, folder) is not None
    index = next(folder.glob("records-*.tsv")).read_text("utf-8").splitlines()
    return len(rendered), len(index) - 1  # the first line is the salt


def test_an_update_renders_only_the_records_that_changed(
        days: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A third day renders its papers, their people and concepts, and the counts that moved;
    the rest is copied from the old graph.ttl."""
    kg.build(days[:2], tmp_path)
    rendered, records = _rendered_by_update(days[2:], tmp_path, monkeypatch)
    assert 0 < rendered < 0.5 * records


def test_records_written_another_way_are_rendered_again(
        days: list[Path], whole: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build whose records were rendered by another version of the RDF mapping copies none
    of them: every record is rendered again, and the result is still a rebuild's."""
    monkeypatch.setattr(rdf, "RECORDS_VERSION", -1)
    kg.build(days[:2], tmp_path)
    monkeypatch.undo()
    rendered, records = _rendered_by_update(days[2:], tmp_path, monkeypatch)
    assert rendered == records
    assert (tmp_path / "graph.ttl").read_bytes() == (whole / "graph.ttl").read_bytes()
    assert set(load_store(tmp_path)) == set(load_store(whole))


def test_a_diff_of_most_bytes_is_given_up_early(
        days: list[Path], whole: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When every record changes (here, rendered another way), the diff stops collecting
    once the changed blocks pass half the old file's bytes, whatever their number, and the
    store is loaded afresh: memory stays bounded, and the result is still a rebuild's."""
    monkeypatch.setattr(rdf, "RECORDS_VERSION", -1)
    kg.build(days[:2], tmp_path)
    monkeypatch.undo()
    monkeypatch.setattr(store_module, "MAX_CHANGED", float("inf"))
    held: list[int] = []
    change = store_module.StoreWriter._change

    def watched(writer: store_module.StoreWriter, *args: Any) -> None:
        change(writer, *args)
        held.append(sum(map(len, writer.removed)))
    monkeypatch.setattr(store_module.StoreWriter, "_change", watched)
    applied: list[object] = []
    monkeypatch.setattr(store_module, "_apply", lambda *args: applied.append(args))
    old_size = (tmp_path / "graph.ttl").stat().st_size
    kg.update(days[2:], tmp_path)
    assert not applied and 0 < max(held) <= store_module.MAX_CHANGED_BYTES * old_size
    assert (tmp_path / "graph.ttl").read_bytes() == (whole / "graph.ttl").read_bytes()
    assert set(load_store(tmp_path)) == set(load_store(whole))


def test_an_update_assembles_only_the_papers_whose_context_moved(
        days: list[Path], whole: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A paper whose keys and shared concepts did not change keeps its cached mentions: the
    new day's papers are assembled, and few of the others. Were a paper whose mentions moved
    left out, the result would not be a rebuild's."""
    kg.build(days[:2], tmp_path)
    assembled: list[object] = []
    assemble = spacy_extractor._paper_mentions
    monkeypatch.setattr(spacy_extractor, "_paper_mentions",
                        lambda *args: assembled.append(args) or assemble(*args))
    result = kg.update(days[2:], tmp_path)
    assert result is not None
    new = len(kg.read_papers(days[2:])[0])
    assert new <= len(assembled) < new + 0.5 * (len(result.papers) - new)
    assert (tmp_path / "graph.ttl").read_bytes() == (whole / "graph.ttl").read_bytes()


def test_a_cache_of_an_earlier_kg_in_json_is_still_read(
        days: list[Path], whole: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds before the cache was MessagePack left it as JSON, each entry as JSON data rather
    than packed bytes: an update still takes it, so nothing is parsed again, and writes it anew
    as MessagePack."""
    folder = tmp_path / "copy"
    shutil.copytree(whole, folder)
    packed = built_version(folder, CACHE)
    assert packed is not None and packed.suffix == ".msgpack"
    as_json = packed.with_suffix(".json")
    as_json.write_text(json.dumps(read_cache(folder), default=msgpack.unpackb), "utf-8")
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    text = json.dumps(manifest).replace(packed.name, as_json.name)
    (folder / "manifest.json").write_text(text, "utf-8")
    packed.unlink()
    assert read_cache(folder)["extractor"]["texts"]

    def never(*_: object) -> None:
        raise AssertionError("a text in the JSON cache was parsed again")

    monkeypatch.setattr(spacy_extractor, "load_pipeline", never)
    renamed = tmp_path / "2026-06-15-again.jsonl"
    shutil.copy(days[0], renamed)
    assert kg.update([renamed], folder) is not None
    cache = built_version(folder, CACHE)
    assert cache is not None and cache.suffix == ".msgpack" and not as_json.exists()


def test_a_build_leaves_the_garbage_collector_as_it_found_it(days: list[Path],
                                                           tmp_path: Path) -> None:
    """Objects frozen while building are unfrozen at the end, and the collector is on."""
    assert gc.isenabled() and not gc.get_freeze_count()
    kg.build(days[:1], tmp_path)
    assert gc.isenabled() and not gc.get_freeze_count()


def test_a_build_keeps_a_callers_collector_off(days: list[Path], tmp_path: Path) -> None:
    """The stages that pause the collector switch it back on only when it was on."""
    gc.disable()
    try:
        kg.build(days[:1], tmp_path)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_seed_plus_variants_as_an_update(seed: Path, corpus: Path, tmp_path: Path) -> None:
    variants = [corpus / "variants" / name for name in (
        "ZL-Asica__2025-09-18.md", "arxiv.py__arxiv-api-atom__id_list=1111.2011v2.xml",
        "arxiv-browse__0704.0001.abs", "hepcrawl__oai-pmh-arXiv__sample_arxiv_record0.xml")]
    kg.build([seed, *variants], tmp_path / "whole")
    kg.build([seed], tmp_path / "updated")
    kg.update(variants, tmp_path / "updated")
    assert ((tmp_path / "updated" / "graph.ttl").read_bytes()
            == (tmp_path / "whole" / "graph.ttl").read_bytes())


def test_what_is_already_in_is_neither_read_nor_parsed(
        days: list[Path], whole: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(whole, folder)
    before = (folder / "manifest.json").read_bytes()

    def never(*_: object) -> None:
        raise AssertionError("spaCy was loaded, the scheme scanned or a concept placed again, "
                             "for texts already seen")

    monkeypatch.setattr(spacy_extractor, "load_pipeline", never)
    monkeypatch.setattr(scheme._Recogniser, "find", never)
    monkeypatch.setattr(scheme, "_target", never)
    assert kg.update(days, folder) is None  # every day is in: nothing to do
    assert (folder / "manifest.json").read_bytes() == before
    renamed = tmp_path / "2026-06-15-again.jsonl"  # the same texts under another name
    shutil.copy(days[0], renamed)
    assert kg.update([renamed], folder) is not None  # read, merged, not parsed
    result = runner.invoke(app, ["build", str(days[1]), "--into", str(folder)])
    assert result.exit_code == 0 and "Nothing new: every input is already in" in result.output


def _day(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def test_a_newer_version_wins_and_every_source_stays(tmp_path: Path) -> None:
    old = {"id": "2606.00001v1", "title": "A first title", "authors": ["Ada Lovelace"],
           "categories": ["cs.LG"], "summary": "We study sparse attention."}
    new = {**old, "id": "2606.00001v2", "title": "A better title"}
    kg.build([_day(tmp_path / "2026-06-01.jsonl", [old])], tmp_path / "out")
    kg.update([_day(tmp_path / "2026-06-02.jsonl", [new])], tmp_path / "out")
    store = load_store(tmp_path / "out")
    rows = run_query(store, "SELECT ?t ?v WHERE { ?p dcterms:title ?t ; kg:version ?v }").rows
    assert rows == [("A better title", 2)]
    digests = run_query(store, "SELECT ?d WHERE { ?p a kg:Paper ; prov:wasDerivedFrom ?d } "
                               "ORDER BY ?d")
    assert [str(d).rsplit("/", 1)[1] for (d,) in digests.rows] == [
        "2026-06-01.jsonl", "2026-06-02.jsonl"]


def test_a_new_day_changes_the_concepts_of_papers_already_in(tmp_path: Path) -> None:
    """An acronym used bare in one day and defined in the next: after the update, the first
    day's paper links the concept with its long form, as a rebuild would."""
    bare = {"id": "2606.00011", "title": "Scaling QZTX to long contexts", "categories": ["cs.CL"],
            "summary": "We scale QZTX to long contexts and report gains with QZTX."}
    defining = {"id": "2606.00012", "title": "Quantized zonal token exchange",
                "categories": ["cs.CL"],
                "summary": "We introduce quantized zonal token exchange (QZTX), a new method."}
    first = _day(tmp_path / "2026-06-01.jsonl", [bare])
    second = _day(tmp_path / "2026-06-02.jsonl", [defining])
    kg.build([first], tmp_path / "out")
    kg.build([first, second], tmp_path / "whole")
    result = kg.update([second], tmp_path / "out")
    assert result is not None
    lookup = ("SELECT ?alias WHERE { <https://arxiv.org/abs/2606.00011> kg:mentions ?c . "
              "?c skos:altLabel ?alias }")
    aliases = {row[0] for row in run_query(load_store(tmp_path / "out"), lookup).rows}
    assert "quantized zonal token exchange" in aliases
    assert ((tmp_path / "out" / "graph.ttl").read_bytes()
            == (tmp_path / "whole" / "graph.ttl").read_bytes())


def test_a_new_concepts_file_is_applied_without_new_inputs(
        days: list[Path], whole: Path, tmp_path: Path, seed: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(whole, folder)
    concepts = seed.parents[1] / "my-concepts.tsv"
    scanned = []
    find = scheme._Recogniser.find
    monkeypatch.setattr(scheme._Recogniser, "find",
                        lambda self, text: scanned.append(text) or find(self, text))
    monkeypatch.setattr(spacy_extractor, "load_pipeline", lambda: pytest.fail("parsed again"))
    result = kg.update([], folder, concepts=[concepts])
    assert result is not None
    assert read_state(folder).options["concepts"] == [str(concepts.resolve())]
    # Another scheme: every text is scanned for its labels again, none is parsed again.
    assert len(scanned) == len({t for p in result.papers for t in (p.title, p.abstract) if t})


def test_into_checks_its_options_and_folder(days: list[Path], tmp_path: Path) -> None:
    mixed = runner.invoke(app, ["build", str(days[0]), "--into", str(tmp_path), "-f", "trig"])
    assert mixed.exit_code == 2 and "--format: --into adds to a build with the options" in \
        mixed.output
    empty = runner.invoke(app, ["build", str(days[0]), "--into", str(tmp_path)])
    assert empty.exit_code == 2 and "holds no build kg can add to" in empty.output


@pytest.mark.parametrize(("moment", "count"),
                         [("export", 2), ("rename", 2), ("rename", 3), ("rename", 8)])
def test_an_update_killed_at_any_moment_leaves_a_usable_folder(
        moment: str, count: int, days: list[Path], whole: Path, tmp_path: Path) -> None:
    """Killed while exporting, or between the renames of the commit (the third puts the new
    graph.ttl beside the old index and store): the next update ends as a rebuild would."""
    folder = tmp_path / "out"
    kg.build(days[:2], folder)
    before = {row[0] for row in run_query(load_store(folder), "SELECT ?id { ?p kg:arxivId ?id }",
                                          {}).rows}
    run_killed(moment, count, "build", str(days[2]), "--into", str(folder), "-q")
    ids = {row[0] for row in run_query(load_store(folder), "SELECT ?id { ?p kg:arxivId ?id }",
                                       {}).rows}
    assert ids == before or ids > before  # the old build, or the whole new one
    read_state(folder)  # the state the manifest names is whole
    assert kg.update(days[2:], folder) is not None or ids > before
    assert not [p.name for p in folder.iterdir() if ".kg-tmp-" in p.name]
    assert (folder / "graph.ttl").read_bytes() == (whole / "graph.ttl").read_bytes()
    assert set(load_store(folder)) == set(load_store(whole))
