"""A small graph for the query and analysis tests, written by kg's own exporter.

Five papers, seven authors, four categories, nine concepts (one of them only a broader concept
of another). The query tests' expected rows are derived from these records by hand; the RDF,
and the store the tests query, are what `kg build` would write for them.
"""

from __future__ import annotations

from pathlib import Path

from kg.concepts.base import Concept, Extraction, Mention
from kg.export import export
from kg.graph import build_graph
from kg.model import Paper, Source

CONCEPTS = [  # key, label, type, aliases, broader
    ("peft", "parameter-efficient fine-tuning", "method", {"PEFT"}, []),
    ("lora", "LoRA", "method", {"low-rank adaptation"}, ["peft"]),
    ("vision-transformer", "Vision Transformer", "method", {"ViT"}, []),
    ("imagenet", "ImageNet", "dataset", set(), []),
    ("glue", "GLUE", "dataset", set(), []),
    ("accuracy", "accuracy", "metric", set(), []),
    ("diffusion-model", "diffusion model", "method", set(), []),
    ("fid", "FID", "metric", {"Fréchet Inception Distance"}, []),
    ("gnn", "graph neural network", "method", {"GNN"}, []),
]
PAPERS = [  # id, day, title, abstract, authors, categories, concepts
    ("2601.00001", "2026-01-02", "Low-Rank Adaptation of Vision Transformers",
     "We adapt a ViT with LoRA and evaluate on ImageNet.",
     ["Alice Martin", "Bob Chen", "Chloé Dubois"], ["cs.CV", "cs.LG"],
     ["lora", "vision-transformer", "imagenet"]),
    ("2601.00002", "2026-01-02", "Efficient Fine-Tuning of Language Models",
     "Low-rank adaptation reaches full fine-tuning accuracy on GLUE.",
     ["Bob Chen", "Alice Martin", "Dan O'Neil"], ["cs.CL", "cs.LG"],
     ["lora", "glue", "accuracy"]),
    ("2601.00003", "2026-01-03", "Diffusion Models for Image Synthesis",
     "A diffusion model trained on ImageNet improves FID.",
     ["Eve Kowalski", "Chloé Dubois"], ["cs.CV"], ["diffusion-model", "imagenet", "fid"]),
    ("2601.00004", "2026-01-03", "Graph Neural Networks for Molecules",
     "A graph neural network predicts molecular properties with high accuracy.",
     ["Frank Li"], ["physics.chem-ph", "cs.LG"], ["gnn", "accuracy"]),
    ("2601.00005", "2026-01-04", 'A Survey of "Quoted" Benchmarks', None,
     ["Grace Hopper"], ["cs.CL"], []),
]


def papers() -> list[Paper]:
    result = []
    for paper_id, day, title, abstract, authors, categories, _ in PAPERS:
        source = Source(f"{day}.md", 1, day)
        result.append(Paper(id=paper_id, title=title, source=source, authors=authors,
                            primary_category=categories[0], categories=categories,
                            abstract=abstract, sources=[source]))
    return result


def extraction() -> Extraction:
    concepts = {key: Concept(key, label, kind, aliases | {label}, broader)
                for key, label, kind, aliases, broader in CONCEPTS}
    mentions = {paper_id: [Mention(key, concepts[key].label, "abstract", 0, 10, 0.9)
                           for key in keys]
                for paper_id, *_, keys in PAPERS if keys}
    return Extraction("test 1", concepts, mentions)


def write(folder: Path) -> Path:
    """The mini graph's build folder: store and Turtle, as `kg build` writes them."""
    export("rdf", build_graph(papers(), extraction()), folder)
    return folder
