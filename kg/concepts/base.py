"""What an extractor produces: concepts, and each paper's mentions of them with evidence."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, cast

import msgpack

from kg.model import Paper
from kg.registry import Registry

CONCEPT_TYPES = ("method", "task", "dataset", "metric", "artifact")


@dataclass(slots=True)
class Concept:
    """One concept across the whole build; `key` is its normalised identity (and IRI slug)."""

    key: str
    label: str
    type: str = "method"
    alt_labels: set[str] = field(default_factory=set)
    broader: list[str] = field(default_factory=list)  # keys of broader concepts


@dataclass(frozen=True, slots=True)
class Mention:
    """Evidence that a paper uses a concept: where, which characters, how sure."""

    concept: str  # Concept.key
    surface: str  # the text as written
    section: str  # "title", "abstract", "tldr"
    start: int  # character offsets into that section's text
    end: int
    confidence: float


@dataclass
class Extraction:
    """The output of one extractor run over a set of papers."""

    extractor: str  # name and version, recorded as provenance
    concepts: dict[str, Concept] = field(default_factory=dict)
    mentions: dict[str, list[Mention]] = field(default_factory=dict)  # paper id -> mentions

    def concepts_of(self, paper_id: str) -> list[Concept]:
        """The distinct concepts a paper is linked to, in order of first mention."""
        keys = dict.fromkeys(m.concept for m in self.mentions.get(paper_id, []))
        return [self.concepts[k] for k in keys]


Progress = Callable[[int], None]


def text_digest(text: str) -> str:
    """The key a text's cached results are kept under."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()


T = TypeVar("T")


class TextCache(Generic[T]):
    """What a step found in each text alone, by the text's digest, kept between builds under
    the step's version (`state`, then `prime` in the next run): a text is worked on once, and
    another version starts afresh.

    Each entry is kept as its own MessagePack bytes, decoded when first asked for and written
    back as it was read: a build holds the entries of every text it ever saw, most of which
    an update never asks for, and bytes are both compact and quick to load."""

    def __init__(self, version: str, encode: Callable[[T], Any],
                 decode: Callable[[Any], T]) -> None:
        self.version = version
        self._encode, self._decode = encode, decode
        self._found: dict[str, T] = {}
        self._stored: dict[str, Any] = {}  # digest -> packed entry (or JSON data) from `prime`
        self._used: set[str] = set()  # digests asked for or put in this run

    def get(self, digest: str) -> T | None:
        found = self._found.get(digest)
        if found is None:
            stored = self._stored.get(digest)
            if stored is None:
                return None
            try:
                found = self._decode(msgpack.unpackb(stored) if isinstance(stored, bytes)
                                     else stored)  # JSON data, from a cache before msgpack
            except (ValueError, TypeError, msgpack.UnpackException):
                del self._stored[digest]  # a damaged entry: the step works on the text again
                return None
            self._found[digest] = found
        self._used.add(digest)
        return found

    def keep(self, digests: Iterable[str]) -> None:
        """Keep the entries of these texts for the next run without decoding them."""
        self._used.update(d for d in digests if d in self._stored or d in self._found)

    def put(self, digest: str, found: T) -> None:
        self._found[digest] = found
        self._used.add(digest)

    def state(self) -> dict[str, Any]:
        """The entries of the texts this run used, each packed."""
        return {"version": self.version, "texts": {
            digest: self._packed(digest) for digest in sorted(self._used)}}

    def _packed(self, digest: str) -> bytes:
        stored = self._stored.get(digest)
        if isinstance(stored, bytes):
            return stored
        data = self._encode(self._found[digest]) if digest in self._found else stored
        return cast(bytes, msgpack.packb(data))

    def prime(self, state: object) -> None:
        """Take the entries of a `state` of the same version (anything else read from disk is
        ignored: a cache is only ever a shortcut)."""
        if not isinstance(state, Mapping):
            return
        texts = state.get("texts")
        if state.get("version") == self.version and isinstance(texts, dict):
            self._stored.update(texts)


def section_texts(paper: Paper) -> list[tuple[str, str]]:
    """(section, text) pairs concepts are read from: the English title and abstract."""
    return [(name, text) for name, text in (("title", paper.title), ("abstract", paper.abstract))
            if text]


class Extractor(Protocol):
    """Turns papers into an Extraction; sees the whole build so aliases link across papers.

    What it finds in each text alone can be kept between builds (`cache_state`, packed with
    MessagePack) and handed to the next run (`prime`), so that a text is parsed once; the work
    that spans papers is redone at every run."""

    def __call__(self, papers: Sequence[Paper], progress: Progress | None = None) -> Extraction:
        ...

    def cache_state(self) -> dict[str, Any]:
        ...

    def prime(self, state: Mapping[str, Any]) -> None:
        ...


extractors: Registry[Callable[[], Extractor]] = Registry("concept extractor")
