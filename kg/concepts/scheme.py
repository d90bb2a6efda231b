"""A curated SKOS concept scheme that recognises concepts in texts and places extracted ones.

Rules alone cannot know that "low-rank adapters" is LoRA, that LoRA is a parameter-efficient
fine-tuning method, or that a paper naming "4D-Var" once, inside a sentence the rules cut
badly, uses 4DVAR. A scheme of well-known concepts (`ontologies/concepts.ttl`, SKOS) knows, and
users extend it with their own files (`load_scheme`). `place` applies it to an extraction:

1. an extracted concept one of whose forms is a scheme label becomes the scheme concept: its
   label, type and aliases, and concepts that name the same one merge;
2. a scheme label in a title or abstract that no mention covers becomes a mention;
3. every placed concept brings its broader chain (as concepts without mentions), so the graph
   has the `broader` edges; an unplaced concept whose last words are a scheme label ("sparse
   softmax attention") is placed under it.

Acronyms and proper names match with their capitals ("CLIP" is not "clip", "mAP" is not
"MAP"); lower-case terms in any case, singular or plural, hyphenated or not.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property
from pathlib import Path
from urllib.parse import unquote

from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from kg.concepts.base import (
    CONCEPT_TYPES,
    Concept,
    Extraction,
    Mention,
    TextCache,
    section_texts,
    text_digest,
)
from kg.concepts.normalize import compact, concept_key, fold, is_acronym, singular
from kg.errors import UsageError
from kg.model import Paper
from kg.vocab import KG, PREFIXES, Iris

NAME = "kg-scheme/0.1.0"
# `kg/data/concepts.ttl` links to `ontologies/concepts.ttl`, so the scheme is published beside the
# ontology and still ships inside the package (a wheel copies the file the link points to).
SCHEME_FILE = Path(__file__).resolve().parents[1] / "data" / "concepts.ttl"
RECOGNISED_CONFIDENCE = 0.8  # a curated label, but found without the extractor's context

_SKOS = PREFIXES["skos"]
_RDF_TYPE = PREFIXES["rdf"] + "type"
_CONCEPT_NS = Iris().concept("")  # scheme IRIs are kg's concept IRIs: one node per concept
_TYPES = {KG + kind.capitalize(): kind for kind in CONCEPT_TYPES}


class SchemeError(UsageError):
    """A concepts file that cannot be used; the message names the file (and line) and why."""


@dataclass(frozen=True, slots=True)
class SchemeConcept:
    """A curated concept; `recognise` is False for umbrella concepts that only place others."""

    key: str
    label: str
    type: str = "method"
    alt_labels: frozenset[str] = frozenset()
    broader: tuple[str, ...] = ()  # keys
    recognise: bool = True

    @property
    def labels(self) -> list[str]:
        return [self.label, *sorted(self.alt_labels - {self.label})]


def label_key(label: str) -> str:
    """The lookup key of a label: the concept key without separators ("Low-Rank Adapters",
    "low rank adapter" and "lowrank adapter" meet)."""
    return compact(concept_key(label))


def _is_acronym_word(word: str) -> bool:
    return is_acronym(word) or (len(word) > 1 and word.isupper())


# Gaps before a letter, each counted once from where it starts (tried from inside a long gap,
# they would rescan the rest of it: quadratic).
_SPACE_GAP = re.compile(r"(?<!\s)\s++(?=[^\W\d_])")
_ANY_GAP = re.compile(r"(?<![\s\-])[\s\-]++(?=[^\W\d_])")


def fits(form: str, label: str) -> bool:
    """Whether `form`, which has `label`'s key, is written as `label` allows.

    Capitals of the label stay capitals and acronyms keep their exact case ("CLIP" is not
    "clip", "mAP" is not "MAP"; "Graph Neural Networks" is "graph neural network"); and the
    form has no more spaces than the label has spaces and hyphens ("drop out" is not "dropout").
    """
    pattern = [(c, _is_acronym_word(word)) for word in fold(label).split()
               for c in word if c.isalnum()]
    chars = [c for c in fold(form) if c.isalnum()]
    return all(f == c if strict else f.isupper() or not c.isupper()
               for (c, strict), f in zip(pattern, chars, strict=False)) \
        and len(_SPACE_GAP.findall(fold(form))) <= len(_ANY_GAP.findall(fold(label)))


# --- recognition in text ---------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+(?:['’.@][^\W_]+)*\+*")
# What may stand between two words of one name: spaces or one dash; "Burgers' equation".
_JOIN = re.compile(r"['’]?(?:\s+|-{1,2}|[\u2010-\u2015\u2212])")
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"


def _word(token: str) -> str:
    return fold(token).lower().replace("’", "'")


def _words_key(words: Sequence[str]) -> str:
    """Words joined, the last one singular: spaces, hyphens and closed compounds meet."""
    return "".join(words[:-1]) + singular(words[-1])


class _Recogniser:
    """Finds the labels of recognisable concepts in a text by walking its words through a
    prefix set of the labels' joined words; no regex alternation, so it stays fast with
    thousands of labels."""

    def __init__(self, concepts: Iterable[SchemeConcept]) -> None:
        self.keys: dict[str, tuple[str, list[str]]] = {}  # joined words -> key, labels
        self.prefixes: set[str] = set()
        for concept in concepts:
            for label in concept.labels:
                words = [_word(t) for t in _TOKEN.findall(label)]
                if not words:
                    continue
                hit = self.keys.setdefault(_words_key(words), (concept.key, []))
                if hit[0] == concept.key:
                    hit[1].append(label)
                self.prefixes.update("".join(words[:i]) for i in range(1, len(words)))

    def find(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, concept key) of each longest label occurrence, left to right."""
        tokens = list(_TOKEN.finditer(text))
        i = 0
        while i < len(tokens):
            best: tuple[int, str, list[str]] | None = None
            joined = ""
            for j in range(i, len(tokens)):
                if j > i and not _JOIN.fullmatch(text, tokens[j - 1].end(), tokens[j].start()):
                    break
                word = _word(tokens[j].group())
                hit = self.keys.get(joined + singular(word))
                if hit:
                    best = (j, *hit)
                joined += word
                if joined not in self.prefixes:
                    break
            if best is not None:
                j, key, labels = best
                start, end = tokens[i].start(), tokens[j].end()
                if _standalone(text, start, end) and any(fits(text[start:end], label)
                                                         for label in labels):
                    yield start, end, key
                    i = j + 1
                    continue
            i += 1


def _standalone(text: str, start: int, end: int) -> bool:
    """Not part of a longer hyphenated word: "cross-attention" holds no "attention" and
    "ResNet-50" no "ResNet"; in "Transformer-based" or "LLM-generated" the name is a modifier,
    which the extractor's rules judge in context."""
    first = start
    while first and text[first - 1] in _DASHES:  # "VAC--GRPO"
        first -= 1
    before = first < start and first > 0 and text[first - 1].isalnum()
    after = end + 1 < len(text) and text[end] in _DASHES and text[end + 1].isalnum()
    return not (before or after)


# --- the scheme ------------------------------------------------------------------------------


class Scheme:
    """Concepts by key and the label index placing needs; built by `load_scheme`."""

    def __init__(self) -> None:
        self.concepts: dict[str, SchemeConcept] = {}
        self._labels: dict[str, tuple[str, list[str]]] = {}  # label key -> concept key, labels

    def add(self, concept: SchemeConcept, where: str = "") -> None:
        """Add or replace `concept`; a label may name one concept only."""
        for label in concept.labels:
            owner, labels = self._labels.setdefault(label_key(label), (concept.key, []))
            if owner != concept.key:
                raise SchemeError(f"{where}: {label!r} already names {self.concepts[owner].label!r}"
                                  if where else f"{label!r} names two concepts")
            if label not in labels:
                labels.append(label)
        self.concepts[concept.key] = concept

    def find(self, form: str) -> str | None:
        """The key of the concept `form` names, if it names one."""
        hit = self._labels.get(label_key(form))
        return hit[0] if hit and any(fits(form, label) for label in hit[1]) else None

    @cached_property
    def recogniser(self) -> _Recogniser:
        return _Recogniser(c for c in self.concepts.values() if c.recognise)

    @cached_property
    def version(self) -> str:
        """Changes with any concept, label or broader link, and with this module's NAME."""
        rows = sorted([c.key, c.label, c.type, sorted(c.alt_labels), list(c.broader),
                       c.recognise] for c in self.concepts.values())
        return hashlib.sha256(json.dumps([NAME, rows]).encode()).hexdigest()[:16]

    @cached_property
    def recognitions(self) -> TextCache[list[tuple[int, int, str]]]:
        """What `recognise` found in each text, under the scheme's `version`."""
        return TextCache(self.version, list, lambda hits: [tuple(hit) for hit in hits])

    @cached_property
    def placements(self) -> TextCache[tuple[str | None, str | None]]:
        """Where `place` put each extracted concept (`_placement`), under the scheme's
        `version`, by a digest of the concept's key and forms."""
        return TextCache(self.version, list, lambda found: (found[0], found[1]))

    def recognise(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, concept key) of each scheme label in `text` (`_Recogniser.find`),
        remembered by the text's digest: an update scans only new texts."""
        digest = text_digest(text)
        found = self.recognitions.get(digest)
        if found is None:
            found = list(self.recogniser.find(text))
            self.recognitions.put(digest, found)
        return found

    def ancestors(self, key: str) -> list[str]:
        """Every concept above `key`, nearest first."""
        seen: dict[str, None] = {}
        todo = list(self.concepts[key].broader)
        while todo:
            parent = todo.pop(0)
            if parent not in seen:
                seen[parent] = None
                todo.extend(self.concepts[parent].broader)
        return list(seen)


# --- reading scheme files --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    """A concept as a file states it: broader concepts still by reference (key or label)."""

    concept: SchemeConcept
    broader: tuple[str, ...]
    where: str


def _key_of(iri: str) -> str | None:
    """The concept key of a kg concept IRI."""
    return unquote(iri.removeprefix(_CONCEPT_NS)) if iri.startswith(_CONCEPT_NS) else None


def _read_turtle(path: Path) -> list[_Entry]:
    """SKOS concepts of a Turtle file: prefLabel, altLabel, broader, a kg: type."""
    try:
        quads = list(parse(path=path, format=RdfFormat.TURTLE))
    except (OSError, SyntaxError) as error:
        raise SchemeError(f"{path}: {error}") from None
    # subject IRI -> predicate IRI -> the objects' IRIs and literal values
    facts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for quad in quads:
        if isinstance(quad.subject, NamedNode) and isinstance(quad.object, NamedNode | Literal):
            facts[quad.subject.value][quad.predicate.value].append(quad.object.value)
    concepts = {iri: f for iri, f in facts.items() if _SKOS + "Concept" in f[_RDF_TYPE]}
    keys: dict[str, str] = {}
    for iri, f in concepts.items():
        if not f[_SKOS + "prefLabel"]:
            raise SchemeError(f"{path}: {iri} has no skos:prefLabel")
        keys[iri] = _key_of(iri) or concept_key(f[_SKOS + "prefLabel"][0])
    entries = []
    for iri, f in concepts.items():
        kinds = [_TYPES[cls] for cls in f[_RDF_TYPE] if cls in _TYPES]
        concept = SchemeConcept(keys[iri], f[_SKOS + "prefLabel"][0], kinds[0] if kinds else "",
                                frozenset(f[_SKOS + "altLabel"]),
                                recognise="false" not in f[KG + "recognise"])
        broader = tuple(keys.get(b) or _key_of(b) or b for b in f[_SKOS + "broader"])
        entries.append(_Entry(concept, broader, f"{path}: {iri}"))
    return entries


def _read_table(path: Path) -> list[_Entry]:
    """A user's tab-separated file: `label<TAB>type<TAB>alias|alias<TAB>broader|broader`, every
    column after the label optional; `#` starts a comment line."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SchemeError(f"{path}: {error}") from None
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path}:{number}"
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) > 4:
            raise SchemeError(f"{where}: more than 4 tab-separated columns")
        label, kind, aliases, broader = cells + [""] * (4 - len(cells))
        if not label or "  " in label:
            raise SchemeError(f"{where}: no label" if not label
                              else f"{where}: separate the columns with tabs, not spaces")
        if kind.lower() not in ("", *CONCEPT_TYPES):
            raise SchemeError(f"{where}: unknown type {kind!r} "
                              f"(choose from {', '.join(CONCEPT_TYPES)})")
        concept = SchemeConcept(concept_key(label), label, kind.lower(),
                                frozenset(a.strip() for a in aliases.split("|") if a.strip()))
        entries.append(_Entry(concept, tuple(b.strip() for b in broader.split("|")
                                             if b.strip()), where))
    return entries


@cache
def _shipped() -> list[_Entry]:
    return _read_turtle(SCHEME_FILE)


def _merge(scheme: Scheme, entry: _Entry) -> str:
    """Add an entry, or extend the concept it names with its aliases (and type); its key."""
    new = entry.concept
    named = {key for form in new.labels if (key := scheme.find(form))}
    named |= {new.key} & scheme.concepts.keys()
    if len(named) > 1:
        labels = ", ".join(sorted(repr(scheme.concepts[k].label) for k in named))
        raise SchemeError(f"{entry.where}: {new.label!r} and its aliases name {labels}")
    if not named:
        scheme.add(replace(new, type=new.type or "method"), entry.where)
        return new.key
    old = scheme.concepts[named.pop()]
    scheme.add(replace(old, type=new.type or old.type,
                       alt_labels=old.alt_labels | set(new.labels) - {old.label}), entry.where)
    return old.key


def load_scheme(files: Sequence[str | Path] = ()) -> Scheme:
    """The shipped scheme with each user file applied in order: Turtle (`.ttl`, SKOS as in
    `ontologies/concepts.ttl`) or tab-separated (see `_read_table`). A user concept that names
    a scheme concept (by label or alias) adds its aliases, type and broader concepts to it.

    Raises `SchemeError` for an unreadable file, a label naming two concepts or an unknown
    broader concept.
    """
    scheme = Scheme()
    entries = [*_shipped()]
    for file in map(Path, files):
        entries += _read_turtle(file) if file.suffix.lower() == ".ttl" else _read_table(file)
    placed = [(_merge(scheme, entry), entry) for entry in entries]
    for key, entry in placed:  # broader concepts may come later in a file
        broader = list(scheme.concepts[key].broader)
        for ref in entry.broader:
            parent = ref if ref in scheme.concepts else scheme.find(ref)
            if parent is None or parent == key:
                raise SchemeError(f"{entry.where}: broader concept {ref!r} is unknown or itself")
            broader.append(parent)
        scheme.concepts[key] = replace(scheme.concepts[key], broader=tuple(dict.fromkeys(broader)))
    return scheme


# --- placing an extraction -------------------------------------------------------------------


def _target(concept: Concept, scheme: Scheme) -> str | None:
    """The scheme concept an extracted one is. Its long forms decide when most of them name
    one ("MAE" defined as "masked autoencoders"); else its label, but an acronym only when
    the paper does not spell it out otherwise ("SAM (sharpness-aware minimization)" is no
    segmentation model; "AI" with one "explainable artificial intelligence" is no XAI); else
    its key, which is the concept's IRI."""
    forms = sorted({concept.label, *concept.alt_labels})
    phrases = {label_key(f): f for f in forms if len(f.split()) > 1 and not is_acronym(f)}
    votes = Counter(scheme.find(form) for form in phrases.values())
    best, count = votes.most_common(1)[0] if votes else (None, 0)
    if best is not None and 2 * count > len(phrases):
        return best
    named = scheme.find(concept.label)
    if named is not None and (not _is_acronym_word(concept.label) or not phrases
                              or named in votes):
        return named
    return concept.key if concept.key in scheme.concepts else None


def _head(concept: Concept, scheme: Scheme) -> str | None:
    """The scheme concept named by the longest proper suffix of the label: "sparse softmax
    attention" is a kind of softmax attention."""
    words = concept.label.split()
    return next((key for i in range(1, len(words))
                 if (key := scheme.find(" ".join(words[i:])))), None)


def _from_scheme(concept: SchemeConcept) -> Concept:
    return Concept(concept.key, concept.label, concept.type, set(concept.labels),
                   list(concept.broader))


def _placement(concept: Concept, scheme: Scheme) -> tuple[str | None, str | None]:
    """The concept's `_target`, and when it has none its `_head`; remembered by its forms
    (`Scheme.placements`), since most concepts of an update were placed by the build before."""
    digest = text_digest("\n".join([concept.key, concept.label, *sorted(concept.alt_labels)]))
    found = scheme.placements.get(digest)
    if found is None:
        target = _target(concept, scheme)
        found = (target, _head(concept, scheme) if target is None else None)
        scheme.placements.put(digest, found)
    return found


def place(extraction: Extraction, papers: Sequence[Paper], scheme: Scheme) -> Extraction:
    """`extraction` mapped onto `scheme`, with the scheme labels the extractor missed in the
    papers' titles and abstracts recognised, and every broader chain added (module docstring).
    Concepts the scheme does not know stay as they are."""
    placements = {key: _placement(c, scheme) for key, c in extraction.concepts.items()}
    targets = {key: target for key, (target, _) in placements.items()}
    concepts: dict[str, Concept] = {}
    for key, concept in extraction.concepts.items():
        target, head = placements[key]
        if target is None:
            head = None if concept.broader else head
            concepts[key] = Concept(concept.key, concept.label, concept.type,
                                    set(concept.alt_labels),
                                    [*concept.broader, *filter(None, [head])])
            continue
        placed = concepts.setdefault(target, _from_scheme(scheme.concepts[target]))
        placed.alt_labels |= concept.alt_labels | {concept.label}
        placed.broader.extend(b for b in concept.broader if b not in placed.broader)
    mentions = {paper_id: [m if (target := targets.get(m.concept)) is None  # most stay as are
                           else Mention(target, m.surface, m.section, m.start, m.end,
                                        m.confidence) for m in ms]
                for paper_id, ms in extraction.mentions.items()}
    for paper in papers:
        found = list(_recognise(paper, mentions.get(paper.id, []), scheme))
        for mention in found:
            concept = concepts.setdefault(mention.concept,
                                          _from_scheme(scheme.concepts[mention.concept]))
            concept.alt_labels.add(mention.surface)
        if found:
            order = {name: i for i, (name, _) in enumerate(section_texts(paper))}
            mentions[paper.id] = sorted([*mentions.get(paper.id, []), *found],
                                        key=lambda m: (order.get(m.section, len(order)), m.start))
    above = {key for concept in concepts.values() for parent in concept.broader
             if parent in scheme.concepts for key in (parent, *scheme.ancestors(parent))}
    for key in sorted(above - concepts.keys()):
        concepts[key] = _from_scheme(scheme.concepts[key])
    return Extraction(f"{extraction.extractor}+{NAME}", concepts, mentions)


def _recognise(paper: Paper, mentions: list[Mention], scheme: Scheme) -> Iterator[Mention]:
    """Mentions of scheme labels in the paper's texts where no mention is already."""
    taken = defaultdict(list)
    for m in mentions:
        taken[m.section].append((m.start, m.end))
    for section, text in section_texts(paper):
        for start, end, key in scheme.recognise(text):
            if not any(start < e and s < end for s, e in taken[section]):
                yield Mention(key, text[start:end], section, start, end, RECOGNISED_CONFIDENCE)
