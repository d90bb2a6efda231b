"""The `kg` command line: a thin typer layer over `kg.pipeline`, `kg.query` and `kg.analyze`.

Exit codes: 0 success; 1 rejected input under `--strict`; 2 a command that cannot run as
given (a bad option, an input that names nothing, an unknown query or parameter, a query
refused or stopped, an output folder another kg is writing), said in one line before any
work; 3 a bug in kg, said in one line (`--debug` shows its traceback).

Every message that may quote user text (paths, titles, query results) is printed with rich
markup off, so a title with "[bold]" in it is printed as written.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pyoxigraph import Store
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from kg import query as sparql
from kg import serve as serving
from kg import transfer
from kg.concepts.base import CONCEPT_TYPES
from kg.concepts.scheme import load_scheme
from kg.errors import UsageError, debugging, describe, set_debug
from kg.export import exporters
from kg.export.rdf import FORMATS as RDF_FORMATS
from kg.export.registry import DEFAULT_EXPORTS
from kg.export.summary import summarize
from kg.outputs import DEFAULT_OUT
from kg.progress import Advance, Silent
from kg.sources import find_inputs
from kg.store import LiveStore
from kg.vocab import DEFAULT_BASE

app = typer.Typer(
    help="Build a knowledge graph from daily arXiv digests; query and analyse it.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
# One message a line, as logs and grep expect; no markup, no highlighting of user text.
err = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)
LISTED = 20  # rejections and notices printed; summary.json has them all

Inputs = Annotated[list[str], typer.Argument(
    help="Digest files, folders, globs or .tar.xz archives.", show_default=False)]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or summary.")]
Strict = Annotated[bool, typer.Option("--strict", help="Exit 1 when any entry is rejected.")]
Concepts = Annotated[list[Path] | None, typer.Option(
    "--concepts", help="Your own concepts and aliases: a .tsv or SKOS .ttl file (repeatable).",
    exists=True, dir_okay=False, readable=True, show_default=False)]
GraphDir = Annotated[Path, typer.Option("--graph", "-g", help="Folder `kg build` wrote.")]

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:
    from kg.merge import Account


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option(
        "--debug", help="Show the traceback of an unexpected error (and stop at the first).",
    )] = False,
) -> None:
    """Build a knowledge graph from daily arXiv digests; query and analyse it."""
    set_debug(debug or debugging())


def _handled(command: F) -> F:
    """Usage errors as one line and exit 2; a bug in kg as one line and exit 3, or its
    traceback under --debug."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except UsageError as error:
            raise _fail(str(error)) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            if debugging():
                raise
            raise _fail(f"internal error, a bug in kg: {describe(error)}. Run again with "
                        f"--debug for the traceback, and please report it.", 3) from None

    return run  # type: ignore[return-value]


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
    err.print(Text.assemble(("error: ", "red"), message))
    return typer.Exit(code)


def _report_account(account: Account, quiet: bool) -> None:
    if quiet and not account.rejections and not account.notices:
        return
    refused = (f", {account.file_problems:,} file problems" if account.file_problems else "")
    err.print(f"Read {account.entries:,} entries from {account.files:,} files: "
              f"{account.distinct_papers:,} distinct papers, "
              f"{account.duplicates_merged:,} duplicates merged, "
              f"{account.entries_rejected:,} rejected{refused}.")
    for what, items in (("rejected", account.rejections), ("mended", account.notices)):
        for item in items[:LISTED]:
            err.print(f"  {what} {item}")
        if len(items) > LISTED:
            err.print(f"  ... and {len(items) - LISTED:,} more {what} (see summary.json)")


def _progress(quiet: bool) -> RichProgress | Silent:
    """Bars only on a terminal: a log file gets the account, not redraw noise."""
    return RichProgress(err) if err.is_terminal and not quiet else Silent()


@app.command()
@_handled
def build(
    inputs: Inputs,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Output folder [default: outputs].", show_default=False)] = None,
    into: Annotated[Path | None, typer.Option(
        "--into", help="Add the inputs to the build in this folder, with its options: only "
        "new or changed files are read, only new texts parsed.", show_default=False)] = None,
    rdf_format: Annotated[list[str] | None, typer.Option(
        "--format", "-f", help=f"RDF format(s): {', '.join(RDF_FORMATS)}; repeat for several. "
        "graph.ttl is always written [default: turtle].", show_default=False)] = None,
    base: Annotated[str | None, typer.Option(
        help=f"Base IRI of authors, categories and concepts [default: {DEFAULT_BASE}].",
        show_default=False)] = None,
    max_nodes: Annotated[int | None, typer.Option(
        help="Largest graph the HTML view draws whole; a larger one is drawn as an overview "
        "[default: 1500].", min=1, show_default=False)] = None,
    export: Annotated[list[str] | None, typer.Option(
        "--export", "-e", help="Outputs to write; repeat for several "
        f"({', '.join(exporters.names())}) [default: {', '.join(DEFAULT_EXPORTS)}].",
        show_default=False)] = None,
    concepts: Concepts = None,
    strict: Strict = False,
    quiet: Quiet = False,
) -> None:
    """Build the graph: RDF, an HTML view and a summary (GraphML on request) in --out, or add
    digests to an earlier build with --into."""
    from kg import pipeline  # networkx and the extractor: not for `kg query`

    if into is not None:
        given = [name for name, value in (("--out", out), ("--format", rdf_format),
                                          ("--base", base), ("--max-nodes", max_nodes),
                                          ("--export", export)) if value is not None]
        if given:
            raise UsageError(f"{', '.join(given)}: --into adds to a build with the options it "
                             f"was built with; build again with --out to change them")
        result = pipeline.update(inputs, into, concepts=concepts, progress=_progress(quiet))
        if result is None:
            err.print(f"Nothing new: every input is already in {into}.")
            return
    else:
        result = pipeline.build(
            inputs, out or DEFAULT_OUT, formats=rdf_format or ["turtle"],
            base=base or DEFAULT_BASE, max_nodes=max_nodes or 1500,
            exports=export or list(DEFAULT_EXPORTS), concepts=concepts or (),
            progress=_progress(quiet))
    _report_account(result.account, quiet)
    if not quiet:
        summary = summarize(result.graph)
        counts = ", ".join(f"{n:,} {kind}" for kind, n in summary["nodes"].items())
        err.print(f"Graph: {counts}.")
        for path in result.files:
            err.print(f"  wrote {path}")
    if strict and result.account.rejections:
        raise typer.Exit(1)


@app.command()
@_handled
def extract(
    inputs: Inputs,
    output_format: Annotated[str, typer.Option("--format", help="Output format: jsonl.")] = "jsonl",
    types: Annotated[str | None, typer.Option(
        help=f"Only these concept types, comma separated ({','.join(CONCEPT_TYPES)}).",
    )] = None,
    min_confidence: Annotated[float, typer.Option(
        help="Drop links below this confidence.", min=0.0, max=1.0)] = 0.0,
    concepts: Concepts = None,
    strict: Strict = False,
    quiet: Quiet = False,
) -> None:
    """Print each paper's concepts, one JSON line per paper: {"id", "concepts": [...]}."""
    from kg import pipeline  # networkx and the extractor: not for `kg query`

    if output_format != "jsonl":
        raise UsageError(f"unknown output format {output_format!r} (choose from: jsonl)")
    wanted = {t.strip() for t in types.split(",")} if types else None
    unknown = sorted((wanted or set()) - set(CONCEPT_TYPES))
    if unknown:
        raise UsageError(f"unknown concept type {', '.join(map(repr, unknown))} "
                         f"(choose from {', '.join(CONCEPT_TYPES)})")
    paths = find_inputs(inputs)
    scheme = load_scheme(concepts or ())  # a broken concepts file fails before the reading
    papers, account = pipeline.read_papers(paths, _progress(quiet))
    extraction = pipeline.extract_concepts(papers, progress=_progress(quiet), scheme=scheme)
    for record in pipeline.concept_records(papers, extraction, wanted, min_confidence):
        print(json.dumps(record, ensure_ascii=False))
    sys.stdout.flush()
    _report_account(account, quiet)
    if strict and account.rejections:
        raise typer.Exit(1)


@app.command()
@_handled
def query(
    query_text: Annotated[str | None, typer.Argument(
        metavar="QUERY", help="SPARQL text, a .rq file, or the name of a saved query.",
        show_default=False)] = None,
    graph: GraphDir = DEFAULT_OUT,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="A parameter NAME=VALUE, bound as a value (repeatable).",
        show_default=False)] = None,
    output_format: Annotated[str, typer.Option(
        "--format", help="table, csv or json.")] = "table",
    timeout: Annotated[float, typer.Option(
        help="Stop the query after this many seconds.", min=0.1)] = sparql.DEFAULT_TIMEOUT,
    max_rows: Annotated[int, typer.Option(
        help="Show at most this many rows.", min=1)] = sparql.DEFAULT_MAX_ROWS,
    list_saved: Annotated[bool, typer.Option("--list", help="List the saved queries.")] = False,
) -> None:
    """Run SPARQL on a built graph; parameters are bound, never pasted into the query.

    Saved queries are paged: --param limit=N (50 unless the query says) and --param offset=M.
    A query reads the local graph only (SERVICE is refused), and is stopped past --timeout or
    a memory budget; at most --max-rows rows are shown.
    """
    if list_saved:
        for saved in sparql.saved_queries().values():
            print(f"{saved.name}: {saved.description}")
            for parameter in saved.parameters:
                print(f"    --param {parameter}")
            if "limit" not in {p.name for p in saved.parameters}:
                print(f"    --param limit (default {sparql.PAGE}), --param offset (default 0)")
        return
    if query_text is None:
        raise UsageError("give a query: SPARQL text, a .rq file or a saved query name "
                         "(see --list)")
    if output_format not in ("table", "csv", "json"):
        raise UsageError(f"unknown output format {output_format!r} "
                         f"(choose from table, csv, json)")
    params = {}
    for item in param or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {item!r}: write it as NAME=VALUE")
        params[name.strip()] = value
    text = sparql.resolve_query(query_text)
    store = sparql.load_store(graph)
    result = sparql.run_limited(store, text, params, timeout=timeout, max_rows=max_rows)
    if output_format == "table":
        Console(soft_wrap=False, markup=False, highlight=False).print(sparql.to_table(result))
    else:
        sys.stdout.write(sparql.to_csv(result) if output_format == "csv"
                         else sparql.to_json(result))
    _say_what_is_not_shown(result, store, text, params, max_rows)


def _say_what_is_not_shown(result: sparql.QueryResult, store: Store, text: str,
                           params: dict[str, str], max_rows: int) -> None:
    """The next page, the row cap, or the nearest names when a lookup found nothing."""
    shown = len(result.rows)
    if result.truncated and result.paged:
        first = result.offset + 1
        err.print(f"Rows {first:,} to {result.offset + shown:,}; the next ones: "
                  f"--param offset={result.offset + shown}")
    elif result.truncated:
        err.print(f"Showing the first {max_rows:,} rows; --max-rows shows more.")
    elif not result.rows:
        for name, names in sparql.suggestions(store, text, params).items():
            nearest = f"; the nearest: {', '.join(names)}" if names else ""
            err.print(f"No match for {name} {params[name]!r}{nearest}.")
        for hint in sparql.literal_hints(store, text):
            err.print(f"No rows. {hint}.")


@app.command()
@_handled
def analyze(
    graph: GraphDir = DEFAULT_OUT,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Output folder (default: the graph folder).", show_default=False,
    )] = None,
    top: Annotated[int, typer.Option(help="Rows in each top-N table.", min=1)] = 10,
    min_occurrences: Annotated[int, typer.Option(
        help="Papers a concept needs to enter the topic network.", min=1)] = 5,
    resolution: Annotated[float, typer.Option(
        help="Leiden's resolution for the topics: higher, more and smaller clusters.",
        min=0.001)] = 1.0,
    category: Annotated[str | None, typer.Option(
        help="Topics of this category's papers only (an arXiv code, e.g. cs.CV).",
        show_default=False)] = None,
    since: Annotated[str | None, typer.Option(
        help="Topics of the papers of this digest day (YYYY-MM-DD) and after.",
        show_default=False)] = None,
    until: Annotated[str | None, typer.Option(
        help="Topics of the papers of this digest day (YYYY-MM-DD) and before.",
        show_default=False)] = None,
    quiet: Quiet = False,
) -> None:
    """Co-author and concept co-occurrence networks and topics: a Markdown report, the papers
    of each topic as CSV, and GraphML for Gephi."""
    from kg import pipeline  # networkx and the extractor: not for `kg query`

    files = pipeline.analyze_graph(graph, out, top=top, min_occurrences=min_occurrences,
                                   resolution=resolution, category=category, since=since,
                                   until=until)
    if not quiet:
        for path in files:
            err.print(f"  wrote {path}")


@app.command()
@_handled
def serve(
    graph: Annotated[Path, typer.Argument(
        metavar="DIR", help="Folder `kg build` wrote (or an RDF file).")] = DEFAULT_OUT,
    host: Annotated[str, typer.Option(
        help="Address to listen on; the default keeps the server to this machine.",
    )] = serving.DEFAULT_HOST,
    port: Annotated[int, typer.Option(
        help="Port to listen on (0: any free one).", min=0, max=65535)] = serving.DEFAULT_PORT,
    timeout: Annotated[float, typer.Option(
        help="Stop a query after this many seconds.", min=0.1)] = sparql.DEFAULT_TIMEOUT,
    max_result: Annotated[int, typer.Option(
        help="Stop a query whose answer passes this many MiB.", min=1,
    )] = serving.DEFAULT_MAX_RESULT_MIB,
) -> None:
    """Serve the explorer at / and the graph over the SPARQL 1.1 Protocol at /sparql.

    The explorer has a page for every paper, author, concept, category and day, and search
    over them all; /query is a page to run the saved queries or your own SPARQL.

    Read-only: updates and SERVICE are refused. Each query runs in a child process, stopped
    past --timeout, a memory budget or --max-result. A new build or update of DIR is served
    as soon as it is written. Ctrl-C stops the server.
    """
    from kg.serve.app import create_app, run_server  # starlette and uvicorn load only here

    store = sparql.load_store(graph)  # now: a folder without a store is said before serving
    stores = LiveStore(graph) if graph.is_dir() else store
    app = create_app(stores, label=str(graph), timeout=timeout, max_result=max_result << 20,
                     own_process=True, folder=graph if graph.is_dir() else None)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C, after uvicorn's clean shutdown
        run_server(app, host, port, announce=err.print)


BuildDir = Annotated[Path, typer.Argument(
    metavar="DIR", help="Folder `kg build` wrote (or an RDF file).", show_default=False)]


@app.command("export")
@_handled
def export_graph(
    folder: BuildDir,
    output_format: Annotated[str | None, typer.Option(
        "--format", "-f", help=f"{', '.join(transfer.FORMATS)} (default: by the extension of "
        f"--out, else {transfer.DEFAULT_FORMAT}).", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="File to write (default: standard output).", show_default=False,
    )] = None,
    quiet: Quiet = False,
) -> None:
    """Stream the graph out as N-Quads, TriG, Turtle or N-Triples, to bulk-load it into a
    larger SPARQL server (QLever, Virtuoso, GraphDB, Fuseki)."""
    fmt = transfer.export_format(output_format, out)
    if out is not None:
        transfer.check_export_file(out)
    store = sparql.load_store(folder)
    if out is not None:
        written = transfer.export_to_file(store, out, fmt, _progress(quiet))
        if not quiet:
            err.print(f"  wrote {out} ({written:,} bytes of {fmt})")
        return
    # No bars over the graph itself when it goes to the terminal.
    progress = Silent() if sys.stdout.isatty() else _progress(quiet)
    try:
        with progress.stage(f"Exporting {fmt} (MiB)") as advance:
            transfer.export_store(store, sys.stdout.buffer, fmt, advance)
    except BrokenPipeError:
        # The reader stopped early (`kg export DIR | head`), which is its choice, not an error;
        # stdout goes to /dev/null so that Python's final flush does not complain again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


@app.command("push")
@_handled
def push_graph(
    folder: BuildDir,
    url: Annotated[str, typer.Argument(
        metavar="URL", help="A SPARQL 1.1 Graph Store endpoint: http://HOST:7878/store "
        "(Oxigraph), http://HOST:3030/DATASET/data (Fuseki), ...", show_default=False)],
    graph_iri: Annotated[str | None, typer.Option(
        "--graph", metavar="IRI", help="Send into this named graph.", show_default=False,
    )] = None,
    default: Annotated[bool, typer.Option(
        "--default", help="Send into the default graph (what happens without --graph).",
    )] = False,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Replace the graph's content (PUT) instead of adding to it (POST).",
    )] = False,
    timeout: Annotated[float, typer.Option(
        help="Wait at most this many seconds for each step: sending a block, the answer.",
        min=0.1)] = transfer.DEFAULT_TIMEOUT,
    quiet: Quiet = False,
) -> None:
    """Send the graph as N-Triples to a SPARQL 1.1 Graph Store Protocol endpoint: added to
    the default graph, or to --graph IRI; --replace replaces what the graph held."""
    if default and graph_iri is not None:
        raise UsageError("give --graph IRI or --default, not both")
    target = transfer.push_target(url, graph_iri)
    transfer.check_reachable(target, timeout)  # a wrong port is said before any loading
    store = sparql.load_store(folder)
    result = transfer.push_store(store, target, replace=replace, timeout=timeout,
                                 progress=_progress(quiet))
    if not quiet:
        err.print(f"Pushed {result.sent:,} bytes of N-Triples to {target.url}: "
                  f"{result.status} {result.reason}")


def main() -> None:
    """The `kg` command (the console script and `python -m kg`).

    Whatever a command leaves alive (a month's graph, the parser's model) is frozen as it
    ends: the interpreter's last collection at exit then has nothing to walk. It walked every
    object still alive, which took 2.2 s of CPU after adding a day to a month, 0.2 s since."""
    try:
        app()
    finally:
        gc.freeze()
