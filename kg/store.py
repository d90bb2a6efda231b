"""The persistent store: the graph's triples in an Oxigraph store inside the build folder.

`kg build` writes the store (a RocksDB folder, `store-<stamp>/`, named in the manifest) and
the RDF files are exports of the same triples. Commands that only read (`kg query`,
`kg analyze`, `kg serve`, `kg export`) open it read-only, which takes milliseconds whatever
the graph's size, instead of parsing a Turtle file of hundreds of megabytes at every call.

A store is never changed once committed: a new build (or an update) writes a new one and the
manifest switches to it, so a reader that opened the old one keeps a consistent view (RocksDB
must not be read while another process writes it).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.errors import UsageError
from kg.outputs import MANIFEST, OutputFolder, built_version

STORE = "store"


def write_store(out: OutputFolder, ntriples: Path) -> str:
    """Stage a store holding the triples of an N-Triples file in `out`; its name."""
    name, path = out.stage_version(STORE, folder=True)
    store = ox.Store(str(path))
    store.bulk_load(path=ntriples, format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    store.optimize()
    del store  # closes RocksDB before the folder is renamed
    return name


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
