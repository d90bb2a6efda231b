"""The persistent store: the graph's triples in an Oxigraph store inside the build folder.

`kg build` writes the store (a RocksDB folder, `store-<stamp>/`, named in the manifest) and
the RDF files are exports of the same triples. Commands that only read (`kg query`,
`kg analyze`, `kg serve`, `kg export`) open it read-only, which takes milliseconds whatever
the graph's size, instead of parsing a Turtle file of hundreds of megabytes at every call.

A store is never changed once committed: a new build (or an update) writes a new one and the
manifest switches to it, so a reader that opened the old one keeps a consistent view (RocksDB
must not be read while another process writes it).

A daily update changes a small part of the graph, and loading millions of triples again was
most of its cost. So each store has an index beside it (`subjects-<stamp>.tsv`, a version
switched with it): every subject with a hash of its sorted triples. The next build compares
its triples with that index subject by subject (`StoreDiff`, a merge of two sorted streams,
memory for the changed subjects only); when few changed, the new store starts as a
checkpoint of the old (hard links to its immutable files, milliseconds) and only the triples
that differ are removed and added.
"""

from __future__ import annotations

import hashlib
import shutil
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO, cast

import pyoxigraph as ox

from kg.errors import UsageError
from kg.outputs import MANIFEST, OutputFolder, built_version, previous_version

STORE = "store"
INDEX = "subjects"  # subjects-<stamp>.tsv: "hash<TAB>subject" per line, sorted by subject
# Above this share of changed subjects a fresh bulk load is cheaper than a diff (removing a
# triple costs about three times as much as bulk-loading one).
MAX_CHANGED = 0.25
LOAD_CHUNK = 32 << 20  # bytes of N-Triples per call of the bulk loader (`_bulk_load`)


def _hash(block: bytes) -> str:
    return hashlib.blake2b(block, digest_size=8).hexdigest()


def _index_lines(path: Path | None) -> Iterator[tuple[str, str]]:
    """(subject, hash) of an index, in its (sorted) order; nothing without one."""
    if path is None:
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            digest, _, subject = line.rstrip("\n").partition("\t")
            yield subject, digest


def _count_lines(path: Path | None) -> int:
    if path is None:
        return 0
    with path.open("rb") as lines:
        return sum(1 for _ in lines)


class StoreDiff:
    """Takes the graph's N-Triples a subject at a time, in sorted order (`block`), writes the
    new index and keeps what differs from the previous build's; `write` then stages the store.
    """

    def __init__(self, out: OutputFolder) -> None:
        self.out = out
        self.previous = previous_version(out.path, STORE)
        old_index = previous_version(out.path, INDEX) if self.previous else None
        self._diffable = old_index is not None
        self._old = _index_lines(old_index)
        self._next_old = self._read_old()
        self._budget = MAX_CHANGED * _count_lines(old_index) if self._diffable else 0
        _, index_path = out.stage_version(INDEX, ".tsv")
        self._index: TextIO = index_path.open("w", encoding="utf-8")
        self.changed: dict[str, bytes] = {}  # subject -> its new triples (b"" when gone)
        self.fresh: set[str] = set()  # the changed subjects the previous store did not have

    def block(self, subject: str, triples: bytes) -> None:
        """The N-Triples lines of one subject; subjects come in sorted order."""
        digest = _hash(triples)
        self._index.write(f"{digest}\t{subject}\n")
        old_digest = self._skip_to(subject)
        if old_digest != digest:
            self._record(subject, triples)
            if old_digest is None:
                self.fresh.add(subject)

    def _skip_to(self, subject: str) -> str | None:
        """The old hash of `subject`; the old subjects before it are gone."""
        while self._next_old is not None and self._next_old[0] < subject:
            self._record(self._next_old[0], b"")
            self._next_old = self._read_old()
        if self._next_old is not None and self._next_old[0] == subject:
            digest = self._next_old[1]
            self._next_old = self._read_old()
            return digest
        return None

    def _read_old(self) -> tuple[str, str] | None:
        """The next line of the old index; an index that cannot be read is not used."""
        try:
            return next(self._old, None)
        except (OSError, ValueError):  # UnicodeDecodeError is a ValueError
            self._diffable = False
            return None

    def _record(self, subject: str, triples: bytes) -> None:
        if self._diffable:
            self.changed[subject] = triples
            if len(self.changed) > self._budget:
                self._diffable = False  # a fresh load will be cheaper: stop collecting
                self.changed.clear()
                self.fresh.clear()

    def write(self, ntriples: Path) -> str:
        """Stage the store holding exactly the triples of `ntriples` (the blocks given), and
        its index; the store's name."""
        while self._next_old is not None:
            self._record(self._next_old[0], b"")
            self._next_old = self._read_old()
        self._index.close()
        name, path = self.out.stage_version(STORE, folder=True)
        if self._diffable and self.previous is not None:
            try:
                _changed_copy(self.previous, path, self.changed, self.fresh)
                return name
            except (OSError, ValueError, SyntaxError):
                pass  # an old store or index damaged by hand: load afresh, below
            # Out of the `except`: its traceback held the failed store open.
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir()
        store = ox.Store(str(path))
        _bulk_load(store, ntriples)
        store.optimize()
        store.flush()
        del store  # closes RocksDB before the folder is renamed
        return name


def _changed_copy(previous: Path, path: Path, changed: dict[str, bytes],
                  fresh: set[str]) -> None:
    """A checkpoint of the `previous` store at `path`, with the `changed` subjects applied."""
    path.rmdir()  # a checkpoint is made into a new folder
    ox.Store.read_only(str(previous)).backup(str(path))
    store = ox.Store(str(path))
    _apply(store, changed, fresh)
    store.flush()


def _bulk_load(store: ox.Store, ntriples: Path) -> None:
    """Load an N-Triples file a slice of LOAD_CHUNK bytes at a time (cut at a line end): the
    bulk loader holds a whole call in memory, 1.4 GB for June's 360 MB file at once, 0.27 GB
    in slices, for a quarter more time. Lenient: every term was checked when rendered."""
    with ntriples.open("rb") as file:
        while chunk := file.read(LOAD_CHUNK):
            store.bulk_load(chunk + file.readline(), ox.RdfFormat.N_TRIPLES, lenient=True)


def _apply(store: ox.Store, changed: dict[str, bytes], fresh: set[str]) -> None:
    """Make each changed subject's triples in `store` those given (none: it is gone); the
    `fresh` subjects had none before, so their triples are only added, in one load."""
    store.load(b"".join(changed[s] for s in fresh), ox.RdfFormat.N_TRIPLES, lenient=True)
    known = [s for s in changed if s not in fresh]
    new: dict[ox.NamedNode, set[ox.Quad]] = defaultdict(set)
    for quad in ox.parse(b"".join(changed[s] for s in known), ox.RdfFormat.N_TRIPLES,
                         lenient=True):
        new[cast(ox.NamedNode, quad.subject)].add(quad)
    added: list[ox.Quad] = []
    for subject in known:
        node = ox.NamedNode(subject[1:-1])
        old = set(store.quads_for_pattern(node, None, None, ox.DefaultGraph()))
        for quad in old - new[node]:
            store.remove(quad)
        added.extend(new[node] - old)
    store.extend(added)


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
