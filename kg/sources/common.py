"""Helpers every reader shares: identifiers, placeholders, names, dates, text clean-up."""

from __future__ import annotations

import email.utils
import html
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection, Iterator
from typing import Any, cast

from kg import limits
from kg.model import Rejection
from kg.sources.boundary import BadEntry, BadFile
from kg.sources.text import Text

# arXiv identifiers: new scheme 0704.0001 / 2509.21670 (optionally vN), old scheme hep-th/9901001.
# Archive names have at most 8 letters ("cond-mat"); the bound keeps a search linear on a long
# `a-a-a-...`, where each letter after a dash starts an attempt that would rescan the rest.
_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z][a-z\-]{1,20}+(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID = re.compile(rf"(?<![\w.])(?P<id>{_NEW_ID}|{_OLD_ID})(?:v(?P<version>\d+))?(?![\w])")
_ARXIV_URL = re.compile(
    rf"arxiv\.org/(?:abs|pdf|html)/(?P<id>{_NEW_ID}|{_OLD_ID})(?:v(?P<version>\d+))?", re.I
)
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")

# Texts that stand where a summary failed or a template was never filled in.
_PLACEHOLDERS = re.compile(
    r"""^\s*(?:
        n/?a | none | null | nan | -+ | \.\.\. |
        summary\s+generation\s+failed.* | generation\s+failed.* | ai\.?error.* |
        error (?:\s*[:：(].* | \s+code\b.*)? |  # not "ErrorMap: ..." or "Error bounds ..."
        \w+\s+(?:analysis|extraction)\s+(?:unavailable|failed)\.? |
        \{[a-z_]+\} | 摘要生成失败.* | 生成失败.* | 无 | 暂无.{0,6} |  # not "暂无实验结果，仅为..."
        错误\s*[:：].*  # "错误：AI分析失败。"
    )\s*$""",
    re.I | re.X | re.S,
)


def parse_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """(id without version, version) from an id, an `arXiv:` tag or an arxiv.org URL; raises
    `BadEntry` for a version number no int() should read."""
    text = text.strip()
    match = _ARXIV_URL.search(text) or ARXIV_ID.search(text)
    if not match:
        return None
    version = match.group("version")
    if version and len(version) > limits.MAX_NUMBER_DIGITS:
        raise BadEntry(f"arXiv id {match.group('id')} has a version of {len(version):,} digits")
    return match.group("id"), int(version) if version else None


def is_placeholder(text: str | None) -> bool:
    """True for empty values and failure placeholders that must not be kept as summaries."""
    return text is None or not str(text).strip() or bool(_PLACEHOLDERS.match(str(text)))


def clean_text(text: str | None) -> str | None:
    """Collapse whitespace and decode HTML escapes; LaTeX and CJK are kept as they are."""
    if text is None:
        return None
    # str.split() splits on all Unicode whitespace (no-break space included), and is several
    # times faster than a regex on the abstracts and summaries of a large archive.
    return " ".join(html.unescape(str(text)).split()) or None


def normalize_name(name: str) -> str:
    """A person's name as one key: Unicode NFC and single spaces; spelling is never changed."""
    return " ".join(unicodedata.normalize("NFC", name).split())


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-z]")


def guess_language(text: str) -> str:
    """"ko", "zh" or "en": the script that dominates a summary. Chinese summaries are full of
    English terms (model names, "Transformer"), and one Chinese character weighs about as much
    as a short English word, so CJK dominates from a quarter of the letters on."""
    sample = text[:300]  # a summary's language shows in its first sentence
    latin = len(_LATIN.findall(sample))
    hangul = len(_HANGUL.findall(sample))
    if hangul and hangul * 3 >= latin:
        return "ko"
    cjk = len(_CJK.findall(sample))
    return "zh" if cjk and cjk * 3 >= latin else "en"


def date_from_name(name: str) -> str | None:
    """The digest day a file name carries (`2026-06-01_AI_enhanced_Chinese.jsonl`); for an
    archive member (`days.tar.xz:2026-06-01.md`) the member's name, not the archive's."""
    match = _DATE_IN_NAME.search(re.split(r"[/:]", name)[-1])
    return "-".join(match.groups()) if match else None


def split_categories(value: str | list[str] | None) -> list[str]:
    """Category codes from a list or a space/comma separated string, order kept, no repeats."""
    if not value:
        return []
    items = value if isinstance(value, list) else re.split(r"[\s,;]+", value)
    seen: dict[str, None] = {}
    for item in items:
        code = str(item).strip()
        if code and code not in seen:
            seen[code] = None
    return list(seen)


# TeX accents in arXiv metadata names (Bal\'azs, G\"{o}del, \v{S}koda) and the letters TeX spells.
_TEX_BASE = r"(?:\\[ij](?![A-Za-z])|[A-Za-z])"  # the accented letter; \i and \j are dotless
_TEX_ACCENT = re.compile(
    r"""\\(?:(?P<sym>[`'^"~=.])|(?P<word>[uvHckr])(?=[\s{]))\s*"""
    rf"(?:\{{\s*(?P<braced>{_TEX_BASE})\s*\}}|(?P<base>{_TEX_BASE}))"
)
_TEX_MARKS = {
    "`": "\u0300", "'": "\u0301", "^": "\u0302", "~": "\u0303", "=": "\u0304", "u": "\u0306",
    ".": "\u0307", '"': "\u0308", "r": "\u030a", "H": "\u030b", "v": "\u030c", "c": "\u0327",
    "k": "\u0328",
}
_TEX_LETTER = re.compile(r"\\(ss|ae|AE|aa|AA|oe|OE|o|O|l|L)(?![A-Za-z])(?:\{\}|\s)?")
_TEX_LETTERS = {
    "ss": "ß", "ae": "æ", "AE": "Æ", "aa": "å", "AA": "Å", "oe": "œ", "OE": "Œ", "o": "ø",
    "O": "Ø", "l": "ł", "L": "Ł",
}
# Two people glued by a period in arXiv's metadata: "Y. Navidtehrani. C. Betegón".
_GLUED = re.compile(r"^(?P<first>\S+\s.*?[^\W\d_]{2})\.\s+(?P<second>[A-Z]\.\s*\w.*)$")


def decode_tex_accents(text: str) -> str:
    """Names as people print them: `C. Bal\\'azs` -> `C. Balázs`, so that a person read from a
    TeX-spelled source (.abs, the metadata snapshot) and from a Unicode one is one name."""
    if "\\" not in text:
        return text

    def accent(match: re.Match[str]) -> str:
        letter = (match["braced"] or match["base"]).lstrip("\\")
        return letter + _TEX_MARKS[match["sym"] or match["word"]]

    text = _TEX_ACCENT.sub(accent, text)
    text = _TEX_LETTER.sub(lambda m: _TEX_LETTERS[m[1]], text)
    text = re.sub(r"\{([^{}\\]*)\}", r"\1", text)  # braces left around decoded letters
    return unicodedata.normalize("NFC", text)


def split_glued_names(names: list[str]) -> list[str]:
    """One name per person from listed names, normalised, empty ones dropped.

    Splits the rare item that holds several people joined by ";" (some arXiv records) or by a
    period ("Y. Navidtehrani. C. Betegón"); single names with a dotted word ("Md. F. Islam",
    "Ashok. K. Goel") stay whole. Every reader uses it, so the same paper gets the same
    authors from its markdown and its JSONL.
    """
    result: list[str] = []
    for item in names:
        for part in item.split(";"):
            name = normalize_name(part)
            if not any(c.isalpha() for c in name):  # "", ":", "-" are not people
                continue
            match = _GLUED.match(name) if name.count(".") > 2 else None
            result.extend((match["first"], match["second"]) if match else (name,))
    return result


def split_author_string(text: str) -> list[str]:
    """People in an arXiv metadata author string: "A, B and C", affiliations in parentheses
    ("A (1), B (2) ((1) MIT, (2) CERN)") dropped, TeX accents decoded."""
    text = _without_parentheses(re.sub(r"\s+", " ", text))
    # " and " is tried where a run of spaces starts only: spaces left by dropped affiliations
    # ("A (1) (2) (3) ...") would otherwise be rescanned from each of them.
    parts = re.split(r",\s*(?:and\s+)?|(?<!\s)\s++and\s+|;", decode_tex_accents(text))
    return split_glued_names(parts)


_PARENTHESIS = re.compile(r"[()]")


def _without_parentheses(text: str) -> str:
    """`text` without its parenthesised parts, nested ones included; a parenthesis that is not
    closed (or not opened) stays. One pass: dropping the innermost `(...)` again and again
    until nothing changes is the same, but quadratic on deep nesting."""
    if "(" not in text:
        return text
    kept: list[str] = []
    opened: list[int] = []  # where in `kept` each `(` not yet closed is
    start = 0
    for match in _PARENTHESIS.finditer(text):
        kept.append(text[start : match.start()])
        start = match.end()
        if match[0] == "(":
            opened.append(len(kept))
            kept.append("(")
        elif opened:
            del kept[opened.pop() :]  # the parenthesis with all it holds
        else:
            kept.append(")")
    kept.append(text[start:])
    return "".join(kept)


def iso_date(text: str | None) -> str | None:
    """The ISO day of an ISO timestamp or an RFC 822 date ("Mon, 2 Apr 2007 19:18:42 GMT"),
    in the time zone it is written in: the day the source printed."""
    if not text:
        return None
    text = text.strip()
    if match := re.match(r"\d{4}-\d{2}-\d{2}", text):
        return match.group()
    try:
        return email.utils.parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def local_name(tag: str) -> str:
    """An XML tag without its namespace: feeds declare namespaces inconsistently (OAI `<arXiv>`
    with or without one, Atom's `arxiv:` declared per element)."""
    return tag.rsplit("}", 1)[-1]


def iter_xml(
    stream: Text, name: str, tags: Collection[str]
) -> Iterator[tuple[int, ET.Element] | Rejection]:
    """Each outermost element whose local name is in `tags`, with the line it starts on.

    The file is fed line by line, so line numbers are known (iterparse does not give them) and
    memory stays flat: each element is cleared once the caller has used it. A parse error ends
    the file with `BadFile` at the error's line; the elements before it are kept.
    """
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    starts: dict[ET.Element, int] = {}
    lineno, open_matches, size = 0, 0, 0
    try:
        for lineno, line in enumerate(stream, 1):
            size += len(line)
            if size > limits.MAX_DOCUMENT_CHARS:
                raise BadFile(lineno, f"an XML file longer than {limits.MAX_DOCUMENT_CHARS:,} "
                                      "characters: the rest was not read")
            parser.feed(line)
            for read_event in parser.read_events():
                event, elem = cast(tuple[str, ET.Element], read_event)  # start and end only
                if local_name(elem.tag) not in tags:
                    continue
                if event == "start":
                    if not open_matches:
                        starts[elem] = lineno
                    open_matches += 1
                    continue
                open_matches -= 1
                if not open_matches:
                    yield starts.pop(elem), elem
                    elem.clear()
        parser.close()
    except ET.ParseError as error:
        at = error.position[0] or lineno
        raise BadFile(at, f"malformed XML: {error}; the rest of the file was not read") from None


def iter_json_lines(stream: Text, name: str) -> Iterator[tuple[int, dict[str, Any]] | Rejection]:
    """Each JSON object of a JSON-lines file with its line; a bad line is a Rejection and
    reading goes on, so one truncated record does not cost the rest of the day. Records nested
    deeper than MAX_JSON_DEPTH or with numbers longer than MAX_NUMBER_DIGITS are bad lines."""
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            record = parse_json(line.rstrip("\r\n"))
        except json.JSONDecodeError as error:
            what = error.msg.removesuffix(" at")  # "Unterminated string starting at"
            yield Rejection(name, lineno, f"invalid JSON: {what} at column {error.colno}")
            continue
        except BadEntry as error:
            yield Rejection(name, lineno, f"invalid JSON: {error}")
            continue
        if isinstance(record, dict):
            yield lineno, record
        else:
            yield Rejection(name, lineno, f"not a JSON object but a {type(record).__name__}")


def _number(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    def parse(text: str) -> int | float:
        if len(text) > limits.MAX_NUMBER_DIGITS:
            raise BadEntry(f"a number of {len(text):,} digits (limit "
                           f"{limits.MAX_NUMBER_DIGITS})")
        return kind(text)

    return parse


_JSON = json.JSONDecoder(parse_int=_number(int), parse_float=_number(float))


def parse_json(text: str) -> Any:
    """A JSON value within MAX_JSON_DEPTH and MAX_NUMBER_DIGITS; raises `json.JSONDecodeError`
    or `BadEntry`."""
    try:
        value = _JSON.decode(text)
    except RecursionError:
        raise BadEntry(f"nested deeper than {limits.MAX_JSON_DEPTH} levels") from None
    # Most records have few brackets: only those with many need their depth measured.
    if text.count("[") + text.count("{") > limits.MAX_JSON_DEPTH and (
            _depth(value) > limits.MAX_JSON_DEPTH):
        raise BadEntry(f"nested deeper than {limits.MAX_JSON_DEPTH} levels")
    return value


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in a JSON value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(
            item, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in children)
    return deepest


# What may precede an XML root element: declaration, comments, doctype (with its internal
# subset in brackets, where entity attacks live: the parser must see them to refuse them).
# A comment ends at its first `-->` and an instruction at its first `?>`, as in XML: possessive,
# so that the engine does not try each later one in turn (exponential on `<?a?><?a?>...`).
_XML_PROLOG = re.compile(
    r"(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*+(?:\[[^\]]*+\])?+[^>]*+>|\s)*+"
    r"<(?P<root>[\w:.-]+)", re.S)


def xml_root(head: str) -> str | None:
    """The root element's tag as written (`rdf:RDF`, `feed`), for sniffing XML by content."""
    match = _XML_PROLOG.match(head)
    return match["root"] if match else None


def child_text(elem: ET.Element, name: str) -> str | None:
    """The text of the first child with this local name, markup inside it included as text."""
    for child in elem:
        if local_name(child.tag) == name:
            return "".join(child.itertext())
    return None

