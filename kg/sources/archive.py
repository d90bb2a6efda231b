"""Tar archives (.tar.gz, .tar.xz, .tar.bz2, .tar) read member by member, guarded against bombs.

An archive is streamed: one member is read at a time and never held whole, so memory does
not grow with the archive. kg decompresses it itself (gzip, xz or bzip2, told by their magic
bytes) and hands tarfile the plain stream: tarfile's own streaming decompression keeps each
decompressed block and copies its rest at every read, which on a bomb (1 GB of zeros in a
150 kB .tar.xz) is quadratic time. What each member expands to is watched as it is
decompressed, whether kg reads it or tarfile skips it: past `MAX_MEMBER_BYTES`, or more than
`MAX_EXPANSION_RATIO` times the compressed bytes it took (once it has expanded
`EXPANSION_CHECK_BYTES`), or past `MAX_ARCHIVE_BYTES` for the whole archive, reading stops with
`ArchiveBomb`. Members are never written to disk, so their paths (`../../etc/passwd`) are only
names.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zlib
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import BinaryIO

from kg import limits

ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2")
# What a corrupt, truncated or mis-named archive raises while it is read (gzip's and bzip2's
# errors are OSErrors).
ARCHIVE_ERRORS = (tarfile.TarError, EOFError, lzma.LZMAError, zlib.error, OSError)


WHOLE_MEMBER_BYTES = 64 << 20  # members up to this size (a day is 1-3 MB) are read at once


class ArchiveBomb(ValueError):
    """A member expands past the limits: the archive is not read further."""


def is_archive(path: Path) -> bool:
    return path.name.endswith(ARCHIVE_SUFFIXES)


class _Counting(io.RawIOBase):
    """The compressed file, counting the bytes the decompressor has taken from it."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.taken = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.taken += len(data)
        return len(data)


def _decompressing(source: _Counting) -> BinaryIO:
    """The decompressed stream of an archive, by the magic bytes its file starts with."""
    buffered = io.BufferedReader(source)
    magic = buffered.peek(6)[:6]
    if magic.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(buffered)  # type: ignore[return-value]
    if magic.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=buffered)  # type: ignore[return-value]
    if magic.startswith(b"BZh"):
        return bz2.BZ2File(buffered)  # type: ignore[return-value]
    return buffered


class _Watched(io.RawIOBase):
    """An archive's decompressed bytes, stopping with `ArchiveBomb` past the limits; `member()`
    starts counting a new member."""

    def __init__(self, file: BinaryIO) -> None:
        self.source = _Counting(file)
        self.stream = _decompressing(self.source)
        self.expanded = 0
        self.name = "the archive's first member"
        self.member_start = (0, 0)  # (expanded, taken) when the member began

    def readable(self) -> bool:
        return True

    def member(self, name: str) -> None:
        self.name = name
        self.member_start = (self.expanded, self.source.taken)

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        # read1: what one read of the compressed file gives, so that the data before a
        # corrupt or truncated end is passed on before the error.
        data = self.stream.read1(len(buffer))  # type: ignore[attr-defined]
        n = len(data)
        buffer[:n] = data
        self.expanded += n
        self._check()
        return n

    def _check(self) -> None:
        if self.expanded > limits.MAX_ARCHIVE_BYTES:
            raise ArchiveBomb(f"the archive expands past {limits.MAX_ARCHIVE_BYTES:,} bytes")
        expanded = self.expanded - self.member_start[0]
        taken = max(self.source.taken - self.member_start[1], 1)
        if expanded > limits.MAX_MEMBER_BYTES:
            raise ArchiveBomb(f"{self.name} expands past {limits.MAX_MEMBER_BYTES:,} bytes")
        if (expanded > limits.EXPANSION_CHECK_BYTES
                and expanded > limits.MAX_EXPANSION_RATIO * taken):
            raise ArchiveBomb(f"{self.name} expands more than {limits.MAX_EXPANSION_RATIO} "
                              f"times its compressed size (a decompression bomb?)")


def members(path: Path, skipped: Collection[str] = (),
            ) -> Iterator[tuple[str, io.BufferedReader]]:
    """(member name, its bytes) for each regular file of the archive, in order; a member must
    be read before the next is asked for.

    Hidden files and the names in `skipped` are passed over. Raises `ArchiveBomb`, or one of
    `ARCHIVE_ERRORS` for a corrupt or truncated archive, where reading has to stop.
    """
    with path.open("rb") as file:
        watched = _Watched(file)
        # Decompressing a megabyte a call, not tarfile's 10 kB: a fifth of the calls' cost.
        stream = io.BufferedReader(watched, buffer_size=1 << 20)
        with tarfile.open(fileobj=stream, mode="r|") as archive:
            for member in archive:
                watched.member(member.name)
                base = member.name.rsplit("/", 1)[-1]
                if not member.isfile() or base.startswith(".") or base in skipped:
                    continue
                if member.size > limits.MAX_MEMBER_BYTES:
                    raise ArchiveBomb(f"{member.name} says it holds {member.size:,} bytes "
                                      f"(limit {limits.MAX_MEMBER_BYTES:,})")
                extracted = archive.extractfile(member)
                if extracted is None:
                    continue
                if member.size <= WHOLE_MEMBER_BYTES:  # one read of a day is several times
                    whole = io.BytesIO(extracted.read())  # faster than reading it by lines
                    yield member.name, io.BufferedReader(whole)
                else:
                    yield member.name, extracted  # type: ignore[misc]  # a BufferedReader
