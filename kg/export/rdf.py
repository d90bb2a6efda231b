"""Exporter: the graph as RDF, mapped onto the kg ontology (`ontologies/kg.ttl`) and the
standard vocabularies it reuses (DCTERMS, FOAF, SKOS, PROV, FaBiO, schema.org).

The full archive is millions of triples, so RDF must not be the slow stage, and the same graph
must always give the same bytes. The triples are made as *records*: a paper with its
authorships and mentions, a person, a concept, the standings of one scope, the taxonomy...
Each record's subjects are its own, and its triples depend only on what `_records` says it
reads (`_Record.inputs`). Records are written to `graph.ttl` in the order of their keys, each
as a block of Turtle, while `kg.store.StoreWriter` keeps an index of the blocks: a record
whose inputs did not change since the previous build of the folder is copied from the old file
instead of rendered, and only the records that changed touch the store. A daily update so
renders a few thousand records instead of every one.

Triples are rendered as N-Triples text: building a `pyoxigraph.Triple` from Python costs
several times as much, while text de-duplicates in a set and is its own sort key. IRIs are
validated and rendered by pyoxigraph (once each), and so are the literals that need escaping.
No blank nodes: every node has a stable IRI (`kg.vocab.Iris`). The other formats (`--format`)
are converted from `graph.ttl` by pyoxigraph.

The full arXiv taxonomy is `ontologies/arxiv-taxonomy.ttl`; regenerate it with
`python -c "from kg.export.rdf import write_taxonomy; write_taxonomy()"`.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass
from decimal import Decimal
from functools import cache, partial
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

import msgpack
from pyoxigraph import Literal, NamedNode, RdfFormat, parse, serialize

from kg import taxonomy
from kg.concepts.base import CONCEPT_TYPES
from kg.export.registry import register_exporter
from kg.outputs import OutputFolder
from kg.store import StoreWriter
from kg.vocab import DEFAULT_BASE, PREFIXES, Iris, lookup_key

if TYPE_CHECKING:
    import networkx as nx

FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
    "trig": RdfFormat.TRIG,
}
TAXONOMY_FILE = Path(__file__).resolve().parents[2] / "ontologies" / "arxiv-taxonomy.ttl"
TAXONOMY_SOURCE = "https://arxiv.org/category_taxonomy"


class _Namespace:
    """`ns.name` is the IRI `<namespace>name`, built once: hot loops reuse one hashed string."""

    def __init__(self, prefix: str) -> None:
        self._iri = PREFIXES[prefix]

    def __getattr__(self, name: str) -> str:
        iri = self._iri + name
        setattr(self, name, iri)
        return iri


# K.Paper is "https://w3id.org/arxiv-kg/ontology#Paper", DCT.title "http://purl.org/dc/terms/title"
K, RDF, RDFS, DCT, FOAF, SKOS, PROV, SCHEMA = (
    _Namespace(p) for p in ("kg", "rdf", "rdfs", "dcterms", "foaf", "skos", "prov", "schema"))
SUMMARY_FIELDS = ("tldr", "motivation", "method", "result", "conclusion")  # own kg: properties
RANKED = 1000  # concepts ranked for the whole graph and for each category (`_standings`)
TURTLE = "graph.ttl"  # always written: the other formats and the next update read it
RECORDS_VERSION = 2  # of how records are rendered: a new one renders every record again
CONCEPT_CLASSES = {t: getattr(K, t.capitalize()) for t in CONCEPT_TYPES}  # "method": kg:Method
_XSD_INTEGER, _XSD_DECIMAL, _XSD_DATE = (
    f"<{PREFIXES['xsd']}{t}>" for t in ("integer", "decimal", "date"))


class _Terms(dict[str, str]):
    """IRI -> its N-Triples term, rendered (and validated) by pyoxigraph on first use."""

    def __missing__(self, iri: str) -> str:
        term = self[iri] = str(NamedNode(iri))
        return term


class _Subject:
    """Adds the triples of one subject, as its set of "predicate object" N-Triples texts."""

    __slots__ = ("_pairs", "_terms")

    def __init__(self, pairs: set[str], terms: _Terms) -> None:
        self._pairs = pairs
        self._terms = terms

    def link(self, p: str, o: str) -> None:
        self._pairs.add(f"{self._terms[p]} {self._terms[o]}")

    def types(self, *classes: str) -> None:
        for cls in classes:
            self.link(RDF.type, cls)

    def text(self, p: str, value: str, language: str | None = None) -> None:
        tag = f"@{language}" if language else ""
        self._pairs.add(f"{self._terms[p]} {_string(value)}{tag}")

    def integer(self, p: str, value: int) -> None:
        self._pairs.add(f'{self._terms[p]} "{value:d}"^^{_XSD_INTEGER}')

    def decimal(self, p: str, value: float) -> None:
        self._pairs.add(f"{self._terms[p]} {_decimal(value)}")

    def date(self, p: str, value: str) -> None:
        self._pairs.add(f"{self._terms[p]} {_string(value)}^^{_XSD_DATE}")

    def extend(self, pairs: tuple[str, ...]) -> None:
        """Add pairs rendered once by `_Triples.links`, for triples many subjects share."""
        self._pairs.update(pairs)


class _Triples:
    """The triples of one record, grouped by subject."""

    def __init__(self, terms: _Terms) -> None:
        self._terms = terms
        self._subjects: dict[str, set[str]] = {}

    def subject(self, iri: str) -> _Subject:
        term = str(NamedNode(iri))  # not kept in `_terms`: most subjects are in one record
        pairs = self._subjects.get(term)
        if pairs is None:
            pairs = self._subjects[term] = set()
        return _Subject(pairs, self._terms)

    def links(self, *links: tuple[str, str]) -> tuple[str, ...]:
        """(predicate, object IRI) links rendered as pairs for `_Subject.extend`."""
        return tuple(f"{self._terms[p]} {self._terms[o]}" for p, o in links)

    def ntriples(self) -> bytes:
        """Sorted N-Triples lines (by subject, then predicate and object)."""
        return "".join(f"{s} {pair} .\n" for s in sorted(self._subjects)
                       for pair in sorted(self._subjects[s])).encode()

    def turtle(self, names: _TurtleNames) -> bytes:
        """The same triples as Turtle, a block per subject, with prefixed names."""
        blocks = []
        for s in sorted(self._subjects):
            lines: list[str] = []
            predicate = ""
            for pair in sorted(self._subjects[s], key=_types_first):
                cut = pair.index("> ") + 1
                value = names.object(pair[cut + 1:])
                if pair[:cut] == predicate:
                    lines[-1] += f" , {value}"
                else:
                    predicate = pair[:cut]
                    lines.append(f"{names[predicate]} {value}")
            blocks.append(f"{names.compact(s)} " + " ;\n\t".join(lines) + " .\n\n")
        return "".join(blocks).encode()


def _types_first(pair: str) -> tuple[bool, str]:
    """Turtle writers put a subject's `a` (rdf:type) first: readers look for it there."""
    return not pair.startswith(_RDF_TYPE), pair


_RDF_TYPE = f"<{PREFIXES['rdf']}type> "


class _TurtleNames(dict[str, str]):
    """An N-Triples IRI term -> its Turtle name: prefixed when its local part is a plain
    prefixed name (letters, digits, `_ - . : %XX`), else as it is; `rdf:type` is `a`."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        super().__init__({f"<{PREFIXES['rdf']}type>": "a"})
        namespaces = sorted(prefixes.items(), key=lambda item: -len(item[1]))
        self._namespaces = [(f"<{ns}", f"{prefix}:") for prefix, ns in namespaces]
        self.header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items()
                              ).encode() + b"\n"

    def __missing__(self, term: str) -> str:
        name = self[term] = self.compact(term)
        return name

    def compact(self, term: str) -> str:
        for namespace, prefix in self._namespaces:
            if term.startswith(namespace):
                local = term[len(namespace):-1]
                if not local or (_LOCAL_NAME.fullmatch(local) and local[-1] != "."):
                    return prefix + local
                break
        return term

    def object(self, term: str) -> str:
        """An object: an IRI (kept), or a literal with its datatype IRI prefixed."""
        if term[0] == "<":
            return self[term]
        if term[-1] == ">":
            value, _, datatype = term.rpartition("^^")
            return f"{value}^^{self[datatype]}"
        return term


_NAME_CHAR = r"(?:[A-Za-z0-9_:-]|%[0-9A-Fa-f]{2})"
_LOCAL_NAME = re.compile(rf"{_NAME_CHAR}(?:{_NAME_CHAR}|\.)*+")  # possessive: linear time


@dataclass(frozen=True, slots=True)
class _Record:
    """Triples made together: `render` adds them, from `inputs` (and what every record
    shares, the salt of `export_rdf`)."""

    key: str  # the IRI of its main subject; records are written in the order of their keys
    inputs: object  # plain data (no sets): what its triples depend on
    render: Callable[[_Triples], None]


_PACK = msgpack.Packer(unicode_errors="surrogatepass", autoreset=True).pack


def _fingerprint(inputs: object) -> str:
    """A hash of a record's inputs: equal inputs, equal triples. MessagePack is deterministic
    for the plain data of the graph (no sets; an order that differs only costs a render),
    and packs it several times faster than `repr` writes it."""
    packed = inputs.encode("utf-8", "surrogatepass") if isinstance(inputs, str) else _PACK(inputs)
    return hashlib.blake2b(packed, digest_size=8).hexdigest()


def _string(value: str) -> str:
    """`value` as an N-Triples string. Most need no escaping; pyoxigraph escapes the others."""
    if value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return str(Literal(value))


@cache
def _decimal(value: float) -> str:
    """An xsd:decimal literal (`repr` may give `1e-05`, which is not one); confidences recur."""
    return f'"{Decimal(repr(value)):f}"^^{_XSD_DECIMAL}'


@cache
def _language(tag: str | None) -> str | None:
    """A summary's language tag as pyoxigraph normalises it (lower case), or none when a digest
    names its language in another way."""
    try:
        return Literal("", language=tag).language if tag else None
    except ValueError:
        return None


def _file_name(path: str) -> str:
    """The digest's own name, without the folders (or archive) it was read from."""
    return re.split(r"[/:]", path)[-1]  # a folder, or an archive before its member


def _taxonomy(iris: Iris, categories: Iterable[taxonomy.Category], out: _Triples) -> None:
    """Categories with their archives and groups as a SKOS scheme: category > archive > group."""
    scheme_iri = iris.category_scheme
    scheme = out.subject(scheme_iri)
    scheme.types(SKOS.ConceptScheme)
    scheme.text(RDFS.label, "arXiv category taxonomy")
    scheme.link(DCT.source, TAXONOMY_SOURCE)
    for c in categories:
        levels = (
            (iris.category(c.code), K.Category, c.code, c.name, iris.archive(c.archive)),
            (iris.archive(c.archive), K.Archive, c.archive, c.archive_name,
             iris.group(c.group)),
            (iris.group(c.group), K.Group, c.group, c.group_name, None),
        )
        for iri, cls, code, name, broader in levels:
            concept = out.subject(iri)
            concept.types(cls, SKOS.Concept)
            concept.text(SKOS.notation, code)
            concept.text(SKOS.prefLabel, name, "en")
            concept.link(SKOS.inScheme, scheme_iri)
            if broader:
                concept.link(SKOS.broader, broader)
            else:
                concept.link(SKOS.topConceptOf, scheme_iri)
                scheme.link(SKOS.hasTopConcept, iri)


def _broader(graph: nx.DiGraph, node: str) -> str:
    return next(t for t, edge in graph.succ[node].items() if edge["rel"] == "broader")


def _graph_categories(graph: nx.DiGraph) -> Iterator[taxonomy.Category]:
    """The graph's categories as taxonomy records, read back from its nodes and broader edges."""
    for node, data in graph.nodes(data=True):
        if data["kind"] == "category":
            archive = _broader(graph, node)
            group = _broader(graph, archive)
            a, g = graph.nodes[archive], graph.nodes[group]
            yield taxonomy.Category(data["code"], data["name"], a["code"], a["name"], g["code"],
                                    g["name"], data["known"])


def _paper(iris: Iris, graph: nx.DiGraph, node: str, run: str, out: _Triples) -> None:
    """A paper with its authorships and mentions."""
    data = graph.nodes[node]
    iri, paper_id = data["iri"], data["id"]
    paper = out.subject(iri)
    paper.types(K.Paper)
    paper.text(DCT.title, data["title"])
    is_arxiv = data["id_scheme"] == "arxiv"
    paper.text(DCT.identifier, f"arXiv:{paper_id}" if is_arxiv else paper_id)
    if is_arxiv:
        paper.text(K.arxivId, paper_id)
    if data["abstract"]:
        paper.text(DCT.abstract, data["abstract"], "en")
    if data["comment"]:
        paper.text(K.comment, data["comment"])
    if data["version"] is not None:
        paper.integer(K.version, data["version"])
    if data["date"]:
        paper.date(K.digestDate, data["date"])
    language = _language(data["summary_language"])
    for field, text in data["summary"].items():
        if field in SUMMARY_FIELDS:
            paper.text(getattr(K, field), text, language)
        else:
            paper.text(K.aiSummary, f"{field}: {text}", language)
    for keyword in data["keywords"]:
        paper.text(K.keyword, keyword)
    for source in data["sources"]:
        paper.link(PROV.wasDerivedFrom, iris.digest(_file_name(source["file"])))

    # What every mention of a concept in this paper says, rendered once for them all.
    shared = out.links((RDF.type, K.Mention), (RDF.type, PROV.Entity), (K.paper, iri),
                       (PROV.wasDerivedFrom, iri), (PROV.wasGeneratedBy, run))
    for target, edge in graph.succ[node].items():
        rel, t = edge["rel"], graph.nodes[target]
        if rel == "author":
            person, position = iris.person(t["name"]), edge["position"]
            authorship_iri = iris.authorship(paper_id, position)
            paper.link(DCT.creator, person)
            paper.link(K.authorship, authorship_iri)
            authorship = out.subject(authorship_iri)
            authorship.types(K.Authorship)
            authorship.link(K.paper, iri)
            authorship.link(K.author, person)
            authorship.integer(K.position, position)
            authorship.text(K.printedName, data["authors"][position - 1])
        elif rel in ("primary_category", "cross_list"):
            category = iris.category(t["code"])
            paper.link(K.primaryCategory if rel == "primary_category" else K.crossList, category)
            paper.link(DCT.subject, category)
        elif rel == "mentions":
            concept = iris.concept(t["key"])
            paper.link(K.mentions, concept)
            for n, evidence in enumerate(edge["evidence"], start=1):
                mention = out.subject(iris.mention(paper_id, t["key"], n))
                mention.extend(shared)
                mention.link(K.concept, concept)
                mention.text(K.section, evidence["section"])
                mention.integer(K.start, evidence["start"])
                mention.integer(K.end, evidence["end"])
                mention.text(K.surface, evidence["surface"])
                mention.decimal(K.confidence, evidence["confidence"])


def _paper_inputs(graph: nx.DiGraph, node: str) -> object:
    """What `_paper` reads: the paper and its links. The names, codes and keys it reads from
    the nodes it links to are in their ids (`kg.graph`: `author:<name>`, `concept:<key>`)."""
    return [graph.nodes[node], list(graph.succ[node].items())]


def _concept(iris: Iris, data: dict, broader: list[str], papers: int | None,
             out: _Triples) -> None:
    """A concept, with the keys of its broader concepts and the number of papers naming it."""
    concept = out.subject(iris.concept(data["key"]))
    concept.types(K.Concept, SKOS.Concept)
    if data["type"] in CONCEPT_CLASSES:
        concept.types(CONCEPT_CLASSES[data["type"]])
    concept.text(SKOS.prefLabel, data["label"], "en")
    for alt in data["alt_labels"]:
        concept.text(SKOS.altLabel, alt, "en")
    for label in (data["label"], *data["alt_labels"]):
        concept.text(K.lookupKey, lookup_key(label))
    concept.link(SKOS.inScheme, iris.concept_scheme)
    for key in broader:
        concept.link(SKOS.broader, iris.concept(key))
    if papers is not None:
        concept.integer(K.paperCount, papers)


def _person(iris: Iris, name: str, out: _Triples) -> None:
    person = out.subject(iris.person(name))
    person.types(FOAF.Person, SCHEMA.Person)
    person.text(FOAF.name, name)
    person.text(K.lookupKey, lookup_key(name))


def _counts(graph: nx.DiGraph) -> list[tuple[str, str | None, Counter[str]]]:
    """How many papers mention each concept: (scope name, category code or None for the
    whole graph, counts by concept node), for the whole graph and then each category."""
    concepts_of: dict[str, list[str]] = {}
    in_category: dict[str, list[str]] = {}
    for source, target, rel in graph.edges(data="rel"):
        if rel == "mentions":
            concepts_of.setdefault(source, []).append(target)
        elif rel in ("primary_category", "cross_list"):
            in_category.setdefault(target, []).append(source)
    scopes: list[tuple[str, str | None, Counter[str]]] = [
        ("all", None, Counter(c for concepts in concepts_of.values() for c in concepts))]
    for category, members in sorted(in_category.items()):
        code = graph.nodes[category]["code"]
        scopes.append((code, code, Counter(c for paper in members
                                           for c in concepts_of.get(paper, ()))))
    return scopes


def _standing(iris: Iris, name: str, scope: str, key: str, papers: int, out: _Triples) -> None:
    """A `kg:Standing`: a concept among the most mentioned of a scope, with its count. Keyed by
    concept, not by rank, so that a count changing changes that standing only."""
    standing = out.subject(iris.standing(name, key))
    standing.types(K.Standing)
    standing.link(K.scope, scope)
    standing.link(K.rankedConcept, iris.concept(key))
    standing.integer(K.paperCount, papers)


def _digest(iris: Iris, name: str, day: str | None, out: _Triples) -> None:
    digest = out.subject(iris.digest(name))
    digest.types(K.Digest, PROV.Entity)
    digest.text(RDFS.label, name)
    if day:
        digest.date(DCT.date, day)


def _run(iris: Iris, extractor: str, out: _Triples) -> None:
    """The extraction run every mention names, and the scheme of the extracted concepts."""
    scheme = out.subject(iris.concept_scheme)
    scheme.types(SKOS.ConceptScheme)
    scheme.text(RDFS.label, "Concepts extracted from the papers")
    extraction = out.subject(iris.extractor(extractor))
    extraction.types(K.ExtractionRun, PROV.Activity)
    extraction.text(RDFS.label, extractor)


def _records(graph: nx.DiGraph, iris: Iris) -> list[_Record]:
    """Every record of the graph's RDF form, in the order of their keys.

    The standings are how many papers mention each concept (`kg:paperCount` on the concept)
    and, for the whole graph and each category, its RANKED most mentioned concepts: the
    aggregates of the saved queries, counted once here rather than at every query (on the
    archive, counting them in SPARQL took 30 to 40 s)."""
    extractor = _extractor(graph)
    run = iris.extractor(extractor)
    records: list[_Record] = []
    digests: dict[str, str | None] = {}
    nodes = graph.nodes
    scopes = _counts(graph)
    overall = scopes[0][2]
    concepts = False
    for node, data in nodes(data=True):
        kind = data["kind"]
        if kind == "paper":
            records.append(_Record(data["iri"], _paper_inputs(graph, node),
                                   partial(_paper, iris, graph, node, run)))
            for source in data["sources"]:
                name, day = _file_name(source["file"]), source["date"]
                known = digests.get(name)
                digests[name] = min(filter(None, (known, day)), default=None)
        elif kind == "author":
            name = data["name"]
            records.append(_Record(iris.person(name), name, partial(_person, iris, name)))
        elif kind == "concept":
            concepts = True
            links = graph.succ[node]  # a concept links only to its broader concepts, if any
            broader = sorted(nodes[t]["key"] for t, edge in links.items()
                             if edge["rel"] == "broader") if links else []
            papers = overall.get(node)
            records.append(_Record(iris.concept(data["key"]), [data, broader, papers],
                                   partial(_concept, iris, data, broader, papers)))
    for name, day in digests.items():
        records.append(_Record(iris.digest(name), [name, day], partial(_digest, iris, name, day)))
    for name, code, counted in scopes:
        scope = iris.category(code) if code else K.allPapers
        for node in _most_counted(counted, nodes):
            key, papers = nodes[node]["key"], counted[node]
            records.append(_Record(iris.standing(name, key), f"{scope}\t{papers}",
                                   partial(_standing, iris, name, scope, key, papers)))
    categories = sorted(_graph_categories(graph), key=lambda c: c.code)
    records.append(_Record(iris.category_scheme, [astuple(c) for c in categories],
                           partial(_taxonomy, iris, categories)))
    if concepts:
        records.append(_Record(run, extractor, partial(_run, iris, extractor)))
    records.sort(key=attrgetter("key"))
    return records


def _most_counted(counted: Counter[str], nodes: nx.classes.reportviews.NodeView) -> list[str]:
    """The RANKED most counted concept nodes; ties by label, then key. Only the nodes counted
    at least as often as the RANKED-th are sorted (most categories count thousands once)."""
    candidates = list(counted)
    if len(candidates) > RANKED:
        least = heapq.nlargest(RANKED, counted.values())[-1]
        candidates = [node for node, papers in counted.items() if papers >= least]
    candidates.sort(key=lambda c: (-counted[c], nodes[c]["label"].lower(), nodes[c]["key"]))
    return candidates[:RANKED]


def _extractor(graph: nx.DiGraph) -> str:
    return graph.graph.get("extractor") or "unknown extractor"


def _render(record: _Record, terms: _Terms, names: _TurtleNames) -> tuple[bytes, bytes]:
    """A record's triples as a Turtle block and as N-Triples."""
    triples = _Triples(terms)
    record.render(triples)
    return triples.turtle(names), triples.ntriples()


@register_exporter("rdf")
def export_rdf(graph: nx.DiGraph, out: OutputFolder, *, formats: Sequence[str] = ("turtle",),
               base: str = DEFAULT_BASE, **_: object) -> list[Path]:
    """Write `graph.ttl` and the store (`kg.store`) to `out`, and .nt, .jsonld, .rdf, .trig for
    the other `formats`. Records that did not change since the folder's previous build are
    copied from its `graph.ttl` and left as they are in the store."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown RDF format {unknown[0]!r} (known: {', '.join(FORMATS)})")
    iris = Iris(base)
    prefixes = {**PREFIXES, **iris.prefixes()}
    names = _TurtleNames(prefixes)
    salt = json.dumps([RECORDS_VERSION, base, _extractor(graph)])
    records = _records(graph, iris)
    writer = StoreWriter(out, TURTLE, names.header, salt, len(records))
    terms = _Terms()
    for record in records:
        writer.record(record.key, _fingerprint(record.inputs),
                      partial(_render, record, terms, names))
    store = writer.write()
    others = {f"graph.{FORMATS[f].file_extension}": FORMATS[f]
              for f in dict.fromkeys(formats) if f != "turtle"}
    for name, fmt in others.items():
        # Dataset formats (TriG, JSON-LD) take quads in the default graph. Lenient: every term
        # was checked when it was rendered.
        serialize(parse(path=writer.path, format=RdfFormat.TURTLE, lenient=True), out.stage(name),
                  fmt, prefixes=prefixes)
    return [out.path / TURTLE, *(out.path / name for name in others), out.path / store]


def write_taxonomy(path: Path = TAXONOMY_FILE, base: str = DEFAULT_BASE) -> Path:
    """Write arXiv's whole category taxonomy as a SKOS scheme in Turtle (the same triples every
    export carries for the categories it uses)."""
    iris = Iris(base)
    names = _TurtleNames({**PREFIXES, **iris.prefixes()})
    triples = _Triples(_Terms())
    _taxonomy(iris, taxonomy.all_categories(), triples)
    path.write_bytes(names.header + triples.turtle(names))
    return path
