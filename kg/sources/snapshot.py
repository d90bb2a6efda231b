"""Reader for the arXiv metadata snapshot (the Kaggle dataset's JSON lines, "arxiv-snapshot").

A line holds arXiv's own record: `authors` as one TeX-spelled string with `authors_parsed`
beside it, `categories` space-separated (primary first), `comments`, `abstract` and the
`versions` list. Its lines are JSON objects like the daily digests', so it is told apart by
its keys, and sniffed before the daily-jsonl reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TextIO

from kg.model import Paper, Rejection, Source
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
from kg.sources.registry import Entry, register_reader

# Keys only the snapshot has; `submitter` comes second in every line, well within the head.
_SNAPSHOT_KEYS = ('"submitter"', '"authors_parsed"', '"update_date"')


def _sniff(head: str, name: str) -> bool:
    return head.lstrip().startswith("{") and any(key in head for key in _SNAPSHOT_KEYS)


@register_reader("arxiv-snapshot", sniff=_sniff, priority=40)
def read(stream: TextIO, name: str) -> Iterator[Entry]:
    """Papers of the snapshot, one a line; the day is the file name's or the first version's."""
    file_date = date_from_name(name)
    for item in iter_json_lines(stream, name):
        if isinstance(item, Rejection):
            yield item
            continue
        line, record = item
        parsed = parse_arxiv_id(str(record.get("id") or ""))
        title = clean_text(record.get("title"))
        if parsed is None or not title:
            missing = "arXiv id" if parsed is None else "title"
            yield Rejection(name, line, f"no {missing}")
            continue
        versions = record.get("versions") or []
        first_created = versions[0].get("created") if versions else None
        categories = split_categories(record.get("categories"))
        yield Paper(
            id=parsed[0],
            version=_latest_version(versions) or parsed[1],
            title=title,
            source=Source(name, line, file_date or iso_date(first_created)),
            authors=_authors(record),
            primary_category=categories[0] if categories else None,
            categories=categories,
            abstract=clean_text(record.get("abstract")),
            comment=clean_text(record.get("comments")),
        )


def _authors(record: dict[str, Any]) -> list[str]:
    """The printed names (TeX accents decoded) when they split into as many people as
    `authors_parsed` lists; otherwise `authors_parsed`, which arXiv split with more care."""
    printed = split_author_string(str(record.get("authors") or ""))
    parsed = record.get("authors_parsed") or []
    if len(printed) == len(parsed) or not parsed:
        return printed
    return [_parsed_name(parts) for parts in parsed]


def _parsed_name(parts: list[str]) -> str:
    """`[last, first, suffix]` as printed: "first last suffix"."""
    last, first, suffix = [*parts, "", ""][:3]
    return normalize_name(" ".join(part for part in (first, last, suffix) if part))


def _latest_version(versions: list[dict[str, str]]) -> int | None:
    numbers = [v.get("version", "").lstrip("v") for v in versions]
    return max((int(n) for n in numbers if n.isdigit()), default=None)
