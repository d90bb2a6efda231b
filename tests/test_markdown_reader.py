"""The markdown digest reader (and the HTML digest read through it) against real digests: every
markdown and HTML sample as MANIFEST.json lists it, the seed, the 30 June days, fork templates,
and bad input."""

from __future__ import annotations

import json
import tarfile
import unicodedata
from pathlib import Path

import pytest
from conftest import VARIANTS, entries

from kg.model import Paper
from kg.sources import readers

MANIFEST = json.loads((VARIANTS / "MANIFEST.json").read_text("utf-8"))
DIGESTS = sorted(
    name for name, info in MANIFEST.items()
    if info["format"] in ("digest-md", "digest-html") or name.endswith(".md")
)
TEMPLATES = sorted(
    p.relative_to(VARIANTS).as_posix()
    for p in [*VARIANTS.glob("*template*.md"), *VARIANTS.glob("templates/*.md")]
)


def collapse(text: str | None) -> str:
    return " ".join((text or "").split())


def by_id(path: Path) -> dict[str, Paper]:
    return {paper.id: paper for paper in entries(path)[0]}


@pytest.mark.parametrize("name", DIGESTS)
def test_sample_matches_the_manifest(name: str) -> None:
    info = MANIFEST[name]
    papers, rejections = entries(VARIANTS / name)
    if not info["usable"]:  # a different kind of report, or its template
        assert not papers
        assert len(rejections) == 1 and rejections[0].line == 0
        assert "not a digest" in rejections[0].reason
        return
    # Entries with neither an arXiv id nor a DOI or URL cannot be kept: each is one rejection.
    unidentifiable = [p for p in info["papers"] if not (p["id"] or p.get("other_id"))]
    assert len(rejections) == len(unidentifiable)
    for rejection, want in zip(rejections, unidentifiable, strict=True):
        assert rejection.line > 0 and "no link and no arXiv id" in rejection.reason
        assert collapse(want["title"]) in rejection.reason
    expected = [p for p in info["papers"] if p["id"] or p.get("other_id")]
    got = [
        (p.id, p.title, len(p.authors), p.primary_category, bool(p.abstract)) for p in papers
    ]
    want = [
        (p["id"] or p["other_id"], collapse(p["title"]), p["n_authors"], p["primary_category"],
         p["has_abstract"])
        for p in expected
    ]
    assert got == want


@pytest.mark.parametrize("name", TEMPLATES)
def test_fork_templates_are_refused_as_templates(name: str) -> None:
    papers, rejections = entries(VARIANTS / name)
    assert not papers
    assert len(rejections) == 1 and rejections[0].line == 0
    assert "a template, not a digest" in rejections[0].reason


def test_the_research_radar_report_is_refused_with_its_reason() -> None:
    _, [rejection] = entries(VARIANTS / "dw-dengwei-pr128__2026-06-17_research_radar.md")
    assert "Daily Research Radar" in rejection.reason
    assert "different kind of report" in rejection.reason


def test_seed(seed: Path) -> None:
    papers, rejections = entries(seed)
    assert not rejections and len(papers) == 7
    names = {normalize(name) for paper in papers for name in paper.authors}
    assert len(names) == 39
    assert {c for p in papers for c in p.categories} == {
        "cs.CV", "physics.chem-ph", "cs.LG", "cond-mat.dis-nn"
    }
    first = papers[0]
    assert first.id == "2509.21670" and first.source.line == 15
    assert first.abstract and first.abstract.startswith("We introduce MORPH")
    assert first.summary["tldr"].startswith("本文提出了MORPH")
    assert set(first.summary) == {"tldr", "motivation", "method", "result", "conclusion"}
    assert all(p.summary_language == "zh" for p in papers)


def normalize(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split())


def test_thirty_june_days(corpus: Path) -> None:
    papers, rejections = entries(corpus / "daily-md")
    assert not rejections
    assert len(papers) == 8497
    assert len({p.id for p in papers}) == 6056
    assert all(p.source.date and p.source.date.startswith("2026-06-") for p in papers)
    assert all(p.authors and p.primary_category and p.abstract for p in papers)
    # Four entries carry failure placeholders instead of a summary: none of them is kept.
    failed = [p for p in papers if not p.summary]
    assert len(failed) == 4 and all(p.summary_language is None for p in failed)
    # Equal-contribution asterisks inside the italic authors line stay with the names.
    visdom = next(p for p in papers if p.title.startswith("VisDom"))
    assert visdom.authors[:2] == ["Mariia Gladkova*", "Tarun Yenamandra*"]
    assert visdom.authors[-1] == "Daniel Cremers"


def test_an_archive_member_is_dated_by_its_own_name(corpus: Path, tmp_path: Path) -> None:
    archive = tmp_path / "days-2025-12-30_2026-07-01.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(corpus / "daily-md" / "2026-06-03.md", arcname="daily-md/2026-06-03.md")
    papers, _ = entries(archive)
    assert papers and {p.source.date for p in papers} == {"2026-06-03"}


def test_html_digest_reads_as_its_markdown() -> None:
    html = by_id(VARIANTS / "hppeace__2026-07-01.html")
    markdown = by_id(VARIANTS / "hppeace__2026-07-01.md")
    assert list(html) == list(markdown)
    for paper_id, paper in html.items():
        twin = markdown[paper_id]
        assert (paper.title, paper.authors, paper.categories, paper.abstract, paper.summary) == (
            twin.title, twin.authors, twin.categories, twin.abstract, twin.summary
        )
    assert html["2606.31781"].source.line == 42  # the <h3> of the entry in the page


def test_fork_fields() -> None:
    [tagged, *_] = entries(VARIANTS / "70asunflower__2026-06-17.md")[0]
    assert tagged.summary["tldr"] == "Latent world model for fast VLA deliberation"
    zl = by_id(VARIANTS / "ZL-Asica__2025-09-18.md")["2509.13323"]
    assert zl.keywords == ["AI", "Behavioral Science", "Human-AI Interaction"]
    assert "method" not in zl.summary  # an empty `**Method:** ` swallows no other label
    assert zl.summary["key_contributions"].startswith("1. Exploration of AI's role")
    zeta = by_id(VARIANTS / "zeta-zl__2025-07-20.md")["2507.12547"]
    assert zeta.keywords[:2] == ["模型合成架构", "语言模型"]
    assert zeta.primary_category == "cs.CL"  # `Main category:` inside <details>
    korean = by_id(VARIANTS / "partrita__2026-09-14.md")["10.64898/2026.09.11.750898"]
    assert korean.id_scheme == "doi" and korean.summary_language == "ko"
    assert set(korean.summary) == {"tldr", "motivation", "method", "result", "conclusion"}
    neurips = entries(VARIANTS / "MarssZ__neurips-2024-oral-test.md")[0][0]
    assert neurips.id_scheme == "url" and neurips.id.startswith("https://neurips.cc/")
    assert by_id(VARIANTS / "eclipse0922__2025-08-20.md").popitem()[1].summary_language == "en"
    kevin = entries(VARIANTS / "KevinClaint__2026-10-09.md")[0][0]
    assert kevin.version == 1 and kevin.summary["title_translation"].startswith("30,000 小时")
    xmk = by_id(VARIANTS / "xmkxabc__2025-06-11.md")["2506.08188"]
    assert xmk.comment == "Accepted to USENIX Security'25"
    # The translation wraps onto a second line without the `>` of its first.
    assert xmk.summary["abstract_translation"].endswith("以开发更鲁棒的AIGT检测器。")
    assert xmk.abstract is None  # only a Chinese translation of it is printed


def test_failure_placeholders_are_not_kept() -> None:
    for paper in entries(VARIANTS / "xuemian168__2025-10-14.md")[0]:
        assert paper.summary == {} and paper.summary_language is None
        assert paper.abstract  # the metadata and the abstract are real
    broken = entries(VARIANTS / "xmkxabc__2025-06-10_0f3732c.md")[0]
    assert [p.summary for p in broken] == [{}, {}, {}]  # {tldr}, 错误：AI分析失败。, ...
    assert [p.primary_category for p in broken] == ["cs.LG", "nlin.CG", "cs.CL"]  # {cate}
    assert "Timothy J. O'Donnell" in broken[2].authors  # a Python list with mixed quotes
    assert broken[0].comment == (
        "Accepted for publication at CAV 2025, the 37th International Conference on Computer "
        "Aided Verification"
    )


def test_entry_without_link_is_rejected_and_the_rest_kept(tmp_path: Path) -> None:
    text = (VARIANTS / "dw-dengwei__2026-07-01.md").read_text("utf-8")
    lines = text.split("\n")
    second = next(i for i, line in enumerate(lines) if line.startswith("### [2] "))
    title = lines[second].split("[", 2)[2].split("](")[0]
    lines[second] = f"### [2] {title}"
    bad = tmp_path / "2026-07-01.md"
    bad.write_text("\n".join(lines), "utf-8")
    papers, [rejection] = entries(bad)
    assert (rejection.path, rejection.line) == (str(bad), second + 1)
    assert "no link and no arXiv id" in rejection.reason and title in rejection.reason
    assert len(papers) == len(MANIFEST["dw-dengwei__2026-07-01.md"]["papers"]) - 1


def test_markdown_does_not_claim_other_formats() -> None:
    sniff = readers.get("digest-md").sniff
    for name, info in MANIFEST.items():
        if info["format"] not in ("digest-md", "other"):
            head = (VARIANTS / name).read_bytes()[:8192].decode("utf-8", errors="ignore")
            assert not sniff(head, name), name
