"""Reader for the markdown digests of daily-arXiv-ai-enhanced and its forks ("digest-md").

A digest is a table of contents, category sections (`# cs.CV [[Back]](#toc)`) and one entry per
paper: a heading `### [n] [title](link)`, an authors line `*A,B*`, then labelled fields
(`Main category:`, `TL;DR:`, a `<details>` block with Motivation ... Abstract). Forks change
nearly every detail: labels in bold, as list items, blockquotes, `####` headings or table rows,
in Chinese or Korean, with full-width colons; authors printed as a Python list; several fields on
one `|`-separated line; links that are broken, versioned or not arXiv at all. So an entry is read
as a sequence of labelled fields, whatever their markup, and a table maps each label to a field
name; the layout of one fork is never assumed.

The file is split on entry headings in one pass over its lines (no regex runs over the whole
text), so a 1 MB day takes milliseconds.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from kg.model import Paper, Rejection, Source
from kg.sources.boundary import guarded
from kg.sources.common import (
    clean_text,
    date_from_name,
    guess_language,
    is_placeholder,
    parse_arxiv_id,
    split_categories,
    split_glued_names,
)
from kg.sources.registry import Entry, register_reader
from kg.sources.text import Text

# --- Entry headings and category sections -------------------------------------------------

# The rest of a line, up to its last non-space. Every pattern that sees input runs in linear
# time: here possessive runs of inner spaces, where a lazy `\S.*?` before `\s*$` would rescan
# the spaces after it at every step (quadratic on a line of many spaces).
_REST = r"(?P<rest>\S(?:[^\S\n]*+\S)*+)\s*$"
# `### [12] [Title](link)`, `### [Title](link)`, `## [Title](link)`; `### [12] Title` (no link).
_HEADING = re.compile(r"^#{2,3}[ \t]+(?:\[(?P<idx>\d+)\][ \t]*)?" + _REST)
# The title is matched lazily up to the first `](http`, so brackets inside a title survive; the
# URL may itself be a broken nested link: `[https://arxiv.org/abs/](https://arxiv.org/abs/)2506.05566`.
# The title ends before a `]`: it takes text up to one at once, and a `](http` in a word that does
# not end in `)` cannot end it, nor can a later one in that word, so it takes the rest of the word
# too (atomic groups), instead of rescanning the word from each (quadratic on `[a](http://a...`).
_TITLE_LINK = re.compile(
    r"^\[(?P<title>(?>[^\]\n]++|\](?=\(\[?https?://)\S*+(?<!\))|\])+?)"
    r"\]\((?P<url>\[?https?://\S*?)\)(?=\s|$)"
)
# A plain-text fork: `[1] Title` on its own line, followed by an `Authors:` line.
_PLAIN_HEADING = re.compile(r"^\[(?P<idx>\d+)\][ \t]+" + _REST)
# Tags and scores glued before a title or a TL;DR: `[9.5] [Embodied] ...`.
_LEADING_TAGS = re.compile(r"^(?:\[[^\]\s]{1,30}\]\s*)+")
# Category sections: `# cs.CV [[Back]](#toc)`, `## <div id='cs.LG'></div> cs.LG [[Back]](#toc)`,
# a bare `# cond-mat.mtrl-sci`, even glued to the previous entry: `</details># cs.CL`.
# The name runs to its last non-space (possessive inner runs: a lazy name before two `\s*` was
# cubic on a line of spaces), and the spaces before it are taken whole, unless nothing but a
# `[[Back]]` link or the end follows them: then their last one is the name, as before.
_SECTION = re.compile(
    r"^(?:</details>\s*)?#{1,2}[ \t](?:[ \t]*?(?=[ \t](?:[\[\]<>]|\Z))|[ \t]*+)"
    r"(?:<div[^>]*>\s*</div>(?:\s*?(?=\s(?:[\[\]<>]|\Z))|\s*+))?"
    r"(?P<name>[^\[\]<>](?:\s*+[^\[\]<>\s])*+)\s*+(?P<back>\[\[Back\]\]\([^)]*\))?\s*$"
)
# arXiv category codes: cs.CV, cond-mat.dis-nn, q-bio.QM; the archives without a dot have a dash.
_CATEGORY_CODE = re.compile(r"[a-z]+(?:-[a-z]+)?\.[A-Za-z]+(?:-[a-z]+)?|[a-z]+-[a-z]+")

# --- Lines inside an entry -------------------------------------------------------------------

# Layout without content: <details>, rules, anchors, "back to top" links, empty divs.
# (Possessive spaces around a `|`: two `\s*` in a row share out a run of spaces every way.)
_STRUCTURE = re.compile(
    r"^(?:</?details>|<hr\s*/?>|-{3,}|\*{3,}|_{3,}|<a\s[^>]*>\s*</a>|<div[^>]*>\s*</div>|"
    r"\[\[toc\]\]|(?:\[[^\]]*\]\(#[^)]*\)\s*+(?:\|\s*+)?)+)$"
)
# A line that opens a field whose text follows: `<summary>Abstract</summary>`, `#### 📄 Abstract`.
_OPENER = re.compile(
    r"^(?:<details>\s*)?<summary>(?P<summary>.*?)</summary>$|^#{1,6}[ \t]+(?P<heading>.{1,60}?)$"
)
_TAGS = re.compile(r"<[^>]+>")  # only on text up to its last `>`: see `_untagged`
_QUOTE_OR_BULLET = re.compile(r"^(?:>\s*|[-*+][ \t]+)")
# `**Label:** value` and `**Label**: value` (either colon, ASCII or full width). Runs of spaces
# are taken whole (`\s*+`): what follows each is no space, so giving spaces back cannot help.
_BOLD_LABEL = re.compile(
    r"^\*\*(?P<label>[^*\n]{1,60}?)\s*+(?:[:：]\s*\*\*|\*\*\s*[:：])\s*+(?P<value>.*)$"
)
# `**Main category: cs.CR**`: label and value inside one bold span. The value runs to its last
# non-space (possessive inner runs: a lazy value before `\s*\*\*$` was cubic on many spaces).
_BOLD_PAIR = re.compile(
    r"^\*\*(?P<label>[^*:：\n]{1,60}?)\s*+[:：]\s*+"
    r"(?P<value>(?:[^*\s]|\s++(?=[^*\s]))*+)\s*\*\*$"
)
# `Label: value` without markup; the label is a few words (`Abstract (英文)`, `TL;DR`, `主分类`).
_PLAIN_LABEL = re.compile(
    r"^(?P<label>[^\W\d_][\w \t;()（）/&'’-]{0,40}?)\s*+[:：](?!//)\s*+(?P<value>.*)$"
)
# A plain label that is not in the table must look like one ("Task and scene", "Background"),
# not like the start of a sentence or a title ("OuroWorld: ...").
_NEW_PLAIN_LABEL = re.compile(r"[A-Z][a-z]+(?: [A-Za-z/&]+){0,4}")
_ITALIC = re.compile(r"^\*(?!\*)(?P<text>.+)\*$")  # inner `*`: equal-contribution marks
_TABLE_ROW = re.compile(r"^\|(?P<label>[^|]+)\|(?P<value>.*)\|$")
_TABLE_RULE = re.compile(r"^\|[\s:|-]+\|$")
# Several fields on one line: `*A, B* | **Main category: cs.CR**`, `x &nbsp;|&nbsp; y`. Tried
# only where a run of spaces starts: from inside the run it would fail the same way after
# rescanning it (quadratic on a line of spaces).
_FIELD_SEPARATOR = re.compile(r"(?<!\s)(?<!&nbsp;)(?:\s|&nbsp;)++\|(?:\s|&nbsp;)+")
_LINK_ONLY = re.compile(r"^\[[^\]]*\]\(.*\)$")  # a chat link, `[arXiv](url)` instead of text
# The part after `abs/` is bounded (an id with its version has under 20 characters): each
# `](https://arxiv.org/abs/` of a long word without `)` would otherwise scan the rest of it.
_ARXIV_LINK = re.compile(
    r"\]\((?P<url>https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/[^)\s]{1,300}+)\)"
)
_DOI = re.compile(r"\b(?P<doi>10\.\d{4,9}/[^\s?#]+?)(?:v\d+)?(?:\.full(?:\.pdf)?)?(?:[?#].*)?$")

# --- File level ------------------------------------------------------------------------------

_TEMPLATE_SLOT = re.compile(r"\{[a-z_]+\}", re.I)
# A day without papers still has its table of contents or says so.
_EMPTY_DAY = re.compile(
    r"<div id=['\"]?toc|Table of Contents|^#+\s*目录|\[\[toc\]\]|没有找到新论文|no new papers",
    re.I | re.M,
)
_DATE = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
# Other readers' files: JSON, XML feeds, HTML pages, `.abs` files (a dashed first line).
_NOT_MARKDOWN = re.compile(
    r"^(?:\{|\[\s*(?:\{\s*\"|\"|\]|\[(?!toc))|<\?xml|<rss|<feed|<OAI-PMH|<rdf:RDF|<!DOCTYPE|<html|-{6})",
    re.I,
)
_DIGEST_MARKS = re.compile(
    r"^#{2,3} \[|<div id=['\"]?toc|Table of Contents|^Main category|\[\[toc\]\]|^#+\s*目录|"
    r"\]\(https?://arxiv\.org/abs/",
    re.I | re.M,
)

# Labels as printed (lower case, emoji dropped) -> field names. Labels not listed become
# snake_case field names of their own; the ones that lead to "" are containers or chat links.
_FIELDS = {
    "authors": "authors", "作者": "authors",
    "main category": "category", "primary category": "category", "category": "category",
    "categories": "category", "主分类": "category", "主要类别": "category", "主类别": "category",
    "카테고리": "category",
    "comment": "comment", "comments": "comment",
    "keywords": "keywords", "key words": "keywords", "tags": "keywords", "关键词": "keywords",
    "abstract": "abstract", "original abstract": "abstract", "english abstract": "abstract",
    "abstract (英文)": "abstract", "原文摘要": "abstract", "原始摘要": "abstract",
    "中文摘要": "abstract_translation", "中文摘要翻译": "abstract_translation",
    "摘要翻译": "abstract_translation", "摘要": "abstract_translation",
    "translation": "abstract_translation", "abstract (中文)": "abstract_translation",
    "abstract (中文翻译)": "abstract_translation",
    "中文标题": "title_translation",
    "tl;dr": "tldr", "tldr": "tldr", "ai概要": "tldr", "一句话总结": "tldr", "核心价值": "tldr",
    "motivation": "motivation", "动机": "motivation", "研究动机": "motivation",
    "method": "method", "methods": "method", "方法": "method", "关键方法": "method",
    "result": "result", "results": "result", "结果": "result",
    "conclusion": "conclusion", "conclusions": "conclusion", "结论": "conclusion",
    "大白话": "plain_summary", "根本问题": "core_problem", "切入视角": "key_insight",
    "方法公式": "method_formula", "核心发现": "core_finding", "机制洞察": "mechanism_insight",
    "行动启发": "action_value", "可迁移性": "transferability",
    "details": "", "更多": "", "详细信息": "", "详细分析": "", "detailed summary": "",
    "ai": "", "与ai讨论": "", "paper link": "",
}
# A label in another language with its English name: `핵심 요약 (TL;DR)`: a non-ASCII character
# before the first `(` (found by one possessive pass, not by trying each one in turn).
_ENGLISH_IN_PARENS = re.compile(
    r"^[\x00-\x27\x29-\x7f]*+[^\x00-\x7f][^(]*+\((?P<english>[ -~]+)\)$"
)
# Fields that are the entry's own text: a `|` inside them is not a field separator.
_TEXT_FIELDS = {"tldr", "motivation", "method", "result", "conclusion", "abstract", "comment"}
# Fields that fill Paper attributes rather than the summary.
_PAPER_FIELDS = {"authors", "category", "comment", "keywords", "abstract"}


@dataclass(frozen=True, slots=True)
class _Block:
    """One entry: its heading line, the lines up to the next entry, the section it sits in."""

    start: int
    end: int
    section: str | None


def _sniff(head: str, name: str) -> bool:
    """Markdown by content (entry headings, the TOC, `Main category:`), or any markdown-looking
    file, so that a report that is not a digest is refused with a reason, not as unknown."""
    start = head.lstrip()
    if _NOT_MARKDOWN.match(start):
        return False
    return (
        bool(_DIGEST_MARKS.search(head))
        or name.lower().endswith((".md", ".markdown"))
        or start.startswith("#")
    )


@register_reader("digest-md", _sniff, priority=90)
def read_markdown(stream: Text, name: str) -> Iterator[Entry]:
    """Papers of a markdown digest; general, so it sniffs after the specific formats."""
    yield from read_digest_lines(stream.read().split("\n"), name)


def read_digest_lines(
    lines: Sequence[str], name: str, line_numbers: Sequence[int] | None = None
) -> Iterator[Entry]:
    """Papers of a digest given as markdown lines; `line_numbers` maps them to the lines of the
    file they came from when that is not markdown (the HTML digest)."""
    blocks = _blocks(lines)
    if not blocks:
        refusal = _refusal(lines)
        if refusal:
            yield Rejection(name, 0, refusal, "file")
        return
    date = date_from_name(name) or _header_date(lines[: blocks[0].start])
    for block in blocks:
        line = line_numbers[block.start] if line_numbers else block.start + 1
        yield guarded(name, line, _entry, lines, block, Source(name, line, date))


def _blocks(lines: Sequence[str]) -> list[_Block]:
    """Split the file on entry headings; a category section ends the entry before it."""
    blocks: list[_Block] = []
    start: int | None = None
    section: str | None = None
    for i, line in enumerate(lines):
        if line[:1] not in "#[<":  # the text of an entry: most lines
            continue
        is_entry = _starts_entry(lines, i)
        new_section = None if is_entry else _section_name(line)
        if start is not None and (is_entry or new_section):
            blocks.append(_Block(start, i, section))
            start = None
        if is_entry:
            start = i
        elif new_section:
            section = new_section
    if start is not None:
        blocks.append(_Block(start, len(lines), section))
    return blocks


def _starts_entry(lines: Sequence[str], i: int) -> bool:
    """`### [n] [title](link)` and its variants, or a plain `[n] Title` before `Authors:`."""
    line = lines[i]
    if line.startswith("#"):
        match = _HEADING.match(line)
        return bool(match and (match["idx"] or _TITLE_LINK.match(match["rest"])))
    if line.startswith("["):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        return following.startswith("Authors:") and bool(_PLAIN_HEADING.match(line))
    return False


def _section_name(line: str) -> str | None:
    """The category of a section header: code-like (`# cs.CV`) or with a `[[Back]]` link."""
    match = _SECTION.match(line)
    if match and (match["back"] or _CATEGORY_CODE.fullmatch(match["name"])):
        return match["name"]
    return None


def _refusal(lines: Sequence[str]) -> str | None:
    """Why a file without paper entries is not a digest; None for a day without papers."""
    text = "\n".join(lines)
    slots = sorted(set(_TEMPLATE_SLOT.findall(text)))
    if slots:
        shown = ", ".join(slots[:6]) + (", ..." if len(slots) > 6 else "")
        return f"a template, not a digest: it holds unfilled placeholders ({shown}) and no papers"
    mentioned = {m for m in (parse_arxiv_id(u) for u in _ARXIV_LINK.findall(text)) if m}
    if mentioned:
        title = next((ln.lstrip("#").strip() for ln in lines if ln.startswith("#")), "untitled")
        return (
            f"not a digest: {title!r} is a different kind of report; it links "
            f"{len(mentioned)} arXiv papers but has no digest entry (`### [n] [title](link)`)"
        )
    if _EMPTY_DAY.search(text):
        return None
    return "not a digest: no paper entry (`### [n] [title](link)`) and no table of contents"


def _header_date(preamble: Sequence[str]) -> str | None:
    """The day a digest names in its header (`# 2025-04-26`, `**Report Date:** 2025-06-08`)."""
    for line in preamble:
        if line.startswith(("#", "**")) and (match := _DATE.search(line)):
            return match.group()
    return None


# --- One entry -------------------------------------------------------------------------------


def _entry(lines: Sequence[str], block: _Block, source: Source) -> Entry:
    """The Paper of one entry, or why it cannot be kept."""
    title, url = _heading(lines[block.start])
    if not title:
        return Rejection(source.path, source.line, "entry has no title")
    body = lines[block.start + 1 : block.end]
    identity = _identify(title, url, body)
    if isinstance(identity, str):
        return Rejection(source.path, source.line, identity)
    paper_id, scheme, version = identity
    fields = _first_values(_fields(body))
    categories = _categories(fields.get("category"))
    if block.section and block.section not in categories:
        categories.append(block.section)  # the section a paper is listed under is its category
    summary = {k: v for k, v in fields.items() if k not in _PAPER_FIELDS}
    if "tldr" in summary:
        summary["tldr"] = _strip_tags(summary["tldr"])
    summary = {k: v for k, v in summary.items() if not is_placeholder(v)}
    return Paper(
        id=paper_id,
        title=title,
        source=source,
        id_scheme=scheme,
        version=version,
        authors=_authors(fields.get("authors")),
        primary_category=categories[0] if categories else None,
        categories=categories,
        abstract=fields.get("abstract"),
        comment=fields.get("comment"),
        summary=summary,
        summary_language=guess_language(" ".join(summary.values())) if summary else None,
        keywords=_keywords(fields.get("keywords")),
    )


def _heading(line: str) -> tuple[str | None, str | None]:
    """(title, link) of an entry heading; the title cleaned, the link as printed."""
    match = _HEADING.match(line) or _PLAIN_HEADING.match(line)
    rest = match["rest"] if match else line
    link = _TITLE_LINK.match(rest)
    title = link["title"] if link else _LEADING_TAGS.sub("", rest)
    title = clean_text(title)
    return (None if is_placeholder(title) else title), (link["url"] if link else None)


def _identify(
    title: str, url: str | None, body: Sequence[str]
) -> tuple[str, str, int | None] | str:
    """(id, id scheme, version) from the heading link, else from an arXiv link in the entry
    (`[📄 arXiv](url)`); or why the entry cannot be identified."""
    if url is None:
        for line in body:
            if "arxiv.org" in line and (match := _ARXIV_LINK.search(line)):
                url = match["url"]
                break
        else:
            return f"entry {title!r} has no link and no arXiv id: the paper cannot be identified"
    if "arxiv.org" in url.lower():
        parsed = parse_arxiv_id(url)
        if parsed is None:
            return f"link {url} holds no arXiv id"
        return parsed[0], "arxiv", parsed[1]
    if doi := _DOI.search(url):
        return doi["doi"], "doi", None
    return url, "url", None


def _fields(body: Sequence[str]) -> list[tuple[str, str]]:
    """The labelled fields of an entry body, in order, as (field name, text).

    A field runs from its label to a blank line, a layout line or the next label; text after an
    emptied label (`**Key Contributions:**`, a `#### Abstract` heading) belongs to it. A plain
    `Label:` inside a paragraph only counts when the label is known and the paragraph is not
    the hard-wrapped abstract, whose lines may begin with "Results:". Unlabelled text before
    the authors line is a title translation.
    """
    found: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    paragraph_start = True
    have_authors = False
    for i, line in enumerate(body):
        text = line.strip()
        if not text:
            if current:
                current = None
            paragraph_start = True
            continue
        first = text[0]  # most lines are text: test the layout patterns only where they can be
        if first in "<-*_[|" and (_STRUCTURE.match(text) or _TABLE_RULE.match(text)):
            current, paragraph_start = None, True
            continue
        if first in "<#" and (opener := _OPENER.match(text)):
            label = opener["heading"] if opener["summary"] is None else opener["summary"]
            key = _field_name(_untagged(label))  # `<summary></summary>`: no label, ""
            current = None
            if key:
                current = []
                found.append((key, current))
            paragraph_start = current is None
            continue
        if first == "|" and i + 1 < len(body) and _TABLE_RULE.match(body[i + 1].strip()):
            continue  # a table's header row
        pairs = None
        if line[0] not in " \t":
            current_key = found[-1][0] if found and current is found[-1][1] else None
            pairs = _labelled(text, paragraph_start, have_authors, current_key)
        if pairs:
            for key, value in pairs:
                current = [value] if value else []
                if key:
                    found.append((key, current))
                have_authors = have_authors or key == "authors"
            if pairs[-1][0] in ("", "authors"):  # an ignored label; authors never wrap
                current = None
            paragraph_start = False
        elif current is not None:
            current.append(text)
            paragraph_start = False
        else:
            if not have_authors and not found:
                current = [text]
                found.append(("title_translation", current))
            paragraph_start = False
    return [(key, " ".join(parts)) for key, parts in found if parts]


def _labelled(
    text: str, paragraph_start: bool, have_authors: bool, current_key: str | None
) -> list[tuple[str, str]] | None:
    """The (field, value) pairs a line starts, or None when it is not a label line."""
    segments = _FIELD_SEPARATOR.split(text) if paragraph_start and "|" in text else [text]
    if len(segments) > 1 and not text.startswith("|"):
        first = _pair(segments[0], paragraph_start, have_authors, current_key)
        if first is None or first[0] not in _TEXT_FIELDS:
            pairs = [p for s in segments if (p := _pair(s, True, have_authors, current_key))]
            if pairs:
                return pairs
    pair = _pair(text, paragraph_start, have_authors, current_key)
    return [pair] if pair else None


def _pair(
    text: str, paragraph_start: bool, have_authors: bool, current_key: str | None
) -> tuple[str, str] | None:
    """One `label: value` (in any markup) as (field, value); field "" for ignored labels."""
    quoted = text.startswith(">")
    body = _QUOTE_OR_BULLET.sub("", text, count=1)
    marked = body != text
    if italic := _ITALIC.match(body):
        if quoted:
            return "title_translation", italic["text"]
        return ("authors", italic["text"]) if not have_authors else None
    if row := _TABLE_ROW.match(body):
        return _field_name(row["label"]), row["value"].strip()
    match = _BOLD_LABEL.match(body) or _BOLD_PAIR.match(body)
    if match:
        return _field_name(match["label"]), match["value"]
    match = _PLAIN_LABEL.match(body)
    if not match:
        return None
    label = match["label"].strip()
    known = _normal_label(label) in _FIELDS or bool(_ENGLISH_IN_PARENS.match(label))
    if marked:  # a list item or a quote: `- Motivation: ...`
        accept = known or have_authors
    elif paragraph_start:  # after a blank line; a new label only once the authors are read
        accept = known or (have_authors and bool(_NEW_PLAIN_LABEL.fullmatch(label)))
    else:  # right after another line: a known label, but never inside the hard-wrapped
        accept = known and current_key != "abstract"  # abstract ("Results: ..." may wrap)
    return (_field_name(label), match["value"]) if accept else None


@lru_cache(maxsize=4096)  # a digest repeats a handful of labels thousands of times
def _normal_label(label: str) -> str:
    """A label without emoji, markup and case: `**📊 主类别**` -> `主类别`."""
    kept = "".join(c for c in label if unicodedata.category(c)[0] not in "SCM")
    return " ".join(kept.replace("*", "").split()).lower()


@lru_cache(maxsize=4096)
def _field_name(label: str) -> str:
    """The field a label names: `Main category` -> "category", `연구 방법론 (Method)` ->
    "method", `Relevance Score` -> "relevance_score"; "" for containers and chat links."""
    label = _normal_label(label)
    if label in _FIELDS:
        return _FIELDS[label]
    if english := _ENGLISH_IN_PARENS.match(label):
        label = english["english"].strip().lower()
        if label in _FIELDS:
            return _FIELDS[label]
    if label.isascii():
        return re.sub(r"[^a-z0-9]+", "_", label).strip("_")
    return label.replace(" ", "_")


def _first_values(fields: list[tuple[str, str]]) -> dict[str, str]:
    """Each field's first real value: placeholders and bare links (`**Abstract**: [arXiv](url)`
    before the real abstract) give way to a later value of the same field."""
    values: dict[str, str] = {}
    for key, raw in fields:
        value = clean_text(raw)
        if key in values or not value or is_placeholder(value) or _LINK_ONLY.match(value):
            continue
        values[key] = value
    return values


def _untagged(text: str) -> str:
    """`text` without HTML tags. None can start after the last `>`: there, every `<` would
    scan to the end for one (quadratic on a run of `<`), so that part is kept as it is."""
    end = text.rfind(">") + 1
    return _TAGS.sub("", text[:end]) + text[end:]


def _strip_tags(text: str) -> str:
    """A TL;DR without the tags and score a fork glues before it: `[Embodied][9.5] ✅ text`."""
    text = _LEADING_TAGS.sub("", text)
    while text and unicodedata.category(text[0]) == "So":
        text = text[1:].lstrip()
    return text


def _categories(value: str | None) -> list[str]:
    """Category codes from a category field; a label that is not a code list (`NeurIPS 2024
    Oral`, `bioRxiv`) is kept whole."""
    value = (value or "").strip("`* ")
    if not value or is_placeholder(value):
        return []
    codes = split_categories(value)
    return codes if all(_CATEGORY_CODE.fullmatch(c) for c in codes) else [value]


def _authors(value: str | None) -> list[str]:
    """Printed names in order: `A,B`, `A, B`, `A; B` or a Python list `['A', "B. O'C"]`."""
    if not value or is_placeholder(value):
        return []
    names: list[str] = []
    if value.startswith("[") and value.endswith("]"):
        try:
            parsed = ast.literal_eval(value)
        # What literal_eval raises for malformed input: `[-----...1]` overflows the parser's
        # stack with a MemoryError, a deep `[1+1+...]` is a RecursionError.
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            parsed = None
        if isinstance(parsed, list):
            names = [str(name) for name in parsed]
    if not names:
        names = re.split(r"[,，]", value)
    return split_glued_names([clean_text(n) or "" for n in names])


def _keywords(value: str | None) -> list[str]:
    """Keywords from `a, b`, `a、b` or `` `a, b` `` (a fork's tags)."""
    if not value or is_placeholder(value):
        return []
    parts = (clean_text(p.strip("` ")) for p in re.split(r"[,，、;；]", value))
    return list(dict.fromkeys(p for p in parts if p))
