"""The structured readers (daily JSONL, metadata snapshot, Atom, RSS, OAI-PMH, .abs) against the
corpus: every sample's papers as MANIFEST.json lists them, the 30 real days, and bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import entries

from kg.model import Paper
from kg.sources import readers
from kg.sources.registry import detect

# Manifest format -> the reader that must claim the file.
FORMATS = {
    "daily-jsonl": "daily-jsonl",
    "kaggle-jsonl": "arxiv-snapshot",
    "arxiv-atom": "arxiv-atom",
    "arxiv-rss": "arxiv-rss",
    "oai-pmh-arxiv": "oai-pmh-arxiv",
    "arxiv-abs": "arxiv-abs",
}


def head(path: Path) -> str:
    return path.read_bytes()[:8192].decode("utf-8", errors="ignore")


def collapse(text: str | None) -> str:
    return " ".join((text or "").split())


def first_of_each_id(papers: list[Paper]) -> list[Paper]:
    return list({paper.id: paper for paper in reversed(papers)}.values())[::-1]


def test_every_structured_sample_matches_the_manifest(corpus: Path, manifest: dict) -> None:
    mismatches = []
    samples = {name: info for name, info in manifest.items() if info["format"] in FORMATS}
    assert len(samples) == 24
    for name, info in samples.items():
        path = corpus / "variants" / name
        reader = detect(head(path), name)
        assert reader is not None and reader.name == FORMATS[info["format"]], name
        papers, rejections = entries(path)
        assert not rejections, rejections
        expected = info["papers"]
        if len(papers) != len(expected):  # a file that repeats a record the manifest lists once
            papers = first_of_each_id(papers)
        assert len(papers) == len(expected), name
        for paper, want in zip(papers, expected, strict=True):
            got = {
                "id": paper.id,
                "title": collapse(paper.title),
                "n_authors": len(paper.authors),
                "primary_category": paper.primary_category,
                "has_abstract": bool(paper.abstract),
            }
            wanted = {
                "id": want["id"] or want["other_id"],
                "title": collapse(want["title"]),
                "n_authors": want["n_authors"],
                "primary_category": want["primary_category"],
                "has_abstract": want["has_abstract"],
            }
            if got != wanted:
                mismatches.append((name, got, wanted))
    assert not mismatches, "\n".join(map(str, mismatches))


def test_id_schemes_and_versions(corpus: Path) -> None:
    variants = corpus / "variants"
    bio, _ = entries(variants / "partrita__2026-09-14_AI_enhanced_Korean.jsonl")
    neurips, _ = entries(variants / "MarssZ__2025-11-09_AI_enhanced_Chinese.jsonl")
    versioned, _ = entries(variants / "dw-dengwei-pr128__2026-06-17.jsonl")
    url_versioned, _ = entries(variants / "xmkxabc__2025-06-11.jsonl")
    atom, _ = entries(variants / "arxiv.py__arxiv-api-atom__id_list=1111.2011v2.xml")
    assert (bio[0].id_scheme, bio[0].iri) == ("doi", "https://doi.org/10.64898/2026.09.11.750898")
    assert {p.id_scheme for p in neurips} == {"url"}
    assert (versioned[0].id, versioned[0].version) == ("2606.18250", 1)
    assert (url_versioned[0].id, url_versioned[0].version) == ("2506.08519", 1)
    assert (atom[0].id, atom[0].version) == ("1111.2011", 2)


def test_the_30_daily_jsonl_files(corpus: Path) -> None:
    papers, rejections = entries(corpus / "daily-jsonl")
    assert not rejections
    assert len(papers) == 8497
    assert len({paper.id for paper in papers}) == 6056
    assert all(paper.source.date and paper.source.date.startswith("2026-06") for paper in papers)


def test_a_truncated_json_line_is_reported_and_the_rest_kept(corpus: Path, tmp_path: Path) -> None:
    original = corpus / "daily-jsonl" / "2026-06-01_AI_enhanced_Chinese.jsonl"
    lines = original.read_text("utf-8").splitlines(keepends=True)
    lines[99] = lines[99][:120] + "\n"
    broken = tmp_path / original.name
    broken.write_text("".join(lines), "utf-8")
    papers, rejections = entries(broken)
    assert [(r.path, r.line) for r in rejections] == [(str(broken), 100)]
    assert rejections[0].reason.startswith("invalid JSON: Unterminated string")
    whole, _ = entries(original)
    assert [p.id for p in papers] == [p.id for i, p in enumerate(whole) if i != 99]


def test_records_without_id_or_title_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "2026-06-01.jsonl"
    path.write_text('{"title": "No id"}\n{"id": "2606.00001"}\n[1, 2]\n', "utf-8")
    papers, rejections = entries(path)
    assert not papers
    assert [(r.line, r.reason) for r in rejections] == [
        (1, "no paper id: no arXiv id, DOI or link"),
        (2, "2606.00001: no title"),
        (3, "not a JSON object but a list"),
    ]


def test_malformed_xml_is_rejected_at_its_line(corpus: Path, tmp_path: Path) -> None:
    atom = corpus / "variants" / "arxiv.py__arxiv-api-atom__id_list=1111.2011v2.xml"
    broken = tmp_path / "atom.xml"
    broken.write_text(atom.read_text("utf-8").replace("</title>\n    <summary>", "\n<summary>"))
    papers, rejections = entries(broken)
    assert not papers
    assert len(rejections) == 1 and rejections[0].line > 10
    assert rejections[0].reason.startswith("malformed XML: mismatched tag")


def test_binary_and_empty_files_give_one_file_level_rejection(tmp_path: Path) -> None:
    binary = tmp_path / "garbage.jsonl"
    binary.write_bytes(bytes(range(256)) * 8)
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    for path in (binary, empty):
        papers, rejections = entries(path)
        assert not papers
        assert [(r.path, r.line) for r in rejections] == [(str(path), 0)]
        assert rejections[0].reason


def test_failure_placeholders_are_not_kept_as_summaries(corpus: Path) -> None:
    variants = corpus / "variants"
    errors, _ = entries(variants / "dkhonker__2025-10-30_AI_enhanced_Chinese.jsonl")
    failed, _ = entries(variants / "xuemian168__2025-10-14_AI_enhanced_English.jsonl")
    empty, _ = entries(variants / "ZL-Asica__2025-09-18_AI_enhanced.jsonl")
    assert errors[1].id == "2510.25005" and errors[1].summary == {} and errors[1].abstract
    assert errors[0].summary and errors[2].summary
    assert all(p.summary == {} and p.summary_language is None and p.abstract for p in failed)
    assert set(empty[0].summary) == {
        "tldr", "motivation", "key_contributions", "importance_score", "read_time_minutes"
    }


def test_ai_summaries_keep_their_language_and_fork_fields(corpus: Path) -> None:
    variants = corpus / "variants"
    chinese, _ = entries(variants / "dw-dengwei__2026-07-01_AI_enhanced_Chinese.jsonl")
    korean, _ = entries(variants / "partrita__2026-09-14_AI_enhanced_Korean.jsonl")
    unnamed, _ = entries(variants / "ZL-Asica__2025-09-18_AI_enhanced.jsonl")
    task_era, _ = entries(variants / "dw-dengwei__2025-03-19_AI_enhanced_Chinese.jsonl")
    xmk, _ = entries(variants / "xmkxabc__2025-06-08_AI_enhanced_Chinese.jsonl")
    assert set(chinese[0].summary) == {"tldr", "motivation", "method", "result", "conclusion"}
    assert chinese[0].summary_language == "zh"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese[0].summary["tldr"])
    assert chinese[0].abstract and chinese[0].abstract.startswith("We study multi-unit")
    assert korean[0].summary_language == "ko"
    assert unnamed[1].summary_language == "en"  # no language in the name: guessed from text
    assert "; " in unnamed[1].summary["key_contributions"]
    assert unnamed[1].keywords[:2] == ["artificial intelligence", "large language models"]
    assert "task" in task_era[0].summary
    assert {"title_translation", "translation", "summary"} <= set(xmk[0].summary)
    assert xmk[0].keywords == ["e-Shram", "非组织工人", "数字门户", "可供性理论", "印度"]


def test_names_categories_and_text(corpus: Path) -> None:
    variants = corpus / "variants"
    glued, _ = entries(variants / "dw-dengwei__2026-01-05_AI_enhanced_Chinese.jsonl")
    msc, _ = entries(variants / "eclipse0922__2025-08-20_AI_enhanced_English.jsonl")
    snapshot, _ = entries(variants / "wanng-ide__kaggle-arxiv-metadata-oai-snapshot.jsonl")
    abs_file, _ = entries(variants / "arxiv-browse__0704.0001.abs")
    rss, _ = entries(variants / "PhysBiblio__arxiv-rss1.0-rdf-legacy__hep-ex_2018-05-23.xml")
    oai, _ = entries(variants / "hepcrawl__oai-pmh-arXiv__sample_arxiv_record0.xml")
    assert glued[3].authors[1:3] == ["Y. Navidtehrani", "C. Betegón"]
    assert msc[1].categories == ["cs.AI", "cs.CL"]  # MSC 68T50 and ACM I.2.7 left out
    assert snapshot[0].authors == abs_file[0].authors == [
        "C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"
    ]
    assert (snapshot[0].version, abs_file[0].version) == (2, 2)
    assert snapshot[4].title == r"From dyadic $\Lambda_{\alpha}$ to $\Lambda_{\alpha}$"
    assert rss[0].authors == ["Christopher Dilks"]
    assert rss[0].abstract and r"$2.6<\eta<4$" in rss[0].abstract
    assert oai[0].authors[:2] == ["Planck Collaboration", "Jieci Wang"]
    assert oai[0].categories == ["quant-ph", "gr-qc", "hep-th", "chao-dyn", "nlin.CD"]


def test_structured_readers_leave_markdown_and_html_alone(corpus: Path) -> None:
    ours = [reader for name, reader in readers if name in FORMATS.values()]
    digests = [*(corpus / "variants").glob("*.md"), *(corpus / "variants").glob("*.html")]
    digests.append(next((corpus / "daily-md").glob("*.md")))
    claimed = [(r.name, p.name) for p in digests for r in ours if r.sniff(head(p), p.name)]
    assert not claimed


def test_an_archive_member_is_read_like_a_file(corpus: Path, tmp_path: Path) -> None:
    day = corpus / "daily-jsonl" / "2026-06-01_AI_enhanced_Chinese.jsonl"
    archive = tmp_path / "days.tar.gz"
    shutil.make_archive(str(tmp_path / "days"), "gztar", day.parent, day.name)
    papers, rejections = entries(archive)
    assert not rejections and len(papers) == 235
    assert papers[0].source.path.endswith(":" + day.name)
    assert papers[0].source.date == "2026-06-01"
