"""The `kg` command line: a thin typer layer over `kg.pipeline`, `kg.query` and `kg.analyze`.

Exit codes: 0 success, 1 rejected input under `--strict`, 2 usage error (bad option, an input
that names nothing, an unknown query or parameter).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kg import pipeline
from kg import query as sparql
from kg.concepts.scheme import SchemeError
from kg.export import exporters
from kg.export.summary import summarize
from kg.merge import Account
from kg.progress import Advance, Silent
from kg.sources import InputError
from kg.vocab import DEFAULT_BASE

app = typer.Typer(
    help="Build a knowledge graph from daily arXiv digests; query and analyse it.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
err = Console(stderr=True, soft_wrap=True)  # one message a line, as logs and grep expect

RDF_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml", "trig")

Inputs = Annotated[list[str], typer.Argument(
    help="Digest files, folders, globs or .tar.xz archives.", show_default=False)]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or summary.")]
Strict = Annotated[bool, typer.Option("--strict", help="Exit 1 when any entry is rejected.")]
Concepts = Annotated[list[Path] | None, typer.Option(
    "--concepts", help="Your own concepts and aliases: a .tsv or SKOS .ttl file (repeatable).",
    exists=True, dir_okay=False, show_default=False)]


class RichProgress:
    """Progress bars on stderr, one per stage."""

    def __init__(self, console: Console) -> None:
        self.console = console

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Advance]:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())
        with Progress(*columns, console=self.console, transient=True) as bar:
            task = bar.add_task(name, total=total)
            yield lambda k: bar.advance(task, k)


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


def _check_choices(what: str, given: list[str], choices: Sequence[str]) -> None:
    unknown = [g for g in given if g not in choices]
    if unknown:
        raise _fail(f"unknown {what} {', '.join(unknown)} (choose from {', '.join(choices)})")


def _report_account(account: Account, quiet: bool) -> None:
    if quiet and not account.rejections:
        return
    err.print(f"Read {account.entries:,} entries from {account.files:,} files: "
              f"{account.distinct_papers:,} distinct papers, "
              f"{account.duplicates_merged:,} duplicates merged, "
              f"{len(account.rejections):,} rejected.", highlight=False)
    for rejection in account.rejections[:20]:
        err.print(f"  rejected {rejection}", highlight=False, markup=False)
    if len(account.rejections) > 20:
        err.print(f"  ... and {len(account.rejections) - 20:,} more (see summary.json)")


def _progress(quiet: bool) -> RichProgress | Silent:
    """Bars only on a terminal: a log file gets the account, not redraw noise."""
    return RichProgress(err) if err.is_terminal and not quiet else Silent()


@app.command()
def build(
    inputs: Inputs,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = pipeline.DEFAULT_OUT,
    rdf_format: Annotated[list[str], typer.Option(
        "--format", "-f", help=f"RDF format(s): {', '.join(RDF_FORMATS)}; repeat for several.",
    )] = ["turtle"],  # noqa: B006 (typer reads list defaults)
    base: Annotated[str, typer.Option(help="Base IRI of authors, categories and concepts.")] =
        DEFAULT_BASE,
    max_nodes: Annotated[int, typer.Option(help="Node budget of the HTML view.")] = 1500,
    export: Annotated[list[str], typer.Option(
        "--export", "-e", help="Outputs to write; repeat for several (rdf, html, summary, "
        "graphml).",
    )] = list(pipeline.DEFAULT_EXPORTS),  # noqa: B006 (typer reads list defaults)
    concepts: Concepts = None,
    strict: Strict = False,
    quiet: Quiet = False,
) -> None:
    """Build the graph: RDF, an HTML view and a summary (GraphML on request) in --out."""
    _check_choices("RDF format", rdf_format, RDF_FORMATS)
    _check_choices("export", export, exporters.names())
    try:
        result = pipeline.build(inputs, out, formats=rdf_format, base=base, max_nodes=max_nodes,
                                exports=export, concepts=concepts or (),
                                progress=_progress(quiet))
    except (InputError, SchemeError) as error:
        raise _fail(str(error)) from None
    _report_account(result.account, quiet)
    if not quiet:
        summary = summarize(result.graph)
        counts = ", ".join(f"{n:,} {kind}" for kind, n in summary["nodes"].items())
        err.print(f"Graph: {counts}.", highlight=False)
        for path in result.files:
            err.print(f"  wrote {path}", highlight=False)
    if strict and result.account.rejections:
        raise typer.Exit(1)


@app.command()
def extract(
    inputs: Inputs,
    output_format: Annotated[str, typer.Option("--format", help="Output format: jsonl.")] = "jsonl",
    types: Annotated[str | None, typer.Option(
        help="Only these concept types, comma separated (method,task,dataset,metric,artifact).",
    )] = None,
    min_confidence: Annotated[float, typer.Option(help="Drop links below this confidence.")] = 0.0,
    concepts: Concepts = None,
    strict: Strict = False,
    quiet: Quiet = False,
) -> None:
    """Print each paper's concepts, one JSON line per paper: {"id", "concepts": [...]}."""
    if output_format != "jsonl":
        raise _fail(f"unknown output format {output_format!r} (choose from: jsonl)")
    wanted = set(types.split(",")) if types else None
    try:
        papers, account = pipeline.read_papers(inputs, _progress(quiet))
        extraction = pipeline.extract_concepts(papers, progress=_progress(quiet),
                                               concepts=concepts or ())
    except (InputError, SchemeError) as error:
        raise _fail(str(error)) from None
    for record in pipeline.concept_records(papers, extraction, wanted, min_confidence):
        print(json.dumps(record, ensure_ascii=False))
    sys.stdout.flush()
    _report_account(account, quiet)
    if strict and account.rejections:
        raise typer.Exit(1)


GraphDir = Annotated[Path, typer.Option("--graph", "-g", help="Folder `kg build` wrote.")]


@app.command()
def query(
    query_text: Annotated[str | None, typer.Argument(
        metavar="QUERY", help="SPARQL text, a .rq file, or the name of a saved query.",
        show_default=False)] = None,
    graph: GraphDir = pipeline.DEFAULT_OUT,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="A parameter NAME=VALUE, bound as a value (repeatable).",
        show_default=False)] = None,
    output_format: Annotated[str, typer.Option(
        "--format", help="table, csv or json.")] = "table",
    list_saved: Annotated[bool, typer.Option("--list", help="List the saved queries.")] = False,
) -> None:
    """Run SPARQL on a built graph; parameters are bound, never pasted into the query."""
    if list_saved:
        for saved in sparql.saved_queries().values():
            print(f"{saved.name}: {saved.description}")
            for parameter in saved.parameters:
                print(f"    --param {parameter}")
        return
    if query_text is None:
        raise _fail("give a query: SPARQL text, a .rq file or a saved query name (see --list)")
    _check_choices("output format", [output_format], ["table", "csv", "json"])
    params = {}
    for item in param or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise _fail(f"--param {item!r}: write it as NAME=VALUE")
        params[name.strip()] = value
    try:
        text = sparql.resolve_query(query_text)
        store = sparql.load_store(graph)
        result = sparql.run_query(store, text, params)
    except (sparql.QueryError, FileNotFoundError) as error:
        raise _fail(str(error)) from None
    if output_format == "table":
        Console(soft_wrap=False).print(sparql.to_table(result))
    else:
        sys.stdout.write(sparql.to_csv(result) if output_format == "csv"
                         else sparql.to_json(result))


@app.command()
def analyze(
    graph: GraphDir = pipeline.DEFAULT_OUT,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Output folder (default: the graph folder).", show_default=False,
    )] = None,
    top: Annotated[int, typer.Option(help="Rows in each top-N table.")] = 10,
    quiet: Quiet = False,
) -> None:
    """Co-author and concept co-occurrence networks: a Markdown report and GraphML for Gephi."""
    try:
        files = pipeline.analyze_graph(graph, out, top=top)
    except (sparql.QueryError, FileNotFoundError) as error:
        raise _fail(str(error)) from None
    if not quiet:
        for path in files:
            err.print(f"  wrote {path}", highlight=False)


def main() -> None:  # pragma: no cover - console entry point
    app()
