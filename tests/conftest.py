"""Shared fixtures: the real corpus beside the project (`../shared/`), the bundled example, and
Debian's Chromium driven by playwright (never `playwright install`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from kg.model import Paper, Rejection
from kg.sources import find_inputs, read

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
VARIANTS = CORPUS / "variants"
SEED = ROOT / "examples" / "seed" / "000_283d9f5f5383ec36.txt"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def corpus() -> Path:
    assert CORPUS.is_dir(), f"the shared corpus is missing: {CORPUS}"
    return CORPUS


@pytest.fixture(scope="session")
def seed() -> Path:
    return SEED


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Chromium, or a skip without it; in CI (`CI=true`) a missing browser fails instead."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing, so pages cannot be opened in a browser"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


EXPLORED_DAYS = ("2026-06-16", "2026-06-29")  # two weeks apart, both with "neural operator"


@pytest.fixture(scope="session")
def june_days(tmp_path_factory) -> Path:
    """A build of two real June days (about 470 papers), for the explorer and search."""
    import kg

    out = tmp_path_factory.mktemp("june-days")
    kg.build([CORPUS / "daily-jsonl" / f"{day}_AI_enhanced_Chinese.jsonl"
              for day in EXPLORED_DAYS], out)
    return out


ARCHIVE = CORPUS / "archive" / "daily-jsonl-2025-03-19_2026-07-01.tar.xz"
ARCHIVE_DAYS = ("2025-07-17", "2025-11-19")  # a slice of the archive: four months apart


@pytest.fixture(scope="session")
def archive_slice(tmp_path_factory) -> Path:
    """A build of two days of the 2025 archive (about 500 papers), months from June 2026."""
    import tarfile

    import kg

    folder = tmp_path_factory.mktemp("archive-slice")
    wanted = {f"{day}_AI_enhanced_Chinese.jsonl" for day in ARCHIVE_DAYS}
    with tarfile.open(ARCHIVE, "r|xz") as archive:
        for member in archive:
            if member.name in wanted:
                source = archive.extractfile(member)
                assert source is not None
                (folder / member.name).write_bytes(source.read())
                wanted.discard(member.name)
            if not wanted:
                break
    assert not wanted, f"{ARCHIVE} lacks {sorted(wanted)}"
    out = folder / "build"
    kg.build(sorted(folder.glob("*.jsonl")), out)
    return out


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
