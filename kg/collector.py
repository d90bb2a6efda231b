"""Python's cyclic garbage collector, told what a build's objects are like.

A build makes tens of millions of objects that live until it ends, and makes few reference
cycles once the texts are parsed. CPython's collector walks every object young enough each
time the heap grows by a quarter, so it would walk them again and again for nothing: 5 s of
a 27 s update of a month, and a third of building the archive's graph.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_inside_long_lived = False  # then what a paused stage made is frozen at its end


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside, for work that makes many objects and no cycles
    (decoding a large message, as msgpack advises; building the graph; writing the RDF).
    Objects still free by reference count; a caller's own `gc.disable()` is kept.

    Inside `long_lived`, what the stage made and kept is frozen at its end, unwalked: the
    collector would otherwise walk all of it at the first allocation after the pause (every
    object made while paused is young), and again at the next `settle()`."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if _inside_long_lived:
                gc.freeze()
            gc.enable()


@contextmanager
def long_lived() -> Iterator[Callable[[], None]]:
    """Yield `settle()`, which tells the collector that the objects alive now live as long
    as the build: they move to its permanent generation (`gc.freeze`), which no collection
    walks, until the build ends. A process that froze objects of its own is left as it is."""
    if gc.get_freeze_count():
        yield lambda: None
        return

    def settle() -> None:
        gc.collect(1)  # the young garbage first: only survivors are frozen
        gc.freeze()

    global _inside_long_lived
    _inside_long_lived = True
    try:
        yield settle
    finally:
        _inside_long_lived = False
        gc.unfreeze()
