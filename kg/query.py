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
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from itertools import islice
from pathlib import Path

import pyoxigraph as ox
from rich.table import Table

from kg.vocab import PREFIXES

Value = str | int | float | bool | None

# N-Triples first: it is the fastest to parse; then Turtle, then whatever else kg may write.
GRAPH_FILES = ("graph.nt", "graph.ttl", "graph.nq", "graph.trig", "graph.jsonld", "graph.rdf",
               "graph.n3")

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte")}
_FLOAT_TYPES = {XSD + t for t in ("decimal", "double", "float")}

_FIELD = re.compile(r"#\s*(name|description)\s*:\s*(.*)")
_PARAM = re.compile(r"#\s*param\s+(\w+)\s*(?:=\s*([^:]*?))?\s*:\s*(.*)")
_VARIABLE = re.compile(r"[?$]([A-Za-z_]\w*)")


class QueryError(ValueError):
    """A query that cannot run as asked: bad parameters, bad SPARQL, unknown name."""


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
    """Column names and rows of plain Python values (IRIs as strings, unbound as None)."""

    variables: list[str]
    rows: list[tuple[Value, ...]]

    def records(self) -> list[dict[str, Value]]:
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]


def load_store(graph_dir: Path) -> ox.Store:
    """An in-memory store holding the graph `kg build` wrote into `graph_dir` (or that file)."""
    path = Path(graph_dir)
    if path.is_file():
        return _load(path)
    for name in GRAPH_FILES:
        if (path / name).is_file():
            return _load(path / name)
    raise FileNotFoundError(
        f"no RDF graph in {path} (looked for {', '.join(GRAPH_FILES)}); "
        f"run `kg build` with this folder as output first")


def _load(path: Path) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.from_extension(path.suffix.lstrip(".")))
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
    if not limit.isdigit():
        raise QueryError(f"limit must be a whole number, not {limit!r}")
    return values, int(limit)


def _term(value: str) -> ox.NamedNode | ox.Literal:
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


def run_query(store: ox.Store, query: str, params: Mapping[str, str] | None = None,
              ) -> QueryResult:
    """Run SPARQL text on `store` with `params` bound as values (see the module docstring)."""
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
    if isinstance(result, ox.QueryTriples):
        rows = [tuple(python_value(t) for t in (tr.subject, tr.predicate, tr.object))
                for tr in islice(result, limit)]
        return QueryResult(["subject", "predicate", "object"], rows)
    variables = [v.value for v in result.variables if v.value not in values]
    rows = [tuple(python_value(solution[v]) for v in variables)
            for solution in islice(result, limit)]
    return QueryResult(variables, rows)


def _text(value: Value) -> str:
    return "" if value is None else str(value)


def to_table(result: QueryResult, title: str | None = None) -> Table:
    """A rich table of the result, for the terminal."""
    count = len(result.rows)
    table = Table(title=title, caption=f"{count} row{'' if count == 1 else 's'}")
    for variable in result.variables:
        table.add_column(variable, overflow="fold")
    for row in result.rows:
        table.add_row(*map(_text, row))
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

