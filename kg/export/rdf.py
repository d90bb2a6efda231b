"""Exporter: the graph as RDF, mapped onto the kg ontology (`ontologies/kg.ttl`) and the
standard vocabularies it reuses (DCTERMS, FOAF, SKOS, PROV, FaBiO, schema.org).

The full archive is millions of triples, so RDF must not be the slow stage, and the same graph
must always give the same bytes. Triples are therefore collected as N-Triples text, grouped by
subject: building a `pyoxigraph.Triple` from Python costs several times as much, while text
de-duplicates in a set and is its own sort key. IRIs are validated and rendered by pyoxigraph
(once each), and so are the literals that need escaping. Subjects and then their
predicate-object pairs are sorted, so Turtle groups each subject, and pyoxigraph parses and
serializes the result in Rust. No blank nodes: every node has a stable IRI (`kg.vocab.Iris`).

The full arXiv taxonomy is `ontologies/arxiv-taxonomy.ttl`; regenerate it with
`python -c "from kg.export.rdf import write_taxonomy; write_taxonomy()"`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode, RdfFormat, parse, serialize

from kg import taxonomy
from kg.concepts.base import CONCEPT_TYPES
from kg.export.registry import register_exporter
from kg.outputs import OutputFolder
from kg.store import StoreDiff
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
    """All triples of an export, grouped by subject."""

    def __init__(self) -> None:
        self._terms = _Terms()
        self._subjects: dict[str, set[str]] = {}

    def subject(self, iri: str) -> _Subject:
        term = self._terms[iri]
        pairs = self._subjects.get(term)
        if pairs is None:
            pairs = self._subjects[term] = set()
        return _Subject(pairs, self._terms)

    def links(self, *links: tuple[str, str]) -> tuple[str, ...]:
        """(predicate, object IRI) links rendered as pairs for `_Subject.extend`."""
        return tuple(f"{self._terms[p]} {self._terms[o]}" for p, o in links)

    def write(self, path: Path, diff: StoreDiff | None = None) -> None:
        """Write sorted N-Triples (by subject, then predicate and object), once: each subject's
        triples are let go as soon as they are written, since they are most of the memory.
        Each subject's lines also go to `diff`, for the store."""
        subjects = self._subjects
        with path.open("wb") as file:
            for s in sorted(subjects):
                pairs = sorted(subjects.pop(s))
                block = (f"{s} " + f" .\n{s} ".join(pairs) + " .\n").encode()
                file.write(block)
                if diff is not None:
                    diff.block(s, block)


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


def _taxonomy(out: _Triples, iris: Iris, categories: Iterable[taxonomy.Category]) -> None:
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


def _paper(out: _Triples, iris: Iris, graph: nx.DiGraph, node: str, run: str,
           digests: dict[str, str | None]) -> None:
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
        name = _file_name(source["file"])
        paper.link(PROV.wasDerivedFrom, iris.digest(name))
        known = digests.get(name)
        digests[name] = min(filter(None, (known, source["date"])), default=None)

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


def _concept(out: _Triples, iris: Iris, graph: nx.DiGraph, node: str) -> None:
    data = graph.nodes[node]
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
    for target, edge in graph.succ[node].items():
        if edge["rel"] == "broader":
            concept.link(SKOS.broader, iris.concept(graph.nodes[target]["key"]))


def _standings(out: _Triples, iris: Iris, graph: nx.DiGraph) -> None:
    """How many papers mention each concept (`kg:paperCount` on the concept) and, for the
    whole graph and each category, its RANKED most mentioned concepts as `kg:Standing`s: the
    aggregates of the saved queries, counted once here rather than at every query (on the
    archive, counting them in SPARQL took 30 to 40 s)."""
    concepts_of: dict[str, list[str]] = {}
    in_category: dict[str, list[str]] = {}
    for source, target, rel in graph.edges(data="rel"):
        if rel == "mentions":
            concepts_of.setdefault(source, []).append(target)
        elif rel in ("primary_category", "cross_list"):
            in_category.setdefault(target, []).append(source)
    overall = Counter(c for concepts in concepts_of.values() for c in concepts)
    iri = {node: iris.concept(graph.nodes[node]["key"]) for node in overall}
    for node, count in overall.items():
        out.subject(iri[node]).integer(K.paperCount, count)
    scopes = [("all", K.allPapers, overall)]
    for category, members in sorted(in_category.items()):
        code = graph.nodes[category]["code"]
        counted = Counter(c for paper in members for c in concepts_of.get(paper, ()))
        scopes.append((code, iris.category(code), counted))
    for name, scope, counted in scopes:
        ranked = sorted(counted, key=lambda c: (-counted[c], graph.nodes[c]["label"].lower(),
                                                iri[c]))
        for rank, node in enumerate(ranked[:RANKED], start=1):
            standing = out.subject(iris.standing(name, rank))
            standing.types(K.Standing)
            standing.link(K.scope, scope)
            standing.integer(K.rank, rank)
            standing.link(K.rankedConcept, iri[node])
            standing.integer(K.paperCount, counted[node])


def _graph_triples(graph: nx.DiGraph, iris: Iris) -> _Triples:
    """Every triple of the graph's RDF form."""
    out = _Triples()
    extractor = graph.graph.get("extractor") or "unknown extractor"
    run = iris.extractor(extractor)
    digests: dict[str, str | None] = {}
    concepts = 0
    for node, kind in graph.nodes(data="kind"):
        if kind == "paper":
            _paper(out, iris, graph, node, run, digests)
        elif kind == "author":
            name = graph.nodes[node]["name"]
            person = out.subject(iris.person(name))
            person.types(FOAF.Person, SCHEMA.Person)
            person.text(FOAF.name, name)
            person.text(K.lookupKey, lookup_key(name))
        elif kind == "concept":
            _concept(out, iris, graph, node)
            concepts += 1
    _taxonomy(out, iris, _graph_categories(graph))
    _standings(out, iris, graph)
    for name, day in digests.items():
        digest = out.subject(iris.digest(name))
        digest.types(K.Digest, PROV.Entity)
        digest.text(RDFS.label, name)
        if day:
            digest.date(DCT.date, day)
    if concepts:
        scheme = out.subject(iris.concept_scheme)
        scheme.types(SKOS.ConceptScheme)
        scheme.text(RDFS.label, "Concepts extracted from the papers")
        extraction = out.subject(run)
        extraction.types(K.ExtractionRun, PROV.Activity)
        extraction.text(RDFS.label, extractor)
    return out


def _write(triples: _Triples, outputs: dict[Path, RdfFormat], prefixes: dict[str, str],
           scratch: Path, diff: StoreDiff | None = None) -> Path:
    """Write the triples to each path in its format, by way of one sorted N-Triples file (the
    N-Triples output if asked for, else `scratch`) that pyoxigraph streams the others from;
    return that file."""
    source = next((p for p, f in outputs.items() if f == RdfFormat.N_TRIPLES), scratch)
    triples.write(source, diff)
    for path, fmt in outputs.items():
        if fmt != RdfFormat.N_TRIPLES:
            # Dataset formats (TriG, JSON-LD) take quads: N-Quads reads the default graph.
            # Lenient: every term was checked when it was rendered.
            syntax = RdfFormat.N_QUADS if fmt.supports_datasets else RdfFormat.N_TRIPLES
            quads = parse(path=source, format=syntax, lenient=True)
            serialize(quads, path, fmt, prefixes=prefixes)
    return source


@register_exporter("rdf")
def export_rdf(graph: nx.DiGraph, out: OutputFolder, *, formats: Sequence[str] = ("turtle",),
               base: str = DEFAULT_BASE, **_: object) -> list[Path]:
    """Write the store (`kg.store`) and `graph.ttl` (and .nt, .jsonld, .rdf, .trig for the
    other `formats`) to `out`."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown RDF format {unknown[0]!r} (known: {', '.join(FORMATS)})")
    iris = Iris(base)
    names = {f"graph.{FORMATS[f].file_extension}": FORMATS[f] for f in dict.fromkeys(formats)}
    outputs = {out.stage(name): fmt for name, fmt in names.items()}
    diff = StoreDiff(out)
    ntriples = _write(_graph_triples(graph, iris), outputs, {**PREFIXES, **iris.prefixes()},
                      out.scratch("graph.nt"), diff)
    store = diff.write(ntriples)
    return [*(out.path / name for name in names), out.path / store]


def write_taxonomy(path: Path = TAXONOMY_FILE, base: str = DEFAULT_BASE) -> Path:
    """Write arXiv's whole category taxonomy as a SKOS scheme in Turtle (the same triples every
    export carries for the categories it uses)."""
    iris = Iris(base)
    out = _Triples()
    _taxonomy(out, iris, taxonomy.all_categories())
    scratch = path.with_suffix(".nt.tmp")
    try:
        _write(out, {path: RdfFormat.TURTLE}, {**PREFIXES, **iris.prefixes()}, scratch)
    finally:
        scratch.unlink(missing_ok=True)
    return path
