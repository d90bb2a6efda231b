"""Reader for digests published as HTML pages ("digest-html").

Some forks (hppeace) publish the markdown digest rendered to HTML: `<h3>[1] <a href=...>` for
an entry, `<p><em>A, B</em></p>` for the authors, `<h4>` sections, `<strong>Label:</strong>`.
Rather than a second parser for the same layout, the page is turned back into the markdown it
was rendered from and read by the markdown reader; each markdown line keeps the line of the page
it came from, so rejections point into the HTML file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

from kg.sources.boundary import BadFile
from kg.sources.markdown import read_digest_lines
from kg.sources.registry import Entry, register_reader
from kg.sources.text import Text

_PAGE = re.compile(r"^\s*(?:<!DOCTYPE html|<html)", re.I)
_DIGEST_MARKS = re.compile(r"Table of Contents|id=['\"]?toc|arxiv\.org/abs/", re.I)

_BLOCKS = {"h1": "# ", "h2": "## ", "h3": "### ", "h4": "#### ", "h5": "##### ", "h6": "###### ",
           "p": "", "li": "- ", "summary": "<summary>"}
_INLINE = {"em": "*", "i": "*", "strong": "**", "b": "**", "code": "`"}
_SKIPPED = {"head", "script", "style", "title"}


class _MarkdownWriter(HTMLParser):
    """Collects the markdown lines of a rendered digest with the page line of each."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.numbers: list[int] = []
        self._block: list[str] | None = None  # inline text of the open block element
        self._block_tag = ""
        self._block_line = 0
        self._links: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag in _BLOCKS:
            self._close_block()
            self._block, self._block_tag, self._block_line = [_BLOCKS[tag]], tag, self.getpos()[0]
        elif tag in _INLINE and self._block is not None:
            self._block.append(_INLINE[tag])
        elif tag == "a" and self._block is not None:
            self._links.append(dict(attrs).get("href") or "")
            self._block.append("[")
        elif tag == "br" and self._block is not None:
            self._block.append("\n")
        elif tag in ("hr", "details"):
            self._close_block()
            self._emit("---" if tag == "hr" else "<details>", self.getpos()[0])

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag == self._block_tag:
            self._close_block()
        elif tag in _INLINE and self._block is not None:
            self._block.append(_INLINE[tag])
        elif tag == "a" and self._block is not None and self._links:
            self._block.append(f"]({self._links.pop()})")
        elif tag == "details":
            self._close_block()
            self._emit("</details>", self.getpos()[0])

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if self._block is not None:
            self._block.append(data)
        elif data.strip():  # loose text outside any block: keep it as lines of its own
            first = self.getpos()[0]
            for offset, line in enumerate(data.strip("\n").split("\n")):
                self._emit(line, first + offset)

    def close(self) -> None:
        super().close()
        self._close_block()

    def _close_block(self) -> None:
        """Emit the open block as markdown lines, then a blank line that ends its paragraph."""
        if self._block is None:
            return
        text = "".join(self._block).strip()
        if self._block_tag == "summary":
            text += "</summary>"
        for offset, line in enumerate(text.split("\n")):
            self._emit(line.strip(), self._block_line + offset)
        self._emit("", self._block_line)
        self._block, self._block_tag = None, ""

    def _emit(self, line: str, number: int) -> None:
        self.lines.append(line)
        self.numbers.append(number)


def _sniff(head: str, name: str) -> bool:
    """An HTML page that holds a digest (its table of contents or arXiv links), or any `.html`
    page, so that one that is not a digest is refused with a reason, not as unknown."""
    return bool(_PAGE.match(head)) and (
        bool(_DIGEST_MARKS.search(head)) or name.lower().endswith((".html", ".htm"))
    )


@register_reader("digest-html", _sniff, priority=60)
def read_html_digest(stream: Text, name: str) -> Iterator[Entry]:
    """Papers of an HTML digest, read as the markdown it was rendered from."""
    writer = _MarkdownWriter()
    try:
        writer.feed(stray_brackets_escaped(stream.read()))
        writer.close()
    except (AssertionError, ValueError) as error:  # what html.parser raises on broken markup
        raise BadFile(writer.getpos()[0], f"malformed HTML: {error}") from None
    yield from read_digest_lines(writer.lines, name, writer.numbers)


_BRACKET = re.compile("[<>]")


def stray_brackets_escaped(text: str) -> str:
    """`text` with each `<` that cannot open a tag (another `<` comes before any `>`) written
    `&lt;`, as a browser reads it. Python's HTML parser rescans the rest of the text from each
    such `<`, which is quadratic time on `<a<a<a...` or a line of unclosed attributes."""
    marks = [m.start() for m in _BRACKET.finditer(text)]
    stray = [at for at, following in zip(marks, [*marks[1:], None], strict=True)
             if text[at] == "<" and (following is None or text[following] == "<")]
    if not stray:
        return text
    pieces, last = [], 0
    for at in stray:
        pieces += [text[last:at], "&lt;"]
        last = at + 1
    return "".join([*pieces, text[last:]])
