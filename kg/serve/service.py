"""What every route of `kg serve` shares: the store, the pool that runs queries off the event
loop, and how a reply becomes an HTTP response."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from kg.query import MAX_QUERY_CHARS
from kg.serve.isolation import Isolator, Reply, Work

MAX_BODY = 4 * MAX_QUERY_CHARS  # bytes: a query of the longest length kg runs, URL-encoded

# Headers of every response: no content sniffing (an error message quoting a query is text,
# never HTML), and no referrer leaking a query string to a link the results hold.
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


@dataclass(frozen=True, slots=True)
class Service:
    """The graph a server answers from and how its queries run: each in a killable child
    (`isolator`), at most `executor`'s thread count at once, so that queries never block the
    event loop and their memory budgets add up to a known total."""

    stores: Callable[[], ox.Store]  # the store to answer from now (see `kg.store.LiveStore`)
    isolator: Isolator
    executor: ThreadPoolExecutor
    max_rows: int  # rows the JSON API returns; the SPARQL endpoint caps bytes instead
    label: str  # what the pages call the graph, e.g. its folder

    @property
    def store(self) -> ox.Store:
        return self.stores()

    async def run(self, work: Work) -> Reply:
        """`work` in a child, awaited from a worker thread."""
        return await asyncio.get_running_loop().run_in_executor(
            self.executor, self.isolator.run, work)

    def close(self) -> None:
        """Stop every running query and the threads waiting for them."""
        self.isolator.kill_all()
        self.executor.shutdown(wait=True, cancel_futures=True)


def response(reply: Reply, headers: Mapping[str, str] | None = None) -> Response:
    return Response(reply.body, reply.status, headers={**COMMON_HEADERS, **(headers or {})},
                    media_type=reply.media_type)


class Refused(Exception):
    """A request answered with an error status and a one-line message, before any query runs."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def read_body(request: Request) -> bytes:
    """The request's body, refused past `MAX_BODY` bytes before it is all read."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise Refused(413, f"the request is larger than {MAX_BODY:,} bytes")
    return bytes(body)
