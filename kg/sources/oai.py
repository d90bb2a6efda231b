"""Reader for OAI-PMH responses in arXiv's own metadata format ("oai-pmh-arxiv").

Each `<record>` of a GetRecord or ListRecords response holds, harvested with
`metadataPrefix=arXiv`, an `<arXiv>` element: `id`, `created`, `authors/author` with
`keyname`/`forenames`/`suffix` (a collaboration has a keyname only), `title`, `categories`
(space-separated, primary first; the header's setSpecs are archive sets, not categories),
`comments` and `abstract`. The `<arXiv>` element may or may not carry its namespace.
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
    decode_tex_accents,
    iso_date,
    iter_xml,
    local_name,
    normalize_name,
    parse_arxiv_id,
    split_categories,
    split_glued_names,
    xml_root,
)
from kg.sources.registry import Entry, register_reader
from kg.sources.text import Text


def _sniff(head: str, name: str) -> bool:
    return xml_root(head) == "OAI-PMH"


@register_reader("oai-pmh-arxiv", sniff=_sniff)
def read(stream: Text, name: str) -> Iterator[Entry]:
    """Papers of the response's records; an OAI-PMH `<error>` (no records match, bad token)
    is reported as a Rejection rather than passing for an empty harvest."""
    file_date = date_from_name(name)
    for item in iter_xml(stream, name, {"record", "error"}):
        if isinstance(item, Rejection):
            yield item
            continue
        line, elem = item
        if local_name(elem.tag) == "error":
            reason = clean_text("".join(elem.itertext())) or "no reason given"
            yield Rejection(name, line, f"OAI-PMH error {elem.get('code', '')}: {reason}", "file")
        else:
            yield guarded(name, line, _paper, elem, name, line, file_date)


def _paper(record: Element, name: str, line: int, file_date: str | None) -> Entry:
    header = next((c for c in record if local_name(c.tag) == "header"), None)
    identifier = child_text(header, "identifier") if header is not None else None
    if header is not None and header.get("status") == "deleted":
        return Rejection(name, line, f"deleted record {identifier}")
    metadata = next((e for e in record.iter() if local_name(e.tag) == "arXiv"), None)
    if metadata is None:
        return Rejection(name, line, f"record {identifier} has no arXiv metadata "
                                     "(harvest with metadataPrefix=arXiv)")
    parsed = parse_arxiv_id(child_text(metadata, "id") or identifier or "")
    if parsed is None:
        return Rejection(name, line, f"record {identifier}: no arXiv id")
    title = clean_text(child_text(metadata, "title"))
    if not title:
        return Rejection(name, line, f"{parsed[0]}: no title")
    categories = split_categories(child_text(metadata, "categories"))
    return Paper(
        id=parsed[0],
        version=parsed[1],
        title=title,
        source=Source(name, line, file_date or iso_date(child_text(metadata, "created"))),
        authors=_authors(metadata),
        primary_category=categories[0] if categories else None,
        categories=categories,
        abstract=clean_text(child_text(metadata, "abstract")),
        comment=clean_text(child_text(metadata, "comments")),
    )


def _authors(metadata: Element) -> list[str]:
    """"Forenames Keyname Suffix" for each author, in order."""
    names = []
    for author in (e for e in metadata.iter() if local_name(e.tag) == "author"):
        parts = (child_text(author, part) for part in ("forenames", "keyname", "suffix"))
        name = normalize_name(decode_tex_accents(" ".join(p.strip() for p in parts if p)))
        if name:
            names.append(name)
    return split_glued_names(names)
