"""The persistent store: the graph's triples in an Oxigraph store inside the build folder.

`kg build` writes the store (a RocksDB folder, `store-<stamp>/`, named in the manifest) and
the RDF files are exports of the same triples. Commands that only read (`kg query`,
`kg analyze`, `kg serve`, `kg export`) open it read-only, which takes milliseconds whatever
the graph's size, instead of parsing a Turtle file of hundreds of megabytes at every call.

A store is never changed once committed: a new build (or an update) writes a new one and the
manifest switches to it, so a reader that opened the old one keeps a consistent view (RocksDB
must not be read while another process writes it).

A daily update changes a small part of the graph, and loading millions of triples again was
most of its cost. So the RDF is written as records (`kg.export.rdf`), and each store has an
index beside it (`records-<stamp>.tsv`, a version switched with it): every record's key, a hash
of what it was made from, and where its block is in `graph.ttl`. The next build walks its
records in the same order (`StoreWriter`, a merge of two sorted streams): a record made from
the same inputs is copied from the old `graph.ttl` and not rendered (the old file and index
are first checked whole against the SHA-256 the manifest lists for them; consecutive copied
records are written in one piece); the others are rendered, and when few changed, the new
store starts as a checkpoint of the old (hard links to its immutable files, milliseconds) and
only the triples of the changed records that differ are removed and added.
"""

from __future__ import annotations

import hashlib
import mmap
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, NamedTuple, TextIO, cast

import pyoxigraph as ox

from kg.errors import UsageError
from kg.outputs import MANIFEST, OutputFolder, built_version, previous_sha256s, previous_version

STORE = "store"
INDEX = "records"  # records-<stamp>.tsv: a header line (INDEX_FORMAT, salt), then `_Entry` lines
INDEX_FORMAT = "kg-records 2"  # an index of another format is not read: the build starts afresh
# Above this share of changed records a fresh bulk load is cheaper than a diff (removing a
# triple costs about three times as much as bulk-loading one).
MAX_CHANGED = 0.25
# The diff holds the old and new Turtle of the changed records (and their N-Triples): above
# this share of the old file's bytes, it is given up for a fresh load, so that its memory
# stays bounded when most records change (a paper's record is many times a person's, and
# papers come first in key order: counted in records alone, a kg upgrade that re-renders
# every record held most of the graph's N-Triples before giving up, 3 GB on the archive).
MAX_CHANGED_BYTES = 0.5
LOAD_CHUNK = 32 << 20  # bytes of Turtle per call of the bulk loader (`_bulk_load`)
INDEX_LINES = 1 << 14  # index lines written at once


class _Entry(NamedTuple):
    """One record of an index: "key<TAB>fingerprint<TAB>offset<TAB>length".
    A tuple: an update reads one for every record of the build."""

    key: str
    fingerprint: str
    offset: int
    length: int


class _OldBuild:
    """The previous build's index, read in order, and the blocks of its RDF file."""

    def __init__(self, folder: Path, index: Path | None, rdf_file: str, salt: str) -> None:
        self.usable = False  # its index and file can be read (so far): a diff is possible
        self.same_salt = False  # and its records were made as ours are: they can be copied
        self.next: _Entry | None = None
        self._lines: TextIO | None = None
        self._blocks: mmap.mmap | None = None
        if index is None:
            return
        listed = previous_sha256s(folder)  # a file changed by hand since is not reused
        try:
            with index.open("rb") as raw:
                if hashlib.file_digest(raw, "sha256").hexdigest() != listed.get(index.name):
                    return
            self._lines = index.open(encoding="utf-8")
            form, _, old_salt = next(self._lines).partition("\t")
            if form != INDEX_FORMAT:
                return
            with (folder / rdf_file).open("rb") as file:
                self._blocks = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError, StopIteration):  # UnicodeDecodeError is a ValueError
            return
        if hashlib.sha256(self._blocks).hexdigest() != listed.get(rdf_file):
            return
        self.same_salt = old_salt == f"{salt}\n"
        self.usable = True
        self.next = self._read()

    @property
    def size(self) -> int:
        """The old RDF file's length in bytes (0 when it cannot be read)."""
        return len(self._blocks) if self._blocks is not None else 0

    def _read(self) -> _Entry | None:
        """The next entry; an index that cannot be read is not used."""
        try:
            line = next(self._lines, None) if self._lines is not None else None
            if line is None:
                return None
            key, fingerprint, offset, length = line.rstrip("\n").rsplit("\t", 3)
            return _Entry(key, fingerprint, int(offset), int(length))
        except (OSError, ValueError):
            self.usable = False
            return None

    def until(self, key: str) -> tuple[list[_Entry], _Entry | None]:
        """The entries before `key` (records gone from the build), and `key`'s, if any."""
        gone: list[_Entry] = []
        while self.usable and self.next is not None and self.next.key <= key:
            entry, self.next = self.next, self._read()
            if entry.key == key:
                return gone, entry
            gone.append(entry)
        return gone, None

    def close(self) -> None:
        if self._blocks is not None:
            self._blocks.close()
        if self._lines is not None:
            self._lines.close()

    def holds(self, entry: _Entry) -> bool:
        """Whether the old file (checked whole when opened) has the entry's bytes."""
        return self._blocks is not None and entry.offset + entry.length <= len(self._blocks)

    def block(self, entry: _Entry) -> bytes | None:
        """The entry's bytes in the old file; None when the index points past its end."""
        if self._blocks is None or not self.holds(entry):  # the first, for the type checker
            return None
        return self._blocks[entry.offset:entry.offset + entry.length]

    def copy(self, start: int, end: int, file: BinaryIO) -> None:
        """Write bytes [start, end) of the old file (within it) to `file`, without a copy."""
        assert self._blocks is not None
        with memoryview(self._blocks) as view:
            file.write(view[start:end])


class StoreWriter:
    """Writes the build's RDF file (`name`, staged at `path`: `header`, then a block per
    record), the index of its records and the store, reusing what the previous build of the
    folder made from the same inputs under the same `salt` (see the module docstring). A diff
    of the old store is given up when more than MAX_CHANGED of the `records` changed."""

    def __init__(self, out: OutputFolder, name: str, header: bytes, salt: str,
                 records: int) -> None:
        self.out = out
        self.header = header
        self.path = out.stage(name)
        self.previous = previous_version(out.path, STORE)
        index = previous_version(out.path, INDEX) if self.previous else None
        self._old = _OldBuild(out.path, index, name, salt)
        self._diffing = self._old.usable  # a diff of the old store is still possible
        self._budget = MAX_CHANGED * records
        self._byte_budget = MAX_CHANGED_BYTES * self._old.size
        self._changed_bytes = 0  # of the old and new Turtle blocks of the changed records
        self._file = self.path.open("wb")
        self._file.write(header)
        self._offset = len(header)
        self._run_start = self._run_end = 0  # the old file's bytes still to copy
        _, index_path = out.stage_version(INDEX, ".tsv")
        self._index: TextIO = index_path.open("w", encoding="utf-8")
        self._index.write(f"{INDEX_FORMAT}\t{salt}\n")
        self._lines: list[str] = []  # index lines not yet written
        self.removed: list[bytes] = []  # the old blocks of changed and gone records (Turtle)
        self.added: list[bytes] = []  # the new triples of changed records (N-Triples)
        self.fresh: list[bytes] = []  # those of records the old build did not have

    def record(self, key: str, fingerprint: str,
               render: Callable[[], tuple[bytes, bytes]]) -> None:
        """Write the next record (keys come in sorted order): copied from the old file when
        it was made from the same inputs, else `render`ed (its block, and its N-Triples)."""
        gone, old = self._old.until(key)
        for entry in gone:
            self._change(entry, b"", 0)
        if old is not None and self._old.same_salt and old.fingerprint == fingerprint \
                and self._old.holds(old):
            self._copy(old.offset, old.length)
            length = old.length
        else:
            block, ntriples = render()
            self._change(old, ntriples, len(block))
            self._flush_run()
            self._file.write(block)
            length = len(block)
        self._lines.append(f"{key}\t{fingerprint}\t{self._offset}\t{length}\n")
        if len(self._lines) >= INDEX_LINES:
            self._flush_index()
        self._offset += length

    def _copy(self, offset: int, length: int) -> None:
        """Copy bytes of the old file: joined to the run being copied when they follow it."""
        if offset != self._run_end:
            self._flush_run()
            self._run_start = offset
        self._run_end = offset + length

    def _flush_run(self) -> None:
        if self._run_end > self._run_start:
            self._old.copy(self._run_start, self._run_end, self._file)
        self._run_start = self._run_end = 0

    def _flush_index(self) -> None:
        self._index.write("".join(self._lines))
        self._lines.clear()

    def _change(self, old: _Entry | None, ntriples: bytes, new_block: int) -> None:
        """Keep a changed record's old block and new triples (whose Turtle is `new_block`
        bytes) for the diff, while one is possible, cheaper than a fresh load and small."""
        if not self._diffing:
            return
        if old is not None:
            block = self._old.block(old)
            if block is None:
                self._diffing = False  # the index is not the old file's: load afresh
            else:
                self.removed.append(block)
                self._changed_bytes += len(block)
        (self.fresh if old is None else self.added).append(ntriples)
        self._changed_bytes += new_block
        if len(self.added) + len(self.fresh) > self._budget \
                or self._changed_bytes > self._byte_budget:
            self._diffing = False  # a fresh load will be cheaper: stop collecting
        if not self._diffing:
            self.removed.clear()
            self.added.clear()
            self.fresh.clear()

    def write(self) -> str:
        """Close the RDF file and the index, and stage the store holding exactly the triples
        of the file; the store's name."""
        for entry in self._old.until(chr(0x10FFFF))[0]:
            self._change(entry, b"", 0)  # gone
        self._flush_run()
        self._flush_index()
        self._file.close()
        self._index.close()
        self._old.close()
        name, path = self.out.stage_version(STORE, folder=True)
        # An index unreadable from some line on left the old records after it unvisited.
        if self._diffing and self._old.usable and self.previous is not None:
            try:
                _changed_copy(self.previous, path, self.header, self.removed, self.added,
                              self.fresh)
                return name
            except (OSError, ValueError, SyntaxError):
                pass  # an old store damaged by hand: load afresh, below
            # Out of the `except`: its traceback held the failed store open.
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir()
        store = ox.Store(str(path))
        _bulk_load(store, self.path, self.header)
        store.optimize()
        store.flush()
        del store  # closes RocksDB before the folder is renamed
        return name


def _changed_copy(previous: Path, path: Path, header: bytes, removed: list[bytes],
                  added: list[bytes], fresh: list[bytes]) -> None:
    """A checkpoint of the `previous` store at `path`, with the changed records applied."""
    path.rmdir()  # a checkpoint is made into a new folder
    ox.Store.read_only(str(previous)).backup(str(path))
    store = ox.Store(str(path))
    _apply(store, header, removed, added, fresh)
    store.flush()


def _bulk_load(store: ox.Store, turtle: Path, header: bytes) -> None:
    """Load a Turtle file of `kg.export.rdf`'s records a slice of LOAD_CHUNK bytes at a time,
    cut where a subject starts (a line not indented), each slice after the prefixes: the bulk
    loader holds a whole call in memory. Lenient: every term was checked when rendered."""
    with turtle.open("rb") as file:
        file.seek(len(header))
        while chunk := file.read(LOAD_CHUNK):
            parts = [header, chunk, file.readline()]
            while (line := file.readline()).startswith(b"\t"):
                parts.append(line)
            file.seek(file.tell() - len(line))
            store.bulk_load(b"".join(parts), ox.RdfFormat.TURTLE, lenient=True)


def _apply(store: ox.Store, header: bytes, removed: list[bytes], added: list[bytes],
           fresh: list[bytes]) -> None:
    """Replace the triples of the changed and gone records: their `removed` old blocks
    (Turtle) by the `added` new ones (N-Triples), and add the `fresh` records' triples. Records
    own their subjects, so the triples both hold stay; they are compared as N-Triples lines (a
    triple written two ways is removed and added). Fresh records are not compared: a triple
    they share with a removed block is removed, then loaded again."""
    written = ox.serialize(ox.parse(header + b"".join(removed), ox.RdfFormat.TURTLE,
                                    lenient=True), format=ox.RdfFormat.N_TRIPLES)
    old = set(cast(bytes, written).splitlines())
    new = set(b"".join(added).splitlines())
    for quad in ox.parse(b"\n".join(old - new), ox.RdfFormat.N_TRIPLES, lenient=True):
        store.remove(quad)
    store.bulk_load(b"\n".join([*(new - old), b"".join(fresh)]), ox.RdfFormat.N_TRIPLES,
                    lenient=True)


class LiveStore:
    """A build folder's store for a reader that lives long (`kg serve`): opened again when a new
    build or update of the folder commits (its manifest changes), so a server follows the
    folder without a restart and never reads a store a newer build removed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._seen: int | None = None
        self._store: ox.Store | None = None

    def __call__(self) -> ox.Store:
        try:
            seen = (self.folder / MANIFEST).stat().st_mtime_ns
        except FileNotFoundError:
            seen = None
        if self._store is None or seen != self._seen:
            self._store, self._seen = open_store(self.folder), seen
        return self._store


def open_store(folder: Path) -> ox.Store:
    """The store of a build folder, read-only. Raises `UsageError` for a folder without one
    (not built, or built by kg before 0.2), saying what to run."""
    path = built_version(folder, STORE)
    if path is None:
        older = sorted(p.name for p in folder.glob("graph.*")
                       if p.suffix in (".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf"))
        hint = (f"it holds {', '.join(older)} from an older kg: run `kg build` again, or query "
                f"the file with --graph {folder / older[0]}" if older
                else "run `kg build` with this folder as output first")
        raise UsageError(f"no store in {folder}: {hint}")
    try:
        return ox.Store.read_only(str(path))
    except OSError as error:
        raise UsageError(f"the store {path} cannot be opened ({error}): build again") from None
