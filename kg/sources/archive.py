"""Tar archives (.tar.gz, .tar.xz, ...) read member by member, guarded against bombs.

An archive is streamed: one member is read at a time and never held whole, so memory does
not grow with the archive. What a member expands to is watched as it is read: past
`MAX_MEMBER_BYTES`, or more than `MAX_EXPANSION_RATIO` times the compressed bytes it took
(once it has expanded `EXPANSION_CHECK_BYTES`), or past `MAX_ARCHIVE_BYTES` for the whole
archive, reading stops with `ArchiveBomb`. Members are never written to disk, so their paths
(`../../etc/passwd`) are only names.
"""

from __future__ import annotations

import io
import lzma
import tarfile
import zlib
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import BinaryIO

from kg import limits

ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2")
# What a corrupt, truncated or mis-named archive raises while it is read.
ARCHIVE_ERRORS = (tarfile.TarError, EOFError, lzma.LZMAError, zlib.error, OSError)


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
        n = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        self.taken += n or 0
        return n or 0


class _Watched(io.RawIOBase):
    """One member's expanded bytes, stopping with `ArchiveBomb` past the limits."""

    def __init__(self, member: BinaryIO, name: str, source: _Counting, budget: list[int]) -> None:
        self.member = member
        self.name = name
        self.source = source
        self.start = source.taken
        self.expanded = 0
        self.budget = budget  # bytes the archive may still expand, shared by its members

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.member.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.expanded += n
        self.budget[0] -= n
        self._check()
        return n

    def _check(self) -> None:
        if self.expanded > limits.MAX_MEMBER_BYTES:
            raise ArchiveBomb(f"{self.name} expands past {limits.MAX_MEMBER_BYTES:,} bytes")
        if self.budget[0] < 0:
            raise ArchiveBomb(f"the archive expands past {limits.MAX_ARCHIVE_BYTES:,} bytes")
        taken = max(self.source.taken - self.start, 1)
        if (self.expanded > limits.EXPANSION_CHECK_BYTES
                and self.expanded > limits.MAX_EXPANSION_RATIO * taken):
            raise ArchiveBomb(
                f"{self.name} expands {self.expanded // taken:,} times (limit "
                f"{limits.MAX_EXPANSION_RATIO}): a decompression bomb?")


def members(path: Path, skipped: Collection[str] = (),
            ) -> Iterator[tuple[str, io.BufferedReader]]:
    """(member name, its expanded bytes) for each regular file of the archive, in order.

    Hidden files and the names in `skipped` are passed over. Raises `ArchiveBomb`, or one of
    `ARCHIVE_ERRORS` for a corrupt or truncated archive, where reading has to stop.
    """
    budget = [limits.MAX_ARCHIVE_BYTES]
    with path.open("rb") as file:
        source = _Counting(file)
        with tarfile.open(fileobj=io.BufferedReader(source), mode="r|*") as archive:
            for member in archive:
                base = member.name.rsplit("/", 1)[-1]
                if not member.isfile() or base.startswith(".") or base in skipped:
                    continue
                if member.size > limits.MAX_MEMBER_BYTES:
                    raise ArchiveBomb(f"{member.name} says it holds {member.size:,} bytes "
                                      f"(limit {limits.MAX_MEMBER_BYTES:,})")
                extracted = archive.extractfile(member)
                if extracted is not None:
                    watched = _Watched(extracted, member.name, source, budget)  # type: ignore[arg-type]
                    yield member.name, io.BufferedReader(watched)
