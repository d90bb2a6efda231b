"""SPARQL over a built graph folder: load it into pyoxigraph, run saved or ad-hoc queries.

Parameters are bound with pyoxigraph's `substitutions` (SEP-0007), never pasted into the query
text, so a value such as `" } ; DROP` is data, not SPARQL. Values are string literals, or IRIs
when written `<...>`. pyoxigraph only substitutes variables of the SELECT clause, so a query
projects its parameters (and groups by them when it aggregates); their constant columns are
dropped from the result. A bound variable is only used early when it sits in a triple pattern;
one compared in a FILTER is applied after the whole pattern, so the saved queries resolve such
a parameter in a small subquery first (100 times faster on a month of digests).

A query declares itself in a leading comment header (the saved ones in `kg/queries/*.rq`):

    # name: papers-about-concept
    # description: Papers that mention a concept.
    # param concept: a concept label or alias, e.g. LoRA
    # param limit = 20: how many rows to list

`param NAME = DEFAULT` makes a parameter optional. SPARQL's LIMIT cannot take a variable, so a
declared parameter named `limit` is not bound: it caps the (already sorted) rows instead. A query
without a header may bind any of its variables. The usual prefixes (`kg.vocab.PREFIXES`) are
predeclared, so ad-hoc queries can skip their PREFIX lines.

A query only ever reads the local graph: `SERVICE` (a federated query, which would open a
network connection) is refused. `run_limited` runs a query in a child process with a timeout,
a memory budget and a row cap, since pyoxigraph cannot be interrupted once a query runs: a
cartesian product stops with a message instead of taking the machine.
"""

from __future__ import annotations

import csv
import faulthandler
import io
import json
import multiprocessing
import os
import re
import resource
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox
from rich.table import Table
from rich.text import Text

from kg.errors import UsageError, describe
from kg.store import open_store
from kg.vocab import PREFIXES

Value = str | int | float | bool | None

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte")}
_FLOAT_TYPES = {XSD + t for t in ("decimal", "double", "float")}

_FIELD = re.compile(r"#\s*(name|description)\s*:\s*(.*)")
# The default runs to its last non-space before the first `:` (possessive inner runs: a lazy
# default between `\s*` was cubic on a line of spaces).
_PARAM = re.compile(
    r"#\s*+param\s++(\w+)\s*+(?:=\s*+((?:[^:\s]|\s++(?=[^:\s]))*+))?\s*+:\s*(.*)"
)
_VARIABLE = re.compile(r"[?$]([A-Za-z_]\w*)")
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")  # linear: it cannot span another "<"


DEFAULT_TIMEOUT = 60.0  # seconds
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MEMORY = 4 << 30  # bytes a query may allocate beyond the loaded graph
MAX_LIMIT = 1_000_000  # the largest `limit` parameter
MAX_QUERY_CHARS = 1_000_000


class QueryError(UsageError):
    """A query that cannot run as asked: bad parameters, bad SPARQL, unknown name, refused,
    or stopped for its time or memory."""


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    description: str
    default: str | None = None  # None: required

    @property
    def required(self) -> bool:
        return self.default is None

    def __str__(self) -> str:
        default = "required" if self.required else f"default {self.default}"
        return f"{self.name} ({default}): {self.description}"


@dataclass(frozen=True, slots=True)
class SavedQuery:
    name: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Column names and rows of plain Python values (IRIs as strings, unbound as None);
    `truncated` when the query had more rows than the cap it ran with."""

    variables: list[str]
    rows: list[tuple[Value, ...]]
    truncated: bool = False

    def records(self) -> list[dict[str, Value]]:
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]


def load_store(graph_dir: Path) -> ox.Store:
    """The store `kg build` last wrote into the folder `graph_dir`, opened read-only (see
    `kg.store`), or an in-memory store of the RDF file `graph_dir` names."""
    path = Path(graph_dir)
    if path.is_file():
        return _load(path)
    if not path.is_dir():
        raise QueryError(f"{path}: no such folder; give the folder `kg build` wrote (--graph)")
    return open_store(path)


def _load(path: Path) -> ox.Store:
    rdf_format = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
    if rdf_format is None:
        raise QueryError(f"{path}: not an RDF file kg can read (.nt, .ttl, .trig, .jsonld, ...)")
    store = ox.Store()
    try:
        store.bulk_load(path=path, format=rdf_format)
    except (SyntaxError, OSError) as error:
        raise QueryError(f"{path} cannot be loaded: {describe(error)}") from None
    return store


def parse_header(text: str, name: str = "") -> SavedQuery:
    """The name, description and parameters a query declares in its leading comments."""
    fields: dict[str, str] = {"name": name, "description": ""}
    parameters = []
    for line in text.lstrip().splitlines():
        if not line.startswith("#"):
            break
        if field := _FIELD.match(line):
            fields[field[1]] = field[2].strip()
        elif param := _PARAM.match(line):
            parameters.append(Parameter(param[1], param[3].strip(), param[2]))
        elif re.match(r"#\s*param\b", line):
            raise QueryError(f"bad parameter declaration {line!r}: write "
                             f"`# param NAME: description` or `# param NAME = DEFAULT: ...`")
    return SavedQuery(fields["name"], fields["description"], tuple(parameters), text)


def saved_queries() -> dict[str, SavedQuery]:
    """The queries shipped in `kg/queries/`, by name."""
    folder = resources.files("kg").joinpath("queries")
    queries = [parse_header(f.read_text("utf-8"), f.name.removesuffix(".rq"))
               for f in folder.iterdir() if f.name.endswith(".rq")]
    return {q.name: q for q in sorted(queries, key=lambda q: q.name)}


def resolve_query(query: str) -> str:
    """The SPARQL of a saved query by name, of a file, or the argument itself if it is SPARQL."""
    saved = saved_queries()
    if query in saved:
        return saved[query].text
    if "\n" not in query and "{" not in query:
        path = Path(query)
        if path.is_file():
            return path.read_text("utf-8")
        raise QueryError(f"{query!r} is neither a saved query, a file nor SPARQL; "
                         f"saved queries: {', '.join(saved)}")
    return query


def _bindings(text: str, params: Mapping[str, str]) -> tuple[dict[str, str], int | None]:
    """The values to bind, with declared defaults, and the row limit; checks names first."""
    declared = parse_header(text).parameters
    known: dict[str, object]
    if declared:
        known = {p.name: p for p in declared}
        listing = "; ".join(map(str, declared))
        values = {p.name: p.default for p in declared if p.default is not None} | dict(params)
        missing = [p.name for p in declared if p.name not in values]
    else:
        known = dict.fromkeys(_VARIABLE.findall(text))
        listing = ", ".join(sorted(known)) or "none"
        values, missing = dict(params), []
    unknown = sorted(set(params) - set(known))
    if unknown or missing:
        problem = (f"unknown parameter {', '.join(unknown)}" if unknown
                   else f"missing parameter {', '.join(missing)}")
        raise QueryError(f"{problem}; this query's parameters: {listing}")
    if not declared or "limit" not in known:
        return values, None
    limit = values.pop("limit")
    if not (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= MAX_LIMIT):
        raise QueryError(f"limit must be a whole number from 1 to {MAX_LIMIT:,}, "
                         f"not {limit[:40]!r}")
    return values, int(limit)


def _term(value: str) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple:
    if value.startswith("<") and value.endswith(">"):
        try:
            return ox.NamedNode(value[1:-1])
        except ValueError as error:
            raise QueryError(f"bad IRI {value}: {error}") from None
    return ox.Literal(value)


def python_value(term: object) -> Value:
    """A result term as a plain value: numbers and booleans typed, everything else text."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in _INTEGER_TYPES:
            return int(term.value)
        if datatype in _FLOAT_TYPES:
            return float(term.value)
        if datatype == XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)  # an RDF-star triple


def check_query(query: str, params: Mapping[str, str] | None = None) -> None:
    """Raise `QueryError` now for a query that cannot run: too long, SERVICE, bad parameters,
    or SPARQL that does not parse (checked on an empty store, before a graph is loaded)."""
    run_query(ox.Store(), query, params, max_rows=0)


def run_query(store: ox.Store, query: str, params: Mapping[str, str] | None = None,
              *, max_rows: int | None = None) -> QueryResult:
    """Run SPARQL text on `store` with `params` bound as values (see the module docstring),
    keeping at most `max_rows` rows (and saying so in `truncated`)."""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(query):,} characters long "
                         f"(limit {MAX_QUERY_CHARS:,})")
    if "SERVICE" in sparql_keywords(query):
        raise QueryError("SERVICE is refused: kg answers from the local graph only and never "
                         "queries other endpoints over the network")
    values, limit = _bindings(query, params or {})
    substitutions = {ox.Variable(name): _term(value) for name, value in values.items()}
    try:
        result = store.query(query, prefixes=PREFIXES, substitutions=substitutions or None)
    except SyntaxError as error:
        raise QueryError(f"invalid SPARQL: {error}") from None
    except RuntimeError as error:  # e.g. a parameter that is not a variable of the SELECT
        raise QueryError(f"cannot run the query: {error}") from None
    if isinstance(result, ox.QueryBoolean):
        return QueryResult(["ask"], [(bool(result),)])
    cap = min((n for n in (limit, max_rows) if n is not None), default=None)
    fetch = None if cap is None else cap + 1  # one more tells whether rows were cut
    if isinstance(result, ox.QueryTriples):
        variables = ["subject", "predicate", "object"]
        rows = [tuple(python_value(t) for t in (tr.subject, tr.predicate, tr.object))
                for tr in islice(result, fetch)]
    else:
        variables = [v.value for v in result.variables if v.value not in values]
        rows = [tuple(python_value(solution[v]) for v in variables)
                for solution in islice(result, fetch)]
    truncated = cap is not None and cap != limit and len(rows) > cap  # cut by max_rows
    return QueryResult(variables, rows[:cap], truncated)


def run_limited(store: ox.Store, query: str, params: Mapping[str, str] | None = None, *,
                timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
                memory: int = DEFAULT_MEMORY) -> QueryResult:
    """`run_query` in a forked child process that shares the loaded store, stopped after
    `timeout` seconds or when it allocates more than `memory` bytes, with a QueryError that
    says so. The parent is never at risk: a runaway query dies with its child."""
    check_query(query, params)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, store, query, params, max_rows, memory),
                            daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(timeout):
            raise QueryError(f"the query ran longer than {timeout:g} s and was stopped; narrow "
                             f"it (a LIMIT, fewer joins) or allow more with --timeout")
        try:
            kind, payload = receive.recv()
        except EOFError:  # the child died without an answer: out of its memory budget
            child.join()
            raise QueryError(f"the query needed more than {memory / (1 << 30):g} GiB of memory "
                             f"and was stopped (exit {child.exitcode}); narrow it") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
    if kind == "error":
        raise QueryError(payload)
    return payload


def _child(send: Connection, store: ox.Store, query: str, params: Mapping[str, str] | None,
           max_rows: int, memory: int) -> None:
    """The query's process: its address space capped at what it has plus `memory`. Past it,
    the query engine aborts the process; what it would print is the parent's to say."""
    faulthandler.disable()
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    resource.setrlimit(resource.RLIMIT_AS, (_address_space() + memory, resource.RLIM_INFINITY))
    try:
        send.send(("ok", run_query(store, query, params, max_rows=max_rows)))
    except QueryError as error:
        send.send(("error", str(error)))
    except MemoryError:
        pass  # the parent reports the memory budget
    send.close()


def _address_space() -> int:
    """This process's virtual memory size in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def sparql_keywords(query: str) -> set[str]:
    """The bare words of a SPARQL text in upper case, outside strings, IRIs, comments,
    variables and prefixed names: a scan in linear time, so any text can be checked."""
    words: set[str] = set()
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            quote = c * 3 if query.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not query.startswith(quote, i):
                if len(quote) == 1 and query[i] == "\n":
                    break
                i += 2 if query[i] == "\\" else 1
            i += len(quote)
        elif c == "<" and (iri := _IRI.match(query, i)):
            i = iri.end()
        elif c.isalpha() or c == "_":
            start = i
            while i < n and (query[i].isalnum() or query[i] in "_-."):
                i += 1
            if i < n and query[i] == ":":  # a prefix: skip its local name too
                i += 1
                while i < n and (query[i].isalnum() or query[i] in "_-.%:"):
                    i += 1
            elif start == 0 or query[start - 1] not in "?$:":
                words.add(query[start:i].upper())
        else:
            i += 1
    return words


def _text(value: Value) -> str:
    return "" if value is None else str(value)


def to_table(result: QueryResult, title: str | None = None) -> Table:
    """A rich table of the result, for the terminal."""
    count = len(result.rows)
    more = ", more not shown (--max-rows)" if result.truncated else ""
    table = Table(title=title, caption=f"{count:,} row{'' if count == 1 else 's'}{more}")
    for variable in result.variables:
        table.add_column(Text(variable), overflow="fold")
    for row in result.rows:  # as Text: a title with "[b]" in it is not markup
        table.add_row(*(Text(_text(value)) for value in row))
    return table


def to_csv(result: QueryResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.variables)
    writer.writerows([_text(v) for v in row] for row in result.rows)
    return buffer.getvalue()


def to_json(result: QueryResult) -> str:
    """A JSON array of one object per row, keyed by variable."""
    return json.dumps(result.records(), ensure_ascii=False, indent=2) + "\n"

