"""SELECT results read as TSV: pyoxigraph serialises a whole result in one call, several
times faster than handing Python its terms one by one, which counts on results of hundreds of
thousands of rows (the search index, concept maps)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pyoxigraph as ox

from kg.vocab import PREFIXES


def lines(store: ox.Store, query: str) -> Iterator[str]:
    """A SELECT's rows as lines of TSV, read one at a time: the terms tab-separated, IRIs in
    <>, literals quoted and escaped (so a tab or newline is never inside one), numbers bare.
    Serialised by pyoxigraph in one call: reading the terms one by one is slower. (Its CSV
    does not quote an IRI with a comma, and the archive has categories like "cs.CV, cs.MM".)"""
    solutions = store.query(query, prefixes=PREFIXES)
    assert isinstance(solutions, ox.QuerySolutions)
    data = solutions.serialize(format=ox.QueryResultsFormat.TSV)
    assert isinstance(data, bytes)
    lines = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="\n")
    next(lines, None)  # the variables
    return (line.rstrip("\n") for line in lines)


_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ESCAPED = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f"}


def _unescape(match: re.Match[str]) -> str:
    code = match[1] or match[2]
    return chr(int(code, 16)) if code else _ESCAPED.get(match[3], match[3])


def value(term: str) -> str:
    """A TSV term's value: a literal's lexical form, an IRI, or a number or boolean as is."""
    if term.startswith('"'):
        value = term[1:term.rindex('"')]  # before a language tag or datatype
        return _ESCAPE.sub(_unescape, value) if "\\" in value else value
    return term[1:-1] if term.startswith("<") else term
