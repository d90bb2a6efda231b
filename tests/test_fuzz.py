"""Property-based (hypothesis) tests of every reader: random and mutated real digests in, the
invariants of the read stage out.

The inputs start from real entries of the shared corpus, a few per layout: daily JSONL lines,
the metadata snapshot, markdown digests of the upstream project and of its forks, the HTML
digest, Atom, RSS 1.0 and 2.0, OAI-PMH and `.abs` samples (`SAMPLES`). Each property feeds them
to `kg.sources.read` and `kg.pipeline.read_papers`, as files in a temporary folder:

- `test_random_bytes_and_text`: random bytes, random text and random text behind the head of
  each format, under real or odd file names;
- `test_mutated_real_files`: real files with byte flips, inserted bytes (NUL, invalid UTF-8,
  JSON escapes of lone surrogates, control characters, CJK, right-to-left marks, long runs),
  deletions, truncations, duplicated, swapped and replaced lines;
- `test_mutated_json_records`: JSON records whose fields (or new ones) take JSON values of any
  other type: huge numbers, deep nesting, lists, objects, null, booleans, odd strings; and the
  other lines of the file must be read exactly as before (one bad record costs one entry);
- `test_mutated_markdown_entries`: markdown entries with random text in headings, links,
  author lines and labelled fields, and whole random entries;
- `test_mutated_xml_elements`: Atom, RSS and OAI-PMH with random text and attributes in
  elements, and random elements;
- `test_outputs_parse`: fewer examples, of one to three mutated files of any kind read together
  (so that entries merge), built into a graph and exported.

Whatever the input, the invariants are those of the read stage's contract (`kg.sources`,
`kg.sources.boundary`, `kg.merge`):

- no exception escapes `read` or `read_papers`: bad input is a `Rejection`, never a crash;
- the account adds up (entries = distinct papers + duplicates merged + entries rejected) and
  agrees with what `read` yielded; every Rejection has a reason, the file's name, a line
  within the file and a scope of "entry" or "file", and none is the boundaries' catch-all for
  an exception no reader expected ("kg could not read ..."), which is a bug in that reader;
- every Paper kept has an id and a title, text without control characters or lone surrogates,
  no empty author, category or keyword, values within `kg.limits`, a digest day that is on the
  calendar (the RDF types it xsd:date), and an IRI that pyoxigraph accepts;
- the outputs parse: Turtle and N-Triples with pyoxigraph, GraphML with networkx,
  `summary.json` as JSON, and the node list of `graph.html` as JSON.

The runs are derandomized and keep no example database, so CI sees the same inputs every time;
`KG_FUZZ_SCALE=10` runs ten times as many examples, for a deeper search by hand. Each bug the
properties found is kept as an `@example` of the property that found it and as a regression
test at the end of the file.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
import pyoxigraph
import pytest
from conftest import CORPUS, SEED, VARIANTS
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kg import limits
from kg.concepts.base import Extraction
from kg.errors import debugging, set_debug
from kg.export import export
from kg.graph import build_graph
from kg.merge import Account
from kg.model import Notice, Paper, Rejection
from kg.pipeline import read_papers
from kg.sources import display_name, find_inputs, read
from kg.sources.boundary import BadFile
from kg.sources.registry import detect
from kg.sources.text import sniff

pytestmark = pytest.mark.skipif(not VARIANTS.is_dir(), reason=f"no corpus at {CORPUS}")

SCALE = float(os.environ.get("KG_FUZZ_SCALE", "1"))


def fuzz_settings(examples: int) -> settings:
    """Reproducible settings for one property: same inputs on every run, nothing stored."""
    return settings(max_examples=max(1, int(examples * SCALE)), derandomize=True, database=None,
                    deadline=None, print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


# --- The real entries the inputs start from --------------------------------------------------

ENTRIES_PER_SAMPLE = 3  # a few entries keep every example fast; mutations reach all of them
MANIFEST_READERS = {  # MANIFEST.json's format -> the reader that claims the file
    "daily-jsonl": "daily-jsonl", "kaggle-jsonl": "arxiv-snapshot", "digest-md": "digest-md",
    "digest-html": "digest-html", "arxiv-atom": "arxiv-atom", "arxiv-rss": "arxiv-rss",
    "oai-pmh-arxiv": "oai-pmh-arxiv", "arxiv-abs": "arxiv-abs",
}
DAYS_WITHOUT_PAPERS = {"dw-dengwei__2025-10-09.md", "xmkxabc__2025-06-18.md"}
_MARKDOWN_ENTRY = re.compile(r"^(?:#{2,3}[ \t]+\[|\[\d+\][ \t])")


@dataclass(frozen=True)
class Sample:
    """A few real entries of one layout, under the file name they were published with (readers
    take the day and the summary language from it)."""

    reader: str
    name: str
    data: bytes

    @property
    def family(self) -> str:
        """The syntax the file is written in: "json", "markdown", "html", "xml" or "abs"."""
        return {"daily-jsonl": "json", "arxiv-snapshot": "json", "digest-md": "markdown",
                "digest-html": "html", "arxiv-abs": "abs"}.get(self.reader, "xml")


def _first_entries(path: Path, reader: str) -> bytes:
    """The head of a file up to its ENTRIES_PER_SAMPLE-th entry (whole for XML, HTML, .abs)."""
    data = path.read_bytes()
    lines = data.splitlines(keepends=True)
    if reader in ("daily-jsonl", "arxiv-snapshot"):
        return b"".join([line for line in lines if line.strip()][:ENTRIES_PER_SAMPLE])
    if reader == "digest-md":  # cut where kg itself sees the next entry start
        starts = [entry.source.line if isinstance(entry, Paper) else entry.line
                  for _, entry in read([path]) if not isinstance(entry, Notice)]
        if len(starts) > ENTRIES_PER_SAMPLE:
            return b"".join(lines[: starts[ENTRIES_PER_SAMPLE] - 1])
    return data


def _load_samples() -> list[Sample]:
    if not VARIANTS.is_dir():
        return []
    manifest = json.loads((VARIANTS / "MANIFEST.json").read_text("utf-8"))
    found = [(info["format"], VARIANTS / name) for name, info in sorted(manifest.items())]
    found += [("daily-jsonl", CORPUS / "daily-jsonl" / "2026-06-01_AI_enhanced_Chinese.jsonl"),
              ("digest-md", CORPUS / "daily-md" / "2026-06-01.md"), ("digest-md", SEED)]
    return [Sample(MANIFEST_READERS[fmt], path.name, _first_entries(path, MANIFEST_READERS[fmt]))
            for fmt, path in found if fmt in MANIFEST_READERS and path.is_file()]


SAMPLES = _load_samples()


def samples_of(*families: str) -> list[Sample]:
    return [s for s in SAMPLES if s.family in families]


JSON_RECORDS = [(sample, [json.loads(line) for line in sample.data.splitlines() if line.strip()])
                for sample in samples_of("json")]


# --- Generated files and the invariants they must keep ----------------------------------------


@dataclass(frozen=True)
class GeneratedFile:
    """One input: a file name (bytes: a name need not be UTF-8) and the file's content."""

    name: bytes
    data: bytes

    @classmethod
    def of(cls, name: str, data: bytes | str) -> GeneratedFile:
        """A hand-made input, text written as UTF-8."""
        return cls(os.fsencode(name), data.encode("utf-8") if isinstance(data, str) else data)


@contextmanager
def written(generated: GeneratedFile) -> Iterator[Path]:
    """The file, written into a fresh temporary folder."""
    with written_together([generated]) as files:
        yield next(iter(files))


@contextmanager
def written_together(generated: Sequence[GeneratedFile]) -> Iterator[dict[Path, bytes]]:
    """The files, each in its own folder of a fresh temporary one (so that names may repeat),
    with their contents."""
    with tempfile.TemporaryDirectory(prefix="kg-fuzz-") as folder:
        files: dict[Path, bytes] = {}
        for number, file in enumerate(generated):
            path = Path(os.fsdecode(os.path.join(os.fsencode(folder), b"%d" % number, file.name)))
            path.parent.mkdir()
            path.write_bytes(file.data)
            files[path] = file.data
        yield files


# Characters no kept text may hold (what `kg.model.clean` promises): C0 controls but tab and
# newlines, DEL, lone surrogates, and U+FFFE/U+FFFF, which XML 1.0 forbids.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def paper_texts(paper: Paper) -> Iterator[tuple[str, str]]:
    """(field, text) of every text a paper carries into the outputs."""
    yield "id", paper.id
    yield "title", paper.title
    for field in ("abstract", "comment", "primary_category", "summary_language"):
        if (text := getattr(paper, field)) is not None:
            yield field, text
    for field in ("authors", "categories", "keywords"):
        yield from ((field, text) for text in getattr(paper, field))
    for key, text in paper.summary.items():
        yield "summary key", key
        yield f"summary[{key!r}]", text


def check_paper(paper: Paper) -> None:
    assert isinstance(paper.id, str) and paper.id.strip(), f"a paper without an id: {paper!r}"
    assert isinstance(paper.title, str) and paper.title.strip(), f"no title: {paper!r}"
    for field, text in paper_texts(paper):
        assert isinstance(text, str), f"{field} is a {type(text).__name__}: {paper!r}"
        assert not _UNSAFE.search(text), f"{field} holds {_UNSAFE.search(text)[0]!r}: {text!r}"
    for field in ("authors", "categories", "keywords"):
        assert all(text.strip() for text in getattr(paper, field)), f"an empty item in {field}"
    for source in (paper.source, *paper.sources):
        assert source.date is None or _is_day(source.date), f"not a day: {source.date!r}"
    assert len(paper.title) <= limits.MAX_TITLE_CHARS
    assert len(paper.authors) <= limits.MAX_AUTHORS
    assert all(len(author) <= limits.MAX_NAME_CHARS for author in paper.authors)
    assert paper.version is None or 0 < paper.version <= limits.MAX_VERSION
    assert paper.id_scheme in ("arxiv", "doi", "url")
    pyoxigraph.NamedNode(paper.iri)  # raises ValueError for an IRI no RDF output can hold


def _is_day(text: str) -> bool:
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


# What the boundaries say of an exception no reader expected: a bug in that reader.
UNEXPECTED = "kg could not read"


def check_record(record: Rejection | Notice, lines: Mapping[str, int]) -> None:
    """`lines`: how many lines each file read has, by the name kg shows it by."""
    text = record.reason if isinstance(record, Rejection) else record.message
    assert text.strip(), f"no reason given: {record!r}"
    assert not text.startswith(UNEXPECTED), f"a reader failed: {record}"
    assert record.path in lines, f"{record.path!r} names none of {sorted(lines)}"
    assert 0 <= record.line <= lines[record.path], f"past the file's end: {record}"
    if isinstance(record, Rejection):
        assert record.scope in ("entry", "file"), record


def check_account(account: Account, files: int) -> None:
    assert account.entries == (account.distinct_papers + account.duplicates_merged
                               + account.entries_rejected), account.as_dict()
    assert account.file_problems >= 0 and account.files == files


def check_reading(generated: GeneratedFile, path: Path) -> tuple[list[Paper], Account]:
    """Read `path` both ways, check every invariant, and return the papers and the account."""
    return check_reading_all({path: generated.data})


def check_reading_all(files: Mapping[Path, bytes]) -> tuple[list[Paper], Account]:
    """Read the files together both ways, check every invariant, and return the (merged)
    papers and the account."""
    # Lines the way any reader counts them: "\r" alone ends a line in markdown and HTML.
    lines = {display_name(path): data.count(b"\n") + data.count(b"\r") + 1
             for path, data in files.items()}
    yielded = list(read(find_inputs(files)))
    for _, entry in yielded:
        if isinstance(entry, Paper):
            check_paper(entry)
        else:
            assert isinstance(entry, Rejection | Notice), f"read yielded {entry!r}"
            check_record(entry, lines)
    papers, account = read_papers(files)
    check_account(account, len(files))
    kept = sum(isinstance(entry, Paper) for _, entry in yielded)
    assert account.entries - account.entries_rejected == kept, (account.as_dict(), kept)
    for paper in papers:
        check_paper(paper)
    return papers, account


def check_outputs(papers: list[Paper], account: Account) -> None:
    """Build the graph (no concepts: spaCy is slow), export it every way, and parse it back."""
    graph = build_graph(papers, Extraction(extractor="test"))
    graph.graph["account"] = account.as_dict()
    with tempfile.TemporaryDirectory(prefix="kg-fuzz-out-") as name:
        folder = Path(name)
        for exporter in ("rdf", "graphml", "summary", "html"):
            export(exporter, graph, folder, formats=("turtle", "ntriples"), max_nodes=300)
        for file, rdf_format in (("graph.ttl", pyoxigraph.RdfFormat.TURTLE),
                                 ("graph.nt", pyoxigraph.RdfFormat.N_TRIPLES)):
            triples = list(pyoxigraph.parse(path=folder / file, format=rdf_format))
            assert len(triples) >= 4 * len(papers), f"{file}: {len(triples)} triples"
        parsed = nx.read_graphml(folder / "graph.graphml")
        assert parsed.number_of_nodes() == graph.number_of_nodes()
        summary = json.loads((folder / "summary.json").read_text("utf-8"))
        assert summary["account"]["distinct_papers"] == len(papers)
        page = (folder / "graph.html").read_text("utf-8")
        node_list = re.search(r"^const nodeList = (.*);$", page, re.M)
        assert node_list, "graph.html has no node list"
        drawn = re.search(r'<meta name="kg:nodes" content="(\d+)">', page)
        assert drawn and len(json.loads(node_list[1])) == int(drawn[1])


@pytest.fixture(autouse=True)
def no_debug() -> Iterator[None]:
    """`KG_DEBUG` would let exceptions through the boundaries these tests are about."""
    was = debugging()
    set_debug(False)
    yield
    set_debug(was)


# --- Strategies: nasty text and bytes ---------------------------------------------------------

NASTY_TEXTS = (
    "\x00", "\x01", "\x07", "\x0b", "\x0c", "\x1b[31m", "\x7f", "\x85", "\r", "\r\n", "\t",
    "\u200f", "\u202e", "\u2066", "\u2028", "\u2029", "\ufeff", "\ufffd", "\ufffe", "\uffff",
    "\U0001f4c4", "中文标题：", "摘要", "핵심 요약", "ﷺ", "e\u0301", "İ", "ß", "\u00a0",
    "&amp;", "&lt;", "&#0;", "&#xD800;", "<b>", "</p>", "<script>alert(1)</script>",
    "\\", "\\ud800", "%00", "%", "%zz", "%2", "#", "?", "\"", "'", "`", "[", "]", "{", "}",
    "|", "^", "<", ">", " ", "{title}", "N/A", "null", "...",
)
NASTY_BYTES = (
    b"\x00", b"\xff", b"\xfe\xff", b"\xc3", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
    b"\xe2\x82", b'"\\ud800"', b'"\\udc00\\ud800"', b"\\u0000", b"\\u001b", b"\\uDFFF",
    b"\xef\xbb\xbf", b"\r", b"\n\n\n", b"]]>", b"<![CDATA[", b"<!--", b"-->",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>', b"&b;",
    b"\\\\\n", b"-" * 30 + b"\n", b"### [1] [", b"](https://arxiv.org/abs/", b"v99999999999",
)
# Runs long enough to pass a limit or stress a regular expression.
LONG_RUNS = st.builds(
    lambda unit, count: unit * count,
    st.sampled_from([b"a", b" ", b"9", b"[", b"{", b"(", b"*", b"#", b"\\", b"<a>", b"\t",
                     b"\xe4\xb8\xad", b"\xe2\x80\xae", b"\x01", b"a,", b"](", b"a. ", b"v",
                     b"-", b"+", b"1+", b"'", b"|", b":", b"&", b"**", b"[1] ", b"\n"]),
    st.integers(min_value=100, max_value=20_000),
)
LONG_TEXT = LONG_RUNS.map(lambda run: run.decode("utf-8"))
NASTY_TEXT = st.one_of(
    st.sampled_from(NASTY_TEXTS),
    st.text(max_size=20),
    st.text(st.characters(codec="utf-8"), max_size=20),
    st.lists(st.sampled_from(NASTY_TEXTS), min_size=1, max_size=6).map("".join),
)
CHUNKS = st.one_of(
    st.sampled_from(NASTY_BYTES),
    st.binary(min_size=1, max_size=16),
    NASTY_TEXT.map(lambda text: text.encode("utf-8", "surrogatepass")),
    LONG_RUNS,
)
# Text a well-formed XML document can hold (no control characters), and text it cannot.
XML_SAFE_TEXT = st.text(
    st.one_of(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")),
              st.sampled_from("\t\n")),
    max_size=30,
).filter(lambda text: "\ufffe" not in text and "\uffff" not in text)

# --- Strategies: identifiers ------------------------------------------------------------------

ARXIV_IDS = st.one_of(
    st.from_regex(r"\d{4}\.\d{4,5}(v\d{1,4})?", fullmatch=True),
    st.from_regex(r"[a-z][a-z\-]{1,10}(\.[A-Z]{2})?/\d{7}(v\d{1,3})?", fullmatch=True),
    st.integers(min_value=0, max_value=10**150).map(lambda v: f"2501.00001v{v}"),
)
DOIS = st.builds(lambda registrant, suffix: f"10.{registrant}/{suffix}",
                 st.sampled_from(["1101", "1145", "48550", "1", "123456789"]), NASTY_TEXT)
URLS = st.one_of(
    ARXIV_IDS.map(lambda paper_id: f"https://arxiv.org/abs/{paper_id}"),
    ARXIV_IDS.map(lambda paper_id: f"http://arxiv.org/pdf/{paper_id}.pdf"),
    NASTY_TEXT.map(lambda text: "https://arxiv.org/abs/" + text),
    DOIS.map(lambda doi: "https://doi.org/" + doi),
    DOIS.map(lambda doi: "https://www.biorxiv.org/content/" + doi + "v2.full.pdf"),
    NASTY_TEXT.map(lambda text: "https://" + text),
    st.text(max_size=20).map(lambda text: "http://example.org/" + text),
)
# What names a paper in any format: arXiv ids and tags, DOIs, links, all with odd characters.
IDENTIFIERS = st.one_of(ARXIV_IDS, ARXIV_IDS.map(lambda paper_id: "arXiv:" + paper_id),
                        ARXIV_IDS.map(lambda paper_id: "oai:arXiv.org:" + paper_id), DOIS, URLS)
# Days as digests and feeds write them, and days no calendar has.
DATES = st.one_of(
    st.dates().map(str),
    st.from_regex(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2}))?", fullmatch=True),
    st.sampled_from(["2026-13-45", "2026-02-30", "0000-00-00", "2026-06-01T99:99:99Z",
                     "Mon, 2 Apr 2007 19:18:42 GMT", "Mon, 31 Feb 2007 19:18:42 GMT",
                     "Tue, 99 Jul 2007", "Wed, 23 May 2018 00:00:00 -9999", "yesterday"]),
)
XML_TEXT = st.one_of(XML_SAFE_TEXT, XML_SAFE_TEXT, NASTY_TEXT, IDENTIFIERS, DATES)

# Tokens that make random lines look like each syntax, so they reach deep into the readers.
TOKENS = {
    "markdown": (
        "### ", "## ", "# ", "#### ", "[1] ", "[", "]", "(", ")", "](", "[[Back]](#toc)",
        "https://arxiv.org/abs/", "http://arxiv.org/pdf/", "2501.00001", "hep-th/9901001", "v2",
        "https://doi.org/10.1101/2025.01.01.000001", "https://example.org/a b", "**", "*", ":",
        "：", "|", " | ", "&nbsp;|&nbsp;", "<details>", "</details>", "<summary>",
        "</summary>", "Authors:", "TL;DR", "Main category", "Abstract", "Keywords", "摘要",
        "主分类", "> ", "- ", "`", "['A', \"B. O'C\"]", "cs.CV", "cs.LG", "<div id='toc'></div>",
        "Table of Contents", "{title}", "N/A", " ", "\n", "\n\n",
    ),
    "html": (
        "<h1>", "</h1>", "<h3>", "</h3>", "<h4>", "<a href=\"", "https://arxiv.org/abs/",
        "2501.00001", "\">", "</a>", "<p>", "</p>", "<em>", "</em>", "<strong>", "</strong>",
        "<details>", "</details>", "<summary>", "</summary>", "<br>", "<hr>", "<li>", "<script>",
        "</script>", "<style>", "[1] ", "Main category:", "TL;DR:", "&amp;", "&#", ";", "\n",
    ),
    "xml": (
        "<", ">", "</", "/>", "entry", "item", "record", "title", "id", "author", "name",
        "category", "summary", "guid", "creator", "keyname", "forenames", "arXiv", "error",
        " term=\"", "\"", "=", "&amp;", "&lt;", "&#", ";", "<![CDATA[", "]]>",
        "http://arxiv.org/abs/", "oai:arXiv.org:", "arXiv:", "2501.00001", "v1", "\n",
    ),
    "json": (
        "{", "}", "[", "]", ",", ":", "\"", "\"id\"", "\"title\"", "\"authors\"", "\"AI\"",
        "\"tldr\"", "\"versions\"", "\\u", "d800", "\\\"", "null", "true", "1e999", "-0",
        "2501.00001", "\"https://arxiv.org/abs/", "NaN", " ", "\n",
    ),
    "abs": (
        "-" * 78, "\\\\", "arXiv:", "Paper:", "Title:", "Authors:", "Categories:", "Comments:",
        "Date:", "Date (revised v", "):", "  ", "0704.0001", "hep-ph", "Mon, 2 Apr 2007", "\n",
        " and ", ", ", "(1)", "\\'a", "\\v{S}",
    ),
}


def soup(family: str, max_size: int = 16) -> st.SearchStrategy[str]:
    """Random lines of `family`'s tokens, random text and nasty characters."""
    return st.lists(st.one_of(st.sampled_from(TOKENS[family]), st.sampled_from(TOKENS[family]),
                              NASTY_TEXT), max_size=max_size).map("".join)


# --- Strategies: file names -------------------------------------------------------------------

_DAY_IN_NAME = re.compile(r"\d{4}-\d{2}-\d{2}|(?=\.\w+$)")  # a name's day, or before its suffix
NAME_ODDITIES = (" ", "%", "#", "?", ":", "\\", "\n", "\x01", "\u202e", "中", "'", "\"", "~")
NAMES = st.one_of(
    st.sampled_from([s.name for s in SAMPLES] or ["digest.md"]),
    st.sampled_from(["digest.md", "2026-06-01.jsonl", "feed.xml", "day.html", "0704.0001.abs",
                     "no-extension", "2026-13-45_AI_enhanced_Klingon.jsonl"]),
)


@st.composite
def odd_names(draw: st.DrawFn, base: str | None = None) -> bytes:
    """A file name, sometimes with characters names rarely hold, or bytes that are not UTF-8."""
    name = base if base is not None else draw(NAMES)
    if draw(st.integers(0, 3)) == 0:  # the day a name carries is the digest's day
        name = _DAY_IN_NAME.sub(draw(DATES).replace("/", "-"), name, count=1)
    if draw(st.integers(0, 3)) == 0:
        name = draw(st.sampled_from(NAME_ODDITIES)) + name
    encoded = os.fsencode(name)
    if draw(st.integers(0, 7)) == 0:
        encoded = b"\xff\xfe" + encoded
    return encoded


# --- Strategies: mutations of real files ------------------------------------------------------

Mutation = Callable[[st.DrawFn, Sample, bytes], bytes]


def _position(draw: st.DrawFn, data: bytes) -> int:
    return draw(st.integers(min_value=0, max_value=len(data)))


def flip_byte(draw: st.DrawFn, sample: Sample, data: bytes) -> bytes:
    if not data:
        return data
    at = draw(st.integers(min_value=0, max_value=len(data) - 1))
    byte = data[at] ^ (1 << draw(st.integers(0, 7))) if draw(st.booleans()) else draw(
        st.integers(0, 255))
    return data[:at] + bytes([byte]) + data[at + 1:]


def insert_chunk(draw: st.DrawFn, sample: Sample, data: bytes) -> bytes:
    at = _position(draw, data)
    return data[:at] + draw(CHUNKS) + data[at:]


def delete_range(draw: st.DrawFn, sample: Sample, data: bytes) -> bytes:
    at = _position(draw, data)
    return data[:at] + data[at + draw(st.integers(1, 200)):]


def truncate(draw: st.DrawFn, sample: Sample, data: bytes) -> bytes:
    return data[: _position(draw, data)]


def _line_index(draw: st.DrawFn, lines: list[bytes]) -> int:
    return draw(st.integers(min_value=0, max_value=max(0, len(lines) - 1)))


def duplicate_line(draw: st.DrawFn, sample: Sample, data: bytes) -> bytes:
    lines = data.splitlines(keepends=True) or [b""]
    at = _line_index(draw, lines)
    lines.insert(draw(st.integers(0, len(lines))), lines[at])
    return b"".join(lines)


def swap_lines(draw: st.DrawFn, sample: Sample, data: bytes) -> bytes:
    lines = data.splitlines(keepends=True) or [b""]
    first, second = _line_index(draw, lines), _line_index(draw, lines)
    lines[first], lines[second] = lines[second], lines[first]
    return b"".join(lines)


def replace_line(draw: st.DrawFn, sample: Sample, data: bytes) -> bytes:
    """A line replaced by, or a new line of, tokens of the file's own syntax."""
    lines = data.splitlines(keepends=True) or [b""]
    at = _line_index(draw, lines)
    new = draw(soup(sample.family)).encode("utf-8", "surrogatepass") + b"\n"
    lines[at: at + draw(st.integers(0, 1))] = [new]
    return b"".join(lines)


MUTATIONS: tuple[Mutation, ...] = (flip_byte, insert_chunk, insert_chunk, delete_range, truncate,
                                   duplicate_line, swap_lines, replace_line, replace_line)


@st.composite
def mutated(draw: st.DrawFn, sample: Sample, data: bytes | None = None,
            most: int = 6) -> GeneratedFile:
    """`data` (the sample's own by default) after one to `most` random mutations."""
    data = sample.data if data is None else data
    for _ in range(draw(st.integers(min_value=1, max_value=most))):
        data = draw(st.sampled_from(MUTATIONS))(draw, sample, data)
    return GeneratedFile(os.fsencode(sample.name), data)


MUTATED_FILES = st.sampled_from(SAMPLES).flatmap(mutated) if SAMPLES else st.nothing()


# --- Strategies: JSON records with values of any type ----------------------------------------

JSON_KEYS = ("id", "title", "authors", "categories", "cate", "abs", "url", "pdf", "comment",
             "summary", "AI", "tldr", "motivation", "keywords", "error", "versions", "version",
             "created", "authors_parsed", "abstract", "comments", "submitter", "update_date")
JSON_SCALARS = st.one_of(
    st.sampled_from(["null", "true", "false", "0", "-0", "-1", "1e999", "-1e999", "NaN",
                     "Infinity", "-Infinity", "1.5e-400", "[]", "{}", '""', '" "',
                     '"\\ud800"', '"\\udfff"', '"a\\ud800b"', '"\\udc00\\ud800"', '"\\u0000"',
                     '"\\u001b[31m"', '"\\u202e"', '"N/A"', '"null"', '"{title}"',
                     '"2501.00001"', '"2501.00001v0"', '"https://arxiv.org/abs/2501.00001v7"',
                     '"10.1101/2025.01.01.000001"', '"https://example.org/a b"', '"v1"',
                     '"https://"', '"http://[::1"']),
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(json.dumps),
    st.integers(min_value=50, max_value=6_000).map(lambda digits: "9" * digits),
    st.integers(min_value=50, max_value=6_000).map(lambda digits: "0." + "1" * digits),
    st.integers(min_value=0, max_value=10**120).map(lambda v: f'"2501.00001v{v}"'),
    NASTY_TEXT.map(lambda text: json.dumps(text, ensure_ascii=False)),
    IDENTIFIERS.map(json.dumps),
    IDENTIFIERS.map(json.dumps),
    DATES.map(json.dumps),
    st.text(max_size=30).map(json.dumps),
    st.integers(min_value=1, max_value=5_000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(min_value=1, max_value=2_000).map(lambda depth: '{"a":' * depth + "1"
                                                  + "}" * depth),
)
JSON_KEY_TEXT = st.one_of(st.sampled_from(JSON_KEYS), st.text(max_size=12), NASTY_TEXT)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
        st.lists(st.tuples(JSON_KEY_TEXT.map(json.dumps), children), max_size=4).map(
            lambda pairs: "{" + ",".join(f"{key}:{value}" for key, value in pairs) + "}"),
    ),
    max_leaves=8,
)

JsonPath = tuple[str | int, ...]


def json_paths(value: object, path: JsonPath = (), depth: int = 0) -> Iterator[JsonPath]:
    """Paths to every value of a record, three levels deep, the first list items only."""
    yield path
    if depth >= 3:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            yield from json_paths(child, (*path, key), depth + 1)
    elif isinstance(value, list):
        for index, child in enumerate(value[:2]):
            yield from json_paths(child, (*path, index), depth + 1)


def _marker(n: int) -> str:
    return f"@@kg-fuzz-{n}@@"


@st.composite
def mutated_json_files(draw: st.DrawFn) -> GeneratedFile:
    """A real JSONL sample in which one record has fields replaced, added or renamed, given
    JSON values of other types; written as JSON text, so numbers of thousands of digits and
    nestings deeper than Python's recursion limit are written as they are."""
    sample, records = draw(st.sampled_from(JSON_RECORDS))
    index = draw(st.integers(0, len(records) - 1))
    record = json.loads(json.dumps(records[index]))  # a deep copy
    raw: dict[str, str] = {}
    for n in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(list(json_paths(record))))
        action = draw(st.sampled_from(["replace", "replace", "add", "rename"]))
        if action == "replace" and path:
            *parents, last = path
            container = _at(record, parents)
            container[last] = _marker(n)
            raw[_marker(n)] = draw(JSON_VALUES)
        elif action == "replace":  # the whole record
            record = _marker(n)
            raw[_marker(n)] = draw(JSON_VALUES)
            break
        else:
            container = _at(record, path)
            if not isinstance(container, dict):
                continue
            key = draw(JSON_KEY_TEXT)
            if action == "rename" and container:
                old = draw(st.sampled_from(sorted(container)))
                container[key] = container.pop(old)
            else:
                container[key] = _marker(n)
                raw[_marker(n)] = draw(JSON_VALUES)
    text = json.dumps(record, ensure_ascii=draw(st.booleans()))
    for marker, value in raw.items():
        text = text.replace(json.dumps(marker), value)
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    original = "\n".join(lines).encode("utf-8") + b"\n"
    lines[index] = text
    data = "\n".join(lines).encode("utf-8", "surrogatepass") + b"\n"
    return MutatedRecord(os.fsencode(sample.name), data, line=index + 1, original=original)


@dataclass(frozen=True)
class MutatedRecord(GeneratedFile):
    """A JSON-lines file in which only the record on `line` differs from `original`."""

    line: int = 0
    original: bytes = b""

    @classmethod
    def of(cls, name: str, data: bytes | str) -> MutatedRecord:
        """A hand-made file whose first record is the mutated one (the rest kept as written)."""
        file = GeneratedFile.of(name, data)
        return cls(file.name, file.data, line=1, original=file.data)


def _at(record: object, path: JsonPath | list[str | int]) -> object:
    for key in path:
        record = record[key]  # type: ignore[index]
    return record


# --- Strategies: markdown entries with random parts ------------------------------------------

MARKDOWN_TEXT = st.one_of(NASTY_TEXT, soup("markdown", 8), IDENTIFIERS, DATES.map("# ".__add__),
                          LONG_TEXT)
LABELS = st.one_of(
    st.sampled_from(["Authors", "Main category", "Categories", "TL;DR", "Motivation", "Method",
                     "Result", "Conclusion", "Abstract", "Comment", "Keywords", "摘要", "主分类",
                     "作者", "핵심 요약 (TL;DR)", "Details", "Relevance Score"]),
    NASTY_TEXT,
)
LABEL_MARKUP = st.sampled_from(["**{label}:** {value}", "**{label}**: {value}", "{label}: {value}",
                                "- {label}: {value}", "> {label}：{value}",
                                "| {label} | {value} |", "#### {label}\n{value}",
                                "<summary>{label}</summary>\n{value}", "**{label}: {value}**"])


@st.composite
def entry_heading(draw: st.DrawFn) -> str:
    index = draw(st.one_of(st.integers(0, 999).map(str), st.sampled_from(["", "9" * 400])))
    prefix = draw(st.sampled_from(["### ", "## ", "###\t", ""]))
    slot = f"[{index}] " if index else ""
    return f"{prefix}{slot}[{draw(MARKDOWN_TEXT)}]({draw(URLS)})"


@st.composite
def labelled_line(draw: st.DrawFn) -> str:
    return draw(LABEL_MARKUP).format(label=draw(LABELS), value=draw(MARKDOWN_TEXT))


@st.composite
def author_line(draw: st.DrawFn) -> str:
    names = draw(st.lists(st.one_of(NASTY_TEXT, st.text(max_size=12), LONG_TEXT), max_size=6))
    form = draw(st.sampled_from(["*{}*", "Authors: {}", "**Authors:** {}", "Authors: [{}]",
                                 "*[{}]*"]))
    if draw(st.booleans()):  # a Python list, as some forks print it
        return form.format(repr(names))
    return form.format(draw(st.sampled_from([",", ", ", "; ", "，"])).join(names))


@st.composite
def random_entry(draw: st.DrawFn) -> str:
    parts = [draw(entry_heading()), draw(author_line())]
    parts += draw(st.lists(labelled_line(), max_size=5))
    return "\n\n".join(parts)


@st.composite
def mutated_markdown_files(draw: st.DrawFn) -> GeneratedFile:
    """A real markdown digest whose headings, links, author lines and labelled lines get random
    parts, with whole random entries added."""
    sample = draw(st.sampled_from(samples_of("markdown")))
    lines = sample.data.decode("utf-8").split("\n")
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        at = draw(st.integers(0, len(lines) - 1))
        line = lines[at]
        if _MARKDOWN_ENTRY.match(line) or draw(st.integers(0, 5)) == 0:
            lines[at] = draw(entry_heading())
        elif line.startswith("*") or line.lower().startswith("authors"):
            lines[at] = draw(author_line())
        elif draw(st.booleans()):
            lines[at] = draw(labelled_line())
        elif draw(st.booleans()):
            lines.insert(at, draw(random_entry()))
        else:
            column = draw(st.integers(0, len(line)))
            lines[at] = line[:column] + draw(MARKDOWN_TEXT) + line[column:]
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    return GeneratedFile(os.fsencode(sample.name), data)


# --- Strategies: XML elements with random text and attributes --------------------------------

_XML_TEXT_SPAN = re.compile(rb">([^<>]*)<")
_XML_ATTRIBUTE = re.compile(rb"""(\s[\w:.-]+=)("[^"]*"|'[^']*')""")
XML_TAGS = ("entry", "id", "title", "summary", "author", "name", "category", "primary_category",
            "comment", "published", "item", "guid", "link", "description", "creator", "pubDate",
            "record", "header", "identifier", "metadata", "arXiv", "authors", "keyname",
            "forenames", "suffix", "categories", "abstract", "comments", "created", "error")
XML_ATTRIBUTES = ("term", "code", "status", "href", "rel", "scheme", "about", "xmlns", "x")


def _xml_escaped(draw: st.DrawFn, text: str) -> bytes:
    """`text` escaped for element content, or (now and then) as it is."""
    written = escape(text) if draw(st.integers(0, 4)) else text
    return written.encode("utf-8", "surrogatepass")


@st.composite
def xml_element(draw: st.DrawFn, depth: int = 0) -> bytes:
    """A random element of a tag the readers look for, maybe holding another one."""
    tag = draw(st.sampled_from(XML_TAGS))
    attributes = "".join(f" {name}={quoteattr(value)}" for name, value in draw(
        st.lists(st.tuples(st.sampled_from(XML_ATTRIBUTES), XML_TEXT), max_size=2,
                 unique_by=lambda pair: pair[0])))
    if depth < 2 and draw(st.booleans()):
        inner = draw(xml_element(depth + 1))
    else:
        inner = _xml_escaped(draw, draw(XML_TEXT))
    return f"<{tag}{attributes}>".encode("utf-8", "surrogatepass") + inner + f"</{tag}>".encode()


@st.composite
def mutated_xml_files(draw: st.DrawFn) -> GeneratedFile:
    """A real Atom, RSS or OAI-PMH sample with random element text, attribute values and
    elements; the text mostly well-formed, so that it reaches the readers."""
    sample = draw(st.sampled_from(samples_of("xml")))
    data = sample.data
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        kind = draw(st.sampled_from(["text", "text", "attribute", "element"]))
        spans = list((_XML_TEXT_SPAN if kind == "text" else _XML_ATTRIBUTE).finditer(data))
        if kind == "element" or not spans:
            ends = [m.end() for m in re.finditer(rb">", data)] or [len(data)]
            at = draw(st.sampled_from(ends))
            data = data[:at] + draw(xml_element()) + data[at:]
        elif kind == "text":
            span = draw(st.sampled_from(spans))
            text = _xml_escaped(draw, draw(XML_TEXT))
            data = data[:span.start(1)] + text + data[span.end(1):]
        else:
            span = draw(st.sampled_from(spans))
            value = quoteattr(draw(XML_TEXT)).encode("utf-8", "surrogatepass")
            data = data[:span.start(2)] + value + data[span.end(2):]
    return GeneratedFile(os.fsencode(sample.name), data)


# --- Strategies: random files -----------------------------------------------------------------

FORMAT_HEADS = (
    "{", "[", "<?xml version='1.0'?>\n<feed xmlns='http://www.w3.org/2005/Atom'><!-- arxiv.org -->",
    "<rss version='2.0'><channel><!-- arxiv --><item>",
    "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
    "xmlns='http://purl.org/rss/1.0/'><!-- arxiv --><item>",
    "<OAI-PMH><ListRecords><record>", "-" * 78 + "\n\\\\\n", "<!DOCTYPE html>\n<h3>",
    "# cs.CV [[Back]](#toc)\n\n### [1] [", "<div id=toc></div>\n", "[1] ",
)
RANDOM_FILES = st.one_of(
    st.builds(GeneratedFile, odd_names(), st.binary(max_size=2_000)),
    st.builds(GeneratedFile, odd_names(),
              st.text(max_size=500).map(lambda text: text.encode("utf-8"))),
    st.builds(GeneratedFile, odd_names(),
              st.builds(lambda head, body: (head + body).encode("utf-8", "surrogatepass"),
                        st.sampled_from(FORMAT_HEADS),
                        st.one_of(st.text(max_size=300),
                                  st.sampled_from(list(TOKENS)).flatmap(soup)))),
)


# --- The properties ---------------------------------------------------------------------------


def test_every_sample_is_read_by_its_reader() -> None:
    """The starting points are sound: each sample, unchanged, is claimed by its own reader and
    yields papers, so the mutations below start inside that reader."""
    assert len(SAMPLES) >= 40
    kept = dict.fromkeys(MANIFEST_READERS.values(), 0)
    for sample in SAMPLES:
        generated = GeneratedFile(os.fsencode(sample.name), sample.data)
        with written(generated) as path:
            with path.open("rb") as raw:
                reader = detect(sniff(raw), sample.name)  # type: ignore[arg-type]
            assert reader is not None and reader.name == sample.reader, sample.name
            papers, account = check_reading(generated, path)
        assert account.entries or sample.name in DAYS_WITHOUT_PAPERS, sample.name
        kept[sample.reader] += len(papers)
    assert all(kept.values()), kept


@fuzz_settings(examples=300)
@given(RANDOM_FILES)
def test_random_bytes_and_text(generated: GeneratedFile) -> None:
    with written(generated) as path:
        check_reading(generated, path)


@fuzz_settings(examples=800)
@given(MUTATED_FILES)
def test_mutated_real_files(generated: GeneratedFile) -> None:
    with written(generated) as path:
        check_reading(generated, path)


def reader_of(path: Path) -> str | None:
    """The name of the reader that claims the file, if any."""
    with path.open("rb") as raw:
        try:
            reader = detect(sniff(raw), display_name(path))  # type: ignore[arg-type]
        except BadFile:  # empty or binary
            return None
    return reader.name if reader else None


def entries_by_line(path: Path) -> dict[int, list[tuple[object, ...]]]:
    """What `read` yields for each line of a file, without the file's own name."""
    found: dict[int, list[tuple[object, ...]]] = {}
    for _, entry in read([path]):
        if isinstance(entry, Paper):
            line, fields = entry.source.line, (
                entry.id, entry.id_scheme, entry.version, entry.title, entry.authors,
                entry.primary_category, entry.categories, entry.abstract, entry.comment,
                entry.summary, entry.summary_language, entry.keywords, entry.source.date)
        elif isinstance(entry, Rejection):
            line, fields = entry.line, (entry.reason, entry.scope)
        else:
            line, fields = entry.line, (entry.message,)
        found.setdefault(line, []).append((type(entry).__name__, *fields))
    return found


@fuzz_settings(examples=400)
@given(mutated_json_files() if JSON_RECORDS else st.nothing())
@example(MutatedRecord.of("2026-06-01.jsonl", b'{"id": "2501.00001", "title": "\\u0001"}\n'))
@example(MutatedRecord.of("2026-06-01.jsonl", b'{"id": "10.1101/%zz", "title": "T"}\n'))
@example(MutatedRecord.of("2026-06-01.jsonl",
                          b'{"id": "2501.00001", "title": "T", "categories": "\\u0000"}\n'))
@example(MutatedRecord.of("2026-06-01.jsonl", b'null\n{"id": "2501.00001", "title": "T"}\n'))
def test_mutated_json_records(generated: MutatedRecord) -> None:
    """Besides the invariants: a bad record costs its own line only, the other lines are read
    as they were before (unless the record changed the format the file is sniffed as: a key
    only the metadata snapshot has)."""
    with written(generated) as path:
        check_reading(generated, path)
        mutated, reader = entries_by_line(path), reader_of(path)
    with written(GeneratedFile(generated.name, generated.original)) as path:
        before, reader_before = entries_by_line(path), reader_of(path)
    assert len(mutated.pop(generated.line, [])) <= 1
    before.pop(generated.line, None)
    if reader == reader_before:
        assert mutated == before


@fuzz_settings(examples=400)
@given(mutated_markdown_files() if SAMPLES else st.nothing())
@example(GeneratedFile.of("digest.md", "### [1] [\x01](https://arxiv.org/abs/2501.00001)\n"))
@example(GeneratedFile.of("digest.md", "### [1] [T](https://doi.org/10.1101/%)\n"))
@example(GeneratedFile.of("digest.md", "### [1] [T](https://arxiv.org/abs/2501.00001)\n"
                                       "<summary></summary>\n"))
@example(GeneratedFile.of("2026-13-45.md", "### [1] [T](https://arxiv.org/abs/2501.00001)\n"))
@example(GeneratedFile.of("digest.md", "### [1] [T](https://arxiv.org/abs/2501.00001)\n"
                                       "Authors: [" + "-" * 7_000 + "1]\n"))
def test_mutated_markdown_entries(generated: GeneratedFile) -> None:
    with written(generated) as path:
        check_reading(generated, path)


@fuzz_settings(examples=400)
@given(mutated_xml_files() if SAMPLES else st.nothing())
@example(GeneratedFile.of("feed.xml", "<?xml version='1.0'?>\n<feed xmlns='http://www.w3.org/"
                          "2005/Atom'><!-- arxiv.org --><entry><id>http://arxiv.org/abs/2501.00001"
                          "</id><title>T</title><published>0000-00-00</published></entry></feed>"))
def test_mutated_xml_elements(generated: GeneratedFile) -> None:
    with written(generated) as path:
        check_reading(generated, path)


@st.composite
def oddly_named(draw: st.DrawFn, files: st.SearchStrategy[GeneratedFile]) -> GeneratedFile:
    """A generated file whose name (which reaches the outputs as provenance) is odd now and
    then."""
    generated = draw(files)
    return GeneratedFile(draw(odd_names(os.fsdecode(generated.name))), generated.data)


ANY_MUTATED_FILE = st.one_of(mutated_json_files(), mutated_markdown_files(), mutated_xml_files(),
                             MUTATED_FILES) if SAMPLES else st.nothing()


@fuzz_settings(examples=80)
@given(st.lists(oddly_named(ANY_MUTATED_FILE), min_size=1, max_size=3))
def test_outputs_parse(generated: list[GeneratedFile]) -> None:
    """Every exporter writes what the readers kept from one to three files read together
    (mutants of one sample share papers, so entries merge), and each output parses back."""
    with written_together(generated) as files:
        papers, account = check_reading_all(files)
    check_outputs(papers, account)


# --- Regressions: the bugs these properties found, each as its smallest input ----------------


def read_entries(name: str, data: str) -> list[Paper | Rejection | Notice]:
    with written(GeneratedFile.of(name, data)) as path:
        return [entry for _, entry in read([path])]


def test_a_title_of_control_characters_is_a_rejection_not_an_empty_title() -> None:
    (entry,) = read_entries("digest.md", "### [1] [\x01](https://arxiv.org/abs/2501.00001)\n")
    assert isinstance(entry, Rejection) and "no title" in entry.reason


def test_a_doi_with_a_stray_percent_sign_gets_an_iri_rdf_can_hold() -> None:
    (entry,) = read_entries("digest.md", "### [1] [T](https://doi.org/10.1101/50%zz)\n")
    assert isinstance(entry, Paper) and entry.iri == "https://doi.org/10.1101/50%25zz"
    check_outputs([entry], Account(files=1, entries=1, distinct_papers=1))


def test_an_empty_summary_tag_leaves_the_entry_whole() -> None:
    (entry,) = read_entries("digest.md", "### [1] [T](https://arxiv.org/abs/2501.00001)\n"
                                         "<summary></summary>\nTL;DR: short\n")
    assert isinstance(entry, Paper) and entry.title == "T"


def test_items_of_control_characters_only_are_dropped() -> None:
    record = {"id": "2501.00001", "title": "T", "categories": "\u0000 cs.CL",
              "authors": ["\u0001", "A B"], "AI": {"tldr": "\u0002", "keywords": "\u0003"}}
    (entry,) = read_entries("2026-06-01.jsonl", json.dumps(record))
    assert isinstance(entry, Paper)
    assert (entry.categories, entry.authors, entry.summary, entry.keywords) == (
        ["cs.CL"], ["A B"], {}, [])


def test_a_broken_first_record_costs_its_line_not_the_day() -> None:
    entries = read_entries("2026-06-01.jsonl", '<<<<<<< HEAD\n{"id": "2501.00001", "title": "T"}\n')
    assert [type(entry) for entry in entries] == [Rejection, Paper]
    assert entries[0].scope == "entry"  # type: ignore[union-attr]


def test_a_day_no_calendar_has_is_no_digest_day() -> None:
    (entry,) = read_entries("2026-13-45.md", "### [1] [T](https://arxiv.org/abs/2501.00001)\n")
    assert isinstance(entry, Paper) and entry.source.date is None


@pytest.mark.parametrize("authors", ["[" + "-" * 7_000 + "1]", "[" + "1+" * 100_000 + "1]"])
def test_an_author_list_too_deep_for_python_to_parse_is_read_as_text(authors: str) -> None:
    """`ast.literal_eval` overflows on these (MemoryError, RecursionError): not a reason to lose
    the entry."""
    (entry,) = read_entries("digest.md", "### [1] [T](https://arxiv.org/abs/2501.00001)\n"
                                         f"Authors: {authors}\n")
    assert isinstance(entry, Paper) and entry.authors == []
