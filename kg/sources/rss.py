"""Reader for arXiv's RSS feeds ("arxiv-rss"): RSS 2.0 (current) and legacy RSS 1.0 / RDF.

RSS 2.0 items: `<guid>` "oai:arXiv.org:2609.30001v1", `<category>` elements, one comma-joined
`dc:creator`, and a description "arXiv:<id>vN Announce Type: new Abstract: ...".
Legacy items: the title carries the id, the category and the status, "Title. (arXiv:1805.08875v1
[hep-ex] CROSS LISTED)"; description and `dc:creator` are HTML (author links), escaped.
RSS has no primary category field: the first category listed (legacy: the bracketed one) is
taken as primary.
"""

from __future__ import annotations

import re
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
    split_author_string,
    split_categories,
    xml_root,
)
from kg.sources.registry import Entry, register_reader
from kg.sources.text import Text

# Linear: the title takes a run of spaces at once, and the parts after `(arXiv:` are bounded
# (an id, a category and a status have a few dozen characters): else each `(arXiv:` of a long
# title would scan to its end.
_LEGACY_TITLE = re.compile(
    r"^(?P<title>(?>\s+|.)*?)\.?\s*+\(arXiv:(?P<id>\S{1,100}+)\s++"
    r"\[(?P<category>[^\]]{1,100}+)\][^)]{0,100}+\)\s*$",
    re.S,
)
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")  # only on text up to its last `>`: see `_html_text`
_ANNOUNCE_PREFIX = re.compile(r"^\s*arXiv:\S+\s+Announce Type:.*?Abstract:\s*", re.S)
_DATE_TAGS = {"date", "pubDate", "lastBuildDate"}


def _sniff(head: str, name: str) -> bool:
    root = xml_root(head)
    is_rss = root == "rss" or (root == "rdf:RDF" and "http://purl.org/rss/1.0/" in head)
    return is_rss and "arxiv" in head.lower()


@register_reader("arxiv-rss", sniff=_sniff)
def read(stream: Text, name: str) -> Iterator[Entry]:
    """Papers of the feed's items. The day is the file name's, else the item's, else the
    channel's date (which both RSS versions give before the items)."""
    file_date = date_from_name(name)
    feed_date = None
    for item in iter_xml(stream, name, {"item", *_DATE_TAGS}):
        if isinstance(item, Rejection):
            yield item
            continue
        line, elem = item
        if local_name(elem.tag) in _DATE_TAGS:
            feed_date = feed_date or iso_date(elem.text)
            continue
        item_date = iso_date(child_text(elem, "pubDate") or child_text(elem, "date"))
        day = file_date or item_date or feed_date
        yield guarded(name, line, _paper, elem, Source(name, line, day))


def _paper(item: Element, source: Source) -> Entry:
    title = clean_text(child_text(item, "title")) or ""
    categories = [(c.text or "").strip() for c in item if local_name(c.tag) == "category"]
    legacy = _LEGACY_TITLE.match(title)
    if legacy:
        title = legacy["title"].strip()
        categories.insert(0, legacy["category"].strip())
    candidates = (
        child_text(item, "guid"),
        legacy["id"] if legacy else None,
        child_text(item, "link"),
        item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"),
    )
    parsed = next(filter(None, (parse_arxiv_id(c) for c in candidates if c)), None)
    if parsed is None:
        return Rejection(source.path, source.line, "no arXiv id in the item's guid, title or link")
    if not title:
        return Rejection(source.path, source.line, f"{parsed[0]}: no title")
    creators = ", ".join(_html_text(c.text) or "" for c in item if local_name(c.tag) == "creator")
    categories = split_categories(categories)
    return Paper(
        id=parsed[0],
        version=parsed[1],
        title=title,
        source=source,
        authors=split_author_string(creators),
        primary_category=categories[0] if categories else None,
        categories=categories,
        abstract=_html_text(_ANNOUNCE_PREFIX.sub("", child_text(item, "description") or "")),
    )


def _html_text(text: str | None) -> str | None:
    """Plain text of a description or creator. Legacy feeds give HTML (it starts with a tag):
    tags are dropped first, then escapes decoded, so an escaped `&lt;` inside LaTeX
    ("2.6&lt;\\eta") becomes a literal `<`. Current feeds give plain text, where a bare `<`
    is LaTeX and must not be taken for a tag."""
    if text and text.lstrip().startswith("<"):
        end = text.rfind(">") + 1  # no tag after it: every `<` there would scan to the end
        text = _HTML_TAG.sub("", text[:end]) + text[end:]
    return clean_text(text)
