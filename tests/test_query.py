"""Saved and ad-hoc SPARQL over a hand-written graph that follows kg's RDF mapping."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import mini
import pytest
from pyoxigraph import Store
from rich.console import Console
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import UsageError
from kg.query import (
    QueryError,
    QueryResult,
    literal_hints,
    load_store,
    parse_header,
    resolve_query,
    run_query,
    saved_queries,
    suggestions,
    to_csv,
    to_json,
    to_table,
)


@pytest.fixture(scope="module")
def mini_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mini.write(tmp_path_factory.mktemp("mini"))


@pytest.fixture(scope="module")
def store(mini_folder: Path):
    return load_store(mini_folder)


def saved(store, name: str, **params: str) -> QueryResult:
    return run_query(store, resolve_query(name), params)


def test_saved_queries_declare_names_descriptions_and_parameters():
    queries = saved_queries()
    assert list(queries) == ["authors-sharing-concepts", "coauthors", "concepts-of-category",
                             "papers-about-concept", "top-concepts"]
    for name, query in queries.items():
        assert query.name == name and query.description
        assert all(p.description for p in query.parameters)
    concept = queries["papers-about-concept"].parameters
    assert [(p.name, p.required) for p in concept] == [("concept", True)]
    limit = queries["top-concepts"].parameters
    assert [(p.name, p.default) for p in limit] == [("limit", "20")]


@pytest.mark.parametrize("value", ["LoRA", "lora", "low-rank ADAPTATION"])
def test_papers_about_concept_matches_label_or_alias_ignoring_case(store, value):
    result = saved(store, "papers-about-concept", concept=value)
    assert result.variables == ["label", "arxivId", "title", "date", "paper"]
    assert [(r[0], r[1], r[3]) for r in result.rows] == [
        ("LoRA", "2601.00002", "2026-01-02"), ("LoRA", "2601.00001", "2026-01-02")]


def test_papers_about_concept_newest_first(store):
    result = saved(store, "papers-about-concept", concept="imagenet")
    assert [r[1] for r in result.rows] == ["2601.00003", "2601.00001"]


def test_coauthors_with_shared_papers(store):
    result = saved(store, "coauthors", author="alice martin")
    assert result.variables == ["coauthor", "papers"]
    assert result.rows == [("Bob Chen", 2), ("Chloé Dubois", 1), ("Dan O'Neil", 1)]


def test_a_quote_in_a_value_is_just_data(store):
    assert saved(store, "coauthors", author="Dan O'Neil").rows == [
        ("Alice Martin", 1), ("Bob Chen", 1)]


def test_concepts_of_category_counts_cross_lists(store):
    result = saved(store, "concepts-of-category", category="cs.LG")
    assert result.variables == ["concept", "type", "papers"]
    assert result.rows == [
        ("accuracy", "metric", 2), ("LoRA", "method", 2), ("GLUE", "dataset", 1),
        ("graph neural network", "method", 1), ("ImageNet", "dataset", 1),
        ("Vision Transformer", "method", 1)]


def test_top_concepts_default_and_given_limit(store):
    everything = saved(store, "top-concepts")
    assert len(everything.rows) == 8  # fewer concepts than the default 20; PEFT is unmentioned
    assert everything.rows[:4] == [("accuracy", "metric", 2), ("ImageNet", "dataset", 2),
                                   ("LoRA", "method", 2), ("diffusion model", "method", 1)]
    assert saved(store, "top-concepts", limit="3").rows == everything.rows[:3]


def test_authors_sharing_concepts(store):
    result = saved(store, "authors-sharing-concepts", author="Alice Martin")
    assert result.variables == ["other_author", "shared_concepts"]
    assert result.rows == [("Bob Chen", 5), ("Chloé Dubois", 3), ("Dan O'Neil", 3),
                           ("Eve Kowalski", 1), ("Frank Li", 1)]
    assert len(saved(store, "authors-sharing-concepts", author="Alice Martin", limit="2").rows) == 2


@pytest.mark.parametrize("value", ['" } ; DROP ALL ; #', "x\" || true || \"", "?concept", "<"])
def test_sparql_in_a_value_is_bound_not_injected(store, value):
    before = len(store)
    assert saved(store, "papers-about-concept", concept=value).rows == []
    assert len(store) == before


def test_an_iri_value_is_bound_as_an_iri(store):
    query = "SELECT ?c ?label WHERE { ?c skos:prefLabel ?label }"
    result = run_query(store, query, {"c": "<https://w3id.org/arxiv-kg/concept/fid>"})
    assert result.variables == ["label"]
    assert result.rows == [("FID",)]
    with pytest.raises(QueryError, match="bad IRI"):
        run_query(store, query, {"c": "<not an iri>"})


def test_unknown_parameter_lists_the_query_parameters(store):
    with pytest.raises(QueryError, match=r"unknown parameter topic.*concept \(required\)"):
        saved(store, "papers-about-concept", topic="LoRA")


def test_missing_parameter_lists_the_query_parameters(store):
    with pytest.raises(QueryError, match=r"missing parameter author.*author \(required\).*limit"):
        saved(store, "authors-sharing-concepts")


def test_ad_hoc_query_may_bind_its_own_variables_only(store):
    query = "SELECT ?paper ?id WHERE { ?paper kg:arxivId ?id } ORDER BY ?id"
    assert run_query(store, query, {"id": "2601.00004"}).rows == [
        ("https://arxiv.org/abs/2601.00004",)]
    with pytest.raises(QueryError, match=r"unknown parameter nope.*id, paper"):
        run_query(store, query, {"nope": "x"})


def test_bad_limit_and_bad_sparql_are_query_errors(store):
    with pytest.raises(QueryError, match="whole number"):
        saved(store, "top-concepts", limit="ten")
    with pytest.raises(QueryError, match="invalid SPARQL"):
        run_query(store, "SELECT ?x WHERE { ?x }")


def test_ask_and_typed_values(store):
    assert run_query(store, "ASK { ?p kg:arxivId '2601.00001' }").rows == [(True,)]
    result = run_query(store, "SELECT ?pos ?conf WHERE { ?a kg:position ?pos . "
                              "OPTIONAL { ?m kg:confidence ?conf } } ORDER BY ?pos ?conf LIMIT 1")
    assert result.rows == [(1, 0.9)]


def test_resolve_query_from_name_file_or_text(tmp_path):
    path = tmp_path / "mine.rq"
    path.write_text("SELECT * WHERE { ?s ?p ?o }", "utf-8")
    assert resolve_query("coauthors") == saved_queries()["coauthors"].text
    assert resolve_query(str(path)) == "SELECT * WHERE { ?s ?p ?o }"
    assert resolve_query("ASK { ?s ?p ?o }") == "ASK { ?s ?p ?o }"
    with pytest.raises(QueryError, match="saved queries: authors-sharing-concepts"):
        resolve_query("no-such-query")


def test_parse_header_rejects_a_malformed_parameter():
    with pytest.raises(QueryError, match="bad parameter declaration"):
        parse_header("# param\nSELECT * WHERE { ?s ?p ?o }")


def test_a_folder_without_a_store_says_what_to_run(tmp_path, mini_folder):
    with pytest.raises(UsageError, match="run `kg build` with this folder as output first"):
        load_store(tmp_path)
    turtle = (mini_folder / "graph.ttl").read_text("utf-8")
    (tmp_path / "graph.ttl").write_text(turtle, "utf-8")  # as an older kg left it
    with pytest.raises(UsageError, match=r"graph\.ttl from an older kg: run `kg build` again"):
        load_store(tmp_path)
    assert len(load_store(tmp_path / "graph.ttl")) == len(load_store(mini_folder))


def test_formatters(store):
    result = saved(store, "coauthors", author="Alice Martin")
    rows = list(csv.reader(io.StringIO(to_csv(result))))
    assert rows == [["coauthor", "papers"], ["Bob Chen", "2"], ["Chloé Dubois", "1"],
                    ["Dan O'Neil", "1"]]
    assert json.loads(to_json(result))[0] == {"coauthor": "Bob Chen", "papers": 2}
    console = Console(record=True, width=80, file=io.StringIO())
    console.print(to_table(result, title="coauthors"))
    text = console.export_text()
    assert "Chloé Dubois" in text and "3 rows" in text
    empty = QueryResult(["x"], [(None,)])
    assert list(csv.reader(io.StringIO(to_csv(empty)))) == [["x"], [""]]
    assert json.loads(to_json(empty)) == [{"x": None}]


def test_saved_queries_are_paged(store):
    first = saved(store, "top-concepts", limit="3")
    assert (len(first.rows), first.truncated, first.paged, first.offset) == (3, True, True, 0)
    rest = saved(store, "top-concepts", limit="3", offset="6")
    assert len(rest.rows) == 2 and not rest.truncated  # 8 concepts are mentioned
    assert [r[0] for r in first.rows + saved(store, "top-concepts", limit="3",
                                             offset="3").rows + rest.rows] == [
        r[0] for r in saved(store, "top-concepts").rows]
    with pytest.raises(QueryError, match="offset must be a whole number from 0"):
        saved(store, "top-concepts", offset="-1")


@pytest.mark.parametrize(("param", "value", "nearest"), [
    ("concept", "lroa", ["LoRA"]), ("concept", "vision transfromer", ["Vision Transformer"]),
    ("author", "Bob Chne", ["Bob Chen"])])
def test_a_lookup_that_finds_nothing_suggests_the_nearest_names(store, param, value, nearest):
    name = "papers-about-concept" if param == "concept" else "coauthors"
    text = resolve_query(name)
    assert run_query(store, text, {param: value}).rows == []
    assert suggestions(store, text, {param: value}) == {param: nearest}


def test_a_category_in_the_wrong_case_is_suggested(store):
    text = resolve_query("concepts-of-category")
    assert suggestions(store, text, {"category": "cs.lg"})["category"][0] == "cs.LG"


@pytest.mark.parametrize(("query", "message"), [
    ("SELEC ?x WHERE { ?x ?p ?o }",
     "invalid SPARQL at 1:10: SELEC is not a SPARQL keyword; did you mean SELECT?"),
    ("SELECT ?x WHERE {\n ?x ?p ?o \n FILTR(?x) }",
     "invalid SPARQL at 3:10: FILTR is not a SPARQL keyword; did you mean FILTER?"),
    ("SELECT ?x WHERE { ?x ?p ?o ",
     "invalid SPARQL at 1:28: the query ends too early (is a closing } or ) missing?)"),
])
def test_a_syntax_error_is_a_place_and_a_sentence(query, message):
    with pytest.raises(QueryError) as error:
        run_query(Store(), query)
    assert str(error.value) == message


def test_an_undeclared_prefix_is_named():
    with pytest.raises(QueryError, match=r"at 1:29: the prefix foo: is not declared \(kg "
                                         r"declares dcterms, fabio, foaf, kg, "):
        run_query(Store(), "SELECT ?x WHERE { ?x foo:bar ?o }")


def test_a_plain_string_compared_with_tagged_labels_gets_a_hint(store):
    query = 'SELECT ?c WHERE { ?c skos:prefLabel "LoRA" }'
    assert run_query(store, query).rows == []
    [hint] = literal_hints(store, query)
    assert 'write "LoRA"@en, or match any case and tag with kg:lookupKey "lora"' in hint
    assert literal_hints(store, 'SELECT ?c WHERE { ?c skos:prefLabel "nothing" }') == []


def test_the_command_line_says_what_is_not_shown(mini_folder):
    runner = CliRunner()
    page = runner.invoke(app, ["query", "top-concepts", "-g", str(mini_folder), "-p", "limit=2",
                               "--format", "csv"])
    lines = page.stdout.splitlines()
    assert lines[0] == "concept,type,papers" and len(lines) == 3
    assert "Rows 1 to 2; the next ones: --param offset=2" in page.stderr
    missing = runner.invoke(app, ["query", "coauthors", "-g", str(mini_folder), "-p",
                                  "author=Alice Martn"])
    assert "No match for author 'Alice Martn'; the nearest: Alice Martin." in missing.stderr


def test_import_kg_and_the_query_command_do_not_load_spacy():
    code = ("import sys, kg, kg.cli; "
            "print(sorted(m for m in ('spacy', 'pyvis', 'jinja2') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("category", [None, "cs.LG", "cs.CV"])
def test_the_standings_are_the_counts_sparql_would_give(store, category):
    """The rankings counted at build time against the same counts made by SPARQL."""
    scope = f'?p dcterms:subject/skos:notation "{category}" .' if category else ""
    counted = run_query(store, f"""
        SELECT ?concept (COUNT(DISTINCT ?p) AS ?n) WHERE {{
          {scope} ?p kg:mentions ?c . ?c skos:prefLabel ?concept }}
        GROUP BY ?c ?concept ORDER BY DESC(?n) LCASE(STR(?concept)) ?c""").rows
    if category:
        ranked = saved(store, "concepts-of-category", category=category, limit="1000").rows
    else:
        ranked = saved(store, "top-concepts", limit="1000").rows
    assert [(row[0], row[-1]) for row in ranked] == counted and counted
