"""How the pipeline reports progress without knowing who listens (the CLI draws bars)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol

Advance = Callable[[int], None]


class Progress(Protocol):
    """`stage("Extracting concepts", total=n)` is a context giving an `advance(k)` callable."""

    def stage(self, name: str, total: int | None = None) -> AbstractContextManager[Advance]:
        ...


class Silent:
    """The default for library use: no output."""

    def stage(self, name: str, total: int | None = None) -> AbstractContextManager[Advance]:
        return nullcontext(lambda _k: None)
