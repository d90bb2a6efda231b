"""The error boundary every entry goes through: one bad entry is one rejection, never a crash.

Readers build each entry with `guarded(name, line, make, *args)`. What `make` raises becomes
a `Rejection` at that line: `BadEntry` with its own message, anything else (a value of a type
no reader expected) with the exception's, unless `--debug` asks for the traceback. Every paper
is then checked against the limits of `kg.limits` and cleaned of characters no output can
hold, so that whatever a reader let through, the exporters can write.

`BadFile` is the file-level counterpart, raised when the rest of a file cannot be read; the
caller (`kg.sources.read`) turns it into a rejection of the file from that line on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from urllib.parse import quote

from pyoxigraph import NamedNode

from kg import limits
from kg.errors import debugging, describe
from kg.model import Paper, Rejection, clean, is_clean


class BadEntry(ValueError):
    """One entry cannot be kept; the message says why, for the user."""


class BadFile(ValueError):
    """The rest of a file, from `line` on (0: all of it), cannot be read."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


# What an IRI may not hold unescaped (RFC 3987), for the DOIs papers are named by.
_IRI_SAFE = "/:;()!$&'*+,=@.-_~%"
_STRAY_PERCENT = re.compile("%(?![0-9A-Fa-f]{2})")  # "%" is kept only where it escapes a byte


def guarded(name: str, line: int, make: Callable[..., Paper | Rejection], *args: object,
            ) -> Paper | Rejection:
    """`make(*args)` as a checked Paper, or the Rejection of the entry at `name`:`line`."""
    try:
        made = make(*args)
        return made if isinstance(made, Rejection) else checked(made)
    except BadEntry as error:
        return Rejection(name, line, str(error))
    except RecursionError:
        return Rejection(name, line, "nested too deeply to read")
    except Exception as error:
        if debugging():
            raise
        return Rejection(name, line, f"kg could not read this entry ({describe(error)}); "
                                     f"run with --debug to see where")


def checked(paper: Paper) -> Paper:
    """`paper` within the limits and with text every output can hold; raises `BadEntry`."""
    _check_length("title", paper.title, limits.MAX_TITLE_CHARS)
    texts = {"abstract": paper.abstract, "comment": paper.comment} | {
        f"summary field {field!r}": text for field, text in paper.summary.items()}
    for what, text in texts.items():
        _check_length(what, text, limits.MAX_TEXT_CHARS)
    if len(paper.authors) > limits.MAX_AUTHORS:
        raise BadEntry(f"{len(paper.authors):,} authors (limit {limits.MAX_AUTHORS:,})")
    if max(map(len, paper.authors), default=0) > limits.MAX_NAME_CHARS:
        longest = max(paper.authors, key=len)
        _check_length(f"the name {longest[:40]!r}...", longest, limits.MAX_NAME_CHARS)
    if paper.version is not None and not 0 < paper.version <= limits.MAX_VERSION:
        raise BadEntry(f"version {paper.version} is out of range (1 to {limits.MAX_VERSION:,})")
    every = [paper.id, paper.title, paper.abstract or "", paper.comment or "", *paper.authors,
             *paper.categories, *paper.summary, *paper.summary.values(), *paper.keywords]
    if not is_clean("\n".join(every)):  # one search for the whole paper, clean nearly always
        _clean(paper)
    if paper.source.date and not _is_day(paper.source.date):  # "2026-13-45" in a file name
        paper.source = replace(paper.source, date=None)
    if paper.id_scheme == "doi":
        paper.id = _STRAY_PERCENT.sub("%25", quote(paper.id, safe=_IRI_SAFE))
    elif paper.id_scheme == "url":
        try:
            NamedNode(paper.iri)
        except ValueError as error:
            raise BadEntry(f"its link {paper.iri!r} is not a valid IRI ({error})") from None
    return paper


def _is_day(text: str) -> bool:
    """True for an ISO day that is on the calendar, the only dates the RDF output can type."""
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def _clean(paper: Paper) -> None:
    paper.id, paper.title = clean(paper.id), clean(paper.title)
    for field in ("id", "title"):  # one of control characters only is none once cleaned
        if not getattr(paper, field).strip():
            raise BadEntry(f"no {field}: it holds nothing but control characters")
    # What held nothing but control characters is dropped, not kept empty (a category "").
    paper.authors = _cleaned_items(paper.authors)
    paper.categories = _cleaned_items(paper.categories)
    paper.primary_category = _cleaned_text(paper.primary_category)
    paper.abstract = _cleaned_text(paper.abstract)
    paper.comment = _cleaned_text(paper.comment)
    paper.summary = {clean(k): text for k, v in paper.summary.items()
                     if (text := _cleaned_text(v))}
    paper.keywords = _cleaned_items(paper.keywords)


def _cleaned_text(text: str | None) -> str | None:
    cleaned = clean(text) if text else None
    return cleaned if cleaned and cleaned.strip() else None


def _cleaned_items(items: list[str]) -> list[str]:
    return [cleaned for item in items if (cleaned := _cleaned_text(item))]


def _check_length(what: str, text: str | None, limit: int) -> None:
    if text is not None and len(text) > limit:
        raise BadEntry(f"{what} is {len(text):,} characters long (limit {limit:,})")
