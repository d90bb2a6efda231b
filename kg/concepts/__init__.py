"""Concept extraction: which methods, tasks, datasets, metrics and systems each paper names.

`extract(papers)` runs a registered extractor over the whole build at once, so that an acronym
defined in one paper links its bare use in another. Extractors register in `extractors` under
a name; importing this package registers the built-in "spacy" one.
"""

from __future__ import annotations

from collections.abc import Sequence

# Importing the extractor module registers it.
from kg.concepts import spacy_extractor  # noqa: F401
from kg.concepts.base import (
    CONCEPT_TYPES,
    Concept,
    Extraction,
    Extractor,
    Mention,
    Progress,
    extractors,
)
from kg.model import Paper

__all__ = ["CONCEPT_TYPES", "Concept", "Extraction", "Extractor", "Mention", "Progress",
           "extract", "extractors"]


def extract(papers: Sequence[Paper], extractor: str = "spacy",
            progress: Progress | None = None) -> Extraction:
    """Concepts and mentions of `papers` by the extractor registered as `extractor`."""
    return extractors.get(extractor)()(papers, progress)
