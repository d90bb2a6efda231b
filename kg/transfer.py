"""Moving a built graph to a larger SPARQL server: `kg export` streams the store out as a file
to bulk-load (QLever, Virtuoso, GraphDB, Fuseki), `kg push` sends it to a SPARQL 1.1 Graph
Store Protocol endpoint (https://www.w3.org/TR/sparql11-http-rdf-update/).

Neither ever holds the whole serialization in memory: pyoxigraph's `Store.dump` writes it in
blocks to a file, standard output, or (for a push) an anonymous temporary file that is then
sent from disk. The same store always gives the same bytes.

A push is one HTTP request with the standard library's `http.client`: one POST or PUT, no
redirects, retries or sessions, so a client library would add a dependency and hide the byte
counts the progress bar needs. The body is spooled to a temporary file (in `TMPDIR`, as large
as the N-Triples) and sent with a Content-Length rather than chunked: every server and proxy
accepts a body of known length, while some answer a chunked one with 411 Length Required; and
the length gives the progress bar its total. This is the only place kg opens a connection, and
only to the URL the user gives.
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, cast
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

import pyoxigraph as ox

from kg.errors import UsageError, describe
from kg.progress import Advance, Progress, Silent
from kg.vocab import PREFIXES

FORMATS = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
}
# N-Quads: line-based, so loaders split it and load in parallel; and it keeps named graphs.
DEFAULT_FORMAT = "nquads"
_BY_EXTENSION = {f".{rdf_format.file_extension}": name for name, rdf_format in FORMATS.items()}

# Seconds at each step: each block sent, the answer. A server may load for many minutes before
# it answers (oxigraph serve: over 3 minutes to replace 2 million triples).
DEFAULT_TIMEOUT = 3600.0
_CONNECT_TIMEOUT = 30.0  # a host that does not answer at all is said sooner
_MIB = 1 << 20  # the unit of the progress bars, and the block sent at a time
_ANSWER = 1 << 16  # bytes of a failure's answer read for its message
_TAG = re.compile(r"<[^<>]*+>")  # the tags of an HTML error page (linear: no nesting)


class PushError(UsageError):
    """The server could not be reached, or refused the graph."""


def export_format(name: str | None, out: Path | None) -> str:
    """The format to export in: `name` if given, else the one `out`'s extension names, else
    N-Quads. A name that contradicts the extension (`--format turtle --out g.nt`) is refused:
    loaders pick the parser by the extension."""
    by_extension = _BY_EXTENSION.get(out.suffix.lower()) if out is not None else None
    if name is None:
        return by_extension or DEFAULT_FORMAT
    if name not in FORMATS:
        raise UsageError(f"unknown format {name!r} (choose from {', '.join(FORMATS)})")
    if by_extension not in (None, name):
        raise UsageError(f"--out {out} names {by_extension} by its extension, not {name}: "
                         f"change one of them")
    return name


def check_export_file(path: Path) -> None:
    """Raise `UsageError` now, before the store is read, if `path` cannot be written."""
    if path.is_dir():
        raise UsageError(f"--out {path} is a folder: give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"--out {path}: no folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"--out {path}: cannot write into {folder}: permission denied")


def export_store(store: ox.Store, output: BinaryIO, fmt: str,
                 advance: Advance = lambda _k: None) -> int:
    """Stream `store` into `output` in `fmt` (a name of `FORMATS`), calling `advance` at each
    MiB written; the bytes written.

    N-Quads and TriG hold the whole dataset; N-Triples and Turtle the default graph, which is
    where kg builds its graph."""
    rdf_format = FORMATS[fmt]
    writer = _CountingWriter(output, advance)
    store.dump(cast(IO[bytes], writer), rdf_format,  # pyoxigraph calls write() and flush()
               from_graph=None if rdf_format.supports_datasets else ox.DefaultGraph(),
               prefixes=PREFIXES if fmt in ("turtle", "trig") else None)
    return writer.written


def export_to_file(store: ox.Store, path: Path, fmt: str,
                   progress: Progress | None = None) -> int:
    """Export into `path` atomically: written beside it and renamed over it when complete, so
    a loader never sees half a file, and a symbolic link at `path` is replaced, never written
    through. The bytes written."""
    check_export_file(path)
    fd, staged = tempfile.mkstemp(prefix=f".{path.name}.kg-tmp-", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # as an ordinary new file, not mkstemp's 0600
        with open(fd, "wb") as file, (progress or Silent()).stage(
                f"Exporting {fmt} (MiB)") as advance:
            written = export_store(store, file, fmt, advance)
            os.fsync(file.fileno())
        os.replace(staged, path)
    except BaseException:
        Path(staged).unlink(missing_ok=True)
        raise
    return written


@dataclass(frozen=True, slots=True)
class PushTarget:
    """Where a push goes: the Graph Store URL of one graph, and how to log in."""

    url: str  # with `?default` or `?graph=...`, without the credentials: safe to print
    authorization: str | None = None  # an HTTP Basic header from the URL's user:password

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc


def push_target(url: str, graph_iri: str | None = None) -> PushTarget:
    """The target of `kg push URL [--graph IRI]`, checked before any work: an http(s) URL of a
    Graph Store endpoint (Oxigraph's `/store`, Fuseki's `/DATASET/data`, ...) that does not
    name a graph itself; the default graph unless `graph_iri` names one."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{url!r} is not an http:// or https:// URL; give the Graph Store "
                         f"endpoint, like http://localhost:7878/store")
    try:
        port = parts.port
    except ValueError:
        raise UsageError(f"{url!r}: the port is not a number from 0 to 65535") from None
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key in ("graph", "default") for key, _ in query):
        raise UsageError(f"{url!r} names a graph already (?graph= or ?default): give the "
                         f"endpoint's URL, and --graph IRI or --default")
    if graph_iri is None:
        selector = "default"
    else:
        try:
            ox.NamedNode(graph_iri)
        except ValueError as error:
            raise UsageError(f"--graph {graph_iri!r} is not an absolute IRI ({error})") from None
        selector = "graph=" + quote(graph_iri, safe="")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = host if port is None else f"{host}:{port}"
    shown = urlunsplit((parts.scheme, netloc, parts.path or "/",
                        "&".join(filter(None, (parts.query, selector))), ""))
    authorization = None
    if parts.username is not None:
        login = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(login.encode()).decode("ascii")
    return PushTarget(shown, authorization)


@dataclass(frozen=True, slots=True)
class PushResult:
    status: int
    reason: str
    sent: int  # bytes of N-Triples


def check_reachable(target: PushTarget, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Connect and hang up, so an unknown host or a refused connection is said at once,
    before the store is dumped."""
    parts = urlsplit(target.url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port),
                                 timeout=min(timeout, _CONNECT_TIMEOUT)).close()
    except OSError as error:
        raise PushError(f"cannot connect to {target.host}: {_reason(error)}") from None


def push_store(store: ox.Store, target: PushTarget, *, replace: bool = False,
               timeout: float = DEFAULT_TIMEOUT, progress: Progress | None = None) -> PushResult:
    """Send the default graph of `store` as N-Triples to `target`: POST adds it to the graph,
    PUT (`replace`) replaces the graph's content. Raises `PushError` with the server's
    message when it cannot be sent or the server refuses it."""
    progress = progress or Silent()
    with tempfile.TemporaryFile(prefix="kg-push-") as spool:
        with progress.stage("Dumping N-Triples (MiB)") as advance:
            size = export_store(store, cast(BinaryIO, spool), "ntriples", advance)
        spool.seek(0)
        return _send(spool, size, target, "PUT" if replace else "POST", timeout, progress)


def _send(body: IO[bytes], size: int, target: PushTarget, method: str, timeout: float,
          progress: Progress) -> PushResult:
    parts = urlsplit(target.url)
    connection_class = (http.client.HTTPSConnection if parts.scheme == "https"
                        else http.client.HTTPConnection)
    connection = connection_class(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.putrequest(method, urlunsplit(("", "", parts.path, parts.query, "")))
        connection.putheader("Content-Type", "application/n-triples")
        connection.putheader("Content-Length", str(size))
        if target.authorization:
            connection.putheader("Authorization", target.authorization)
        connection.endheaders()
        with progress.stage(f"Sending to {target.host} (MiB)", total=-(-size // _MIB)) as advance:
            while block := body.read(_MIB):
                connection.send(block)
                advance(1)
        with progress.stage(f"Waiting for {target.host} to load it"):
            response = connection.getresponse()
            answer = response.read(_ANSWER)
    except (OSError, http.client.HTTPException) as error:
        raise PushError(f"pushing to {target.url} failed: {_reason(error)}") from None
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return PushResult(response.status, response.reason, size)
    said = _message(answer)
    if 300 <= response.status < 400:
        said = f"it moved to {response.getheader('Location', '?')}: push to that URL"
    raise PushError(f"{target.url} answered {response.status} {response.reason}"
                    + (f": {said}" if said else ""))


def _message(answer: bytes, limit: int = 300) -> str:
    """A server's error page as one short line: its text without HTML tags."""
    text = " ".join(_TAG.sub(" ", answer.decode("utf-8", "replace")).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reason(error: BaseException) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (is the server running, on this port?)"
    if isinstance(error, socket.gaierror):
        return f"unknown host ({error.strerror})"
    if isinstance(error, TimeoutError):
        return "no answer in time (--timeout)"
    return describe(error)


class _CountingWriter:
    """Passes the blocks pyoxigraph writes on to a file, counting them, and advances the
    progress bar at each MiB."""

    def __init__(self, output: BinaryIO, advance: Advance) -> None:
        self.output = output
        self.advance = advance
        self.written = 0

    def write(self, block: bytes) -> int:
        self.output.write(block)
        before = self.written // _MIB
        self.written += len(block)
        if self.written // _MIB > before:
            self.advance(self.written // _MIB - before)
        return len(block)

    def flush(self) -> None:
        self.output.flush()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

