"""Make the hostile corpus in this folder: broken, strange and hostile digests, each small.

Run it from the project root to regenerate the files (they are committed; the output is
deterministic): `.venv/bin/python tests/data/hostile/make_hostile.py`. `tests/test_hostile.py`
reads every file here and says what kg must do with each; README.md lists them.

The cases that cannot be files in git (a file kg may not read, a name that is not UTF-8, a
symbolic link, a text over a megabyte) are made by the tests themselves.
"""

from __future__ import annotations

import io
import json
import lzma
import random
import tarfile
from pathlib import Path

HERE = Path(__file__).parent
GOOD = {
    "id": "2605.30955", "categories": ["cs.CE", "math.NA"],
    "abs": "https://arxiv.org/abs/2605.30955", "authors": ["Peter Förster", "Wil Schilders"],
    "title": "A non-intrusive approach to index-aware learning",
    "summary": "We present a non-intrusive version of the index-aware learning framework.",
}
SECOND = {**GOOD, "id": "2605.30956", "abs": "https://arxiv.org/abs/2605.30956",
          "title": "A second paper that must survive its neighbour"}
ENTRY = """### [{n}] [{title}](https://arxiv.org/abs/{id})
*Ada Lovelace, Alan Turing*

Main category: cs.LG

TL;DR: 一个摘要。

<details>
  <summary>Details</summary>
Abstract: {abstract}

</details>
"""


def line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


def digest(*entries: str) -> str:
    return "<div id=toc></div>\n\n# cs.LG [[Back]](#toc)\n\n" + "\n".join(entries)


def entry(n: int, paper_id: str, title: str, abstract: str = "We study a method.") -> str:
    return ENTRY.format(n=n, id=paper_id, title=title, abstract=abstract)


def tar(members: dict[str, bytes], mode: str = "w:gz") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 0
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def bomb(size: int) -> bytes:
    """A .tar.xz whose one member is `size` zero bytes, streamed so it is never held whole."""
    buffer = io.BytesIO()
    with lzma.open(buffer, "wb", preset=9) as xz, tarfile.open(fileobj=xz, mode="w|") as archive:
        info = tarfile.TarInfo("2026-06-01.jsonl")
        info.size, info.mtime = size, 0
        archive.addfile(info, _Zeros(size))
    return buffer.getvalue()


class _Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def days(count: int, papers: int) -> dict[str, bytes]:
    """`count` JSONL days of `papers` papers each, with titles random enough not to compress
    to nothing, so that an archive of them spans many compressed blocks."""
    rng = random.Random(7)
    words = ["operator", "neural", "graph", "learning", "sparse", "attention", "kernel", "flow",
             "diffusion", "quantum", "robust", "adaptive", "spectral", "latent", "field"]
    result = {}
    for day in range(count):
        records = [{**GOOD, "id": f"2606.{day:02d}{n:03d}", "abs": "",
                    "title": " ".join(rng.choice(words) for _ in range(12)) + f" {rng.random()}"}
                   for n in range(papers)]
        result[f"2026-06-{day + 1:02d}.jsonl"] = "".join(map(line, records)).encode()
    return result


def files() -> dict[str, bytes]:
    day = (line(GOOD) + line(SECOND)).encode()
    archive = tar(days(12, 10))
    xz_archive = tar(days(12, 10), "w:xz")
    deep = "[" * 100_000 + "]" * 100_000
    return {
        # Archives: empty, truncated, not an archive, a corrupt end, a bomb, path traversal.
        "empty.tar.gz": b"",
        "truncated.tar.xz": xz_archive[: len(xz_archive) // 2],
        "not-an-archive.tar.gz": day,
        "corrupt-end.tar.gz": archive[: len(archive) * 3 // 4] + b"\x00garbage" * 100,
        "bomb-1gb.tar.xz": bomb(1 << 30),
        "traversal.tar.gz": tar({"../../../../tmp/kg-escaped.jsonl": day}),
        # JSON: deep nesting, numbers of thousands of digits, a lone surrogate, wrong types.
        "deep-nesting.jsonl": (line(GOOD) + '{"id": "2605.00001", "title": "deep", "x": '
                               + deep + "}\n" + line(SECOND)).encode(),
        "huge-numbers.jsonl": (line(GOOD)
                               + '{"id": "2605.00002v' + "9" * 5000 + '", "title": "version"}\n'
                               + '{"id": "2605.00003", "title": "a field", "n": '
                               + "7" * 5000 + "}\n" + line(SECOND)).encode(),
        "lone-surrogate.jsonl": (line(GOOD) + line(SECOND).replace(
            "A second paper", "A second \\ud800 paper")).encode(),
        "wrong-types.snapshot.jsonl": "".join(line(r) for r in (
            {"id": "0704.0001", "submitter": "A", "authors": 7, "title": ["not", "text"],
             "categories": 3, "versions": "v1", "authors_parsed": [[1, 2], "x"]},
            {"id": 704.0002, "submitter": "A", "title": "an id that is a number"},
            {"id": "0704.0003", "submitter": "A", "authors": "A. Person", "title": "kept",
             "categories": "hep-th", "versions": [{"version": "v²"}, 3, {"version": "v2"}],
             "authors_parsed": [["Person", "A.", ""]], "abstract": {"nested": True}},
        )).encode(),
        "bad-iris.jsonl": "".join(line(r) for r in (
            {**GOOD, "id": "x", "abs": "http://exa mple.org/<paper>", "title": "not an IRI"},
            {**GOOD, "id": "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0",
             "abs": "", "title": "an old DOI with angle brackets"},
            SECOND,
        )).encode(),
        "control-characters.jsonl": line({**GOOD, "title": "Ti\x01tle\x0b with \x1f controls",
                                          "authors": ["Ada\x00 Lovelace"]}).encode(),
        # A few Latin-1 bytes in one record: that record is mended, the others kept.
        "latin1-record.jsonl": line(GOOD).encode() + line(SECOND).encode().replace(
            b"Wil Schilders", b"Wil Sch\xf6lders") + line({**GOOD, "id": "2605.30957"}).encode(),
        # Markup that rich would take for its own, in a file name and a title.
        "rich [bold]markup[red] [x.md": digest(
            entry(1, "2605.40001", "Closing [/] and [bold red]opening[/bold red] tags"),
            entry(2, "2605.40002", "<img src=x onerror=alert(1)> in a title")).encode(),
        # XML entity attacks: they must neither expand nor read a file.
        "billion-laughs.xml": (b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><link href="http://arxiv.org/api/query"/>
<entry><id>http://arxiv.org/abs/2605.50001v1</id><title>&h;</title></entry>
</feed>
"""),
        "xxe.xml": (b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><link href="http://arxiv.org/api/query"/>
<entry><id>http://arxiv.org/abs/2605.50002v1</id><title>leak &secret;</title></entry>
</feed>
"""),
        # Not a digest at all, and binary.
        "binary.md": bytes(range(256)) * 4,
        "empty.jsonl": b"",
    }


def main() -> None:
    for name, data in files().items():
        (HERE / name).write_bytes(data)
        print(f"{len(data):>9,} bytes  {name}")


if __name__ == "__main__":
    main()
