"""`/sparql`: the SPARQL 1.1 Protocol, read-only, over the build's store.

A query comes as `GET ?query=`, as a `POST` form field `query=` or as a `POST` body of type
`application/sparql-query`, with the protocol's `default-graph-uri` and `named-graph-uri`. The
answer's format follows the Accept header: SELECT and ASK as SPARQL JSON (the default), XML,
CSV or TSV; CONSTRUCT and DESCRIBE as Turtle (the default), N-Triples, JSON-LD or RDF/XML;
406 when Accept allows none of these. pyoxigraph writes every format, so what a client parses
is what the W3C formats say, not a serializer of ours.

The endpoint only reads: an update (`update=`, `application/sparql-update`, or update keywords
in a query) is refused with 403 before anything runs, and so is SERVICE, with `kg query`'s
message. The query runs in a killable child (`kg.serve.isolation`), stopped past the timeout,
the memory budget or the answer's size budget with a 503 that says which.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import parse_qs

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kg.query import MAX_QUERY_CHARS, QueryError, sparql_keywords, syntax_message
from kg.serve.isolation import Reply, Work, Writer
from kg.serve.service import Refused, Service, read_body, response
from kg.vocab import PREFIXES

UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")
READ_ONLY = ("kg serve is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, "
             "ADD, MOVE, COPY) is refused; rebuild the graph with kg build to change it")
# As `kg.query.run_query` says it (tests/test_serve.py checks that they stay the same).
SERVICE_REFUSED = ("SERVICE is refused: kg answers from the local graph only and never queries "
                   "other endpoints over the network")
Graph = ox.NamedNode | ox.BlankNode | ox.DefaultGraph  # what pyoxigraph takes as a default graph
NamedGraph = ox.NamedNode | ox.BlankNode
_QVALUE = re.compile(r"0(?:\.\d{0,3})?|1(?:\.0{0,3})?")


FormatT = TypeVar("FormatT", ox.QueryResultsFormat, ox.RdfFormat)


@dataclass(frozen=True, slots=True)
class Format(Generic[FormatT]):
    """A media type a result can be written in, with the other names clients ask it by."""

    media_type: str
    writer: FormatT
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


# Defaults first: SPARQL JSON for solutions and booleans, Turtle for graphs.
RESULT_FORMATS: tuple[Format[ox.QueryResultsFormat], ...] = (
    Format("application/sparql-results+json", ox.QueryResultsFormat.JSON, ("application/json",)),
    Format("application/sparql-results+xml", ox.QueryResultsFormat.XML,
           ("application/xml", "text/xml")),
    Format("text/csv", ox.QueryResultsFormat.CSV),
    Format("text/tab-separated-values", ox.QueryResultsFormat.TSV),
)
GRAPH_FORMATS: tuple[Format[ox.RdfFormat], ...] = (
    Format("text/turtle", ox.RdfFormat.TURTLE, ("application/x-turtle",)),
    Format("application/n-triples", ox.RdfFormat.N_TRIPLES),
    Format("application/ld+json", ox.RdfFormat.JSON_LD, ("application/json",)),
    Format("application/rdf+xml", ox.RdfFormat.RDF_XML, ("application/xml", "text/xml")),
)


def negotiate(accept: str, formats: Sequence[Format[FormatT]]) -> Format[FormatT] | None:
    """The format Accept prefers (RFC 9110: the most specific range sets a type's quality;
    ties go to the order of `formats`), the first with no Accept, None when none is allowed."""
    ranges = _media_ranges(accept)
    if not ranges:
        return formats[0]
    best: Format[FormatT] | None = None
    best_quality = 0.0
    for candidate in formats:
        quality = max(_quality(name, ranges) for name in candidate.names)
        if quality > best_quality:
            best, best_quality = candidate, quality
    return best


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for item in accept.split(","):
        media, *parameters = (part.strip() for part in item.split(";"))
        if not media:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                quality = float(value) if _QVALUE.fullmatch(value) else 0.0
        ranges.append((media.lower(), quality))
    return ranges


def _quality(media_type: str, ranges: Iterable[tuple[str, float]]) -> float:
    """The quality of the most specific range matching `media_type`, 0 if none does."""
    quality, specificity = 0.0, -1
    family = media_type.split("/")[0] + "/*"
    for media, q in ranges:
        level = 2 if media == media_type else 1 if media == family else 0 if media == "*/*" else -1
        if level > specificity:
            quality, specificity = q, level
    return quality


async def endpoint(request: Request) -> Response:
    """The SPARQL 1.1 Protocol's query operation."""
    service: Service = request.app.state.service
    try:
        query, dataset = await _read_request(request)
        _refuse(query)
        default_graph: list[Graph] = [_graph(iri) for iri in dataset.get("default-graph-uri", [])]
        named_graphs: list[NamedGraph] = [_graph(i) for i in dataset.get("named-graph-uri", [])]
    except Refused as refused:
        reply = Reply.text(refused.status, str(refused))
    else:
        work = _evaluate(service.store, query, request.headers.get("accept", ""),
                         default_graph, named_graphs)
        reply = await service.run(work)
    return response(reply, {"Vary": "Accept"})


async def _read_request(request: Request) -> tuple[str, dict[str, list[str]]]:
    """The query text, and the protocol's fields (the dataset) beside it."""
    fields = parse_qs(request.url.query, keep_blank_values=True)
    if request.method == "POST":
        kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if kind == "application/sparql-update":
            raise Refused(403, READ_ONLY)
        if kind == "application/sparql-query":
            return _text(await read_body(request)), fields
        if kind != "application/x-www-form-urlencoded":
            raise Refused(415, "send the query as ?query=, as a form field query= "
                               "(application/x-www-form-urlencoded) or as a body of type "
                               "application/sparql-query")
        fields = parse_qs(_text(await read_body(request)), keep_blank_values=True)
    if "update" in fields:
        raise Refused(403, READ_ONLY)
    queries = fields.get("query", [])
    if len(queries) != 1:
        raise Refused(400, "give one query: ?query=..., or POST it (the query page is at /)")
    return queries[0], fields


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the request is not UTF-8, as the SPARQL protocol requires") from None


def _refuse(query: str) -> None:
    """Refuse, by its words alone, a query kg must not run: too long, an update, SERVICE."""
    if len(query) > MAX_QUERY_CHARS:
        raise Refused(413, f"the query is {len(query):,} characters long "
                           f"(limit {MAX_QUERY_CHARS:,})")
    words = sparql_keywords(query)
    if words.intersection(UPDATE_WORDS):
        raise Refused(403, READ_ONLY)
    if "SERVICE" in words:
        raise Refused(403, SERVICE_REFUSED)


def _graph(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as error:
        raise Refused(400, f"bad graph IRI {iri[:200]!r}: {error}") from None


def _evaluate(store: ox.Store, query: str, accept: str, default_graph: list[Graph],
              named_graphs: list[NamedGraph]) -> Work:
    """The child's work: run the query, then write it in the format Accept asks for that its
    form allows (known only once it is parsed)."""

    def work() -> tuple[int, str, Writer]:
        try:
            result = store.query(query, prefixes=PREFIXES, default_graph=default_graph or None,
                                 named_graphs=named_graphs or None)
        except SyntaxError as error:
            raise QueryError(syntax_message(query, error)) from None
        if isinstance(result, ox.QueryTriples):
            graph_format = negotiate(accept, GRAPH_FORMATS)
            if graph_format is None:
                return _not_acceptable("CONSTRUCT or DESCRIBE", accept, GRAPH_FORMATS)
            return 200, graph_format.media_type, lambda out: result.serialize(
                out, graph_format.writer)
        results_format = negotiate(accept, RESULT_FORMATS)
        if results_format is None:
            return _not_acceptable("SELECT or ASK", accept, RESULT_FORMATS)
        return 200, results_format.media_type, lambda out: result.serialize(
            out, results_format.writer)

    return work


def _not_acceptable(form: str, accept: str, formats: Sequence[Format[FormatT]]
                    ) -> tuple[int, str, Writer]:
    offered = ", ".join(f.media_type for f in formats)
    message = f"cannot answer a {form} query as {accept[:200]!r}; Accept one of {offered}\n"
    return 406, "text/plain", lambda out: out.write(message.encode())


routes = [Route("/sparql", endpoint, methods=["GET", "POST"])]
