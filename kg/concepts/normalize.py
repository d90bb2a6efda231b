"""Pure string rules that decide when two surface forms name the same concept, and its label.

A concept's identity is `concept_key(surface)`: accents folded, dashes unified, case folded,
the head noun made singular, and hyphens, spaces and the glue around numbers made irrelevant,
so "Navier--Stokes equations" = "Navier-Stokes equation", "4D-Var" = "4DVar" = "4DVAR",
"Llama 2" = "Llama-2", "PDEs" = "PDE". Case is folded everywhere, acronyms included: case
variants of one name ("4DVar", "4DVAR") are common, an acronym that is also an English noun
phrase of the same field is not. The display form (`display_form`) is what a label shows: case
kept, and only a head the rules are sure of made singular (not "Stokes", not "avalanches").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import cache
from itertools import pairwise

# Every dash a digest may use inside a word; LaTeX writes an en dash as "--".
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2212]|-{2,}")
_KEY_CHARS = re.compile(r"[^a-z0-9+.]")

# Plurals no suffix rule gets right (Latin and Greek, mostly); words that only look plural.
_IRREGULAR = {
    "analyses": "analysis", "axes": "axis", "bases": "basis", "criteria": "criterion",
    "crises": "crisis", "diagnoses": "diagnosis", "emphases": "emphasis",
    "hypotheses": "hypothesis", "indices": "index", "parentheses": "parenthesis",
    "syntheses": "synthesis", "theses": "thesis",
    "matrices": "matrix", "phenomena": "phenomenon", "vertices": "vertex", "radii": "radius",
    "children": "child", "people": "person", "mice": "mouse", "teeth": "tooth",
}
_INVARIANT = {"series", "species", "means", "news", "lens", "bias", "alias", "atlas", "canvas",
              "gas", "chaos", "ethos", "logos", "kudos", "pathos"}
_INVARIANT_ENDINGS = ("ss", "us", "is", "ics", "ous", "ys")


def fold(text: str) -> str:
    """Accents removed and every dash written "-", so "Kármán" = "Karman", "--" = "–" = "-"."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _DASHES.sub("-", text)


@cache  # pure, and called on the same few thousand words again and again
def is_acronym(word: str) -> bool:
    """An acronym or coined name: it mixes letters and digits ("Llama-2", "4D-Var"), or some
    hyphen-separated part has a capital after its first letter ("LoRA", "ViT").

    "LoRA", "PDEs", "ViT", "4DVAR", "4D-Var", "GPT-4", "ResNet-50", "SE(3)" are; "Boltzmann",
    "Navier-Stokes", "Phenotype-Guided", "softmax", "2" are not.
    """
    if not any(c.isalpha() for c in word):
        return False
    if any(c.isdigit() for c in word):
        return True
    return any(any(c.isupper() for c in part[1:]) for part in word.split("-"))


@cache
def singular(word: str) -> str:
    """The singular of a head noun, or the word itself when no rule is sure.

    Acronyms lose a lower-case plural s ("PDEs" -> "PDE"); other capitalised words are proper
    names and stay ("Stokes", "Bayes"); "-ches" is left alone ("avalanches" vs "approaches").
    """
    if is_acronym(word):
        return word[:-1] if len(word) > 2 and word.endswith("s") and word[-2].isupper() else word
    if not word.isalpha() or not word.islower() or len(word) <= 3:
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word in _INVARIANT or word.endswith(_INVARIANT_ENDINGS) or not word.endswith("s"):
        return word
    if word[:-2] in _INVARIANT:  # "biases"
        return word[:-2]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "xes", "zzes", "tches")):
        return word[:-2]
    if word.endswith("ches"):
        return word
    return word[:-1]


def display_form(surface: str) -> str:
    """The surface as a label shows it: dashes unified, spacing collapsed, last word singular."""
    words = fold(surface).split()
    if not words:
        return ""
    *rest, last = words[-1].split("-")
    words[-1] = "-".join([*rest, singular(last)])
    return " ".join(words)


def _key_parts(word: str) -> list[str]:
    parts = [_KEY_CHARS.sub("", p.lower()).strip(".") for p in word.split("-")]
    return [p for p in parts if p]


def _glued(part: str) -> bool:
    """Short parts with digits stick to their neighbour: "4D-Var", "GPT-4", "ResNet-50"."""
    return len(part) <= 3 and any(c.isdigit() for c in part)


@cache
def concept_key(surface: str) -> str:
    """The identity of a concept named by `surface`, also its IRI slug.

    Lower-case ASCII words joined by "-", the last one singular. A hyphen next to a short part
    holding a digit is dropped ("4D-Var" -> "4dvar", "ResNet-50" -> "resnet50") and a bare
    number is glued to the word before it ("Llama 2" -> "llama2"), so spelling variants of
    one name meet.
    """
    words = fold(surface).split()
    if words:
        *rest, last = words[-1].split("-")
        last = singular(last if is_acronym(last) else last.lower())
        # "-ches" is ambiguous in `singular`; folding both "-ches" and "-che" to "-ch" keeps
        # "avalanche" and "avalanches" one key without guessing the singular.
        last = re.sub(r"(?<=ch)(es|e)$", "", last)
        words[-1] = "-".join([*rest, last])
    out: list[str] = []
    for word in words:
        parts = _key_parts(word)
        if not parts:
            continue
        if out and parts[0].isdigit() and len(parts) == 1:  # "Llama 2"
            out[-1] += parts[0]
            continue
        joined = parts[0]
        for before, part in pairwise(parts):
            joined += part if _glued(before) or _glued(part) else "-" + part
        out.append(joined)
    return "-".join(out)


def compact(key: str) -> str:
    """The key without separators: closed and open compounds meet ("finetuning", "fine-tuning")."""
    return key.replace("-", "")


def choose_label(forms: Iterable[str]) -> str:
    """The most frequent display form; ties go to the shorter, then the alphabetically first."""
    counts = Counter(forms)
    return min(counts, key=lambda form: (-counts[form], len(form), form))
