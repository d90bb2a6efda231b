"""The records that flow through the pipeline: what a reader yields and the build keeps.

Plain dataclasses, no behaviour beyond small derived values, so every stage can be tested
on hand-made records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Characters no output may hold: C0 controls but tab and newlines, DEL, lone surrogates (from
# JSON escapes such as "\ud800"), and the non-characters XML 1.0 forbids.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def is_clean(text: str) -> bool:
    return _UNSAFE.search(text) is None


def clean(text: str) -> str:
    """`text` without control characters, a lone surrogate as U+FFFD: text every output (a
    terminal, UTF-8 files, XML, RDF) can hold."""
    if is_clean(text):
        return text
    return _UNSAFE.sub(lambda m: "\ufffd" if "\ud800" <= m[0] <= "\udfff" else "", text)


@dataclass(frozen=True, slots=True)
class Source:
    """Where an entry was read: the file as given, the 1-based line it starts on, its day."""

    path: str
    line: int
    date: str | None = None  # ISO date of the digest, when the file or entry says it


@dataclass(frozen=True, slots=True)
class Rejection:
    """What could not be kept, and why: one entry, or (`scope` "file") a whole file or the rest
    of it from `line` on. Only entry rejections count as entries in the account."""

    path: str
    line: int
    reason: str
    scope: str = "entry"  # "entry" or "file"

    def __post_init__(self) -> None:  # the reason may quote the input
        object.__setattr__(self, "reason", clean(self.reason))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Notice:
    """Something kg had to mend to keep an entry (bytes that are not UTF-8, read as U+FFFD)."""

    path: str
    line: int
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", clean(self.message))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(slots=True)
class Paper:
    """One paper as read from one entry; merged across entries by `kg.merge`.

    `id` is the arXiv identifier without version ("2509.21670", "hep-th/9901001"); for papers
    that have none (bioRxiv, conference digests) it is the DOI or URL and `id_scheme` says so.
    `authors` are the printed names, in order. `summary` maps field names ("tldr",
    "motivation", "method", "result", "conclusion", and any other a fork adds) to text in
    `summary_language`; failure placeholders never reach it.
    """

    id: str
    title: str
    source: Source
    id_scheme: str = "arxiv"  # "arxiv", "doi" or "url"
    version: int | None = None
    authors: list[str] = field(default_factory=list)
    primary_category: str | None = None
    categories: list[str] = field(default_factory=list)  # every category, primary first
    abstract: str | None = None  # English abstract
    comment: str | None = None
    summary: dict[str, str] = field(default_factory=dict)
    summary_language: str | None = None
    keywords: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)  # every entry merged into this paper

    @property
    def iri(self) -> str:
        if self.id_scheme == "arxiv":
            return f"https://arxiv.org/abs/{self.id}"
        if self.id_scheme == "doi":
            return f"https://doi.org/{self.id}"
        return self.id

    @property
    def cross_lists(self) -> list[str]:
        return [c for c in self.categories if c != self.primary_category]

    @property
    def date(self) -> str | None:
        """The first digest day the paper appeared on."""
        days = [s.date for s in self.sources or [self.source] if s.date]
        return min(days) if days else None
