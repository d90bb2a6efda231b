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

from collections.abc import Callable
from urllib.parse import quote

from pyoxigraph import NamedNode

from kg import limits
from kg.errors import debugging, describe
from kg.model import Paper, Rejection, clean


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
    for field in ("abstract", "comment"):
        _check_length(field, getattr(paper, field), limits.MAX_TEXT_CHARS)
    for field, text in paper.summary.items():
        _check_length(f"summary field {field!r}", text, limits.MAX_TEXT_CHARS)
    if len(paper.authors) > limits.MAX_AUTHORS:
        raise BadEntry(f"{len(paper.authors):,} authors (limit {limits.MAX_AUTHORS:,})")
    for author in paper.authors:
        _check_length("an author's name", author, limits.MAX_NAME_CHARS)
    if paper.version is not None and not 0 < paper.version <= limits.MAX_VERSION:
        raise BadEntry(f"version {paper.version} is out of range (1 to {limits.MAX_VERSION:,})")
    paper.id, paper.title = clean(paper.id), clean(paper.title)
    paper.authors = [clean(a) for a in paper.authors]
    paper.categories = [clean(c) for c in paper.categories]
    paper.primary_category = clean(paper.primary_category) if paper.primary_category else None
    paper.abstract = clean(paper.abstract) if paper.abstract else paper.abstract
    paper.comment = clean(paper.comment) if paper.comment else paper.comment
    paper.summary = {clean(k): clean(v) for k, v in paper.summary.items()}
    paper.keywords = [clean(k) for k in paper.keywords]
    if paper.id_scheme == "doi":
        paper.id = quote(paper.id, safe=_IRI_SAFE)
    elif paper.id_scheme == "url":
        try:
            NamedNode(paper.iri)
        except ValueError as error:
            raise BadEntry(f"its link {paper.iri!r} is not a valid IRI ({error})") from None
    return paper


def _check_length(what: str, text: str | None, limit: int) -> None:
    if text is not None and len(text) > limit:
        raise BadEntry(f"{what} is {len(text):,} characters long (limit {limit:,})")
