"""Running `kg` in a child process that SIGKILLs itself at a chosen moment, for the tests
that a killed build or update leaves its folder usable."""

from __future__ import annotations

import subprocess
import sys

# The child kills itself at the n-th rename (`os.replace`, as the commit does) or at the
# start of the n-th export, then would run `kg` with the remaining arguments.
KILLER = """
import os, signal, sys
import kg.export.registry as registry
moment, count = sys.argv[1], int(sys.argv[2])
calls = [0]
def kill_at(real):
    def wrapped(*args, **kwargs):
        calls[0] += 1
        if calls[0] == count:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return wrapped
if moment == "rename":
    os.replace = kill_at(os.replace)
else:
    registry.export = kill_at(registry.export)
    import kg.pipeline
    kg.pipeline.export = registry.export
from kg.cli import app
app(sys.argv[3:])
"""


def run_killed(moment: str, count: int, *kg_args: str) -> None:
    """Run `kg KG_ARGS...` killed at the `count`-th `moment` ("rename" or "export")."""
    done = subprocess.run([sys.executable, "-c", KILLER, moment, str(count), *kg_args],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == -9, done.stderr
