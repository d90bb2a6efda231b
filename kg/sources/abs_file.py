"""Reader for arXiv `.abs` metadata files ("arxiv-abs").

A record starts with a dashed line; lines holding only `\\\\` delimit its header (`arXiv:` or
`Paper:` id, `Date:` lines, `Title:`, `Authors:`, `Categories:`, `Comments:` ...; a field
wraps onto indented lines) and its hard-wrapped abstract. Files are usually one record, but
concatenated records are read one after another.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.model import Paper, Rejection, Source
from kg.sources.boundary import guarded
from kg.sources.common import (
    clean_text,
    date_from_name,
    iso_date,
    parse_arxiv_id,
    split_author_string,
    split_categories,
)
from kg.sources.registry import Entry, register_reader
from kg.sources.text import Text

_DASHES = re.compile(r"-{20,}")
# Spaces holding a line break between the dashes and `\\`, in one pass: `\s*\n\s*` shared out
# a run of blank lines every way (quadratic).
_START = re.compile(r"\s*-{20,}[^\S\n]*+\n\s*+\\\\\s*\n")
_FIELD = re.compile(r"(?P<key>[A-Za-z][\w\- ()]*?):\s*(?P<value>.*)")
_REVISION = re.compile(r"Date \(revised v(\d+)\)")
# A submission date and its size, "Mon, 2 Apr 2007 19:18:42 GMT   (443kb)": the date ends before
# the first `(`, less the spaces before it. Anchored at the start, so that `\s*\(.*\)` is not
# tried again from each space and each `(` (quadratic); a field value is one line.
_SIZE = re.compile(r"^(?P<date>(?:[^(\s]|\s++(?=[^(\s]))*+)\s*+\(.*\)\s*$")


def _sniff(head: str, name: str) -> bool:
    return bool(_START.match(head))


@register_reader("arxiv-abs", sniff=_sniff)
def read(stream: Text, name: str) -> Iterator[Entry]:
    """Papers of the file's records; the day is the file name's or the first version's."""
    for line, segments in _records(stream):
        yield guarded(name, line, _paper, segments, name, line)


def _records(stream: Text) -> Iterator[tuple[int, list[list[str]]]]:
    """(line of the dashed line, the record's `\\\\`-delimited segments of lines)."""
    start, segments = 0, list[list[str]]()
    for lineno, text in enumerate(stream, 1):
        text = text.rstrip("\n")
        if _DASHES.fullmatch(text.strip()):
            if segments:
                yield start, segments
            start, segments = lineno, []
        elif text.strip() == "\\\\":
            segments.append([])
        elif segments:
            segments[-1].append(text)
    if segments:
        yield start, segments


def _paper(segments: list[list[str]], name: str, line: int) -> Entry:
    fields = _fields(segments[0])
    parsed = parse_arxiv_id(fields.get("arXiv") or fields.get("Paper") or "")
    if parsed is None:
        return Rejection(name, line, "no arXiv id (no arXiv: or Paper: line)")
    title = clean_text(fields.get("Title"))
    if not title:
        return Rejection(name, line, f"{parsed[0]}: no title")
    revisions = [int(m[1]) for key in fields if (m := _REVISION.match(key))]
    submitted = _SIZE.sub(r"\g<date>", fields.get("Date", ""))  # drop the size "(443kb)"
    categories = split_categories(fields.get("Categories"))
    return Paper(
        id=parsed[0],
        version=max(revisions, default=1) if fields.get("Date") else parsed[1],
        title=title,
        source=Source(name, line, date_from_name(name) or iso_date(submitted)),
        authors=split_author_string(fields.get("Authors", "")),
        primary_category=categories[0] if categories else None,
        categories=categories,
        abstract=clean_text("\n".join(segments[1])) if len(segments) > 1 else None,
        comment=clean_text(fields.get("Comments")),
    )


def _fields(lines: list[str]) -> dict[str, str]:
    """Header fields; an indented line continues the field before it."""
    fields: dict[str, str] = {}
    key = None
    for text in lines:
        if key and text[:1].isspace():
            fields[key] += " " + text.strip()
        elif match := _FIELD.match(text):
            key = match["key"]
            fields[key] = match["value"].strip()
        else:
            key = None
    return fields
