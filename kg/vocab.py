"""IRIs: the kg ontology namespace, the standard vocabularies it reuses, and how node IRIs are
minted under a configurable base.

Papers are `https://arxiv.org/abs/<id>` (or their DOI); everything else lives under `base`,
readable and stable: the same name, code or concept always gives the same IRI.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

from pyoxigraph import NamedNode

from kg.errors import UsageError

KG = "https://w3id.org/arxiv-kg/ontology#"
DEFAULT_BASE = "https://w3id.org/arxiv-kg/"

PREFIXES = {
    "kg": KG,
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "fabio": "http://purl.org/spar/fabio/",
    "schema": "https://schema.org/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9.~()'!*,;:@-]*+")  # what `quote` leaves as it is


@lru_cache(maxsize=1 << 16)  # names, paper ids and concept keys recur across many triples
def _segment(text: str) -> str:
    """A readable, reversible IRI path segment: spaces as `_`, the rest percent-encoded, and
    a final "." too (a prefixed Turtle name cannot end with one; escaped, `person:G._R\\.`,
    rdflib cannot read it)."""
    if _PLAIN_SEGMENT.fullmatch(text) and not text.endswith("."):
        return text  # most ids and keys: `quote` would return them unchanged, slowly
    escaped = text.replace("%", "%25").replace("_", "%5F").replace(" ", "_")
    segment = quote(escaped, safe="%_-.~()'!*,;:@")
    return segment[:-1] + "%2E" if segment.endswith(".") else segment


@lru_cache(maxsize=1 << 16)
def slug(text: str) -> str:
    """Lower-case ASCII-ish slug for concept keys that are already normalised."""
    return _segment("-".join(text.split()))


def lookup_key(text: str) -> str:
    """The form a label or name is looked up by: case-folded, single spaces, no language tag.
    Written as `kg:lookupKey` beside every concept label and person name, so that a lookup is
    one index hit whatever the case ("lora", "LoRA") instead of a scan of every label."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def check_base(base: str) -> None:
    """Raise `UsageError` unless the IRIs minted under `base` are valid absolute IRIs."""
    try:
        NamedNode(Iris(base).person("A"))
    except ValueError as error:
        raise UsageError(f"--base {base!r} is not an absolute IRI ({error}); write it like "
                         f"{DEFAULT_BASE}") from None


class Iris:
    """Mints the IRIs of one build's nodes under `base` (ending in `/`)."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = base if base.endswith(("/", "#")) else base + "/"

    def person(self, name: str) -> str:
        return f"{self.base}person/{_segment(name)}"

    def category(self, code: str) -> str:
        return f"{self.base}category/{_segment(code)}"

    def archive(self, code: str) -> str:
        return f"{self.base}archive/{_segment(code)}"

    def group(self, code: str) -> str:
        return f"{self.base}group/{_segment(code)}"

    def concept(self, key: str) -> str:
        return f"{self.base}concept/{slug(key)}"

    def authorship(self, paper_id: str, position: int) -> str:
        return f"{self.base}authorship/{_segment(paper_id)}/{position}"

    def mention(self, paper_id: str, key: str, n: int) -> str:
        return f"{self.base}mention/{_segment(paper_id)}/{slug(key)}/{n}"

    def digest(self, file_name: str) -> str:
        return f"{self.base}digest/{_segment(file_name)}"

    def extractor(self, name: str) -> str:
        return f"{self.base}extractor/{_segment(name)}"

    def standing(self, scope: str, concept_key: str) -> str:
        return f"{self.base}standing/{_segment(scope)}/{slug(concept_key)}"

    @property
    def category_scheme(self) -> str:
        return f"{self.base}scheme/arxiv-taxonomy"

    @property
    def concept_scheme(self) -> str:
        return f"{self.base}scheme/concepts"

    def prefixes(self) -> dict[str, str]:
        """Turtle prefixes for every IRI this build mints, so the files stay short and readable."""
        kinds = ("person", "category", "archive", "group", "concept", "authorship", "mention",
                 "digest", "extractor", "scheme", "standing")
        return {"arxiv": "https://arxiv.org/abs/", **{k: f"{self.base}{k}/" for k in kinds}}
