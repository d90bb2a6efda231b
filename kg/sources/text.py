"""The text of one input file, decoded line by line within the limits of `kg.limits`.

Readers get a `DigestText`: iterate it for lines (JSON lines, XML) or `read()` it whole
(markdown, HTML). Each line is decoded from UTF-8 on its own, so a few bytes in another
encoding cost a `Notice` on their line (they are read as U+FFFD), not the file; a line or a
document past its limit stops the file with a `BadFile` at that line, which the caller turns
into a rejection of the rest of the file.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Protocol

from kg import limits
from kg.model import Notice
from kg.sources.boundary import BadFile

SNIFF_BYTES = 8192
MAX_NOTICES_PER_FILE = 20  # then one line says how many more
_BINARY_SHARE = 0.2  # a head with more undecodable characters than this is not text


class Text(Protocol):
    """What a reader reads: lines (each ending in "\\n" but maybe the last) or the whole."""

    def __iter__(self) -> Iterator[str]: ...

    def read(self) -> str: ...


def sniff(raw: io.BufferedReader) -> str:
    """The first characters of a file, for format detection, without consuming them; raises
    `BadFile` for an empty or a binary file."""
    head = raw.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    if not head.strip():
        raise BadFile(0, "empty file: no entries to read")
    if b"\x00" in head:
        raise BadFile(0, "binary data, not a text digest")
    text = head.decode("utf-8", errors="replace")
    if text.count("\ufffd") > max(8, _BINARY_SHARE * len(text)):
        raise BadFile(0, "not UTF-8 text (binary data?)")
    return text.lstrip("\ufeff")


class DigestText:
    """A binary stream read as UTF-8 text, one line at a time, within the limits."""

    def __init__(self, raw: io.BufferedReader, name: str) -> None:
        self.name = name
        self.line = 0  # lines read so far: where a failure happened
        self.notices: list[Notice] = []
        self._mended = 0
        self._raw = raw

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        data = self._raw.readline(limits.MAX_LINE_BYTES + 1)
        if not data:
            raise StopIteration
        self.line += 1
        if len(data) > limits.MAX_LINE_BYTES:
            raise BadFile(self.line, f"line {self.line:,} is longer than "
                                     f"{limits.MAX_LINE_BYTES:,} bytes (a digest line is a "
                                     f"few kB): the rest of the file was not read")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            text = data.decode("utf-8", errors="replace")
            self._mend(error, text)
        if self.line == 1:
            text = text.removeprefix("\ufeff")
        return text.replace("\r\n", "\n") if text.endswith("\r\n") else text

    def read(self) -> str:
        """The rest of the text at once, for formats parsed whole; universal newlines."""
        parts: list[str] = []
        size = 0
        for line in self:
            size += len(line)
            if size > limits.MAX_DOCUMENT_CHARS:
                raise BadFile(self.line, f"longer than {limits.MAX_DOCUMENT_CHARS:,} characters "
                                         f"(a daily digest is under 2 MB): not read")
            parts.append(line)
        return "".join(parts).replace("\r", "\n")

    def _mend(self, error: UnicodeDecodeError, text: str) -> None:
        self._mended += 1
        if self._mended <= MAX_NOTICES_PER_FILE:
            byte = error.object[error.start]
            column = text.index("\ufffd") + 1
            self.notices.append(Notice(self.name, self.line, (
                f"byte 0x{byte:02X} at column {column} is not UTF-8; bytes like it on this line "
                f"were read as U+FFFD")))

    def close_notices(self) -> list[Notice]:
        """The notices of the file, with one for the lines past MAX_NOTICES_PER_FILE."""
        more = self._mended - MAX_NOTICES_PER_FILE
        if more > 0:
            self.notices.append(Notice(self.name, 0, (
                f"and {more:,} more lines with bytes that are not UTF-8 (is the file in another "
                f"encoding? save it as UTF-8)")))
        return self.notices
