"""The demo server, running in a thread on a free loopback port for as long as it is needed."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from .serve import base_url, make_demo_server

# The write-up's endpoints and the non-streaming baseline, in the order reports show them.
WRITEUP_PATHS = ("/hello-world", "/hello-world-with-template", "/stream?name=World", "/sync")


@contextmanager
def demo_server(config: Mapping[str, Any] | None = None) -> Iterator[str]:
    """Yields the server's root URL (no trailing slash); stops it and its thread on exit."""
    server = make_demo_server("127.0.0.1", 0, config, quiet=True)
    thread = threading.Thread(target=server.serve_forever, name="streamscope-demo", daemon=True)
    thread.start()
    try:
        yield base_url(server)
    finally:
        server.shutdown()
        thread.join()
