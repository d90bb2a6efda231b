"""The curated concept scheme: the shipped file is a sound SKOS hierarchy, placing maps and
merges extracted concepts onto it, recognition finds the labels the extractor missed, user
files add concepts and aliases, and a real seed build carries the broader chains into the
graph and the RDF."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat, parse

import kg
from kg.concepts import extract
from kg.concepts.base import Concept, Extraction, Mention
from kg.concepts.normalize import concept_key
from kg.concepts.scheme import (
    RECOGNISED_CONFIDENCE,
    SCHEME_FILE,
    Scheme,
    SchemeError,
    label_key,
    load_scheme,
    place,
)
from kg.model import Paper, Source
from kg.vocab import PREFIXES, Iris

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "my-concepts.tsv"
SKOS_BROADER = PREFIXES["skos"] + "broader"
CHAINS = [  # (narrower, broader), each a required link of a chain
    ("lora", "parameter-efficient-fine-tuning"),
    ("parameter-efficient-fine-tuning", "fine-tuning"),
    ("4dvar", "variational-data-assimilation"),
    ("variational-data-assimilation", "data-assimilation"),
    ("softmax-attention", "attention-mechanism"),
]


@pytest.fixture(scope="module")
def scheme() -> Scheme:
    return load_scheme()


def paper(pid: str, title: str, abstract: str = "") -> Paper:
    return Paper(id=pid, title=title, abstract=abstract, source=Source("test", 1))


def extraction_of(*found: tuple[str, str, str, str]) -> Extraction:
    """An extraction with one concept per (paper, key, label, surface), found in the title."""
    out = Extraction("test/1")
    for pid, key, label, surface in found:
        out.concepts.setdefault(key, Concept(key, label, alt_labels={label, surface}))
        start = len(out.mentions.get(pid, []))
        out.mentions.setdefault(pid, []).append(
            Mention(key, surface, "title", start, start + len(surface), 0.9))
    return out


# --- the shipped scheme ----------------------------------------------------------------------


def test_the_scheme_is_large_typed_and_keyed_by_kg_concept_iris(scheme: Scheme) -> None:
    concepts = scheme.concepts.values()
    assert len(scheme.concepts) >= 300
    assert sum(len(c.alt_labels) for c in concepts) >= 400
    assert {c.type for c in concepts} == {"method", "task", "dataset", "metric"}
    for concept in concepts:
        assert concept.key == concept_key(concept.label), concept  # extracted = curated IRI
    subjects = {q.subject for q in parse(path=SCHEME_FILE, format=RdfFormat.TURTLE)}
    assert {NamedNode(Iris().concept(key)) for key in scheme.concepts} <= subjects


def test_every_broader_concept_exists_and_no_cycle(scheme: Scheme) -> None:
    for key, concept in scheme.concepts.items():
        assert set(concept.broader) <= scheme.concepts.keys(), key
        assert key not in scheme.ancestors(key)


def test_no_label_names_two_concepts(scheme: Scheme) -> None:
    owners: dict[str, str] = {}
    for key, concept in scheme.concepts.items():
        for label in concept.labels:
            assert owners.setdefault(label_key(label), key) == key, label


def test_required_chains_and_umbrellas(scheme: Scheme) -> None:
    for narrower, broader in CHAINS:
        assert broader in scheme.concepts[narrower].broader
    assert scheme.ancestors("lora")[:2] == ["parameter-efficient-fine-tuning", "fine-tuning"]
    assert "data-assimilation" in scheme.ancestors("4dvar")
    for umbrella in ("deep-learning", "neural-network", "machine-learning", "computer-vision"):
        assert not scheme.concepts[umbrella].recognise


@pytest.mark.parametrize(("form", "key"), [
    ("Low-Rank Adapters", "lora"), ("low rank adaptation", "lora"), ("LoRA", "lora"),
    ("4D-Var", "4dvar"), ("4DVar", "4dvar"), ("four-dimensional variational assimilation", "4dvar"),
    ("Graph Neural Networks", "graph-neural-network"), ("GNNs", "graph-neural-network"),
    ("CLIP", "clip"), ("clip", None), ("Clip", None), ("mAP", "mean-average-precision"),
    ("MAP", None), ("drop out", None), ("Dropout", "dropout"),
])
def test_labels_match_in_any_variant_but_acronyms_keep_their_case(
        scheme: Scheme, form: str, key: str | None) -> None:
    assert scheme.find(form) == key


# --- placing ---------------------------------------------------------------------------------


def test_variants_merge_into_the_scheme_concept(scheme: Scheme) -> None:
    before = extraction_of(("1", "low-rank-adapter", "low-rank adapter", "low-rank adapters"),
                           ("2", "lora", "LoRA", "LoRA"),
                           ("2", "foo-bar-net", "foo-bar net", "foo-bar nets"))
    after = place(before, [paper("1", "x"), paper("2", "y")], scheme)
    lora = after.concepts["lora"]
    assert (lora.label, lora.type) == ("LoRA", "method")
    assert {"low-rank adapters", "LoRA", "low-rank adaptation"} <= lora.alt_labels
    assert lora.broader == ["parameter-efficient-fine-tuning"]
    assert "low-rank-adapter" not in after.concepts
    assert [c.key for c in after.concepts_of("1")] == ["lora"]
    assert [c.key for c in after.concepts_of("2")] == ["lora", "foo-bar-net"]
    # the broader chain as concepts without mentions
    assert {"parameter-efficient-fine-tuning", "fine-tuning"} <= after.concepts.keys()
    assert not any(m.concept == "fine-tuning" for ms in after.mentions.values() for m in ms)
    # unknown concepts stay as they were; the input is not changed
    assert after.concepts["foo-bar-net"].label == "foo-bar net"
    assert before.concepts["lora"].alt_labels == {"LoRA"}
    assert before.mentions["1"][0].concept == "low-rank-adapter"


def test_an_unknown_concept_is_placed_under_its_head(scheme: Scheme) -> None:
    before = extraction_of(("1", "sparse-softmax-attention", "sparse softmax attention",
                            "sparse softmax attention"))
    after = place(before, [paper("1", "x")], scheme)
    assert after.concepts["sparse-softmax-attention"].broader == ["softmax-attention"]
    assert "attention-mechanism" in after.concepts


def test_an_acronym_spelled_out_otherwise_is_not_placed_by_its_letters(scheme: Scheme) -> None:
    ai = Concept("ai", "AI", alt_labels={"AI", "artificial intelligence",
                                         "explainable artificial intelligence"})
    mae = Concept("mae", "MAE", alt_labels={"MAE", "masked autoencoders"})
    before = Extraction("test/1", {"ai": ai, "mae": mae})
    after = place(before, [], scheme)
    assert after.concepts["ai"].label == "AI"
    assert after.concepts["masked-autoencoder"].label == "masked autoencoder"


# --- recognising -----------------------------------------------------------------------------


def test_recognition_finds_what_the_extractor_missed(scheme: Scheme) -> None:
    abstract = ("We assimilate observations with 4D-Var and a U-Net. Deep learning, "
                "cross-attention and ResNet-50 are named; we clip gradients.")
    p = paper("1", "Graph Neural Networks for weather", abstract)
    after = place(Extraction("test/1"), [p], scheme)
    found = {m.concept: m for m in after.mentions["1"]}
    # not "deep learning" (an umbrella), "attention", "ResNet" (inside longer names), "CLIP"
    assert set(found) == {"graph-neural-network", "4dvar", "u-net", "cross-attention",
                          "resnet50"}
    var = found["4dvar"]
    assert (var.section, var.surface, var.confidence) == ("abstract", "4D-Var",
                                                          RECOGNISED_CONFIDENCE)
    assert abstract[var.start:var.end] == "4D-Var"
    assert found["graph-neural-network"].section == "title"
    assert after.concepts["4dvar"].label == "4DVAR"
    assert "data-assimilation" in after.concepts  # recognised concepts are placed too


def test_recognition_leaves_the_extractor_mentions_alone(scheme: Scheme) -> None:
    title = "Physics-informed neural operators"
    before = extraction_of(("1", "physics-informed-neural-operator",
                            "physics-informed neural operator", title[:-1]))
    after = place(before, [paper("1", title)], scheme)
    assert [m.concept for m in after.mentions["1"]] == ["physics-informed-neural-operator"]
    assert after.concepts["physics-informed-neural-operator"].broader == ["neural-operator"]


# --- user files ------------------------------------------------------------------------------


def test_a_user_file_adds_concepts_and_aliases(tmp_path: Path) -> None:
    user = tmp_path / "mine.tsv"
    user.write_text("# label\ttype\taliases\tbroader\n"
                    "neural flux operator\tmethod\tNFO|flux neural operator\tneural operator\n"
                    "LoRA\t\tLoRA adapter\n", "utf-8")
    scheme = load_scheme([user])
    assert scheme.find("NFO") == "neural-flux-operator"
    assert scheme.ancestors("neural-flux-operator")[:2] == ["neural-operator", "operator-learning"]
    assert scheme.find("LoRA adapters") == "lora"
    before = extraction_of(("1", "nfo", "NFO", "NFO"),
                           ("2", "flux-neural-operator", "flux neural operator",
                            "flux neural operators"))
    after = place(before, [paper("1", "x"), paper("2", "y")], scheme)
    merged = after.concepts["neural-flux-operator"]
    assert merged.label == "neural flux operator"
    assert {"NFO", "flux neural operators"} <= merged.alt_labels
    assert [c.key for c in after.concepts_of("2")] == ["neural-flux-operator"]
    assert "nfo" not in after.concepts and "flux-neural-operator" not in after.concepts


def test_the_example_file_and_a_turtle_file_load(tmp_path: Path) -> None:
    user = tmp_path / "mine.ttl"
    user.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix kg: <https://w3id.org/arxiv-kg/ontology#> .\n"
        "<http://example.org/qux> a skos:Concept , kg:Task ; skos:prefLabel \"qux detection\"@en"
        " ; skos:altLabel \"QD\"@en ;\n"
        "  skos:broader <https://w3id.org/arxiv-kg/concept/object-detection> .\n", "utf-8")
    scheme = load_scheme([EXAMPLE, user])
    assert scheme.concepts["koopman-autoencoder"].broader == ("autoencoder", "koopman-operator")
    assert scheme.find("QD") == "qux-detection"
    assert scheme.concepts["qux-detection"].type == "task"


@pytest.mark.parametrize(("line", "message"), [
    ("foo net\tmodel\n", r"mine.tsv:2: unknown type 'model'"),
    ("foo net\tmethod\t\tno such concept\n", r"mine.tsv:2: broader concept 'no such concept'"),
    ("foo net\tmethod\tLoRA|GAN\n", r"mine.tsv:2: 'foo net' and its aliases name"),
    ("foo net    method\n", r"mine.tsv:2: separate the columns with tabs"),
])
def test_a_broken_user_file_is_reported_with_its_line(tmp_path: Path, line: str,
                                                      message: str) -> None:
    user = tmp_path / "mine.tsv"
    user.write_text("# my concepts\n" + line, "utf-8")
    with pytest.raises(SchemeError, match=message):
        load_scheme([user])


def test_extract_and_the_cli_take_concept_files(seed: Path, tmp_path: Path) -> None:
    user = tmp_path / "mine.tsv"
    user.write_text("single-location regression\ttask\tSLR\tregression analysis\n"
                    "regression analysis\ttask\n", "utf-8")
    papers, _ = kg.read_papers([seed])
    extraction = extract(papers, concepts=[user])
    assert extraction.concepts["single-location-regression"].broader == ["regression-analysis"]
    broken = tmp_path / "broken.tsv"
    broken.write_text("foo\tnot-a-type\n", "utf-8")
    done = subprocess.run([sys.executable, "-m", "kg", "extract", str(seed), "--quiet",
                           "--concepts", str(broken)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 2 and "broken.tsv:1: unknown type" in done.stderr


# --- the seed build --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_build(seed: Path, tmp_path_factory: pytest.TempPathFactory) -> kg.BuildResult:
    return kg.build([seed.parent], tmp_path_factory.mktemp("seed"), exports=["rdf"])


def test_the_seed_graph_and_rdf_have_the_chains(seed_build: kg.BuildResult) -> None:
    graph = seed_build.graph
    iris = Iris()
    ttl = next(p for p in seed_build.files if p.name == "graph.ttl")
    triples = {(q.subject, q.object) for q in parse(path=ttl, format=RdfFormat.TURTLE)
               if q.predicate == NamedNode(SKOS_BROADER)}
    for narrower, broader in CHAINS:
        edge = (f"concept:{narrower}", f"concept:{broader}")
        assert graph.has_edge(*edge) and graph.edges[edge]["rel"] == "broader", edge
        assert (NamedNode(iris.concept(narrower)), NamedNode(iris.concept(broader))) in triples
    assert graph.nodes["concept:lora"]["label"] == "LoRA"
    assert "low-rank adapters" in graph.nodes["concept:lora"]["alt_labels"]
    # the broader concepts are nodes without papers; only what the papers name is linked
    assert not [p for p in graph.predecessors("concept:fine-tuning")
                if graph.nodes[p]["kind"] == "paper"]
