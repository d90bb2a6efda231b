"""Helpers every reader shares: identifiers, placeholders, names, dates, text clean-up."""

from __future__ import annotations

import html
import re
import unicodedata

# arXiv identifiers: new scheme 0704.0001 / 2509.21670 (optionally vN), old scheme hep-th/9901001.
_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID = re.compile(rf"(?<![\w.])(?P<id>{_NEW_ID}|{_OLD_ID})(?:v(?P<version>\d+))?(?![\w])")
_ARXIV_URL = re.compile(
    rf"arxiv\.org/(?:abs|pdf|html)/(?P<id>{_NEW_ID}|{_OLD_ID})(?:v(?P<version>\d+))?", re.I
)
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")

# Texts that stand where a summary failed or a template was never filled in.
_PLACEHOLDERS = re.compile(
    r"""^\s*(?:
        n/?a | none | null | nan | -+ | \.\.\. |
        summary\s+generation\s+failed.* | generation\s+failed.* | error.* | ai\.?error.* |
        \{[a-z_]+\} | 摘要生成失败.* | 生成失败.* | 无 | 暂无.*
    )\s*$""",
    re.I | re.X | re.S,
)


def parse_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """(id without version, version) from an id, an `arXiv:` tag or an arxiv.org URL."""
    text = text.strip()
    match = _ARXIV_URL.search(text) or ARXIV_ID.search(text)
    if not match:
        return None
    version = match.group("version")
    return match.group("id"), int(version) if version else None


def is_placeholder(text: str | None) -> bool:
    """True for empty values and failure placeholders that must not be kept as summaries."""
    return text is None or not str(text).strip() or bool(_PLACEHOLDERS.match(str(text)))


def clean_text(text: str | None) -> str | None:
    """Collapse whitespace and decode HTML escapes; LaTeX and CJK are kept as they are."""
    if text is None:
        return None
    text = html.unescape(str(text)).replace("\u00a0", " ")
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


def normalize_name(name: str) -> str:
    """A person's name as one key: Unicode NFC and single spaces; spelling is never changed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", name)).strip()


def date_from_name(name: str) -> str | None:
    """The digest day a file name carries (`2026-06-01_AI_enhanced_Chinese.jsonl`)."""
    match = _DATE_IN_NAME.search(name.rsplit("/", 1)[-1])
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
