"""The errors kg tells its user about, and the debug switch that shows tracebacks instead.

Bad input never raises out of a build: it becomes a `Rejection` (see `kg.sources.boundary`).
Bad usage raises `UsageError`, which the CLI prints as one line with exit code 2. Anything
else is a bug in kg: one line and exit code 3, or its traceback under `--debug`.
"""

from __future__ import annotations

import os

_debug = bool(os.environ.get("KG_DEBUG"))


class UsageError(ValueError):
    """A command that cannot run as given: a bad option, a path that names nothing, a folder
    another kg is writing. The message says what to do instead."""


def set_debug(on: bool) -> None:
    """Let unexpected exceptions propagate with their traceback instead of being reported as
    one line (or, for one entry, as its rejection). `KG_DEBUG=1` turns it on too."""
    global _debug
    _debug = on


def debugging() -> bool:
    return _debug


def describe(error: BaseException, limit: int = 300) -> str:
    """An exception as one short line: its type and the start of its message."""
    message = " ".join(str(error).split())
    if len(message) > limit:
        message = message[: limit - 1] + "…"
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
