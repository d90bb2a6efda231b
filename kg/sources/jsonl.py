"""Reader for the JSONL records of daily-arXiv-ai-enhanced and of its forks ("daily-jsonl").

One JSON object a line: `id, title, authors, categories` (or a `cate` string), `abs` (or
`url`), `comment`, `summary` (the English abstract) and, in AI-enhanced files, `AI` with the
summary fields in the language the file name says (`_AI_enhanced_Chinese`). Forks add AI
fields, which are kept; fields outside `AI` that forks add (scores, tiers, code links, a
personal "research radar") describe the fork's ranking, not the paper, and are ignored.
Every line is one entry, repeats included: merging happens later.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from kg.model import Paper, Rejection, Source
from kg.sources.boundary import guarded
from kg.sources.common import (
    clean_text,
    date_from_name,
    guess_language,
    is_placeholder,
    iter_json_lines,
    parse_arxiv_id,
    split_author_string,
    split_categories,
    split_glued_names,
)
from kg.sources.registry import Entry, register_reader
from kg.sources.text import Text

_LANGUAGE_IN_NAME = re.compile(r"_AI_enhanced_([A-Za-z]+)")
_LANGUAGES = {"chinese": "zh", "english": "en", "korean": "ko", "japanese": "ja"}
# Library classification codes arXiv lists among categories: MSC "68T50", ACM "I.2.7; H.3.3".
_CLASSIFICATION_CODE = re.compile(r"\d|[A-K]\.\d")
_KEYWORD_SEPARATORS = re.compile(r"[,;，；、]")
_FIELD_ALIASES = {"tl_dr": "tldr"}  # a "TL;DR" key


def is_json_lines(head: str, name: str) -> bool:
    """JSON objects a line: the head starts with one or, in a file named `.jsonl`, a line of it
    does, so that a broken first record (cut, a merge conflict's marker) costs its own line, not
    the day."""
    if head.lstrip().startswith("{"):
        return True
    return name.lower().endswith((".jsonl", ".ndjson")) and any(
        line.lstrip().startswith("{") for line in head.splitlines())


def _sniff(head: str, name: str) -> bool:
    return is_json_lines(head, name)


@register_reader("daily-jsonl", sniff=_sniff, priority=60)
def read(stream: Text, name: str) -> Iterator[Entry]:
    """Papers from a daily JSONL file; priority 60 lets the more specific snapshot reader,
    whose lines are JSON objects too, claim its files first."""
    date = date_from_name(name)
    language = _language_from_name(name)
    for item in iter_json_lines(stream, name):
        if isinstance(item, Rejection):
            yield item
        else:
            line, record = item
            yield guarded(name, line, _paper, record, Source(name, line, date), language)


def _paper(record: dict[str, Any], source: Source, language: str | None) -> Entry:
    """One record as a Paper; `language` is the AI summary's, None to guess it from the text."""
    identity = _identify(record)
    if identity is None:
        return Rejection(source.path, source.line, "no paper id: no arXiv id, DOI or link")
    paper_id, scheme, version = identity
    title = clean_text(_text(record.get("title")))
    if not title:
        return Rejection(source.path, source.line, f"{paper_id}: no title")
    primary, categories = _categories(record.get("categories") or record.get("cate"))
    summary, keywords = _ai_fields(record.get("AI"))
    return Paper(
        id=paper_id,
        id_scheme=scheme,
        version=version,
        title=title,
        source=source,
        authors=_authors(record.get("authors")),
        primary_category=primary,
        categories=categories,
        abstract=_abstract(record.get("summary")),
        comment=clean_text(_text(record.get("comment"))),
        summary=summary,
        summary_language=_summary_language(summary, language),
        keywords=keywords,
    )


def _identify(record: dict[str, Any]) -> tuple[str, str, int | None] | None:
    """(id, id scheme, version): the arXiv id of `id` or of the abstract link (which may carry
    the version the id lacks), else a DOI id (bioRxiv forks), else the link itself."""
    raw = str(record.get("id") or "").strip()
    link = str(record.get("abs") or record.get("url") or "").strip()
    if raw.startswith("10.") and "/" in raw:
        return raw, "doi", None
    parsed = parse_arxiv_id(raw) or parse_arxiv_id(link)
    if parsed:
        paper_id, version = parsed
        if version is None and link:
            from_link = parse_arxiv_id(link)
            version = from_link[1] if from_link and from_link[0] == paper_id else None
        return paper_id, "arxiv", version
    for candidate in (link, raw):
        if candidate.startswith(("https://", "http://")):
            return candidate, "url", None
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _authors(value: Any) -> list[str]:
    """Names as listed; a fork that wrote them as one string gets the arXiv-style split."""
    if isinstance(value, str):
        return split_author_string(value)
    if not isinstance(value, list):
        return []
    return split_glued_names([name for name in value if isinstance(name, str)])


def _categories(value: Any) -> tuple[str | None, list[str]]:
    """Primary (first, kept as given, even a venue label) and categories, classification codes
    (MSC, ACM) left out: they are not arXiv categories and would only be noise in the graph."""
    codes = split_categories(value if isinstance(value, (str, list)) else None)
    if not codes:
        return None, []
    rest = [code for code in codes[1:] if not _CLASSIFICATION_CODE.match(code)]
    return codes[0], [codes[0], *rest]


def _abstract(value: Any) -> str | None:
    text = clean_text(_text(value))
    return None if is_placeholder(text) else text


def _ai_fields(ai: Any) -> tuple[dict[str, str], list[str]]:
    """(summary fields, keywords) of the `AI` object; failures (`{"error": ...}`, fallback
    texts, empty values) are dropped, so a paper whose AI failed keeps only its metadata."""
    if not isinstance(ai, dict):
        return {}, []
    summary: dict[str, str] = {}
    keywords: list[str] = []
    for key, value in ai.items():
        field = _field_name(key)
        if field == "error":
            continue
        if field == "keywords":
            keywords = _keywords(value)
            continue
        text = _field_text(value)
        if text is not None and not is_placeholder(text):
            summary[field] = text
    return summary, keywords


@cache
def _field_name(key: str) -> str:
    """Lower-case snake case: "Key Contributions" and "keyContributions" -> key_contributions."""
    key = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(key).strip())
    field = re.sub(r"\W+", "_", key).strip("_").lower()
    return _FIELD_ALIASES.get(field, field)


def _field_text(value: Any) -> str | None:
    """An AI value as text: lists become "a; b", flags "yes"/"no", numbers their digits."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        items = [_field_text(item) for item in value]
        return "; ".join(item for item in items if item and not is_placeholder(item)) or None
    return None


def _keywords(value: Any) -> list[str]:
    items = _KEYWORD_SEPARATORS.split(value) if isinstance(value, str) else value
    if not isinstance(items, list):
        return []
    cleaned = (clean_text(str(item)) for item in items)
    return list(dict.fromkeys(item for item in cleaned if item and not is_placeholder(item)))


def _language_from_name(name: str) -> str | None:
    match = _LANGUAGE_IN_NAME.search(name.rsplit("/", 1)[-1])
    return _LANGUAGES.get(match[1].lower()) if match else None


def _summary_language(summary: dict[str, str], from_name: str | None) -> str | None:
    """The file name's language; a file named without one has it guessed from the text."""
    if not summary:
        return None
    return from_name or guess_language(" ".join(summary.values()))
