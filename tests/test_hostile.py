"""Hostile input and failure safety: one bad file never costs a build, nothing escapes the
output folder, writes are atomic and exclusive, options are checked before work starts.

The committed corpus is `tests/data/hostile/` (made by `make_hostile.py`, listed in its
README); the cases that cannot live in git (an unreadable file, a name that is not UTF-8, a
symbolic link, a megabyte of abstract) are made here.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from killing import run_killed
from typer.testing import CliRunner

import kg
from kg import limits, pipeline
from kg.cli import app
from kg.errors import set_debug
from kg.model import Paper
from kg.outputs import MANIFEST, OutputFolder, read_manifest
from kg.query import QueryError, load_store, run_limited
from kg.sources import read

HOSTILE = Path(__file__).parent / "data" / "hostile"
ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def account_of(*paths: Path) -> tuple[list[Paper], pipeline.Account]:
    papers, account = pipeline.read_papers(paths)
    assert account.entries == (account.distinct_papers + account.duplicates_merged
                               + account.entries_rejected)
    return papers, account


def reasons(account: pipeline.Account, scope: str) -> list[str]:
    return [r.reason for r in account.rejections if r.scope == scope]


# --- one bad file or entry never ends a build --------------------------------------------

# file -> (papers kept, entries rejected, words of each file problem, words of each notice)
EXPECTED: dict[str, tuple[int, int, list[str], list[str]]] = {
    "bad-iris.jsonl": (2, 1, [], []),
    "billion-laughs.xml": (0, 0, ["malformed XML"], []),
    "binary.md": (0, 0, ["binary data"], []),
    "bomb-1gb.tar.xz": (0, 0, ["binary data", "decompression bomb"], []),
    "control-characters.jsonl": (1, 0, [], []),
    "corrupt-end.tar.gz": (70, 0, ["corrupt or truncated in or after member 2026-06-07"], []),
    "deep-nesting.jsonl": (2, 1, [], []),
    "empty.jsonl": (0, 0, ["empty file"], []),
    "empty.tar.gz": (0, 0, ["not a readable tar archive"], []),
    "huge-numbers.jsonl": (2, 2, [], []),
    "latin1-record.jsonl": (3, 0, [], ["byte 0xF6 at column"]),
    "lone-surrogate.jsonl": (2, 0, [], []),
    "not-an-archive.tar.gz": (0, 0, ["not a readable tar archive"], []),
    "rich [bold]markup[red] [x.md": (2, 0, [], []),
    "traversal.tar.gz": (2, 0, [], []),
    "truncated.tar.xz": (50, 0, ["corrupt or truncated in or after member 2026-06-05"], []),
    "wrong-types.snapshot.jsonl": (1, 2, [], []),
    "xxe.xml": (0, 0, ["malformed XML: undefined entity"], []),
}


def test_the_hostile_corpus_is_all_listed() -> None:
    made = {p.name for p in HOSTILE.iterdir() if p.suffix not in (".py", ".md")} | {
        "binary.md", "rich [bold]markup[red] [x.md"}
    assert made == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_hostile_file_costs_only_itself(name: str) -> None:
    papers, account = account_of(HOSTILE / name)
    kept, rejected, problems, notices = EXPECTED[name]
    assert (len(papers), account.entries_rejected) == (kept, rejected)
    assert len(reasons(account, "file")) == len(problems)
    for words, reason in zip(problems, reasons(account, "file"), strict=True):
        assert words in reason
    assert [n for n in notices if any(n in m.message for m in account.notices)] == notices
    for rejection in account.rejections:
        assert rejection.path.startswith(str(HOSTILE / name)) and rejection.reason


def test_entry_rejections_say_why() -> None:
    """Listed by file (in path order, whatever the order they were given in) and line."""
    _, account = account_of(*(HOSTILE / n for n in ("deep-nesting.jsonl", "huge-numbers.jsonl",
                                                     "bad-iris.jsonl")))
    assert [(Path(r.path).name, r.line) for r in account.rejections] == [
        ("bad-iris.jsonl", 1), ("deep-nesting.jsonl", 2), ("huge-numbers.jsonl", 2),
        ("huge-numbers.jsonl", 3)]
    assert reasons(account, "entry") == [
        "its link 'http://exa mple.org/<paper>' is not a valid IRI (Invalid IRI code point ' ')",
        "invalid JSON: nested deeper than 32 levels",
        "arXiv id 2605.00002 has a version of 5,000 digits",
        "invalid JSON: a number of 5,000 digits (limit 100)"]


def test_text_is_mended_not_lost() -> None:
    papers = [paper for name in ("lone-surrogate.jsonl", "control-characters.jsonl",
                                 "latin1-record.jsonl") for paper in account_of(HOSTILE / name)[0]]
    titles = {p.title for p in papers}
    assert "A second \ufffd paper that must survive its neighbour" in titles
    assert "Title with controls" in titles
    assert ["Peter Förster", "Wil Sch\ufffdlders"] in [p.authors for p in papers]
    assert ["Ada Lovelace"] in [p.authors for p in papers]


def test_entity_attacks_neither_expand_nor_read_files() -> None:
    papers, account = account_of(HOSTILE / "billion-laughs.xml", HOSTILE / "xxe.xml")
    assert not papers and account.file_problems == 2
    assert not any("root:" in r.reason for r in account.rejections)


def test_an_old_doi_with_angle_brackets_becomes_a_valid_iri() -> None:
    papers, _ = account_of(HOSTILE / "bad-iris.jsonl")
    doi = next(p for p in papers if p.id_scheme == "doi")
    assert doi.iri == "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID-ASI4%3E3.0.CO;2-0"
    ox.NamedNode(doi.iri)


def test_a_text_longer_than_spacys_limit_is_rejected_with_the_limit(tmp_path: Path) -> None:
    record = {"id": "2605.00009", "title": "long", "summary": "word " * 250_000}
    good = {"id": "2605.00010", "title": "short", "summary": "A short abstract."}
    path = tmp_path / "2026-06-01.jsonl"
    path.write_text(json.dumps(record) + "\n" + json.dumps(good) + "\n", "utf-8")
    papers, account = account_of(path)
    assert [p.id for p in papers] == ["2605.00010"]
    assert reasons(account, "entry") == [
        f"abstract is 1,249,999 characters long (limit {limits.MAX_TEXT_CHARS:,})"]


def test_a_file_kg_cannot_read_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           ) -> None:
    locked, open_one = tmp_path / "2026-06-01.jsonl", tmp_path / "2026-06-02.jsonl"
    for path in (locked, open_one):
        path.write_bytes((HOSTILE / "lone-surrogate.jsonl").read_bytes())
    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object):  # root reads everything: pretend
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", refuse)
    papers, account = account_of(tmp_path)
    assert len(papers) == 2
    assert [str(r) for r in account.rejections] == [f"{locked}: cannot be read: Permission denied"]


def test_a_file_name_that_is_not_utf8_is_shown_escaped_and_built(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9-2026-06-01.jsonl")
    (tmp_path / name).write_bytes((HOSTILE / "lone-surrogate.jsonl").read_bytes())
    (tmp_path / "broken.jsonl").write_text("{not json\n", "utf-8")
    result = runner.invoke(app, ["build", str(tmp_path), "--out", str(tmp_path / "out"),
                                 "-e", "rdf", "-e", "summary"])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text("utf-8"))
    assert summary["account"]["distinct_papers"] == 2
    triples = ox.parse(path=tmp_path / "out" / "graph.ttl", format=ox.RdfFormat.TURTLE)
    labels = {t.object.value for t in triples if t.predicate.value.endswith("#label")}
    assert "caf\\xe9-2026-06-01.jsonl" in labels  # the digest, named as it is printed


def test_the_whole_hostile_corpus_builds(tmp_path: Path) -> None:
    """Every hostile file at once, through the command line: exit 0, every problem named, and
    every output parses (Turtle, GraphML as XML 1.0, the summary)."""
    out = tmp_path / "out"
    files = [str(HOSTILE / name) for name in sorted(EXPECTED)]
    result = runner.invoke(app, ["build", *files, "--out", str(out), "-e", "rdf",
                                 "-e", "graphml", "-e", "summary"])
    assert result.exit_code == 0, result.output
    assert "rich [bold]markup[red] [x.md" not in result.output  # no rejection: not listed
    summary = json.loads((out / "summary.json").read_text("utf-8"))["account"]
    assert summary["entries_read"] == (summary["distinct_papers"] + summary["duplicates_merged"]
                                       + summary["entries_rejected"])
    assert summary["file_problems"] == sum(len(e[2]) for e in EXPECTED.values())
    assert summary["distinct_papers"] == len({p.id for name in EXPECTED
                                              for p in account_of(HOSTILE / name)[0]})
    list(ox.parse(path=out / "graph.ttl", format=ox.RdfFormat.TURTLE))
    ET.parse(out / "graph.graphml")  # control characters in a title left no invalid XML
    strict = runner.invoke(app, ["build", *files, "--out", str(out), "--strict", "-q"])
    assert strict.exit_code == 1


def test_a_bomb_is_stopped_early_with_little_memory() -> None:
    """The 156 kB archive expanding to 1 GiB is read in a fresh process, whose peak memory is
    taken before and after the reading: the growth is the reading's (kg 0.1 grew 2.1 GB)."""
    code = ("import resource, kg.pipeline as p\n"
            "peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "before = peak(); _, a = p.read_papers([{path!r}])\n"
            "print(a.file_problems, peak() - before)")
    bomb = str(HOSTILE / "bomb-1gb.tar.xz")
    done = subprocess.run([sys.executable, "-c", code.format(path=bomb)],
                          capture_output=True, text=True, timeout=60, check=True)
    problems, growth_kb = map(int, done.stdout.split())
    assert problems == 2 and growth_kb < 100_000


# --- messages: rich never takes user text for markup; bugs are one line ------------------


def test_brackets_in_paths_and_titles_are_printed_as_written(tmp_path: Path) -> None:
    hostile = HOSTILE / "rich [bold]markup[red] [x.md"
    copy = tmp_path / "digests [bold]" / hostile.name
    copy.parent.mkdir()
    copy.write_bytes(hostile.read_bytes())
    (copy.parent / "[bold red].jsonl").write_text("{oops\n", "utf-8")
    out = tmp_path / "out [/]"
    result = runner.invoke(app, ["build", str(copy.parent), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"rejected {copy.parent / '[bold red].jsonl'}:1: invalid JSON" in result.output
    assert f"wrote {out / 'graph.ttl'}" in result.output
    query = "SELECT ?t WHERE { ?p dcterms:title ?t } ORDER BY ?t"
    shown = runner.invoke(app, ["query", query, "--graph", str(out)])
    assert shown.exit_code == 0, shown.output
    assert "Closing [/] and [bold red]opening[/bold red] tags" in shown.output
    assert "<img src=x onerror=alert(1)> in a title" in shown.output


def test_a_bug_is_one_line_and_exit_3_or_a_traceback_with_debug(
        monkeypatch: pytest.MonkeyPatch, seed: Path, tmp_path: Path) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "build", broken)
    result = runner.invoke(app, ["build", str(seed), "--out", str(tmp_path)])
    assert result.exit_code == 3
    assert result.output.strip().splitlines() == [
        "error: internal error, a bug in kg: RuntimeError: boom. Run again with --debug for "
        "the traceback, and please report it."]
    debugged = runner.invoke(app, ["--debug", "build", str(seed), "--out", str(tmp_path)])
    set_debug(False)
    assert isinstance(debugged.exception, RuntimeError)


def test_an_unexpected_failure_in_a_reader_rejects_the_entry_or_raises_with_debug(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.sources import jsonl

    def broken(*args: object) -> Paper:
        raise KeyError("surprise")

    monkeypatch.setattr(jsonl, "_paper", broken)
    _, account = account_of(HOSTILE / "lone-surrogate.jsonl")
    assert reasons(account, "entry") == [
        "kg could not read this entry (KeyError: 'surprise'); run with --debug to see where"] * 2
    set_debug(True)
    try:
        with pytest.raises(KeyError):
            list(read([HOSTILE / "lone-surrogate.jsonl"]))
    finally:
        set_debug(False)


# --- options are checked before work starts ---------------------------------------------


@pytest.mark.parametrize(("args", "words"), [
    (["--max-nodes", "0"], "--max-nodes"),
    (["--base", "not an IRI"], "--base 'not an IRI' is not an absolute IRI"),
    (["-f", "n3"], "unknown RDF format 'n3'"),
    (["-e", "pdf"], "unknown export 'pdf'"),
    (["--concepts", "{broken}"], "broken.tsv:1: unknown type 'gadget'"),
])
def test_build_options_are_checked_before_reading(
        args: list[str], words: str, seed: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the inputs were read before the options were checked")

    monkeypatch.setattr(pipeline, "read_papers", never)
    broken = tmp_path / "broken.tsv"
    broken.write_text("LoRA\tgadget\n", "utf-8")
    args = [a.format(broken=broken) for a in args]
    result = runner.invoke(app, ["build", str(seed), "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 2 and words in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_out_naming_a_file_fails_at_once(seed: Path, tmp_path: Path) -> None:
    existing = tmp_path / "graph.ttl"
    existing.write_text("keep me", "utf-8")
    result = runner.invoke(app, ["build", str(seed), "--out", str(existing)])
    assert result.exit_code == 2
    assert f"{existing} is a file, not a folder" in result.output
    assert existing.read_text("utf-8") == "keep me"


@pytest.mark.parametrize(("args", "words"), [
    (["--types", "method,gadget"], "unknown concept type 'gadget'"),
    (["--min-confidence", "1.5"], "--min-confidence"),
    (["--min-confidence", "-0.1"], "--min-confidence"),
])
def test_extract_options_are_checked(args: list[str], words: str, seed: Path) -> None:
    result = runner.invoke(app, ["extract", str(seed), *args])
    assert result.exit_code == 2 and words in result.output, result.output


# --- nothing escapes ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(seed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("built")
    kg.build([seed], out)
    return out


def test_a_symlink_planted_in_the_output_folder_is_replaced_not_followed(
        seed: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("graph.html", "graph.ttl", "summary.md", MANIFEST):
        (out / name).symlink_to(victim)
    (out / ".graph.ttl.kg-tmp-planted").symlink_to(victim)
    assert runner.invoke(app, ["build", str(seed), "--out", str(out), "-q"]).exit_code == 0
    assert victim.read_text("utf-8") == "precious"
    assert not any(p.is_symlink() for p in out.iterdir())


def test_an_output_folder_whose_lock_is_a_symlink_is_refused(seed: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", "utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / ".kg.lock").symlink_to(victim)
    result = runner.invoke(app, ["build", str(seed), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and ".kg.lock is a symbolic link" in result.output
    assert victim.read_text("utf-8") == "precious"


@pytest.mark.parametrize("service", [
    "SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }}",
    "service silent <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }}",
    "# a comment\n  SeRvIcE ?endpoint {{ ?s ?p ?o }} "
    "VALUES ?endpoint {{ <http://127.0.0.1:{port}/> }}",
])
def test_service_is_refused_and_no_connection_is_made(built: Path, service: str) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        query = "SELECT * WHERE { " + service.format(port=port) + " }"
        result = runner.invoke(app, ["query", query, "--graph", str(built)])
        assert result.exit_code == 2
        assert "SERVICE is refused" in result.output
        with pytest.raises(TimeoutError):
            listener.accept()


def test_words_like_service_in_strings_names_and_variables_are_fine(built: Path) -> None:
    query = ('SELECT ?service WHERE { BIND("SERVICE <http://x/>" AS ?service) '
             "# SERVICE in a comment\n }")
    result = runner.invoke(app, ["query", query, "--graph", str(built), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["service", "SERVICE <http://x/>"]


VALUES_1000 = "{ " + " ".join(map(str, range(1000))) + " }"


@pytest.mark.parametrize("query", [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    # no data at all: pyoxigraph evaluates it when asked, so nothing may ask outside the child
    f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {VALUES_1000} VALUES ?b {VALUES_1000} "
    f"VALUES ?c {VALUES_1000} }}",
], ids=["patterns", "values"])
def test_a_cartesian_query_is_stopped_by_its_timeout(built: Path, query: str) -> None:
    result = runner.invoke(app, ["query", query, "--graph", str(built), "--timeout", "1"])
    assert result.exit_code == 2
    assert "the query ran longer than 1 s and was stopped" in result.output


def test_a_query_that_needs_too_much_memory_is_stopped(built: Path) -> None:
    store = load_store(built)
    query = "SELECT ?a ?c ?f WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?f ?c ?a"
    with pytest.raises(QueryError, match=r"needed more than 0\.0625 GiB of memory"):
        run_limited(store, query, timeout=120, memory=64 << 20)


def test_rows_are_capped_and_the_cap_is_said(built: Path) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    result = runner.invoke(app, ["query", query, "--graph", str(built), "--max-rows", "3",
                                 "--format", "csv"])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 4
    assert "Showing the first 3 rows; --max-rows shows more." in result.stderr


@pytest.mark.parametrize("limit", ["²", "10" * 15, "0", "-1", "1e3"])
def test_a_bad_limit_is_a_usage_error(built: Path, limit: str) -> None:
    result = runner.invoke(app, ["query", "top-concepts", "--graph", str(built),
                                 "--param", f"limit={limit}"])
    assert result.exit_code == 2
    assert "limit must be a whole number from 1 to 1,000,000" in result.output


# --- writes are atomic and exclusive ------------------------------------------------------


def test_a_second_writer_stops_with_a_clear_message(seed: Path, tmp_path: Path) -> None:
    with OutputFolder(tmp_path):
        result = runner.invoke(app, ["build", str(seed), "--out", str(tmp_path)])
        assert result.exit_code == 2
        assert f"{tmp_path} is being written by another kg (pid {os.getpid()}" in result.output
    assert runner.invoke(app, ["build", str(seed), "--out", str(tmp_path), "-q"]).exit_code == 0


def test_a_failed_write_leaves_the_previous_outputs_whole(tmp_path: Path) -> None:
    with OutputFolder(tmp_path) as out:
        out.write_text("a.txt", "old")
        out.commit()
    with pytest.raises(RuntimeError), OutputFolder(tmp_path) as out:
        out.write_text("a.txt", "new, half written")
        raise RuntimeError("the build failed")
    assert (tmp_path / "a.txt").read_text("utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".kg.lock", "a.txt", MANIFEST]


@pytest.mark.parametrize(("moment", "count"), [("export", 1), ("export", 3), ("rename", 1),
                                               ("rename", 3), ("rename", 5)])
def test_a_build_killed_at_any_moment_leaves_a_usable_folder(
        moment: str, count: int, built: Path, seed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(built, out)
    run_killed(moment, count, "build", str(seed), str(HOSTILE / "lone-surrogate.jsonl"),
               "--out", str(out), "-q")
    manifest = read_manifest(out)
    assert manifest is not None
    for name in manifest["files"]:  # every output is whole, the previous or the new one
        if name.endswith(".ttl"):
            list(ox.parse(path=out / name, format=ox.RdfFormat.TURTLE))
        elif name.endswith(".json"):
            json.loads((out / name).read_text("utf-8"))
    store = load_store(out)  # the manifest names a whole store: the previous or the new one
    ids = {row[0] for row in run_limited(store, "SELECT ?id { ?p kg:arxivId ?id }").rows}
    assert len(ids) == (9 if moment == "rename" and count > len(manifest["files"]) else 7)
    again = runner.invoke(app, ["build", str(seed), "--out", str(out), "-q"])
    assert again.exit_code == 0, again.output
    assert not [p.name for p in out.iterdir() if ".kg-tmp-" in p.name]
    assert len(load_store(out)) == len(load_store(built))
