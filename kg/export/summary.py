"""The summary of a build: counts by node and edge type, and the account of what was read."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.export.registry import register_exporter
from kg.outputs import OutputFolder

if TYPE_CHECKING:
    import networkx as nx

MAX_LISTED_REJECTIONS = 50


def summarize(graph: nx.DiGraph) -> dict[str, Any]:
    """Counts of nodes by kind and edges by relation, the extractor and the reading account."""
    nodes = Counter(kind for _, kind in graph.nodes(data="kind"))
    edges = Counter(rel for _, _, rel in graph.edges(data="rel"))
    concept_types = Counter(
        data["type"] for _, data in graph.nodes(data=True) if data["kind"] == "concept"
    )
    return {
        "nodes": dict(sorted(nodes.items())),
        "edges": dict(sorted(edges.items())),
        "concept_types": dict(sorted(concept_types.items())),
        "extractor": graph.graph.get("extractor"),
        "account": graph.graph.get("account", {}),
        "view": graph.graph.get("view", {}),
    }


def to_markdown(summary: dict[str, Any]) -> str:
    account = summary["account"]
    lines = ["# kg build summary", "", "## Input", ""]
    lines += [
        f"- files read: {account.get('files', 0):,}",
        f"- entries read: {account.get('entries_read', 0):,}",
        f"- distinct papers: {account.get('distinct_papers', 0):,}",
        f"- duplicates merged: {account.get('duplicates_merged', 0):,}",
        f"- entries rejected: {account.get('entries_rejected', 0):,}",
    ]
    rejections = account.get("rejections", [])
    for item in rejections[:MAX_LISTED_REJECTIONS]:
        where = f"{item['file']}:{item['line']}" if item["line"] else item["file"]
        lines.append(f"  - {where}: {item['reason']}")
    if len(rejections) > MAX_LISTED_REJECTIONS:
        lines.append(f"  - ... and {len(rejections) - MAX_LISTED_REJECTIONS:,} more "
                     "(all listed in summary.json)")
    lines += ["", "## Graph", "", "| nodes | count |", "|---|---:|"]
    lines += [f"| {kind} | {n:,} |" for kind, n in summary["nodes"].items()]
    lines += ["", "| edges | count |", "|---|---:|"]
    lines += [f"| {rel} | {n:,} |" for rel, n in summary["edges"].items()]
    if summary["concept_types"]:
        lines += ["", "| concept type | count |", "|---|---:|"]
        lines += [f"| {t} | {n:,} |" for t, n in summary["concept_types"].items()]
    lines += ["", f"Concepts extracted by {summary['extractor']}."]
    view = summary["view"]
    if view:
        lines += ["", f"The HTML view draws {view['nodes']:,} of {view['of']:,} nodes."]
    return "\n".join(lines) + "\n"


@register_exporter("summary")
def export_summary(graph: nx.DiGraph, out: OutputFolder, **_: Any) -> list[Path]:
    """Write `summary.json` (for programs) and `summary.md` (for people)."""
    summary = summarize(graph)
    return [out.write_text("summary.json", json.dumps(summary, ensure_ascii=False, indent=2)
                           + "\n"),
            out.write_text("summary.md", to_markdown(summary))]
