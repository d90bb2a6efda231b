"""Reader for the arXiv metadata snapshot (the Kaggle dataset's JSON lines, "arxiv-snapshot").

A line holds arXiv's own record: `authors` as one TeX-spelled string with `authors_parsed`
beside it, `categories` space-separated (primary first), `comments`, `abstract` and the
`versions` list. Its lines are JSON objects like the daily digests', so it is told apart by
its keys, and sniffed before the daily-jsonl reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kg import limits
from kg.model import Paper, Rejection, Source
from kg.sources.boundary import guarded
from kg.sources.common import (
    clean_text,
    date_from_name,
    iso_date,
    iter_json_lines,
    normalize_name,
    parse_arxiv_id,
    split_author_string,
    split_categories,
)
from kg.sources.jsonl import is_json_lines
from kg.sources.registry import Entry, register_reader
from kg.sources.text import Text

# Keys only the snapshot has; `submitter` comes second in every line, well within the head.
_SNAPSHOT_KEYS = ('"submitter"', '"authors_parsed"', '"update_date"')


def _sniff(head: str, name: str) -> bool:
    return is_json_lines(head, name) and any(key in head for key in _SNAPSHOT_KEYS)


@register_reader("arxiv-snapshot", sniff=_sniff, priority=40)
def read(stream: Text, name: str) -> Iterator[Entry]:
    """Papers of the snapshot, one a line; the day is the file name's or the first version's."""
    file_date = date_from_name(name)
    for item in iter_json_lines(stream, name):
        if isinstance(item, Rejection):
            yield item
        else:
            line, record = item
            yield guarded(name, line, _paper, record, name, line, file_date)


def _paper(record: dict[str, Any], name: str, line: int, file_date: str | None) -> Entry:
    """One line's record; a field of the wrong JSON type counts as missing."""
    parsed = parse_arxiv_id(_text(record.get("id")) or "")
    title = clean_text(_text(record.get("title")))
    if parsed is None or not title:
        missing = "arXiv id" if parsed is None else "title"
        return Rejection(name, line, f"no {missing}")
    versions = [v for v in _list(record.get("versions")) if isinstance(v, dict)]
    first_created = _text(versions[0].get("created")) if versions else None
    categories = split_categories(_text(record.get("categories")))
    return Paper(
        id=parsed[0],
        version=_latest_version(versions) or parsed[1],
        title=title,
        source=Source(name, line, file_date or iso_date(first_created)),
        authors=_authors(record),
        primary_category=categories[0] if categories else None,
        categories=categories,
        abstract=clean_text(_text(record.get("abstract"))),
        comment=clean_text(_text(record.get("comments"))),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _authors(record: dict[str, Any]) -> list[str]:
    """The printed names (TeX accents decoded) when they split into as many people as
    `authors_parsed` lists; otherwise `authors_parsed`, which arXiv split with more care."""
    printed = split_author_string(_text(record.get("authors")) or "")
    parsed = [p for p in _list(record.get("authors_parsed")) if isinstance(p, list)]
    if len(printed) == len(parsed) or not parsed:
        return printed
    return [name for parts in parsed if (name := _parsed_name(parts))]


def _parsed_name(parts: list[Any]) -> str:
    """`[last, first, suffix]` as printed: "first last suffix"."""
    last, first, suffix = [*(p if isinstance(p, str) else "" for p in parts), "", ""][:3]
    return normalize_name(" ".join(part for part in (first, last, suffix) if part))


def _latest_version(versions: list[dict[str, Any]]) -> int | None:
    """The highest "vN" of the versions list; ids like "v²" or of a thousand digits are not."""
    numbers = [(_text(v.get("version")) or "").removeprefix("v") for v in versions]
    return max((int(n) for n in numbers
                if n.isascii() and n.isdigit() and len(n) <= limits.MAX_NUMBER_DIGITS),
               default=None)
