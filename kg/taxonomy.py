"""The arXiv category taxonomy (group > archive > category) with the official names.

Data: `kg/data/arxiv_taxonomy.tsv`, from arXiv's category taxonomy page. Codes that are not
in it (a fork's own tags, bioRxiv subjects) still become categories, named by their code.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Category:
    code: str  # "cs.CV"
    name: str  # "Computer Vision and Pattern Recognition"
    archive: str  # "cs"
    archive_name: str  # "Computer Science"
    group: str  # "cs"
    group_name: str  # "Computer Science"
    known: bool = True  # False for codes not in arXiv's taxonomy


@cache
def _table() -> dict[str, Category]:
    text = resources.files("kg.data").joinpath("arxiv_taxonomy.tsv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines(), delimiter="\t")
    return {
        row["code"]: Category(row["code"], row["name"], row["archive"], row["archive_name"],
                              row["group"], row["group_name"])
        for row in rows
    }


def lookup(code: str) -> Category:
    """The category of a code; unknown codes are kept, under an archive of their own prefix."""
    table = _table()
    if code in table:
        return table[code]
    archive = code.split(".", 1)[0]
    parent = next((c for c in table.values() if c.archive == archive), None)
    if parent is not None:
        return Category(code, code, parent.archive, parent.archive_name, parent.group,
                        parent.group_name, known=False)
    return Category(code, code, archive, archive, archive, archive, known=False)


def all_categories() -> list[Category]:
    return list(_table().values())
