"""Each query of the server runs in a forked child that can be killed.

pyoxigraph cannot interrupt a running query, and a server must outlive any query sent to it. So,
as `kg.query.run_limited` does for `kg query`, every piece of work that evaluates SPARQL runs in
a child forked from the server (sharing the opened store, copy-on-write): its address space
capped, its answer streamed back through a pipe and read against a deadline and a byte budget.
Past either, or when it dies out of memory, the child is killed and the reply says which limit
stopped it. The parent never evaluates SPARQL itself, not even to parse: on an empty store, a
`COUNT` over a few `VALUES` blocks runs for minutes.

The child answers with a one-line header, `<status> <media type>`, then the body, so that what
only the query can tell (its form, hence its format, or its error) is decided in the child too.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import resource
import select
import signal
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from kg.errors import describe
from kg.query import QueryError

MiB = 1 << 20
GiB = 1 << 30
CHUNK = 1 << 16
MAX_MESSAGE = 4096  # bytes of an error message a child sends; a pipe holds more unread


@dataclass(frozen=True, slots=True)
class Reply:
    """What to answer: an HTTP status, a media type and the body."""

    status: int
    media_type: str
    body: bytes

    @classmethod
    def text(cls, status: int, message: str) -> Reply:
        return cls(status, "text/plain", (message + "\n").encode())


Writer = Callable[[BinaryIO], object]
# Work for the child: raise QueryError (a 400) or return the status, media type and a writer of
# the body; a refusal that only the query can tell is returned as a status with a text writer.
Work = Callable[[], tuple[int, str, Writer]]


@dataclass(frozen=True, slots=True)
class Limits:
    """What one query may take: seconds, bytes of memory beyond what the server holds, bytes
    of answer."""

    timeout: float
    memory: int
    max_bytes: int


class Isolator:
    """Runs work in killable children, and knows the live ones so that a shutdown kills them
    instead of leaving them to run until their timeout."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._live: set[int] = set()  # forked and not yet reaped, so never a reused pid
        self._stopping = False
        # Held from the pipes' creation to the closing of their write ends in the parent, so
        # that no other thread forks a child holding them (the reader would never see EOF).
        self._lock = threading.Lock()

    def run(self, work: Work) -> Reply:
        """Run `work` in a child within the limits; blocks, so call it from a worker thread."""
        with self._lock:
            data_read, data_write = os.pipe()
            error_read, error_write = os.pipe()
            pid = os.fork()
            if pid == 0:
                _child(work, data_write, error_write, self.limits.memory)
            os.close(data_write)
            os.close(error_write)
            self._live.add(pid)
        answer: bytearray | Reply | None = None
        try:
            answer = self._collect(data_read, time.monotonic() + self.limits.timeout)
        finally:
            with self._lock:
                self._live.discard(pid)
            if not isinstance(answer, bytearray):  # stopped at a limit, or interrupted
                os.kill(pid, signal.SIGKILL)
            status = os.waitpid(pid, 0)[1]
            os.close(data_read)
        try:
            return answer if isinstance(answer, Reply) else self._reply(answer, status,
                                                                        error_read)
        finally:
            os.close(error_read)

    def kill_all(self) -> None:
        """Kill every child still running (their threads then see EOF and reap them)."""
        with self._lock:
            self._stopping = True
            for pid in self._live:
                os.kill(pid, signal.SIGKILL)

    def _collect(self, fd: int, deadline: float) -> bytearray | Reply:
        """Everything the child writes until it closes the pipe, or the limit it ran into."""
        limit = self.limits.max_bytes + 200  # the header line besides the body
        received = bytearray()
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(remaining * 1000):
                return Reply.text(503, f"the query ran longer than {self.limits.timeout:g} s "
                                       f"and was stopped; narrow it (a LIMIT, fewer joins) or "
                                       f"start kg serve with a longer --timeout")
            chunk = os.read(fd, CHUNK)
            if not chunk:
                return received
            received += chunk
            if len(received) > limit:
                return Reply.text(503, f"the answer is larger than "
                                       f"{_size(self.limits.max_bytes)} and was stopped; "
                                       f"narrow the query (a LIMIT) or start kg serve with a "
                                       f"larger --max-result")

    def _reply(self, answer: bytearray, status: int, error_read: int) -> Reply:
        """The child's answer, or why it gave none."""
        if os.waitstatus_to_exitcode(status) == 0:
            header, _, body = bytes(answer).partition(b"\n")
            code, _, media_type = header.decode().partition(" ")
            return Reply(int(code), media_type, body)
        message = os.read(error_read, MAX_MESSAGE).decode(errors="replace")
        if self._stopping and os.WIFSIGNALED(status):
            return Reply.text(503, "kg serve is stopping: the query was stopped")
        if os.waitstatus_to_exitcode(status) == _QUERY_ERROR:
            return Reply.text(400, message)
        if message:
            return Reply.text(500, f"the query failed: {message}")
        return Reply.text(503, f"the query needed more than {_size(self.limits.memory)} of "
                               f"memory and was stopped; narrow it")


_QUERY_ERROR = 1
_FAILURE = 2


def _child(work: Work, data_write: int, error_write: int, memory: int) -> None:
    """The forked process: no sockets of the server's, default signals (Ctrl-C reaches it too),
    no crash report on stderr, its address space capped at what it has plus `memory`; it never
    returns. Out of memory, the query engine aborts it, or Python raises MemoryError: either
    way it leaves no message, and the parent says what the budget was."""
    code = _FAILURE
    try:
        _close_sockets()
        signal.set_wakeup_fd(-1)
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_DFL)
        faulthandler.disable()
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        budget = _address_space() + memory
        unlimited = hard == resource.RLIM_INFINITY
        resource.setrlimit(resource.RLIMIT_AS, (budget if unlimited else min(budget, hard), hard))
        try:
            status, media_type, write = work()
        except QueryError as error:
            code = _QUERY_ERROR
            os.write(error_write, str(error).encode()[:MAX_MESSAGE])
        else:
            with os.fdopen(data_write, "wb", buffering=CHUNK) as out:
                out.write(f"{status} {media_type}\n".encode())
                write(out)
            code = 0
    except MemoryError:
        pass
    except BaseException as error:  # reported by the parent as a failed query
        os.write(error_write, describe(error).encode()[:MAX_MESSAGE])
    finally:
        os._exit(code)


def _size(count: int) -> str:
    return f"{count / GiB:g} GiB" if count >= GiB else f"{count / MiB:g} MiB"


def _close_sockets() -> None:
    """Close the copies of the server's sockets a fork gives: a connection the server closes
    must end for its client, and a port the server leaves must be free, whatever runs here.
    Other files stay open: an on-disk store reads through them."""
    for name in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # the listing's own descriptor, closed by now
            if stat.S_ISSOCK(os.fstat(int(name)).st_mode):
                os.close(int(name))


def _address_space() -> int:
    """This process's virtual memory size in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()
