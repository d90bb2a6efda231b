"""The RDF export: every format says the same, it passes the SHACL shapes, the ontology declares
what it uses, the same input gives the same bytes, and the mapping holds on hand-made papers
and on the real seed digest."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib import RDF, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDFS, SH, SKOS

import kg
from kg.concepts.base import Concept, Extraction, Mention
from kg.export import export
from kg.export.rdf import FORMATS, TAXONOMY_FILE, write_taxonomy
from kg.graph import build_graph
from kg.model import Paper, Source
from kg.taxonomy import all_categories
from kg.vocab import DEFAULT_BASE, KG, PREFIXES

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontologies" / "kg.ttl"
SHAPES = ROOT / "ontologies" / "shapes.ttl"
K = rdflib.Namespace(KG)
XSD = rdflib.Namespace(PREFIXES["xsd"])  # rdflib's own XSD warns when pytest inspects it
RDFLIB_FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml",
                  ".trig": "trig"}

TITLE = r'Shape-agnostic $\mathcal{O}(n^2)$ PDE "Foundation" Models \emph{at scale}'
TLDR = "本文提出了MORPH，一种无形状先验的偏微分方程(PDE)基础模型。"
MORPH = "https://arxiv.org/abs/2509.21670"


def _papers() -> list[Paper]:
    day1 = Source("digests/2025-09-26.md", 10, "2025-09-26")
    day2 = Source("archive.tar.xz:data/2025-09-27.jsonl", 3, "2025-09-27")
    morph = Paper(
        id="2509.21670", title=TITLE, source=day2, version=2,
        authors=["Mahindra Singh Rautela", "Chloé Dubois", "Bradley C. Love"],
        primary_category="cs.CV", categories=["cs.CV", "cs.LG"],
        abstract="We introduce MORPH, fine-tuned with LoRA on ImageNet.",
        comment="10 pages, 5 figures",
        summary={"tldr": TLDR, "method": "低秩适配器(LoRA)。", "limitations": "仅限二维。"},
        summary_language="zh", keywords=["PDE", "foundation model"], sources=[day1, day2])
    hessians = Paper(
        id="2509.21624", title="Hessian Interatomic Potentials", source=day1,
        authors=["Chloé Dubois", "Luca Thiede", "Gangadharan G. R."],
        primary_category="physics.chem-ph",
        categories=["physics.chem-ph", "quant-ph"], sources=[day1])
    preprint = Paper(
        id="10.1101/2025.01.02.123456", id_scheme="doi", title="A bioRxiv preprint",
        source=day1, authors=["Luca Thiede"], primary_category="neuroscience",
        categories=["neuroscience"], sources=[day1])
    talk = Paper(
        id="https://neurips.cc/virtual/2024/oral/97964", id_scheme="url", title="An oral",
        source=day1, authors=["Bradley C. Love"], sources=[day1])
    return [morph, hessians, preprint, talk]


def _extraction() -> Extraction:
    concepts = {
        "lora": Concept("lora", "LoRA", "method", {"LoRA", "low-rank adapters"}, ["adapter"]),
        "adapter": Concept("adapter", "adapter", "method"),
        "imagenet": Concept("imagenet", "ImageNet", "dataset"),
        "accuracy": Concept("accuracy", "accuracy", "metric"),
    }
    mentions = {
        "2509.21670": [Mention("lora", "LoRA", "abstract", 36, 40, 0.9),
                       Mention("imagenet", "ImageNet", "abstract", 44, 52, 1.0),
                       Mention("lora", "LoRA", "tldr", 0, 4, 1e-05)],
        "2509.21624": [Mention("accuracy", "accuracy", "abstract", 3, 11, 0.5)],
    }
    return Extraction("test-extractor 1.0", concepts, mentions)


def _load(path: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(path, format=RDFLIB_FORMATS[path.suffix])


def _validate(data: rdflib.Graph) -> tuple[bool, rdflib.Graph, str]:
    """SHACL validation against the shapes, with the ontology as pyshacl's `ont_graph`."""
    return pyshacl.validate(data, shacl_graph=rdflib.Graph().parse(SHAPES),
                            ont_graph=rdflib.Graph().parse(ONTOLOGY))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("rdf")
    paths = export("rdf", build_graph(_papers(), _extraction()), out, formats=list(FORMATS))
    return {p.suffix: p for p in paths if p.is_file()}  # the store is a folder


@pytest.fixture(scope="module")
def graph(exported: dict[str, Path]) -> rdflib.Graph:
    return _load(exported[".ttl"])


def test_every_format_parses_to_the_same_graph(exported, graph):
    assert set(exported) == set(RDFLIB_FORMATS)
    assert len(graph) > 100
    for suffix, path in exported.items():
        assert isomorphic(_load(path), graph), suffix


def test_no_blank_nodes(graph):
    assert not any(isinstance(t, rdflib.BNode) for triple in graph for t in triple)


def test_passes_the_shapes(graph):
    conforms, _, report = _validate(graph)
    assert conforms, report


def test_shapes_catch_a_missing_position(graph):
    broken = rdflib.Graph()
    for triple in graph:
        broken.add(triple)
    broken.remove((None, K.position, None))
    conforms, results, _ = _validate(broken)
    assert not conforms
    assert set(results.objects(None, SH.resultPath)) == {K.position}


def test_shapes_catch_an_arxiv_paper_named_otherwise(graph):
    broken = rdflib.Graph()
    for triple in graph:
        broken.add(triple)
    broken.set((URIRef(MORPH), K.arxivId, Literal("2509.99999")))
    conforms, results, _ = _validate(broken)
    assert not conforms
    messages = {str(m) for m in results.objects(None, SH.resultMessage)}
    assert any("abstract page" in m for m in messages), messages


def test_same_input_same_bytes(tmp_path):
    """Sorted output: even papers given in another order give byte-identical files."""
    first = export("rdf", build_graph(_papers(), _extraction()), tmp_path / "a",
                   formats=list(FORMATS))
    second = export("rdf", build_graph(_papers()[::-1], _extraction()), tmp_path / "b",
                    formats=list(FORMATS))
    for a, b in zip(first, second, strict=True):
        if a.is_file():  # the store folder's files are RocksDB's, not kg's
            assert a.read_bytes() == b.read_bytes(), a.name


def test_paper_metadata(graph):
    paper = URIRef(MORPH)
    assert (paper, RDF.type, K.Paper) in graph
    assert graph.value(paper, DCTERMS.identifier) == Literal("arXiv:2509.21670")
    assert graph.value(paper, K.arxivId) == Literal("2509.21670")
    assert graph.value(paper, K.version) == Literal(2)
    assert graph.value(paper, K.digestDate) == Literal("2025-09-26", datatype=XSD.date)
    assert graph.value(paper, DCTERMS.abstract).language == "en"
    assert set(graph.objects(paper, K.keyword)) == {Literal("PDE"), Literal("foundation model")}
    assert graph.value(paper, K.method) == Literal("低秩适配器(LoRA)。", lang="zh")
    assert graph.value(paper, K.aiSummary) == Literal("limitations: 仅限二维。", lang="zh")
    doi = URIRef("https://doi.org/10.1101/2025.01.02.123456")
    assert graph.value(doi, DCTERMS.identifier) == Literal("10.1101/2025.01.02.123456")
    assert graph.value(doi, K.arxivId) is None


@pytest.mark.parametrize("suffix", list(RDFLIB_FORMATS))
def test_cjk_summary_and_latex_title_survive(exported, suffix):
    parsed = _load(exported[suffix])
    paper = URIRef(MORPH)
    assert parsed.value(paper, DCTERMS.title) == Literal(TITLE)
    assert parsed.value(paper, K.tldr) == Literal(TLDR, lang="zh")


def test_categories_follow_the_taxonomy(graph):
    def concept(code: str, kind: str) -> URIRef:
        return URIRef(f"{DEFAULT_BASE}{kind}/{code}")

    def label(node: URIRef) -> str:
        return str(graph.value(node, SKOS.prefLabel))

    chains = {
        "cs.CV": ("Computer Vision and Pattern Recognition", "cs", "Computer Science",
                  "cs", "Computer Science"),
        "physics.chem-ph": ("Chemical Physics", "physics", "Physics", "physics", "Physics"),
        "quant-ph": ("Quantum Physics", "quant-ph", "Quantum Physics", "physics", "Physics"),
    }
    for code, (name, archive, archive_name, group, group_name) in chains.items():
        category = concept(code, "category")
        assert (category, RDF.type, K.Category) in graph
        assert graph.value(category, SKOS.notation) == Literal(code)
        assert graph.value(category, SKOS.prefLabel) == Literal(name, lang="en")
        broader = graph.value(category, SKOS.broader)
        assert broader == concept(archive, "archive") and label(broader) == archive_name
        top = graph.value(broader, SKOS.broader)
        assert top == concept(group, "group") and label(top) == group_name
        scheme = graph.value(top, SKOS.topConceptOf)
        assert graph.value(scheme, RDFS.label) == Literal("arXiv category taxonomy")
    paper = URIRef(MORPH)
    assert graph.value(paper, K.primaryCategory) == concept("cs.CV", "category")
    assert graph.value(paper, K.crossList) == concept("cs.LG", "category")
    assert set(graph.objects(paper, DCTERMS.subject)) == {concept("cs.CV", "category"),
                                                          concept("cs.LG", "category")}
    # Only the categories the papers use, and codes arXiv does not have are kept as they are.
    categories = set(graph.subjects(RDF.type, K.Category))
    assert len(categories) == 5
    assert label(concept("neuroscience", "category")) == "neuroscience"


def test_authorship_positions(graph):
    rows = graph.query("""
        SELECT ?position ?printed ?name WHERE {
            ?paper kg:authorship ?a . ?a kg:position ?position ; kg:printedName ?printed ;
                kg:author ?person ; kg:paper ?paper . ?person foaf:name ?name .
        } ORDER BY ?position""", initBindings={"paper": URIRef(MORPH)},
        initNs={"kg": K, "foaf": FOAF})
    assert [(r.position.toPython(), str(r.printed)) for r in rows] == [
        (1, "Mahindra Singh Rautela"), (2, "Chloé Dubois"), (3, "Bradley C. Love")]
    assert len(set(graph.objects(URIRef(MORPH), DCTERMS.creator))) == 3
    # One person, however many papers.
    chloe = set(graph.subjects(FOAF.name, Literal("Chloé Dubois")))
    assert len(chloe) == 1
    assert (chloe.pop(), RDF.type, FOAF.Person) in graph


def test_concepts_and_mentions(graph):
    lora = URIRef(f"{DEFAULT_BASE}concept/lora")
    assert {K.Concept, K.Method, SKOS.Concept} <= set(graph.objects(lora, RDF.type))
    assert graph.value(lora, SKOS.prefLabel) == Literal("LoRA", lang="en")
    assert set(graph.objects(lora, SKOS.altLabel)) == {Literal("low-rank adapters", lang="en")}
    assert graph.value(lora, SKOS.broader) == URIRef(f"{DEFAULT_BASE}concept/adapter")
    assert (URIRef(MORPH), K.mentions, lora) in graph

    mentions = set(graph.subjects(K.concept, lora))
    assert len(mentions) == 2  # two pieces of evidence, one node each
    run = {graph.value(m, PROV.wasGeneratedBy) for m in mentions}
    assert len(run) == 1
    assert graph.value(run.pop(), RDFS.label) == Literal("test-extractor 1.0")
    confidences = {graph.value(m, K.confidence) for m in mentions}
    assert confidences == {Literal("0.9", datatype=XSD.decimal),
                           Literal("0.00001", datatype=XSD.decimal)}
    first = URIRef(f"{DEFAULT_BASE}mention/2509.21670/lora/1")
    assert graph.value(first, K.start) == Literal(36)
    assert graph.value(first, K.end) == Literal(40)
    assert graph.value(first, K.surface) == Literal("LoRA")
    assert graph.value(first, PROV.wasDerivedFrom) == URIRef(MORPH)


def test_a_name_ending_in_a_dot_reads_back_in_rdflib(graph):
    # Turtle would write `person:Gangadharan_G._R\.`, which rdflib's parser rejects: the final
    # dot is percent-encoded instead (the `graph` fixture is rdflib's reading of graph.ttl).
    person = rdflib.URIRef(f"{DEFAULT_BASE}person/Gangadharan_G._R%2E")
    assert graph.value(person, FOAF.name) == rdflib.Literal("Gangadharan G. R.")


def test_provenance_names_the_digests(graph):
    digests = set(graph.objects(URIRef(MORPH), PROV.wasDerivedFrom))
    labels = {str(graph.value(d, RDFS.label)) for d in digests}
    assert labels == {"2025-09-26.md", "2025-09-27.jsonl"}
    for digest in digests:
        assert (digest, RDF.type, K.Digest) in graph
        assert graph.value(digest, DCTERMS.date).datatype == XSD.date


def test_custom_base_moves_every_minted_iri(tmp_path):
    base = "https://example.org/my-kg/"
    path = export("rdf", build_graph(_papers(), _extraction()), tmp_path, base=base)[0]
    # No scratch or staged file is left; the lock stays, hidden.
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names[:3] == [".kg.lock", "graph.ttl", "manifest.json"]
    assert len(names) == 5 and names[3].startswith("records-") and names[4].startswith("store-")
    custom = _load(path)
    nodes = {t for triple in custom for t in triple if isinstance(t, URIRef)}
    vocabularies = (KG, str(RDF), str(RDFS), str(SKOS), str(FOAF), str(PROV), str(DCTERMS),
                    "https://schema.org/")
    minted = {n for n in nodes if not str(n).startswith(vocabularies)}
    papers = set(custom.subjects(RDF.type, K.Paper))
    assert URIRef(MORPH) in papers
    others = minted - papers - {URIRef("https://arxiv.org/category_taxonomy")}
    assert others and all(str(n).startswith(base) for n in others)
    assert not any(str(n).startswith(DEFAULT_BASE) for n in minted)


def test_the_ontology_declares_every_kg_term(graph):
    ontology = rdflib.Graph().parse(ONTOLOGY)
    used = {p for p in graph.predicates() if str(p).startswith(KG)}
    used |= {c for c in graph.objects(None, RDF.type) if str(c).startswith(KG)}
    assert {K.Paper, K.mentions, K.confidence} <= used
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
    for term in used:
        assert kinds & set(ontology.objects(term, RDF.type)), f"{term} is not declared"
        assert ontology.value(term, RDFS.label) is not None, f"{term} has no label"
    assert (K.Paper, RDFS.subClassOf, URIRef("http://purl.org/spar/fabio/Preprint")) in ontology


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown RDF format 'n3'"):
        export("rdf", build_graph(_papers(), _extraction()), tmp_path, formats=["n3"])


def test_taxonomy_file_is_current(tmp_path):
    """ontologies/arxiv-taxonomy.ttl is what `write_taxonomy` writes from the TSV."""
    written = write_taxonomy(tmp_path / "arxiv-taxonomy.ttl")
    assert written.read_bytes() == TAXONOMY_FILE.read_bytes()
    scheme = _load(TAXONOMY_FILE)
    assert len(set(scheme.subjects(RDF.type, K.Category))) == len(all_categories())
    conforms, _, report = _validate(scheme)
    assert conforms, report


def test_the_seed_digest(seed, tmp_path):
    papers, _ = kg.read_papers([seed])
    assert len(papers) == 7
    graph = build_graph(papers, kg.extract_concepts(papers))
    path = export("rdf", graph, tmp_path)[0]
    data = _load(path)
    conforms, _, report = _validate(data)
    assert conforms, report
    assert len(set(data.subjects(RDF.type, K.Paper))) == 7
    assert len(set(data.subjects(RDF.type, FOAF.Person))) == 39
    morph = URIRef(MORPH)
    assert data.value(morph, K.tldr).language == "zh"
    assert set(data.objects(morph, K.mentions))
    assert data.value(morph, K.primaryCategory) == URIRef(f"{DEFAULT_BASE}category/cs.CV")
