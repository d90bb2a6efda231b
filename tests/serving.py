"""Serving an app in a test: uvicorn in a thread on a free loopback port, stopped after."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from kg.serve.app import bind

WAIT = 60.0  # seconds any start or stop may take before the test fails instead of hanging


def port_is_free(port: int) -> bool:
    """Whether a new server can listen on `port` (connections in TIME_WAIT do not count)."""
    try:
        socket.create_server(("127.0.0.1", port)).close()
    except OSError:
        return False
    return True


@contextmanager
def running(app) -> Iterator[str]:
    """`app` served by uvicorn in a thread on a free loopback port; its base URL."""
    listener = bind("127.0.0.1", 0)
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(WAIT)
        assert not thread.is_alive(), "the server did not stop"
        assert port_is_free(port)
