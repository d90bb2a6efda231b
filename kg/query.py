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
    # suggest concept: kg:Concept skos:prefLabel

`param NAME = DEFAULT` makes a parameter optional. A parameter NAME also binds `?NAME_key`, its
case-folded form (`kg.vocab.lookup_key`), when the query uses that variable: matched against
`kg:lookupKey`, a lookup ignores case and language tags and is one index hit. `suggest NAME:
CLASS PROPERTY` says where to look for the nearest names when a lookup finds nothing.

A query with a header is paged: `limit` (default 50, or the header's `param limit = N`) and
`offset` (default 0) are parameters of every such query. SPARQL's LIMIT cannot take a variable,
so they are not bound: they select the rows of the (already sorted) result. A query without a
header may bind any of its variables. The usual prefixes (`kg.vocab.PREFIXES`) are
predeclared, so ad-hoc queries can skip their PREFIX lines.

A query only ever reads the local graph: `SERVICE` (a federated query, which would open a
network connection) is refused. `run_limited` runs a query in a child process with a timeout,
a memory budget and a row cap, since pyoxigraph cannot be interrupted once a query runs: a
cartesian product stops with a message instead of taking the machine.
"""

from __future__ import annotations

import csv
import difflib
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
from kg.vocab import PREFIXES, lookup_key

Value = str | int | float | bool | None

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte")}
_FLOAT_TYPES = {XSD + t for t in ("decimal", "double", "float")}

_FIELD = re.compile(r"#\s*(name|description)\s*:\s*(.*)")
_SUGGEST = re.compile(r"#\s*suggest\s+(\w+)\s*:\s*(\S+)\s+(\S+)\s*$")
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
PAGE = 50  # rows of a page of a query with a header, unless it declares its own `limit`
SUGGESTIONS = 5
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
    suggest: tuple[tuple[str, str, str], ...] = ()  # (parameter, class, property)


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Column names and rows of plain Python values (IRIs as strings, unbound as None);
    `truncated` when the query had more rows than those given: past the page (`paged`, the rows
    from `offset` on) or past the cap it ran with."""

    variables: list[str]
    rows: list[tuple[Value, ...]]
    truncated: bool = False
    paged: bool = False
    offset: int = 0
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
    suggest = []
    for line in text.lstrip().splitlines():
        if not line.startswith("#"):
            break
        if field := _FIELD.match(line):
            fields[field[1]] = field[2].strip()
        elif param := _PARAM.match(line):
            parameters.append(Parameter(param[1], param[3].strip(), param[2]))
        elif hint := _SUGGEST.match(line):
            suggest.append((hint[1], hint[2], hint[3]))
        elif re.match(r"#\s*param\b", line):
            raise QueryError(f"bad parameter declaration {line!r}: write "
                             f"`# param NAME: description` or `# param NAME = DEFAULT: ...`")
    return SavedQuery(fields["name"], fields["description"], tuple(parameters), text,
                      tuple(suggest))


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


@dataclass(frozen=True, slots=True)
class Bindings:
    values: dict[str, str]  # variable -> value, for the variables the query uses
    limit: int | None  # rows of the page; None: every row (a query without a header)
    offset: int


def bind(text: str, params: Mapping[str, str]) -> Bindings:
    """The values to bind (with declared defaults and `?NAME_key` forms) and the page; checks
    the parameters' names and the page's numbers first."""
    header = parse_header(text)
    used = set(_VARIABLE.findall(text))
    if not header.parameters and not header.name and not header.description:
        unknown = sorted(set(params) - used)
        if unknown:
            raise QueryError(f"unknown parameter {', '.join(unknown)}; this query's variables: "
                             f"{', '.join(sorted(used)) or 'none'}")
        return Bindings(dict(params), None, 0)
    declared = {p.name: p for p in header.parameters}
    paging = {"limit": str(PAGE), "offset": "0"}
    defaults = {name: p.default for name, p in declared.items() if p.default is not None}
    values = paging | defaults | dict(params)
    missing = [name for name in declared if name not in values]
    unknown = sorted(set(params) - set(declared) - set(paging))
    if unknown or missing:
        problem = (f"unknown parameter {', '.join(unknown)}" if unknown
                   else f"missing parameter {', '.join(missing)}")
        listing = "; ".join(map(str, header.parameters)) or "none"
        raise QueryError(f"{problem}; this query's parameters: {listing} (and limit, offset)")
    limit = _whole(values.pop("limit"), "limit", 1)
    offset = _whole(values.pop("offset"), "offset", 0)
    keys = {f"{name}_key": lookup_key(value) for name, value in values.items()}
    bound = {name: value for name, value in (values | keys).items() if name in used}
    return Bindings(bound, limit, offset)


def _whole(text: str, name: str, least: int) -> int:
    if not (text.isascii() and text.isdigit() and least <= int(text) <= MAX_LIMIT):
        raise QueryError(f"{name} must be a whole number from {least} to {MAX_LIMIT:,}, "
                         f"not {text[:40]!r}")
    return int(text)


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
    bound = bind(query, params or {})
    substitutions = {ox.Variable(name): _term(value)
                     for name, value in bound.values.items()}
    try:
        result = store.query(query, prefixes=PREFIXES, substitutions=substitutions or None)
    except SyntaxError as error:
        raise QueryError(syntax_message(query, error)) from None
    except RuntimeError as error:  # e.g. a parameter that is not a variable of the SELECT
        raise QueryError(f"cannot run the query: {error}") from None
    if isinstance(result, ox.QueryBoolean):
        return QueryResult(["ask"], [(bool(result),)])
    cap = min((n for n in (bound.limit, max_rows) if n is not None), default=None)
    start = bound.offset
    stop = None if cap is None else start + cap + 1  # one more tells whether rows were cut
    if isinstance(result, ox.QueryTriples):
        variables = ["subject", "predicate", "object"]
        rows = [tuple(python_value(t) for t in (tr.subject, tr.predicate, tr.object))
                for tr in islice(result, start, stop)]
    else:
        variables = [v.value for v in result.variables if v.value not in bound.values]
        rows = [tuple(python_value(solution[v]) for v in variables)
                for solution in islice(result, start, stop)]
    truncated = cap is not None and len(rows) > cap
    paged = bound.limit is not None and cap == bound.limit
    return QueryResult(variables, rows[:cap], truncated, paged, start)


def suggestions(store: ox.Store, query: str, params: Mapping[str, str]) -> dict[str, list[str]]:
    """For each parameter the query's header says to `suggest`, the names nearest to the value
    given (for a lookup that found nothing): "lroa" -> LoRA, LoRa."""
    found = {}
    for name, cls, prop in parse_header(query).suggest:
        if name not in params:
            continue
        text = f"SELECT DISTINCT ?name WHERE {{ ?x a {cls} ; {prop} ?name }}"
        names = {str(row[0]) for row in run_query(store, text).rows}
        by_key = {lookup_key(n): n for n in sorted(names)}
        close = difflib.get_close_matches(lookup_key(params[name]), list(by_key),
                                          n=SUGGESTIONS, cutoff=0.6)
        found[name] = [by_key[key] for key in close]
    return found


_PLAIN_STRING = re.compile(r'"((?:[^"\\\n]|\\.){1,200}+)"(?![@^])')  # "LoRA", not "LoRA"@en


def literal_hints(store: ox.Store, query: str) -> list[str]:
    """Why a query may have found nothing: the labels and names it compares with plain strings
    ("LoRA") are tagged in kg ("LoRA"@en), and a plain string never equals a tagged one."""
    hints = []
    for text in dict.fromkeys(_PLAIN_STRING.findall(query)):
        found = run_query(store, "SELECT ?key WHERE { ?x kg:lookupKey ?key } LIMIT 1",
                          {"key": lookup_key(text)})
        if found.rows:
            hints.append(f'"{text}" names something in the graph, but labels carry a language '
                         f'tag: write "{text}"@en, or match any case and tag with '
                         f'kg:lookupKey "{lookup_key(text)}"')
    return hints


# pyoxigraph says "error at 1:8: expected one of Prefix not found, ['%'], [...ranges...]".
_SYNTAX = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
_KEYWORDS = frozenset((
    "SELECT", "CONSTRUCT", "DESCRIBE", "ASK", "WHERE", "PREFIX", "BASE", "OPTIONAL", "FILTER",
    "UNION", "MINUS", "GRAPH", "BIND", "VALUES", "GROUP", "ORDER", "BY", "HAVING", "LIMIT",
    "OFFSET", "DISTINCT", "REDUCED", "AS", "FROM", "NAMED", "NOT", "EXISTS", "IN", "ASC", "DESC",
    "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "SEPARATOR", "SERVICE",
    "SILENT", "UNDEF", "A", "TRUE", "FALSE", "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND",
    "IRI", "URI", "BNODE", "RAND", "ABS", "CEIL", "FLOOR", "ROUND", "CONCAT", "STRLEN", "UCASE",
    "LCASE", "ENCODE_FOR_URI", "CONTAINS", "STRSTARTS", "STRENDS", "STRBEFORE", "STRAFTER",
    "YEAR", "MONTH", "DAY", "HOURS", "MINUTES", "SECONDS", "TIMEZONE", "TZ", "NOW", "UUID",
    "STRUUID", "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "COALESCE", "IF", "STRLANG", "STRDT",
    "SAMETERM", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC", "REGEX", "SUBSTR",
    "REPLACE",
))


def syntax_message(query: str, error: SyntaxError) -> str:
    """A SPARQL syntax error as "line:column" and one short sentence, instead of the parser's
    list of every character it could have taken."""
    match = _SYNTAX.match(str(error))
    if not match:
        return f"invalid SPARQL: {str(error).splitlines()[0][:200]}"
    line, column, expected = int(match[1]), int(match[2]), match[3]
    lines = query.split("\n")
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    start = max(column - 1, 0)
    word = re.match(r"[\w:.-]*", text[start:])
    before = re.search(r"[\w:.-]+$", text[:start])
    token = ((before[0] if before else "") + (word[0] if word else "")).strip()
    where = f"invalid SPARQL at {line}:{column}"
    if "Prefix not found" in expected and ":" in token:
        prefix = token.split(":", 1)[0]
        known = ", ".join(sorted(PREFIXES))
        return f"{where}: the prefix {prefix}: is not declared (kg declares {known})"
    # A misspelt keyword is often noticed a word later: look at the words up to the error.
    offset = sum(len(t) + 1 for t in lines[: line - 1]) + start + len(word[0] if word else "")
    for unknown in sorted(sparql_keywords(query[:offset]) - _KEYWORDS):
        close = difflib.get_close_matches(unknown, _KEYWORDS, n=1, cutoff=0.75)
        if close:
            return f"{where}: {unknown} is not a SPARQL keyword; did you mean {close[0]}?"
    if offset >= len(query.rstrip()) and ('"}"' in expected or '")"' in expected):
        return f"{where}: the query ends too early (is a closing }} or ) missing?)"
    first = expected.removeprefix("expected ").removeprefix("one of ").split(",")[0].strip()
    near = f" near {token!r}" if token else ""
    return f"{where}{near}: expected {first[:60]}"


def run_limited(store: ox.Store, query: str, params: Mapping[str, str] | None = None, *,
                timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
                memory: int = DEFAULT_MEMORY) -> QueryResult:
    """`run_query` in a forked child process that shares the loaded store, stopped after
    `timeout` seconds or when it allocates more than `memory` bytes, with a QueryError that
    says so. The parent is never at risk: a runaway query dies with its child, and it never
    evaluates the query itself (pyoxigraph evaluates an aggregate as soon as it is asked, even
    on an empty store, so not even the syntax is checked here)."""
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
    more = ", more not shown" if result.truncated else ""
    caption = f"{count:,} row{'' if count == 1 else 's'}{more}"
    table = Table(title=title, caption=caption, min_width=len(caption) + 4)
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

