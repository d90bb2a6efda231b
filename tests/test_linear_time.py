"""Every regular expression that sees input runs in linear time: a bound, not a speed test.

A backtracking regex engine can take quadratic, cubic or exponential time on a crafted line: a
heading of many inner spaces, a line of `[a](http://a` without the closing `)`, an id of
`-a-a-a...`, author lists of nested parentheses, a prolog of `<?a?>` instructions. One such
line in a digest would stall a build for minutes or hours. Here each reader gets small files
that put a crafted line of 100,000 characters where its patterns see it (a heading, a section
line, a field inside an entry, an authors line, a link, a JSONL field, the text of an XML
element, an `.abs` header field), and must read every entry within BOUND seconds: generous, as
linear patterns need a fraction of a second and quadratic ones minutes, so that a busy machine
does not fail it; it is not a test of how fast normal input is read. The concept extractor's
text functions and the saved-query header parser get 100 kB texts the same way.

A hard timeout (SIGALRM, which interrupts the regex engine too) stops a case at the bound, so
that a regression fails fast with the name of the reader and of the crafted line instead of
hanging the suite. `benchmarks/redos_sweep.py` is the exploratory counterpart: it times every
pattern on many more crafted strings.
"""

from __future__ import annotations

import json
import re
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from kg.sources import find_inputs, read
from kg.sources.registry import Reader, detect

N = 100_000  # characters in a crafted line
BOUND = 10.0  # seconds to read one file; linear patterns need well under one


def crafted(prefix: str, unit: str, suffix: str = "") -> str:
    """`prefix + unit * n + suffix`, N characters long."""
    return prefix + unit * ((N - len(prefix) - len(suffix)) // len(unit)) + suffix


class TooSlow(BaseException):
    """Raised by the alarm; a BaseException, so that the readers' error boundary, which turns
    exceptions into rejected entries, lets it through."""


@contextmanager
def hard_timeout(seconds: float) -> Iterator[None]:
    def interrupt(signum: int, frame: object) -> None:
        raise TooSlow

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_bounded(what: str, run: Callable[[], object]) -> None:
    start = time.perf_counter()
    try:
        with hard_timeout(BOUND):
            run()
    except TooSlow:
        pytest.fail(f"{what}: not done within {BOUND:g} s (interrupted): superlinear")
    elapsed = time.perf_counter() - start
    assert elapsed < BOUND, f"{what}: took {elapsed:.1f} s"


# --- Files of each format ------------------------------------------------------------------


def digest(*body: str, heading: str = "### [1] [A paper](https://arxiv.org/abs/2401.00001)",
           section: str = "# cs.CV [[Back]](#toc)") -> str:
    """A markdown digest of one entry whose body holds `body` as its own paragraph."""
    return "\n".join([
        "<div id=toc></div>", "", "# Table of Contents", "", section, "", heading,
        "*Ann Author, Bo Author*", "", *body, "", "Main category: cs.CV", "",
        "TL;DR: A summary.", "",
    ])


def html_digest(*blocks: str) -> str:
    return ("<!DOCTYPE html><html><body><h1>Table of Contents</h1>\n<h1>cs.CV</h1>\n"
            '<h3>[1] <a href="https://arxiv.org/abs/2401.00001">A paper</a></h3>\n'
            "<p><em>Ann Author, Bo Author</em></p>\n" + "\n".join(blocks) + "\n</body></html>\n")


def jsonl(**fields: object) -> str:
    record = {"id": "2401.00001", "categories": ["cs.CV"], "pdf": "", "title": "A paper",
              "abs": "https://arxiv.org/abs/2401.00001", "authors": ["Ann Author"],
              "comment": "", "summary": "An abstract.", "AI": {"tldr": "A summary."}}
    return json.dumps({**record, **fields}, ensure_ascii=False) + "\n"


def snapshot(**fields: object) -> str:
    # `submitter` first: the snapshot is told apart by it, within the first 8 kB of the file.
    record = {"submitter": "Ann Author", "id": "0704.0001", "authors": "Ann Author",
              "title": "A paper", "comments": "", "categories": "hep-ph", "abstract": "Text.",
              "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
              "update_date": "2008-11-13", "authors_parsed": [["Author", "Ann", ""]]}
    return json.dumps({**record, **fields}, ensure_ascii=False) + "\n"


def atom(entry_id: str = "http://arxiv.org/abs/2401.00001v1", name: str = "Ann Author",
         title: str = "A paper") -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom">\n<title>arXiv query</title>\n'
            f"<entry><id>{escape(entry_id)}</id><title>{escape(title)}</title>"
            f"<author><name>{escape(name)}</name></author><summary>Text.</summary>"
            '<arxiv:primary_category term="cs.CV"/><category term="cs.CV"/></entry>\n</feed>\n')


def rss1(title: str = "A paper. (arXiv:1805.08875v1 [hep-ex])",
         description: str = "<p>Text.</p>", creator: str = "Ann Author") -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
            '<channel rdf:about="http://arxiv.org/rss/hep-ex"><title>hep-ex</title></channel>\n'
            '<item rdf:about="http://arxiv.org/abs/1805.08875v1">'
            f"<title>{escape(title)}</title><link>http://arxiv.org/abs/1805.08875</link>"
            f"<description>{escape(description)}</description>"
            f"<dc:creator>{escape(creator)}</dc:creator></item>\n</rdf:RDF>\n")


def rss2(guid: str = "oai:arXiv.org:2609.30001v1",
         description: str = "arXiv:2609.30001v1 Announce Type: new Abstract: Text.") -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            "<title>cs.CV updates on arXiv.org</title>\n"
            f"<item><title>A paper</title><guid>{escape(guid)}</guid>"
            f"<description>{escape(description)}</description><category>cs.CV</category>"
            "<dc:creator>Ann Author</dc:creator></item>\n</channel></rss>\n")


def oai(paper_id: str = "0704.0001", keyname: str = "Author") -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><GetRecord><record>'
            "<header><identifier>oai:arXiv.org:0704.0001</identifier></header><metadata>"
            f'<arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>{escape(paper_id)}</id>'
            "<created>2007-04-02</created><authors><author>"
            f"<keyname>{escape(keyname)}</keyname><forenames>Ann</forenames></author>"
            "</authors><title>A paper</title><categories>hep-ph</categories>"
            "<abstract>Text.</abstract></arXiv></metadata></record></GetRecord></OAI-PMH>\n")


def abs_file(paper_id: str = "0704.0001", date: str = "Mon, 2 Apr 2007 19:18:42 GMT   (37kb)",
             authors: str = "Ann Author", extra: str = "Comments: 37 pages") -> str:
    return "\n".join([
        "-" * 78, "\\\\", f"arXiv:{paper_id}", "From: Ann Author <ann@example.org>",
        f"Date: {date}", "", "Title: A paper", f"Authors: {authors}", "Categories: hep-ph",
        extra, "\\\\", "  Text of the abstract.", "\\\\", "",
    ])


@dataclass(frozen=True)
class Case:
    reader: str | None  # the reader that must claim the file; None: no reader does
    name: str  # the crafted line, in words
    file: str
    content: Callable[[], str]  # built when the case runs, not at collection

    def __str__(self) -> str:
        return f"{self.reader or 'no reader'}: {self.name}"


PARENS = "(" * (N // 2) + ")" * (N // 2)  # nested N/2 deep

CASES = [
    # --- markdown: headings, sections, fields, authors, links
    Case("digest-md", "entry heading with a run of inner spaces", "2026-06-01.md",
         lambda: digest(heading=crafted("### [1] [a](http://a", " ", "x"))),
    Case("digest-md", "entry heading of links without `)`", "2026-06-01.md",
         lambda: digest(heading=crafted("### [1] [", "a](http://a"))),
    Case("digest-md", "entry heading of tags", "2026-06-01.md",
         lambda: digest(heading=crafted("### [1] ", "[a] ", "Title"))),
    Case("digest-md", "plain `[1]` heading with a run of inner spaces", "2026-06-01.md",
         lambda: crafted("[1] a", " ", "b") + "\nAuthors: Ann Author\n"),
    Case("digest-md", "section line of spaces before `<`", "2026-06-01.md",
         lambda: digest(section=crafted("# a", " ", "<"))),
    Case("digest-md", "section line after </details> of spaces before `[`", "2026-06-01.md",
         lambda: digest(section=crafted("</details># cs.CV", " ", "["))),
    Case("digest-md", "section line of spaces and words", "2026-06-01.md",
         lambda: digest(section=crafted("## ", "a ", "[[Back]"))),
    Case("digest-md", "bold label and value with a run of spaces", "2026-06-01.md",
         lambda: digest(crafted("**a: x", " ", "x*"))),
    Case("digest-md", "bold label with a run of spaces and a line break", "2026-06-01.md",
         lambda: digest(crafted("**a:** x", " ", "x"))),
    Case("digest-md", "plain label with a run of spaces", "2026-06-01.md",
         lambda: digest(crafted("Motivation", " ", ": x"))),
    Case("digest-md", "layout line of a link and spaces", "2026-06-01.md",
         lambda: digest(crafted("[a](#b)", " ", "x"))),
    Case("digest-md", "fields on one line after a run of spaces", "2026-06-01.md",
         lambda: digest(crafted("a", " ", "b | c"))),
    Case("digest-md", "<summary> of unclosed `<`", "2026-06-01.md",
         lambda: digest(crafted("<summary>", "<", "</summary>"))),
    Case("digest-md", "table row whose label is not ASCII", "2026-06-01.md",
         lambda: digest(crafted("|", "中", "(a|b|"))),
    Case("digest-md", "authors line of initials", "2026-06-01.md",
         lambda: digest(heading="### [1] [A paper](https://arxiv.org/abs/2401.00001)")
         .replace("*Ann Author, Bo Author*", crafted("*", "Ab. ", "B*"))),
    Case("digest-md", "arXiv link line without `)`", "2026-06-01.md",
         lambda: digest(crafted("[PDF](https://arxiv.org/abs/2401.00001",
                                "](https://arxiv.org/abs/"), heading="### [1] A paper")),
    Case("digest-md", "report without entries, arXiv links without `)`", "report.md",
         lambda: "# Report\n\n" + crafted("[a", "](https://arxiv.org/abs/") + "\n"),
    Case("digest-md", "DOI link in the heading", "2026-06-01.md",
         lambda: digest(heading=crafted("### [1] [a](https://doi.org/", "10.1234/", ")"))),
    # --- HTML digest: the same patterns, reached through the HTML
    Case("digest-html", "<h3> title with a run of spaces", "digest.html",
         lambda: html_digest().replace(">A paper<", ">" + crafted("a", " ", "x") + "<")),
    Case("digest-html", "<strong> label and value with spaces", "digest.html",
         lambda: html_digest("<p><strong>" + crafted("a: x", " ", "x") + "</p>")),
    Case("digest-html", "<summary> of escaped `<`", "digest.html",
         lambda: html_digest("<details><summary>" + crafted("", "&lt;") + "</summary>")),
    Case("digest-html", "<h1> section of spaces", "digest.html",
         lambda: html_digest().replace(">cs.CV<", ">" + crafted("a", " ", "[") + "<")),
    # --- HTML digest: Python's HTML parser itself, on tags that never close (no `>` after)
    *(Case("digest-html", f"tags never closed {unit!r}", "digest.html",
           lambda unit=unit: html_digest() + crafted("<p>", unit))
      for unit in ("<a", "<a x", "<a\n", '<p a="', "<a href='", "<!--", "</a", "<?")),
    # --- daily JSONL: every field that a pattern reads
    Case("daily-jsonl", "id of `-a-a-a`", "2026-06-01_AI_enhanced_English.jsonl",
         lambda: jsonl(id=crafted("", "-a"))),
    Case("daily-jsonl", "abs link of `-a-a-a`", "2026-06-01_AI_enhanced_English.jsonl",
         lambda: jsonl(id="", abs=crafted("https://arxiv.org/abs/a", "-a"))),
    Case("daily-jsonl", "authors string of nested parentheses",
         "2026-06-01_AI_enhanced_English.jsonl", lambda: jsonl(authors=PARENS)),
    Case("daily-jsonl", "authors string of affiliations", "2026-06-01_AI_enhanced_English.jsonl",
         lambda: jsonl(authors=crafted("A", " (1)", " and B"))),
    Case("daily-jsonl", "title, categories, comment and AI fields",
         "2026-06-01_AI_enhanced_English.jsonl",
         lambda: jsonl(title=crafted("a", " "), categories=crafted("cs.CV ", "a-"),
                       comment=crafted("", "(a"), AI={"tldr": crafted("error", " ", "x"),
                                                      "keywords": crafted("", "a,")})),
    # --- arXiv metadata snapshot
    Case("arxiv-snapshot", "id of `-a-a-a`", "arxiv-metadata-oai-snapshot.json",
         lambda: snapshot(id=crafted("a", "-a"))),
    Case("arxiv-snapshot", "authors string of nested parentheses",
         "arxiv-metadata-oai-snapshot.json", lambda: snapshot(authors=PARENS)),
    Case("arxiv-snapshot", "authors string of TeX accents", "arxiv-metadata-oai-snapshot.json",
         lambda: snapshot(authors=crafted("", "\\'{a} ", "and B"))),
    # --- arXiv API Atom
    Case("arxiv-atom", "entry id of `-a-a-a`", "atom.xml",
         lambda: atom(entry_id=crafted("http://arxiv.org/abs/a", "-a"))),
    Case("arxiv-atom", "author name of initials", "atom.xml",
         lambda: atom(name=crafted("", "Ab. ", "B"))),
    Case(None, "XML prolog of processing instructions", "atom.xml",
         lambda: "<?a?>" * 2000 + atom().split("\n", 1)[1]),
    # --- arXiv RSS, legacy (RSS 1.0) and current (RSS 2.0)
    Case("arxiv-rss", "legacy title of `(arXiv:` without spaces", "rss.xml",
         lambda: rss1(title=crafted("A paper ", "(arXiv:1"))),
    Case("arxiv-rss", "legacy title of `(arXiv:1 [a]` without `)`", "rss.xml",
         lambda: rss1(title=crafted("A paper ", "(arXiv:1 [a] "))),
    Case("arxiv-rss", "HTML description of unclosed tags", "rss.xml",
         lambda: rss1(description=crafted("<p>", "<a"))),
    Case("arxiv-rss", "creator of nested parentheses", "rss.xml",
         lambda: rss1(creator=PARENS)),
    Case("arxiv-rss", "guid of `-a-a-a`", "rss.xml",
         lambda: rss2(guid=crafted("oai:arXiv.org:a", "-a"))),
    Case("arxiv-rss", "description with a long announcement", "rss.xml",
         lambda: rss2(description=crafted("arXiv:1 Announce Type:", " ", "x"))),
    # --- OAI-PMH
    Case("oai-pmh-arxiv", "id of `-a-a-a`", "oai.xml", lambda: oai(paper_id=crafted("a", "-a"))),
    Case("oai-pmh-arxiv", "author keyname of TeX accents", "oai.xml",
         lambda: oai(keyname=crafted("", "\\'a. "))),
    # --- .abs files
    Case("arxiv-abs", "Date with a run of spaces", "0704.0001.abs",
         lambda: abs_file(date=crafted("Mon, 2 Apr 2007 19:18:42 GMT", " ", "x"))),
    Case("arxiv-abs", "Date of unclosed `(`", "0704.0001.abs",
         lambda: abs_file(date=crafted("Mon, 2 Apr 2007", "("))),
    Case("arxiv-abs", "arXiv id of `-a-a-a`", "0704.0001.abs",
         lambda: abs_file(paper_id=crafted("a", "-a"))),
    Case("arxiv-abs", "Authors of nested parentheses", "0704.0001.abs",
         lambda: abs_file(authors=PARENS)),
    Case("arxiv-abs", "header line of words", "0704.0001.abs",
         lambda: abs_file(extra=crafted("A", " a", ": x"))),
]


def test_every_reader_has_cases() -> None:
    from kg.sources import readers

    covered = {case.reader for case in CASES}
    assert set(readers.names()) <= covered


@pytest.mark.parametrize("case", CASES, ids=str)
def test_reader_reads_crafted_line_in_bounded_time(case: Case, tmp_path: Path) -> None:
    path = tmp_path / case.file
    path.write_text(case.content(), "utf-8")
    claimed: list[Reader | None] = []

    def sniff_and_read() -> None:  # sniffing runs patterns on the file's head too
        claimed.append(detect(path.read_text("utf-8")[:8192], path.name))
        deque(read(find_inputs([path])), maxlen=0)  # every entry

    assert_bounded(str(case), sniff_and_read)
    assert (claimed[0].name if claimed[0] else None) == case.reader, "another reader claims it"


# --- Concept extraction and saved queries --------------------------------------------------


def _every_concepts_pattern(text: str) -> None:
    """Each pattern of kg.concepts, over the whole text: the most work any use of it does."""
    from kg.concepts import acronyms, normalize, scheme, spacy_extractor

    for module in (acronyms, normalize, scheme, spacy_extractor):
        for pattern in vars(module).values():
            if isinstance(pattern, re.Pattern):
                deque(pattern.finditer(text), maxlen=0)


def _definitions(text: str) -> object:
    from kg.concepts.acronyms import find_definitions

    return find_definitions(text)


def _unmarked(text: str) -> object:
    from kg.concepts.spacy_extractor import unmarked

    return unmarked(text)


def _fits(text: str) -> object:
    from kg.concepts.scheme import fits

    return fits(text, text)


def _display(text: str) -> object:
    from kg.concepts.normalize import concept_key, display_form

    return concept_key(text), display_form(text)


def _query_header(text: str) -> object:
    from kg.query import QueryError, parse_header

    try:
        return parse_header(text + "\nSELECT * WHERE { ?s ?p ?o }")
    except QueryError:
        return None


TEXTS = {
    "definitions `long form (AB)`": crafted("a ", "rank adaptation (RA) "),
    "parentheses without a definition": crafted("", "x(aa)"),
    "definitions `AB (long form)`": crafted("", "AB (a b) "),
    "LaTeX styling": crafted("", "\\textbf{a} \\emph{"),
    "spaces before a digit": crafted("a", " ", "1"),
    "dashes and spaces": crafted("a", " -", "1"),
    "a long hyphenated word": crafted("a", "-based"),
    "unclosed parentheses": crafted("a", " (", "x"),
}
TEXT_FUNCTIONS = {
    "every kg.concepts pattern": _every_concepts_pattern,
    "find_definitions": _definitions,
    "unmarked": _unmarked,
    "fits": _fits,
    "concept_key and display_form": _display,
}


@pytest.mark.parametrize("function", TEXT_FUNCTIONS)
@pytest.mark.parametrize("text", TEXTS)
def test_concept_text_in_bounded_time(function: str, text: str) -> None:
    assert_bounded(f"{function} on {text}", lambda: TEXT_FUNCTIONS[function](TEXTS[text]))


@pytest.mark.parametrize("line", [
    crafted("# param a =", " ", "x"),
    crafted("# param a", " ", "x"),
    crafted("# param a = b", " ", ": x"),
    crafted("# name", " ", "x"),
    crafted("# param", " "),
], ids=["default of spaces", "name and spaces", "default and colon", "name field", "param"])
def test_query_header_in_bounded_time(line: str) -> None:
    assert_bounded("parse_header", lambda: _query_header(line))
