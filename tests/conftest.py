"""Shared fixtures: the real corpus beside the project (`../shared/`) and the bundled example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.model import Paper, Rejection
from kg.sources import find_inputs, read

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
VARIANTS = CORPUS / "variants"
SEED = ROOT / "examples" / "seed" / "000_283d9f5f5383ec36.txt"


@pytest.fixture(scope="session")
def corpus() -> Path:
    assert CORPUS.is_dir(), f"the shared corpus is missing: {CORPUS}"
    return CORPUS


@pytest.fixture(scope="session")
def seed() -> Path:
    return SEED


@pytest.fixture(scope="session")
def manifest() -> dict:
    return json.loads((VARIANTS / "MANIFEST.json").read_text("utf-8"))


def entries(*paths: Path) -> tuple[list[Paper], list[Rejection]]:
    """Every record read from `paths`, split into papers and rejections."""
    papers: list[Paper] = []
    rejections: list[Rejection] = []
    for _, entry in read(find_inputs(paths)):
        (rejections if isinstance(entry, Rejection) else papers).append(entry)
    return papers, rejections
