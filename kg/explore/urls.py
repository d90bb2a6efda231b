"""The address of each explorer page, made in one place so that every page and drawing names
its nodes alike."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote


def paper_url(row: Any) -> str:
    """A paper's page, by its arXiv id or, for others, its identifier."""
    paper_id = _get(row, "arxivId") or _get(row, "identifier") or _get(row, "id")
    return "/paper/" + quote(str(paper_id), safe="/:")


def author_url(name: str) -> str:
    return "/author/" + quote(name, safe="")


def concept_url(key: str) -> str:
    return "/concept/" + quote(key, safe="")


def category_url(code: str) -> str:
    return "/category/" + quote(code, safe="")


def day_url(day: str) -> str:
    return "/day/" + quote(day, safe="")


def hit_url(hit: Any) -> str:
    """The page of a search hit (`kg.explore.search.Hit`)."""
    return {"paper": lambda i: "/paper/" + quote(i, safe="/:"), "author": author_url,
            "concept": concept_url, "category": category_url}[hit.kind](hit.id)


def _get(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, dict) else getattr(row, name, None)
