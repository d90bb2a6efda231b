"""Read stage: files, folders, globs and tar archives in, `Paper` and `Rejection` records out.

Each file is sniffed by content and handed to the reader that claims it (see
`kg.sources.registry`). Files are streamed one at a time, archives member by member, so memory
does not grow with the number of inputs.
"""

from __future__ import annotations

import glob
import io
import tarfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

# Importing the reader modules registers them.
from kg.sources import abs_file, atom, html_digest, jsonl, markdown, oai, rss, snapshot  # noqa: F401
from kg.sources.registry import Entry, Reader, detect, readers, register_reader

__all__ = ["Entry", "InputError", "Reader", "find_inputs", "read", "readers", "register_reader"]

SNIFF_CHARS = 8192
_ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2")
_SKIP_NAMES = {"MANIFEST.json", "README.md"}


class InputError(Exception):
    """An input path that names nothing; a usage error, not a rejected entry."""


def find_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """Expand files, folders (recursively, sorted) and glob patterns into the files to read."""
    found: list[Path] = []
    for item in inputs:
        text = str(item)
        path = Path(text)
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and not p.name.startswith(".") and p.name not in _SKIP_NAMES
            )
        elif path.is_file():
            found.append(path)
        elif glob.has_magic(text):
            matches = sorted(Path(p) for p in glob.glob(text, recursive=True))
            if not matches:
                raise InputError(f"{text}: the pattern matches no file")
            found.extend(p for p in matches if p.is_file())
        else:
            raise InputError(f"{text}: no such file or folder")
    return list(dict.fromkeys(found))


def is_archive(path: Path) -> bool:
    return path.name.endswith(_ARCHIVE_SUFFIXES)


def _decode(raw: io.BufferedIOBase, name: str) -> tuple[str, TextIO] | Entry:
    """Sniff a binary stream: (head, text stream), or a Rejection for empty or binary files."""
    from kg.model import Rejection

    buffered = io.BufferedReader(raw) if not isinstance(raw, io.BufferedReader) else raw
    head_bytes = buffered.peek(SNIFF_CHARS)[:SNIFF_CHARS]
    if not head_bytes.strip():
        return Rejection(name, 0, "empty file: no entries to read")
    if b"\x00" in head_bytes:
        return Rejection(name, 0, "binary data, not a text digest")
    head = head_bytes.decode("utf-8", errors="ignore").lstrip("\ufeff")
    if head_bytes.decode("utf-8", errors="replace").count("\ufffd") > 8:
        return Rejection(name, 0, "not UTF-8 text (binary data?)")
    stream = io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="replace", newline=None)
    return head, stream


def _read_stream(raw: io.BufferedIOBase, name: str) -> Iterator[Entry]:
    from kg.model import Rejection

    decoded = _decode(raw, name)
    if not isinstance(decoded, tuple):
        yield decoded
        return
    head, stream = decoded
    reader = detect(head, name)
    if reader is None:
        yield Rejection(name, 0, "unrecognised format: not a digest kg can read "
                                 f"(known formats: {', '.join(readers.names())})")
        return
    yield from reader.read(stream, name)


def read(paths: Iterable[Path]) -> Iterator[tuple[Path, Entry]]:
    """Every entry of every file, in order, with the file (or archive) it came from."""
    for path in paths:
        if is_archive(path):
            with tarfile.open(path, mode="r|*") as archive:
                for member in archive:
                    base = member.name.rsplit("/", 1)[-1]
                    if not member.isfile() or base.startswith(".") or base in _SKIP_NAMES:
                        continue
                    raw = archive.extractfile(member)
                    if raw is None:
                        continue
                    # A streamed archive cannot seek: hold one member (one day) at a time.
                    day = io.BytesIO(raw.read())
                    for entry in _read_stream(day, f"{path}:{member.name}"):
                        yield path, entry
        else:
            with path.open("rb") as raw:
                for entry in _read_stream(raw, str(path)):
                    yield path, entry
