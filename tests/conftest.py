"""Shared fixtures: the real corpus beside the project (`../shared/`) and the bundled example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
