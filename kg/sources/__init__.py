"""Read stage: files, folders, globs and tar archives in, `Paper` and `Rejection` records out.

Each file is sniffed by content and handed to the reader that claims it (see
`kg.sources.registry`). Files are streamed one at a time, archives member by member, so memory
does not grow with the number of inputs.

This is also the file-level error boundary (the entry-level one is `kg.sources.boundary`):
a file that cannot be opened, is not text, is of no known format, passes a limit of
`kg.limits` or breaks its reader half-way becomes a `Rejection` of scope "file" (from the line
where it broke), and an archive that is corrupt, truncated or a bomb one for the archive; the
entries read before are kept and reading goes on with the next file.
"""

from __future__ import annotations

import glob
import io
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg import limits
from kg.errors import UsageError, debugging, describe
from kg.model import Notice, Rejection

# Importing the reader modules registers them.
from kg.sources import abs_file, atom, html_digest, jsonl, markdown, oai, rss, snapshot  # noqa: F401
from kg.sources.archive import ARCHIVE_ERRORS, ArchiveBomb, is_archive, members
from kg.sources.boundary import BadFile
from kg.sources.registry import Entry, Reader, detect, readers, register_reader
from kg.sources.text import DigestText, sniff

__all__ = ["Entry", "InputError", "Reader", "display_name", "find_inputs", "read", "readers",
           "register_reader"]

# Notes that travel with digest folders (the corpus's own), not digests.
SKIPPED_NAMES = frozenset({"MANIFEST.json", "README.md"})


class InputError(UsageError):
    """An input path that names nothing; a usage error, not a rejected entry."""


def display_name(path: str | Path) -> str:
    """A path as the user is shown it: bytes of a name that are not UTF-8 as `\\xNN`."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def find_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """Expand files, folders (recursively, sorted) and glob patterns into the files to read.

    Hidden files and folders are left out. A folder that cannot be listed is returned itself,
    so that reading it reports why.
    """
    found: list[Path] = []
    for item in inputs:
        text = str(item)
        path = Path(text)
        if path.is_dir():
            found.extend(_walk(path))
        elif path.is_file():
            found.append(path)
        elif glob.has_magic(text):
            matches = sorted(Path(p) for p in glob.glob(text, recursive=True))
            if not matches:
                raise InputError(f"{display_name(text)}: the pattern matches no file")
            for match in matches:
                found.extend(_walk(match) if match.is_dir() else [match] if match.is_file()
                             else [])
        elif path.exists():
            raise InputError(f"{display_name(text)}: not a file or folder (a device or pipe?)")
        else:
            raise InputError(f"{display_name(text)}: no such file or folder")
    return list(dict.fromkeys(found))


def _walk(folder: Path) -> list[Path]:
    """The files under `folder`, sorted; a folder linked from inside itself is visited once."""
    files: list[Path] = []
    visited: set[str] = set()
    for root, folders, names in os.walk(folder, followlinks=True,
                                        onerror=lambda e: files.append(Path(e.filename))):
        real = os.path.realpath(root)
        if real in visited:  # a symbolic link back up the tree
            folders.clear()
            continue
        visited.add(real)
        folders[:] = [f for f in folders if not f.startswith(".")]
        for name in names:
            if not name.startswith(".") and name not in SKIPPED_NAMES:
                path = Path(root, name)
                if path.is_file():
                    files.append(path)
    return sorted(files)


def read(paths: Iterable[Path]) -> Iterator[tuple[Path, Entry | Notice]]:
    """Every entry of every file, in order, with the file (or archive) it came from; then the
    notices of the file. Never raises for bad input (see the module docstring)."""
    for path in paths:
        entries = _read_archive(path) if is_archive(path) else _read_path(path)
        for entry in entries:
            yield path, entry


def _read_path(path: Path) -> Iterator[Entry | Notice]:
    name = display_name(path)
    try:
        with path.open("rb") as raw:
            yield from _read_file(raw, name)
    except OSError as error:
        yield Rejection(name, 0, f"cannot be read: {error.strerror or describe(error)}", "file")


def _read_archive(path: Path) -> Iterator[Entry | Notice]:
    name = display_name(path)
    member = None
    try:
        for member, raw in members(path, SKIPPED_NAMES):
            yield from _read_file(raw, f"{name}:{display_name(member)}")
    except ArchiveBomb as bomb:
        yield Rejection(name, 0, f"{bomb}; the rest of the archive was not read", "file")
    except ARCHIVE_ERRORS as error:
        if isinstance(error, OSError) and error.errno is not None:
            reason = f"cannot be read: {error.strerror}"
        elif member is None:
            reason = f"not a readable tar archive ({describe(error)})"
        else:
            reason = (f"the archive is corrupt or truncated in or after member "
                      f"{display_name(member)} ({describe(error)}): what follows could not be read")
        yield Rejection(name, 0, reason, "file")


def _read_file(raw: io.BufferedReader, name: str) -> Iterator[Entry | Notice]:
    """The entries of one file (or archive member) by the reader that claims it."""
    text = DigestText(raw, name)
    entries = 0
    try:
        reader = detect(sniff(raw), name)
        if reader is None:
            raise BadFile(0, "unrecognised format: not a digest kg can read "
                             f"(known formats: {', '.join(readers.names())})")
        for entry in reader.read(text, name):
            if not (isinstance(entry, Rejection) and entry.scope == "file"):
                entries += 1
            if entries > limits.MAX_ENTRIES_PER_FILE:
                raise BadFile(text.line, f"more than {limits.MAX_ENTRIES_PER_FILE:,} entries: "
                                         "the rest of the file was not read")
            yield entry
    except BadFile as problem:
        yield Rejection(name, problem.line, problem.reason, "file")
    except (ArchiveBomb, *ARCHIVE_ERRORS):
        raise  # the archive (or the disk) failed, not this file's content
    except Exception as error:
        if debugging():
            raise
        yield Rejection(name, text.line, f"kg could not read the file past line {text.line:,} "
                                         f"({describe(error)}); run with --debug to see where",
                        "file")
    yield from text.close_notices()
