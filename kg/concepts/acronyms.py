"""Acronym definitions in running text, after Schwartz & Hearst (PSB 2003).

Papers define an acronym once ("low-rank adapters (LoRA)", "LoRA (low-rank adaptation)") and
then use it bare; pairing the two lets the extractor treat both as one concept and link the
bare acronym in other papers of the build. Pure functions over plain text, no spaCy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.concepts.normalize import is_acronym

# A short form in parentheses is one token of 2-10 characters; a long form in parentheses
# (the "ACRONYM (long form)" order) is any text up to the closing parenthesis.
_PARENS = re.compile(r"\(([^()]{2,80})\)")
# Where a long form cannot reach back past: sentence and clause punctuation, other brackets.
_CLAUSE_END = re.compile(r"[.;:!?,()\[\]{}](?=\s|$)|[()\[\]{}]")
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                 "seven": "7", "eight": "8", "nine": "9", "ten": "10"}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.I)
_ROMAN = re.compile(r"^[IVXLC]+$")
_EX_WORD = re.compile(r"\bex(?=[a-z])")
_FUNCTION_WORDS = {"a", "an", "the", "of", "and", "or", "in", "on", "for", "to", "with", "by",
                   "via", "from", "we", "our", "its", "their", "this", "that", "these", "is",
                   "are"}


@dataclass(frozen=True, slots=True)
class Definition:
    """One "long form (SHORT)" or "SHORT (long form)" pair, with offsets into the text."""

    short: str
    long: str
    short_start: int
    long_start: int

    @property
    def short_end(self) -> int:
        return self.short_start + len(self.short)

    @property
    def long_end(self) -> int:
        return self.long_start + len(self.long)


def plausible_short_form(text: str) -> bool:
    """One token of 2-10 characters with a capital letter and not a roman numeral ("(iii)")."""
    return (2 <= len(text) <= 10 and " " not in text and text[0].isalnum()
            and any(c.isupper() for c in text) and not _ROMAN.match(text))


def long_form_start(short: str, text: str) -> int | None:
    """Where the long form of `short` ending at the end of `text` starts, or None.

    Words whose initials spell the acronym win ("Proximal Policy Optimization (PPO)", where
    the shortest character match is "Policy Optimization"); else Schwartz-Hearst: match the
    short form's characters right to left, in order, the first one at the start of a word.
    Number words count as digits, so "Four-dimensional variational data assimilation" defines
    "4DVAR", and a leading "X" is "ex-", as in "Explainable AI (XAI)".
    """
    by_initials = _initials_start(short, text)
    if by_initials is not None:
        return by_initials
    # Same-length substitution keeps offsets: "four" becomes "4" and three NULs.
    matchable = _NUMBER_WORD.sub(
        lambda m: _NUMBER_WORDS[m.group(1).lower()].ljust(len(m.group(1)), "\0"), text
    ).lower()
    chars = letters(short)
    if chars.startswith("x"):
        matchable = _EX_WORD.sub("x\0", matchable)
    position = len(matchable) - 1
    for index in range(len(chars) - 1, -1, -1):
        char = chars[index]
        while position >= 0 and (
            matchable[position] != char
            or (index == 0 and position > 0 and matchable[position - 1].isalnum())
        ):
            position -= 1
        if position < 0:
            return None
        position -= 1
    return text.rfind(" ", 0, position + 1) + 1


def _initials_start(short: str, text: str) -> int | None:
    """Where the fewest last words of `text` start whose initials (of hyphenated parts too;
    function words may be skipped) are the acronym's letters: "energy efficiency (EE)",
    "Theory of Planned Behavior (TPB)"."""
    chars = letters(short)
    if not chars.isalpha():
        return None
    words = list(re.finditer(r"\S+", text))
    for count in range(1, min(len(words), 2 * len(chars)) + 1):
        tail = [w.group() for w in words[-count:]]
        if tail[0].lower() in _FUNCTION_WORDS:
            continue
        content = [w for w in tail if w.lower() not in _FUNCTION_WORDS]
        if chars in (initials(tail), initials(content)):
            return words[-count].start()
    return None


def _valid(short: str, long: str) -> bool:
    """Schwartz-Hearst's bounds, tightened: at most one content word more than the acronym
    has letters, so a stray match cannot swallow a clause."""
    words = long.split()
    content = [w for w in words if w.lower() not in _FUNCTION_WORDS]
    return (bool(words) and len(long) > len(short) and short.lower() not in long.lower()
            and words[0].lower() not in _FUNCTION_WORDS
            and len(words) <= min(len(letters(short)) + 5, 2 * len(letters(short)))
            and len(content) <= len(letters(short)) + 1)


def find_definitions(text: str) -> list[Definition]:
    """Every acronym definition in `text`, in either order, in text order.

    Each parenthesis looks back only as far as the one before it, which is a clause end, so a
    text of many parentheses takes linear time.
    """
    found: list[Definition] = []
    after_previous = 0  # where the text after the previous parenthesis starts
    for match in _PARENS.finditer(text):
        inside = match.group(1).strip()
        inside_start = match.start(1) + match.group(1).index(inside)
        # The text before the parenthesis, less trailing spaces, is text[:end].
        looked, after_previous = after_previous, match.end()
        end = looked + len(text[looked : match.start()].rstrip())
        if plausible_short_form(inside):  # long form (SHORT)
            ends = _CLAUSE_END.finditer(text, max(0, looked - 1), end)
            clause_start = max((m.end() for m in ends), default=0)
            window = text[clause_start:end]
            start = long_form_start(inside, window)
            if start is not None and _valid(inside, window[start:]):
                found.append(Definition(inside, window[start:], inside_start,
                                        clause_start + start))
            continue
        # SHORT (long form): the word before; a short form has at most 10 characters.
        space = text.rfind(" ", max(0, end - 11), end)
        last_word = text[space + 1 if space >= 0 else max(0, end - 11) : end]
        if plausible_short_form(last_word) and is_acronym(last_word) and " " in inside:
            start = long_form_start(last_word, inside)
            if start == 0 and _valid(last_word, inside):
                found.append(Definition(last_word, inside, end - len(last_word),
                                        inside_start))
    return found


def letters(short: str) -> str:
    """The letters and digits a long form must supply, lower-cased: "PDEs" -> "pde"."""
    if len(short) > 2 and short.endswith("s") and short[-2].isupper():
        short = short[:-1]
    return "".join(c.lower() for c in short if c.isalnum())


def initials(words: list[str]) -> str:
    """First letters of the words and of their hyphenated parts, lower-cased.

    A phrase whose initials are the `letters` of an acronym in the same paper names it even
    without parentheses: "Hessian Interatomic Potentials" and "HIP".
    """
    return "".join(part[0].lower() for word in words for part in word.split("-") if part)
