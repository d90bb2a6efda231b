"""What a build folder remembers, so that `kg build NEW --into DIR` adds to it.

A build records, for each input file it read, the file's SHA-256 and every entry read from it
(papers, rejections, notices), and the options it was built with. An update reads only the
files that are new or whose content changed (a file already in, unchanged, costs its hash),
then rebuilds from all the entries recorded: since merging and extraction do not depend on the
order files were read in, the result is the same as a full rebuild from every input, and the
old files need not be kept. What concept extraction found in each text is cached beside it
(`extraction-cache-<stamp>.msgpack`, see `kg.concepts.extract`), so the texts of the old files
are not parsed again. The cache is MessagePack rather than JSON because an update reads and
writes all of it: on a month's build msgpack loads it about 8x faster than `json` does.

The state is JSON lines (`state-<stamp>.jsonl`): the options, then one line per file. Like the
store, it is a new version at each build that the manifest switches to, so the state and the
store always agree, and a killed update leaves the previous pair whole.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import msgpack

from kg import collector, sources
from kg.errors import UsageError
from kg.merge import Account, PaperMerger
from kg.model import Notice, Paper, Rejection, Source
from kg.outputs import OutputFolder, built_version
from kg.progress import Progress

STATE = "state"  # state-<stamp>.jsonl, a version switched by the manifest with the store
CACHE = "extraction-cache"  # extraction-cache-<stamp>.msgpack (.json, still read, before)
FORMAT = 1  # of the state file; a state of another format is not read (build again)

Record = Paper | Rejection | Notice


@dataclass
class InputFile:
    """One input file (or archive) as a build read it."""

    path: str  # as it was given, for messages
    sha256: str
    records: list[Record]
    line: str | None = None  # its line in the state file it was read from, written back as is


@dataclass
class BuildState:
    """The options a folder was built with and every input file it read, by absolute path."""

    options: dict[str, Any] = field(default_factory=dict)
    files: dict[str, InputFile] = field(default_factory=dict)

    def stale(self, paths: Iterable[Path]) -> list[tuple[Path, str]]:
        """The (path, SHA-256) of the `paths` that are new to the build or have changed."""
        result = []
        for path in paths:
            digest = file_sha256(path)
            known = self.files.get(_key(path))
            if known is None or known.sha256 != digest:
                result.append((path, digest))
        return result

    def replace(self, path: Path, digest: str, records: list[Record]) -> None:
        self.files[_key(path)] = InputFile(sources.display_name(path), digest, records)

    def papers(self) -> tuple[list[Paper], Account]:
        """The distinct papers of every file read, and the account, in an order that does not
        depend on when each file was added."""
        account = Account(files=len(self.files))
        merger = PaperMerger()
        for key in sorted(self.files):
            for record in self.files[key].records:
                if isinstance(record, Notice):
                    account.notices.append(record)
                elif isinstance(record, Rejection):
                    account.rejections.append(record)
                    account.entries += record.scope == "entry"
                else:
                    account.entries += 1
                    account.duplicates_merged += merger.add(record)
        papers = merger.papers()
        account.distinct_papers = len(papers)
        return papers, account


def read_inputs(state: BuildState, paths: Iterable[Path], progress: Progress) -> list[Path]:
    """Read into `state` the `paths` that are new to it or changed; return those read."""
    stale = state.stale(paths)
    records: dict[Path, list[Record]] = {path: [] for path, _ in stale}
    with progress.stage("Reading digests", total=len(stale)) as advance:
        current: Path | None = None
        for path, record in sources.read(list(records)):
            if path != current:
                advance(1 if current is not None else 0)
                current = path
            records[path].append(record)
        advance(1 if current is not None else 0)
    for path, digest in stale:
        state.replace(path, digest, records[path])
    return list(records)


def file_sha256(path: Path) -> str:
    """The file's SHA-256; an unreadable file gets a digest of its error, so it is retried."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
    except OSError as error:
        return f"unreadable: {error.strerror}"
    return digest.hexdigest()


def _key(path: Path) -> str:
    """A file's identity in the state: its absolute path, bytes that are not UTF-8 escaped."""
    return sources.display_name(os.path.abspath(path))


def read_state(folder: Path) -> BuildState:
    """The state of a build folder; raises `UsageError` for a folder kg cannot add to."""
    path = built_version(folder, STATE)
    if path is None:
        raise UsageError(f"{folder} holds no build kg can add to (no state): build it first "
                         f"with `kg build INPUT... --out {folder}`")
    try:
        with path.open(encoding="utf-8") as lines, collector.paused():  # records: no cycles
            header = json.loads(next(lines))
            if header.get("format") != FORMAT:
                raise ValueError(f"state format {header.get('format')}, not {FORMAT}")
            state = BuildState(header["options"])
            for line in lines:
                item = json.loads(line)
                state.files[item["key"]] = InputFile(
                    item["path"], item["sha256"], [_record(r) for r in item["records"]],
                    line if line.endswith("\n") else None)
    except (OSError, ValueError, KeyError, TypeError, StopIteration) as error:
        raise UsageError(f"{path} cannot be read ({error}): build the folder again with "
                         f"`kg build INPUT... --out {folder}`") from None
    return state


def write_state(out: OutputFolder, state: BuildState) -> None:
    _, path = out.stage_version(STATE, ".jsonl")
    with path.open("w", encoding="utf-8") as file:
        file.write(json.dumps({"format": FORMAT, "options": state.options}) + "\n")
        for key in sorted(state.files):
            item = state.files[key]
            file.write(item.line or json.dumps(
                {"key": key, "path": item.path, "sha256": item.sha256,
                 "records": list(_plain(item.records))}, ensure_ascii=False) + "\n")


def read_cache(folder: Path) -> dict[str, Any]:
    """The extraction cache the folder's latest build left (see `kg.concepts.extract`); empty
    when there is none or it cannot be read: a cache is only ever a shortcut."""
    try:
        path = built_version(folder, CACHE) if folder.is_dir() else None
        if path is None:
            return {}
        decode = json.loads if path.suffix == ".json" else msgpack.unpackb
        with collector.paused():  # msgpack's advice for large messages: 1.5 s of 2 s
            cache = decode(path.read_bytes())
    except (OSError, ValueError, msgpack.UnpackException):
        return {}
    return cache if isinstance(cache, dict) else {}


def write_cache(out: OutputFolder, cache: dict[str, Any]) -> None:
    _, path = out.stage_version(CACHE, ".msgpack")
    path.write_bytes(msgpack.packb(cache))


def _plain(records: list[Record]) -> Iterator[dict[str, Any]]:
    for record in records:
        yield {"kind": type(record).__name__.lower(), **asdict(record)}


def _record(data: dict[str, Any]) -> Record:
    kind = data.pop("kind")
    if kind == "rejection":
        return Rejection(**data)
    if kind == "notice":
        return Notice(**data)
    data["source"] = Source(**data["source"])
    data["sources"] = [Source(**s) for s in data["sources"]]
    return Paper(**data)
