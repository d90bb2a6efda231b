"""The ASGI app of `kg serve`, and the server that runs it.

`create_app` assembles the routes of each part (`kg.serve.sparql`: the endpoint;
`kg.serve.pages`: the query page and its API; `kg.serve.explorer`: the explorer's pages and
search) over one `Service`; a new page is one more
module with its `routes`, added here. `run_server` binds the socket itself (so that port 0
works and a port in use is a one-line error) and runs uvicorn on it until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

import pyoxigraph as ox
import uvicorn
from starlette.applications import Starlette

from kg.errors import UsageError
from kg.query import DEFAULT_MAX_ROWS, DEFAULT_MEMORY, DEFAULT_TIMEOUT
from kg.serve import DEFAULT_HOST, DEFAULT_MAX_RESULT_MIB, DEFAULT_PORT, explorer, pages, sparql
from kg.serve.isolation import Isolator, Limits
from kg.serve.service import Service

DEFAULT_MAX_RESULT = DEFAULT_MAX_RESULT_MIB << 20
GRACE = 3  # seconds a shutdown waits for the requests under way
BACKLOG = 128  # connections the kernel queues before the server accepts them


def create_app(store: ox.Store | Callable[[], ox.Store], *, label: str = "graph",
               timeout: float = DEFAULT_TIMEOUT,
               memory: int = DEFAULT_MEMORY, max_result: int = DEFAULT_MAX_RESULT,
               max_rows: int = DEFAULT_MAX_ROWS, workers: int | None = None,
               own_process: bool = False, folder: Path | None = None) -> Starlette:
    """The app serving `store` (or the store a callable gives at each request, to follow a
    build folder: `kg.store.LiveStore`): each query stopped past `timeout` seconds, `memory`
    bytes or an answer of `max_result` bytes; the JSON API returns at most `max_rows` rows. At
    most `workers` queries (default: one per CPU) run at once, the others wait their turn.
    `own_process`: the app is all its process does (`kg serve`), so what it keeps for long
    may be frozen out of the cyclic collector's walks (`kg.serve.explorer`). `folder`: the
    build folder, whose `analysis.html` is served at /analysis."""
    threads = workers or os.cpu_count() or 2
    stores = store if callable(store) else lambda: store
    service = Service(stores, Isolator(Limits(timeout, memory, max_result)),
                      ThreadPoolExecutor(threads, thread_name_prefix="kg-query"), max_rows,
                      label)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        service.close()

    app = Starlette(routes=[*sparql.routes, *pages.routes, *explorer.routes], lifespan=lifespan,
                    exception_handlers={404: explorer.missing})
    app.state.service = service
    app.state.folder = folder
    explorer.attach(app, service, freeze=own_process)
    app.state.page = pages.render_page(label)
    return app


def run_server(app: Starlette, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
               announce: Callable[[str], None] = print) -> None:
    """Serve `app` on `host:port` (port 0: a free one) until interrupted; `announce` gets the
    address once it listens."""
    listener = bind(host, port)
    url = f"http://{_url_host(host)}:{listener.getsockname()[1]}/"
    config = uvicorn.Config(app, host=host, port=port, log_level="warning",
                            timeout_graceful_shutdown=GRACE)
    announce(f"Serving the explorer at {url} (SPARQL endpoint {url}sparql, query page "
             f"{url}query); Ctrl-C stops.")
    uvicorn.Server(config).run(sockets=[listener])


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on `host:port`, or a UsageError saying why not. Made as TCP by
    name (not protocol 0, as `socket.create_server` does), since asyncio turns Nagle off only on
    such sockets: with it on, every answer on a kept-alive connection waited 40 ms."""
    listener = None
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)[0]
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(BACKLOG)
    except OSError as error:
        if listener is not None:
            listener.close()
        reason = error.strerror or str(error)
        raise UsageError(f"cannot listen on {host}:{port}: {reason}") from None
    return listener


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
