"""The reader registry: each digest format is one module that registers one reader.

A reader claims a file by sniffing its first characters (content first, the name as a hint)
and turns the file into `Paper` records, yielding a `Rejection` for each entry it cannot
keep so that the rest of the file survives: it builds each entry through
`kg.sources.boundary.guarded`, which turns whatever goes wrong into that rejection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kg.model import Paper, Rejection
from kg.registry import Registry
from kg.sources.text import Text

Entry = Paper | Rejection
ReadFn = Callable[[Text, str], Iterator[Entry]]
SniffFn = Callable[[str, str], bool]


@dataclass(frozen=True, slots=True)
class Reader:
    name: str
    sniff: SniffFn  # (first characters of the file, file name) -> does this reader claim it
    read: ReadFn  # (text stream, file name as shown to the user) -> entries
    priority: int = 50  # lower sniffs first: specific formats before general ones


readers: Registry[Reader] = Registry("reader")


def register_reader(name: str, sniff: SniffFn, priority: int = 50) -> Callable[[ReadFn], ReadFn]:
    """Register `read` as the reader of format `name`; see `Reader`."""

    def decorator(read: ReadFn) -> ReadFn:
        readers.register(name)(Reader(name, sniff, read, priority))
        return read

    return decorator


def detect(head: str, name: str) -> Reader | None:
    """The reader that claims a file, trying specific formats before general ones."""
    for reader in sorted((r for _, r in readers), key=lambda r: r.priority):
        if reader.sniff(head, name):
            return reader
    return None
