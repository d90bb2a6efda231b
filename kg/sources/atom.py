"""Reader for arXiv API responses (Atom, "arxiv-atom").

Each `<entry>` is a paper: `<id>` the versioned abstract URL, `<author><name>`, the
`arxiv:primary_category` term and every `<category>` term, `arxiv:comment`, `<summary>`
the abstract. The feed's own `<title>`/`<id>` and the opensearch counters are not papers.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

from kg.model import Paper, Rejection, Source
from kg.sources.boundary import guarded
from kg.sources.common import (
    child_text,
    clean_text,
    date_from_name,
    iso_date,
    iter_xml,
    local_name,
    parse_arxiv_id,
    split_categories,
    split_glued_names,
    xml_root,
)
from kg.sources.registry import Entry, register_reader
from kg.sources.text import Text


def _sniff(head: str, name: str) -> bool:
    """An Atom feed from arXiv: a generic Atom feed (a blog) is not a digest."""
    return (xml_root(head) == "feed" and "http://www.w3.org/2005/Atom" in head
            and "arxiv.org" in head.lower())


@register_reader("arxiv-atom", sniff=_sniff)
def read(stream: Text, name: str) -> Iterator[Entry]:
    """Papers of the feed's entries; the day is the file name's or the entry's publication."""
    file_date = date_from_name(name)
    for item in iter_xml(stream, name, {"entry"}):
        if isinstance(item, Rejection):
            yield item
        else:
            line, entry = item
            published = iso_date(child_text(entry, "published"))
            yield guarded(name, line, _paper, entry, Source(name, line, file_date or published))


def _paper(entry: Element, source: Source) -> Entry:
    entry_id = (child_text(entry, "id") or "").strip()
    parsed = parse_arxiv_id(entry_id)
    if parsed is None:  # the API reports errors as an entry with an errors# id
        reason = clean_text(child_text(entry, "summary")) or "no arXiv id"
        return Rejection(source.path, source.line, f"{reason} (entry id {entry_id!r})")
    title = clean_text(child_text(entry, "title"))
    if not title:
        return Rejection(source.path, source.line, f"{parsed[0]}: no title")
    primary = None
    terms: list[str] = []
    authors: list[str] = []
    for child in entry:
        tag = local_name(child.tag)
        if tag == "primary_category":
            primary = child.get("term")
        elif tag == "category" and (term := child.get("term")):
            terms.append(term)
        elif tag == "author" and (author := clean_text(child_text(child, "name"))):
            authors.append(author)
    categories = split_categories([primary, *terms] if primary else terms)
    return Paper(
        id=parsed[0],
        version=parsed[1],
        title=title,
        source=source,
        authors=split_glued_names(authors),
        primary_category=categories[0] if categories else None,
        categories=categories,
        abstract=clean_text(child_text(entry, "summary")),
        comment=clean_text(child_text(entry, "comment")),
    )
