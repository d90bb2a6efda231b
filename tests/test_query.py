"""Saved and ad-hoc SPARQL over a hand-written graph that follows kg's RDF mapping."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from kg.errors import UsageError
from kg.query import (
    QueryError,
    QueryResult,
    load_store,
    parse_header,
    resolve_query,
    run_query,
    saved_queries,
    to_csv,
    to_json,
    to_table,
)

MINI = Path(__file__).parent / "data" / "mini.ttl"


@pytest.fixture(scope="module")
def store():
    return load_store(MINI)


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
        ("LoRA", "2601.00001", "2026-01-02"), ("LoRA", "2601.00002", "2026-01-02")]


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
    assert result.rows == [(1, 0.8)]


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


def test_a_folder_without_a_store_says_what_to_run(tmp_path):
    with pytest.raises(UsageError, match="run `kg build` with this folder as output first"):
        load_store(tmp_path)
    (tmp_path / "graph.ttl").write_text(MINI.read_text("utf-8"), "utf-8")  # an older kg's
    with pytest.raises(UsageError, match=r"graph\.ttl from an older kg: run `kg build` again"):
        load_store(tmp_path)
    assert len(load_store(tmp_path / "graph.ttl")) == len(load_store(MINI))  # the file itself


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
