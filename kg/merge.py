"""Merge entries into distinct papers and keep the account of the build.

The same paper appears in several files and days (new versions, cross-lists, markdown and
JSONL of one day). It becomes one paper: fields of the newest entry win (highest version,
then latest digest day, then file and line), fields it lacks are kept from older entries, and
every entry's source stays as provenance, oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from kg.model import Notice, Paper, Rejection


@dataclass
class Account:
    """What a build read and what it did with it; printed at the end of every build.

    It adds up: `entries` = `distinct_papers` + `duplicates_merged` + `entries_rejected`.
    `rejections` also holds what was refused of whole files (scope "file"), which are not
    entries; `notices` what was mended to keep an entry.
    """

    files: int = 0
    entries: int = 0
    duplicates_merged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    distinct_papers: int = 0

    @property
    def entries_rejected(self) -> int:
        return sum(1 for r in self.rejections if r.scope == "entry")

    @property
    def file_problems(self) -> int:
        return len(self.rejections) - self.entries_rejected

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "entries_read": self.entries,
            "distinct_papers": self.distinct_papers,
            "duplicates_merged": self.duplicates_merged,
            "entries_rejected": self.entries_rejected,
            "file_problems": self.file_problems,
            "rejections": [{"file": r.path, "line": r.line, "scope": r.scope, "reason": r.reason}
                           for r in self.rejections],
            "notices": [{"file": n.path, "line": n.line, "message": n.message}
                        for n in self.notices],
        }


def _recency(paper: Paper) -> tuple[int, str, str, int]:
    """Which entry is newer: higher version, then later digest day, then file and line, so
    that the merge does not depend on the order the entries were read in (an update that adds
    a day gives the same papers as a rebuild from every day)."""
    return (paper.version or 0, paper.source.date or "", paper.source.path, paper.source.line)


def _fold(older: Paper, newer: Paper) -> Paper:
    """`newer`'s metadata over `older`'s, keeping what only `older` has."""
    merged = Paper(
        id=newer.id,
        id_scheme=newer.id_scheme,
        title=newer.title or older.title,
        source=newer.source,
        version=newer.version or older.version,
        authors=newer.authors or older.authors,
        primary_category=newer.primary_category or older.primary_category,
        categories=newer.categories or older.categories,
        abstract=newer.abstract or older.abstract,
        comment=newer.comment or older.comment,
        summary={**older.summary, **newer.summary},
        summary_language=newer.summary_language if newer.summary else older.summary_language,
        keywords=newer.keywords or older.keywords,
    )
    merged.sources = older.sources + newer.sources
    return merged


class PaperMerger:
    """Accumulates entries and merges them, per paper, from oldest to newest."""

    def __init__(self) -> None:
        self._entries: dict[str, list[Paper]] = {}

    def add(self, paper: Paper) -> bool:
        """Add one entry; True when it merges into a paper already seen."""
        seen = self._entries.setdefault(paper.id, [])
        seen.append(paper)
        return len(seen) > 1

    def papers(self) -> list[Paper]:
        """The distinct papers, sorted by id so every output is deterministic."""
        return [_merged(self._entries[paper_id]) for paper_id in sorted(self._entries)]


def _merged(entries: list[Paper]) -> Paper:
    """The entries of one paper folded from oldest to newest; the entries are not changed."""
    ordered = [replace(entry, sources=[entry.source]) for entry in sorted(entries, key=_recency)]
    merged = ordered[0]
    for newer in ordered[1:]:
        merged = _fold(merged, newer)
    return merged


def merge(entries: Iterable[Paper]) -> list[Paper]:
    """Distinct papers from entries (the pure-function form of `PaperMerger`)."""
    merger = PaperMerger()
    for entry in entries:
        merger.add(entry)
    return merger.papers()
